"""What the benchmarks measure a model's FLOP rate against: the device's own matmul peak.

On a GPU: the best of a few timed bf16 matmuls of 8192² (synchronised before and after), the
number a dense bf16 transformer step could at most reach there. On the CPU: the fp32 matmul
rate at the current thread count (best short burst of 512–2048 square, so other jobs on a shared
machine count less), as the CPU benchmarks have always printed.
"""

from __future__ import annotations

import time

import torch


def on_gpu() -> bool:
    return torch.cuda.is_available()


def sync() -> None:
    """Wait for the device's queued work, so a wall-clock reading covers it (no-op on the CPU)."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def cpu_matmul_flops(bursts: int = 10, burst_s: float = 0.15) -> float:
    best = 0.0
    for n in (512, 1024, 2048):
        a, b = torch.randn(n, n), torch.randn(n, n)
        torch.mm(a, b)
        for _ in range(bursts):
            reps, t0 = 0, time.perf_counter()
            while (dt := time.perf_counter() - t0) < burst_s:
                torch.mm(a, b)
                reps += 1
            best = max(best, 2 * n**3 * reps / dt)
    return best


def gpu_bf16_flops(n: int = 8192, reps: int = 20, trials: int = 5) -> float:
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):  # warm-up: cuBLAS picks its kernel, clocks ramp up
        torch.mm(a, b)
    best = 0.0
    for _ in range(trials):
        sync()
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b)
        sync()
        best = max(best, 2 * n**3 * reps / (time.perf_counter() - t0))
    del a, b
    torch.cuda.empty_cache()
    return best


def peak_flops() -> tuple[float, str]:
    """(FLOP/s, a description) of the device the benchmark runs on."""
    if on_gpu():
        name = torch.cuda.get_device_name(0)
        return gpu_bf16_flops(), f"bf16 matmul 8192² on {name}"
    return (
        cpu_matmul_flops(),
        f"fp32 matmul, best burst of 512–2048 square, {torch.get_num_threads()} threads",
    )


def linear_params(model) -> int:
    """N: the weights of every linear layer of the base model (LoRA's own adapters excluded), the
    unembedding included — what the 2N-per-token forward estimate counts."""
    return sum(
        m.weight.numel()
        for name, m in model.named_modules()
        if isinstance(m, torch.nn.Linear) and "lora_" not in name
    )
