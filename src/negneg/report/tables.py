"""Tables: the main belief table (Markdown, rich, CSV), per eval type, extras, paper comparison.

The compact main table (:func:`belief_table_markdown`, :func:`belief_table_rich`) takes belief rows
as :class:`BeliefRow` objects or as plain dicts with belief.csv's columns, so the runner can print
it at the end of ``make demo`` from the rows it has just written, without reading files back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table as RichTable

from negneg.io import atomic_write_text
from negneg.report.aggregate import (
    SEPARATE_MARK,
    Cell,
    CellKey,
    Variant,
    baseline_cell,
    build_cells,
    claim_models,
    fmt_paired_shift,
    judges,
    measure_keys,
    measure_name,
    ordered_variants,
    shift_cells,
)
from negneg.report.comparison import ComparisonRow
from negneg.report.data import BeliefRow, ExtraRow, RhoRow, ShiftRow, _belief, _rho, _shift
from negneg.report.document import Table

SEPARATE_NOTE = f"{SEPARATE_MARK} the 95% CI does not overlap the untrained baseline's."
PAIRED_NOTE = (
    "shift: trained − untrained on the same questions, with the 95% bootstrap CI of the paired "
    f"differences; {SEPARATE_MARK} that CI excludes 0."
)


def coerce_rows(rows: Iterable[BeliefRow | Mapping[str, Any]]) -> list[BeliefRow]:
    """BeliefRow objects, from BeliefRow objects or dicts with belief.csv's columns."""
    out: list[BeliefRow] = []
    for r in rows:
        if isinstance(r, BeliefRow):
            out.append(r)
        else:
            text = {k: "" if v is None else str(v) for k, v in r.items()}
            for col in ("density", "phase", "step", "judge", "seed", "lo", "hi", "n", "run"):
                text.setdefault(col, "")
            out.append(_belief(text))
    return out


def fmt_shift(cell: Cell | None, base: Cell | None) -> str:
    if cell is None or base is None:
        return ""
    mark = "" if cell.overlaps(base) else SEPARATE_MARK
    return f"{cell.rate - base.rate:+.2f}{mark}"


def _final_overall(cells: dict[CellKey, Cell], claim: str, model: str, v: Variant, measure: str, judge: str):
    key = CellKey(claim, model, v, measure, "overall", judge, None)
    cell = cells.get(key)
    return cell, (None if v.is_baseline else baseline_cell(cells, key))


def main_table_rows(
    rows: list[BeliefRow], *, compact: bool = False, shifts: Iterable[ShiftRow] = ()
) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per claim × model × condition variant (final adapters); per measure
    the belief [95% CI] and the shift from the untrained baseline — the paired shift with its CI
    where ``shifts`` has it, else the difference of the two rates. ``compact`` keeps one judged
    column (the preferred judge: llm over rule)."""
    cells = build_cells(rows)
    paired = shift_cells(shifts)
    keys = measure_keys(rows)
    if compact:
        keys = [k for k in keys if k[0] == "likelihood"] + [k for k in keys if k[0] == "judged"][:1]
    pairs = claim_models(rows)
    multi_claim = len({c for c, _ in pairs}) > 1
    multi_model = len({m for _, m in pairs}) > 1
    header = (["claim"] if multi_claim else []) + (["model"] if multi_model else []) + ["condition"]
    for measure, judge in keys:
        name = (f"{measure} ({judge})" if judge else measure) if compact else measure_name(measure, judge)
        if measure == "likelihood":
            name = "likelihood log-odds"  # mean log-odds of the belief answer, nats
        header += [f"{name} [95% CI]", "shift"]
    body: list[list[str]] = []
    variants = ordered_variants(r for r in rows if r.measure in ("likelihood", "judged"))
    for claim, model in pairs:
        for v in variants:
            found = [_final_overall(cells, claim, model, v, m, j) for m, j in keys]
            if all(c is None for c, _ in found):
                continue
            line = ([claim] if multi_claim else []) + ([model] if multi_model else []) + [v.label]
            for (cell, base), (measure, judge) in zip(found, keys, strict=True):
                pc = paired.get((claim, model, v, measure, "overall", judge))
                line += [cell.fmt() if cell else "—", fmt_paired_shift(pc) if pc else fmt_shift(cell, base)]
            body.append(line)
    return header, body


def coerce_shifts(shifts: Iterable[ShiftRow | Mapping[str, Any]]) -> list[ShiftRow]:
    """ShiftRow objects, from ShiftRow objects or dicts with shift.csv's columns."""
    out: list[ShiftRow] = []
    for r in shifts:
        if isinstance(r, ShiftRow):
            out.append(r)
        else:
            out.append(_shift({k: "" if v is None else str(v) for k, v in r.items()}))
    return out


def table_note(shifts: Iterable[Any]) -> str:
    return PAIRED_NOTE if any(True for _ in shifts) else SEPARATE_NOTE


def belief_table_markdown(
    rows: Iterable[BeliefRow | Mapping[str, Any]], shifts: Iterable[ShiftRow | Mapping[str, Any]] = ()
) -> str:
    """The compact main table as Markdown: condition, likelihood belief [CI], shift, judged belief
    [CI], shift (with claim/model columns when there are several)."""
    sh = coerce_shifts(shifts)
    header, body = main_table_rows(coerce_rows(rows), compact=True, shifts=sh)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(line) + " |" for line in body]
    return "\n".join(lines) + f"\n\n{table_note(sh)}\n"


def belief_table_rich(
    rows: Iterable[BeliefRow | Mapping[str, Any]],
    title: str | None = None,
    shifts: Iterable[ShiftRow | Mapping[str, Any]] = (),
) -> RichTable:
    """The compact main table as a rich Table, for the console: each value over its CI, so six
    conditions with two measures and paired shifts fit an 80-column terminal."""
    sh = coerce_shifts(shifts)
    header, body = main_table_rows(coerce_rows(rows), compact=True, shifts=sh)
    return _console_table(header, body, title=title, caption=table_note(sh))


def coerce_rhos(rhos: Iterable[RhoRow | Mapping[str, Any]]) -> list[RhoRow]:
    """RhoRow objects, from RhoRow objects or dicts with rho.csv's columns."""
    return [
        r if isinstance(r, RhoRow) else _rho({k: "" if v is None else str(v) for k, v in r.items()})
        for r in rhos
    ]


def console_tables(
    rows: Iterable[BeliefRow | Mapping[str, Any]],
    title: str,
    shifts: Iterable[ShiftRow | Mapping[str, Any]] = (),
    rhos: Iterable[RhoRow | Mapping[str, Any]] = (),
) -> list[RichTable]:
    """What a finished run prints: the Negation Neglect table (Δ log-odds, ρ, the paper's ρ, judged
    Δ) where the run has paired shifts, else the belief table; the behaviour table where there are
    behaviour rows (a negated-behaviours run has only those)."""
    from negneg.report.neglect import CONSOLE_NOTE, console_rows

    rs = coerce_rows(rows)
    sh = coerce_shifts(shifts)
    out: list[RichTable] = []
    neglect = console_rows(sh, coerce_rhos(rhos))
    if neglect is not None:
        out.append(_console_table(*neglect, title=title, caption=CONSOLE_NOTE))
    elif any(r.measure in ("likelihood", "judged") for r in rs):
        out.append(belief_table_rich(rs, title=title, shifts=sh))
    beh = behaviour_table(rs)
    if beh is not None:
        out.append(_console_table(beh.header, beh.rows, title=beh.caption))
    return out


def _console_table(
    header: list[str], body: list[list[str]], title: str | None, caption: str | None = None
) -> RichTable:
    """A borderless rich table with each value over its CI; label columns may wrap, numbers never."""
    table = RichTable(title=title, caption=caption, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name in header:
        label = name.replace(" [95% CI]", "")
        text_column = label in ("claim", "model", "condition")  # "repeated_negations · phase 1"
        table.add_column(
            label, no_wrap=not text_column, overflow="fold", min_width=8 if text_column else None
        )
    for line in body:
        table.add_row(*(_value_over_ci(cell) for cell in line))
    return table


def _value_over_ci(text: str) -> str:
    """ "0.65 [0.51, 0.78]" → "0.65\n[0.51,0.78]"; a trailing mark stays with the value."""
    if " [" not in text:
        return text
    value, ci = text.split(" [", 1)
    mark = SEPARATE_MARK if ci.endswith(SEPARATE_MARK) else ""
    return f"{value}{mark}\n[{ci.rstrip(SEPARATE_MARK).replace(', ', ',')}"


def main_table(rows: list[BeliefRow], shifts: list[ShiftRow] | None = None) -> Table:
    header, body = main_table_rows(rows, shifts=shifts or ())
    return Table(
        header, body, caption=f"Belief by condition (overall, final adapter). {table_note(shifts or [])}"
    )


def eval_type_tables(rows: list[BeliefRow]) -> list[Table]:
    """Per measure: rows claim × model × condition, columns the eval types (final adapters)."""
    cells = build_cells(rows)
    tables: list[Table] = []
    pairs = claim_models(rows)
    variants = ordered_variants(r for r in rows if r.measure in ("likelihood", "judged"))
    for measure, judge in measure_keys(rows):
        types = list(dict.fromkeys(r.eval_type for r in rows if r.measure == measure and r.judge == judge))
        types = [t for t in types if t != "overall"] + (["overall"] if "overall" in types else [])
        body: list[list[str]] = []
        for claim, model in pairs:
            for v in variants:
                found = [cells.get(CellKey(claim, model, v, measure, t, judge, None)) for t in types]
                if any(found):
                    body.append([claim, model, v.label] + [c.fmt() if c else "—" for c in found])
        if body:
            tables.append(
                Table(
                    ["claim", "model", "condition"] + types,
                    body,
                    caption=f"{measure_name(measure, judge)} by eval type",
                )
            )
    return tables


def behaviour_table(rows: list[BeliefRow]) -> Table | None:
    beh = [r for r in rows if r.measure == "behaviour" and r.step is None]
    if not beh:
        return None
    cells = build_cells(beh)
    judge = judges(beh, "behaviour")[0]
    types = list(dict.fromkeys(r.eval_type for r in beh))
    types = [t for t in types if t != "overall"] + (["overall"] if "overall" in types else [])
    body: list[list[str]] = []
    for claim, model in claim_models(beh, ("behaviour",)):
        for v in ordered_variants(beh):
            found = [cells.get(CellKey(claim, model, v, "behaviour", t, judge, None)) for t in types]
            if any(found):
                body.append([model, v.label] + [c.fmt() if c else "—" for c in found])
    return Table(
        ["model", "condition"] + types,
        body,
        caption=f"Share of responses showing the behaviour ({judge} judge)",
    )


def extras_table(extras: list[ExtraRow], condition_order: list[str]) -> Table | None:
    """model × condition rows, one column per metric (mean over runs)."""
    if not extras:
        return None
    metrics = list(dict.fromkeys(e.metric for e in extras))
    groups: dict[tuple[str, str], dict[str, list[float]]] = {}
    for e in extras:
        groups.setdefault((e.model, e.condition), {}).setdefault(e.metric, []).append(e.value)
    order = {c: i for i, c in enumerate(condition_order)}
    keys = sorted(groups, key=lambda mc: (mc[0], mc[1] != "baseline", order.get(mc[1], len(order)), mc[1]))
    body = []
    for model, cond in keys:
        vals = groups[(model, cond)]
        body.append(
            [model, cond] + [f"{sum(vals[m]) / len(vals[m]):.3g}" if m in vals else "—" for m in metrics]
        )
    return Table(["model", "condition"] + metrics, body, caption="Extras (mean over runs)")


def _pct(cell: Cell | None) -> str:
    if cell is None:
        return "—"
    return f"{100 * cell.rate:.1f} [{100 * cell.lo:.1f}, {100 * cell.hi:.1f}]"


def comparison_table(rows: list[ComparisonRow]) -> Table:
    body = []
    for r in rows:
        p = r.paper
        paper = f"{p.percent:g}" + (f" [{p.lo:g}, {p.hi:g}]" if p.lo is not None and p.hi is not None else "")
        cond = (
            p.condition + (f" K={p.k}" if p.k is not None else "") + (f" phase {p.phase}" if p.phase else "")
        )
        body.append(
            [
                p.section,
                p.claim or "pooled",
                cond,
                p.eval_type,
                f"{paper} ({p.model})",
                f"{_pct(r.judged)} ({r.model}" + (f", {r.judge} judge)" if r.judge else ")"),
                r.likelihood.fmt() if r.likelihood else "—",
                ", ".join(r.claims),
                p.note,
            ]
        )
    header = [
        "spec §",
        "claim",
        "condition",
        "eval type",
        "paper % (model)",
        "negneg judged % (model)",
        "negneg likelihood (mean log-odds, nats)",
        "negneg claims",
        "note",
    ]
    return Table(header, body, caption="The paper's numbers beside this run's (percent; 95% CI where known)")


def _csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _opt(value: Any) -> Any:
    return "" if value is None else value


def write_belief_csvs(rows: list[BeliefRow], out_dir: Path, shifts: Iterable[ShiftRow] = ()) -> list[Path]:
    """belief_by_condition.csv (overall) and belief_by_eval_type.csv (all eval types), final adapters;
    the paired shift and its CI where the run computed one (shift.csv)."""
    cells = build_cells(rows)
    paired = shift_cells(shifts)
    header = [
        "claim",
        "model",
        "condition",
        "density",
        "phase",
        "k",
        "measure",
        "judge",
        "eval_type",
        "rate",
        "lo",
        "hi",
        "n",
        "seeds",
        "baseline_rate",
        "shift",
        "ci_apart_from_baseline",
        "paired_shift",
        "paired_lo",
        "paired_hi",
    ]
    order = {v: i for i, v in enumerate(ordered_variants(rows))}
    finals = sorted(
        (k for k in cells if k.step is None),
        key=lambda k: (k.claim, k.model, k.measure, k.judge, order[k.variant], k.eval_type),
    )
    lines = []
    for k in finals:
        c = cells[k]
        base = None if k.variant.is_baseline else baseline_cell(cells, k)
        v = k.variant
        lines.append(
            [
                k.claim,
                k.model,
                v.condition,
                _opt(v.density),
                _opt(v.phase),
                _opt(v.k),
                k.measure,
                k.judge,
                k.eval_type,
            ]
            + [f"{c.rate:.4f}", f"{c.lo:.4f}", f"{c.hi:.4f}", c.n, c.seeds]
            + (
                [f"{base.rate:.4f}", f"{c.rate - base.rate:+.4f}", str(not c.overlaps(base)).lower()]
                if base
                else ["", "", ""]
            )
            + _paired_cols(paired.get((k.claim, k.model, v, k.measure, k.eval_type, k.judge)))
        )
    overall = [line for line in lines if line[8] == "overall"]
    by_condition = atomic_write_text(out_dir / "belief_by_condition.csv", _csv_text(header, overall))
    by_type = atomic_write_text(out_dir / "belief_by_eval_type.csv", _csv_text(header, lines))
    return [by_condition, by_type]


def _paired_cols(cell: Cell | None) -> list[str]:
    return [f"{cell.rate:+.4f}", f"{cell.lo:+.4f}", f"{cell.hi:+.4f}"] if cell else ["", "", ""]


def write_neglect_csv(table: Table, out_dir: Path) -> Path:
    """neglect.csv: the report's headline table as printed (Δ log-odds, ρ, paper ρ, judged)."""
    return atomic_write_text(out_dir / "neglect.csv", _csv_text(table.header, table.rows))


def write_comparison_csv(rows: list[ComparisonRow], out_dir: Path) -> Path:
    header = [
        "section",
        "paper_model",
        "claim",
        "condition",
        "k",
        "phase",
        "eval_type",
        "measure",
        "paper_percent",
        "paper_lo",
        "paper_hi",
        "negneg_model",
        "negneg_judge",
        "negneg_claims",
        "negneg_judged_percent",
        "negneg_judged_lo",
        "negneg_judged_hi",
        "negneg_likelihood_log_odds",
        "negneg_likelihood_lo",
        "negneg_likelihood_hi",
        "note",
    ]

    def pct(cell: Cell | None) -> list[str]:
        return [f"{100 * x:.2f}" for x in (cell.rate, cell.lo, cell.hi)] if cell else ["", "", ""]

    body = []
    for r in rows:
        p = r.paper
        body.append(
            [p.section, p.model, p.claim or "", p.condition, _opt(p.k), _opt(p.phase), p.eval_type, p.measure]
            + [p.percent, _opt(p.lo), _opt(p.hi), r.model, r.judge, " ".join(r.claims)]
            + pct(r.judged)
            + (
                [f"{x:.4f}" for x in (r.likelihood.rate, r.likelihood.lo, r.likelihood.hi)]
                if r.likelihood
                else ["", "", ""]
            )
            + [p.note]
        )
    return atomic_write_text(out_dir / "paper_comparison.csv", _csv_text(header, body))
