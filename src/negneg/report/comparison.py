"""The paper's numbers beside negneg's: one row per paper number that this run can be compared with.

A paper number matches negneg cells of the same condition, eval type (and K, phase) on the final
adapter. A per-claim number matches that claim; a pooled number (claim None) is compared with the
mean over the claims this run has. Paper numbers are judged belief (or % misaligned behaviour), so
they sit beside negneg's judged cells; negneg's likelihood belief (mean log-odds, nats — not a
percentage) is shown too for overall rows, since it is the measure that works at 135M. The like-for-like
comparison with the paper is ρ, in the headline table (:mod:`negneg.report.neglect`).
"""

from __future__ import annotations

from dataclasses import dataclass

from negneg.report.aggregate import Cell, CellKey, Variant, judges
from negneg.report.data import ReportData
from negneg.report.paper_numbers import BEHAVIOUR_ALIASES, PaperNumber, numbers_for


@dataclass(frozen=True)
class ComparisonRow:
    paper: PaperNumber
    model: str  # negneg model
    claims: tuple[str, ...]  # negneg claims pooled into the negneg values
    judge: str  # the judge of the judged (or behaviour) cell
    judged: Cell | None  # judged (or behaviour) cell, in 0–1
    likelihood: Cell | None


def _mean_cell(cells: list[Cell]) -> Cell | None:
    if not cells:
        return None
    m = len(cells)
    return Cell(
        rate=sum(c.rate for c in cells) / m,
        lo=sum(c.lo for c in cells) / m,
        hi=sum(c.hi for c in cells) / m,
        n=sum(c.n for c in cells),
        seeds=min(c.seeds for c in cells),
    )


def _variant_matches(v: Variant, p: PaperNumber, measure: str) -> bool:
    if measure == "behaviour":
        if BEHAVIOUR_ALIASES.get(v.condition, v.condition) != p.condition:
            return False
    elif v.condition != p.condition:
        return False
    if p.k is not None and v.k != p.k:
        return False
    if p.phase is not None and v.phase != p.phase:
        return False
    if p.phase is None and v.phase is not None:
        return False
    # The paper's conditions annotate every document: a density sweep matches at density 1.
    return v.density is None or v.density == 1.0


def _find(
    cells: dict[CellKey, Cell],
    p: PaperNumber,
    model: str,
    claim: str | None,
    measure: str,
    judge: str,
    eval_type: str,
) -> tuple[Cell | None, tuple[str, ...]]:
    found: dict[str, Cell] = {}
    for key, cell in cells.items():
        if key.step is not None or key.model != model or key.measure != measure or key.judge != judge:
            continue
        if key.eval_type != eval_type or (claim is not None and key.claim != claim):
            continue
        if _variant_matches(key.variant, p, measure):
            found.setdefault(key.claim, cell)
    claims = tuple(sorted(found))
    return _mean_cell([found[c] for c in claims]), claims


def compare(data: ReportData, cells: dict[CellKey, Cell]) -> list[ComparisonRow]:
    """Rows for ``meta.paper_reference``; empty when it names no paper experiment or nothing matches."""
    numbers = numbers_for(data.meta.paper_reference)
    if not numbers:
        return []
    models = list(dict.fromkeys(r.model for r in data.belief))
    judged_judge = (judges(data.belief) or [""])[0]
    behaviour_judge = (judges(data.belief, "behaviour") or [""])[0]
    rows: list[ComparisonRow] = []
    for p in numbers:
        for model in models:
            if p.measure == "behaviour":
                judge = behaviour_judge
                judged, claims = _find(cells, p, model, None, "behaviour", judge, p.eval_type)
                likelihood = None
            else:
                judge = judged_judge
                judged, claims = _find(cells, p, model, p.claim, "judged", judge, p.eval_type)
                likelihood, lclaims = (
                    _find(cells, p, model, p.claim, "likelihood", "", "overall")
                    if p.eval_type == "overall"
                    else (None, ())
                )
                claims = claims or lclaims
            if judged is not None or likelihood is not None:
                rows.append(ComparisonRow(p, model, claims, judge, judged, likelihood))
    return _drop_redundant_pooled(rows)


def _drop_redundant_pooled(rows: list[ComparisonRow]) -> list[ComparisonRow]:
    """Pooled per-eval-type rows add nothing where a per-claim paper number for the same condition
    and eval type is already shown; the pooled overall (headline) rows always stay."""
    specific = {(r.paper.condition, r.paper.eval_type, r.model) for r in rows if r.paper.claim is not None}
    return [
        r
        for r in rows
        if r.paper.claim is not None
        or r.paper.eval_type == "overall"
        or (r.paper.condition, r.paper.eval_type, r.model) not in specific
    ]
