"""Checkpoint directories: what is in them, which are complete, which one to resume from.

A run's ``out_dir`` holds ``checkpoint-<step>/`` directories written by transformers' Trainer
(the adapter — or, for full finetuning, the model — in safetensors, plus optimizer, scheduler,
RNG and trainer state for an exact resume) and ``final/``. negneg adds ``manifest.json`` **last**,
atomically: a checkpoint without a manifest is incomplete (the run died while saving it) and is
ignored. Two kinds exist: ``log`` checkpoints (the log-spaced ones the experiment evaluates) and
``resume`` points (saved only so a killed run loses little; deleted once a newer one exists).
Only the newest checkpoint keeps its optimizer state, so disk use stays about one optimizer's worth.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

MANIFEST = "manifest.json"
RESUME_STATE = ("optimizer.pt", "scheduler.pt", "scaler.pt", "rng_state.pth")
_CKPT = re.compile(r"^checkpoint-(\d+)$")


def checkpoint_dirs(out_dir: Path) -> list[tuple[int, Path]]:
    """Complete checkpoints (with a manifest), oldest first."""
    out = []
    if not out_dir.is_dir():
        return out
    for p in out_dir.iterdir():
        m = _CKPT.match(p.name)
        if m and p.is_dir() and (p / MANIFEST).exists():
            out.append((int(m.group(1)), p))
    return sorted(out)


def read_manifest(path: Path) -> dict:
    return json.loads((path / MANIFEST).read_text())


def log_checkpoints(out_dir: Path) -> list[tuple[int, Path]]:
    """The evaluable (log-spaced) checkpoints of a run, oldest first."""
    return [(s, p) for s, p in checkpoint_dirs(out_dir) if read_manifest(p).get("kind") == "log"]


def resume_checkpoint(out_dir: Path) -> Path | None:
    """The newest complete checkpoint that still has its optimizer state, if any."""
    for _, p in reversed(checkpoint_dirs(out_dir)):
        if (p / "trainer_state.json").exists() and (p / "optimizer.pt").exists():
            return p
    return None


def prune_older(out_dir: Path, newest: Path) -> None:
    """Delete resume points older than ``newest`` and strip resume state from older log checkpoints."""
    for _, p in checkpoint_dirs(out_dir):
        if p == newest:
            continue
        if read_manifest(p).get("kind") == "resume":
            shutil.rmtree(p, ignore_errors=True)
            continue
        for name in RESUME_STATE:
            (p / name).unlink(missing_ok=True)
        for extra in p.glob("rng_state_*.pth"):
            extra.unlink(missing_ok=True)


def incomplete_dirs(out_dir: Path) -> list[Path]:
    """``checkpoint-*`` directories without a manifest (a save that was cut off)."""
    if not out_dir.is_dir():
        return []
    return [p for p in out_dir.iterdir() if _CKPT.match(p.name) and not (p / MANIFEST).exists()]
