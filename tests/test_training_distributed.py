"""The multi-process path: two CPU processes (torchrun, gloo) train tiny-random with the same code
and end with one adapter — identical on both ranks, and equal to one process that accumulates
the same two micro-batches per step."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file


def test_two_processes_train_one_consistent_adapter(tmp_path):
    torchrun = Path(sys.executable).with_name("torchrun")
    if not torchrun.exists():
        pytest.skip("torchrun not installed next to the interpreter")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
    proc = subprocess.run(
        [
            str(torchrun),
            "--nproc_per_node",
            "2",
            "--standalone",
            "-m",
            "negneg.training.distributed_check",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rank0, rank1 = (
        load_file(str(tmp_path / "rank0.safetensors")),
        load_file(str(tmp_path / "rank1.safetensors")),
    )
    assert rank0 and rank0.keys() == rank1.keys()
    assert all(torch.equal(rank0[k], rank1[k]) for k in rank0)

    from negneg.training.distributed_check import CaptureWeights, check_config, check_examples
    from negneg.training.trainer import train

    capture = CaptureWeights()
    single = train(
        "tiny-random", check_examples(), check_config(grad_accum=2), tmp_path / "single", callbacks=[capture]
    )
    for k in rank0:
        torch.testing.assert_close(rank0[k], capture.state[k], atol=1e-6, rtol=1e-5)

    from negneg.models import load_chat_model

    saved = load_file(str(tmp_path / "run" / "final" / "adapter_model.safetensors"))
    assert len(saved) == len(rank0)
    model = load_chat_model("tiny-random", adapter=tmp_path / "run" / "final")
    assert len(model.loglikelihood("Hello", [" there"])) == 1
    assert single.steps == 3
    shutil.rmtree(tmp_path / "run", ignore_errors=True)
