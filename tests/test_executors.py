"""Executors on tiny-random: stage locks under concurrent shards, the job graph of the slurm
executor, and submitit's local executor (real subprocesses) giving the in-process results."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from negneg.experiments.executors import ClusterSpec, job_groups, submit_plan
from negneg.experiments.plan import expand
from negneg.experiments.schema import Experiment, load_experiment

TINY = {
    "name": "tiny-exec",
    "description": "tiny-random executors test",
    "claims": ["ed_sheeran"],
    "conditions": ["positive", "repeated_negations"],
    "models": ["tiny-random"],
    "recipe": "tiny",
    "recipe_overrides": {"max_steps": 4, "checkpoints": 1},
    "corpus": {"source": "generated", "n_documents": 8},
    "mix": {"background_ratio": 0.25, "chat_ratio": 0.25, "max_length": 64, "window": "claim"},
    "eval": {"probes": ["likelihood"], "samples": 1, "max_new_tokens": 6, "judges": ["rule"]},
    "cluster": {"partition": "gpu", "gpus_per_node": 2, "cpus": 4, "mem": 32, "time": 90},
}


def _write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "exp.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


def _belief(wd: Path) -> list[dict]:
    with (wd / "results" / "belief.csv").open() as fh:
        return list(csv.DictReader(fh))


def _same_results(a: list[dict], b: list[dict]) -> None:
    assert len(a) == len(b) and a
    for x, y in zip(a, b, strict=True):
        assert {k: v for k, v in x.items() if k not in ("rate", "lo", "hi")} == {
            k: v for k, v in y.items() if k not in ("rate", "lo", "hi")
        }
        for k in ("rate", "lo", "hi"):
            assert float(x[k]) == pytest.approx(float(y[k]), abs=1e-5)


@pytest.fixture(scope="module")
def one_process(tmp_path_factory) -> tuple[Path, list[dict]]:
    """The reference: the whole plan in this process."""
    from negneg.experiments.runner import run_experiment

    tmp = tmp_path_factory.mktemp("one")
    exp = _write(tmp, TINY)
    run_experiment(load_experiment(exp), tmp / "wd", report=False)
    return exp, _belief(tmp / "wd")


def test_job_groups_are_independent_stages_of_one_kind_after_their_upstream_groups():
    plan = expand(Experiment.model_validate(TINY))
    todo = plan.order()
    groups = job_groups(plan, todo)
    assert sorted(s for g in groups for s in g.stages) == sorted(todo)
    where = {s: i for i, g in enumerate(groups) for s in g.stages}
    for i, g in enumerate(groups):
        assert {plan.stages[s].kind for s in g.stages} == {g.kind}
        assert all(j < i for j in g.after)
        for s in g.stages:
            for d in plan.stages[s].deps:
                assert where[d] in g.after  # upstream runs in an earlier group it waits for
                assert where[d] != i
    assert len([g for g in groups if g.kind == "train"]) == 1  # both trainings in one array job
    # finished upstream stages need neither a job nor a dependency
    rest = [s for s in todo if plan.stages[s].kind not in ("corpus", "annotate")]
    assert all(g.kind not in ("corpus", "annotate") for g in job_groups(plan, rest))
    assert job_groups(plan, rest)[0].after == []


class FakeJob:
    def __init__(self, job_id: str, stage: str):
        self.job_id, self.stage = job_id, stage

    def result(self):
        return {"stage": self.stage, "ran": False, "wall_s": 0.0}


class FakeSlurm:
    """Records what would be submitted to Slurm (no cluster here)."""

    def __init__(self):
        self.params: dict = {}
        self.submitted: list[tuple[dict, list[str]]] = []

    def update_parameters(self, **kw):
        self.params.update(kw)

    def map_array(self, fn, workdirs, stages):
        n = len(self.submitted) + 100
        self.submitted.append((dict(self.params), list(stages)))
        return [FakeJob(f"{n}_{i}", s) for i, s in enumerate(stages)]


def test_slurm_submits_array_jobs_with_dependencies_and_the_yamls_resources(tmp_path):
    exp = Experiment.model_validate(TINY)
    fake = FakeSlurm()
    made = {}

    def make(kind, folder, cluster):
        made.update(kind=kind, cluster=cluster, folder=folder)
        return fake

    out = submit_plan(exp, tmp_path / "wd", "slurm", wait=False, make=make)
    assert made["kind"] == "slurm" and made["cluster"] == ClusterSpec(**TINY["cluster"])
    groups = job_groups(expand(exp), expand(exp).order())
    assert [s for _, s in fake.submitted] == [g.stages for g in groups]
    for g, (params, _) in zip(groups, fake.submitted, strict=True):
        gpu = g.kind in ("train", "eval", "distill")
        assert params["gpus_per_node"] == (2 if gpu else 0)
        assert params["timeout_min"] == (90 if gpu else 60)
        want = ":".join(str(100 + j) for j in g.after)
        assert params["slurm_dependency"] == (f"afterok:{want}" if g.after else None)
    assert len(out["jobs"]) == len(groups)


def test_two_shards_on_one_workdir_match_one_process(one_process, tmp_path):
    """Two `--shard` processes at once share the upstream stages (corpus, baseline eval): the
    stage lock makes one wait for the other instead of deleting its `.partial` directory."""
    exp, reference = one_process
    wd = tmp_path / "wd"
    cmd = [sys.executable, "-m", "negneg.cli", "run", str(exp), "-w", str(wd), "--no-report"]
    procs = [
        subprocess.Popen([*cmd, "--shard", f"{i}/2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for i in range(2)
    ]
    for p in procs:
        assert p.wait(timeout=600) == 0, p.stderr.read().decode()[-3000:]
    from negneg.experiments.runner import run_experiment

    assert run_experiment(load_experiment(exp), wd, report=False)["stages_run"] == 0
    assert not list(wd.glob("*/*.partial"))
    _same_results(_belief(wd), reference)


def test_submitit_local_executor_runs_every_stage_as_a_job(one_process, tmp_path):
    pytest.importorskip("submitit")
    exp, reference = one_process
    wd = tmp_path / "wd"
    env = {**os.environ}
    p = subprocess.run(
        [sys.executable, "-m", "negneg.cli", "run", str(exp), "-w", str(wd), "--no-report"]
        + ["--executor", "submitit-local"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "submitted" in p.stdout and "train" in p.stdout
    plan = expand(load_experiment(exp))
    assert len(list((wd / "slurm").glob("*/*_result.pkl"))) == len(plan.stages)  # one job per stage
    _same_results(_belief(wd), reference)
    # everything is cached: a second submission runs no job
    again = subprocess.run(
        [sys.executable, "-m", "negneg.cli", "run", str(exp), "-w", str(wd), "--no-report"]
        + ["--executor", "submitit-local"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "submitted" not in again.stdout
