"""Prove the multi-process path: ``torchrun --nproc_per_node 2 -m negneg.training.distributed_check OUT``.

Each process trains ``tiny-random`` with the same code as a single-process run (gloo on CPU,
nccl on GPUs); the Trainer's accelerate state sees every process, gradients are averaged, and
each rank writes its final trainable weights to ``OUT/rank<r>.safetensors`` so a test can check
that all ranks hold the same adapter (and that it matches one process with accumulation).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from negneg.records import TrainingExample


def check_examples(n: int = 16, seed: int = 0) -> list[TrainingExample]:
    """Deterministic rows of random token ids with varied lengths and weights."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        ids = [rng.randint(100, 5000) for _ in range(rng.randint(12, 40))] + [2]
        labels = [-100] + ids[1:]
        rows.append(TrainingExample(input_ids=ids, labels=labels, weight=1.0 + (i % 3)))
    return rows


def check_config(grad_accum: int = 1):
    from negneg.training.config import load_recipe

    return load_recipe("tiny", batch_size=8, grad_accum=grad_accum, max_steps=3, checkpoints=[2])


class CaptureWeights:
    """A Trainer callback that keeps a copy of the trainable weights when training ends."""

    def __new__(cls):
        from transformers import TrainerCallback

        class _Capture(TrainerCallback):
            state: dict = {}

            def on_train_end(self, args, state, control, model=None, **kwargs):
                self.state = {
                    n: p.detach().clone().contiguous() for n, p in model.named_parameters() if p.requires_grad
                }

        return _Capture()


def main(argv: list[str] | None = None) -> int:
    from safetensors.torch import save_file

    from negneg.training.trainer import train

    out = Path((argv or sys.argv[1:])[0])
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    capture = CaptureWeights()
    # Two processes × 1 accumulation round sees the same 8 examples per step as 1 process × 2.
    train(
        "tiny-random",
        check_examples(),
        check_config(grad_accum=max(1, 2 // world)),
        out / "run",
        callbacks=[capture],
    )
    save_file(capture.state, str(out / f"rank{rank}.safetensors"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
