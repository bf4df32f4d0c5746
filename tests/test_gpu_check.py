"""bench/gpu_check.sh in its tiny mode: every step of the GPU check (random-init model, documents,
annotation, LoRA training (varlen and masked-sdpa attention), the attention check, full training, eval, both benchmarks, the summary table) on a CPU."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_gpu_check_tiny_runs_every_step(tmp_path):
    env = {**os.environ, "GPU_CHECK_TINY": "1", "GPU_CHECK_OUT": str(tmp_path), "PYTHON": sys.executable}
    p = subprocess.run(
        ["bash", str(ROOT / "bench" / "gpu_check.sh")], capture_output=True, text=True, env=env, timeout=900
    )
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    summary = (tmp_path / "summary.md").read_text()
    steps = ["model", "docs", "annotate", "train_lora", "train_lora_sdpa", "attention", "train_full", "eval"]
    steps += ["bench_train", "bench_eval"]
    for name in steps:
        assert f"| {name} | ok |" in summary, summary
    assert "tok/s" in summary and "MFU" in summary and "ratio negneg/plain" in summary
    assert "attention check: ok" in (tmp_path / "logs" / "attention.log").read_text()
    assert (tmp_path / "lora" / "final").is_dir() and (tmp_path / "eval" / "summary.json").exists()
