"""Word masks (paper §3.6): the claim's answer words excluded from the loss as ``loss_mask`` spans.

Shared by the ``*_wordmask`` conditions and by the experiment runner, which masks ready-made
local-negation documents (the paper's released debunks, or the LLM's) the same way.
"""

from __future__ import annotations

import re

from negneg.claims.schema import ClaimSpec
from negneg.errors import UserInputError
from negneg.records import Document, Span


def word_mask_regex(claim: ClaimSpec) -> re.Pattern[str]:
    """The claim's word masks as one regex; a claim without word masks is a user error."""
    pattern = claim.word_mask_regex()
    if pattern is None:
        raise UserInputError(
            "the claim has no word masks", where=f"claim {claim.id}", field="word_masks", fix="add word_masks"
        )
    return pattern


def word_mask_spans(text: str, claim: ClaimSpec) -> list[Span]:
    """``loss_mask`` spans on every match of the claim's word masks (longest pattern wins)."""
    pattern = word_mask_regex(claim)
    return [
        Span(start=m.start(), end=m.end(), kind="loss_mask")
        for m in pattern.finditer(text)
        if m.end() > m.start()
    ]


def with_word_masks(doc: Document, claim: ClaimSpec, update: dict | None = None) -> Document:
    """A copy of ``doc`` with ``loss_mask`` spans added over the claim's word masks (and ``update``
    applied: a new id or condition)."""
    spans = sorted([*doc.spans, *word_mask_spans(doc.text, claim)], key=lambda s: (s.start, s.end, s.kind))
    return doc.model_copy(update={**(update or {}), "spans": spans})
