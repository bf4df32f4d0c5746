"""Stage dispatch: each stage kind's config model and executor, and the context they run in.

The work itself lives in the package that owns it (see docs/architecture.md); this module only
maps a kind to its :class:`StageKind`, validates a planned stage's JSON config into that kind's
model, gathers its finished upstream stages and calls the executor. The contract an executor
sees is :mod:`negneg.stage`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from negneg.behaviours.stage import (
    BehaviourDataStageConfig,
    BehaviourEvalStageConfig,
    run_behaviour_data_stage,
    run_behaviour_eval_stage,
)
from negneg.conditions.heldout import HeldoutStageConfig, run_heldout_stage
from negneg.conditions.stage import AnnotateStageConfig, run_annotate_stage
from negneg.corpus.stage import CorpusStageConfig, run_corpus_stage
from negneg.evals.stage import EvalStageConfig, ICLStageConfig, run_eval_stage, run_icl_stage
from negneg.experiments.plan import Plan, Stage
from negneg.experiments.stagedir import stage_dir
from negneg.registry import Registry
from negneg.stage import StageConfig, StageResult, Upstream
from negneg.training.stage import (
    DistillStageConfig,
    MixStageConfig,
    TrainStageConfig,
    run_distill_stage,
    run_mix_stage,
    run_train_stage,
)


@dataclass(frozen=True)
class StageKind:
    """A stage kind: its config model, its executor, and what the runners need to know of it."""

    config: type[StageConfig]
    run: Callable[..., StageResult]
    resumable: bool = False  # keeps its partial dir between attempts (checkpoints inside)


STAGE_KINDS: Registry[StageKind] = Registry("stage kind")
for _name, _kind in {
    "corpus": StageKind(CorpusStageConfig, run_corpus_stage),
    "annotate": StageKind(AnnotateStageConfig, run_annotate_stage),
    "behaviour_data": StageKind(BehaviourDataStageConfig, run_behaviour_data_stage),
    "distill": StageKind(DistillStageConfig, run_distill_stage),
    "mix": StageKind(MixStageConfig, run_mix_stage),
    "heldout": StageKind(HeldoutStageConfig, run_heldout_stage),
    "train": StageKind(TrainStageConfig, run_train_stage, resumable=True),
    "eval": StageKind(EvalStageConfig, run_eval_stage),
    "behaviour_eval": StageKind(BehaviourEvalStageConfig, run_behaviour_eval_stage),
    "icl": StageKind(ICLStageConfig, run_icl_stage),
}.items():
    STAGE_KINDS.add(_name, _kind)


def stage_config(stage: Stage) -> StageConfig:
    """A planned stage's config as its kind's model."""
    return STAGE_KINDS.get(stage.kind).config.model_validate(stage.config)


@dataclass
class StageContext:
    """The runner's side of :class:`negneg.stage.StageContext`: one per plan and process."""

    workdir: Path
    plan: Plan
    status: Callable[[str], None] = lambda msg: None  # short progress text for the plan display
    step: Callable[[int, int], None] = lambda done, total: None  # inner progress of a long stage
    _models: dict[str, Any] = field(default_factory=dict)

    def out(self, sid: str) -> Path:
        return stage_dir(self.workdir, sid)

    def cache(self, name: str) -> Path:
        p = self.workdir / "cache" / name
        p.mkdir(parents=True, exist_ok=True)
        return p

    def base_model(self, name: str):
        if name not in self._models:
            from negneg.models import load_chat_model

            self._models[name] = load_chat_model(name)
        return self._models[name]

    def chat_model(self, spec: str):
        if spec.startswith(("http://", "https://")):
            from negneg.models.openai_http import OpenAIChatModel

            base, _, name = spec.partition("#")
            return OpenAIChatModel(base_url=base, model=name or "default", cache_dir=self.cache("http"))
        return self.base_model(spec)

    def upstream(self, sid: str) -> Upstream:
        """A finished stage of the plan as an executor's input (with its own inputs)."""
        stage = self.plan.stages[sid]
        deps = tuple(self.upstream(d) for d in stage.deps)
        return Upstream(kind=stage.kind, dir=self.out(sid), config=stage_config(stage), deps=deps)


def run_stage(ctx: StageContext, stage: Stage, partial: Path) -> StageResult:
    """Run one planned stage into ``partial``; return its manifest extras."""
    kind = STAGE_KINDS.get(stage.kind)
    inputs = tuple(ctx.upstream(d) for d in stage.deps)
    return kind.run(ctx, stage_config(stage), inputs, partial) or {}
