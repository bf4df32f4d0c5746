"""negneg.training: turn documents and chats into training rows (``masking``, ``mix``) and
finetune a model on them (``trainer``: LoRA or full, packed, weighted, checkpointed, resumable).

The trainer's names are imported lazily so that ``negneg.training.masking`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from negneg.training.config import TrainConfig, load_recipe
    from negneg.training.heldout import heldout_loss
    from negneg.training.merge import merge_adapter
    from negneg.training.trainer import TrainResult, train

__all__ = ["TrainConfig", "TrainResult", "heldout_loss", "load_recipe", "merge_adapter", "train"]

_WHERE = {
    "TrainConfig": "negneg.training.config",
    "load_recipe": "negneg.training.config",
    "TrainResult": "negneg.training.trainer",
    "train": "negneg.training.trainer",
    "heldout_loss": "negneg.training.heldout",
    "merge_adapter": "negneg.training.merge",
}


def __getattr__(name: str):
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'negneg.training' has no attribute {name!r}")
