"""The stage registry: every kind planned has a typed config and an executor in its home package."""

from __future__ import annotations

import typing

import pytest
from pydantic import ValidationError

from negneg.experiments.cluster import GPU_STAGES
from negneg.experiments.plan import StageKind, expand
from negneg.experiments.presets import preset_registry
from negneg.experiments.schema import load_experiment
from negneg.experiments.stages import STAGE_KINDS, stage_config
from negneg.stage import StageConfig

HOME = {
    "corpus": "negneg.corpus",
    "annotate": "negneg.conditions",
    "heldout": "negneg.conditions",
    "distill": "negneg.training",
    "mix": "negneg.training",
    "train": "negneg.training",
    "eval": "negneg.evals",
    "icl": "negneg.evals",
    "behaviour_data": "negneg.behaviours",
    "behaviour_eval": "negneg.behaviours",
}


def test_every_planned_kind_is_registered_with_a_config_and_an_executor_in_its_home():
    assert set(typing.get_args(StageKind)) == set(STAGE_KINDS.names()) == set(HOME)
    for name, kind in STAGE_KINDS.items():
        assert issubclass(kind.config, StageConfig)
        assert kind.config.model_config.get("extra") == "forbid", name
        assert kind.run.__module__.startswith(HOME[name] + "."), (name, kind.run.__module__)
        assert kind.config.__module__.startswith(HOME[name] + "."), (name, kind.config.__module__)
    assert set(GPU_STAGES) <= set(STAGE_KINDS.names())


def _presets() -> list[str]:
    return [n for n in preset_registry().names() if n != "cross-model"]  # needs an optional model package


@pytest.mark.parametrize("preset", _presets())
def test_planned_configs_are_their_kinds_typed_config_exactly(preset):
    """The plan's JSON and the executor's typed view are the same data: nothing is dropped or
    defaulted on the way (so a stage id hashes what the executor reads)."""
    plan = expand(load_experiment(preset))
    for stage in plan.stages.values():
        cfg = stage_config(stage)
        assert type(cfg) is STAGE_KINDS.get(stage.kind).config
        assert cfg.model_dump(mode="json", exclude_unset=True) == stage.config, stage.kind


def test_a_config_key_no_kind_knows_is_an_error():
    plan = expand(load_experiment("quickstart"))
    stage = next(s for s in plan.stages.values() if s.kind == "train")
    bad = stage.model_copy(update={"config": {**stage.config, "lr": 1.0}})
    with pytest.raises(ValidationError, match="lr"):
        stage_config(bad)


def test_two_phase_runs_read_their_heldout_sets_from_a_heldout_stage():
    plan = expand(load_experiment("two-phase"))
    (heldout,) = [sid for sid, s in plan.stages.items() if s.kind == "heldout"]
    evals = [s for s in plan.stages.values() if s.kind == "eval" and s.deps]
    assert evals and all(s.deps[-1] == heldout for s in evals)
    assert plan.stages[plan.stages[heldout].deps[0]].kind == "annotate"


def test_the_paper_universe_names_have_one_home():
    from negneg.corpus.paper_import import UNIVERSE_TO_CLAIM, paper_universes

    assert paper_universes("dentist") == ["brennan_holloway", "dentist"]
    assert paper_universes("ed_sheeran") == ["ed_sheeran"]
    assert all(u in paper_universes(c) for u, c in UNIVERSE_TO_CLAIM.items())
