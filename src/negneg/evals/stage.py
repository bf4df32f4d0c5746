"""The ``eval`` and ``icl`` stages: belief probes of a model, judged and summarised.

* ``eval`` probes the untrained model (no inputs) or a ``train`` stage's adapters (its final
  adapter, or every checkpoint), with a ``heldout`` stage's losses where the run has one;
* ``icl`` probes the untrained model with k annotated documents in its context (an ``annotate``
  stage's), the paper's in-context control.

Both write ``responses.jsonl`` and ``summary.json`` (``{"targets": [...]}``, one entry per model
evaluated, each with its judged and likelihood belief).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from negneg.claims import load_claim
from negneg.claims.categories import GENERATIVE_CATEGORIES
from negneg.io import atomic_write_json, atomic_write_jsonl
from negneg.records import Response, load_documents
from negneg.stage import DOCS_FILE, ModelStageConfig, StageContext, StageResult, Upstream, first_of

Probe = Literal["likelihood", "generative"]


class ProbeStageConfig(ModelStageConfig):
    """What to ask a model and how to judge it (the experiment's ``eval:`` block)."""

    claim: str
    claim_sha: str | None = None
    probes: list[Probe] = Field(default_factory=lambda: ["generative", "likelihood"])
    samples: int = 5
    max_new_tokens: int = 160
    temperature: float = 0.7
    top_p: float = 0.8
    judges: list[str] = Field(default_factory=lambda: ["rule"])
    judge_model: str | None = Field(None, description="for judges that need a model (default: the model)")
    judge_model_sha: str | None = None
    judge_code_sha: str | None = Field(None, description="fingerprint of the judges' code (in the id only)")
    categories: list[Literal[GENERATIVE_CATEGORIES]] | None = None  # type: ignore[valid-type]
    capability: bool = False
    checkpoint_probes: list[Probe] | None = None
    likelihood_score: str | None = Field(None, description="what a likelihood score means (in the id only)")

    def judge_model_spec(self) -> str:
        return self.judge_model or self.model


class EvalStageConfig(ProbeStageConfig):
    checkpoint: Literal["final", "all"] | None = Field(
        None, description="trained model: its final adapter, or every checkpoint (None: untrained)"
    )


class ICLStageConfig(ProbeStageConfig):
    ks: list[int] = Field(default_factory=lambda: [20], description="documents in the context")
    seeds: list[int] = Field(default_factory=lambda: [0], description="draws of the documents")


def run_eval_stage(
    ctx: StageContext, cfg: EvalStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    from negneg.training.stage import trained_adapters

    claim = load_claim(cfg.claim)
    train = first_of(inputs, "train")
    heldout_stage = first_of(inputs, "heldout")
    targets: list[tuple[int | None, int | None, Path | None]] = (
        [(None, None, None)] if train is None else list(trained_adapters(train, cfg.checkpoint == "all"))
    )
    heldout: dict = {}
    if heldout_stage is not None:
        from negneg.training.heldout import read_heldout

        heldout = read_heldout(heldout_stage.dir)
    all_responses: list[Response] = []
    summaries = []
    for i, (phase, step, adapter) in enumerate(targets):
        label = "final" if step is None else f"step{step}"
        ctx.status(f"eval {claim.id} {label} ({i + 1}/{len(targets)})")
        model = ctx.base_model(cfg.model) if adapter is None else _load_adapter(cfg.model, adapter)
        probes = cfg.probes if step is None or not cfg.checkpoint_probes else cfg.checkpoint_probes
        responses = evaluate_model(ctx, cfg.model_copy(update={"probes": probes}), claim, model, run=label)
        all_responses.extend(responses)
        summary: dict[str, Any] = {"phase": phase, "step": step, **summarise(responses)}
        if heldout:
            from negneg.training.heldout import heldout_loss

            summary["heldout"] = {
                k: heldout_loss(model.model, model.tokenizer, v) for k, v in heldout.items()
            }
        if step is None and cfg.capability:
            from negneg.evals.capability import run_capability

            summary.setdefault("extras", {}).update(run_capability(model))
        summaries.append(summary)
        ctx.step(i + 1, len(targets))
    atomic_write_jsonl(out / "responses.jsonl", (r.model_dump() for r in all_responses))
    atomic_write_json(out / "summary.json", {"targets": summaries})
    return {"responses": len(all_responses)}


def _load_adapter(model_name: str, adapter: Path):
    from negneg.models import load_chat_model

    return load_chat_model(model_name, adapter=str(adapter))


def judge_options(ctx: StageContext, cfg: ProbeStageConfig) -> dict[str, dict[str, Any]]:
    """Options for the configured judges: a judge model for those that need one."""
    from negneg.evals.judges import judge_model_options

    return judge_model_options(cfg.judges, lambda: ctx.chat_model(cfg.judge_model_spec()))


def evaluate_model(ctx: StageContext, cfg: ProbeStageConfig, claim, model, run: str) -> list[Response]:
    """Likelihood and/or generative probes of one loaded model (base or base+adapter), judged."""
    from negneg.evals.generative import run_generative_probes
    from negneg.evals.judges import judge_responses
    from negneg.evals.likelihood import run_likelihood_probes
    from negneg.models.chat import SamplingParams

    responses: list[Response] = []
    if "likelihood" in cfg.probes:
        responses += run_likelihood_probes(model, claim, run)
    if "generative" in cfg.probes:
        sampling = SamplingParams(
            temperature=cfg.temperature, top_p=cfg.top_p, max_new_tokens=cfg.max_new_tokens
        )
        gen = run_generative_probes(
            model, claim, run, samples=cfg.samples, sampling=sampling, categories=cfg.categories
        )
        options = judge_options(ctx, cfg)
        for name in cfg.judges:
            responses += judge_responses(gen, claim, name, **options.get(name, {}))
    return responses


def summarise(responses: list[Response]) -> dict[str, Any]:
    """Judged belief per judge and likelihood belief of one model's responses (as summary.json)."""
    from negneg.evals.metrics import judged_belief, likelihood_belief

    judged: dict[str, dict] = {}
    for jname in sorted({r.judge for r in responses if r.judge}):
        stats = judged_belief([r for r in responses if r.judge == jname])
        judged[jname] = {k: v.model_dump() for k, v in stats.items()}
    lik = likelihood_belief([r for r in responses if r.likelihoods is not None])
    return {"judged": judged, "likelihood": {k: v.model_dump() for k, v in lik.items()}}


def run_icl_stage(
    ctx: StageContext, cfg: ICLStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    from negneg.evals.icl import run_icl

    claim = load_claim(cfg.claim)
    docs = load_documents(inputs[0].dir / DOCS_FILE)
    model = ctx.base_model(cfg.model)
    responses = run_icl(
        model,
        claim,
        docs,
        ks=cfg.ks,
        seeds=cfg.seeds,
        probes=cfg.probes,
        samples=cfg.samples,
        max_new_tokens=cfg.max_new_tokens,
        judges=cfg.judges,
        judge_options=judge_options(ctx, cfg) or None,
    )
    atomic_write_jsonl(out / "responses.jsonl", (r.model_dump() for r in responses))
    by_k: dict[str, list[Response]] = {}
    for r in responses:
        by_k.setdefault(r.run, []).append(r)
    atomic_write_json(
        out / "summary.json", {"targets": [{"run": k, **summarise(v)} for k, v in sorted(by_k.items())]}
    )
    return {"responses": len(responses)}
