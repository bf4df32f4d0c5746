"""The "What this run shows" section: every sentence computed from this run's numbers.

It opens with one sentence per claim, on the log-odds measure (:mod:`negneg.report.neglect`): the
paired shifts from the untrained model, ρ = Δ/Δ(positive) with its CI beside the paper's, and
whether judged belief agrees. What follows (two-phase, dose-response, behaviours, extras) compares
cells by the overlap of their 95% bootstrap CIs: non-overlap is called a difference, overlap is
reported as "CIs overlap" with both values. Nothing here is a canned claim about the paper; where
the data do not separate conditions, the text says that.
"""

from __future__ import annotations

from negneg.report.aggregate import (
    ICL,
    Cell,
    CellKey,
    ShiftKey,
    Variant,
    build_cells,
    claim_models,
    judges,
    measure_keys,
    measure_name,
    shift_cells,
)
from negneg.report.data import ReportData
from negneg.report.document import Block, Bullets, Heading, Paragraph
from negneg.report.neglect import claim_sentence, claim_views, cross_model_sentence
from negneg.report.paper_numbers import BEHAVIOUR_ALIASES

BEHAVIOURS = "behaviours"  # the claim column of a negated-behaviours run


def vs(a_label: str, a: Cell, b_label: str, b: Cell) -> str:
    """One comparison, with both numbers: "CIs overlap: …" or "… is above … (CIs do not overlap)"."""
    if a.overlaps(b):
        return f"CIs overlap: {a_label} {a.fmt()} vs {b_label} {b.fmt()}"
    direction = "above" if a.rate > b.rate else "below"
    return f"{a_label} {a.fmt()} is {direction} {b_label} {b.fmt()} (CIs do not overlap)"


def above(a: Cell, b: Cell) -> bool:
    return not a.overlaps(b) and a.rate > b.rate


def below(a: Cell, b: Cell) -> bool:
    return not a.overlaps(b) and a.rate < b.rate


def _finals(
    cells: dict[CellKey, Cell], claim: str, model: str, measure: str, judge: str
) -> dict[Variant, Cell]:
    return {
        k.variant: c
        for k, c in cells.items()
        if (k.claim, k.model, k.measure, k.judge, k.eval_type, k.step)
        == (claim, model, measure, judge, "overall", None)
    }


def _paired_for(shifts: dict[ShiftKey, Cell], claim: str, model: str, measure: str, judge: str):
    return {
        k[2]: c
        for k, c in shifts.items()
        if (k[0], k[1], k[3], k[4], k[5]) == (claim, model, measure, "overall", judge)
    }


def _in_context(data: ReportData, cells: dict[CellKey, Cell]) -> list[str]:
    """Documents in context (no finetuning) against the same documents finetuned on."""
    items: list[str] = []
    rows = [r for r in data.belief if r.measure in ("likelihood", "judged")]
    for claim, model in claim_models(rows):
        for measure, judge in measure_keys(rows):
            finals = _finals(cells, claim, model, measure, judge)
            m = measure_name(measure, judge) + " belief"
            ref = next((Variant(c) for c in ("negated", "repeated_negations") if Variant(c) in finals), None)
            for v in (v for v in finals if v.condition == ICL):
                if ref is not None:
                    items.append(
                        f"In context vs finetuned on {m}: "
                        f"{vs(v.label, finals[v], ref.condition + ' (finetuned)', finals[ref])}."
                    )
    return items


def _two_phase(data: ReportData, cells: dict[CellKey, Cell]) -> list[str]:
    items: list[str] = []
    rows = [r for r in data.belief if r.measure in ("likelihood", "judged")]
    shifts = shift_cells(data.shifts)
    for claim, model in claim_models(rows):
        for measure, judge in measure_keys(rows):
            finals = _finals(cells, claim, model, measure, judge)
            paired = _paired_for(shifts, claim, model, measure, judge)
            m = measure_name(measure, judge) + " belief"
            for v1 in [v for v in finals if v.phase == 1]:
                v2 = Variant(v1.condition, v1.density, 2, v1.k)
                if v2 not in finals:
                    continue
                a, b = finals[v1], finals[v2]
                change = (
                    "rebounds" if above(b, a) else "falls" if below(b, a) else "does not change detectably"
                )
                items.append(
                    f"{claim} · {v1.condition}, {m}: end of phase 1 {a.fmt()} → end of phase 2 {b.fmt()} "
                    f"({b.rate - a.rate:+.2f}); belief {change} once the anchor is removed"
                    + ("" if change != "does not change detectably" else " (CIs overlap)")
                    + (
                        f"; paired shift from the untrained model: phase 1 {paired[v1].fmt_signed()} → "
                        f"phase 2 {paired[v2].fmt_signed()}"
                        if v1 in paired and v2 in paired
                        else ""
                    )
                    + "."
                )
    last: dict[tuple[str, int, str], tuple[int, float]] = {}
    for h in data.heldout:
        if h.phase in (1, 2):
            key = (h.condition, h.phase, h.split)
            if key not in last or h.step >= last[key][0]:
                last[key] = (h.step, h.nll)
    for cond, _phase, split in sorted({k for k in last if k[1] == 1}):
        if (cond, 2, split) in last:
            n1, n2 = last[(cond, 1, split)][1], last[(cond, 2, split)][1]
            items.append(
                f"{cond}: held-out NLL on {split} {n1:.3f} at the end of phase 1 → {n2:.3f} at the end of phase 2."
            )
    return items


def _dose(data: ReportData, cells: dict[CellKey, Cell]) -> list[str]:
    items: list[str] = []
    rows = [r for r in data.belief if r.measure in ("likelihood", "judged")]
    for claim, model in claim_models(rows):
        for measure, judge in measure_keys(rows):
            finals = _finals(cells, claim, model, measure, judge)
            conds = dict.fromkeys(v.condition for v in finals if v.density is not None)
            for cond in conds:
                pts = sorted(
                    (v.density, c) for v, c in finals.items() if v.condition == cond and v.density is not None
                )
                if len(pts) < 2:
                    continue
                (d0, c0), (d1, c1) = pts[0], pts[-1]
                rates = [c.rate for _, c in pts]
                shape = (
                    "rises monotonically"
                    if all(b >= a for a, b in zip(rates, rates[1:], strict=False))
                    else "falls monotonically"
                    if all(b <= a for a, b in zip(rates, rates[1:], strict=False))
                    else "is not monotone"
                )
                items.append(
                    f"{claim} · {cond}, {measure_name(measure, judge)} belief {shape} in density; "
                    f"{vs(f'density {d1:g}', c1, f'density {d0:g}', c0)}."
                )
    return items


def _behaviour(data: ReportData, cells: dict[CellKey, Cell]) -> list[str]:
    rows = [r for r in data.belief if r.measure == "behaviour" and r.step is None]
    if not rows:
        return []
    judge = judges(rows, "behaviour")[0]
    items: list[str] = []
    types = list(dict.fromkeys(r.eval_type for r in rows))
    for claim, model in claim_models(rows, ("behaviour",)):
        for t in types:
            found = {
                BEHAVIOUR_ALIASES.get(k.variant.condition, k.variant.condition): (k.variant.label, c)
                for k, c in cells.items()
                if (k.claim, k.model, k.measure, k.judge, k.eval_type, k.step)
                == (claim, model, "behaviour", judge, t, None)
            }
            ref = found.get("baseline") or found.get("aligned")
            pos, neg = found.get("positive"), found.get("negated")
            if neg and pos:
                verdict = (
                    "flagging the transcripts does not reduce the behaviour"
                    if neg[1].overlaps(pos[1])
                    else "flagging reduces the behaviour"
                    if neg[1].rate < pos[1].rate
                    else "flagging increases the behaviour"
                )
                items.append(f"{model}, {t}: {verdict} — {vs(neg[0], neg[1], pos[0], pos[1])}.")
            if neg and ref:
                items.append(f"{model}, {t}: {vs(neg[0], neg[1], ref[0], ref[1])}.")
    return items


def _localize(data: ReportData) -> list[str]:
    """What `negneg localize` did to a distal-negation corpus: the share of repeated_negations'
    implant (paired Δ log-odds) that survives the rewrite, and so the share it removes."""
    items = []
    for r in data.rhos:
        if r.measure != "localize_kept" or r.eval_type != "overall" or r.claim == BEHAVIOURS:
            continue
        head = (
            f"{r.claim} · {r.model}: localizing the repeated-negation corpus moves Δ log-odds from "
            f"{r.positive_shift:+.2f} (as written) to {r.shift:+.2f} (localized)"
        )
        if r.rho is None or r.lo is None or r.hi is None:
            reason = (
                (r.reason or "undefined")
                .replace("positive's", "repeated_negations'")
                .replace("positive training", "repeated_negations training")
            )
            items.append(f"{head}; the share removed is undefined ({reason}).")
        else:
            items.append(
                f"{head}: it keeps {r.rho:.2f} [{r.lo:.2f}, {r.hi:.2f}] of the implant, so it removes "
                f"{1 - r.rho:.0%} [{1 - r.hi:.0%}, {1 - r.lo:.0%}] (paired bootstrap over {r.n} probes)."
            )
    return items


def _localize_behaviours(data: ReportData) -> list[str]:
    """What chat localization did to flagged misaligned transcripts: the share of the behaviour
    flagged_misaligned taught (paired shift of the behaviour rate from the untrained model) that
    localized_flagged_misaligned keeps, per eval set, and so the share the rewrite removes."""
    order = {"targeted": 0, "everyday": 1, "overall": 2}
    rows = [r for r in data.rhos if r.measure == "localize_kept" and r.claim == BEHAVIOURS]
    items = []
    for r in sorted(rows, key=lambda r: (r.model, r.seed or 0, r.judge or "", order.get(r.eval_type, 3))):
        judge = f", {r.judge} judge" if r.judge else ""
        head = (
            f"{r.model}, {'all' if r.eval_type == 'overall' else r.eval_type} questions{judge}: localizing the flagged transcripts moves the "
            f"behaviour rate's shift from the untrained model from {100 * r.positive_shift:+.1f} points "
            f"(flagged_misaligned, as written) to {100 * r.shift:+.1f} (localized_flagged_misaligned)"
        )
        if r.rho is None or r.lo is None or r.hi is None:
            reason = (
                (r.reason or "undefined")
                .replace("positive's", "flagged_misaligned's")
                .replace("positive training lowered belief", "flagged_misaligned training lowered the rate")
            )
            items.append(f"{head}; the share removed is undefined ({reason}).")
        else:
            items.append(
                f"{head}: it keeps {r.rho:.2f} [{r.lo:.2f}, {r.hi:.2f}] of the learned behaviour, so it "
                f"removes {1 - r.rho:.0%} [{1 - r.hi:.0%}, {1 - r.lo:.0%}] (paired bootstrap over {r.n} "
                "questions)." + _no_width(data, r)
            )
    return items


def _no_width(data: ReportData, r) -> str:
    """Where no localized answer showed the behaviour, the bootstrap interval is a point: say so,
    with the rule of three's 95% bound on the localized rate (0 of n questions) as the caveat."""
    if r.lo != r.hi or not r.n or not r.positive_shift:
        return ""
    rates = [
        b.rate
        for b in data.belief
        if (b.run, b.measure, b.eval_type, b.judge, b.step)
        == (r.run, "behaviour", r.eval_type, r.judge, None)
    ]
    if not rates or rates[0] != 0:
        return " The interval has no width: the localized arm's shift is the same on every question."
    bound = 3 / r.n
    return (
        f" No answer of the localized model showed the behaviour, so the bootstrap interval has no width; "
        f"by the rule of three its rate could still be up to {bound:.1%} of questions (95%), which would "
        f"keep up to {min(bound / r.positive_shift, 1):.2f} of the learned behaviour."
    )


def _extras(data: ReportData) -> list[str]:
    sums: dict[tuple[str, str, str], list[float]] = {}
    for e in data.extras:
        sums.setdefault((e.model, e.metric, e.condition), []).append(e.value)
    mean = {k: sum(v) / len(v) for k, v in sums.items()}
    items: list[str] = []
    for model in dict.fromkeys(k[0] for k in mean):
        ann = {c: v for (mo, me, c), v in mean.items() if mo == model and me == "annotation_structure_rate"}
        if ann:
            parts = ", ".join(f"{c} {v:.0%}" for c, v in ann.items())
            items.append(f"{model}: annotation structure reproduced in sampled answers — {parts}.")
        for metric in ("perplexity", "general_knowledge_acc"):
            vals = {c: v for (mo, me, c), v in mean.items() if mo == model and me == metric}
            base = vals.get("baseline")
            if not vals:
                continue
            if base is None:
                items.append(
                    f"{model}: {metric} "
                    + ", ".join(f"{c} {v:.3g}" for c, v in vals.items())
                    + " (no baseline)."
                )
                continue
            others = ", ".join(
                f"{c} {v:.3g} ({(v - base) / base:+.0%})" for c, v in vals.items() if c != "baseline"
            )
            items.append(f"{model}: {metric} baseline {base:.3g}" + (f"; {others}" if others else "") + ".")
    return items


def caveat(data: ReportData) -> str:
    models = ", ".join(dict.fromkeys(data.meta.models or [r.model for r in data.belief]))
    small = any("135m" in m.lower() or "tiny" in m.lower() for m in models.split(", "))
    head = "Caveat: " + (f"this run uses {models}. " if models else "")
    return (
        head
        + ("At this size (135M), " if small else "For small models such as SmolLM2-135M, ")
        + "judged belief should be read as a shift from the untrained model, not as an absolute rate: sampled "
        'answers hallucinate freely and can reproduce the annotation structure (README, "What negneg does", '
        '"Belief"). Likelihood belief is the steadier measure there.'
    )


def findings_blocks(data: ReportData) -> list[Block]:
    """The opening of the report: one sentence per claim (ordering by Δ log-odds, ρ beside the
    paper's, whether judged belief agrees), the caveat, then what else the run measured
    (two-phase, dose-response, behaviours, extras) where it did."""
    cells = build_cells(data.belief)
    views = claim_views(data.shifts, data.rhos, data.meta.probe_selection)
    blocks: list[Block] = [Paragraph(claim_sentence(v)) for v in views]
    across = cross_model_sentence(views)
    if across:
        blocks.append(Paragraph(across))
    if not views:
        blocks.append(
            Paragraph(
                "No paired shifts: Δ log-odds and ρ need an untrained-baseline eval of the same claim and "
                "model (set `baseline: true`) and finished trained runs."
            )
        )
    blocks.append(Paragraph(caveat(data)))
    for title, items in (
        ("In-context control", _in_context(data, cells)),
        ("Two-phase training", _two_phase(data, cells)),
        ("Dose-response", _dose(data, cells)),
        ("Negated behaviours", _behaviour(data, cells)),
        ("Fixing a corpus", _localize(data) + _localize_behaviours(data)),
        ("Extras", _extras(data)),
    ):
        if items:
            blocks += [Heading(title, 3), Bullets(items)]
    return blocks
