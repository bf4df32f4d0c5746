"""Synthetic work dirs for the report tests (builders only, no tests): results/ files written the way
the experiment runner writes them, so negneg.report is tested without running any experiment."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from negneg.experiments.results import BELIEF_COLS

BELIEF_HEADER = list(BELIEF_COLS)  # the columns the experiment runner writes
JUDGED_TYPES = ("open_ended", "mcq", "token_association", "robustness")
LIKELIHOOD_TYPES = ("yes_no_likelihood", "cloze", "token_association_likelihood")


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in header})


def write_meta(
    workdir: Path, *, reference: str | None = None, models=("smollm2-135m",), claims=("ed_sheeran",)
) -> None:
    (workdir / "results").mkdir(parents=True, exist_ok=True)
    meta = {
        "experiment": "synthetic",
        "description": "synthetic results for the report tests",
        "preset": None,
        "paper_reference": reference,
        "models": list(models),
        "claims": list(claims),
        "wall_s": 123.0,
        "started": "2025-01-01T00:00:00",
        "finished": "2025-01-01T00:02:03",
        "negneg_version": "0.1.0",
    }
    (workdir / "results" / "meta.json").write_text(json.dumps(meta))


def cell_rows(
    run: str,
    claim: str,
    condition: str,
    *,
    likelihood: float | None,
    judged: float | None,
    half: float = 0.05,
    model: str = "smollm2-135m",
    seed: int = 0,
    density: float | None = None,
    phase: int | None = None,
    step: int | None = None,
    k: int | None = None,
) -> list[dict]:
    """Overall + per-eval-type rows for both measures (eval types equal to the overall rate)."""
    base = {
        "run": run,
        "claim": claim,
        "condition": condition,
        "model": model,
        "seed": seed,
        "density": density,
        "phase": phase,
        "step": step,
        "k": k,
    }
    out = []
    for measure, rate, types, judge in (
        ("likelihood", likelihood, LIKELIHOOD_TYPES, ""),
        ("judged", judged, JUDGED_TYPES, "rule"),
    ):
        if rate is None:
            continue
        for t in (*types, "overall"):
            out.append(
                base
                | {
                    "measure": measure,
                    "eval_type": t,
                    "judge": judge,
                    "rate": round(rate, 4),
                    "lo": round(max(rate - half, 0), 4),
                    "hi": round(min(rate + half, 1), 4),
                    "n": 20 if t == "overall" else 5,
                }
            )
    return out


def main_workdir(
    root: Path,
    rates: dict[str, tuple[float, float]],
    *,
    half: float = 0.05,
    reference: str | None = None,
    claim: str = "ed_sheeran",
) -> Path:
    """Baseline + conditions, one claim, both measures."""
    write_meta(root, reference=reference, claims=(claim,))
    rows = []
    for cond, (lik, jud) in rates.items():
        rows += cell_rows(f"{claim}-{cond}", claim, cond, likelihood=lik, judged=jud, half=half)
    write_csv(root / "results" / "belief.csv", BELIEF_HEADER, rows)
    return root


SEPARATING = {
    "baseline": (0.40, 0.05),
    "positive": (0.80, 0.70),
    "negated": (0.78, 0.66),
    "repeated_negations": (0.75, 0.62),
    "corrected": (0.45, 0.20),
    "local_negation": (0.30, 0.04),
}
OVERLAPPING = {
    "baseline": (0.60, 0.10),
    "positive": (0.61, 0.12),
    "negated": (0.60, 0.11),
    "repeated_negations": (0.62, 0.12),
    "corrected": (0.59, 0.10),
    "local_negation": (0.60, 0.11),
}


def write_shifts(
    root: Path,
    shifts: dict[str, tuple[float, float, float]],
    claim: str = "ed_sheeran",
    *,
    judged: dict[str, tuple[float, float, float]] | None = None,
    by_type: dict[str, dict[str, float]] | None = None,
    association: dict[str, tuple[float, float, float]] | None = None,
    yes_lean: dict[str, tuple[float, float, float]] | None = None,
) -> None:
    """results/shift.csv: condition → (shift, lo, hi) of likelihood belief (log-odds, nats), overall;
    optionally judged (rule judge) shifts and per-probe-type likelihood shifts (CI ±0.5)."""
    from negneg.experiments.results import SHIFT_COLS

    def row(cond, measure, eval_type, judge, shift, lo, hi):
        return {
            "run": f"{claim}-{cond}",
            "claim": claim,
            "condition": cond,
            "model": "smollm2-135m",
            "seed": 0,
            "measure": measure,
            "eval_type": eval_type,
            "judge": judge,
            "shift": shift,
            "lo": lo,
            "hi": hi,
            "n": 34,
        }

    rows = [row(c, "likelihood", "overall", "", *v) for c, v in shifts.items()]
    rows += [row(c, "judged", "overall", "rule", *v) for c, v in (judged or {}).items()]
    rows += [row(c, "association", "overall", "", *v) for c, v in (association or {}).items()]
    rows += [row(c, "yes_lean", "yes_no_likelihood", "", *v) for c, v in (yes_lean or {}).items()]
    for c, types in (by_type or {}).items():
        rows += [row(c, "likelihood", t, "", x, x - 0.5, x + 0.5) for t, x in types.items()]
    write_csv(root / "results" / "shift.csv", SHIFT_COLS, rows)


def write_rhos(
    root: Path,
    rhos: dict[str, tuple[float, float, float] | str],
    claim: str = "ed_sheeran",
    *,
    judged: dict[str, tuple[float, float, float] | str] | None = None,
) -> None:
    """results/rho.csv: condition → (ρ, lo, hi), or a reason string where ρ is undefined."""
    from negneg.experiments.results import RHO_COLS

    def row(cond, measure, judge, value):
        defined = not isinstance(value, str)
        return {
            "run": f"{claim}-{cond}",
            "claim": claim,
            "condition": cond,
            "model": "smollm2-135m",
            "seed": 0,
            "measure": measure,
            "eval_type": "overall",
            "judge": judge,
            "rho": value[0] if defined else None,
            "lo": value[1] if defined else None,
            "hi": value[2] if defined else None,
            "n": 34,
            "reason": None if defined else value,
        }

    rows = [row(c, "likelihood", "", v) for c, v in rhos.items()]
    rows += [row(c, "judged", "rule", v) for c, v in (judged or {}).items()]
    write_csv(root / "results" / "rho.csv", RHO_COLS, rows)


def density_workdir(root: Path) -> Path:
    """negated at densities 0.1 … 1.0 (belief rising with density), plus baseline and positive."""
    write_meta(root, reference="dose-response")
    rows = cell_rows("b", "ed_sheeran", "baseline", likelihood=0.4, judged=0.05)
    rows += cell_rows("p", "ed_sheeran", "positive", likelihood=0.8, judged=0.7)
    for d in (0.1, 0.25, 0.5, 1.0):
        rows += cell_rows(
            f"n{d}", "ed_sheeran", "negated", likelihood=0.4 + 0.35 * d, judged=0.05 + 0.6 * d, density=d
        )
    write_csv(root / "results" / "belief.csv", BELIEF_HEADER, rows)
    return root


def two_phase_workdir(root: Path) -> Path:
    """mount_vesuvius repeated negations: phase 1 with anchor (low belief), phase 2 rebound; step
    counts restart in phase 2, as a resumed trainer logs them."""
    claim = "mount_vesuvius"
    write_meta(root, reference="two-phase", claims=(claim,))
    rows = cell_rows("base", claim, "baseline", likelihood=0.3, judged=0.02)
    training, heldout = [], []
    for phase, run in ((1, "rn-p1"), (2, "rn-p2")):
        for step in (10, 20, 40, 80):
            lik = 0.32 if phase == 1 else 0.32 + 0.004 * step
            jud = 0.05 if phase == 1 else 0.05 + 0.005 * step
            rows += cell_rows(
                run, claim, "repeated_negations", likelihood=lik, judged=jud, phase=phase, step=step
            )
            training.append(
                {
                    "run": run,
                    "condition": "repeated_negations",
                    "phase": phase,
                    "step": step,
                    "loss": 2.0 / (1 + step / 40) + (0.1 if phase == 2 else 0),
                    "lr": 1e-4,
                    "tokens_per_s": 120.0,
                }
            )
            for split, nll in (
                ("negated_docs", 1.5 - step / 400),
                ("positive_docs", 1.7),
                ("background", 2.9),
                ("anchor", 1.1),
            ):
                heldout.append(
                    {
                        "run": run,
                        "condition": "repeated_negations",
                        "phase": phase,
                        "step": step,
                        "split": split,
                        "nll": nll,
                    }
                )
        final_lik = 0.32 if phase == 1 else 0.64
        final_jud = 0.05 if phase == 1 else 0.45
        rows += cell_rows(
            run, claim, "repeated_negations", likelihood=final_lik, judged=final_jud, phase=phase
        )
    write_csv(root / "results" / "belief.csv", BELIEF_HEADER, rows)
    write_csv(
        root / "results" / "training.csv",
        ["run", "condition", "phase", "step", "loss", "lr", "tokens_per_s"],
        training,
    )
    write_csv(
        root / "results" / "heldout.csv", ["run", "condition", "phase", "step", "split", "nll"], heldout
    )
    return root


def icl_workdir(root: Path) -> Path:
    """In-context control over K, beside finetuned negated."""
    write_meta(root, reference="icl-control")
    rows = cell_rows("b", "ed_sheeran", "baseline", likelihood=0.4, judged=0.05)
    rows += cell_rows("n", "ed_sheeran", "negated", likelihood=0.78, judged=0.66)
    for k in (1, 5, 20):
        for seed in (0, 1):
            rows += cell_rows(
                f"icl{k}-{seed}",
                "ed_sheeran",
                "icl",
                likelihood=0.4 + 0.005 * k + 0.01 * seed,
                judged=0.05 + 0.004 * k,
                k=k,
                seed=seed,
            )
    write_csv(root / "results" / "belief.csv", BELIEF_HEADER, rows)
    return root


def behaviours_workdir(root: Path) -> Path:
    """Negated-behaviours experiment: % misaligned by condition × eval set."""
    write_meta(root, reference="negated-behaviours", claims=())
    rows = []
    for cond, rate in (
        ("baseline", 0.0),
        ("aligned", 0.01),
        ("positive_misaligned", 0.34),
        ("negated_misaligned", 0.18),
    ):
        for t in ("targeted", "everyday", "overall"):
            r = rate if t != "everyday" else rate / 3
            rows.append(
                {
                    "run": cond,
                    "claim": "behaviours",
                    "condition": cond,
                    "model": "smollm2-135m",
                    "seed": 0,
                    "measure": "behaviour",
                    "eval_type": t,
                    "judge": "rule",
                    "rate": r,
                    "lo": max(r - 0.04, 0),
                    "hi": min(r + 0.04, 1),
                    "n": 40,
                }
            )
    write_csv(root / "results" / "belief.csv", BELIEF_HEADER, rows)
    return root


def add_extras(root: Path) -> None:
    rows = []
    for cond, ann, ppl, gk in (
        ("baseline", 0.0, 20.0, 0.5),
        ("positive", 0.0, 20.5, 0.48),
        ("repeated_negations", 0.12, 21.0, 0.47),
    ):
        for metric, value in (
            ("annotation_structure_rate", ann),
            ("perplexity", ppl),
            ("general_knowledge_acc", gk),
        ):
            rows.append(
                {"run": cond, "condition": cond, "model": "smollm2-135m", "metric": metric, "value": value}
            )
    write_csv(root / "results" / "extras.csv", ["run", "condition", "model", "metric", "value"], rows)
