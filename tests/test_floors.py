"""The declared dependency floors are the ones `make test-min` tests, and training adapts its
TrainingArguments keywords to the installed transformers release."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_constraints_min_pins_every_tested_floor_of_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    floors = {}
    for req in reqs:
        if m := re.match(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", req):
            floors[m[1].lower()] = m[2]
    pins = {}
    for line in (ROOT / "constraints-min.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    assert {"torch", "transformers", "peft", "accelerate", "pydantic", "typer", "submitit"} <= set(pins)
    for name, version in pins.items():
        assert name in floors, f"{name} is pinned in constraints-min.txt but has no >= floor"
        assert _version(floors[name]) == _version(version), (
            f"{name}: pyproject says >={floors[name]}, constraints-min.txt tests {version}"
        )


def _version(v: str) -> list[int]:
    parts = [int(x) for x in v.split(".")]
    return parts + [0] * (3 - len(parts))


def test_training_arguments_keywords_follow_the_installed_release(monkeypatch):
    from negneg.training import trainer

    class Old:  # a release before activation_checkpointing and train_sampling_strategy
        def __init__(self, output_dir, gradient_checkpointing=False, seed=0):
            pass

    class New:
        def __init__(
            self, output_dir, activation_checkpointing=False, train_sampling_strategy="random", seed=0
        ):
            pass

    kwargs = {
        "output_dir": "x",
        "activation_checkpointing": True,
        "train_sampling_strategy": "sequential",
        "seed": 3,
    }
    monkeypatch.setattr(trainer, "TrainingArguments", Old)
    assert trainer._compatible_kwargs(kwargs) == {
        "output_dir": "x",
        "gradient_checkpointing": True,
        "seed": 3,
    }
    monkeypatch.setattr(trainer, "TrainingArguments", New)
    assert trainer._compatible_kwargs(kwargs) == kwargs
