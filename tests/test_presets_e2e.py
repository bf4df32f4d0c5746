"""The two-phase and negated-behaviours presets end to end on tiny-random (shrunk, same structure)."""

from __future__ import annotations

import csv
from pathlib import Path

from negneg.experiments.runner import run_experiment
from negneg.experiments.schema import Experiment, load_experiment
from negneg.report.data import load_results


def _tiny(name: str, **update) -> Experiment:
    data = load_experiment(name).model_dump()
    data.update(models=["tiny-random"], recipe="tiny", **update)
    return Experiment.model_validate(data)


def _rows(wd: Path, name: str) -> list[dict]:
    with (wd / "results" / name).open() as fh:
        return list(csv.DictReader(fh))


def test_two_phase_preset_tracks_belief_and_heldout_losses_across_the_boundary(tmp_path):
    exp = _tiny(
        "two-phase",
        corpus={"source": "generated", "n_documents": 4},
        recipe_overrides={"max_steps": 6, "checkpoints": 2},
        two_phase={"anchor_questions": 4, "anchor_samples": 1, "anchor_weight": 3.0},
        eval={
            "probes": ["likelihood"],
            "checkpoints": "all",
            "samples": 1,
            "max_new_tokens": 4,
            "judges": ["rule"],
        },
        mix={"background_ratio": 0.25, "chat_ratio": 0.25, "max_length": 192, "window": "split"},
    )
    out = run_experiment(exp, tmp_path)
    heldout = _rows(tmp_path, "heldout.csv")
    assert {r["split"] for r in heldout} == {"negated_docs", "positive_docs", "background", "anchor"}
    assert {r["phase"] for r in heldout} == {"1", "2"}
    belief = _rows(tmp_path, "belief.csv")
    assert {r["phase"] for r in belief if r["condition"] != "baseline"} == {"1", "2"}
    training = _rows(tmp_path, "training.csv")
    assert {r["phase"] for r in training} == {"1", "2"}
    mixes = list(tmp_path.glob("mix/*/summary.json"))
    assert any("anchor" in p.read_text() for p in mixes)  # phase 1 carries the weighted anchor
    report = Path(out["report"]).parent
    assert (report / "training_dynamics.png").exists()
    data = load_results(tmp_path)  # what the report reads: every results file parses
    assert data.heldout and "heldout.csv" not in data.notes
    assert "held-out NLL on negated_docs" in (report / "report.md").read_text()


def test_negated_behaviours_preset_runs_three_conditions_and_reports_rates(tmp_path):
    exp = _tiny(
        "negated-behaviours",
        corpus={"source": "generated", "n_documents": 8},
        recipe_overrides={"max_steps": 4, "checkpoints": 1},
        behaviour={
            "families": ["misleading_flattery", "deceptive_shortcuts", "power_seeking"],
            "questions_per_family": 2,
        },
        eval={"samples": 1, "max_new_tokens": 4, "judges": ["rule"]},
        mix={"background_ratio": 0.25, "chat_ratio": 0.25, "max_length": 64, "window": "split"},
    )
    out = run_experiment(exp, tmp_path)
    rows = [r for r in _rows(tmp_path, "belief.csv") if r["measure"] == "behaviour"]
    assert {r["condition"] for r in rows} == {"baseline", "aligned", "misaligned", "flagged_misaligned"}
    assert {"targeted", "everyday"} <= {r["eval_type"] for r in rows}
    assert all(0.0 <= float(r["rate"]) <= 1.0 for r in rows)
    assert (Path(out["report"]).parent / "behaviours.png").exists()


def test_dose_response_preset_sweeps_density_beside_one_positive_arm(tmp_path):
    exp = _tiny(
        "dose-response",
        corpus={"source": "generated", "n_documents": 4},
        densities=[0.0, 1.0],
        recipe_overrides={"max_steps": 4, "checkpoints": 2},
        eval={
            "probes": ["likelihood"],
            "checkpoint_probes": ["likelihood"],
            "checkpoints": "all",
            "samples": 1,
            "max_new_tokens": 4,
            "judges": ["rule"],
        },
        mix={"background_ratio": 0.25, "chat_ratio": 0.25, "max_length": 64, "window": "split"},
    )
    out = run_experiment(exp, tmp_path)
    belief = [r for r in _rows(tmp_path, "belief.csv") if r["eval_type"] == "overall"]
    finals = {(r["condition"], r["density"]) for r in belief if not r["step"]}
    assert finals == {
        ("baseline", ""),
        ("positive", ""),
        ("repeated_negations", "0.0"),
        ("repeated_negations", "1.0"),
    }
    assert {r["density"] for r in belief if r["step"]} == {"", "0.0", "1.0"}  # belief against step, per arm
    report = Path(out["report"]).parent
    assert (report / "dose_response.png").exists() and (report / "training_dynamics.png").exists()
    shifts = _rows(tmp_path, "shift.csv")
    assert {(r["condition"], r["density"]) for r in shifts} == finals - {("baseline", "")}


def test_icl_control_preset_with_the_llm_judge(tmp_path):
    """The in-context arm hands the LLM judge its judge model (a stage-level wiring check)."""
    exp = _tiny(
        "icl-control",
        corpus={"source": "generated", "n_documents": 4},
        recipe_overrides={"max_steps": 2, "checkpoints": 1},
        icl={"condition": "negated", "ks": [1], "seeds": [0]},
        eval={
            "probes": ["generative"],
            "categories": ["mcq"],
            "samples": 1,
            "max_new_tokens": 4,
            "judges": ["rule", "llm"],
            "judge_model": "tiny-random",
        },
        mix={"background_ratio": 0.25, "chat_ratio": 0.25, "max_length": 64, "window": "split"},
    )
    run_experiment(exp, tmp_path, report=False)
    icl = [r for r in _rows(tmp_path, "belief.csv") if r["condition"] == "icl"]
    assert {r["judge"] for r in icl} == {"rule", "llm"} and {r["k"] for r in icl} >= {"1"}
