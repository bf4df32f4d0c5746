"""Batches for the trainer: which examples go in which optimizer step, and how they are packed.

**Steps are made of examples, packing is only a layout.** Each epoch shuffles the examples
(seed + epoch) and cuts them into steps of ``batch_size`` examples — the paper's "batch 32, one
epoch" means exactly that here, whatever the packing. A step is split into one micro-batch per
process and accumulation round (balanced by tokens); a micro-batch's examples are packed into
as few rows of ``row_length`` tokens as fit (``trainer.row_length``), balanced so rows end close
to the same length.

**No attention across examples.** In a packed row every example's ``position_ids`` restart at 0.
On a CPU the trainer's default attention, ``negneg_varlen`` (``attention.py``), runs each example
separately inside the row, so a whole micro-batch goes in one row with no padding. transformers
(≥ 5) itself turns restarting position ids into a block-diagonal causal mask when no
``attention_mask`` is given (sdpa/eager), and flash-attention uses them as varlen boundaries;
either way each token sees only its own example — ``tests/test_training.py`` checks packed
logits against each example run alone. Padding at a row's end continues the last example's
positions (so a row with one example needs no mask at all): pads come after every real token,
and causal attention never lets a real token see them.

**Labels are pre-shifted per example.** ``shift_labels[t]`` is the label of token ``t + 1`` of the
same example, and −100 on an example's last token, so no token is ever trained to predict the
first token of the next example. ``shift_weights`` carries each example's loss weight on its
labelled positions (0 elsewhere).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

from negneg.records import TrainingExample

IGNORE = -100


# ---------------------------------------------------------------------------------------------- steps
def plan_steps(
    lengths: list[int], *, batch_size: int, epochs: int, seed: int, max_steps: int | None = None
) -> list[list[int]]:
    """Example indices of each optimizer step: shuffled per epoch, ``batch_size`` per step.

    With ``max_steps``, epochs are added (each reshuffled) until there are enough steps, and the
    plan is cut there. Steps never straddle an epoch boundary; an epoch's last step may be short.
    """
    n = len(lengths)
    if n == 0:
        return []
    steps: list[list[int]] = []
    epoch = 0
    while True:
        order = list(range(n))
        random.Random(seed * 1_000_003 + epoch).shuffle(order)
        steps.extend(order[i : i + batch_size] for i in range(0, n, batch_size))
        epoch += 1
        if max_steps is None and epoch >= epochs:
            return steps
        if max_steps is not None and len(steps) >= max_steps:
            return steps[:max_steps]


def split_step(step: list[int], lengths: list[int], parts: int) -> list[list[int]]:
    """Split one step's examples into ``parts`` micro-batches with about equal token counts
    (longest first onto the lightest part). A part may be empty when the step is short."""
    bins: list[list[int]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for i in sorted(step, key=lambda i: (-lengths[i], i)):
        k = min(range(parts), key=lambda b: (loads[b], b))
        bins[k].append(i)
        loads[k] += lengths[i]
    return bins


# ---------------------------------------------------------------------------------------------- rows
def pack_rows(lengths: list[int], capacity: int) -> list[list[int]]:
    """Positions (into ``lengths``) grouped into rows of at most ``capacity`` tokens.

    First-fit-decreasing finds how many rows are needed; the items are then dealt longest first
    onto the lightest row, which keeps rows close to equal length so little padding is needed
    when they are stacked. Items longer than ``capacity`` get a row of their own.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    ffd: list[int] = []
    for i in order:
        for r, load in enumerate(ffd):
            if load + lengths[i] <= capacity:
                ffd[r] += lengths[i]
                break
        else:
            ffd.append(lengths[i])
    n_rows = max(1, len(ffd))
    while True:
        rows: list[list[int]] = [[] for _ in range(n_rows)]
        loads = [0] * n_rows
        ok = True
        for i in order:
            r = min(range(n_rows), key=lambda b: (loads[b], b))
            if loads[r] and loads[r] + lengths[i] > capacity:
                ok = False
                break
            rows[r].append(i)
            loads[r] += lengths[i]
        if ok:
            return [row for row in rows if row]
        n_rows += 1


@dataclass
class PackStats:
    """Token accounting of the batches a run produced (padding waste = pad / (real + pad))."""

    real_tokens: int = 0
    pad_tokens: int = 0
    rows: int = 0
    examples: int = 0

    @property
    def padding_fraction(self) -> float:
        total = self.real_tokens + self.pad_tokens
        return self.pad_tokens / total if total else 0.0


class PackedCollator:
    """Turns a micro-batch (a list of example indices) into model tensors.

    The dataloader yields one micro-batch per item (``per_device_train_batch_size=1``); the item
    is ``{"examples": [indices]}``. Output keys: ``input_ids``, ``position_ids``,
    ``shift_labels``, ``shift_weights``, ``labels`` (= ``shift_labels``, so transformers' Trainer
    counts the step's labelled tokens exactly) and ``num_tokens`` (real tokens in the batch).
    """

    def __init__(self, examples: list[TrainingExample], pad_id: int, row_length: int, packing: bool = True):
        self.examples = examples
        self.pad_id = pad_id
        self.row_length = row_length
        self.packing = packing
        self.stats = PackStats()

    def layout(self, indices: list[int]) -> list[list[int]]:
        lengths = [len(self.examples[i].input_ids) for i in indices]
        if not self.packing:
            return [[i] for i in indices]
        return [[indices[j] for j in row] for row in pack_rows(lengths, self.row_length)]

    def __call__(self, items: list[dict]) -> dict[str, torch.Tensor]:
        indices = [i for item in items for i in item["examples"]]
        rows = self.layout(indices) if indices else []
        seqs = [self._row(row) for row in rows] or [([self.pad_id], [0], [IGNORE], [0.0])]
        width = max(len(s[0]) for s in seqs)
        ids = torch.full((len(seqs), width), self.pad_id, dtype=torch.long)
        pos = torch.zeros((len(seqs), width), dtype=torch.long)
        labels = torch.full((len(seqs), width), IGNORE, dtype=torch.long)
        weights = torch.zeros((len(seqs), width), dtype=torch.float32)
        real = 0
        for r, (row_ids, row_pos, row_labels, row_w) in enumerate(seqs):
            n = len(row_ids)
            real += n if rows else 0
            ids[r, :n] = torch.tensor(row_ids)
            pos[r, :n] = torch.tensor(row_pos)
            pos[r, n:] = torch.arange(row_pos[-1] + 1, row_pos[-1] + 1 + width - n)
            labels[r, :n] = torch.tensor(row_labels)
            weights[r, :n] = torch.tensor(row_w)
        self.stats.real_tokens += real
        self.stats.pad_tokens += ids.numel() - real
        self.stats.rows += len(seqs)
        self.stats.examples += len(indices)
        return {
            "input_ids": ids,
            "position_ids": pos,
            "shift_labels": labels,
            "labels": labels,
            "shift_weights": weights,
            "num_tokens": torch.tensor(real),
        }

    def _row(self, row: list[int]) -> tuple[list[int], list[int], list[int], list[float]]:
        ids: list[int] = []
        pos: list[int] = []
        labels: list[int] = []
        weights: list[float] = []
        for i in row:
            ex = self.examples[i]
            n = len(ex.input_ids)
            ids.extend(ex.input_ids)
            pos.extend(range(n))
            shifted = ex.labels[1:] + [IGNORE]
            labels.extend(shifted)
            weights.extend(ex.weight if lab != IGNORE else 0.0 for lab in shifted)
        return ids, pos, labels, weights


class StepDataset(torch.utils.data.Dataset):
    """One item per micro-batch, in training order (read with a sequential sampler)."""

    def __init__(self, micro_batches: list[list[int]]):
        self.micro_batches = micro_batches

    def __len__(self) -> int:
        return len(self.micro_batches)

    def __getitem__(self, i: int) -> dict:
        return {"examples": self.micro_batches[i]}


def micro_batches(steps: list[list[int]], lengths: list[int], parts: int) -> list[list[int]]:
    """Flatten steps into ``parts`` micro-batches each, in the order the Trainer consumes them:
    item ``s * parts + k`` is micro-batch ``k`` of step ``s`` (accelerate deals items round-robin to
    processes, and each process takes its accumulation rounds in order)."""
    return [mb for step in steps for mb in split_step(step, lengths, parts)]
