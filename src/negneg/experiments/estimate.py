"""Time estimates for ``negneg run --dry-run``, from measured throughput.

Defaults are this project's measurements on a 2-core CPU (see README, bench/); where the work dir
already holds finished training stages, their measured tokens/s replace the defaults.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from negneg.behaviours.stage import BehaviourEvalStageConfig
from negneg.conditions.heldout import HELDOUT_ANCHOR_QUESTIONS
from negneg.evals.stage import EvalStageConfig, ProbeStageConfig
from negneg.experiments.plan import Plan
from negneg.experiments.schema import Experiment
from negneg.experiments.stages import stage_config
from negneg.models.registry import DEFAULT_MODEL
from negneg.stage import ModelStageConfig
from negneg.training.stage import MixStageConfig

# Measured on the 2-core dev machine. Training: SmolLM2-135M LoRA 137–201 tok/s in the idle
# quickstart (130 keeps model loading and contention in the estimate). Generation: tokens/s of
# batched sampling (32 conversations per call) as a whole stage sees it — the quickstart's six
# evals took 34 s each for 50 answers × 40 tokens plus the likelihood probes, i.e. ~60 tok/s.
# gemma3-270m: SmolLM2's rates divided by what `negneg run cross-model` measured side by side on
# the same (shared) CPU: LoRA training 2.5× slower (35 vs 89 tokens/s, mean of five runs each), evals
# 2.4× slower (20 vs 8 min for six) — its 262k-token vocabulary makes every logit row 5× wider.
TRAIN_TOK_S = {"smollm2-135m": 130.0, "gemma3-270m": 52.0, "tiny-random": 6000.0}
GEN_TOK_S = {"smollm2-135m": 60.0, "gemma3-270m": 25.0, "tiny-random": 3000.0}
SCORE_REQ_S = {"smollm2-135m": 12.0, "gemma3-270m": 5.0, "tiny-random": 400.0}
DEFAULT_SCALE = 135e6  # other models: scale the SmolLM2 numbers by parameter count when unknown


def measured_train_tok_s(workdir: Path | None, model: str) -> float | None:
    if not workdir:
        return None
    rates = []
    for log in Path(workdir).glob("train/*/log.json"):
        manifest = log.parent / "manifest.json"
        if not manifest.exists() or json.loads(manifest.read_text()).get("model") != model:
            continue
        rows = [r for r in json.loads(log.read_text())["log"] if r.get("tokens_per_s")]
        if rows:
            rates.append(rows[-1]["tokens_per_s"])
    return sum(rates) / len(rates) if rates else None


def _behaviour_eval_seconds(cfg: BehaviourEvalStageConfig, gen_tok_s: float) -> float:
    """Targeted questions per family plus the everyday set, ``samples`` answers each."""
    from negneg.behaviours.questions import behaviour_questions

    limit = cfg.questions_per_family
    n_q = sum(len(behaviour_questions(cfg.families, e, limit=limit)) for e in ("targeted", "everyday"))
    return n_q * cfg.samples * cfg.max_new_tokens / gen_tok_s


def estimate_seconds(exp: Experiment, plan: Plan, workdir: Path | None = None) -> dict[str, float]:
    """Seconds per stage kind for the stages of ``plan`` (already-finished stages count zero)."""
    from negneg.claims import load_claim
    from negneg.experiments.stagedir import is_done
    from negneg.training import load_recipe

    recipe = load_recipe(exp.recipe, **exp.recipe_overrides)  # validates overrides at dry-run time
    out: dict[str, float] = {}
    for sid, stage in plan.stages.items():
        if workdir and is_done(workdir, sid):
            continue
        cfg = stage_config(stage)
        model = cfg.model if isinstance(cfg, ModelStageConfig) else DEFAULT_MODEL
        tr = measured_train_tok_s(workdir, model) or TRAIN_TOK_S.get(model, 130.0)
        gen = GEN_TOK_S.get(model, 120.0)
        score = SCORE_REQ_S.get(model, 12.0)
        n_docs = exp.corpus.n_documents
        if stage.kind == "corpus":
            sec = 0.02 * n_docs if exp.corpus.source != "llm" else n_docs * 5 * 600 / gen
        elif stage.kind in ("annotate", "behaviour_data"):
            sec = 0.01 * n_docs
        elif stage.kind == "behaviour_eval":
            assert isinstance(cfg, BehaviourEvalStageConfig)
            sec = _behaviour_eval_seconds(cfg, gen)
        elif stage.kind == "distill":
            n = (
                math.ceil(n_docs * exp.mix.chat_ratio) * 160
                + math.ceil(n_docs * exp.mix.background_ratio) * 200
            )
            sec = n / gen
        elif stage.kind == "mix":
            sec = 2.0
            if isinstance(cfg, MixStageConfig) and cfg.anchor is not None:
                sec += cfg.anchor.questions * cfg.anchor.samples * 160 / gen
        elif stage.kind == "heldout":  # a few documents encoded, a few anchor answers generated
            sec = 2.0 + HELDOUT_ANCHOR_QUESTIONS * 160 / gen
        elif stage.kind == "train":
            rows = n_docs * (1 + exp.mix.background_ratio + exp.mix.chat_ratio)
            tokens = rows * exp.mix.max_length * 0.8 * max(recipe.epochs, 1)
            if recipe.max_steps and recipe.max_steps > 0:
                tokens = min(
                    tokens, recipe.max_steps * recipe.batch_size * recipe.grad_accum * exp.mix.max_length
                )
            sec = tokens / tr
        else:  # eval / icl
            assert isinstance(cfg, ProbeStageConfig)
            q = load_claim(cfg.claim).questions
            n_checkpoints = 0
            if isinstance(cfg, EvalStageConfig) and cfg.checkpoint == "all":
                n_checkpoints = (
                    recipe.checkpoints if isinstance(recipe.checkpoints, int) else len(recipe.checkpoints)
                )
            lik = (len(q.mcq) * 2 + len(q.cloze) * 2 + len(q.token_association) * 2) / score
            n_q = len(q.open_ended) + len(q.mcq) + len(q.token_association) + len(q.robustness)
            gen_s = n_q * exp.eval.samples * exp.eval.max_new_tokens / gen

            # the final adapter gets every probe; saved checkpoints only checkpoint_probes
            final, ckpt = exp.eval.probes, exp.eval.checkpoint_probes or exp.eval.probes
            sec = ("likelihood" in final) * lik + ("generative" in final) * gen_s
            sec += n_checkpoints * (("likelihood" in ckpt) * lik + ("generative" in ckpt) * gen_s)
            if stage.kind == "icl" and exp.icl:
                sec *= len(exp.icl.ks) * len(exp.icl.seeds) * 3
        out[stage.kind] = out.get(stage.kind, 0.0) + sec
    return out
