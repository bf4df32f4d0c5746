"""Belief rows → cells: one belief value per claim × model × variant × measure × eval type × judge.

A *variant* is a condition plus what distinguishes its runs (density, phase, in-context K), so a
dose-response sweep or a two-phase run shows each arm separately. Seeds of the same cell are
pooled: the rate is the mean over seeds and the CI bounds are the means of the per-seed bounds (a
simple, slightly conservative summary; the per-seed rows stay in belief.csv).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from negneg.report.data import BeliefRow, ShiftRow

BASELINE = "baseline"
ICL = "icl"
JUDGE_PREFERENCE = ("llm", "rule")


@dataclass(frozen=True, order=True)
class Variant:
    condition: str
    density: float | None = None
    phase: int | None = None
    k: int | None = None

    @property
    def label(self) -> str:
        parts = [self.condition]
        if self.k is not None:
            parts.append(f"K={self.k}")
        if self.density is not None:
            parts.append(f"density {self.density:g}")
        if self.phase is not None:
            parts.append(f"phase {self.phase}")
        return " · ".join(parts)

    @property
    def is_baseline(self) -> bool:
        return self.condition == BASELINE


@dataclass(frozen=True)
class Cell:
    rate: float
    lo: float
    hi: float
    n: int
    seeds: int = 1

    def fmt(self, digits: int = 2) -> str:
        return f"{self.rate:.{digits}f} [{self.lo:.{digits}f}, {self.hi:.{digits}f}]"

    def fmt_signed(self) -> str:
        """A shift with its CI: "+0.05 [+0.01, +0.10]"."""
        return f"{self.rate:+.2f} [{self.lo:+.2f}, {self.hi:+.2f}]"

    @property
    def excludes_zero(self) -> bool:
        return self.lo > 0 or self.hi < 0

    def overlaps(self, other: Cell) -> bool:
        """Whether the two 95% CIs overlap (the report's test for "separates or not")."""
        return self.lo <= other.hi and other.lo <= self.hi


# Marks a value whose 95% CI excludes 0 (a paired shift) or misses the baseline's CI.
SEPARATE_MARK = "*"


def fmt_paired_shift(cell: Cell) -> str:
    """A paired shift with its sign, marked where its CI excludes 0."""
    return cell.fmt_signed() + (SEPARATE_MARK if cell.excludes_zero else "")


@dataclass(frozen=True)
class CellKey:
    claim: str
    model: str
    variant: Variant
    measure: str
    eval_type: str
    judge: str
    step: int | None = None


def variant_of(row: BeliefRow) -> Variant:
    return Variant(row.condition, row.density, row.phase, row.k if row.condition == ICL else None)


def build_cells(rows: Iterable[BeliefRow]) -> dict[CellKey, Cell]:
    groups: dict[CellKey, list[BeliefRow]] = {}
    for r in rows:
        key = CellKey(r.claim, r.model, variant_of(r), r.measure, r.eval_type, r.judge, r.step)
        groups.setdefault(key, []).append(r)
    cells: dict[CellKey, Cell] = {}
    for key, rs in groups.items():
        m = len(rs)
        cells[key] = Cell(
            rate=sum(r.rate for r in rs) / m,
            lo=sum(r.lo for r in rs) / m,
            hi=sum(r.hi for r in rs) / m,
            n=max(r.n for r in rs),
            seeds=len({(r.run, r.seed) for r in rs}),
        )
    return cells


def _none_first(value):
    return (value is not None, value if value is not None else 0)


def ordered_variants(rows: Iterable[BeliefRow]) -> list[Variant]:
    """Baseline first, then conditions in the order they first appear in the data; a condition's
    variants by phase, density and K."""
    cond_order: dict[str, int] = {}
    variants: set[Variant] = set()
    for r in rows:
        cond_order.setdefault(r.condition, len(cond_order))
        variants.add(variant_of(r))

    def key(v: Variant):
        return (
            not v.is_baseline,
            cond_order[v.condition],
            _none_first(v.phase),
            _none_first(v.density),
            _none_first(v.k),
        )

    return sorted(variants, key=key)


def claim_models(
    rows: Iterable[BeliefRow], measures: tuple[str, ...] = ("likelihood", "judged")
) -> list[tuple[str, str]]:
    """(claim, model) pairs in order of appearance, restricted to rows of the given measures."""
    seen: dict[tuple[str, str], None] = {}
    for r in rows:
        if r.measure in measures:
            seen.setdefault((r.claim, r.model), None)
    return list(seen)


def judges(rows: Iterable[BeliefRow], measure: str = "judged") -> list[str]:
    """Judges present for a measure, preferred first (llm, rule, then any other)."""
    present = {r.judge for r in rows if r.measure == measure}
    ordered = [j for j in JUDGE_PREFERENCE if j in present]
    return ordered + sorted(present - set(ordered))


def measure_keys(rows: list[BeliefRow]) -> list[tuple[str, str]]:
    """(measure, judge) columns of the main table: likelihood, then judged per judge."""
    out: list[tuple[str, str]] = []
    if any(r.measure == "likelihood" for r in rows):
        out.append(("likelihood", ""))
    out.extend(("judged", j) for j in judges(rows))
    return out


def measure_name(measure: str, judge: str) -> str:
    return f"{measure} ({judge} judge)" if judge else measure


def baseline_cell(cells: dict[CellKey, Cell], key: CellKey) -> Cell | None:
    """The untrained model's cell matching ``key`` (same claim, model, measure, eval type, judge)."""
    return cells.get(
        CellKey(key.claim, key.model, Variant(BASELINE), key.measure, key.eval_type, key.judge, None)
    )


ShiftKey = tuple[str, str, Variant, str, str, str]  # claim, model, variant, measure, eval type, judge


def shift_cells(shifts: Iterable[ShiftRow]) -> dict[ShiftKey, Cell]:
    """Paired-shift cells; seeds of one variant are pooled like belief cells (means)."""
    groups: dict[ShiftKey, list[ShiftRow]] = {}
    for r in shifts:
        key = (r.claim, r.model, Variant(r.condition, r.density, r.phase), r.measure, r.eval_type, r.judge)
        groups.setdefault(key, []).append(r)
    return {
        k: Cell(
            rate=sum(r.shift for r in rs) / len(rs),
            lo=sum(r.lo for r in rs) / len(rs),
            hi=sum(r.hi for r in rs) / len(rs),
            n=max(r.n for r in rs),
            seeds=len(rs),
        )
        for k, rs in groups.items()
    }
