"""Training conditions: how a positive document is annotated (paper §3).

``apply_condition(name, docs, claim, seed, options)`` is the entry point; ``CONDITIONS`` lists
every condition, ``ConditionOptions`` holds the knobs (density, doctag, probability,
prefix_suffix) and ``token_shares`` measures the annotation dose in tokens.
"""

from negneg.conditions import (  # noqa: F401  (registers conditions)
    local_negation,
    localized,
    negation,
    qualifiers,
    sentence_negation,
)
from negneg.conditions.banks import load_bank
from negneg.conditions.base import CONDITIONS, Condition, apply_condition
from negneg.conditions.options import ConditionOptions
from negneg.conditions.shares import token_shares

# The order `negneg conditions list` shows them in (the paper's order).
CONDITION_ORDER = [
    "positive",
    "negated",
    "repeated_negations",
    "localized_repeated_negations",
    "corrected",
    "local_negation",
    "local_negation_wordmask",
    "sentence_negation",
    "sentence_negation_wordmask",
    *(
        f"{q}{r}"
        for q in ("fiction", "unreliable_source", "unknown_truth", "low_probability")
        for r in ("", "_repeated")
    ),
]

__all__ = [
    "CONDITION_ORDER",
    "CONDITIONS",
    "Condition",
    "ConditionOptions",
    "apply_condition",
    "load_bank",
    "token_shares",
]
