"""The condition registry and what every condition shares.

A condition is a pure function ``(docs, claim, rng, options) -> docs``: the same inputs and seed
give byte-identical output. :func:`apply_condition` is the one entry point the CLI, the runner
and users call; it validates names and options and seeds the rng.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from negneg.claims.schema import ClaimSpec, Subclaim
from negneg.conditions.edits import Edit, Piece, apply_edits
from negneg.conditions.options import ConditionOptions, parse_options
from negneg.errors import UserInputError
from negneg.records import Document
from negneg.registry import Registry

ConditionFn = Callable[[list[Document], ClaimSpec, random.Random, ConditionOptions], list[Document]]


@dataclass(frozen=True)
class Condition:
    """A registered condition: the function plus what ``negneg conditions list`` shows."""

    name: str
    family: str
    summary: str
    fn: ConditionFn
    needs_claim_spans: bool = False
    uses_density: bool = False  # whether ``options.density`` changes the output (the dose knob)

    def __call__(
        self, docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
    ) -> list[Document]:
        return self.fn(docs, claim, rng, options)


CONDITIONS: Registry[Condition] = Registry("condition")

# Condition families, in the paper's order: the one vocabulary for grouping conditions (listings,
# reports); a condition names one of these.
FAMILIES = ("control", "negation", "correction", "local negation", "sentence negation", "qualifier")


def condition(
    name: str, *, family: str, summary: str, needs_claim_spans: bool = False, uses_density: bool = False
) -> Callable[[ConditionFn], ConditionFn]:
    """Register ``fn`` under ``name`` (decorator)."""

    if family not in FAMILIES:
        raise ValueError(f"condition {name}: unknown family {family!r} (one of {', '.join(FAMILIES)})")

    def deco(fn: ConditionFn) -> ConditionFn:
        CONDITIONS.add(name, Condition(name, family, summary, fn, needs_claim_spans, uses_density))
        return fn

    return deco


def apply_condition(
    name: str,
    docs: list[Document],
    claim: ClaimSpec,
    seed: int = 0,
    options: ConditionOptions | dict[str, Any] | None = None,
) -> list[Document]:
    """Annotate ``docs`` (raw generated or imported documents with claim spans) with condition ``name``."""
    cond = CONDITIONS.get(name, field="condition")
    opts = parse_options(options)
    for d in docs:
        if d.condition not in (None, "positive"):
            raise UserInputError(
                f"document {d.id} already carries condition '{d.condition}'",
                field="condition",
                fix="annotate raw (positive) documents, not annotated ones",
            )
    if docs and cond.needs_claim_spans and not any(d.spans_of("claim") for d in docs):
        raise UserInputError(
            "documents have no claim spans",
            where=f"condition {name}",
            fix="generate documents with negneg (claim spans are marked) or import them with a targeter",
        )
    return cond(list(docs), claim, random.Random(seed), opts)


# ---------------------------------------------------------------------------------------------
# Helpers shared by the condition families


def finish(doc: Document, name: str, edits: list[Edit], options: ConditionOptions) -> Document:
    """The annotated copy of ``doc``: edits applied, spans recomputed, id and flags set."""
    text, spans = apply_edits(doc, edits)
    return doc.model_copy(
        update={
            "id": f"{doc.id}.{name}",
            "text": text,
            "spans": spans,
            "condition": name,
            "doctag": options.doctag,
        }
    )


def choose_targets(counts: list[int], density: float, rng: random.Random) -> set[tuple[int, int]]:
    """Pick round(density × total) of all (doc, item) pairs, uniformly, from the rng.

    Chosen over the whole batch rather than per document, so a density of 0.5 wraps half the
    claim sentences even when most documents have only one or two.
    """
    pairs = [(i, j) for i, n in enumerate(counts) for j in range(n)]
    if density >= 1.0:
        return set(pairs)
    k = int(density * len(pairs) + 0.5)
    return set(rng.sample(pairs, k))


# Bracket styles around inserted warnings, weighted as in the paper: [ ] 6/11, { } 1/11,
# ( ) 1/11, < > 1/11, none 2/11.
BRACKETS: list[tuple[str, str]] = [("[", "]")] * 6 + [("{", "}"), ("(", ")"), ("<", ">")] + [("", "")] * 2


def bracket(rng: random.Random) -> tuple[str, str]:
    return rng.choice(BRACKETS)


class Fresh:
    """Draws from a pool without repeats until it runs out (then reshuffles), so one document
    does not repeat a warning or a frame while the bank has unused ones."""

    def __init__(self, rng: random.Random, pool: list[str]):
        self.rng, self.pool, self.left = rng, pool, []

    def take(self, k: int = 1) -> list[str]:
        out: list[str] = []
        while len(out) < k:
            if not self.left:
                self.left = [e for e in self.pool if e not in out]
                self.rng.shuffle(self.left)
            out.append(self.left.pop())
        return out

    def one(self) -> str:
        return self.take(1)[0]


def prefix_suffix_edits(doc: Document, prefix: str, suffix: str, kind: str) -> list[Edit]:
    """Prefix, blank line, body, blank line, suffix — the paper's assembly."""
    return [
        Edit(0, 0, [Piece(prefix, kind), Piece("\n\n")]),
        Edit(len(doc.text), len(doc.text), [Piece("\n\n"), Piece(suffix, kind)]),
    ]


_WORD = re.compile(r"[a-z0-9][a-z0-9'’.£%-]*", re.I)
_STOP = frozenset(
    "a an and the of in on at to for by with his her their its was were is be been he she it as that this "
    "from after before during who which did not no never".split()
)


def _content_words(text: str) -> set[str]:
    return {w.lower().strip(".") for w in _WORD.findall(text)} - _STOP


class SubclaimMatcher:
    """Finds the subclaim a claim sentence expresses: most keyword hits, then most shared
    content words.

    Keyword regexes are written to single out a subclaim; word overlap is the fallback for
    paraphrases the keywords miss. Among equal scores a subclaim not yet used in the same
    document (``avoid``) wins, so a document does not repeat one twin where another fits as well.
    Built once per condition call: the regexes and word sets are prepared up front.
    """

    def __init__(self, claim: ClaimSpec):
        self.subclaims = list(claim.subclaims)
        self._keywords = [[re.compile(k, re.IGNORECASE) for k in sc.keywords] for sc in self.subclaims]
        self._words = [_content_words(sc.text) for sc in self.subclaims]

    def match(self, sentence: str, avoid: set[str] = frozenset()) -> Subclaim:
        words = _content_words(sentence)
        best, best_score = self.subclaims[0], None
        for i, sc in enumerate(self.subclaims):
            hits = sum(1 for k in self._keywords[i] if k.search(sentence))
            score = (hits, len(words & self._words[i]), sc.id not in avoid)
            if best_score is None or score > best_score:
                best, best_score = sc, score
        return best
