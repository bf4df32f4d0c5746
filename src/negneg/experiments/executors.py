"""Executors: where a plan's stages run.

* ``local`` (the default): this process, one stage after another
  (:func:`negneg.experiments.runner.run_experiment`).
* ``slurm``: every stage is a Slurm job submitted through **submitit**. Stages are grouped by
  depth in the dependency graph and by kind: each group's stages are independent of each other,
  so a group is one array job (``map_array``), and it starts ``afterok`` the groups that hold its
  stages' upstream stages. Resources come from the experiment's ``cluster:`` block (GPU stage
  kinds get ``gpus_per_node``, the others none).
* ``submitit-local``: the same job graph through submitit's local executor — each stage a real
  subprocess on this machine, a group's array elements in parallel. It has no job dependencies,
  so the driver waits for a depth's jobs before submitting the next; it is how the cluster path
  is tested without a cluster.

A job runs :func:`~negneg.experiments.runner.execute_stage`, exactly as the local runner does:
the same stage cache (a finished stage is skipped, a stage that a job already published is not
redone), the same per-stage lock, the same resume from a training stage's last checkpoint. So a
failed or cancelled sweep is finished by submitting it again (or by ``negneg run`` without an
executor), and results and the report are rebuilt at the end from whatever is finished.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from negneg.errors import NegnegError
from negneg.experiments.cluster import ClusterSpec

EXECUTORS = ("local", "slurm", "submitit-local")


class Group(BaseModel):
    """One array job: stages of one kind at one depth of the graph (independent of each other)."""

    depth: int
    kind: str
    stages: list[str]
    after: list[int] = Field(default_factory=list)  # indices of the groups it waits for


def job_groups(plan, todo: list[str]) -> list[Group]:
    """Split the stages still to do into array jobs, in submission order, with their dependencies.

    A stage's depth is 0 when none of its upstream stages is still to do, else one more than the
    deepest of those; stages of one depth never depend on each other. Finished upstream stages
    need no job and no dependency."""
    pending = set(todo)
    depth: dict[str, int] = {}
    for sid in todo:  # todo is in dependency order (plan.order())
        up = [d for d in plan.stages[sid].deps if d in pending]
        depth[sid] = 1 + max(depth[d] for d in up) if up else 0
    first: dict[tuple[int, str], int] = {}
    for i, sid in enumerate(todo):
        first.setdefault((depth[sid], plan.stages[sid].kind), i)
    keys = sorted(first, key=lambda k: (k[0], first[k]))  # by depth, then first appearance
    index = {k: i for i, k in enumerate(keys)}
    groups = [Group(depth=d, kind=k, stages=[]) for d, k in keys]
    for sid in todo:
        g = groups[index[(depth[sid], plan.stages[sid].kind)]]
        g.stages.append(sid)
        for d in plan.stages[sid].deps:
            if d in pending and (j := index[(depth[d], plan.stages[d].kind)]) not in g.after:
                g.after.append(j)
    for g in groups:
        g.after.sort()
    return groups


def run_stage_job(workdir: str, sid: str) -> dict[str, Any]:
    """What one cluster job runs: a stage of the plan stored in ``workdir`` (its lock, its cache)."""
    from negneg.experiments.plan import Plan
    from negneg.experiments.runner import execute_stage
    from negneg.experiments.stagedir import is_done
    from negneg.experiments.stages import StageContext

    wd = Path(workdir)
    plan = Plan.model_validate_json((wd / "plan.json").read_text())
    missing = [d for d in plan.stages[sid].deps if not is_done(wd, d)]
    if missing:
        raise RuntimeError(f"{sid}: upstream stages not finished: {', '.join(missing)}")
    t = time.time()
    ran = execute_stage(StageContext(workdir=wd, plan=plan), sid)
    return {"stage": sid, "ran": ran, "wall_s": round(time.time() - t, 2)}


def make_executor(kind: Literal["slurm", "submitit-local"], folder: Path, cluster: ClusterSpec):
    import submitit

    if kind == "slurm":
        ex = submitit.AutoExecutor(folder=folder, cluster="slurm")
        extra = {f"slurm_{k}": v for k, v in cluster.slurm.items()}
        if cluster.partition:
            extra["slurm_partition"] = cluster.partition
        if cluster.setup:
            extra["slurm_setup"] = list(cluster.setup)
        ex.update_parameters(
            cpus_per_task=cluster.cpus,
            mem_gb=cluster.mem,
            slurm_array_parallelism=cluster.array_parallelism,
            **extra,
        )
        return ex
    ex = submitit.AutoExecutor(folder=folder, cluster="local")
    if cluster.setup:
        ex.update_parameters(local_setup=list(cluster.setup))
    return ex


def group_parameters(
    group: Group, cluster: ClusterSpec, dep_job_ids: list[str], *, slurm: bool
) -> dict[str, Any]:
    """submitit parameters of one group's array job: name, time, GPUs, and (Slurm) its dependency."""
    gpu = group.kind in cluster.gpu_stages
    params: dict[str, Any] = {
        "name": f"negneg-{group.kind}",
        "timeout_min": cluster.time if gpu else cluster.cpu_stage_time,
        "gpus_per_node": cluster.gpus_per_node if gpu else 0,
    }
    if slurm:  # submitit ignores None (it keeps the last value): groups without upstream jobs all
        # come first (depth 0), so no group after them ever needs the dependency cleared
        params["slurm_dependency"] = f"afterok:{':'.join(dep_job_ids)}" if dep_job_ids else None
    return params


def _array_id(job) -> str:
    """Slurm's id of the whole array (``123`` for element ``123_4``): afterok on it waits for all."""
    return str(job.job_id).split("_")[0]


def submit_plan(
    exp,
    workdir: str | Path,
    executor: Literal["slurm", "submitit-local"],
    *,
    shard: tuple[int, int] = (0, 1),
    report: bool = True,
    wait: bool = True,
    log: Callable[[str], None] = lambda msg: None,
    make: Callable[..., Any] = make_executor,
) -> dict[str, Any]:
    """Submit (this shard of) the experiment's unfinished stages as array jobs; with ``wait``, wait
    for them, then rebuild results and the report as the local runner does."""
    from negneg.experiments.plan import expand
    from negneg.experiments.stagedir import is_done
    from negneg.io import atomic_write_json

    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    full = expand(exp)
    plan = full.shard(*shard)
    atomic_write_json(workdir / "experiment.json", exp.model_dump(mode="json"))
    atomic_write_json(workdir / "plan.json", full.model_dump(mode="json"))
    cluster = getattr(exp, "cluster", None) or ClusterSpec()
    order = plan.order()
    todo = [s for s in order if not is_done(workdir, s)]
    groups = job_groups(plan, todo)
    folder = Path(cluster.log_dir) if cluster.log_dir else workdir / "slurm"
    ex = make(executor, folder / "%j", cluster)
    slurm = executor == "slurm"
    t0 = time.time()
    jobs: list[list[Any]] = []
    waited: set[int] = set()
    done_early = 0
    for g in groups:
        if not slurm:  # no dependencies on the local executor: the groups before it must finish
            for j in g.after:
                if j not in waited:
                    waited.add(j)
                    ran, bad = _wait(jobs[j], log)
                    if bad:
                        raise JobsFailed(bad, folder)
                    done_early += ran
        ids = [_array_id(jobs[j][0]) for j in g.after] if slurm else []
        ex.update_parameters(**group_parameters(g, cluster, ids, slurm=slurm))
        batch = ex.map_array(run_stage_job, [str(workdir)] * len(g.stages), g.stages)
        jobs.append(batch)
        after = f", after {', '.join(_array_id(jobs[j][0]) for j in g.after)}" if g.after else ""
        log(f"submitted {len(batch)} {g.kind} stage(s) as job {_array_id(batch[0])}{after}")
    out: dict[str, Any] = {
        "stages_run": 0,
        "stages_skipped": len(order) - len(todo),
        "jobs": [[str(j.job_id) for j in batch] for batch in jobs],
        "job_folder": str(folder),
    }
    if not wait:
        out["wall_s"] = time.time() - t0
        return out
    failed: list[str] = []
    out["stages_run"] = done_early
    for i, batch in enumerate(jobs):
        if i in waited:
            continue
        ran, bad = _wait(batch, log)
        out["stages_run"] += ran
        failed += bad
    out["wall_s"] = time.time() - t0
    if failed:
        raise JobsFailed(failed, folder)
    from negneg.experiments.results import collect_results

    collect_results(workdir, full, exp)
    if report:
        from negneg.report import write_report

        out["report"] = str(write_report(workdir))
    return out


class JobsFailed(NegnegError):
    """Cluster jobs failed; the stages they finished are kept, so submitting again resumes."""

    def __init__(self, failed: list[str], folder: Path):
        super().__init__(
            f"{len(failed)} job(s) failed: {'; '.join(failed)[:2000]} — logs in {folder}; finished "
            "stages are kept: run the same command again to resume"
        )


def _wait(batch: list[Any], log: Callable[[str], None]) -> tuple[int, list[str]]:
    """Wait for a batch of jobs; return how many ran their stage, and one line per failed job."""
    ran, failed = 0, []
    for job in batch:
        try:
            res = job.result()
        except Exception as err:  # noqa: BLE001 - submitit re-raises the job's error with its traceback
            lines = str(err).strip().splitlines()
            failed.append(f"job {job.job_id}: {lines[-1] if lines else repr(err)}")
            continue
        ran += bool(res["ran"])
        log(f"done {res['stage']} ({'ran' if res['ran'] else 'already finished'}, {res['wall_s']} s)")
    return ran, failed
