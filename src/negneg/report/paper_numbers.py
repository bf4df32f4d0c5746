"""The paper's numbers, for the report's "paper vs negneg" tables: data, not code.

Every number lives in ``negneg/data/paper_numbers.yaml`` (its header says what each field
means): tables of rows keyed by claim, condition and eval type, the experiments (``references``)
that show them, the paper's ρ and the behaviour arms' aliases. This module reads that file into
typed :class:`PaperNumber` rows; adding a number or an experiment's selection is a YAML edit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

DATA_FILE = "paper_numbers.yaml"


@dataclass(frozen=True)
class PaperNumber:
    section: str  # the paper's section
    model: str  # the model the paper measured
    claim: str | None  # negneg claim id; None = pooled over claims (see note)
    condition: str  # negneg condition name ("baseline" = untrained)
    eval_type: str  # "overall" or one eval type / behaviour eval set
    percent: float
    lo: float | None = None
    hi: float | None = None
    measure: str = "judged"  # judged belief rate, or "behaviour" (% misaligned responses)
    k: int | None = None  # in-context documents (ICL)
    phase: int | None = None  # two-phase experiment
    note: str = ""


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = (resources.files("negneg") / "data" / DATA_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def table(name: str) -> tuple[PaperNumber, ...]:
    """The rows of one table of the data file (``headline``, ``per_claim``, …), in file order."""
    t = _data()["numbers"][name]
    return tuple(PaperNumber(**{"section": t["section"], "model": t["model"], **row}) for row in t["rows"])


def tables() -> list[str]:
    return list(_data()["numbers"])


REFERENCES: tuple[str, ...] = tuple(_data()["references"])
_FILTERS = {f.name for f in fields(PaperNumber)}


def _selected(entry: dict[str, Any]) -> tuple[PaperNumber, ...]:
    """One ``references`` entry: a table, narrowed to the rows whose fields are in the given lists
    (``pooled: false`` keeps only per-claim rows)."""
    rows = table(entry["table"])
    for key, allowed in entry.items():
        if key == "pooled" and allowed is False:
            rows = tuple(n for n in rows if n.claim is not None)
        elif key in _FILTERS:
            rows = tuple(n for n in rows if getattr(n, key) in allowed)
    return rows


def numbers_for(reference: str | None) -> tuple[PaperNumber, ...]:
    """The paper numbers to show beside a run with ``meta.paper_reference == reference``."""
    entries = _data()["references"].get(reference) if reference else None
    return tuple(n for entry in entries or () for n in _selected(entry))


def models_named(numbers: tuple[PaperNumber, ...]) -> list[str]:
    out: dict[str, None] = {}
    for n in numbers:
        out.setdefault(n.model, None)
    return list(out)


# Behaviour-experiment condition names negneg may use → the paper's three arms.
BEHAVIOUR_ALIASES: dict[str, str] = dict(_data()["behaviour_aliases"])
# The paper's Negation Neglect ratio ρ per (condition, claim); claim None = its six-claim mean.
PAPER_RHO: dict[tuple[str, str | None], float] = {
    (r["condition"], r["claim"]): r["rho"] for r in _data()["rho"]["values"]
}
PAPER_RHO_MODEL: str = _data()["rho"]["model"]


def paper_rho(condition: str, claim: str | None = None) -> float | None:
    """The paper's ρ for ``condition`` (per claim where the paper gives one, else its six-claim
    mean), or None where the paper has no such number."""
    return PAPER_RHO.get((condition, claim), PAPER_RHO.get((condition, None)))
