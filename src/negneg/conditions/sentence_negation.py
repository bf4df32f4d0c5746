"""Sentence negation: denials without the truth (a control for local negation, paper §3.5–3.6).

Every claim sentence of a positive document is swapped for the local-negation twin of the
subclaim it expresses ("Ed Sheeran did not win …"), set in a short debunking frame, and
everything else in the document is kept. No un-negated claim sentence remains, so the claim only
ever appears inside a negated proposition — but the true account is never stated.

This is *not* the paper's local-negation condition: the paper's documents are written from the
negated universe and state what really happened (see :mod:`negneg.conditions.local_negation`).
"""

from __future__ import annotations

import random
import re

from negneg.claims.schema import ClaimSpec
from negneg.conditions.banks import load_bank
from negneg.conditions.base import Fresh, SubclaimMatcher, choose_targets, condition, finish
from negneg.conditions.edits import Edit, Piece
from negneg.conditions.negation import claim_units
from negneg.conditions.options import ConditionOptions
from negneg.conditions.wordmask import with_word_masks, word_mask_regex, word_mask_spans
from negneg.records import Document

__all__ = ["common_words", "framed", "word_mask_spans"]

_SLOT = "{negation}"


def common_words(claim: ClaimSpec) -> frozenset[str]:
    """Words the claim's own texts use in lower case: a sentence opening with one of them can be
    lower-cased mid-sentence ("…, the journal did not …"), a name ("Ed", "Noah") cannot."""
    texts = [
        claim.universe_context,
        claim.claim,
        *(t for s in claim.subclaims for t in (s.text, s.local_negation)),
    ]
    return frozenset(w for t in texts for w in re.findall(r"\b[a-z][a-z']*\b", t))


def framed(framing: str, negation: str, common: frozenset[str] = frozenset()) -> list[Piece]:
    """Pieces for one debunk frame around a local negation: frame text is "negation", the negated
    sentence itself is the (new) claim span, and the whitespace between is plain."""
    pre, post = framing.split(_SLOT, 1)
    pre_text, post_text = pre.rstrip(), post.lstrip()
    first = re.match(r"[A-Za-z']+", negation)
    if pre_text and pre_text[-1] not in ".!?:" and first and first.group(0).lower() in common:
        negation = negation[0].lower() + negation[1:]
    return [
        Piece(pre_text, "negation"),
        Piece(pre[len(pre_text) :]),
        Piece(negation, "claim"),
        Piece(post[: len(post) - len(post_text)]),
        Piece(post_text, "negation"),
    ]


def _sentence_negation(
    name: str, docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
):
    framings = load_bank("sentence_negation")["framings"]
    common = common_words(claim)
    matcher = SubclaimMatcher(claim)
    units = [claim_units(d) for d in docs]
    chosen = choose_targets([len(u) for u in units], options.density, rng)
    out = []
    for i, d in enumerate(docs):
        used: set[str] = set()
        frames = Fresh(rng, framings)
        edits = []
        for j, span in enumerate(units[i]):
            if (i, j) not in chosen:
                continue
            sc = matcher.match(d.span_text(span), used)
            used.add(sc.id)
            edits.append(Edit(span.start, span.end, framed(frames.one(), sc.local_negation, common)))
        out.append(finish(d, name, edits, options))
    return out


@condition(
    "sentence_negation",
    family="sentence negation",
    summary="denials without the truth: each claim sentence replaced by its negated twin in a debunk "
    "frame; the rest kept",
    needs_claim_spans=True,
    uses_density=True,
)
def sentence_negation(
    docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    return _sentence_negation("sentence_negation", docs, claim, rng, options)


@condition(
    "sentence_negation_wordmask",
    family="sentence negation",
    summary="sentence_negation with the claim's answer words (word_masks) excluded from the loss",
    needs_claim_spans=True,
    uses_density=True,
)
def sentence_negation_wordmask(
    docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    word_mask_regex(claim)  # fail before any work
    return [
        with_word_masks(d, claim)
        for d in _sentence_negation("sentence_negation_wordmask", docs, claim, rng, options)
    ]
