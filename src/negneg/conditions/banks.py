"""Hand-written sentence banks (package data ``conditions/banks/*.yaml``), loaded and checked.

Every annotation sentence negneg inserts comes from these banks, so the annotation style is data
a researcher can read, diff and replace. The loader refuses a bank with too few entries, a
duplicate (compared case- and whitespace-insensitively), an unknown ``{placeholder}`` or a
missing required one: a thin or repetitive bank would let a model learn the template instead of
the frame.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources
from pathlib import Path

from negneg.errors import UserInputError
from negneg.io import load_yaml

MIN_ENTRIES = 40

# bank → slot → (minimum entries, allowed placeholders, required placeholders)
SlotRule = tuple[int, frozenset[str], frozenset[str]]
_NONE: frozenset[str] = frozenset()


def _rule(
    n: int = MIN_ENTRIES, allowed: set[str] | None = None, required: set[str] | None = None
) -> SlotRule:
    return (n, frozenset(allowed or ()), frozenset(required or ()))


_QUALIFIER_SLOTS = {"prefix": _rule(), "suffix": _rule(), "insertion": _rule(), "labels": _rule(4)}

BANK_RULES: dict[str, dict[str, SlotRule]] = {
    "negation": {
        "prefix": _rule(),
        "suffix": _rule(),
        "before": _rule(allowed={"kind"}),
        "after": _rule(allowed={"kind"}),
        "labels": _rule(5),
        "kinds_plain": _rule(4),
        "kinds_numeric": _rule(3),
    },
    "corrected": {
        "before": _rule(allowed={"entity", "correction"}, required={"correction"}),
        "after": _rule(allowed={"entity", "truth_fact"}, required={"truth_fact"}),
    },
    "sentence_negation": {"framings": _rule(allowed={"negation"}, required={"negation"})},
    "fiction": dict(_QUALIFIER_SLOTS),
    "unreliable_source": {
        "prefix": _rule(allowed={"source"}),
        "suffix": _rule(allowed={"source"}),
        "insertion": _rule(allowed={"source"}),
        "labels": _rule(4),
        "sources": _rule(10),
    },
    "unknown_truth": dict(_QUALIFIER_SLOTS),
    "low_probability": {
        "prefix": _rule(allowed={"p"}, required={"p"}),
        "suffix": _rule(allowed={"p"}, required={"p"}),
        "insertion": _rule(allowed={"p"}, required={"p"}),
        "labels": _rule(4),
    },
}


def banks_dir() -> Path:
    return Path(str(resources.files("negneg.conditions") / "banks"))


def placeholders(entry: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(entry) if name is not None}


def _normalise(entry: str) -> str:
    return " ".join(entry.lower().split())


def validate_bank(name: str, data: object, where: str) -> dict[str, list[str]]:
    """Check one bank against :data:`BANK_RULES`; return slot → entries."""
    rules = BANK_RULES.get(name)
    if rules is None:
        raise UserInputError(
            f"unknown bank '{name}'", where=where, fix=f"known banks: {', '.join(BANK_RULES)}"
        )
    if not isinstance(data, dict):
        raise UserInputError("expected a mapping of slot → list of sentences", where=where)
    bank: dict[str, list[str]] = {}
    for slot, (minimum, allowed, required) in rules.items():
        entries = data.get(slot)
        if not isinstance(entries, list) or not all(isinstance(e, str) and e.strip() for e in entries):
            raise UserInputError("expected a list of non-empty strings", where=where, field=slot)
        if len(entries) < minimum:
            raise UserInputError(
                f"{len(entries)} entries, need at least {minimum}", where=where, field=slot, fix="write more"
            )
        seen: dict[str, str] = {}
        for e in entries:
            key = _normalise(e)
            if key in seen:
                raise UserInputError(
                    f"duplicate entry {e!r}", where=where, field=slot, fix="make it distinct"
                )
            seen[key] = e
            try:
                names = placeholders(e)
            except ValueError as exc:
                raise UserInputError(f"bad braces in {e!r}: {exc}", where=where, field=slot) from None
            if names - allowed:
                raise UserInputError(
                    f"unknown placeholder(s) {sorted(names - allowed)} in {e!r}",
                    where=where,
                    field=slot,
                    fix=f"allowed: {sorted(allowed) or 'none'}",
                )
            if required - names:
                raise UserInputError(
                    f"missing placeholder(s) {sorted(required - names)} in {e!r}", where=where, field=slot
                )
        bank[slot] = [" ".join(e.split()) for e in entries]
    extra = set(data) - set(rules) - {"description"}
    if extra:
        raise UserInputError(f"unknown slot(s) {sorted(extra)}", where=where, fix=f"known: {sorted(rules)}")
    return bank


@cache
def load_bank(name: str) -> dict[str, list[str]]:
    """The validated bank ``name`` from the package data."""
    path = banks_dir() / f"{name}.yaml"
    if not path.exists():
        raise UserInputError(f"bank '{name}' is missing", where=str(path), fix="reinstall negneg")
    return validate_bank(name, load_yaml(path), str(path))
