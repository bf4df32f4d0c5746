"""The report's figures (matplotlib, Agg backend; PNG for the page, SVG beside it).

One function per figure. Each takes the loaded results and the output directory, and returns the
PNG's path, or None when the run has no data for that figure (the report then says "not run").
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from negneg.io import atomic_write_bytes  # noqa: E402
from negneg.report.aggregate import (  # noqa: E402
    BASELINE,
    ICL,
    Cell,
    CellKey,
    Variant,
    build_cells,
    claim_models,
    judges,
    measure_name,
    ordered_variants,
)
from negneg.report.data import BeliefRow, ReportData  # noqa: E402

FIXED_COLORS = {
    BASELINE: "#7f7f7f",
    "positive": "#1f77b4",
    "negated": "#ff7f0e",
    "repeated_negations": "#d62728",
    "corrected": "#2ca02c",
    "local_negation": "#9467bd",
    "local_negation_wordmask": "#8c564b",
    "sentence_negation": "#e377c2",
    "sentence_negation_wordmask": "#bcbd22",
    ICL: "#17becf",
}
OTHER_COLORS = ["#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"]
SPLIT_COLORS = {
    "negated_docs": "#d62728",
    "positive_docs": "#1f77b4",
    "background": "#7f7f7f",
    "anchor": "#2ca02c",
}


def _color(condition: str, palette: dict[str, str]) -> str:
    if condition in FIXED_COLORS:
        return FIXED_COLORS[condition]
    if condition not in palette:
        palette[condition] = OTHER_COLORS[len(palette) % len(OTHER_COLORS)]
    return palette[condition]


def _series_color(condition: str, density: float | None, palette: dict[str, str]) -> str:
    """A condition's colour; a density sweep's arms get shades of one sequential map instead."""
    if density is None:
        return _color(condition, palette)
    r, g, b, _ = plt.get_cmap("plasma")(0.1 + 0.75 * min(max(density, 0.0), 1.0))
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _series_label(condition: str, density: float | None) -> str:
    return condition if density is None else f"{condition} · density {density:g}"


def _save(fig: Figure, out_dir: Path, name: str) -> Path:
    """Write ``name``.png and ``name``.svg atomically; return the PNG path."""
    for ext in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, dpi=110, bbox_inches="tight")
        atomic_write_bytes(out_dir / f"{name}.{ext}", buf.getvalue())
    plt.close(fig)
    return out_dir / f"{name}.png"


def _measure_panels(rows: list[BeliefRow]) -> list[tuple[str, str]]:
    """The two panels of belief figures: likelihood, and judged with the preferred judge."""
    return [("likelihood", ""), ("judged", (judges(rows) or ["rule"])[0])]


def _axis(ax: Axes, measure: str) -> None:
    """Rates live in [0, 1]; likelihood belief is log-odds in nats (unbounded, 0 = indifferent)."""
    if measure == "likelihood":
        ax.axhline(0, color="#bbb", lw=0.8)
        ax.set_ylabel("log-odds, nats")
    else:
        ax.set_ylim(0, 1.05)


def _not_measured(ax: Axes, text: str = "not measured") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#888")
    ax.set_xticks([])
    ax.set_yticks([])


def _errbar(cell: Cell) -> list[list[float]]:
    return [[max(cell.rate - cell.lo, 0.0)], [max(cell.hi - cell.rate, 0.0)]]


def _grid(
    n_rows: int, n_cols: int, width: float = 6.0, height: float = 3.6
) -> tuple[Figure, list[list[Axes]]]:
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(width * n_cols, height * n_rows), squeeze=False)
    return fig, [list(r) for r in axes]


def belief_by_condition(data: ReportData, out_dir: Path) -> Path | None:
    """The main figure: per claim, belief by condition with 95% CIs; likelihood and judged panels."""
    rows = [r for r in data.belief if r.measure in ("likelihood", "judged") and r.step is None]
    pairs = claim_models(rows)
    if not pairs:
        return None
    cells = build_cells(rows)
    variants = ordered_variants(rows)
    panels = _measure_panels(rows)
    palette: dict[str, str] = {}
    fig, axes = _grid(len(pairs), 2, width=max(5.0, 0.7 * len(variants) + 2))
    for (claim, model), ax_row in zip(pairs, axes, strict=True):
        for (measure, judge), ax in zip(panels, ax_row, strict=True):
            found = [(v, cells.get(CellKey(claim, model, v, measure, "overall", judge))) for v in variants]
            found = [(v, c) for v, c in found if c is not None]
            ax.set_title(f"{claim} · {model}\n{measure_name(measure, judge)} belief", fontsize=10)
            if not found:
                _not_measured(ax)
                continue
            for i, (v, c) in enumerate(found):
                ax.bar(i, c.rate, color=_color(v.condition, palette), alpha=0.85)
                ax.errorbar(i, c.rate, yerr=_errbar(c), color="black", capsize=4, lw=1)
            base = cells.get(CellKey(claim, model, Variant(BASELINE), measure, "overall", judge))
            if base is not None:
                ax.axhline(base.rate, ls="--", color="#555", lw=1, label=f"baseline {base.rate:.2f}")
                ax.legend(fontsize=8, loc="upper right")
            ax.set_xticks(range(len(found)), [v.label for v, _ in found], rotation=30, ha="right", fontsize=8)
            _axis(ax, measure)
            if measure != "likelihood":
                ax.set_ylabel("belief rate")
    fig.tight_layout()
    return _save(fig, out_dir, "belief_by_condition")


def _grouped_bars(
    ax: Axes,
    groups: list[str],
    series: list[tuple[Variant, list[Cell | None]]],
    palette,
    measure: str = "judged",
) -> None:
    width = 0.8 / max(len(series), 1)
    for j, (v, cells) in enumerate(series):
        for i, c in enumerate(cells):
            if c is None:
                continue
            x = i + (j - (len(series) - 1) / 2) * width
            ax.bar(
                x, c.rate, width=width, color=_color(v.condition, palette), label=v.label if i == 0 else None
            )
            ax.errorbar(x, c.rate, yerr=_errbar(c), color="black", capsize=2, lw=0.8)
    ax.set_xticks(range(len(groups)), groups, rotation=20, ha="right", fontsize=8)
    _axis(ax, measure)


def _legend_below(fig: Figure, axes: list[list[Axes]]) -> None:
    """One legend for all panels, under the figure (grouped bars leave no room inside)."""
    labels: dict[str, object] = {}
    for row in axes:
        for ax in row:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                labels.setdefault(label, handle)
    fig.tight_layout()
    if labels:
        fig.legend(
            list(labels.values()),
            list(labels),
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=min(len(labels), 6),
            fontsize=8,
            frameon=False,
        )


def belief_by_eval_type(data: ReportData, out_dir: Path) -> Path | None:
    """Grouped bars: eval type × condition, judged types and likelihood types side by side."""
    rows = [r for r in data.belief if r.measure in ("likelihood", "judged") and r.step is None]
    pairs = claim_models(rows)
    if not pairs:
        return None
    cells = build_cells(rows)
    variants = ordered_variants(rows)
    panels = list(reversed(_measure_panels(rows)))  # judged first, as the paper's eval types
    palette: dict[str, str] = {}
    fig, axes = _grid(len(pairs), 2, width=6.5 + 0.25 * len(variants))
    for (claim, model), ax_row in zip(pairs, axes, strict=True):
        for (measure, judge), ax in zip(panels, ax_row, strict=True):
            types = list(
                dict.fromkeys(r.eval_type for r in rows if r.measure == measure and r.judge == judge)
            )
            types = [t for t in types if t != "overall"] + (["overall"] if "overall" in types else [])
            series = [
                (v, [cells.get(CellKey(claim, model, v, measure, t, judge)) for t in types]) for v in variants
            ]
            series = [(v, cs) for v, cs in series if any(cs)]
            ax.set_title(f"{claim} · {model}: {measure_name(measure, judge)} by eval type", fontsize=10)
            if not series:
                _not_measured(ax)
                continue
            _grouped_bars(ax, types, series, palette, measure)
    _legend_below(fig, axes)
    return _save(fig, out_dir, "belief_by_eval_type")


def _phase_offsets(data: ReportData) -> tuple[dict[str, int], dict[str, int]]:
    """Per condition: the phase-1 length to add to phase-2 steps (when phase 2 restarts its step
    count) so both phases share one x axis, and the x of the phase boundary."""
    last1: dict[str, int] = {}
    first2: dict[str, int] = {}
    steps: list[tuple[str, int | None, int]] = [(t.condition, t.phase, t.step) for t in data.training]
    steps += [(h.condition, h.phase, h.step) for h in data.heldout]
    steps += [(b.condition, b.phase, b.step) for b in data.belief if b.step is not None]
    for cond, phase, step in steps:
        if phase == 1:
            last1[cond] = max(last1.get(cond, step), step)
        elif phase == 2:
            first2[cond] = min(first2.get(cond, step), step)
    offsets = {c: last1[c] for c in first2 if c in last1 and first2[c] <= last1[c]}
    boundaries = {c: last1[c] for c in first2 if c in last1}
    return offsets, boundaries


def _x(step: int, condition: str, phase: int | None, offsets: dict[str, int]) -> int:
    return step + (offsets.get(condition, 0) if phase == 2 else 0)


def _final_steps(data: ReportData) -> dict[tuple[str, int | None], int]:
    """(condition, phase) → last logged training step, where the final adapter sits on the x axis."""
    out: dict[tuple[str, int | None], int] = {}
    for t in data.training:
        key = (t.condition, t.phase)
        out[key] = max(out.get(key, t.step), t.step)
    return out


def _belief_curves(data: ReportData, measure: str, judge: str, offsets: dict[str, int]):
    """(label, condition, density, xs, cells) per claim × model × condition × density × phase-chain,
    over checkpoints."""
    rows = [r for r in data.belief if r.measure == measure and r.judge == judge and r.eval_type == "overall"]
    cells = build_cells(rows)
    finals = _final_steps(data)
    multi_claim = len({r.claim for r in rows}) > 1
    multi_model = len({r.model for r in rows}) > 1
    curves: dict[tuple[str, str, str, float | None], list[tuple[int, Cell]]] = {}
    for key, cell in cells.items():
        v = key.variant
        if v.is_baseline or v.condition == ICL:
            continue
        step = key.step if key.step is not None else finals.get((v.condition, v.phase))
        if step is None:
            continue
        curves.setdefault((key.claim, key.model, v.condition, v.density), []).append(
            (_x(step, v.condition, v.phase, offsets), cell)
        )
    out = []
    for (claim, model, cond, density), points in sorted(
        curves.items(), key=lambda kv: (kv[0][:3], kv[0][3] is not None, kv[0][3] or 0.0)
    ):
        base = cells.get(CellKey(claim, model, Variant(BASELINE), measure, "overall", judge))
        if base is not None:
            points.append((0, base))
        points.sort(key=lambda p: p[0])
        label = ": ".join([claim] * multi_claim + [model] * multi_model + [_series_label(cond, density)])
        out.append((label, cond, density, [p[0] for p in points], [p[1] for p in points]))
    return out


def training_dynamics(data: ReportData, out_dir: Path) -> Path | None:
    """Loss over steps, belief over checkpoints (both measures), held-out NLL per split; two-phase
    runs share one x axis with a vertical line at the phase boundary."""
    has_steps = any(r.step is not None for r in data.belief)
    if not data.training and not has_steps:
        return None
    offsets, boundaries = _phase_offsets(data)
    palette: dict[str, str] = {}
    fig, axes = _grid(2, 2, width=6.2, height=3.8)
    ax_loss, ax_nll = axes[0]
    ax_lik, ax_judged = axes[1]

    if data.training:
        run_density = {r.run: r.density for r in data.belief}
        by_run: dict[tuple[str, str], list] = {}
        for t in data.training:
            by_run.setdefault((t.condition, t.run), []).append(t)
        seen: set[str] = set()
        for (cond, run), ts in by_run.items():
            ts.sort(key=lambda t: (t.phase or 0, t.step))
            xs = [_x(t.step, cond, t.phase, offsets) for t in ts]
            density = run_density.get(run)
            name = _series_label(cond, density)
            label = None if name in seen else name
            seen.add(name)
            color = _series_color(cond, density, palette)
            ax_loss.plot(xs, [t.loss for t in ts], color=color, lw=1.2, label=label)
        ax_loss.set_title("training loss (per-example loss weights applied)", fontsize=10)
        ax_loss.set_ylabel("loss")
        ax_loss.legend(fontsize=7)
    else:
        _not_measured(ax_loss, "training.csv: not run")

    if data.heldout:
        by_split: dict[tuple[str, str, str], list] = {}
        for h in data.heldout:
            by_split.setdefault((h.condition, h.run, h.split), []).append(h)
        styles = {
            c: ("-", "--", ":", "-.")[i % 4] for i, c in enumerate(dict.fromkeys(k[0] for k in by_split))
        }
        labelled: set[str] = set()
        for (cond, _run, split), hs in by_split.items():
            hs.sort(key=lambda h: (h.phase or 0, h.step))
            xs = [_x(h.step, cond, h.phase, offsets) for h in hs]
            label = f"{cond}: {split}"
            ax_nll.plot(
                xs,
                [h.nll for h in hs],
                styles[cond],
                color=SPLIT_COLORS.get(split, "#333"),
                label=None if label in labelled else label,
            )
            labelled.add(label)
        ax_nll.set_title("held-out NLL per split", fontsize=10)
        ax_nll.set_ylabel("NLL")
        ax_nll.legend(fontsize=7)
    else:
        _not_measured(ax_nll, "heldout.csv: not run")

    # The judge of the checkpoint rows (an expensive llm judge may score only the final adapters).
    checkpoint_judge = (
        judges([r for r in data.belief if r.step is not None]) or judges(data.belief) or ["rule"]
    )[0]
    for ax, (measure, judge) in ((ax_lik, ("likelihood", "")), (ax_judged, ("judged", checkpoint_judge))):
        curves = _belief_curves(data, measure, judge, offsets)
        ax.set_title(f"{measure_name(measure, judge)} belief over checkpoints", fontsize=10)
        if not curves:
            _not_measured(ax)
            continue
        for label, cond, density, xs, cs in curves:
            color = _series_color(cond, density, palette)
            ax.plot(xs, [c.rate for c in cs], "o-", color=color, ms=3, label=label)
            if len(curves) <= 2:  # more bands than that hide each other; the tables keep the CIs
                ax.fill_between(xs, [c.lo for c in cs], [c.hi for c in cs], color=color, alpha=0.15)
        _axis(ax, measure)
        ax.legend(fontsize=7)

    for row in axes:
        for ax in row:
            for x in sorted(set(boundaries.values())):
                ax.axvline(x, color="black", ls=":", lw=1)
            ax.set_xlabel("step" + (" (phase 1 | phase 2)" if boundaries else ""))
    if boundaries:
        fig.suptitle("Belief and loss across the phase boundary", fontsize=11)
    fig.tight_layout()
    return _save(fig, out_dir, "training_dynamics")


def _line_with_ci(ax: Axes, xs: list[float], cells: list[Cell], color: str, label: str) -> None:
    ax.errorbar(
        xs,
        [c.rate for c in cells],
        yerr=[[c.rate - c.lo for c in cells], [c.hi - c.rate for c in cells]],
        fmt="o-",
        color=color,
        capsize=3,
        ms=4,
        label=label,
    )


def _reference_lines(
    ax: Axes,
    cells: dict[CellKey, Cell],
    claim: str,
    model: str,
    measure: str,
    judge: str,
    palette,
    conditions: Iterable[str],
) -> None:
    base = cells.get(CellKey(claim, model, Variant(BASELINE), measure, "overall", judge))
    if base is not None:
        ax.axhline(base.rate, ls="--", color="#555", lw=1, label=f"baseline {base.rate:.2f}")
    for cond in conditions:
        ref = cells.get(CellKey(claim, model, Variant(cond), measure, "overall", judge))
        if ref is not None:
            ax.axhline(
                ref.rate,
                ls=":",
                color=_color(cond, palette),
                lw=1.2,
                label=f"{cond} (finetuned) {ref.rate:.2f}",
            )


def _rho_vs_density(ax: Axes, ratios, claim: str, model: str, palette, paper_rho) -> bool:
    """ρ (likelihood, overall) against density per condition, with the paper's ρ as a dotted line;
    False (nothing drawn) when the run has no defined ρ at two or more densities."""
    series: dict[str, list[tuple[float, float, float, float]]] = {}
    for (c, m, v, measure, eval_type, _judge), r in ratios.items():
        if (c, m, measure, eval_type) != (claim, model, "likelihood", "overall") or v.density is None:
            continue
        if r.rho is not None and v.phase is None:
            series.setdefault(v.condition, []).append((v.density, r.rho, r.lo, r.hi))
    series = {k: sorted(v) for k, v in series.items() if len(v) >= 2}
    if not series:
        return False
    for cond, pts in series.items():
        color = _color(cond, palette)
        ax.errorbar(
            [p[0] for p in pts], [p[1] for p in pts],
            yerr=[[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]],
            fmt="o-", color=color, capsize=3, ms=4, label=f"{cond} ρ",
        )  # fmt: skip
        paper = paper_rho(cond, claim)
        if paper is not None:
            ax.axhline(paper, ls=":", color=color, lw=1.2, label=f"paper's ρ ({cond}) {paper:.2f}")
    ax.axhline(1, color="#1f77b4", lw=0.8, ls="--", label="ρ = 1 (as positive)")
    ax.axhline(0, color="#555", lw=0.8)
    ax.set_title(f"{claim} · {model}: ρ = Δ/Δ(positive), log-odds, vs density", fontsize=10)
    ax.set_xlabel("annotation density")
    ax.set_ylabel("ρ")
    ax.legend(fontsize=7)
    return True


def dose_response(data: ReportData, out_dir: Path) -> Path | None:
    """Against annotation density, with 95% CIs: ρ on the log-odds measure where the run has it
    (else mean log-odds), and judged belief."""
    rows = [r for r in data.belief if r.step is None and r.measure in ("likelihood", "judged")]
    dense = [r for r in rows if r.density is not None]
    if not dense:
        return None
    cells = build_cells(rows)
    pairs = claim_models(dense)
    panels = _measure_panels(rows)
    palette: dict[str, str] = {}
    fig, axes = _grid(len(pairs), 2)
    from negneg.report.neglect import ratio_cells
    from negneg.report.paper_numbers import paper_rho

    ratios = ratio_cells(data.rhos)
    for (claim, model), ax_row in zip(pairs, axes, strict=True):
        for (measure, judge), ax in zip(panels, ax_row, strict=True):
            if measure == "likelihood" and _rho_vs_density(ax, ratios, claim, model, palette, paper_rho):
                continue
            ax.set_title(f"{claim} · {model}: {measure_name(measure, judge)} vs density", fontsize=10)
            series: dict[tuple[str, int | None], list[tuple[float, Cell]]] = {}
            for key, cell in cells.items():
                v = key.variant
                if (key.claim, key.model, key.measure, key.judge, key.eval_type) != (
                    claim,
                    model,
                    measure,
                    judge,
                    "overall",
                ):
                    continue
                if v.density is not None and key.step is None:
                    series.setdefault((v.condition, v.phase), []).append((v.density, cell))
            if not series:
                _not_measured(ax)
                continue
            for (cond, phase), pts in series.items():
                pts.sort(key=lambda p: p[0])
                label = cond + (f" phase {phase}" if phase else "")
                _line_with_ci(ax, [p[0] for p in pts], [p[1] for p in pts], _color(cond, palette), label)
            undense = [c for c in ("positive",) if c not in {s[0] for s in series}]
            _reference_lines(ax, cells, claim, model, measure, judge, palette, undense)
            ax.set_xlabel("annotation density")
            _axis(ax, measure)
            ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, out_dir, "dose_response")


def icl(data: ReportData, out_dir: Path) -> Path | None:
    """In-context control: belief against K (documents in context), K=0 being the baseline."""
    rows = [r for r in data.belief if r.step is None and r.measure in ("likelihood", "judged")]
    icl_rows = [r for r in rows if r.condition == ICL and r.k is not None]
    if not icl_rows:
        return None
    cells = build_cells(rows)
    pairs = claim_models(icl_rows)
    panels = _measure_panels(rows)
    palette: dict[str, str] = {}
    fig, axes = _grid(len(pairs), 2)
    for (claim, model), ax_row in zip(pairs, axes, strict=True):
        for (measure, judge), ax in zip(panels, ax_row, strict=True):
            ax.set_title(f"{claim} · {model}: {measure_name(measure, judge)} vs K in context", fontsize=10)
            pts = sorted(
                (key.variant.k, cell)
                for key, cell in cells.items()
                if key.variant.condition == ICL
                and (key.claim, key.model, key.measure, key.judge, key.eval_type)
                == (claim, model, measure, judge, "overall")
            )
            if not pts:
                _not_measured(ax)
                continue
            _line_with_ci(ax, [p[0] for p in pts], [p[1] for p in pts], _color(ICL, palette), "in context")
            _reference_lines(
                ax, cells, claim, model, measure, judge, palette, ("negated", "repeated_negations")
            )
            ax.set_xlabel("K (annotated documents in context)")
            _axis(ax, measure)
            ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(fig, out_dir, "icl")


def behaviours(data: ReportData, out_dir: Path) -> Path | None:
    """% of responses showing the trained behaviour, by condition × eval set, with 95% CIs."""
    rows = [r for r in data.belief if r.measure == "behaviour" and r.step is None]
    if not rows:
        return None
    cells = build_cells(rows)
    judge = judges(rows, "behaviour")[0]
    pairs = claim_models(rows, ("behaviour",))
    variants = ordered_variants(rows)
    types = list(dict.fromkeys(r.eval_type for r in rows))
    types = [t for t in types if t != "overall"] + (["overall"] if "overall" in types else [])
    palette: dict[str, str] = {}
    fig, axes = _grid(len(pairs), 1, width=max(6.0, 1.4 * len(types) * max(len(variants), 1) / 2))
    for (claim, model), (ax,) in zip(pairs, axes, strict=True):
        series = [
            (v, [cells.get(CellKey(claim, model, v, "behaviour", t, judge)) for t in types]) for v in variants
        ]
        series = [(v, cs) for v, cs in series if any(cs)]
        ax.set_title(f"{model}: responses showing the behaviour ({judge} judge)", fontsize=10)
        if not series:
            _not_measured(ax)
            continue
        _grouped_bars(ax, types, series, palette)
        ax.set_ylabel("share of responses")
    _legend_below(fig, axes)
    return _save(fig, out_dir, "behaviours")


_TYPE_MARKERS = {"cloze": "o", "token_association_likelihood": "s", "yes_no_likelihood": "^"}


def neglect_shifts(data: ReportData, out_dir: Path) -> Path | None:
    """The headline figure: per claim, Δ log-odds from the untrained model by condition (bars, 95%
    paired CIs), each probe type's Δ as small markers, ρ written over each bar, and the paper's ρ
    marked where it would put this condition given this run's positive shift (ρ_paper × Δ(positive))."""
    from negneg.report.neglect import POSITIVE, PROBE_TYPES, claim_views
    from negneg.report.paper_numbers import paper_rho

    views = [v for v in claim_views(data.shifts, data.rhos) if v.shift]
    if not views:
        return None
    n_var = max(len(v.variants) for v in views)
    fig, axes = _grid(len(views), 1, width=max(6.0, 1.1 * n_var + 2.5), height=3.8)
    palette: dict[str, str] = {}
    paper_labelled = False
    for view, (ax,) in zip(views, axes, strict=True):
        found = [(v, view.shift[v]) for v in view.variants if v in view.shift]
        pos = next((c for v, c in found if v.condition == POSITIVE), None)
        for i, (v, c) in enumerate(found):
            ax.bar(i, c.rate, color=_color(v.condition, palette), alpha=0.85, width=0.6)
            ax.errorbar(i, c.rate, yerr=_errbar(c), color="black", capsize=4, lw=1)
            for j, t in enumerate(PROBE_TYPES):
                tc = view.by_type.get(v, {}).get(t)
                if tc is not None:
                    ax.plot(
                        i - 0.2 + 0.2 * j, tc.rate, _TYPE_MARKERS[t], color="white", mec="black", ms=4,
                        label=PROBE_TYPES[t] if i == 0 else None,
                    )  # fmt: skip
            r = view.rho.get(v)
            if v.condition != POSITIVE and r is not None:
                text = f"ρ {r.rho:.2f}" if r.rho is not None else "ρ –"
                top = max([c.hi, 0.0, *(tc.rate for tc in view.by_type.get(v, {}).values())])
                ax.annotate(
                    text,
                    (i, top),
                    xytext=(0, 4),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                )
            paper = paper_rho(v.condition, view.claim)
            if pos is not None and paper is not None and v.condition != POSITIVE:
                ax.plot(
                    i, paper * pos.rate, "D", color="#222", ms=6, mfc="none",
                    label=None if paper_labelled else "paper's ρ × this run's Δ(positive)",
                )  # fmt: skip
                paper_labelled = True
        ax.axhline(0, color="#555", lw=1)
        ax.set_xticks(range(len(found)), [v.label for v, _ in found], rotation=20, ha="right", fontsize=8)
        ax.set_ylabel("Δ log-odds, nats")
        ax.set_title(f"{view.claim} · {view.model}: shift from the untrained model", fontsize=10)
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return _save(fig, out_dir, "neglect_shifts")


_TYPE_SHORT = {"cloze": "cloze", "token_association_likelihood": "TA", "yes_no_likelihood": "yes/no"}


def probe_shifts(data: ReportData, out_dir: Path) -> Path | None:
    """Forest plot: every likelihood probe's Δ log-odds from the untrained model, one marker per
    condition, so heterogeneity between probes (a probe that moves against the claim, one that
    carries the whole pooled shift) is visible instead of averaged away. Hollow markers: Δ log P of
    the claim's own continuation (association) where it differs from Δ log-odds by more than 1 nat."""
    from negneg.evals.metrics import ASSOCIATION_TYPES

    rows = [p for p in data.probes if p.phase is None]
    if not rows:
        return None
    pairs = list(dict.fromkeys((p.claim, p.model) for p in rows))
    palette: dict[str, str] = {}
    n_probes = max(
        len({(p.eval_type, p.question_id) for p in rows if (p.claim, p.model) == pair}) for pair in pairs
    )
    fig, axes = _grid(1, len(pairs), width=6.5, height=max(3.5, 0.22 * n_probes + 1.2))
    for (claim, model), ax in zip(pairs, axes[0], strict=True):
        mine = [p for p in rows if (p.claim, p.model) == (claim, model)]
        probes = sorted(
            {(p.eval_type, p.question_id) for p in mine}, key=lambda k: (k[0], k[1]), reverse=True
        )
        y = {k: i for i, k in enumerate(probes)}
        variants = list(dict.fromkeys(Variant(p.condition, p.density) for p in mine))
        step = 0.6 / max(len(variants), 1)
        for j, v in enumerate(variants):
            color = _color(v.condition, palette)
            pts = [p for p in mine if Variant(p.condition, p.density) == v]
            offset = -0.3 + step * (j + 0.5)
            ax.scatter(
                [p.d_log_odds for p in pts], [y[(p.eval_type, p.question_id)] + offset for p in pts],
                s=14, color=color, label=v.label, zorder=3,
            )  # fmt: skip
            apart = [
                p
                for p in pts
                if p.eval_type in ASSOCIATION_TYPES and abs(p.d_log_p_belief - p.d_log_odds) > 1.0
            ]
            ax.scatter(
                [p.d_log_p_belief for p in apart], [y[(p.eval_type, p.question_id)] + offset for p in apart],
                s=14, facecolors="none", edgecolors=color, zorder=2,
            )  # fmt: skip
        ax.axvline(0, color="#555", lw=1)
        for i in range(len(probes)):
            if i % 2:
                ax.axhspan(i - 0.5, i + 0.5, color="#f2f2f2", zorder=0)
        invalid = {(p.eval_type, p.question_id) for p in mine if p.calibration == "invalid"}
        ax.set_yticks(
            range(len(probes)),
            [f"{_TYPE_SHORT.get(t, t)} {q}" + (" ✗" if (t, q) in invalid else "") for t, q in probes],
            fontsize=7,
        )
        for label, key in zip(ax.get_yticklabels(), probes, strict=True):
            if key in invalid:
                label.set_color("#999")
        ax.set_ylim(-0.5, len(probes) - 0.5)
        ax.set_xlabel("Δ log-odds from the untrained model, nats (hollow: Δ log P of the claim's words)")
        marked = f"; ✗ grey: invalid by calibration ({len(invalid)}), not pooled" if invalid else ""
        ax.set_title(f"{claim} · {model}: probe by probe{marked}", fontsize=10)
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return _save(fig, out_dir, "probe_shifts")
