"""Variable-length ("varlen") attention for packed rows, without flash-attention.

A packed row holds several examples whose ``position_ids`` restart at 0. transformers' own answer
on sdpa is a block-diagonal mask over the whole row, which still computes every query × key
pair — on a CPU, rows of 4 × 400 tokens spend about a third more time in attention than the
examples need. ``negneg_varlen`` instead attends within each example only (causal, no mask), so
work and results are exactly those of the examples run alone, and a micro-batch can be packed into
a single row with no padding at all. On a CUDA device with bf16/fp16 activations it makes one call
per row to PyTorch's own varlen flash kernel (``torch.nn.attention.varlen.varlen_attn``, torch ≥
2.9); elsewhere one sdpa call per example. It is registered with transformers'
``AttentionInterface`` and picked by ``attn_implementation: auto`` on CPUs, and on GPUs when the
flash-attn package (whose varlen kernel transformers uses directly) is not installed.

Why not sdpa with transformers' block-diagonal mask on a GPU: with an arbitrary mask sdpa cannot
use its flash kernel and computes every query × key pair of the row. The paper recipe packs 32
documents of ~600 tokens into rows of up to 10,000 tokens, where that is ~17× the attention work
the documents need — for a 1B model more FLOPs than all its linear layers. Without
``position_ids``, or with an attention mask (generation, padded batches), it falls back to plain
sdpa.
"""

from __future__ import annotations

import functools
import weakref

import torch
import torch.nn.functional as F

NAME = "negneg_varlen"


def segment_bounds(position_ids: torch.Tensor) -> list[int]:
    """Start offsets of the examples in one row (where the position restarts at 0), plus the end."""
    starts = (position_ids == 0).nonzero().flatten().tolist()
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    return [*starts, position_ids.shape[-1]]


_last_bounds: tuple[weakref.ref, int, list[list[int]]] | None = None


def row_bounds(position_ids: torch.Tensor) -> list[list[int]]:
    """:func:`segment_bounds` of every row, computed once per forward pass: every layer gets the
    same ``position_ids`` tensor, and reading the bounds to the host costs a device sync."""
    global _last_bounds
    if _last_bounds is not None:
        ref, version, bounds = _last_bounds
        if ref() is position_ids and position_ids._version == version:
            return bounds
    bounds = [segment_bounds(row) for row in position_ids]
    _last_bounds = (weakref.ref(position_ids), position_ids._version, bounds)
    return bounds


@functools.cache
def varlen_kernel():
    """PyTorch's varlen flash-attention function, or None where this torch has none (looked up
    once: every layer of every step asks)."""
    try:
        from torch.nn.attention.varlen import varlen_attn
    except ImportError:
        return None
    return varlen_attn


def _use_kernel(query: torch.Tensor, window: int | None, dropout: float) -> bool:
    """The flash kernel takes half-precision inputs on Ampere or newer; sliding windows and
    attention dropout stay on the per-example path, which handles them."""
    return (
        query.is_cuda
        and query.dtype in (torch.bfloat16, torch.float16)
        and torch.cuda.get_device_capability(query.device) >= (8, 0)
        and not window
        and dropout == 0.0
        and varlen_kernel() is not None
    )


def varlen_attention_forward(
    module: torch.nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    is_causal: bool | None = None,
    **kwargs,
) -> tuple[torch.Tensor, None]:
    """Attention over ``[batch, heads, seq, dim]`` tensors within each example of each row:
    one varlen flash call per row where :func:`_use_kernel` allows, else one sdpa call per
    example. Returns ``[batch, seq, heads, dim]``, as transformers' attention functions do."""
    position_ids = kwargs.get("position_ids")
    if position_ids is None or attention_mask is not None or query.shape[2] != key.shape[2]:
        from transformers.integrations.sdpa_attention import sdpa_attention_forward

        return sdpa_attention_forward(
            module,
            query,
            key,
            value,
            attention_mask,
            dropout=dropout,
            scaling=scaling,
            is_causal=is_causal,
            **kwargs,
        )
    window = getattr(module, "sliding_window", None)  # Gemma-3's local layers, None elsewhere
    dropout = dropout if module.training else 0.0
    rows = row_bounds(position_ids)
    bounds = [rows[b if len(rows) > 1 else 0] for b in range(query.shape[0])]
    attend = kernel_attention if _use_kernel(query, window, dropout) else per_example_attention
    return attend(query, key, value, bounds, scaling=scaling, window=window, dropout=dropout), None


def kernel_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    bounds: list[list[int]],
    *,
    scaling: float | None = None,
    window: int | None = None,
    dropout: float = 0.0,
) -> torch.Tensor:
    """Causal attention within the examples of each row (``bounds[b]``: its start offsets and end),
    one call of torch's varlen flash kernel per row; ``[batch, seq, heads, dim]``. Only where
    :func:`_use_kernel` allows: no window, no dropout."""
    kernel = varlen_kernel()
    rows = []
    for b, row in enumerate(bounds):
        cu = torch.tensor(row, dtype=torch.int32, device=query.device)
        longest = max(e - s for s, e in zip(row[:-1], row[1:], strict=True))
        rows.append(
            kernel(
                query[b].transpose(0, 1).contiguous(),  # [seq, heads, dim]
                key[b].transpose(0, 1).contiguous(),
                value[b].transpose(0, 1).contiguous(),
                cu,
                cu,
                longest,
                longest,
                scale=scaling,
                window_size=(-1, 0),  # causal
                enable_gqa=query.shape[1] != key.shape[1],
            )
        )
    return torch.stack(rows)


def per_example_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    bounds: list[list[int]],
    *,
    scaling: float | None = None,
    window: int | None = None,
    dropout: float = 0.0,
) -> torch.Tensor:
    """The same as :func:`kernel_attention`, one sdpa call per example (any device and dtype,
    sliding windows and dropout included); ``[batch, seq, heads, dim]``."""
    rows = []
    for b, row in enumerate(bounds):
        parts = [
            F.scaled_dot_product_attention(
                query[b : b + 1, :, s:e],
                key[b : b + 1, :, s:e],
                value[b : b + 1, :, s:e],
                attn_mask=_sliding_mask(e - s, window, query.device),
                dropout_p=dropout,
                is_causal=not (window and e - s > window),
                scale=scaling,
                enable_gqa=query.shape[1] != key.shape[1],
            )
            for s, e in zip(row[:-1], row[1:], strict=True)
        ]
        rows.append(parts[0] if len(parts) == 1 else torch.cat(parts, dim=2))
    out = rows[0] if len(rows) == 1 else torch.cat(rows, dim=0)
    return out.transpose(1, 2).contiguous()


def _sliding_mask(n: int, window: int | None, device) -> torch.Tensor | None:
    """Causal and at most ``window`` keys back (transformers' sliding window: q − k < window) for an
    example longer than the window; None (plain causal) otherwise."""
    if not window or n <= window:
        return None
    i = torch.arange(n, device=device)
    back = i[:, None] - i[None, :]
    return (back >= 0) & (back < window)


def register() -> str:
    """Make ``attn_implementation="negneg_varlen"`` available to transformers (idempotent)."""
    from transformers import AttentionInterface

    AttentionInterface.register(NAME, varlen_attention_forward)
    return NAME


def resolve(requested: str | None) -> str | None:
    """The attention implementation for training: the explicit choice, else flash-attention 2 on
    CUDA when the flash-attn package is installed, else ``negneg_varlen`` (CPU and GPU)."""
    if requested and requested != "auto":
        return register() if requested == NAME else requested
    if torch.cuda.is_available():
        try:
            import flash_attn  # noqa: F401

            return "flash_attention_2"
        except ImportError:
            pass
    return register()
