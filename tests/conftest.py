"""Shared fixtures. NEGNEG_HOME is a session cache so the embedded model is converted once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tiny models gain nothing from intra-op threads, and subprocesses (torchrun, negneg run) would
# oversubscribe the two cores; one thread each keeps the suite fast and steady.
os.environ.setdefault("OMP_NUM_THREADS", "1")


torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model():
    from negneg.models import load_chat_model

    return load_chat_model("tiny-random")


@pytest.fixture(scope="session")
def tokenizer(tiny_model):
    return tiny_model.tokenizer


@pytest.fixture
def shared_fixtures() -> Path:
    """The paper's released sample documents, read in place from ../shared (never copied)."""
    candidates = [
        Path(os.environ.get("NEGNEG_SHARED", "")),
        Path(__file__).resolve().parents[2] / "shared",
        Path("/work/shared"),
    ]
    for root in candidates:
        path = root / "fixtures" / "paper_documents"
        if str(root) and path.is_dir():
            return path
    pytest.skip("../shared/fixtures/paper_documents not present")
