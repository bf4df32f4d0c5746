"""``TrainConfig``: every knob of a finetuning run, and the named recipes that set them.

A recipe is a YAML file in ``training/recipes/`` (``paper``, ``cpu``, ``tiny``) that opens with
a comment saying what it is for and how it was chosen; ``load_recipe`` also accepts a path to
your own YAML. The field descriptions below are the one source of help for YAML and CLI.
"""

from __future__ import annotations

import hashlib
import json
import math
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from negneg.io import load_yaml_model
from negneg.registry import Registry

PAPER_OFFSET = 0.06216  # see log_spaced_steps


class TrainConfig(BaseModel):
    """How to finetune. Defaults are the paper's (Tinker LoRA, §4.2) where it states them."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["lora", "full"] = Field("lora", description="LoRA adapter or full finetuning")
    rank: int = Field(32, ge=1, description="LoRA rank")
    alpha: float = Field(32.0, gt=0, description="LoRA alpha (scale = alpha / rank)")
    dropout: float = Field(0.0, ge=0, lt=1, description="LoRA dropout")
    target_modules: list[str] | Literal["all-linear"] = Field(
        "all-linear", description="modules that get LoRA: 'all-linear' (every projection) or a list of names"
    )
    train_unembed: bool = Field(
        False,
        description="also put LoRA on the unembedding (lm_head), like Tinker's train_unembed=True",
    )
    lr: float = Field(5e-5, gt=0, description="peak learning rate")
    schedule: Literal["linear", "constant", "cosine"] = Field(
        "linear", description="learning-rate schedule after warmup (linear decays to 0 at the last step)"
    )
    warmup_steps: int = Field(0, ge=0)
    adam_beta1: float = Field(0.9, ge=0, lt=1)
    adam_beta2: float = Field(0.95, ge=0, lt=1)
    adam_eps: float = Field(1e-8, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    max_grad_norm: float | None = Field(
        None, description="gradient clipping norm; null = no clipping (Tinker's Adam has none)"
    )
    batch_size: int = Field(
        32, ge=1, description="examples per optimizer step, over all processes and accumulation"
    )
    grad_accum: int = Field(1, ge=1, description="micro-batches per optimizer step on each process")
    epochs: int = Field(1, ge=1, description="passes over the examples (reshuffled each epoch)")
    max_steps: int | None = Field(
        None, ge=1, description="stop after this many optimizer steps (overrides epochs)"
    )
    max_length: int = Field(
        2048,
        ge=8,
        description="longest example in tokens (documents are windowed to it; longer rows are cut)",
    )
    pack_length: int | None = Field(
        None,
        ge=8,
        description="longest packed row in tokens; default: a whole micro-batch in one row with "
        "varlen attention, max_length otherwise",
    )
    packing: bool = Field(
        True, description="pack several examples per row (attention never crosses examples)"
    )
    seed: int = Field(0, description="LoRA init, data order and dropout")
    checkpoints: int | list[int] = Field(
        15,
        description="number of log-spaced checkpoints (first at step 10 when the run is long enough), "
        "or an explicit list of steps; the last step is always saved",
    )
    resume_every: int | None = Field(
        None,
        ge=0,
        description="also save a resume point every this many steps (deleted once a newer checkpoint "
        "exists); null = every 5% of the run but at most every 25 steps, 0 = off",
    )
    precision: Literal["auto", "fp32", "bf16", "fp16"] = Field(
        "auto", description="auto: bf16 mixed precision on a GPU that supports it, fp32 otherwise"
    )
    gradient_checkpointing: bool = False
    attn_implementation: str = Field(
        "auto",
        description="attention backend for training: auto = flash_attention_2 on a GPU with the "
        "flash-attn package, else negneg_varlen (attention within each packed example: torch's varlen "
        "flash kernel on a GPU, per-example sdpa on a CPU; no padding); or any transformers name "
        "(sdpa: a block-diagonal mask over whole rows)",
    )

    @model_validator(mode="after")
    def _check(self) -> TrainConfig:
        if isinstance(self.checkpoints, list) and any(s < 1 for s in self.checkpoints):
            raise ValueError("checkpoint steps must be >= 1")
        if self.pack_length is not None and self.pack_length < self.max_length:
            raise ValueError("pack_length must be at least max_length")
        return self

    def fingerprint(self) -> str:
        """A short hash of every field (runs with equal fingerprints train identically)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def log_spaced_steps(total: int, count: int, first: int = 10) -> list[int]:
    """``count`` checkpoint steps from ``first`` to ``total``, evenly spaced in log(step + c).

    ``c = 0.06216 · total`` reproduces the paper's 15 checkpoints of its 625-step runs exactly
    (10, 20, 32, 47, 64, 85, 111, 141, 178, 223, 276, 341, 418, 512, 625): log spacing, a little
    flattened at the start. Duplicates after rounding are dropped, so short runs get fewer; a run
    of at most ``first`` steps is saved only at its end.
    """
    if total <= 0 or count <= 0:
        return []
    if total <= first or count == 1:
        return [total]
    c = PAPER_OFFSET * total
    ratio = math.log((total + c) / (first + c)) / (count - 1)
    steps = {min(total, round((first + c) * math.exp(ratio * i) - c)) for i in range(count)}
    steps.add(total)
    return sorted(steps)


def checkpoint_steps(config: TrainConfig, total: int) -> list[int]:
    """The steps at which a run of ``total`` steps saves an evaluable checkpoint."""
    if isinstance(config.checkpoints, list):
        return sorted({s for s in config.checkpoints if s <= total} | {total})
    return log_spaced_steps(total, config.checkpoints)


# ---------------------------------------------------------------------------------------------- recipes
def recipes_dir() -> Path:
    return Path(str(resources.files("negneg.training") / "recipes"))


def recipe_registry() -> Registry[Path]:
    reg: Registry[Path] = Registry("recipe")
    for path in sorted(recipes_dir().glob("*.yaml")):
        reg.add(path.stem, path)
    return reg


def load_recipe(name: str | Path, **overrides) -> TrainConfig:
    """A :class:`TrainConfig` from a built-in recipe name or a YAML path, with field overrides."""
    path = Path(name)
    if path.suffix not in (".yaml", ".yml"):
        path = recipe_registry().get(str(name), field="recipe")
    return load_yaml_model(TrainConfig, path, layout="training/recipes/*.yaml", extra=overrides)
