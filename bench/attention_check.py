"""Attention over packed rows: negneg_varlen against the per-example loop and a masked sdpa.

One packed row of documents (on a GPU: 32 documents of 300–900 tokens, 32 query / 8 key-value
heads of 64, bf16 — the paper recipe's micro-batch on a ~1B Llama; on a CPU a small fp32 row),
attended three ways, forward and backward:

* ``negneg_varlen`` as training runs it (on a CUDA device of compute capability ≥ 8: torch's
  varlen flash kernel, one call for the row; on a CPU: one sdpa call per document);
* the per-example loop (one causal sdpa call per document), the CPU path and the reference;
* sdpa with a block-diagonal causal mask over the whole row (what transformers' sdpa does with
  packed ``position_ids``, and negneg's GPU default before the varlen kernel).

Prints each one's forward + backward milliseconds (median of 5, synchronised) and the largest
difference of its output and of its q/k/v gradients from the reference; exits 1 when a
difference exceeds the dtype's tolerance, so bench/gpu_check.sh flags a wrong kernel.

    .venv/bin/python bench/attention_check.py            # CPU, small row
    python bench/attention_check.py                      # on a GPU machine
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from device import on_gpu, sync  # noqa: E402
from negneg.training import attention  # noqa: E402


def packed_row(lengths: list[int], device: str) -> torch.Tensor:
    return torch.cat([torch.arange(n, device=device) for n in lengths])[None]


def block_mask(lengths: list[int], device: str) -> torch.Tensor:
    """[1, 1, T, T] boolean: causal within each document, nothing across documents."""
    doc = torch.cat([torch.full((n,), i, device=device) for i, n in enumerate(lengths)])
    pos = torch.arange(doc.numel(), device=device)
    return ((doc[:, None] == doc[None, :]) & (pos[:, None] >= pos[None, :]))[None, None]


def main() -> int:
    gpu = on_gpu()
    device = "cuda" if gpu else "cpu"
    gen = torch.Generator().manual_seed(0)
    if gpu:
        n_docs, lo, hi, heads, kv, dim, dtype, tol = 32, 300, 900, 32, 8, 64, torch.bfloat16, 3e-2
    else:
        n_docs, lo, hi, heads, kv, dim, dtype, tol = 6, 40, 160, 4, 2, 16, torch.float32, 1e-4
    lengths = torch.randint(lo, hi + 1, (n_docs,), generator=gen).tolist()
    total = sum(lengths)
    module = SimpleNamespace(training=True, sliding_window=None)
    position_ids = packed_row(lengths, device)
    mask = block_mask(lengths, device)

    def tensors():
        g = torch.Generator().manual_seed(1)
        shapes = [(1, heads, total, dim), (1, kv, total, dim), (1, kv, total, dim)]
        return [torch.randn(s, generator=g).to(device, dtype).requires_grad_() for s in shapes]

    def varlen(q, k, v):
        return attention.varlen_attention_forward(module, q, k, v, None, position_ids=position_ids)[0]

    def loop(q, k, v):
        return attention.per_example_attention(q, k, v, attention.row_bounds(position_ids))

    def masked(q, k, v):
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
        return out.transpose(1, 2)

    kernel_used = attention._use_kernel(tensors()[0], None, 0.0)
    ways = {
        "negneg_varlen" + (" (varlen flash kernel)" if kernel_used else " (per-example sdpa)"): varlen,
        "per-example sdpa (reference)": loop,
        "sdpa, block-diagonal mask": masked,
    }
    grad_out = torch.randn((1, total, heads, dim), generator=gen).to(device, dtype)
    results = {}
    for name, fn in ways.items():
        q, k, v = tensors()
        out = fn(q, k, v)
        out.backward(grad_out)
        results[name] = [out.detach().float(), *(t.grad.float() for t in (q, k, v))]
        times = []
        for _ in range(5):
            q, k, v = tensors()
            sync()
            t0 = time.perf_counter()
            fn(q, k, v).backward(grad_out)
            sync()
            times.append(time.perf_counter() - t0)
        results[name].append(statistics.median(times) * 1e3)

    dev = torch.cuda.get_device_name(0) if gpu else "CPU"
    print(
        f"attention on {dev}: one row of {n_docs} documents, {total} tokens, {heads}/{kv} heads × {dim}, {dtype}"
    )
    ref = results["per-example sdpa (reference)"]
    worst = 0.0
    for name, (out, gq, gk, gv, ms) in results.items():
        diffs = [float((a - b).abs().max()) for a, b in zip((out, gq, gk, gv), ref[:4], strict=True)]
        scale = max(float(r.abs().max()) for r in ref[:4])
        worst = max(worst, max(diffs) / max(scale, 1e-6))
        print(
            f"  {name:<42} {ms:8.2f} ms fwd+bwd   max |Δ| out {diffs[0]:.2e}, dq {diffs[1]:.2e}, "
            f"dk {diffs[2]:.2e}, dv {diffs[3]:.2e}"
        )
    base = results["sdpa, block-diagonal mask"][4]
    print(f"speed-up of negneg_varlen over the masked sdpa: {base / results[next(iter(results))][4]:.2f}x")
    ok = worst <= tol
    print(
        f"attention check: {'ok' if ok else 'MISMATCH'} (largest relative difference {worst:.1e}, tolerance {tol:.0e})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
