"""The ``distill``, ``mix`` and ``train`` stages: the training set around the documents, and the run.

* ``distill`` writes ``chats.jsonl`` (the base model's answers to generic prompts) and
  ``background.jsonl`` (its continuations of neutral openings): the mix's other two sources.
* ``mix`` reads an ``annotate`` stage's documents (or a ``behaviour_data`` stage's transcripts)
  and a ``distill`` stage's rows, and writes ``examples.jsonl`` (token ids, labels, weights) and
  ``summary.json`` (rows and tokens per origin).
* ``train`` finetunes on a mix's examples (phase 2 of a two-phase run starts from phase 1's
  adapter) and writes checkpoints, ``final/`` and ``log.json``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from negneg.io import atomic_write_json, atomic_write_jsonl, read_json, read_jsonl
from negneg.records import TrainingExample, load_documents
from negneg.stage import (
    DOCS_FILE,
    FINAL_ADAPTER,
    TRANSCRIPTS_FILE,
    ModelStageConfig,
    StageContext,
    StageResult,
    Upstream,
)

CHATS_FILE = "chats.jsonl"
BACKGROUND_FILE = "background.jsonl"
EXAMPLES_FILE = "examples.jsonl"
LOG_FILE = "log.json"


class MixRatios(ModelStageConfig):
    """The experiment's ``mix:`` block, flattened into the stages that read it."""

    seed: int = 0
    background_ratio: float = 0.5
    chat_ratio: float = 0.5
    max_length: int = 512
    window: Literal["split", "claim"] = "split"


class DistillStageConfig(MixRatios):
    documents: int = Field(description="annotated documents the mix will hold (ratios apply to it)")


class AnchorConfig(BaseModel):
    """The §5 self-distillation anchor: the untrained model's answers to novel questions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    claim: str
    questions: int
    samples: int
    weight: float


class MixStageConfig(MixRatios):
    anchor: AnchorConfig | None = None


class TrainStageConfig(ModelStageConfig):
    seed: int = 0
    recipe: str = "cpu"
    overrides: dict[str, Any] = Field(default_factory=dict, description="recipe fields to override")
    mix: dict[str, Any] = Field(
        default_factory=dict, description="the mix block, in the id only (the mix stage reads it)"
    )
    phase: int | None = Field(None, description="1 or 2 in a two-phase run (2 starts from 1's adapter)")
    recipe_sha: str | None = Field(None, description="fingerprint of the recipe file")


def run_distill_stage(
    ctx: StageContext, cfg: DistillStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    from negneg.training.mix import background_texts, self_distilled_chats

    model = ctx.base_model(cfg.model)
    n_chat = math.ceil(cfg.documents * cfg.chat_ratio)
    n_bg = math.ceil(cfg.documents * cfg.background_ratio)
    ctx.status(f"self-distilling {n_chat} chats, {n_bg} background texts")
    cache = ctx.cache("distill")
    chats = self_distilled_chats(model, n_chat, seed=cfg.seed, cache_dir=cache) if n_chat else []
    bg = background_texts(model, n_bg, seed=cfg.seed, cache_dir=cache) if n_bg else []
    atomic_write_jsonl(out / CHATS_FILE, ({"messages": c} for c in chats))
    atomic_write_jsonl(out / BACKGROUND_FILE, ({"text": t} for t in bg))
    return {"chats": len(chats), "background": len(bg)}


def run_mix_stage(
    ctx: StageContext, cfg: MixStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    from negneg.training.mix import MixConfig, anchor_chats, build_mix, build_transcript_mix, mix_summary

    data, distill = inputs
    chats = [r["messages"] for r in read_jsonl(distill.dir / CHATS_FILE)]
    bg = [r["text"] for r in read_jsonl(distill.dir / BACKGROUND_FILE)]
    model = ctx.base_model(cfg.model)
    mix_cfg = MixConfig(
        background_ratio=cfg.background_ratio,
        chat_ratio=cfg.chat_ratio,
        max_length=cfg.max_length,
        window=cfg.window,
    )
    if data.kind == "behaviour_data":
        transcripts = [r["messages"] for r in read_jsonl(data.dir / TRANSCRIPTS_FILE)]
        examples = build_transcript_mix(
            transcripts, model.tokenizer, mix_cfg, cfg.seed, background=bg, chats=chats
        )
    else:
        docs = load_documents(data.dir / DOCS_FILE)
        anchors = None
        if cfg.anchor is not None:
            from negneg.claims import load_claim
            from negneg.training.anchor import anchor_questions

            a = cfg.anchor
            questions = anchor_questions(load_claim(a.claim), a.questions, seed=cfg.seed)
            ctx.status(f"anchor: {len(questions)} questions × {a.samples} answers from the untrained model")
            anchors = anchor_chats(model, questions, a.samples, seed=cfg.seed, cache_dir=ctx.cache("anchor"))
            mix_cfg = mix_cfg.model_copy(update={"anchor_weight": a.weight})
        examples = build_mix(
            docs, model.tokenizer, mix_cfg, cfg.seed, background=bg, chats=chats, anchor_chats=anchors
        )
    atomic_write_jsonl(out / EXAMPLES_FILE, (e.model_dump() for e in examples))
    summary = mix_summary(examples)
    atomic_write_json(out / "summary.json", summary)
    return {"examples": len(examples), "summary": summary}


def run_train_stage(
    ctx: StageContext, cfg: TrainStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    from negneg.training.config import load_recipe
    from negneg.training.trainer import train

    mix = inputs[0]
    examples = [TrainingExample.model_validate(r) for r in read_jsonl(mix.dir / EXAMPLES_FILE)]
    config = load_recipe(cfg.recipe, **{**cfg.overrides, "seed": cfg.seed})
    init_adapter = inputs[1].dir / FINAL_ADAPTER if cfg.phase == 2 else None
    result = train(cfg.model, examples, config, out, init_adapter=init_adapter, progress=_progress(ctx))
    log = [dict(r) for r in result.log]
    checkpoints = [[s, str(Path(p).name)] for s, p in result.checkpoints]
    atomic_write_json(out / LOG_FILE, {"log": log, "checkpoints": checkpoints})
    return {"steps": result.steps, "tokens": result.tokens, "train_wall_s": result.wall_s}


def _progress(ctx: StageContext):
    def cb(info: dict[str, Any]) -> None:
        ctx.step(int(info.get("step", 0)), int(info.get("max_steps", 0) or 0))
        if "loss" in info and info["loss"] is not None:
            ctx.status(
                f"step {info.get('step')}/{info.get('max_steps')} loss {info['loss']:.3f} "
                f"{info.get('tokens_per_s', 0):.0f} tok/s"
            )

    return cb


def trained_adapters(train: Upstream, every_checkpoint: bool) -> list[tuple[int | None, int | None, Path]]:
    """(phase, step, adapter dir) of a finished train stage to evaluate: its saved checkpoints in
    order when ``every_checkpoint``, then its final adapter (step None)."""
    cfg = train.config_as(TrainStageConfig)
    targets: list[tuple[int | None, int | None, Path]] = []
    if every_checkpoint:
        info = read_json(train.dir / LOG_FILE)
        targets += [(cfg.phase, int(step), train.dir / name) for step, name in info["checkpoints"]]
    targets.append((cfg.phase, None, train.dir / FINAL_ADAPTER))
    return targets
