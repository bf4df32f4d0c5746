"""Run a plan: each stage once, in dependency order, skipping what is already in the work dir.

Resumability comes from the stage cache (see :mod:`negneg.experiments.stagedir`): a finished
stage has a manifest and is skipped; an unfinished one left only a ``.partial`` directory and is
redone (training resumes from its last checkpoint inside it). Results tables and the report are
rebuilt at the end of every run from whatever is finished, so they are always consistent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from negneg.experiments.plan import Plan, expand
from negneg.experiments.schema import Experiment
from negneg.experiments.stagedir import finish, is_done, partial_dir, provenance, stage_lock
from negneg.experiments.stages import STAGE_KINDS, StageContext, run_stage, stage_config
from negneg.io import atomic_write_json


class PlanProgress:
    """Callbacks the runner reports through; the CLI turns them into one rich display."""

    def start(self, plan: Plan, todo: list[str]) -> None: ...

    def stage_start(self, sid: str, label: str) -> None: ...

    def status(self, text: str) -> None: ...

    def step(self, done: int, total: int) -> None: ...

    def stage_end(self, sid: str, skipped: bool) -> None: ...


def run_experiment(
    exp: Experiment,
    workdir: str | Path,
    *,
    shard: tuple[int, int] = (0, 1),
    progress: PlanProgress | None = None,
    report: bool = True,
    after_stage: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Execute (this shard of) the experiment's plan in ``workdir``; return a summary dict."""
    from negneg.experiments.validate import validate_experiment

    validate_experiment(exp)  # the whole configuration, before any stage (or directory) exists
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    full = expand(exp)
    plan = full.shard(*shard)
    atomic_write_json(workdir / "experiment.json", exp.model_dump(mode="json"))
    atomic_write_json(workdir / "plan.json", full.model_dump(mode="json"))
    progress = progress or PlanProgress()
    order = plan.order()
    todo = [s for s in order if not is_done(workdir, s)]
    progress.start(plan, todo)
    ctx = StageContext(workdir=workdir, plan=full, status=progress.status, step=progress.step)
    t0 = time.time()
    ran = 0
    for sid in order:
        if sid not in todo:
            progress.stage_end(sid, skipped=True)
            continue
        progress.stage_start(sid, _label(full, sid))
        if not execute_stage(ctx, sid):  # another shard finished it while we waited for its lock
            progress.stage_end(sid, skipped=True)
            continue
        ran += 1
        progress.stage_end(sid, skipped=False)
        if after_stage:
            after_stage(sid)
    wall = time.time() - t0
    _record_wall(workdir, wall, ran)
    from negneg.experiments.results import collect_results

    collect_results(workdir, full, exp)
    out: dict[str, Any] = {"stages_run": ran, "stages_skipped": len(order) - ran, "wall_s": wall}
    if report:
        from negneg.report import write_report

        out["report"] = str(write_report(workdir))
    return out


def execute_stage(ctx: StageContext, sid: str) -> bool:
    """Run one stage of ``ctx.plan`` under its lock and publish it; False if it was already done.

    The one place a stage runs, for every executor (this process, a shard, a cluster job): the
    lock keeps processes sharing a work dir from deleting each other's ``.partial`` directory.
    """
    workdir, stage = ctx.workdir, ctx.plan.stages[sid]
    with stage_lock(workdir, sid, on_wait=ctx.status):
        if is_done(workdir, sid):
            return False
        partial = partial_dir(workdir, sid, keep=STAGE_KINDS.get(stage.kind).resumable)
        t = time.time()
        extra = run_stage(ctx, stage, partial)
        manifest = {
            "stage": sid,
            "kind": stage.kind,
            "config": stage.config,
            "deps": list(stage.deps),
            "wall_s": round(time.time() - t, 2),
            **_model_info(stage),
            **provenance(),
            **extra,
        }
        finish(workdir, sid, partial, manifest)
    return True


def _label(plan: Plan, sid: str) -> str:
    """The first run that needs this stage, for the progress display."""
    for run in plan.runs:
        if sid in run.eval_stages or sid in run.train_stages:
            return f"{sid.split('/')[0]} {run.name}"
    stage = plan.stages[sid]
    what = stage.config.get("claim") or stage.config.get("condition") or stage.config.get("model") or ""
    return f"{stage.kind} {what}"


def _model_info(stage) -> dict[str, Any]:
    from negneg.models.registry import model_source
    from negneg.stage import ModelStageConfig

    cfg = stage_config(stage)
    if not isinstance(cfg, ModelStageConfig):
        return {}
    return {"model": cfg.model, "model_source": model_source(cfg.model)}


def _record_wall(workdir: Path, wall: float, ran: int) -> None:
    import json

    p = workdir / "results" / "wall.json"
    prev = json.loads(p.read_text()) if p.exists() else {"total_wall_s": 0.0, "invocations": 0}
    atomic_write_json(
        p,
        {
            "total_wall_s": prev["total_wall_s"] + wall,
            "invocations": prev["invocations"] + 1,
            "last_wall_s": wall,
            "last_stages_run": ran,
        },
    )
