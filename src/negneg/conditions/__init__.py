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
from negneg.conditions.base import CONDITIONS, FAMILIES, Condition, apply_condition
from negneg.conditions.options import ConditionOptions
from negneg.conditions.shares import token_shares

# The order `negneg conditions list` shows them in (the paper's): by family, then as registered.
CONDITION_ORDER = sorted(
    CONDITIONS.names(),
    key=lambda n: (FAMILIES.index(CONDITIONS.get(n).family), CONDITIONS.in_order().index(n)),
)

__all__ = [
    "CONDITION_ORDER",
    "CONDITIONS",
    "FAMILIES",
    "Condition",
    "ConditionOptions",
    "apply_condition",
    "load_bank",
    "token_shares",
]
