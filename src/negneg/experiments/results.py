"""Collect finished stages into the report's input tables (``<workdir>/results/*.csv``).

The report reads only these files, so it can be rebuilt from any work dir, partial or complete.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from negneg import __version__
from negneg.errors import UserInputError
from negneg.evals.calibration import CALIBRATION_FILE, ProbeSelection
from negneg.experiments.plan import Plan, Run
from negneg.experiments.schema import Experiment
from negneg.experiments.stagedir import is_done, stage_dir
from negneg.io import atomic_write_json, atomic_write_text, load_jsonl_models
from negneg.records import BehaviourResponse, Response
from negneg.report.data import (
    BELIEF_COLUMNS,
    EXTRAS_COLUMNS,
    HELDOUT_COLUMNS,
    PROBE_COLUMNS,
    RHO_COLUMNS,
    SHIFT_COLUMNS,
    TRAINING_COLUMNS,
)

# The report's reader defines the required columns; the writer adds the optional ones it knows.
BELIEF_COLS = [*BELIEF_COLUMNS, "k"]
TRAIN_COLS = [*TRAINING_COLUMNS, "lr", "tokens_per_s"]
HELDOUT_COLS = list(HELDOUT_COLUMNS)
EXTRA_COLS = list(EXTRAS_COLUMNS)
SHIFT_COLS = list(SHIFT_COLUMNS)
RHO_COLS = list(RHO_COLUMNS)
PROBE_COLS = [*PROBE_COLUMNS, "calibration"]
POSITIVE = "positive"
REPEATED = "repeated_negations"
LOCALIZED = "localized_repeated_negations"
# rho.csv measure: Δ(localized) / Δ(repeated_negations), the share of the implant localize leaves
LOCALIZE_KEPT = "localize_kept"


def _csv(cols: list[str], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in cols})
    return buf.getvalue()


def _run_fields(run: Run) -> dict[str, Any]:
    return {
        "run": run.name,
        "claim": run.claim,
        "condition": run.condition,
        "model": run.model,
        "seed": run.seed,
        "density": run.density,
    }


def belief_rows(run: Run, target: dict[str, Any], *, k: int | None = None) -> list[dict[str, Any]]:
    base = {**_run_fields(run), "phase": target.get("phase"), "step": target.get("step"), "k": k}
    rows = []
    for judge, stats in (target.get("judged") or {}).items():
        for eval_type, s in stats.items():
            rows.append(
                {
                    **base,
                    "measure": "judged",
                    "eval_type": eval_type,
                    "judge": judge,
                    "rate": s["rate"],
                    "lo": s["lo"],
                    "hi": s["hi"],
                    "n": s["n_questions"],
                }
            )
    for measure in ("likelihood", "likelihood_all"):
        rows += _likelihood_rows(base, measure, target.get(measure) or {})
    return rows + _behaviour_rows(base, target)


def _likelihood_rows(base: dict[str, Any], measure: str, stats: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for eval_type, s in stats.items():
        rows.append(
            {
                **base,
                "measure": measure,
                "eval_type": eval_type,
                "judge": None,
                "rate": s["rate"],
                "lo": s["lo"],
                "hi": s["hi"],
                "n": s["n_questions"],
            }
        )
    return rows


def _behaviour_rows(base: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for eval_type, s in (target.get("behaviour") or {}).items():
        for judge, st in s.items():
            rows.append(
                {
                    **base,
                    "measure": "behaviour",
                    "eval_type": eval_type,
                    "judge": judge,
                    "rate": st["rate"],
                    "lo": st["lo"],
                    "hi": st["hi"],
                    "n": st["n_questions"],
                }
            )
    return rows


def _final_responses(workdir: Path, sid: str) -> list[Response]:
    """The responses of an eval stage's final adapter (or of the untrained model)."""
    path = stage_dir(workdir, sid) / "responses.jsonl"
    if not path.exists():
        return []
    rs = [r for r in load_jsonl_models(Response, path) if r.run == "final"]
    if any(r.likelihoods and r.belief is None for r in rs):
        raise UserInputError(
            "likelihood responses from an older negneg (they do not name their belief continuation)",
            where=str(path),
            fix="rerun the experiment with `negneg run EXPERIMENT -w WORKDIR`: the evals rerun, training is reused",
        )
    return rs


Finals = list[tuple[Run, int | None, list[Response]]]
Baselines = dict[tuple[str, str], list[Response]]


def _finals(workdir: Path, plan: Plan) -> Finals:
    """(run, phase, final responses) of every finished final-adapter eval of a trained run."""
    out = []
    for run in plan.runs:
        if run.condition in ("baseline", "icl") or run.claim == "behaviours":
            continue
        for sid in run.eval_stages:
            if not is_done(workdir, sid) or plan.stages[sid].kind != "eval":
                continue
            deps = plan.stages[sid].deps
            phase = _phase(plan, deps[0]) if deps else None
            out.append((run, phase, _final_responses(workdir, sid)))
    return out


def _baselines(workdir: Path, plan: Plan) -> Baselines:
    baselines: Baselines = {}
    for run in plan.runs:
        if run.condition == "baseline" and run.claim != "behaviours":
            for sid in run.eval_stages:
                if is_done(workdir, sid) and plan.stages[sid].kind == "eval":
                    baselines[(run.claim, run.model)] = _final_responses(workdir, sid)
    return baselines


def _judges(*groups: list[Response]) -> list[str]:
    common = set.intersection(*({r.judge for r in g if r.judge} for g in groups))
    return sorted(common)


def _by_judge(rs: list[Response], judge: str) -> list[Response]:
    return [r for r in rs if r.judge == judge]


def _measure_rows(
    fields: dict[str, Any], groups: list[tuple[str, str, dict[str, Any]]], values: Callable[[Any], dict]
) -> list[dict[str, Any]]:
    """One CSV row per (measure, judge, eval type) of ``groups``: the run's fields, the row's key,
    and ``values`` of its statistic."""
    return [
        {**fields, "measure": measure, "eval_type": eval_type, "judge": judge or None, **values(stat)}
        for measure, judge, by_type in groups
        for eval_type, stat in by_type.items()
    ]


def probe_selection(exp: Experiment) -> ProbeSelection:
    """The likelihood probes the pooled measure uses: all but those the probe calibration found
    invalid (``eval.probe_selection: calibrated``, the default), or all of them."""
    from negneg.claims.loader import load_claim
    from negneg.evals.calibration import ProbeSelection, load_calibration

    if exp.behaviour is not None or exp.writes_calibration or exp.eval.probe_selection == "all":
        return ProbeSelection.none()
    source = exp.eval.probe_calibration or "the calibration shipped with negneg"
    return ProbeSelection.for_claims(
        [load_claim(c) for c in exp.claims], load_calibration(exp.eval.probe_calibration), source
    )


def shift_rows(
    finals: Finals, baselines: Baselines, selection: ProbeSelection | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Paired shifts (trained − untrained, same questions) of every finished final adapter whose
    claim and model have a finished baseline eval — likelihood in log-odds (nats) on the probes
    ``selection`` keeps, judged per judge — and the Negation Neglect ratio ρ = Δ(run) / Δ(positive)
    of every run with a finished positive run of the same claim, model, seed and phase.

    Where the selection leaves probes out, ``likelihood_all`` rows give the shift and ρ over every
    probe, so the effect of the selection stays visible."""
    from negneg.evals.calibration import ProbeSelection
    from negneg.evals.metrics import (
        association_shift,
        judged_shift,
        likelihood_shift,
        neglect_ratio,
        yes_lean_shift,
    )

    selection = selection or ProbeSelection.none()

    positives = {
        (run.claim, run.model, run.seed, phase): rs for run, phase, rs in finals if run.condition == POSITIVE
    }
    repeated = {
        (run.claim, run.model, run.seed, phase): rs for run, phase, rs in finals if run.condition == REPEATED
    }
    shifts: list[dict[str, Any]] = []
    rhos: list[dict[str, Any]] = []
    for run, phase, trained in finals:
        base = baselines.get((run.claim, run.model))
        if base is None:
            continue
        fields = {**_run_fields(run), "phase": phase}
        sel_trained, sel_base = selection.select(trained), selection.select(base)
        narrowed = len(sel_base) < len(base)
        stats = [("likelihood", "", likelihood_shift(sel_trained, sel_base))]
        if narrowed:
            stats.append(("likelihood_all", "", likelihood_shift(trained, base)))
        stats.append(("association", "", association_shift(trained, base)))
        lean = yes_lean_shift(trained, base)
        if lean is not None:  # what the yes/no correction removed (not a belief measure)
            stats.append(("yes_lean", "", {"yes_no_likelihood": lean}))
        for judge in _judges(trained, base):
            stats.append(("judged", judge, judged_shift(_by_judge(trained, judge), _by_judge(base, judge))))
        shifts += _measure_rows(
            fields, stats, lambda st: {"shift": st.rate, "lo": st.lo, "hi": st.hi, "n": st.n_questions}
        )
        rep = repeated.get((run.claim, run.model, run.seed, phase))
        if run.condition == LOCALIZED and rep is not None:
            # how much of the distal-negation corpus's implant survives `negneg localize`: Δ(localized)
            # / Δ(repeated_negations), paired over the same probes (1 − it is the share removed)
            rhos += _measure_rows(
                fields,
                [(LOCALIZE_KEPT, "", neglect_ratio(sel_trained, selection.select(rep), sel_base))],
                lambda rs: {
                    "rho": rs.rho, "lo": rs.lo, "hi": rs.hi, "n": rs.n_questions, "shift": rs.shift,
                    "positive_shift": rs.positive_shift, "reason": rs.reason,
                },
            )  # fmt: skip
        pos = positives.get((run.claim, run.model, run.seed, phase))
        if pos is None or run.condition == POSITIVE:
            continue
        ratios = [("likelihood", "", neglect_ratio(sel_trained, selection.select(pos), sel_base))]
        if narrowed:
            ratios.append(("likelihood_all", "", neglect_ratio(trained, pos, base)))
        for judge in _judges(trained, pos, base):
            ratios.append(
                (
                    "judged",
                    judge,
                    neglect_ratio(
                        _by_judge(trained, judge),
                        _by_judge(pos, judge),
                        _by_judge(base, judge),
                        measure="judged",
                    ),
                )
            )
        rhos += _measure_rows(
            fields,
            ratios,
            lambda rs: {
                "rho": rs.rho,
                "lo": rs.lo,
                "hi": rs.hi,
                "n": rs.n_questions,
                "shift": rs.shift,
                "positive_shift": rs.positive_shift,
                "reason": rs.reason,
            },
        )
    return shifts, rhos


def behaviour_rho_rows(workdir: Path, plan: Plan) -> list[dict[str, Any]]:
    """rho.csv rows of a negated-behaviours run with chat localization: the share of
    flagged_misaligned's learned behaviour that localized_flagged_misaligned keeps, per judge and
    eval set (measure localize_kept; :func:`negneg.behaviours.metrics.behaviour_ratio`)."""
    from negneg.behaviours.metrics import behaviour_ratio
    from negneg.behaviours.transcripts import LOCALIZED as LOCALIZED_CHATS

    def responses(sid: str) -> list[BehaviourResponse]:
        path = stage_dir(workdir, sid) / "responses.jsonl"
        return list(load_jsonl_models(BehaviourResponse, path)) if path.exists() else []

    evals = {
        (run.condition, run.model, run.seed): (run, responses(sid))
        for run in plan.runs
        if run.claim == "behaviours"
        for sid in run.eval_stages
        if is_done(workdir, sid)
    }
    rows: list[dict[str, Any]] = []
    for (condition, model, seed), (run, rs) in evals.items():
        flagged, base = evals.get(("flagged_misaligned", model, seed)), evals.get(("baseline", model, 0))
        if condition != LOCALIZED_CHATS or flagged is None or base is None:
            continue
        for judge, by_type in behaviour_ratio(rs, flagged[1], base[1]).items():
            rows += _measure_rows(
                {**_run_fields(run), "phase": None},
                [(LOCALIZE_KEPT, judge, by_type)],
                lambda rs: {
                    "rho": rs.rho, "lo": rs.lo, "hi": rs.hi, "n": rs.n_questions, "shift": rs.shift,
                    "positive_shift": rs.positive_shift, "reason": rs.reason,
                },
            )  # fmt: skip
    return rows


def probe_rows(
    finals: Finals, baselines: Baselines, selection: ProbeSelection | None = None
) -> list[dict[str, Any]]:
    """Every likelihood probe of every finished final adapter beside the untrained model: the
    per-probe view behind the pooled shifts (heterogeneity stays visible), with each probe's
    calibration status (valid, invalid, uncalibrated)."""
    from negneg.evals.calibration import ProbeSelection
    from negneg.evals.likelihood import log_odds, log_p_belief

    selection = selection or ProbeSelection.none()

    def by_question(rs: list[Response]) -> dict[tuple[str, str], Response]:
        return {(r.eval_type, r.question_id): r for r in rs if r.score is not None and r.likelihoods}

    by_base = {k: by_question(v) for k, v in baselines.items()}
    rows: list[dict[str, Any]] = []
    for run, phase, trained in finals:
        base = by_base.get((run.claim, run.model))
        if not base:
            continue
        for key, r in by_question(trained).items():
            b = base.get(key)
            if b is None:
                continue
            lo, lp, blo, blp = log_odds(r), log_p_belief(r), log_odds(b), log_p_belief(b)
            rows.append(
                {
                    **_run_fields(run),
                    "phase": phase,
                    "eval_type": key[0],
                    "question_id": key[1],
                    "log_odds": round(lo, 4),
                    "log_p_belief": round(lp, 4),
                    "base_log_odds": round(blo, 4),
                    "base_log_p_belief": round(blp, 4),
                    "d_log_odds": round(lo - blo, 4),
                    "d_log_p_belief": round(lp - blp, 4),
                    "calibration": selection.status(r.claim_id, key[0], key[1]),
                }
            )
    return rows


def write_run_calibration(path: Path, finals: Finals, baselines: Baselines, exp: Experiment) -> Path | None:
    """A calibration run's ``results/probe_calibration.json``: every claim's positive run (the first
    seed's, final adapter, single phase) against its untrained model."""
    from negneg.claims.loader import load_claim
    from negneg.evals.calibration import ProbeCalibration, calibrate_claim, write_calibration

    specs = {s.id: s for s in (load_claim(c) for c in exp.claims)}
    out = ProbeCalibration()
    for run, phase, trained in finals:
        base = baselines.get((run.claim, run.model))
        if run.condition != POSITIVE or phase is not None or base is None or run.claim in out.claims:
            continue
        out.claims[run.claim] = calibrate_claim(
            specs[run.claim],
            trained,
            base,
            model=run.model,
            corpus_seed=exp.corpus.seed,
            training_seed=run.seed,
            n_documents=exp.corpus.n_documents,
            recipe=exp.recipe,
            negneg_version=__version__,
        )
    return write_calibration(out, path) if out.claims else None


def _last_train_step(workdir: Path, deps: tuple[str, ...]) -> int | None:
    if not deps:
        return None
    log = json.loads((stage_dir(workdir, deps[0]) / "log.json").read_text())["log"]
    steps = [r["step"] for r in log if r.get("step") is not None]
    return max(steps) if steps else None


def _phase(plan: Plan, train_id: str) -> int | None:
    """The phase of a train stage (None outside a two-phase run)."""
    from negneg.experiments.stages import stage_config
    from negneg.training.stage import TrainStageConfig

    cfg = stage_config(plan.stages[train_id])
    return cfg.phase if isinstance(cfg, TrainStageConfig) else None


def _target_label(target: dict[str, Any]) -> str:
    """The ``run`` label an eval stage gave a target's responses (see the eval executor)."""
    if target.get("run"):
        return str(target["run"])
    return "final" if target.get("step") is None else f"step{target['step']}"


def _selected_levels(workdir: Path, sid: str, run: Run, selection: ProbeSelection) -> dict[str, Any]:
    """Per target label, the likelihood levels over the probes ``selection`` keeps — empty when
    it keeps every probe of the run's claim. An eval stage summarises every probe; belief.csv's
    ``likelihood`` rows must pool the same probes as shift.csv's, or a curve over steps and the
    headline shift would be read off different probe sets."""
    from negneg.evals.metrics import likelihood_belief

    counts = selection.counts(run.claim)
    path = stage_dir(workdir, sid) / "responses.jsonl"
    if run.claim == "behaviours" or not counts["invalid"] or not path.exists():
        return {}
    by_label: dict[str, list[Response]] = {}
    for r in load_jsonl_models(Response, path):
        if r.likelihoods is not None:
            by_label.setdefault(r.run, []).append(r)
    return {
        label: {t: st.model_dump() for t, st in likelihood_belief(selection.select(rs)).items()}
        for label, rs in by_label.items()
    }


def collect_results(workdir: Path, plan: Plan, exp: Experiment) -> dict[str, int]:
    workdir = Path(workdir)
    belief: list[dict] = []
    training: list[dict] = []
    heldout: list[dict] = []
    extras: list[dict] = []
    selection = probe_selection(exp)
    for run in plan.runs:
        for sid in run.eval_stages:
            if not is_done(workdir, sid):
                continue
            summary = json.loads((stage_dir(workdir, sid) / "summary.json").read_text())
            selected = _selected_levels(workdir, sid, run, selection)
            for target in summary["targets"]:
                label = _target_label(target)
                if label in selected:  # the pooled level on the calibrated probes, all beside it
                    target = {**target, "likelihood": selected[label], "likelihood_all": target["likelihood"]}
                k = None
                if run.condition == "icl":
                    m = re.search(r"icl(\d+)_seed(\d+)", str(target.get("run", "")))
                    k = int(m.group(1)) if m else None
                belief += belief_rows(run, target, k=k)
                step = target.get("step")
                if step is None and target.get("heldout"):
                    # the final adapter sits at the last training step (heldout.csv needs a step)
                    step = _last_train_step(workdir, plan.stages[sid].deps)
                for split, nll in (target.get("heldout") or {}).items():
                    row = {**_run_fields(run), "phase": target.get("phase"), "step": step, "split": split}
                    if step is not None and not any(
                        {k: h[k] for k in row} == row for h in heldout
                    ):  # the final adapter duplicates a checkpoint saved at the last step
                        heldout.append({**row, "nll": nll})
                if target.get("step") is None:
                    for metric, value in (target.get("extras") or {}).items():
                        extras.append({**_run_fields(run), "metric": metric, "value": value})
        for sid in run.train_stages:
            if not is_done(workdir, sid):
                continue
            phase = _phase(plan, sid)
            log = json.loads((stage_dir(workdir, sid) / "log.json").read_text())["log"]
            for row in log:
                if row.get("loss") is not None:
                    training.append({**_run_fields(run), "phase": phase, **row})
    res = workdir / "results"
    atomic_write_text(res / "belief.csv", _csv(BELIEF_COLS, belief))
    atomic_write_text(res / "training.csv", _csv(TRAIN_COLS, training))
    atomic_write_text(res / "heldout.csv", _csv(HELDOUT_COLS, heldout))
    atomic_write_text(res / "extras.csv", _csv(EXTRA_COLS, extras))
    # every final adapter's and baseline's responses, read once for the shifts, ρ and probe rows
    finals, baselines = _finals(workdir, plan), _baselines(workdir, plan)
    shifts, rhos = shift_rows(finals, baselines, selection)
    rhos += behaviour_rho_rows(workdir, plan)
    atomic_write_text(res / "shift.csv", _csv(SHIFT_COLS, shifts))
    atomic_write_text(res / "rho.csv", _csv(RHO_COLS, rhos))
    probes = probe_rows(finals, baselines, selection)
    atomic_write_text(res / "probes.csv", _csv(PROBE_COLS, probes))
    if exp.writes_calibration:
        write_run_calibration(res / CALIBRATION_FILE, finals, baselines, exp)
    wall = (
        json.loads((res / "wall.json").read_text())["total_wall_s"] if (res / "wall.json").exists() else None
    )
    meta = {
        "experiment": exp.name,
        "description": exp.description,
        "preset": exp.name,
        "paper_reference": exp.paper_reference,
        "models": exp.models,
        "claims": exp.claims,
        "wall_s": wall,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "negneg_version": __version__,
        "runs": len(plan.runs),
        "probe_selection": {c: selection.describe(c) for c in sorted(selection.statuses)},
        "probe_calibration_source": selection.source,
    }
    atomic_write_json(res / "meta.json", meta)
    return {
        "belief": len(belief),
        "training": len(training),
        "heldout": len(heldout),
        "extras": len(extras),
        "shift": len(shifts),
        "rho": len(rhos),
        "probes": len(probes),
    }


def recollect(workdir: Path) -> None:
    """Rebuild results/*.csv from the finished stages named in the work dir's plan.json (a work
    dir that ``negneg run`` did not write has none, and is left as it is)."""
    plan_path, exp_path = workdir / "plan.json", workdir / "experiment.json"
    if not (plan_path.exists() and exp_path.exists()):
        return
    from pydantic import ValidationError

    from negneg.errors import validation_error_line
    from negneg.io import read_json

    try:
        plan = Plan.model_validate(read_json(plan_path))
    except ValidationError as exc:
        raise validation_error_line(exc, str(plan_path)) from None
    try:
        exp = Experiment.model_validate(read_json(exp_path))
    except ValidationError as exc:
        raise validation_error_line(exc, str(exp_path)) from None
    collect_results(workdir, plan, exp)
