"""Trainer callbacks: log-spaced checkpoints with manifests and guards, token-rate logging, and a
rich progress bar. Each does one thing; ``trainer.py`` wires them together."""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import torch
from transformers import TrainerCallback

from negneg.errors import TrainingFailed
from negneg.io import atomic_write_json
from negneg.training.checkpoints import prune_older


def trainable_finite(model) -> bool:
    """Every trainable weight is finite. One device read for the whole model (a read per tensor
    would stall a GPU ~300 times per checkpoint of a LoRA run)."""
    flags = [torch.isfinite(p).all() for p in model.parameters() if p.requires_grad and p.numel()]
    return bool(torch.stack([f.to(flags[0].device) for f in flags]).all()) if flags else True


class CheckpointCallback(TrainerCallback):
    """Asks the Trainer to save at the log-spaced steps (and at resume points), then completes each
    checkpoint: drops ``training_args.bin`` (a pickle nobody needs) and peft's empty model card,
    refuses non-finite weights (the checkpoint is deleted and the run fails, so the last good one
    survives), writes the manifest, prunes superseded resume state and tells ``on_checkpoint``."""

    def __init__(
        self,
        out_dir: Path,
        log_steps: list[int],
        resume_every: int | None,
        manifest: dict,
        on_checkpoint: Callable[[int, Path], None] | None = None,
    ):
        self.out_dir = out_dir
        self.log_steps = set(log_steps)
        self.resume_every = resume_every
        self.manifest = manifest
        self.on_checkpoint = on_checkpoint
        self.last_loss: float | None = None
        self.model = None  # set by trainer.py; the weights checked for NaN before a save is kept

    def on_step_end(self, args, state, control, **kwargs):
        step = state.global_step
        if step in self.log_steps or (self.resume_every and step % self.resume_every == 0):
            control.should_save = True
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.last_loss = float(logs["loss"])

    def on_save(self, args, state, control, **kwargs):
        step = state.global_step
        path = self.out_dir / f"checkpoint-{step}"
        if not state.is_world_process_zero:
            return
        (path / "training_args.bin").unlink(missing_ok=True)
        (path / "README.md").unlink(missing_ok=True)  # peft's empty model card
        if self.model is not None and not trainable_finite(self.model):
            shutil.rmtree(path, ignore_errors=True)
            raise TrainingFailed(f"weights became non-finite at step {step}; last good checkpoint kept")
        kind = "log" if step in self.log_steps else "resume"
        atomic_write_json(
            path / "manifest.json",
            {**self.manifest, "kind": kind, "step": step, "loss": self.last_loss, "time": time.time()},
        )
        prune_older(self.out_dir, path)
        if kind == "log" and self.on_checkpoint is not None:
            self.on_checkpoint(step, path)


class TokenRateCallback(TrainerCallback):
    """Adds ``tokens``, ``tokens_per_s`` and ``elapsed_s`` to every log row (and to the Trainer's
    ``log_history``, so they survive a resume). Token counts are real (non-pad) tokens summed
    over all processes."""

    def __init__(self, trainer, on_row: Callable[[dict], None] | None = None):
        self.trainer = trainer
        self.on_row = on_row
        self.t0 = time.perf_counter()
        self.last_t = self.t0
        self.last_tokens = 0

    def on_train_begin(self, args, state, control, **kwargs):
        self.t0 = self.last_t = time.perf_counter()
        self.last_tokens = 0

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs or "loss" not in logs:
            return
        total = torch.tensor(float(self.trainer.tokens_seen), device=args.device)
        if args.world_size > 1:
            total = self.trainer.accelerator.reduce(total, reduction="sum")
        total = int(total.item())
        now = time.perf_counter()
        rate = (total - self.last_tokens) / max(now - self.last_t, 1e-9)
        self.last_t, self.last_tokens = now, total
        row = {
            "step": state.global_step,
            "loss": float(logs["loss"]),
            "lr": float(logs.get("learning_rate", 0.0)),
            "grad_norm": float(logs["grad_norm"]) if logs.get("grad_norm") is not None else None,
            "tokens": total,
            "tokens_per_s": round(rate, 2),
            "elapsed_s": round(now - self.t0, 3),
        }
        if state.log_history and state.log_history[-1].get("step") == state.global_step:
            state.log_history[-1].update(tokens=total, tokens_per_s=row["tokens_per_s"])
        if self.on_row is not None and state.is_world_process_zero:
            self.on_row(row)
        if not math.isfinite(row["loss"]):
            raise TrainingFailed(f"loss became {row['loss']} at step {state.global_step}")


class RichProgressCallback(TrainerCallback):
    """A rich progress bar with the latest loss and tokens/s (main process only)."""

    def __init__(self, description: str = "training"):
        self.description = description
        self.progress = None
        self.task = None

    def on_train_begin(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("{task.fields[rate]} tok/s"),
            TimeRemainingColumn(),
        )
        self.progress.start()
        self.task = self.progress.add_task(
            self.description, total=state.max_steps, completed=state.global_step, loss="—", rate="—"
        )

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.progress is None or not logs or "loss" not in logs:
            return
        rate = state.log_history[-1].get("tokens_per_s") if state.log_history else None
        self.progress.update(
            self.task,
            completed=state.global_step,
            loss=f"{logs['loss']:.3f}",
            rate=f"{rate:.0f}" if rate is not None else "—",
        )

    def on_train_end(self, args, state, control, **kwargs):
        self.close()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
