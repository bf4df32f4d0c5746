"""The Experiment file: claims × conditions × models × seeds × recipe, plus corpus, mix and evals.

One YAML file describes a whole study; :func:`negneg.experiments.plan.expand` turns it into the
list of runs. Every field's help text lives here (``Field(description=…)``) and is the one source
for the docs and ``negneg run --help``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from negneg.claims.categories import GENERATIVE_CATEGORIES
from negneg.errors import UserInputError
from negneg.experiments.cluster import ClusterSpec
from negneg.io import load_yaml_model
from negneg.models.registry import DEFAULT_MODEL


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CorpusSpec(Strict):
    source: Literal["generated", "llm", "paper"] = Field(
        "generated",
        description="generated: offline generator; llm: LLM pipeline; paper: import released documents",
    )
    n_documents: int = Field(40, ge=1, description="documents per claim (generated/llm) or cap (paper)")
    seed: int = Field(0, description="corpus seed (independent of the training seed)")
    path: str | None = Field(
        None,
        description="paper source: a directory in the released layout <mode>/<universe>/*.jsonl[.zst]",
    )
    llm_model: str | None = Field(
        None, description="llm source: model name or http(s) URL of an OpenAI-compatible server"
    )


class MixSpec(Strict):
    background_ratio: float = Field(
        0.5, ge=0, description="background texts per annotated document (paper 0.5)"
    )
    chat_ratio: float = Field(
        0.5, ge=0, description="self-distilled chats per annotated document (paper 0.5)"
    )
    max_length: int = Field(512, ge=16, description="tokens per training window")
    window: Literal["split", "claim"] = Field(
        "split",
        description="split: whole documents in consecutive windows (keeps prefixes/suffixes); claim: one window around the claim",
    )


class EvalSpec(Strict):
    probes: list[Literal["likelihood", "generative"]] = Field(
        default_factory=lambda: ["likelihood", "generative"]
    )
    samples: int = Field(5, ge=1, description="samples per generative question (paper 5)")
    max_new_tokens: int = Field(160, ge=1)
    temperature: float = 0.7
    top_p: float = 0.8
    judges: list[str] = Field(default_factory=lambda: ["rule"], description="rule and/or llm")
    judge_model: str | None = Field(None, description="ChatModel for the llm judge (name or URL)")
    categories: list[Literal[GENERATIVE_CATEGORIES]] | None = Field(  # type: ignore[valid-type]
        None, description="generative probe categories (default: all)"
    )
    checkpoints: Literal["final", "all"] = Field(
        "final", description="evaluate only the final adapter, or every checkpoint"
    )
    checkpoint_probes: list[Literal["likelihood", "generative"]] | None = Field(
        None,
        description="probes at intermediate checkpoints (default: the same as probes); likelihood is cheap",
    )
    capability: bool = Field(
        False, description="also run the capability check (perplexity + general knowledge)"
    )
    probe_selection: Literal["calibrated", "all"] = Field(
        "calibrated",
        description="likelihood probes the pooled measure uses: all but those the probe calibration "
        "found invalid (positive training did not move them toward the claim), or all",
    )
    probe_calibration: str | None = Field(
        None, description="probe calibration file (default: the one shipped with negneg)"
    )


class ICLSpec(Strict):
    condition: str = Field("negated", description="which annotated documents go into the context")
    ks: list[int] = Field(default_factory=lambda: [20])
    seeds: list[int] = Field(default_factory=lambda: [0])


class PhaseSpec(Strict):
    """Two-phase training (paper §5): phase 1 with a self-distillation anchor, phase 2 without."""

    anchor_questions: int = Field(
        30, ge=1, description="belief-probe-style questions answered by the untrained model"
    )
    anchor_samples: int = Field(4, ge=1, description="answers per anchor question")
    anchor_weight: float = Field(3.0, ge=0)
    phase2_recipe_overrides: dict[str, Any] = Field(default_factory=dict)


class BehaviourSpec(Strict):
    """Negated behaviours (paper §4.2): chat transcripts instead of claim documents."""

    families: list[str] = Field(
        default_factory=lambda: ["misleading_flattery", "deceptive_shortcuts", "power_seeking"]
    )
    flag_position: Literal["prefix", "suffix", "both"] = "prefix"
    questions_per_family: int | None = Field(
        None, ge=1, description="cap on questions per family and per eval set"
    )


class Experiment(Strict):
    name: str
    description: str = ""
    claims: list[str] = Field(
        default_factory=list, description="claim ids or ClaimSpec files (not used with behaviour)"
    )
    conditions: list[str] = Field(
        min_length=1, description="training conditions; the untrained baseline is added when baseline is true"
    )
    models: list[str] = Field(default_factory=lambda: [DEFAULT_MODEL])
    seeds: list[int] = Field(default_factory=lambda: [0])
    recipe: str = Field("cpu", description="training recipe name (paper, cpu, tiny)")
    recipe_overrides: dict[str, Any] = Field(default_factory=dict)
    corpus: CorpusSpec = Field(default_factory=CorpusSpec)
    condition_options: dict[str, Any] = Field(
        default_factory=dict, description="ConditionOptions for every condition"
    )
    densities: list[float] | None = Field(None, description="dose-response sweep: one run per density value")
    mix: MixSpec = Field(default_factory=MixSpec)
    eval: EvalSpec = Field(default_factory=EvalSpec)
    baseline: bool = True
    icl: ICLSpec | None = None
    two_phase: PhaseSpec | None = None
    behaviour: BehaviourSpec | None = Field(
        None, description="negated-behaviours experiment (chat transcripts instead of claims)"
    )
    paper_reference: str | None = Field(
        None, description="key of the paper's numbers to show beside ours (report)"
    )
    cluster: ClusterSpec | None = Field(
        None, description="resources for `negneg run --executor slurm` (partition, GPUs, CPUs, memory, time)"
    )
    writes_calibration: bool = Field(
        False,
        description="a probe-calibration run: writes results/probe_calibration.json from its positive "
        "runs; only such a run may use the reserved calibration corpus seed",
    )

    @model_validator(mode="after")
    def _known_names(self) -> Experiment:
        from negneg.claims.loader import claim_registry
        from negneg.conditions import CONDITIONS
        from negneg.models.registry import MODELS

        reg = claim_registry()
        for c in self.claims:
            if c not in reg and not c.endswith((".yaml", ".yml")):
                raise reg.unknown(c, field="claims")
        if self.behaviour is None:
            if not self.claims:
                raise UserInputError("no claims", field="claims", fix="list at least one claim id")
            for cond in self.conditions:
                if cond not in CONDITIONS:
                    raise CONDITIONS.unknown(cond, field="conditions")
        else:
            from negneg.behaviours import FAMILIES
            from negneg.behaviours.transcripts import CONDITION_REGISTRY

            for cond in self.conditions:
                CONDITION_REGISTRY.get(cond, field="conditions")
            for fam in self.behaviour.families:
                if not fam.endswith((".yaml", ".yml")):
                    FAMILIES.get(fam, field="behaviour.families")
        for m in self.models:
            if m not in MODELS and "/" not in m:
                raise MODELS.unknown(m, field="models")
        from negneg.evals.calibration import RESERVED_SEEDS

        if self.corpus.seed in RESERVED_SEEDS and not self.writes_calibration:
            raise UserInputError(
                f"corpus seed {self.corpus.seed} is reserved for probe calibration "
                f"({RESERVED_SEEDS.start}–{RESERVED_SEEDS.stop - 1})",
                field="corpus.seed",
                fix="pick another seed (probes are chosen on that seed's documents, so measuring on them "
                "would inflate the positive shift)",
            )
        if self.writes_calibration and "positive" not in self.conditions:
            raise UserInputError(
                "a calibration run needs the positive condition", field="conditions", fix="add positive"
            )
        return self


def load_experiment(path: str | Path) -> Experiment:
    """Load an experiment YAML (or a preset name); errors are one line naming file and field."""
    from negneg.experiments.presets import preset_path

    p = Path(path)
    if not p.exists() and not str(path).endswith((".yaml", ".yml")):
        p = preset_path(str(path))
    return load_yaml_model(Experiment, p, layout="the presets in negneg/experiments/presets")
