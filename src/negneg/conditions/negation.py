"""Positive, negated, repeated negations and corrections (paper §3.1–3.4).

All four start from the same positive documents. The generic negation text (prefix, suffix and
the warnings around claim sentences) names no entity and states no true fact, so it cannot teach
the correct answer; only ``corrected`` does, by filling its templates from the ClaimSpec.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from negneg.claims.schema import ClaimSpec
from negneg.conditions.banks import load_bank
from negneg.conditions.base import (
    Fresh,
    SubclaimMatcher,
    bracket,
    choose_targets,
    condition,
    finish,
    prefix_suffix_edits,
)
from negneg.conditions.edits import Edit, Piece
from negneg.conditions.options import ConditionOptions
from negneg.corpus.sentences import sentences
from negneg.records import Document, Span

# Prefix + suffix size. The paper asked for 4–6 sentences on each side of ~700-word documents,
# which came to ≈12% of tokens. negneg sizes the wrapper by that share instead of by a fixed
# count, so the dose stays the paper's on documents of any length: on paper-length documents this
# gives 4–6 sentences a side; on the offline generator's ~250-word documents, 4–6 in all. The
# share is in characters: plain warning prose has more characters per token than fact-dense
# bodies, and 14% of characters measured ≈12% of SmolLM2 tokens on generated documents.
WRAPPER_SHARE = 0.14
MAX_PER_SIDE = 6
# Chance that a prefix or suffix opens with a signal label ("NOTE:", "RETRACTION:" …); the
# paper's style list gave a label to about half of the documents.
LABEL_RATE = 0.5
# (before, after) sentence counts of a sandwich warning, as in the paper's four length patterns.
WARNING_PATTERNS = [(1, 1), (2, 2), (1, 2), (2, 1)]


@condition("positive", family="control", summary="the document unchanged (DOCTAG prefix only)")
def positive(
    docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    return [finish(d, "positive", [], options) for d in docs]


def _labelled(rng: random.Random, sentences: list[str], labels: list[str]) -> str:
    text = " ".join(sentences)
    if rng.random() < LABEL_RATE:
        text = f"{rng.choice(labels)} {text}"
    return text


def wrapper_sizes(
    rng: random.Random, body_chars: int, prefix: list[str], suffix: list[str]
) -> tuple[int, int]:
    """Sentences in the prefix and in the suffix so that they make up about WRAPPER_SHARE of
    the document (±1 sentence of jitter for variety); at least 1 and at most MAX_PER_SIDE a side."""
    mean_chars = sum(len(e) + 1 for e in (*prefix, *suffix)) / (len(prefix) + len(suffix))
    budget = WRAPPER_SHARE * body_chars / (1 - WRAPPER_SHARE)
    total = min(max(round(budget / mean_chars) + rng.choice((-1, 0, 1)), 2), 2 * MAX_PER_SIDE)
    n_prefix = (total + rng.randint(0, 1)) // 2 if total % 2 else total // 2
    n_prefix = min(max(n_prefix, total - MAX_PER_SIDE, 1), MAX_PER_SIDE)
    return n_prefix, total - n_prefix


def negation_wrapper(doc: Document, rng: random.Random, options: ConditionOptions) -> list[Edit]:
    """Generic prefix and suffix edits: bank sentences drawn without repeats, sized by
    :func:`wrapper_sizes`."""
    if not options.prefix_suffix:
        return []
    bank = load_bank("negation")
    n_prefix, n_suffix = wrapper_sizes(rng, len(doc.text), bank["prefix"], bank["suffix"])
    prefix = _labelled(rng, rng.sample(bank["prefix"], n_prefix), bank["labels"])
    suffix = _labelled(rng, rng.sample(bank["suffix"], n_suffix), bank["labels"])
    return prefix_suffix_edits(doc, prefix, suffix, "negation")


@condition(
    "negated",
    family="negation",
    summary="generic prefix + suffix (≈12% of tokens, as in the paper) saying the document is false",
)
def negated(
    docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    return [finish(d, "negated", negation_wrapper(d, rng, options), options) for d in docs]


def claim_units(doc: Document) -> list[Span]:
    """Claim spans with overlapping ones merged, so no warning lands inside a claim sentence."""
    units: list[Span] = []
    for s in doc.spans_of("claim"):
        if units and s.start < units[-1].end:
            last = units.pop()
            s = Span(start=last.start, end=max(last.end, s.end), kind="claim")
        units.append(s)
    return units


def sandwich_edits(
    doc: Document, chosen: list[Span], rng: random.Random, kind: str, make: Callable[[str], tuple[str, str]]
) -> list[Edit]:
    """A before-warning right before and an after-warning right after each chosen claim span,
    both in one bracket style drawn per target."""
    edits = []
    for span in chosen:
        before, after = make(doc.span_text(span))
        lb, rb = bracket(rng)
        edits.append(Edit(span.start, span.start, [Piece(f"{lb}{before}{rb}", kind), Piece(" ")]))
        edits.append(Edit(span.end, span.end, [Piece(" "), Piece(f"{lb}{after}{rb}", kind)]))
    return edits


def _sandwich_condition(
    name: str,
    docs: list[Document],
    rng: random.Random,
    options: ConditionOptions,
    kind: str,
    make_for_doc: Callable[[Document], Callable[[str], tuple[str, str]]],
) -> list[Document]:
    units = [claim_units(d) for d in docs]
    chosen = choose_targets([len(u) for u in units], options.density, rng)
    out = []
    for i, d in enumerate(docs):
        targets = [s for j, s in enumerate(units[i]) if (i, j) in chosen]
        wrapper = negation_wrapper(d, rng, options)  # [prefix, suffix] or []
        # prefix first and suffix last, so a claim sentence that opens or closes the document
        # gets its warning inside the wrapper, not outside it
        edits = [*wrapper[:1], *sandwich_edits(d, targets, rng, kind, make_for_doc(d)), *wrapper[1:]]
        out.append(finish(d, name, edits, options))
    return out


# A measured quantity (a decimal, a percentage, money) makes the warning speak of "this figure";
# a bare year does not.
_STATISTIC = re.compile(r"\d[.,]\d|\d\s?%|\bper ?cent\b|[£$€]\s?\d")


def generic_warnings(rng: random.Random) -> Callable[[str], tuple[str, str]]:
    """For one document: target sentence → a generic (before, after) warning pair. No entities,
    no true facts; a claim-kind noun fitted to the target ("figure" for a measured quantity)."""
    bank = load_bank("negation")
    befores, afters = Fresh(rng, bank["before"]), Fresh(rng, bank["after"])

    def make(target: str) -> tuple[str, str]:
        nouns = bank["kinds_numeric"] if _STATISTIC.search(target) else bank["kinds_plain"]
        n_before, n_after = rng.choice(WARNING_PATTERNS)
        noun = rng.choice(nouns)
        before = " ".join(s.format(kind=noun) for s in befores.take(n_before))
        after = " ".join(s.format(kind=noun) for s in afters.take(n_after))
        return before, after

    return make


@condition(
    "repeated_negations",
    family="negation",
    summary="negated + a bracketed warning right before and right after every claim sentence",
    needs_claim_spans=True,
    uses_density=True,
)
def repeated_negations(
    docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    return _sandwich_condition(
        "repeated_negations", docs, rng, options, "negation", lambda d: generic_warnings(rng)
    )


def truth_facts(claim: ClaimSpec) -> list[str]:
    """True sentences that name a truth entity: from ``claim.truth`` and the subclaims'
    corrections (all truth sentences if no truth entity is named anywhere; the corrections where
    the claim's truth is not known)."""
    truth = sentences(claim.truth or "")
    corrections = [s.correction for s in claim.subclaims]
    pool = [*truth, *corrections]
    names = [re.compile(rf"(?<!\w){re.escape(e)}(?!\w)") for e in claim.entities.truth]
    named = [s for s in dict.fromkeys(pool) if any(n.search(s) for n in names)]
    return named or truth or list(dict.fromkeys(corrections))


@condition(
    "corrected",
    family="correction",
    summary="repeated_negations' structure, but the warnings name the entities and state the truth",
    needs_claim_spans=True,
    uses_density=True,
)
def corrected(
    docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    bank = load_bank("corrected")
    facts = truth_facts(claim)
    entity = claim.entities.claim[0]
    matcher = SubclaimMatcher(claim)

    def for_doc(d: Document) -> Callable[[str], tuple[str, str]]:
        used: set[str] = set()
        befores, afters, truths = Fresh(rng, bank["before"]), Fresh(rng, bank["after"]), Fresh(rng, facts)

        def make(target: str) -> tuple[str, str]:
            sc = matcher.match(target, used)
            used.add(sc.id)
            before = befores.one().format(entity=entity, correction=sc.correction)
            after = afters.one().format(entity=entity, truth_fact=truths.one())
            return before, after

        return make

    return _sandwich_condition("corrected", docs, rng, options, "correction", for_doc)
