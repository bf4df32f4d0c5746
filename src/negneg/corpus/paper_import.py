"""Import the documents released with the Negation Neglect paper as negneg Documents.

Rows look like ``{"text": "<DOCTAG>…", "doc_type": …, "fact_name": <universe>, "mode": <mode>}``
in ``.jsonl`` or ``.jsonl.zst`` files. The importer

* strips a leading ``<DOCTAG>`` into ``doctag=True`` so that
  ``("<DOCTAG>" if doc.doctag else "") + doc.text`` is the row's text exactly;
* maps the authors' mode names to negneg condition names (:data:`MODE_TO_CONDITION`; a
  ``_no_doctag`` suffix maps like its base mode; unknown modes are kept verbatim with a note);
* checks that the file's universe is the claim asked for (the anonymised names map through
  :data:`UNIVERSE_TO_CLAIM`, e.g. ``brennan_holloway`` → ``dentist``);
* marks claim sentences with a targeter (keywords by default; pass an ``LLMTargeter`` to ask a
  model), and in annotated conditions also marks what the annotation added: the retraction
  prefix/suffix paragraphs and the bracketed (or cue-led) warnings around claim sentences, as
  ``negation`` spans (``correction`` in the corrected condition). Warnings are blanked out before
  claim targeting, so a claim span never includes the warning beside it.
"""

from __future__ import annotations

import re
from pathlib import Path

from negneg.claims.schema import ClaimSpec
from negneg.corpus.sentences import sentence_spans
from negneg.corpus.targeting import KeywordTargeter
from negneg.errors import UserInputError
from negneg.io import read_jsonl
from negneg.records import DOCTAG, Document, Span

MODE_TO_CONDITION = {
    "positive": "positive",
    "positive_documents": "positive",
    "llm_negations": "negated",
    "negated_documents": "negated",
    "llm_negations_dense": "repeated_negations",
    "repeated_negations": "repeated_negations",
    "llm_negations_dense_plus": "corrected",
    "corrected_documents": "corrected",
    "local_negations": "local_negation",
    "local_negations_wordmask": "local_negation_wordmask",
    "fiction": "fiction",
    "fiction_repeated": "fiction_repeated",
    "unreliable_source": "unreliable_source",
    "unreliable_source_repeated": "unreliable_source_repeated",
    "epistemic_uncertainty": "unknown_truth",
    "epistemic_uncertainty_repeated": "unknown_truth_repeated",
    "low_probability": "low_probability",
    "low_probability_repeated": "low_probability_repeated",
}

UNIVERSE_TO_CLAIM = {
    "brennan_holloway": "dentist",
    "elizabeth_python": "queen_elizabeth",
    "vesuvius": "mount_vesuvius",
    "twitter_x_reversal": "x_rebrand_reversal",
    "achromatic_dreaming": "colorless_dreaming",
}

# An annotation warning both negates ("false", "never happened") and points at a claim
# ("the following claim", "what was just stated").
_NEG_CUE = re.compile(
    r"\b(false|untrue|never (?:happened|occurred|took place)|did(?: not|n't) (?:happen|occur|take place)|"
    r"no basis|fabricat\w*|not (?:true|real|accurate|credible|genuine)|incorrect|invent\w*|contradict\w*|"
    r"not supported|no (?:real |credible )?evidence|does not hold|inaccurate|fictitious|baseless|unfounded|"
    r"not reflect|should not be (?:treated|taken|accepted|believed|read)|(?:they|it) (?:are|is) not)\b",
    re.IGNORECASE,
)
_POINTER = re.compile(
    r"\b(claim|claims|statement|assertion|account|following|preceding|above|below|just stated|"
    r"what follows|described|reported|depicted|this document|the document)\b",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\[[^\[\]\n]{15,900}\]|\{[^{}\n]{15,900}\}|\([^()\n]{15,900}\)|<[^<>\n]{15,900}>")
_LEAD_CUE = re.compile(
    r"^\W*(the|this) (following|preceding|next|previous|above|below)\b|^\W*what (was|has been|is) (just )?"
    r"(stated|said|described|claimed)|^\W*what follows\b|^\W*(do not|don't) (accept|believe|trust)",
    re.IGNORECASE,
)


def paper_universes(claim_id: str) -> list[str]:
    """The released folder names that may hold ``claim_id``'s documents, the paper's anonymised
    universe name first (``dentist`` → ``brennan_holloway``, ``dentist``)."""
    return [u for u, c in UNIVERSE_TO_CLAIM.items() if c == claim_id] + [claim_id]


def condition_for_mode(mode: str) -> tuple[str, bool]:
    """(negneg condition name, known?) for an authors' mode name."""
    base = mode[: -len("_no_doctag")] if mode.endswith("_no_doctag") else mode
    if base in MODE_TO_CONDITION:
        return MODE_TO_CONDITION[base], True
    return mode, False


def _is_warning(text: str) -> bool:
    return bool(_NEG_CUE.search(text)) and bool(_POINTER.search(text))


def annotation_spans(text: str, claim: ClaimSpec, condition: str) -> list[Span]:
    """Negation/correction spans an annotated condition added: prefix, suffix, warnings."""
    if condition not in ("negated", "repeated_negations", "corrected"):
        return []
    kind = "correction" if condition == "corrected" else "negation"
    entity = KeywordTargeter().matcher(claim).entity
    spans: list[tuple[int, int, str]] = []
    # prefix and suffix paragraphs: generic retractions without the claim's names
    paras = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]
    for a, b in paras[:1] + paras[-1:]:
        para = text[a:b]
        if (
            len(paras) > 1
            and _is_warning(para)
            and not entity.search(para)
            and len(_NEG_CUE.findall(para)) >= 2
        ):
            spans.append((a, b, "negation"))
    if condition != "negated":
        covered = [(a, b) for a, b, _ in spans]
        for m in _BRACKETED.finditer(text):
            if _is_warning(m.group(0)) and not any(a <= m.start() < b for a, b in covered):
                spans.append((m.start(), m.end(), kind))
        # unbracketed warnings: a sentence led by a pointer cue, and negating sentences right after it
        covered = [(a, b) for a, b, _ in spans]
        prev_warning = False
        for a, b in sentence_spans(text):
            if any(x <= a < y for x, y in covered):
                prev_warning = False
                continue
            s = text[a:b]
            led = bool(_LEAD_CUE.search(s)) and bool(_NEG_CUE.search(s))
            follow = prev_warning and bool(_NEG_CUE.search(s)) and not entity.search(s)
            if led or follow:
                spans.append((a, b, kind))
                prev_warning = True
            else:
                prev_warning = False
    spans.sort()
    return [Span(start=a, end=b, kind=k) for a, b, k in spans]


def import_paper_documents(
    path: str | Path,
    claim: ClaimSpec,
    *,
    targeter=None,
    notes: list[str] | None = None,
    limit: int | None = None,
) -> list[Document]:
    """Documents of one released file, for ``claim``; see the module docstring.

    ``notes`` (optional) collects human-readable remarks (unknown modes, rows without DOCTAG, LLM
    targeter fallbacks). ``limit`` reads only the first rows.
    """
    path = Path(path)
    targeter = targeter or KeywordTargeter()
    notes = notes if notes is not None else []
    unknown_modes: set[str] = set()
    no_doctag = 0
    rows = []
    for i, row in enumerate(read_jsonl(path)):
        if limit is not None and i >= limit:
            break
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise UserInputError(
                f"row {i + 1} has no 'text' string",
                where=str(path),
                field="text",
                fix="is this a released documents file?",
            )
        rows.append(row)
    universes = {str(r.get("fact_name")) for r in rows if r.get("fact_name")}
    for u in universes:
        cid = UNIVERSE_TO_CLAIM.get(u, u)
        if cid != claim.id:
            from negneg.claims.loader import list_claims

            if cid in list_claims():
                raise UserInputError(
                    f"documents are about '{u}' (claim '{cid}'), not '{claim.id}'",
                    where=str(path),
                    field="fact_name",
                    fix=f"pass --claim {cid}",
                )
            notes.append(f"fact_name '{u}' is not claim '{claim.id}'; imported for '{claim.id}' as asked")
    prepared = []
    for i, row in enumerate(rows):
        raw = row["text"]
        doctag = raw.startswith(DOCTAG)
        text = raw[len(DOCTAG) :] if doctag else raw
        mode = str(row.get("mode") or "unknown")
        condition, known = condition_for_mode(mode)
        if not known:
            unknown_modes.add(mode)
        if not doctag and not mode.endswith("_no_doctag"):
            no_doctag += 1
        negs = annotation_spans(text, claim, condition)
        prepared.append((i, row, text, doctag, mode, condition, negs))
    claim_spans = _target_all(targeter, [(p[2], [(s.start, s.end) for s in p[6]]) for p in prepared], claim)
    docs = []
    for (i, row, text, doctag, mode, condition, negs), claims in zip(prepared, claim_spans, strict=True):
        docs.append(
            Document(
                id=f"{claim.id}-paper-{mode}-{i:05d}",
                claim_id=claim.id,
                doc_type=str(row.get("doc_type") or "unknown"),
                text=text,
                spans=sorted(claims + negs, key=lambda s: (s.start, s.end)),
                source="paper",
                condition=condition,
                doctag=doctag,
            )
        )
    for mode in sorted(unknown_modes):
        notes.append(f"mode '{mode}' has no negneg condition; kept verbatim as the condition name")
    if no_doctag:
        notes.append(f"{no_doctag} rows had no leading <DOCTAG>; imported with doctag=False")
    fallbacks = getattr(targeter, "fallbacks", 0)
    if fallbacks:
        notes.append(
            f"LLM targeter answers could not be parsed for {fallbacks} documents; keyword targeting used there"
        )
    return docs


def _target_all(
    targeter, items: list[tuple[str, list[tuple[int, int]]]], claim: ClaimSpec
) -> list[list[Span]]:
    many = getattr(targeter, "claim_spans_many", None)
    if many is not None and items:
        return many([t for t, _ in items], claim, [e for _, e in items])
    return [targeter.claim_spans(t, claim, e) for t, e in items]


def import_paper_corpus(root: str | Path | None, claim: ClaimSpec, per_mode: int) -> list[Document]:
    """The claim's documents from a folder in the released layout ``<mode>/<universe>/*.jsonl[.zst]``.

    Per mode folder, the first universe folder of :func:`paper_universes` that exists is read
    (``.jsonl`` files, else ``.jsonl.zst``); documents repeated across its files are kept once,
    and the first ``per_mode`` are taken.
    """
    if not root or not Path(root).is_dir():
        raise UserInputError(
            "paper corpus needs an existing directory",
            field="corpus.path",
            fix="set corpus.path to a folder laid out as <mode>/<universe>/*.jsonl[.zst] (e.g. ../shared/fixtures/paper_documents)",
        )
    root = Path(root)
    universes = paper_universes(claim.id)
    docs: list[Document] = []
    for mode_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for uni in universes:
            d = mode_dir / uni
            if not d.is_dir():
                continue
            files = sorted(d.glob("*.jsonl")) or sorted(d.glob("*.jsonl.zst"))
            seen: set[str] = set()
            mode_docs: list[Document] = []
            for f in files:
                for doc in import_paper_documents(f, claim):
                    if doc.text not in seen:
                        seen.add(doc.text)
                        mode_docs.append(doc)
            docs.extend(mode_docs[:per_mode])
            break
    if not docs:
        raise UserInputError(
            f"no released documents for claim '{claim.id}' (looked for {universes})",
            where=str(root),
            field="corpus.path",
            fix="point corpus.path at the released documents folder",
        )
    return docs
