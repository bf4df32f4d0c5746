"""Held-out loss: how well a model predicts examples it was not trained on (§8's NLL columns).

The sets are written by the ``heldout`` stage (:mod:`negneg.conditions.heldout`) into
``heldout.jsonl``: one training example per row, with the name of its ``split``.
"""

from __future__ import annotations

from pathlib import Path

import torch

from negneg.io import atomic_write_jsonl, read_jsonl
from negneg.records import TrainingExample
from negneg.training.packing import PackedCollator
from negneg.training.trainer import weighted_nll_sum


@torch.no_grad()
def heldout_loss(model, tokenizer, examples: list[TrainingExample], batch_size: int = 8) -> float:
    """Mean per-token NLL (nats) over the labelled tokens of ``examples``, ignoring their weights.

    ``model`` is a transformers/peft causal LM or a :class:`~negneg.models.local.LocalChatModel`.
    Examples are packed like training rows (no attention across examples), ``batch_size`` at a time.
    """
    if hasattr(model, "tokenizer") and hasattr(model, "model"):  # a LocalChatModel
        tokenizer = tokenizer or model.tokenizer
        model = model.model
    if not examples:
        raise ValueError("heldout_loss needs at least one example")
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    unweighted = [ex.model_copy(update={"weight": 1.0}) for ex in examples]
    longest = max(len(ex.input_ids) for ex in examples)
    collator = PackedCollator(unweighted, pad, max(longest, 1024))
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    try:
        for start in range(0, len(examples), batch_size):
            batch = collator([{"examples": list(range(start, min(start + batch_size, len(examples))))}])
            logits = model(
                input_ids=batch["input_ids"].to(device),
                position_ids=batch["position_ids"].to(device),
                use_cache=False,
            ).logits
            labels = batch["shift_labels"].to(device)
            total += float(weighted_nll_sum(logits, labels, batch["shift_weights"].to(device)))
            count += int(labels.ne(-100).sum())
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("no example has a labelled token")
    return total / count


HELDOUT_FILE = "heldout.jsonl"


def write_heldout(stage_dir: Path, splits: dict[str, list[TrainingExample]]) -> None:
    """Store held-out sets (split name → examples) in ``stage_dir``."""
    rows = ({"split": k, **e.model_dump()} for k, v in splits.items() for e in v)
    atomic_write_jsonl(stage_dir / HELDOUT_FILE, rows)


def read_heldout(stage_dir: Path) -> dict[str, list[TrainingExample]]:
    """The sets :func:`write_heldout` stored, by split name, in file order."""
    sets: dict[str, list[TrainingExample]] = {}
    for r in read_jsonl(stage_dir / HELDOUT_FILE):
        split = r.pop("split")
        sets.setdefault(split, []).append(TrainingExample.model_validate(r))
    return sets
