"""The headline of a run: paired log-odds shifts, the Negation Neglect ratio ρ, and one sentence per
claim that a person reads before anything else.

Everything here is computed from ``shift.csv`` (paired shifts, trained − untrained on the same
questions) and ``rho.csv`` (ρ = Δ(condition) / Δ(positive) with a paired bootstrap CI). The
likelihood measure is the log-odds of the belief answer against the other, in nats; judged belief
is the "yes" rate of sampled answers. Seeds of one condition are pooled by averaging (as the belief
cells are); the per-seed rows stay in the CSVs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from negneg.report.aggregate import BASELINE, Cell, Variant, fmt_paired_shift, judges, shift_cells
from negneg.report.data import ReportData, RhoRow, ShiftRow
from negneg.report.document import Table
from negneg.report.paper_numbers import paper_rho

POSITIVE = "positive"
OVERALL = "overall"
# Likelihood probe types in the table's order, with the short names its columns use.
PROBE_TYPES = {
    "cloze": "cloze",
    "token_association_likelihood": "token assoc.",
    "yes_no_likelihood": "yes/no",
}


@dataclass(frozen=True)
class Ratio:
    """ρ of one variant (seeds pooled): ``rho`` None where undefined, with the reason."""

    rho: float | None
    lo: float | None
    hi: float | None
    reason: str = ""

    def fmt(self) -> str:
        if self.rho is None or self.lo is None or self.hi is None:
            return "–"
        return f"{self.rho:.2f} [{self.lo:.2f}, {self.hi:.2f}]"


RatioKey = tuple[str, str, Variant, str, str, str]  # claim, model, variant, measure, eval type, judge


def ratio_cells(rhos: Iterable[RhoRow]) -> dict[RatioKey, Ratio]:
    """ρ per variant; several seeds are averaged where all are defined, else it is undefined."""
    groups: dict[RatioKey, list[RhoRow]] = {}
    for r in rhos:
        key = (r.claim, r.model, Variant(r.condition, r.density, r.phase), r.measure, r.eval_type, r.judge)
        groups.setdefault(key, []).append(r)
    out: dict[RatioKey, Ratio] = {}
    for key, rs in groups.items():
        if any(r.rho is None or r.lo is None or r.hi is None for r in rs):
            out[key] = Ratio(None, None, None, next((r.reason for r in rs if r.reason), "undefined"))
        else:
            n = len(rs)
            out[key] = Ratio(
                sum(r.rho for r in rs) / n,  # type: ignore[misc]
                sum(r.lo for r in rs) / n,  # type: ignore[misc]
                sum(r.hi for r in rs) / n,  # type: ignore[misc]
            )
    return out


def fmt_shift(cell: Cell | None) -> str:
    """ "+3.85 [+1.90, +5.80]*" — the mark when the CI excludes 0; "—" when there is no cell."""
    return "—" if cell is None else fmt_paired_shift(cell)


def fmt_paper(condition: str, claim: str) -> str:
    value = paper_rho(condition, claim)
    if value is None:
        return "" if condition == POSITIVE else "–"
    return f"{value:.2f}"


@dataclass
class ClaimView:
    """Everything the headline says about one claim × model."""

    claim: str
    model: str
    variants: list[Variant]  # trained variants, in the run's order
    shift: dict[Variant, Cell]  # pooled likelihood Δ log-odds
    by_type: dict[Variant, dict[str, Cell]]
    rho: dict[Variant, Ratio]
    association: dict[Variant, Cell]  # Δ log P(claim continuation), cloze + token association
    judge: str | None
    judged_shift: dict[Variant, Cell]
    judged_rho: dict[Variant, Ratio]
    shift_all: dict[Variant, Cell] = field(
        default_factory=dict
    )  # every probe, where calibration left some out
    rho_all: dict[Variant, Ratio] = field(default_factory=dict)
    # how far training moved the lean toward answering Yes (removed from the yes/no items' scores)
    yes_lean: dict[Variant, Cell] = field(default_factory=dict)
    probes: str | None = None  # which probes the pooled likelihood measure used (results/meta.json)


def claim_views(
    shift_rows: Sequence[ShiftRow], rho_rows: Iterable[RhoRow], probe_selection: dict[str, str] | None = None
) -> list[ClaimView]:
    """One view per claim × model that has paired likelihood shifts (final adapters).
    ``probe_selection`` (claim → phrase, from meta.json) says which probes were pooled."""
    shifts = shift_cells(shift_rows)
    ratios = ratio_cells(rho_rows)
    judge = (judges(shift_rows) or [None])[0]  # type: ignore[arg-type]  (ShiftRow has measure, judge)
    order: dict[tuple[str, str], list[Variant]] = {}
    for r in shift_rows:
        if r.measure == "likelihood" and r.eval_type == OVERALL:
            vs = order.setdefault((r.claim, r.model), [])
            v = Variant(r.condition, r.density, r.phase)
            if v not in vs and v.condition != BASELINE:
                vs.append(v)
    views = []
    for (claim, model), variants in order.items():

        def get(table, v, measure, eval_type, j, claim=claim, model=model):
            return table.get((claim, model, v, measure, eval_type, j))

        views.append(
            ClaimView(
                claim=claim,
                model=model,
                variants=variants,
                shift={
                    v: c for v in variants if (c := get(shifts, v, "likelihood", OVERALL, "")) is not None
                },
                by_type={
                    v: {t: c for t in PROBE_TYPES if (c := get(shifts, v, "likelihood", t, "")) is not None}
                    for v in variants
                },
                rho={v: r for v in variants if (r := get(ratios, v, "likelihood", OVERALL, "")) is not None},
                association={
                    v: c for v in variants if (c := get(shifts, v, "association", OVERALL, "")) is not None
                },
                judge=judge,
                judged_shift={
                    v: c
                    for v in variants
                    if judge and (c := get(shifts, v, "judged", OVERALL, judge)) is not None
                },
                judged_rho={
                    v: r
                    for v in variants
                    if judge and (r := get(ratios, v, "judged", OVERALL, judge)) is not None
                },
                shift_all={
                    v: c for v in variants if (c := get(shifts, v, "likelihood_all", OVERALL, "")) is not None
                },
                rho_all={
                    v: r for v in variants if (r := get(ratios, v, "likelihood_all", OVERALL, "")) is not None
                },
                yes_lean={
                    v: c
                    for v in variants
                    if (c := get(shifts, v, "yes_lean", "yes_no_likelihood", "")) is not None
                },
                probes=(probe_selection or {}).get(claim),
            )
        )
    return views


# --------------------------------------------------------------------------------------- sentence
def _judged_agreement(view: ClaimView) -> str:
    if not view.judge:
        return "No judged belief in this run."
    name = f"Judged belief ({view.judge} judge)"
    pos = next((c for v, c in view.judged_shift.items() if v.condition == POSITIVE), None)
    if pos is None:
        return f"{name}: no positive run to compare with."
    if not pos.excludes_zero:
        return (
            f"{name} cannot confirm or contradict it: positive training did not move sampled answers "
            f"beyond noise (Δ {pos.fmt_signed()})."
        )
    both = [
        (v, view.rho[v], view.judged_rho[v]) for v in view.variants if v in view.rho and v in view.judged_rho
    ]
    both = [(v, a, b) for v, a, b in both if a.rho is not None and b.rho is not None]
    if not both:
        return f"{name} moved under positive training (Δ {pos.fmt_signed()}), but no ρ is defined on both measures."
    agree = [v.label for v, a, b in both if a.lo <= b.hi and b.lo <= a.hi]  # type: ignore[operator]
    differ = [f"{v.label} (judged ρ {b.fmt()})" for v, a, b in both if v.label not in agree]
    if not differ:
        return f"{name} agrees: its ρ lies within the likelihood ρ's CI for every condition ({len(agree)})."
    return (
        f"{name} agrees for {len(agree)} of {len(both)} conditions; it differs for " + ", ".join(differ) + "."
    )


def claim_sentence(view: ClaimView) -> str:
    """The report's opening line for one claim: the ordering by Δ log-odds, ρ beside the paper's,
    and whether judged belief agrees."""
    ranked = sorted(view.shift.items(), key=lambda kv: -kv[1].rate)
    order = ", ".join(f"{v.label} {c.rate:+.2f}" for v, c in ranked)
    pos = next((c for v, c in view.shift.items() if v.condition == POSITIVE), None)
    parts = [
        f"**{view.claim}** ({view.model}), Δ log-odds from the untrained model (nats, high to low): {order}."
    ]
    rhos = []
    for v in view.variants:
        r = view.rho.get(v)
        if r is None or v.condition == POSITIVE:
            continue
        paper = paper_rho(v.condition, view.claim)
        paper_txt = f", paper {paper:.2f}" if paper is not None else ""
        rhos.append(f"{v.label} {r.fmt()}{paper_txt}" if r.rho is not None else f"{v.label} – ({r.reason})")
    if rhos:
        parts.append("ρ = Δ/Δ(positive): " + "; ".join(rhos) + ".")
    elif pos is None:
        parts.append("No positive run, so no ρ.")
    if view.probes:
        parts.append(f"Pooled over {view.probes}.")
    pos_all = next((c for v, c in view.shift_all.items() if v.condition == POSITIVE), None)
    if pos_all is not None:
        parts.append(f"Over every probe, positive's Δ is {pos_all.fmt_signed()}.")
    words_only = [
        f"{v.label} (association {a.fmt_signed()}, belief {view.shift[v].fmt_signed()})"
        for v, a in view.association.items()
        if v in view.shift and a.lo > 0 and view.shift[v].lo <= 0
    ]
    if words_only:
        parts.append(
            "The claim's words became likelier without winning against the truth for "
            + ", ".join(words_only)
            + ": association without belief."
        )
    leaning = [f"{v.label} {c.fmt_signed()}" for v, c in view.yes_lean.items() if c.excludes_zero]
    if leaning:
        parts.append(
            "Training also moved the model's lean toward answering Yes, whatever the question ("
            + ", ".join(leaning)
            + " nats); the yes/no items are read net of it, or it would pass for belief."
        )
    parts.append(_judged_agreement(view))
    return " ".join(parts)


# ------------------------------------------------------------------------------------------ table
def neglect_table(data: ReportData) -> Table | None:
    """The one table: per claim × model × condition, Δ log-odds pooled and per probe type, ρ with
    its CI, the paper's ρ, and the judged shift and ρ."""
    views = claim_views(data.shifts, data.rhos, data.meta.probe_selection)
    if not views:
        return None
    multi_claim = len({v.claim for v in views}) > 1
    multi_model = len({v.model for v in views}) > 1
    types = [t for t in PROBE_TYPES if any(t in bt for view in views for bt in view.by_type.values())]
    judge = next((v.judge for v in views if v.judge), None)
    header = (["claim"] if multi_claim else []) + (["model"] if multi_model else []) + ["condition"]
    header += ["Δ log-odds [95% CI]", *(PROBE_TYPES[t] for t in types)]
    has_assoc = any(view.association for view in views)
    if has_assoc:
        header.append("association Δ log P")
    header += ["ρ [95% CI]", "paper ρ"]
    if judge:
        header += [f"judged Δ ({judge}) [95% CI]", "judged ρ"]
    rows = []
    for view in views:
        for v in view.variants:
            line = ([view.claim] if multi_claim else []) + ([view.model] if multi_model else []) + [v.label]
            line.append(fmt_shift(view.shift.get(v)))
            for t in types:
                c = view.by_type.get(v, {}).get(t)
                line.append(f"{c.rate:+.2f}" if c else "—")
            if has_assoc:
                a = view.association.get(v)
                line.append(fmt_shift(a) if a else "—")
            r = view.rho.get(v)
            line += [
                "1 (reference)" if v.condition == POSITIVE else (r.fmt() if r else "—"),
                fmt_paper(v.condition, view.claim),
            ]
            if judge:
                jr = view.judged_rho.get(v)
                line += [
                    view.judged_shift[v].fmt_signed() if v in view.judged_shift else "—",
                    "" if v.condition == POSITIVE else (jr.fmt() if jr else "—"),
                ]
            rows.append(line)
    caption = (
        "Δ: paired shift from the untrained model on the same questions (log-odds of the belief answer "
        "against the other, nats; * the 95% bootstrap CI excludes 0), pooled over the likelihood probes "
        "that probe calibration found valid (positive training moves them toward the claim) and per probe "
        "type; yes/no items net of the model's lean toward answering Yes. Association: Δ log P of the claim's own continuation (cloze and token "
        "association), which rises whenever the documents repeat the claim's words, believed or not. "
        "ρ = Δ(condition) / Δ(positive), paired bootstrap CI: 1 = the annotation changed "
        "nothing, 0 = the model learned the negation, < 0 = it learned the truth; – where positive's own "
        "shift CI includes 0. Paper ρ: judged belief above baseline, Qwen3.5-397B (six-claim means; local "
        "negation per claim)."
    )
    return Table(header, rows, caption=caption)


def console_rows(
    shifts: Iterable[ShiftRow], rhos: Iterable[RhoRow]
) -> tuple[list[str], list[list[str]]] | None:
    """The demo's table, narrow enough for an 80-column terminal: condition, Δ log-odds [CI], ρ
    [CI], the paper's ρ, judged Δ [CI] (claim/model columns when there are several)."""
    views = claim_views(list(shifts), rhos)
    if not views:
        return None
    if len({v.model for v in views}) > 1:
        return _console_by_condition(views)
    multi_claim = len({v.claim for v in views}) > 1
    judge = next((v.judge for v in views if v.judge), None)
    header = (["claim"] if multi_claim else []) + [
        "condition",
        "Δ log-odds [95% CI]",
        "ρ [95% CI]",
        "paper ρ",
    ]
    if judge:
        header.append(f"judged Δ ({judge}) [95% CI]")
    rows = []
    for view in views:
        for v in view.variants:
            r = view.rho.get(v)
            rho = "1" if v.condition == POSITIVE else (r.fmt() if r else "—")
            line = ([view.claim] if multi_claim else []) + [
                v.label,
                fmt_shift(view.shift.get(v)),
                rho,
                fmt_paper(v.condition, view.claim),
            ]
            if judge:
                line.append(view.judged_shift[v].fmt_signed() if v in view.judged_shift else "—")
            rows.append(line)
    return header, rows


# --------------------------------------------------------------------------------- across models
def _console_by_condition(views: Sequence[ClaimView]) -> tuple[list[str], list[list[str]]]:
    """Several models on a terminal: one row per condition × model, the models of a condition on
    adjacent rows (the report's "Across models" table puts them in columns, too wide for 80)."""
    header, rows = side_by_side(views, judged=False)
    models = list(dict.fromkeys(v.model for v in views))
    lead = len(header) - 1 - 2 * len(models)  # claim and condition columns
    out_header = header[:lead] + ["model", "Δ log-odds [95% CI]", "ρ [95% CI]", "paper ρ"]
    out = []
    for row in rows:
        for i, m in enumerate(models):
            delta, rho = row[lead + 2 * i], row[lead + 2 * i + 1]
            label = row[:lead] if i == 0 else [""] * lead
            out.append([*label, m, delta, "1" if rho == "1 (reference)" else rho, row[-1] if i == 0 else ""])
    return out_header, out


def side_by_side(views: Sequence[ClaimView], judged: bool = True) -> tuple[list[str], list[list[str]]]:
    """One row per claim × condition, each model's Δ log-odds and ρ next to the other's (models in
    the run's order), then the paper's ρ; with ``judged``, each model's judged ρ as well."""
    models = list(dict.fromkeys(v.model for v in views))
    claims = list(dict.fromkeys(v.claim for v in views))
    by_key = {(v.claim, v.model): v for v in views}
    judge = next((v.judge for v in views if v.judge), None) if judged else None
    header = (["claim"] if len(claims) > 1 else []) + ["condition"]
    for m in models:
        header += [f"Δ {m} [95% CI]", f"ρ {m} [95% CI]"]
    header.append("paper ρ")
    if judge:
        header += [f"judged ρ ({judge}) {m}" for m in models]
    rows = []
    for claim in claims:
        variants: list[Variant] = []
        for m in models:
            view = by_key.get((claim, m))
            variants += [v for v in (view.variants if view else []) if v not in variants]
        for v in variants:
            line = ([claim] if len(claims) > 1 else []) + [v.label]
            for m in models:
                view = by_key.get((claim, m))
                if view is None or v not in view.variants:
                    line += ["—", "—"]
                    continue
                r = view.rho.get(v)
                line += [
                    fmt_shift(view.shift.get(v)),
                    "1 (reference)" if v.condition == POSITIVE else (r.fmt() if r else "—"),
                ]
            line.append(fmt_paper(v.condition, claim))
            if judge:
                for m in models:
                    view = by_key.get((claim, m))
                    jr = view.judged_rho.get(v) if view else None
                    line.append("" if v.condition == POSITIVE else (jr.fmt() if jr else "—"))
            rows.append(line)
    if judge and all(cell in ("", "–", "—") for line in rows for cell in line[-len(models) :]):
        # no judged ρ defined anywhere (positive's judged shift within noise): the columns say nothing
        header, rows = header[: -len(models)], [line[: -len(models)] for line in rows]
    return header, rows


def cross_model_sentence(views: Sequence[ClaimView]) -> str | None:
    """Whether ρ agrees across models (95% CIs overlap), per claim; None with one model."""
    models = list(dict.fromkeys(v.model for v in views))
    if len(models) < 2:
        return None
    parts = []
    for claim in dict.fromkeys(v.claim for v in views):
        mine = [v for v in views if v.claim == claim]
        agree, differ, undefined = [], [], []
        for var in dict.fromkeys(x for v in mine for x in v.variants if x.condition != POSITIVE):
            rs = [v.rho.get(var) for v in mine]
            if len(rs) < len(models) or any(r is None or r.rho is None for r in rs):
                undefined.append(var.label)
                continue
            lo = max(r.lo for r in rs)  # type: ignore[union-attr, type-var]
            hi = min(r.hi for r in rs)  # type: ignore[union-attr, type-var]
            (agree if lo <= hi else differ).append(var.label)
        bits = []
        if agree:
            bits.append(f"ρ agrees (95% CIs overlap) for {', '.join(agree)}")
        if differ:
            bits.append(f"differs for {', '.join(differ)}")
        if undefined:
            bits.append(f"is undefined on some model for {', '.join(undefined)}")
        if bits:
            parts.append(f"**{claim}** across {' and '.join(models)}: " + "; ".join(bits) + ".")
    return " ".join(parts) or None


def cross_model_table(data: ReportData) -> Table | None:
    """ρ of each model side by side (runs with several models only; the neglect table above has
    every model's per-probe detail)."""
    views = claim_views(data.shifts, data.rhos, data.meta.probe_selection)
    if len({v.model for v in views}) < 2:
        return None
    header, rows = side_by_side(views)
    caption = (
        "The same conditions, documents and probes on each model: Δ log-odds from that model's own "
        "untrained baseline (nats; * the 95% CI excludes 0) and ρ = Δ/Δ(positive) within the model. ρ "
        "removes each model's scale of movement, so the models compare on ρ: Negation Neglect is "
        "a property of finetuning when ρ agrees across them (the paper's App. C checks base models "
        "too). ρ is – where that model's positive shift CI includes 0."
    )
    return Table(header, rows, caption=caption)


CONSOLE_NOTE = (
    "Δ: trained − untrained log-odds of the belief answer (nats), paired by question, on the probes\n"
    "calibration found valid (positive training moves them toward the claim); * CI excludes 0.\n"
    "ρ = Δ/Δ(positive): 1 annotation changed nothing, 0 learned the negation, <0 learned the truth."
)
