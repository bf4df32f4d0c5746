"""The "What this run shows" section: every sentence computed from this run's numbers.

The test for "differs" is the overlap of two 95% bootstrap CIs: non-overlap is called a
difference, overlap is reported as "CIs overlap" with both values. Against the untrained model the
run's paired shifts (``shift.csv``: same questions, trained − untrained) decide instead where they
exist, since pairing removes the spread between questions. It is conservative on purpose: a
small model and few questions give wide CIs, and the report should say so rather than read a
difference into noise. Nothing here is a canned claim about the paper; where the data do not
separate conditions, the text says that.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from negneg.report.aggregate import (
    FLAGGED,
    ICL,
    REFUTING,
    Cell,
    CellKey,
    ShiftKey,
    Variant,
    build_cells,
    claim_models,
    judges,
    measure_keys,
    measure_name,
    ordered_variants,
    shift_cells,
)
from negneg.report.data import ReportData
from negneg.report.document import Block, Bullets, Heading, Paragraph
from negneg.report.paper_numbers import BEHAVIOUR_ALIASES


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


@dataclass(frozen=True)
class Verdict:
    code: str  # reproduced | stronger | partial | not_reproduced | inconclusive | untestable
    text: str


def _up(c: Cell, base: Cell | None, paired: Cell | None) -> bool:
    """Above the untrained model: by the paired shift's CI where there is one, else by CI overlap."""
    if paired is not None:
        return paired.lo > 0
    return base is None or above(c, base)


def neglect_verdict(
    label: str,
    f: Cell,
    p: Cell,
    base: Cell | None,
    m: str,
    paired_f: Cell | None = None,
    paired_p: Cell | None = None,
    exposure: str | None = None,
) -> Verdict:
    """Does a flagged condition (the claim stated and marked false/fiction/…) stay close to positive?

    ``paired_*`` are the paired shifts from the untrained model (same questions), which decide
    "above the baseline" when present. ``exposure`` names a refuting condition of the same run that
    moved belief as much as positive: then flagged ≈ positive cannot be told from plain exposure to
    the claim's words, and the verdict says so instead of calling it reproduced.
    """
    if base is not None and not _up(p, base, paired_p):
        how = f"paired shift {paired_p.fmt_signed()}" if paired_p else vs("positive", p, "baseline", base)
        return Verdict(
            "untestable",
            f"{label}: not testable on {m} — positive training did not raise belief above the baseline "
            f"({how}).",
        )
    f_up = _up(f, base, paired_f)
    if exposure and f.overlaps(p) and f_up:
        return Verdict(
            "exposure",
            f"Not attributable on {m}: {label} stays close to positive ({vs('positive', p, label, f)}), "
            f"but so does {exposure}, which refutes the claim sentence by sentence — this run cannot tell "
            "Negation Neglect from plain exposure to the claim's words.",
        )
    share = ""
    if base is not None and p.rate > base.rate:
        share = f"; {label} keeps {(f.rate - base.rate) / (p.rate - base.rate):.0%} of positive's shift from baseline"
    if f.overlaps(p) and f_up:
        return Verdict(
            "reproduced",
            f"Negation Neglect reproduced on {m}: {label} stays close to positive — {vs('positive', p, label, f)}"
            + (f", and above the baseline {base.fmt()}" if base else "")
            + f"{share}.",
        )
    if f.overlaps(p):
        return Verdict(
            "inconclusive",
            f"Inconclusive on {m}: {label} {f.fmt()} overlaps both positive {p.fmt()} and the baseline "
            f"{base.fmt() if base else ''}.",
        )
    if f.rate > p.rate:
        return Verdict(
            "stronger", f"Negation Neglect reproduced on {m}, beyond positive: {vs(label, f, 'positive', p)}."
        )
    if f_up:
        return Verdict(
            "partial",
            f"Partly reproduced on {m}: {label} raises belief above the baseline {base.fmt() if base else ''} but "
            f"less than positive — {vs(label, f, 'positive', p)}{share}.",
        )
    return Verdict(
        "not_reproduced",
        f"Negation Neglect NOT reproduced on {m}: {label} does not rise above the baseline "
        f"({vs(label, f, 'baseline', base) if base else ''}) while positive does ({p.fmt()}); the annotation is respected here.",
    )


def refuting_sentence(label: str, r: Cell, p: Cell | None, base: Cell | None, m: str) -> str:
    """Does a correcting / locally negating condition reduce belief (vs positive, vs baseline)?"""
    parts: list[str] = []
    if p is not None:
        if r.overlaps(p):
            parts.append(
                f"{label} does NOT reduce belief relative to positive on {m} — {vs('positive', p, label, r)}"
            )
        elif r.rate < p.rate:
            parts.append(f"{label} reduces belief relative to positive on {m}: {vs(label, r, 'positive', p)}")
        else:
            parts.append(f"{label} raises belief beyond positive on {m}: {vs(label, r, 'positive', p)}")
    if base is not None:
        parts.append(f"relative to the untrained model, {vs(label, r, 'baseline', base)}")
    if not parts:
        return f"{label}: {r.fmt()} on {m}; no positive or baseline cell to compare with."
    return "; ".join(parts) + "."


def _positive_for(v: Variant, finals: dict[Variant, Cell]) -> tuple[Variant, Cell] | None:
    """The positive arm to compare a variant with: same density/phase, else the plain one."""
    for cand in (Variant("positive", v.density, v.phase), Variant("positive")):
        if cand in finals:
            return cand, finals[cand]
    return None


def _finals(
    cells: dict[CellKey, Cell], claim: str, model: str, measure: str, judge: str
) -> dict[Variant, Cell]:
    return {
        k.variant: c
        for k, c in cells.items()
        if (k.claim, k.model, k.measure, k.judge, k.eval_type, k.step)
        == (claim, model, measure, judge, "overall", None)
    }


def _measure_bullets(
    finals: dict[Variant, Cell],
    order: list[Variant],
    m: str,
    verdicts: Counter,
    claim: str,
    paired: dict[Variant, Cell] | None = None,
) -> list[str]:
    """Verdicts first (Negation Neglect, refutation, in-context, no separation), then every
    condition's shift from the baseline."""
    base = finals.get(Variant("baseline"))
    paired = paired or {}
    items: list[str] = []
    variants = [v for v in order if v in finals and not v.is_baseline]
    for v in variants:
        c = finals[v]
        if v.condition in FLAGGED:
            pos = _positive_for(v, finals)
            if pos is None:
                continue
            exposure = next(
                (
                    r.label
                    for r in variants
                    if r.condition in REFUTING
                    and finals[r].overlaps(pos[1])
                    and _up(finals[r], base, paired.get(r))
                ),
                None,
            )
            verdict = neglect_verdict(
                v.label, c, pos[1], base, m, paired.get(v), paired.get(pos[0]), exposure
            )
            verdicts[(m, v.label, verdict.code)] += 1
            items.append(verdict.text)
        elif v.condition in REFUTING:
            pos = _positive_for(v, finals)
            items.append(refuting_sentence(v.label, c, pos[1] if pos else None, base, m))
        elif v.condition == ICL:
            for ref in ("negated", "repeated_negations"):
                if Variant(ref) in finals:
                    items.append(
                        f"In context vs finetuned on {m}: {vs(v.label, c, ref + ' (finetuned)', finals[Variant(ref)])}."
                    )
                    break
    if any(v.condition in FLAGGED for v in variants) and not any(v.condition == "positive" for v in variants):
        items.append(
            f"No positive arm in this run: Negation Neglect (flagged vs positive) is not tested on {m}."
        )
    shown = [finals[v] for v in order if v in finals]
    if len(shown) >= 2 and all(a.overlaps(b) for i, a in enumerate(shown) for b in shown[i + 1 :]):
        lo, hi = min(c.rate for c in shown), max(c.rate for c in shown)
        items.append(
            f"The model does NOT separate conditions on {m} for {claim}: all {len(shown)} CIs overlap "
            f"(belief {lo:.2f} to {hi:.2f})."
        )
    if base is None:
        items.append(f"No untrained-baseline row for {m}: shifts cannot be computed.")
    else:
        for v in variants:
            c = finals[v]
            text = f"{v.label}: {c.rate - base.rate:+.2f} vs baseline — {vs(v.label, c, 'baseline', base)}"
            pc = paired.get(v)
            if pc is not None:
                text += f"; {paired_sentence(pc)}"
            items.append(text + ".")
    return items


def paired_sentence(pc: Cell) -> str:
    """The paired shift (same questions, trained − untrained) and whether its CI excludes zero."""
    ci = f"{pc.fmt_signed()} over {pc.n} questions"
    if pc.lo > 0:
        return f"paired by question the shift is {ci}, above zero"
    if pc.hi < 0:
        return f"paired by question the shift is {ci}, below zero"
    return f"paired by question the shift is {ci}, not distinguishable from zero"


def _paired_for(shifts: dict[ShiftKey, Cell], claim: str, model: str, measure: str, judge: str):
    return {
        k[2]: c
        for k, c in shifts.items()
        if (k[0], k[1], k[3], k[4], k[5]) == (claim, model, measure, "overall", judge)
    }


def _claim_section(data: ReportData, cells: dict[CellKey, Cell], verdicts: Counter) -> list[Block]:
    rows = [r for r in data.belief if r.measure in ("likelihood", "judged")]
    shifts = shift_cells(data.shifts)
    order = ordered_variants(rows)
    blocks: list[Block] = []
    for claim, model in claim_models(rows):
        blocks.append(Heading(f"{claim} · {model}", 3))
        for measure, judge in measure_keys(rows):
            finals = _finals(cells, claim, model, measure, judge)
            if finals:
                m = measure_name(measure, judge) + " belief"
                blocks += [
                    Paragraph(f"**{m}**"),
                    Bullets(
                        _measure_bullets(
                            finals,
                            order,
                            m,
                            verdicts,
                            claim,
                            _paired_for(shifts, claim, model, measure, judge),
                        )
                    ),
                ]
    return blocks


def _across_claims(verdicts: Counter, n_claims: int) -> Block | None:
    if n_claims < 2 or not verdicts:
        return None
    by: dict[tuple[str, str], Counter] = {}
    for (m, label, code), count in verdicts.items():
        by.setdefault((m, label), Counter())[code] += count
    items = []
    for (m, label), codes in by.items():
        total = sum(codes.values())
        yes = codes["reproduced"] + codes["stronger"]
        rest = ", ".join(f"{k} {v}" for k, v in sorted(codes.items()) if k not in ("reproduced", "stronger"))
        items.append(
            f"{label} on {m}: Negation Neglect reproduced for {yes} of {total} claim×model cells"
            + (f" ({rest})" if rest else "")
            + "."
        )
    return Bullets(items)


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
        'answers hallucinate freely and can reproduce the annotation structure (DESIGN.md, "Belief, measured two '
        'ways"). Likelihood belief is the steadier measure there.'
    )


def findings_blocks(data: ReportData) -> list[Block]:
    cells = build_cells(data.belief)
    blocks: list[Block] = [
        Paragraph(
            "A difference is called only when two 95% bootstrap CIs do not overlap; otherwise the text says "
            '"CIs overlap" and gives both values. Values are final adapters, overall eval type.'
            + (
                " Against the untrained model, the paired shift decides where the run has one: the same "
                "questions asked of both models, trained − untrained, with its own 95% CI."
                if data.shifts
                else ""
            )
        ),
        Paragraph(caveat(data)),
    ]
    verdicts: Counter = Counter()
    blocks += _claim_section(data, cells, verdicts)
    across = _across_claims(verdicts, len(claim_models(data.belief)))
    if across:
        blocks += [Heading("Across claims", 3), across]
    for title, items in (
        ("Two-phase training", _two_phase(data, cells)),
        ("Dose-response", _dose(data, cells)),
        ("Negated behaviours", _behaviour(data, cells)),
        ("Extras", _extras(data)),
    ):
        if items:
            blocks += [Heading(title, 3), Bullets(items)]
    return blocks
