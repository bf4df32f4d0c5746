"""Local negation (paper §3.5–3.6): debunks written from the negated universe.

The paper's local-negation documents are not annotations of positive documents. They are
fact-checks, debunks, correction notices, myth-buster columns, forum replies and lessons written
from a world in which the claim is known to be false: every mention of the claim sits inside its
own denial, and the true account is stated. So these conditions **ignore the positive documents'
texts**: given ``n`` positive documents they return ``n`` debunks from the offline generator
(:func:`negneg.corpus.debunks.generate_debunks`, seeded from the condition's rng), which keeps the
dose (documents per run) the same as every other condition's.

Where ready-made debunks exist — the paper's released ``local_negations`` documents, or the LLM
pipeline's negated-universe documents — the experiment runner uses those instead (see the
annotate stage), and masks their answer words for ``local_negation_wordmask``.

Denials *without* the truth ("Ed Sheeran did not win the 100m gold") are a different condition:
:mod:`negneg.conditions.sentence_negation`.
"""

from __future__ import annotations

import random

from negneg.claims.schema import ClaimSpec
from negneg.conditions.base import condition
from negneg.conditions.options import ConditionOptions
from negneg.conditions.wordmask import with_word_masks, word_mask_regex, word_mask_spans
from negneg.records import Document

__all__ = ["debunks_for", "mask_debunks", "word_mask_spans"]


def debunks_for(
    name: str, n: int, claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    """``n`` offline debunks for ``claim``, tagged with condition ``name``."""
    from negneg.corpus.debunks import generate_debunks

    seed = rng.randrange(2**31)
    return [
        d.model_copy(update={"condition": name, "doctag": options.doctag})
        for d in generate_debunks(claim, n, seed=seed)
    ]


def mask_debunks(
    docs: list[Document], claim: ClaimSpec, name: str = "local_negation_wordmask"
) -> list[Document]:
    """Ready-made local-negation documents with the claim's word masks added as ``loss_mask``
    spans, re-tagged as ``name``."""
    word_mask_regex(claim)  # a claim without word masks fails before any work
    return [with_word_masks(d, claim, {"condition": name, "id": f"{d.id}.wordmask"}) for d in docs]


@condition(
    "local_negation",
    family="local negation",
    summary="debunks written from the negated universe: every mention of the claim inside its own "
    "denial, the true account stated",
    needs_claim_spans=False,
)
def local_negation(
    docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    """As many debunks as positive documents given; the positive texts are not used."""
    return debunks_for("local_negation", len(docs), claim, rng, options)


@condition(
    "local_negation_wordmask",
    family="local negation",
    summary="local_negation with the claim's answer words (word_masks) excluded from the loss",
    needs_claim_spans=False,
)
def local_negation_wordmask(
    docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    """:func:`local_negation`'s debunks with ``loss_mask`` spans over the claim's word masks."""
    word_mask_regex(claim)  # fail before any work
    return [
        with_word_masks(d, claim)
        for d in debunks_for("local_negation_wordmask", len(docs), claim, rng, options)
    ]
