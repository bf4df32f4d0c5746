"""Experiments end to end on tiny-random: plan expansion, shards, kill -9 and resume, presets."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from negneg.cli import main
from negneg.experiments.plan import expand
from negneg.experiments.presets import preset_header, preset_registry
from negneg.experiments.schema import Experiment, load_experiment

TINY = {
    "name": "tiny-e2e",
    "description": "tiny-random end-to-end test",
    "claims": ["ed_sheeran"],
    "conditions": ["positive", "repeated_negations"],
    "models": ["tiny-random"],
    "recipe": "tiny",
    "recipe_overrides": {"max_steps": 24, "checkpoints": 3},
    "corpus": {"source": "generated", "n_documents": 8},
    "mix": {"background_ratio": 0.25, "chat_ratio": 0.25, "max_length": 64, "window": "claim"},
    "eval": {
        "probes": ["likelihood", "generative"],
        "samples": 1,
        "max_new_tokens": 6,
        "judges": ["rule"],
        "checkpoints": "all",
        "checkpoint_probes": ["likelihood"],
    },
}


def _write(tmp_path: Path, data: dict, name: str = "exp.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data))
    return p


def test_every_preset_loads_and_opens_with_a_comment():
    names = preset_registry().names()
    for required in [
        "quickstart",
        "paper-main",
        "corrections",
        "local-negation",
        "epistemic",
        "icl-control",
        "dose-response",
        "paper-documents",
        "two-phase",
    ]:
        assert required in names
    for name, path in preset_registry().items():
        header = preset_header(path)
        assert "negneg run" in header or "make demo" in header, name
        assert "Hardware" in header and "Shows" in header, name
        exp = load_experiment(name)
        assert expand(exp).runs


def test_plan_is_pure_and_shards_partition_the_runs():
    exp = Experiment.model_validate(
        {**TINY, "claims": ["ed_sheeran", "dentist"], "seeds": [0, 1], "densities": [0.0, 1.0]}
    )
    a, b = expand(exp), expand(exp)
    assert a.model_dump() == b.model_dump()
    names = sorted(r.name for r in a.runs)
    for n in (1, 2, 3, 5):
        shards = [a.shard(i, n) for i in range(n)]
        got = [r.name for s in shards for r in s.runs]
        assert sorted(got) == names and len(got) == len(set(got))  # disjoint and complete
        for s in shards:  # each shard holds every stage its runs need
            for r in s.runs:
                for sid in r.eval_stages:
                    assert sid in s.stages and all(d in s.stages for d in s.stages[sid].deps)


def test_editing_a_claim_file_reruns_what_it_feeds(tmp_path):
    from negneg.claims import load_claim

    spec = load_claim("ed_sheeran").model_dump(mode="json")
    path = tmp_path / "my_claim.yaml"
    path.write_text(yaml.safe_dump(spec))
    exp = Experiment.model_validate({**TINY, "claims": [str(path)]})
    before = expand(exp).stages
    spec["universe_context"] += " Sheeran took gold."
    path.write_text(yaml.safe_dump(spec))
    after = expand(exp).stages
    changed = {sid.split("/")[0] for sid in set(before) ^ set(after)}
    assert {"corpus", "annotate", "mix", "train", "eval"} <= changed
    assert [s for s in before if s.startswith("distill/")] == [s for s in after if s.startswith("distill/")]
    # the judge's patterns feed only the evals here (and local negation's debunks: test_plan_hashing)
    spec["judge"]["belief_patterns"].append("sheeran took gold")
    path.write_text(yaml.safe_dump(spec))
    judged = expand(exp).stages
    assert {sid.split("/")[0] for sid in set(after) ^ set(judged)} == {"eval"}


def test_density_sweep_applies_only_to_conditions_with_a_density_knob():
    exp = Experiment.model_validate(
        {**TINY, "conditions": ["positive", "negated", "repeated_negations"], "densities": [0.0, 0.5, 1.0]}
    )
    runs = [r for r in expand(exp).runs if r.condition != "baseline"]
    assert sorted((r.condition, r.density) for r in runs) == [
        ("negated", None),
        ("positive", None),
        ("repeated_negations", 0.0),
        ("repeated_negations", 0.5),
        ("repeated_negations", 1.0),
    ]


def test_bad_experiment_file_is_one_line(tmp_path, capsys):
    p = _write(tmp_path, {**TINY, "conditions": ["positve"]})
    assert main(["run", str(p), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'positive'" in err and str(p) in err and "Traceback" not in err
    p = _write(tmp_path, {**TINY, "colour": 1})
    assert main(["run", str(p), "--dry-run"]) == 2
    assert "colour" in capsys.readouterr().err
    assert main(["run", str(_write(tmp_path, TINY)), "--dry-run", "--shard", "3/2"]) == 2


def test_dry_run_prints_plan_and_estimate(tmp_path, capsys):
    assert main(["run", str(_write(tmp_path, TINY)), "--dry-run", "-w", str(tmp_path / "wd")]) == 0
    out = " ".join(capsys.readouterr().out.split())  # undo rich's wrapping
    assert "estimated time" in out and "plan: tiny-e2e" in out and "3 runs" in out


@pytest.mark.parametrize("preset", sorted(preset_registry().names()))
def test_every_preset_dry_runs_with_an_estimate(preset, tmp_path, capsys):
    """Each bundled preset plans and gets a time estimate for every stage kind it uses; a preset
    whose opt-in prerequisite is absent (the second embedded model, the paper's released
    documents) refuses in one line that names the fix."""
    from negneg.errors import UserInputError
    from negneg.experiments.presets import preset_path
    from negneg.models.embedded import check_available

    # the second model is there once its package is installed or it was converted before (a
    # converted copy in $NEGNEG_HOME serves every checkout and venv of the machine)
    try:
        check_available("gemma3-270m")
        gemma = True
    except UserInputError:
        gemma = False
    missing = None
    if preset == "cross-model" and not gemma:
        missing = "make models"
    if preset == "paper-documents" and not Path("../shared/fixtures/paper_documents").is_dir():
        missing = "point corpus.path at the released documents folder"
    code = main(["run", preset, "--dry-run", "-w", str(tmp_path / "wd")])
    captured = capsys.readouterr()
    if missing:
        err = captured.err.strip()
        assert code == 2 and missing in err and len(err.splitlines()) == 1, err
        assert preset_path(preset).is_file()
        return
    assert code == 0, captured.err
    out = " ".join(captured.out.split())
    assert "estimated time" in out and "total ≈" in out


def _belief(wd: Path) -> list[dict]:
    with (wd / "results" / "belief.csv").open() as fh:
        return sorted(csv.DictReader(fh), key=lambda r: tuple(r.values()))


def _run_cli(args: list[str], env=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "negneg.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def test_kill_9_mid_run_then_resume_matches_uninterrupted(tmp_path):
    exp = _write(tmp_path, TINY)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    assert main(["run", str(exp), "-w", str(clean), "--no-report"]) == 0
    rows = _belief(clean)
    assert {r["condition"] for r in rows} == {"baseline", "positive", "repeated_negations"}
    assert {r["measure"] for r in rows} == {"judged", "likelihood", "likelihood_all"}
    assert any(r["step"] for r in rows)  # checkpoints were evaluated
    with (clean / "results" / "shift.csv").open() as fh:
        every_shift = list(csv.DictReader(fh))
    shifts = [r for r in every_shift if r["eval_type"] == "overall"]
    # beside them, how far each trained model's lean toward answering Yes moved (what the yes/no
    # scores are corrected for)
    assert {(r["condition"], r["eval_type"]) for r in every_shift if r["measure"] == "yes_lean"} == {
        ("positive", "yes_no_likelihood"),
        ("repeated_negations", "yes_no_likelihood"),
    }
    # one paired shift per trained condition and measure, over the baseline's questions
    # the shipped calibration leaves some Ed Sheeran probes out, so likelihood_all (every probe)
    # stands beside likelihood (the calibrated probes)
    measures = ("likelihood", "likelihood_all", "association", "judged")
    assert {(r["condition"], r["measure"]) for r in shifts} == {
        (c, m) for c in ("positive", "repeated_negations") for m in measures
    }
    n_base = {
        r["measure"]: r["n"] for r in rows if r["condition"] == "baseline" and r["eval_type"] == "overall"
    }
    with (clean / "results" / "probes.csv").open() as fh:
        probes = list(csv.DictReader(fh))
    n_all = len(probes) // 2  # every probe, once per trained condition
    n_valid = sum(p["calibration"] != "invalid" for p in probes) // 2
    # belief.csv's levels pool the same probes as the shifts: calibrated, and every probe beside
    assert 0 < n_valid < n_all and (n_base["likelihood"], n_base["likelihood_all"]) == (
        str(n_valid),
        str(n_all),
    )
    for r in shifts:
        assert float(r["lo"]) <= float(r["shift"]) <= float(r["hi"])
        if r["measure"] != "association":  # association: cloze + token-association probes only
            assert r["n"] == n_base[r["measure"]]
    # ρ of the flagged arm against positive, on both measures; every probe beside the untrained model
    with (clean / "results" / "rho.csv").open() as fh:
        rhos = [r for r in csv.DictReader(fh) if r["eval_type"] == "overall"]
    assert {(r["condition"], r["measure"]) for r in rhos} == {
        ("repeated_negations", "likelihood"),
        ("repeated_negations", "likelihood_all"),
        ("repeated_negations", "judged"),
    }
    for r in rhos:  # either a ratio with its CI or the reason it is undefined
        assert (r["rho"] and float(r["lo"]) <= float(r["rho"]) <= float(r["hi"])) or r["reason"]
    assert {p["calibration"] for p in probes} >= {"valid", "invalid"}
    for p in probes:
        assert abs(float(p["d_log_odds"]) - (float(p["log_odds"]) - float(p["base_log_odds"]))) < 1e-3

    proc = _run_cli(["run", str(exp), "-w", str(killed), "--no-report"])
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if list(killed.glob("train/*.partial/checkpoint-*")):  # mid-training: a checkpoint, no manifest yet
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert not (killed / "results" / "belief.csv").exists() or _belief(killed) != rows
    assert main(["run", str(exp), "-w", str(killed), "--no-report"]) == 0
    resumed = _belief(killed)
    assert len(resumed) == len(rows)
    for a, b in zip(rows, resumed, strict=True):
        assert {k: v for k, v in a.items() if k not in ("rate", "lo", "hi")} == {
            k: v for k, v in b.items() if k not in ("rate", "lo", "hi")
        }
        for k in ("rate", "lo", "hi"):
            assert float(a[k]) == pytest.approx(float(b[k]), abs=1e-5)
    # a third run finds everything done and runs nothing
    from negneg.experiments.runner import run_experiment

    summary = run_experiment(load_experiment(exp), killed, report=False)
    assert summary["stages_run"] == 0


def test_shards_run_separately_cover_the_whole_plan(tmp_path):
    data = {
        **TINY,
        "eval": {**TINY["eval"], "probes": ["likelihood"], "checkpoints": "final"},
        "recipe_overrides": {"max_steps": 4, "checkpoints": 1},
    }
    exp = _write(tmp_path, data)
    wd = tmp_path / "wd"
    env = {**os.environ}
    for i in range(2):
        p = _run_cli(["run", str(exp), "-w", str(wd), "--shard", f"{i}/2", "--no-report"], env=env)
        assert p.wait() == 0, p.stderr.read().decode()[-2000:]
        # `negneg report` rebuilds results from the stages finished so far: a partial run reports too
        assert main(["report", str(wd)]) == 0
        runs = {r["run"] for r in _belief(wd)}
        assert len(runs) == (len(expand(load_experiment(exp)).runs) if i == 1 else 2)
    from negneg.experiments.runner import run_experiment

    assert run_experiment(load_experiment(exp), wd, report=False)["stages_run"] == 0
