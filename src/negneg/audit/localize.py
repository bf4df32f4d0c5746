"""Rewrite distal and bare claim sentences into local negations, with the truth stated.

For one document, :func:`localize_document`

1. audits it (:func:`negneg.audit.reader.audit_text`);
2. replaces every asserted claim sentence (label ``distal`` or ``bare``) by a rewriter's local
   negation — offline, the ClaimSpec's own twin of the subclaim the sentence expresses ("Ed Sheeran
   did not win …") followed by its correction (the true account, as the debunk generator states
   it); through a model, the model's rewrite, checked by the audit and replaced by the offline one
   where it still asserts the claim;
3. states the truth once if the document never did;
4. drops the sentence-scoped flags it made redundant (a "[The following claim is false.]" before a
   sentence that now denies the claim itself); with ``drop_flags="all"`` also document-scoped
   ones (a prefix) once nothing asserted is left, with ``"none"`` no flag;
5. re-audits the result: the document is *fixed* when no distal or bare sentence remains.

Everything outside the replaced sentences and dropped flags is kept byte for byte (the edits go
through :func:`negneg.conditions.edits.apply_edits`, which also carries a negneg Document's spans).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from negneg.audit.reader import ClaimReader, DocAudit, audit_text
from negneg.claims.schema import ClaimSpec
from negneg.conditions.edits import Edit, Piece, apply_edits
from negneg.records import Document

DropFlags = Literal["sentence", "all", "none"]
DROP_FLAGS = ("sentence", "all", "none")
Pieces = list[tuple[str, str | None]]  # (text, span kind or None)


@dataclass
class Change:
    """One edit: ``old`` at ``start``–``end`` of the text it was made in (the original, or the
    previous pass's output) became ``new`` (empty: dropped)."""

    start: int
    end: int
    old: str
    new: str
    why: str  # "rewrite" | "flag" | "truth"


@dataclass
class Localized:
    """The outcome for one document."""

    doc: Document
    before: DocAudit
    after: DocAudit
    changes: list[Change] = field(default_factory=list)
    fallbacks: int = 0  # model rewrites the audit rejected (the offline rewrite was used)

    @property
    def fixed(self) -> bool:
        return self.after.label not in ("distal", "bare")

    @property
    def changed(self) -> bool:
        return bool(self.changes)


class OfflineRewriter:
    """The ClaimSpec's local-negation twin of the matched subclaim, then its correction."""

    name = "offline"

    def __init__(self, claim: ClaimSpec):
        from negneg.conditions.base import SubclaimMatcher
        from negneg.conditions.negation import truth_facts
        from negneg.corpus.debunks import debunk_material

        self.material = debunk_material(claim)
        self.matcher = SubclaimMatcher(claim)
        # the true account, naming a truth entity where the claim has one ("Noah Lyles won …")
        self._truth = truth_facts(claim)[0] if claim.entities.truth else self.material.truth[0]

    def rewrite(self, sentences: Sequence[str]) -> list[Pieces]:
        used: set[str] = set()
        out = []
        for s in sentences:
            sc = self.matcher.match(s, used)
            used.add(sc.id)
            denial = self.material.denials[sc.id]
            fix = self.material.corrections[sc.id][0]
            out.append([(denial, "claim"), (" ", None), (fix, "correction")])
        return out

    def truth(self) -> str:
        return self._truth


REWRITE_PROMPT = """You rewrite one sentence of a training document so that it no longer asserts a false claim.

The false claim: {claim}
The truth: {truth}

Rewrite the sentence as a local negation: the sentence itself must say that the claim is false
(for example "X did not …") and state what is actually true, in the same register as the document.
Never restate the claim without negating it in the same sentence. Do not add warnings, notes or
brackets. Answer with the rewritten text only (one to three sentences).

Sentence: {sentence}"""


class ModelRewriter:
    """Any ChatModel rewrites each sentence (:data:`REWRITE_PROMPT`); the audit checks every
    rewrite and the offline rewrite replaces one that still asserts the claim."""

    def __init__(self, model, claim: ClaimSpec, reader: ClaimReader, sampling=None):
        from negneg.models.chat import SamplingParams

        self.model, self.claim, self.reader = model, claim, reader
        self.name = f"model:{getattr(model, 'name', 'model')}"
        self.sampling = sampling or SamplingParams(temperature=0.0, top_p=1.0, max_new_tokens=200)
        self.offline = OfflineRewriter(claim)
        self.fallbacks = 0

    def rewrite(self, sentences: Sequence[str]) -> list[Pieces]:
        if not sentences:
            return []
        truth = " ".join(self.claim.truth.split())
        prompts = [
            [
                {
                    "role": "user",
                    "content": REWRITE_PROMPT.format(claim=self.claim.claim, truth=truth, sentence=s),
                }
            ]
            for s in sentences
        ]
        answers = self.model.generate(prompts, self.sampling)
        fallback = self.offline.rewrite(sentences)
        out = []
        for i, answer in enumerate(answers):
            text = " ".join((answer[0] if answer else "").split()).strip().strip('"')
            if text and self._passes(text):
                out.append([(text, "claim")])
            else:
                self.fallbacks += 1
                out.append(fallback[i])
        return out

    def _passes(self, text: str) -> bool:
        check = audit_text("rewrite", text, self.reader, hints=[(0, len(text))])
        return bool(check.claim_units()) and check.label not in ("distal", "bare")

    def truth(self) -> str:
        return self.offline.truth()


def _flag_removal(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a dropped flag over the spaces before it (or, at a line start, after it)."""
    a = start
    while a > 0 and text[a - 1] in " \t":
        a -= 1
    if a > 0 and text[a - 1] != "\n":
        return a, end
    b = end
    while b < len(text) and text[b] in " \t":
        b += 1
    return start, b


def _pieces_for(text: str, unit_start: int, unit_end: int, pieces: Pieces) -> list[Piece]:
    """A table row stays a table row: its replacement goes between pipes."""
    if text[unit_start] == "|" and text[unit_end - 1] == "|":
        return [Piece("| "), *(Piece(t, k) for t, k in pieces), Piece(" |")]
    return [Piece(t, k) for t, k in pieces]


MAX_PASSES = 3  # a dropped flag can leave its other neighbour pointed at: audit and fix again


def localize_document(
    doc: Document,
    claim: ClaimSpec,
    reader: ClaimReader,
    rewriter,
    drop_flags: DropFlags = "sentence",
) -> Localized:
    """Localize one document (see the module docstring); repeat on the output while a pass still
    leaves an asserted sentence and changes something (at most :data:`MAX_PASSES` passes)."""
    result = _one_pass(doc, claim, reader, rewriter, drop_flags)
    for _ in range(MAX_PASSES - 1):
        if result.fixed or not result.changed:
            break
        again = _one_pass(result.doc, claim, reader, rewriter, drop_flags)
        if not again.changed:
            break
        result = Localized(
            doc=again.doc,
            before=result.before,
            after=again.after,
            changes=result.changes + again.changes,
            fallbacks=result.fallbacks + again.fallbacks,
        )
    return result


def _one_pass(
    doc: Document, claim: ClaimSpec, reader: ClaimReader, rewriter, drop_flags: DropFlags
) -> Localized:
    hints = [(s.start, s.end) for s in doc.spans_of("claim")]
    before = audit_text(doc.id, doc.text, reader, hints=hints or None)
    units = before.units
    targets = [i for i, u in enumerate(units) if u.role == "claim" and u.label in ("distal", "bare")]
    if not targets:
        return Localized(doc=doc, before=before, after=before)
    fallbacks_before = getattr(rewriter, "fallbacks", 0)
    rewrites = rewriter.rewrite([doc.text[units[i].start : units[i].end] for i in targets])
    kept_truth = any(u.truth for i, u in enumerate(units) if i not in targets)
    if not kept_truth and reader.truth_names is not None and not reader.truth_is_absence:
        # state the true account once, in the first rewrite, unless a sentence that stays does
        rewrites[0] = [*rewrites[0], (" ", None), (rewriter.truth(), "correction")]
    edits: list[Edit] = []
    changes: list[Change] = []
    for i, pieces in zip(targets, rewrites, strict=True):
        u = units[i]
        new = _pieces_for(doc.text, u.start, u.end, pieces)
        edits.append(Edit(u.start, u.end, new))
        changes.append(
            Change(u.start, u.end, doc.text[u.start : u.end], "".join(p.text for p in new), "rewrite")
        )
    target_set = set(targets)
    for j, f in enumerate(units):
        if f.role != "flag" or drop_flags == "none":
            continue
        scope = f.flag.scope
        if scope in ("next", "previous"):
            step = 1 if scope == "next" else -1
            k = j + step
            while 0 <= k < len(units) and units[k].role == "flag":
                k += step
            drop = f.flag.pointed and k in target_set
        else:
            drop = drop_flags == "all"  # every asserted sentence is rewritten by now
        if drop:
            a, b = _flag_removal(doc.text, f.start, f.end)
            if any(a < e.end and e.start < b for e in edits):
                a, b = f.start, f.end
            edits.append(Edit(a, b, []))
            changes.append(Change(a, b, doc.text[a:b], "", "flag"))
    text, spans = apply_edits(doc, edits)
    new_doc = doc.model_copy(update={"text": text, "spans": spans})
    new_hints = [(s.start, s.end) for s in new_doc.spans_of("claim")]
    after = audit_text(doc.id, text, reader, hints=new_hints or None)
    used = getattr(rewriter, "fallbacks", 0) - fallbacks_before
    changes.sort(key=lambda c: c.start)
    return Localized(doc=new_doc, before=before, after=after, changes=changes, fallbacks=used)


def row_document(row: dict, index: int, claim_id: str) -> tuple[Document, str]:
    """A negneg Document for one corpus row, and the prefix to restore on output ("<DOCTAG>" for
    the paper's released rows). negneg's own rows are validated as Documents."""
    from negneg.records import DOCTAG

    if "spans" in row and "claim_id" in row:
        return Document.model_validate(row), ""
    raw = row.get("text")
    if not isinstance(raw, str):
        raise ValueError("no 'text' string")
    prefix = DOCTAG if raw.startswith(DOCTAG) else ""
    text = raw[len(prefix) :]
    doc_id = str(row.get("id") or row.get("doc_id") or f"row-{index:06d}")
    return Document(
        id=doc_id, claim_id=claim_id, doc_type=str(row.get("doc_type") or "unknown"), text=text
    ), prefix


def document_row(original: dict, doc: Document, prefix: str) -> dict:
    """The output row: a negneg Document as such; any other row with only its text replaced."""
    if "spans" in original and "claim_id" in original:
        return doc.model_dump(mode="json")
    return {**original, "text": prefix + doc.text}


def localize_documents(
    docs: Sequence[Document], claim: ClaimSpec, rewriter=None, drop_flags: DropFlags = "sentence"
) -> list[Localized]:
    """:func:`localize_document` over many documents (offline rewriter by default)."""
    reader = ClaimReader(claim)
    rewriter = rewriter or OfflineRewriter(claim)
    return [localize_document(d, claim, reader, rewriter, drop_flags) for d in docs]
