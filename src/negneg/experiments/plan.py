"""Plan expansion: an Experiment becomes runs, and runs become content-addressed stages.

Pure functions only: the same Experiment always gives the same plan, and a stage's id is the hash
of everything that determines its output (its config and its upstream stage ids). That is what
lets the runner skip finished work, resume after a kill, and let shards share upstream stages.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from negneg.behaviours.stage import BehaviourDataStageConfig, BehaviourEvalStageConfig
from negneg.conditions import CONDITIONS
from negneg.conditions.heldout import HeldoutStageConfig
from negneg.conditions.stage import AnnotateStageConfig
from negneg.corpus.stage import CorpusStageConfig
from negneg.evals.likelihood import SCORE as LIKELIHOOD_SCORE
from negneg.evals.stage import EvalStageConfig, ICLStageConfig
from negneg.experiments.fingerprints import Fingerprints
from negneg.experiments.schema import Experiment
from negneg.stage import StageConfig
from negneg.training.stage import AnchorConfig, DistillStageConfig, MixStageConfig, TrainStageConfig

StageKind = Literal[
    "corpus",
    "annotate",
    "behaviour_data",
    "distill",
    "mix",
    "heldout",
    "train",
    "eval",
    "behaviour_eval",
    "icl",
]


class Stage(BaseModel):
    """A planned stage. ``config`` is its kind's config model as JSON (the fields the plan set),
    so that the id hashes exactly what determines the output; executors get it typed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: StageKind
    config: dict[str, Any]
    deps: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        blob = json.dumps({"kind": self.kind, "config": self.config, "deps": list(self.deps)}, sort_keys=True)
        return f"{self.kind}/{hashlib.sha256(blob.encode()).hexdigest()[:16]}"


class Run(BaseModel):
    """One row of the results: a (claim, condition, model, seed, density) cell and its stages."""

    model_config = ConfigDict(extra="forbid")

    name: str
    claim: str
    condition: str  # "baseline" for the untrained model, "icl" for the in-context control
    model: str
    seed: int
    density: float | None = None
    phase: int | None = None
    train_stages: list[str] = Field(default_factory=list)  # in order (phase 1, phase 2)
    eval_stages: list[str] = Field(default_factory=list)


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experiment: str
    runs: list[Run]
    stages: dict[str, Stage]

    def order(self) -> list[str]:
        """Stage ids in dependency order (deps first), stable."""
        seen: set[str] = set()
        out: list[str] = []

        def visit(sid: str) -> None:
            if sid in seen:
                return
            seen.add(sid)
            for d in self.stages[sid].deps:
                visit(d)
            out.append(sid)

        for run in self.runs:
            for sid in run.eval_stages:
                visit(sid)
        return out

    def shard(self, index: int, count: int) -> Plan:
        """Runs ``index, index+count, …`` of the sorted run list, with exactly the stages they need."""
        if count < 1 or not 0 <= index < count:
            raise ValueError(f"bad shard {index}/{count}")
        runs = [r for i, r in enumerate(sorted(self.runs, key=lambda r: r.name)) if i % count == index]
        needed: set[str] = set()

        def visit(sid: str) -> None:
            if sid not in needed:
                needed.add(sid)
                for d in self.stages[sid].deps:
                    visit(d)

        for r in runs:
            for sid in r.eval_stages:
                visit(sid)
        return Plan(
            experiment=self.experiment,
            runs=runs,
            stages={k: v for k, v in self.stages.items() if k in needed},
        )


def fingerprint(data: Any) -> str:
    """A short content hash of JSON-able data: part of a stage's config wherever the stage reads a
    user-editable file (a claim, a behaviour family), so editing the file re-runs what it feeds."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _claim_sha(claim: str) -> str:
    from negneg.claims import load_claim

    return fingerprint(load_claim(claim).model_dump(mode="json"))


# ClaimSpec parts the corpus does not read: editing a question or a rubric re-runs the evals, not
# the corpus and the training behind them. The judge's patterns are read only by the offline
# debunks (local negation), whose annotate stages hash them instead (``_judge_sha``).
EVAL_ONLY_CLAIM_FIELDS = ("questions", "rubric", "judge")


def _claim_corpus_sha(claim: str) -> str:
    from negneg.claims import load_claim

    spec = load_claim(claim).model_dump(mode="json")
    return fingerprint({k: v for k, v in spec.items() if k not in EVAL_ONLY_CLAIM_FIELDS})


def _judge_sha(claim: str) -> str:
    from negneg.claims import load_claim

    return fingerprint(load_claim(claim).judge.model_dump(mode="json"))


def _families_sha(families: list[str]) -> str:
    from negneg.behaviours.library import resolve_families

    return fingerprint([f.model_dump(mode="json") for f in resolve_families(families)])


def _probe_fields(exp: Experiment, claim: str) -> dict[str, Any]:
    """The eval and icl stages' shared fields: what to ask and how to judge."""
    e = exp.eval
    return {
        "claim": claim,
        "claim_sha": _claim_sha(claim),
        "probes": sorted(e.probes),
        "samples": e.samples,
        "max_new_tokens": e.max_new_tokens,
        "temperature": e.temperature,
        "top_p": e.top_p,
        "judges": sorted(e.judges),
        "judge_model": e.judge_model,
        "categories": sorted(e.categories) if e.categories else None,
        "capability": e.capability,
        "checkpoint_probes": sorted(e.checkpoint_probes) if e.checkpoint_probes else None,
        # what a likelihood response's score means: results cached under an older meaning rerun
        "likelihood_score": LIKELIHOOD_SCORE,
    }


LOCAL_NEGATION_CONDITIONS = ("local_negation", "local_negation_wordmask")


def _wants_negated_universe(exp: Experiment) -> bool:
    """Whether the LLM corpus must also write negated-universe documents: the paper's local-negation
    documents come from the same pipeline run on the negated universe. The key enters the corpus
    stage's config (and so its hash) only then."""
    wanted = set(exp.conditions) | ({exp.icl.condition} if exp.icl is not None else set())
    return exp.corpus.source == "llm" and bool(wanted & set(LOCAL_NEGATION_CONDITIONS))


class _Builder:
    """Adds stages to a plan: typed config → JSON (only the fields set) + fingerprints → id."""

    def __init__(self) -> None:
        self.stages: dict[str, Stage] = {}
        self.prints = Fingerprints()

    def add(self, kind: StageKind, config: StageConfig, deps: tuple[str, ...] = ()) -> str:
        # the fields set, plus fingerprints: model dirs, recipe and corpus files, negneg version
        stage = Stage(kind=kind, config=self.prints.add(config), deps=deps)
        self.stages.setdefault(stage.id, stage)
        return stage.id


def expand(exp: Experiment) -> Plan:
    """Expand an Experiment into runs and stages (pure)."""
    b = _Builder()
    runs: list[Run] = []
    if exp.behaviour is not None:
        return _expand_behaviours(exp, b, runs)

    densities: list[float | None] = list(exp.densities) if exp.densities else [None]
    for model in exp.models:
        for claim in exp.claims:
            probe = _probe_fields(exp, claim)
            if exp.baseline:
                sid = b.add("eval", EvalStageConfig(**probe, model=model, checkpoint=None))
                runs.append(
                    Run(
                        name=f"{claim}/baseline/{model}",
                        claim=claim,
                        condition="baseline",
                        model=model,
                        seed=0,
                        eval_stages=[sid],
                    )
                )
            corpus_cfg = CorpusStageConfig(
                claim=claim,
                claim_sha=_claim_corpus_sha(claim),
                **exp.corpus.model_dump(),
                **({"negated_universe": True} if _wants_negated_universe(exp) else {}),
            )
            for seed in exp.seeds:
                corpus = b.add("corpus", corpus_cfg)
                distill = b.add(
                    "distill",
                    DistillStageConfig(
                        model=model, seed=seed, documents=exp.corpus.n_documents, **exp.mix.model_dump()
                    ),
                )
                for condition in exp.conditions:
                    # the sweep applies where density is a knob; positive, negated… train once
                    swept = densities if CONDITIONS.get(condition).uses_density else [None]
                    for density in swept:
                        opts = dict(exp.condition_options)
                        if density is not None:
                            opts["density"] = density
                        ann_cfg = AnnotateStageConfig(
                            condition=condition,
                            options=opts,
                            seed=seed,
                            # the offline debunks read the judge's patterns
                            **(
                                {"judge_sha": _judge_sha(claim)}
                                if condition in LOCAL_NEGATION_CONDITIONS
                                else {}
                            ),
                        )
                        ann = b.add("annotate", ann_cfg, deps=(corpus,))
                        train_ids, heldout = _train_stages(exp, b, ann, distill, model, seed, claim)
                        checkpoint = "final" if exp.eval.checkpoints == "final" else "all"
                        evals = [
                            b.add(
                                "eval",
                                EvalStageConfig(**probe, model=model, checkpoint=checkpoint),
                                deps=(t,) if heldout is None else (t, heldout),
                            )
                            for t in train_ids
                        ]
                        suffix = f"/d{density:g}" if density is not None else ""
                        runs.append(
                            Run(
                                name=f"{claim}/{condition}{suffix}/{model}/s{seed}",
                                claim=claim,
                                condition=condition,
                                model=model,
                                seed=seed,
                                density=density,
                                train_stages=train_ids,
                                eval_stages=evals,
                            )
                        )
                if exp.icl is not None:
                    ann = b.add(
                        "annotate",
                        AnnotateStageConfig(
                            condition=exp.icl.condition, options=dict(exp.condition_options), seed=seed
                        ),
                        deps=(corpus,),
                    )
                    sid = b.add(
                        "icl",
                        ICLStageConfig(**probe, model=model, ks=exp.icl.ks, seeds=exp.icl.seeds),
                        deps=(ann,),
                    )
                    runs.append(
                        Run(
                            name=f"{claim}/icl/{model}/s{seed}",
                            claim=claim,
                            condition="icl",
                            model=model,
                            seed=seed,
                            eval_stages=[sid],
                        )
                    )
    return Plan(experiment=exp.name, runs=runs, stages=b.stages)


def _train_stages(
    exp: Experiment, b: _Builder, ann: str, distill: str, model: str, seed: int, claim: str
) -> tuple[list[str], str | None]:
    """The run's train stages in order, and its heldout stage (two-phase runs only)."""

    def train(phase: int | None, overrides: dict[str, Any], deps: tuple[str, ...]) -> str:
        cfg = TrainStageConfig(
            model=model,
            seed=seed,
            recipe=exp.recipe,
            overrides=overrides,
            mix=exp.mix.model_dump(),
            phase=phase,
        )
        return b.add("train", cfg, deps=deps)

    mix = b.add(
        "mix",
        MixStageConfig(model=model, seed=seed, **exp.mix.model_dump(), anchor=None),
        deps=(ann, distill),
    )
    if exp.two_phase is None:
        return [train(None, exp.recipe_overrides, (mix,))], None
    tp = exp.two_phase
    anchor = AnchorConfig(
        claim=claim, questions=tp.anchor_questions, samples=tp.anchor_samples, weight=tp.anchor_weight
    )
    mix1 = b.add(
        "mix",
        MixStageConfig(model=model, seed=seed, **exp.mix.model_dump(), anchor=anchor),
        deps=(ann, distill),
    )
    heldout = b.add(
        "heldout",
        HeldoutStageConfig(
            model=model,
            seed=seed,
            claim=claim,
            anchor_questions=tp.anchor_questions,
            max_length=exp.mix.max_length,
        ),
        deps=(ann,),
    )
    t1 = train(1, exp.recipe_overrides, (mix1,))
    t2 = train(2, {**exp.recipe_overrides, **tp.phase2_recipe_overrides}, (mix, t1))
    return [t1, t2], heldout


def _expand_behaviours(exp: Experiment, b: _Builder, runs: list[Run]) -> Plan:
    """Negated behaviours: transcripts per condition → mix → train → behaviour eval."""
    beh = exp.behaviour
    assert beh is not None
    families_sha = _families_sha(list(beh.families))
    ev = {
        "families": list(beh.families),
        "families_sha": families_sha,
        "samples": exp.eval.samples,
        "max_new_tokens": exp.eval.max_new_tokens,
        "temperature": exp.eval.temperature,
        "top_p": exp.eval.top_p,
        "judges": sorted(exp.eval.judges),
        "judge_model": exp.eval.judge_model,
        "questions_per_family": beh.questions_per_family,
    }
    n_docs = exp.corpus.n_documents
    for model in exp.models:
        if exp.baseline:
            sid = b.add("behaviour_eval", BehaviourEvalStageConfig(**ev, model=model))
            runs.append(
                Run(
                    name=f"behaviours/baseline/{model}",
                    claim="behaviours",
                    condition="baseline",
                    model=model,
                    seed=0,
                    eval_stages=[sid],
                )
            )
        for seed in exp.seeds:
            distill = b.add(
                "distill",
                DistillStageConfig(model=model, seed=seed, documents=n_docs, **exp.mix.model_dump()),
            )
            for condition in exp.conditions:
                data = b.add(
                    "behaviour_data",
                    BehaviourDataStageConfig(
                        condition=condition,
                        families=list(beh.families),
                        families_sha=families_sha,
                        seed=seed,
                        flag_position=beh.flag_position,
                    ),
                )
                mix = b.add(
                    "mix",
                    MixStageConfig(model=model, seed=seed, **exp.mix.model_dump(), anchor=None),
                    deps=(data, distill),
                )
                train_cfg = TrainStageConfig(
                    model=model,
                    seed=seed,
                    recipe=exp.recipe,
                    overrides=exp.recipe_overrides,
                    mix=exp.mix.model_dump(),
                    phase=None,
                )
                train = b.add("train", train_cfg, deps=(mix,))
                sid = b.add("behaviour_eval", BehaviourEvalStageConfig(**ev, model=model), deps=(train,))
                runs.append(
                    Run(
                        name=f"behaviours/{condition}/{model}/s{seed}",
                        claim="behaviours",
                        condition=condition,
                        model=model,
                        seed=seed,
                        train_stages=[train],
                        eval_stages=[sid],
                    )
                )
    return Plan(experiment=exp.name, runs=runs, stages=b.stages)
