"""``train``: finetune a model on :class:`~negneg.records.TrainingExample` rows with transformers'
Trainer and peft — LoRA or full finetuning, packed batches, weighted loss, log-spaced checkpoints,
exact resume, and the same code on one CPU or many GPUs (``torchrun`` / ``accelerate launch``).

**The loss.** For one optimizer step over its examples (all processes, all accumulation rounds)::

    loss = Σ_t w_t · nll_t / Σ_t m_t

where ``t`` runs over every predicted token, ``m_t`` is 1 when the token carries a label (not
−100) and ``w_t`` is its example's ``weight``. The denominator does not depend on the weights:
an example of weight 3 contributes exactly three times the gradient it would with weight 1 (the
paper's 3× self-distillation anchor) and the other examples' contributions are unchanged. With
all weights 1 this is the usual per-token mean over the batch. transformers' Trainer supplies the
step's global label count (``num_items_in_batch``) so accumulation and data parallelism give the
same loss as one big batch.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict
from transformers import PrinterCallback, Trainer, TrainerCallback, TrainingArguments

from negneg.errors import TrainingFailed, UserInputError
from negneg.io import atomic_write_json
from negneg.records import TrainingExample
from negneg.training.attention import NAME as VARLEN
from negneg.training.attention import resolve as resolve_attention
from negneg.training.callbacks import CheckpointCallback, RichProgressCallback, TokenRateCallback
from negneg.training.checkpoints import incomplete_dirs, log_checkpoints, resume_checkpoint
from negneg.training.config import TrainConfig, checkpoint_steps
from negneg.training.packing import PackedCollator, StepDataset, micro_batches, plan_steps

IGNORE = -100


class TrainResult(BaseModel):
    """What a run produced. ``final_adapter`` is a peft adapter dir (LoRA) or a full model dir."""

    model_config = ConfigDict(extra="forbid")

    final_adapter: Path
    checkpoints: list[tuple[int, Path]]
    log: list[dict[str, Any]]
    wall_s: float
    steps: int
    examples: int
    tokens: int
    padding_fraction: float
    truncated_examples: int = 0
    run_hash: str
    model: str
    method: str


class NegnegTrainer(Trainer):
    """transformers' Trainer with the weighted, packed loss of this module's docstring."""

    loss_is_scaled_for_ga = True  # normalised by the whole step's label count below

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # We compute the loss ourselves from `shift_labels`; this makes the Trainer count the
        # step's labelled tokens (over accumulation rounds and processes) and pass them in.
        self.model_accepts_loss_kwargs = True
        self.tokens_seen = 0

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("shift_labels")
        weights = inputs.pop("shift_weights")
        inputs.pop("labels", None)
        num_tokens = inputs.pop("num_tokens", None)
        outputs = model(input_ids=inputs["input_ids"], position_ids=inputs["position_ids"], use_cache=False)
        loss_sum = weighted_nll_sum(outputs.logits, labels, weights)
        if num_items_in_batch is None:  # outside training_step: a plain per-batch mean
            denom = labels.ne(IGNORE).sum().clamp(min=1)
            loss = loss_sum / denom
        else:
            loss = loss_sum / torch.as_tensor(num_items_in_batch, device=loss_sum.device).clamp(min=1)
            if self.args.average_tokens_across_devices:
                loss = loss * self.accelerator.num_processes  # DDP averages gradients over processes
        if not torch.isfinite(loss_sum):
            raise TrainingFailed(
                f"loss became {loss_sum.item()} at step {self.state.global_step + 1}; "
                "the last good checkpoint is kept"
            )
        if num_tokens is not None:
            self.tokens_seen += int(num_tokens)
        return (loss, outputs) if return_outputs else loss

    def _get_train_sampler(self, train_dataset=None):
        # The step order is planned in packing.py: always sequential (transformers releases before
        # ``train_sampling_strategy`` existed would otherwise shuffle it).
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        return torch.utils.data.SequentialSampler(dataset)


def weighted_nll_sum(
    logits: torch.Tensor, shift_labels: torch.Tensor, shift_weights: torch.Tensor
) -> torch.Tensor:
    """Σ w_t · nll_t over labelled positions (logits at ``t`` predict ``shift_labels[t]``)."""
    nll = F.cross_entropy(
        logits.flatten(0, 1).float(), shift_labels.flatten(), ignore_index=IGNORE, reduction="none"
    )
    return (nll * shift_weights.flatten().to(nll.dtype)).sum()


# ---------------------------------------------------------------------------------------------- helpers
def row_length(config: TrainConfig) -> int:
    """Packed row capacity: ``pack_length`` if set; with varlen attention a whole micro-batch
    (long rows cost nothing extra); otherwise ``max_length`` (a block-diagonal mask costs row²)."""
    if config.pack_length:
        return config.pack_length
    return 10**9 if resolve_attention(config.attn_implementation) == VARLEN else config.max_length


def examples_digest(examples: list[TrainingExample]) -> str:
    """A short hash of the tokens, labels and weights (identifies the data of a run)."""
    import numpy as np

    h = hashlib.sha256()
    for ex in examples:
        h.update(np.asarray(ex.input_ids, dtype=np.int64).tobytes())
        h.update(np.asarray(ex.labels, dtype=np.int64).tobytes())
        h.update(np.float64(ex.weight).tobytes())
    return h.hexdigest()[:16]


def _fingerprint(model) -> list[tuple[float, float]] | None:
    """Sum and sum of squares of each trainable tensor: enough to tell whether training moved it.
    ``None`` when this process holds no trainable elements (e.g. a ZeRO-3 shard)."""
    with torch.no_grad():
        params = [p for p in model.parameters() if p.requires_grad and p.numel() > 0]
        if not params:
            return None
        return [(float(p.double().sum()), float(p.double().pow(2).sum())) for p in params]


def _use_bf16(config: TrainConfig) -> bool:
    if config.precision == "bf16":
        return True
    return config.precision == "auto" and torch.cuda.is_available() and torch.cuda.is_bf16_supported()


def _linear_module_names(model) -> list[str]:
    names = set()
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear) and name.split(".")[-1] != "lm_head":
            names.add(name.split(".")[-1])
    return sorted(names)


def build_model(model_name: str, config: TrainConfig, init_adapter: str | Path | None = None):
    """The model to train (peft-wrapped for LoRA) and its tokenizer; seeded for a repeatable init.
    Its attention backend is ``attention.resolve(config.attn_implementation)``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, set_seed

    from negneg.models.registry import resolve_model_dir

    path = resolve_model_dir(model_name)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    # LoRA keeps the frozen base in bf16 on a GPU (no master copy needed); full finetuning keeps
    # fp32 master weights and lets the Trainer autocast.
    dtype = torch.bfloat16 if (_use_bf16(config) and config.method == "lora") else torch.float32
    kwargs: dict[str, Any] = {"dtype": dtype}
    attn = resolve_attention(config.attn_implementation)
    if attn:
        kwargs["attn_implementation"] = attn
    set_seed(config.seed)
    model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    if config.method == "full":
        if init_adapter is not None:
            raise UserInputError(
                "init_adapter needs method 'lora'",
                field="method",
                fix="continue a full run from its model dir",
            )
        return model, tokenizer
    from peft import LoraConfig, PeftModel, get_peft_model

    if init_adapter is not None:
        model = PeftModel.from_pretrained(model, str(init_adapter), is_trainable=True)
        return _adapter_only_saves(model), tokenizer
    targets = (
        _linear_module_names(model) if config.target_modules == "all-linear" else list(config.target_modules)
    )
    if config.train_unembed:
        targets.append("lm_head")
    lora = LoraConfig(
        r=config.rank,
        lora_alpha=config.alpha,
        lora_dropout=config.dropout,
        target_modules=targets,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return _adapter_only_saves(get_peft_model(model, lora)), tokenizer


def _adapter_only_saves(model):
    """Make every save of this peft model (checkpoints, the final adapter) write the adapter only.

    With ``lm_head`` among the LoRA targets (``train_unembed``), peft's ``save_embedding_layers=
    "auto"`` also writes the frozen base unembedding into each adapter file: 49k × 2048 weights
    (200 MB in bf16) per checkpoint for a 1B model, 15 times per paper-recipe run. Those weights
    never change and negneg never resizes the vocabulary, so the base model's own copy is the
    same; loading needs only the LoRA matrices (tests/test_training.py checks the logits)."""
    model.save_pretrained = functools.partial(model.save_pretrained, save_embedding_layers=False)
    return model


def _versions() -> dict[str, str]:
    import peft
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}


# Newer TrainingArguments keywords → what releases inside the declared range call them (None: the
# keyword does not exist there and negneg does its job another way, e.g. the sampler override).
_OLDER_KEYWORDS = {"activation_checkpointing": "gradient_checkpointing", "train_sampling_strategy": None}


def _compatible_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` for the installed transformers, feature-detected from ``TrainingArguments``'
    signature: the floor, 5.18, has no ``activation_checkpointing`` (5.17 crashed on it in the
    field) and releases before it no ``train_sampling_strategy``."""
    accepted = inspect.signature(TrainingArguments.__init__).parameters
    out = {}
    for key, value in kwargs.items():
        if key not in accepted and key in _OLDER_KEYWORDS:
            key = _OLDER_KEYWORDS[key]
            if key is None or key not in accepted:
                continue
        out[key] = value
    return out


def _make_args(config: TrainConfig, out_dir: Path, n_steps: int) -> TrainingArguments:
    on_gpu = torch.cuda.is_available()
    return _build_args(
        output_dir=str(out_dir),
        per_device_train_batch_size=1,  # one item = one micro-batch of examples (packing.py)
        gradient_accumulation_steps=config.grad_accum,
        max_steps=n_steps,
        learning_rate=config.lr,
        lr_scheduler_type=config.schedule,
        warmup_steps=config.warmup_steps,
        adam_beta1=config.adam_beta1,
        adam_beta2=config.adam_beta2,
        adam_epsilon=config.adam_eps,
        weight_decay=config.weight_decay,
        max_grad_norm=config.max_grad_norm or 0.0,
        optim="adamw_torch",
        logging_steps=1,
        save_strategy="no",  # CheckpointCallback decides when to save
        report_to="none",
        disable_tqdm=True,
        seed=config.seed,
        data_seed=config.seed,
        train_sampling_strategy="sequential",  # the order is planned in packing.py
        remove_unused_columns=False,
        dataloader_num_workers=0,
        average_tokens_across_devices=True,
        bf16=_use_bf16(config),
        fp16=config.precision == "fp16",
        use_cpu=not on_gpu,
        activation_checkpointing=config.gradient_checkpointing,
        ddp_find_unused_parameters=False,
        logging_nan_inf_filter=False,
    )


def _build_args(**kwargs: Any) -> TrainingArguments:
    return TrainingArguments(**_compatible_kwargs(kwargs))


# ---------------------------------------------------------------------------------------------- train
def train(
    model_name: str,
    examples: list[TrainingExample],
    config: TrainConfig,
    out_dir: str | Path,
    *,
    init_adapter: str | Path | None = None,
    on_checkpoint: Callable[[int, Path], None] | None = None,
    progress: bool | Callable[[dict], None] = False,
    callbacks: list[TrainerCallback] | None = None,
) -> TrainResult:
    """Finetune ``model_name`` on ``examples``; checkpoints and the final adapter go to ``out_dir``.

    * ``out_dir/checkpoint-<step>/`` at the log-spaced steps of ``config.checkpoints`` (each a peft
      adapter in safetensors with ``manifest.json``; ``on_checkpoint(step, path)`` is called after
      each), ``out_dir/final/`` at the end, ``out_dir/result.json`` with the returned record.
    * Rerunning into the same ``out_dir`` resumes from its newest complete checkpoint (optimizer,
      schedule, RNG and data position restored), or returns the stored result if the run finished.
      A directory holding a different run (other config, data, model or init) is refused.
    * ``init_adapter``: start from a previous run's adapter (its weights, trainable) with a fresh
      optimizer and schedule — the paper's two-phase experiment (§8).
    * ``progress``: ``True`` shows a rich progress bar; a callable gets every log row.
    * Raises :class:`TrainingFailed` if the loss becomes NaN/inf (the last good checkpoint stays)
      or if training left the trainable weights exactly where they started.
    """
    out_dir = Path(out_dir)
    if not examples:
        raise UserInputError("no training examples", fix="check the documents / mix you passed")
    truncated = 0
    rows: list[TrainingExample] = []
    for ex in examples:
        if len(ex.input_ids) > config.max_length:
            truncated += 1
            ex = ex.model_copy(
                update={
                    "input_ids": ex.input_ids[: config.max_length],
                    "labels": ex.labels[: config.max_length],
                }
            )
        rows.append(ex)
    if not any(lab != IGNORE for ex in rows for lab in ex.labels[1:]):
        raise UserInputError("no token of the training examples carries loss (all labels are -100)")
    lengths = [len(ex.input_ids) for ex in rows]

    steps = plan_steps(
        lengths,
        batch_size=config.batch_size,
        epochs=config.epochs,
        seed=config.seed,
        max_steps=config.max_steps,
    )
    n_steps = len(steps)
    args = _make_args(config, out_dir, n_steps)
    parts = args.world_size * config.grad_accum
    dataset = StepDataset(micro_batches(steps, lengths, parts))

    run_hash = hashlib.sha256(
        json.dumps(
            {
                "config": config.fingerprint(),
                "model": model_name,
                "data": examples_digest(rows),
                "init_adapter": str(init_adapter) if init_adapter else None,
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()[:16]
    done = _finished(out_dir, run_hash)
    if done is not None:
        return done
    _check_same_run(out_dir, run_hash)
    main = args.process_index == 0
    if main:
        for p in incomplete_dirs(out_dir):
            shutil.rmtree(p, ignore_errors=True)
    resume = resume_checkpoint(out_dir)

    model, tokenizer = build_model(model_name, config, init_adapter)
    start_print = _fingerprint(model)
    collator = PackedCollator(rows, tokenizer.pad_token_id, row_length(config), packing=config.packing)
    log_steps = checkpoint_steps(config, n_steps)
    from negneg.models.registry import model_source

    manifest = {
        "model": model_name,
        "model_source": model_source(model_name),
        "method": config.method,
        "config": config.model_dump(mode="json"),
        "config_hash": config.fingerprint(),
        "run_hash": run_hash,
        "seed": config.seed,
        "init_adapter": str(init_adapter) if init_adapter else None,
        "examples": len(rows),
        "total_steps": n_steps,
        "versions": _versions(),
    }
    # Short runs lose little when killed; saving optimizer state every step would cost ~10% there.
    resume_every = max(25, -(-n_steps // 20)) if config.resume_every is None else config.resume_every
    ckpt_cb = CheckpointCallback(out_dir, log_steps, resume_every, manifest, on_checkpoint=on_checkpoint)
    trainer = NegnegTrainer(model=model, args=args, train_dataset=dataset, data_collator=collator)
    trainer.remove_callback(PrinterCallback)  # no raw dicts on stdout; progress/log rows instead
    ckpt_cb.model = model
    rate_cb = TokenRateCallback(trainer, on_row=progress if callable(progress) else None)
    trainer.add_callback(ckpt_cb)
    trainer.add_callback(rate_cb)
    bar = RichProgressCallback(f"training {model_name}") if progress is True else None
    if bar is not None:
        trainer.add_callback(bar)
    for cb in callbacks or []:
        trainer.add_callback(cb)

    t0 = time.perf_counter()
    try:
        trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    finally:
        if bar is not None:
            bar.close()
    wall = time.perf_counter() - t0
    if start_print is not None and _fingerprint(model) == start_print:
        raise TrainingFailed(
            "training did not change the trainable weights (learning rate 0, or no gradient reached them)"
        )

    final = out_dir / "final"
    tmp = out_dir / "final.tmp"
    if main:
        shutil.rmtree(tmp, ignore_errors=True)
    trainer.save_model(str(tmp))
    if main:
        (tmp / "training_args.bin").unlink(missing_ok=True)
        (tmp / "README.md").unlink(missing_ok=True)
        if config.method == "full":
            tokenizer.save_pretrained(str(tmp))
        last_loss = next((r["loss"] for r in reversed(trainer.state.log_history) if "loss" in r), None)
        atomic_write_json(
            tmp / "manifest.json",
            {**manifest, "kind": "final", "step": n_steps, "loss": last_loss, "time": time.time()},
        )
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    trainer.accelerator.wait_for_everyone()

    log = [
        {
            "step": r["step"],
            "loss": r["loss"],
            "lr": r.get("learning_rate"),
            "grad_norm": r.get("grad_norm"),
            "tokens_per_s": r.get("tokens_per_s"),
            "tokens": r.get("tokens"),
        }
        for r in trainer.state.log_history
        if "loss" in r
    ]
    result = TrainResult(
        final_adapter=final,
        checkpoints=log_checkpoints(out_dir),
        log=log,
        wall_s=round(wall, 3),
        steps=n_steps,
        examples=len(rows),
        tokens=sum(lengths[i] for step in steps for i in step),
        padding_fraction=round(collator.stats.padding_fraction, 5),
        truncated_examples=truncated,
        run_hash=run_hash,
        model=model_name,
        method=config.method,
    )
    if main:
        atomic_write_json(out_dir / "result.json", result.model_dump(mode="json"))
    return result


def _finished(out_dir: Path, run_hash: str) -> TrainResult | None:
    path = out_dir / "result.json"
    if not (path.exists() and (out_dir / "final" / "manifest.json").exists()):
        return None
    result = TrainResult.model_validate_json(path.read_text())
    return result if result.run_hash == run_hash else None


def _check_same_run(out_dir: Path, run_hash: str) -> None:
    for candidate in [out_dir / "final", *sorted(out_dir.glob("checkpoint-*"))]:
        m = candidate / "manifest.json"
        if m.exists() and json.loads(m.read_text()).get("run_hash") != run_hash:
            raise UserInputError(
                "this directory holds a different training run (other config, data, model or init)",
                where=str(out_dir),
                fix="use a fresh --out directory, or delete the old run",
            )
