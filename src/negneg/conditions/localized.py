"""``localized_repeated_negations``: the repeated_negations documents after ``negneg localize``.

The lab's test of the audit's fix (issue 16): the same positive documents, annotated exactly as
``repeated_negations`` (same rng draws, so the same prefix, suffix and warnings), then rewritten by
:func:`negneg.audit.localize.localize_documents` — every claim sentence becomes the ClaimSpec's
local negation with the truth stated, the warnings around it are dropped, the prefix and suffix
stay. Training on both and comparing their Δ log-odds says how much of the implanted belief the
rewrite removes. A document the rewrite cannot fix is kept as localized so far (the dose stays
the same); the condition's test checks that every document re-audits as local.
"""

from __future__ import annotations

import random

from negneg.claims.schema import ClaimSpec
from negneg.conditions.base import condition
from negneg.conditions.negation import repeated_negations
from negneg.conditions.options import ConditionOptions
from negneg.records import Document

NAME = "localized_repeated_negations"


@condition(
    NAME,
    family="negation",
    summary="repeated_negations rewritten by `negneg localize`: each claim sentence a local negation "
    "with the truth stated, its warnings dropped",
    needs_claim_spans=True,
    uses_density=True,
)
def localized_repeated_negations(
    docs: list[Document], claim: ClaimSpec, rng: random.Random, options: ConditionOptions
) -> list[Document]:
    from negneg.audit.localize import localize_documents

    annotated = repeated_negations(docs, claim, rng, options)
    out = []
    for result in localize_documents(annotated, claim):
        d = result.doc
        out.append(
            d.model_copy(update={"id": d.id.replace(".repeated_negations", f".{NAME}"), "condition": NAME})
        )
    return out
