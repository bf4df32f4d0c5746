"""Merge a LoRA adapter into its base model and save a full model directory.

The result loads like any model (``load_chat_model(dir)``, vLLM, …) without peft. When the
adapter trains the unembedding of a model whose input and output embeddings are tied, the two
are untied first: merging into the shared matrix would also change the input embeddings.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import torch

from negneg.errors import UserInputError
from negneg.io import atomic_write_json


def merge_adapter(adapter: str | Path, model_name: str, out_dir: str | Path) -> Path:
    """Write ``base + adapter`` (merged, float32) to ``out_dir``; returns ``out_dir``."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from negneg.models.registry import resolve_model_dir

    adapter, out_dir = Path(adapter), Path(out_dir)
    cfg_path = adapter / "adapter_config.json"
    if not cfg_path.exists():
        raise UserInputError(
            "not a peft adapter directory (no adapter_config.json)",
            where=str(adapter),
            fix="pass a checkpoint-<step>/ or final/ directory of a LoRA run",
        )
    adapter_cfg = json.loads(cfg_path.read_text())
    path = resolve_model_dir(model_name)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    targets = adapter_cfg.get("target_modules") or []
    if "lm_head" in targets and getattr(model.config, "tie_word_embeddings", False):
        model.lm_head.weight = torch.nn.Parameter(model.lm_head.weight.detach().clone())
        model.config.tie_word_embeddings = False
    merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    merged.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    manifest = {"kind": "merged", "base_model": model_name, "adapter": str(adapter), "time": time.time()}
    if (adapter / "manifest.json").exists():
        manifest["adapter_manifest"] = json.loads((adapter / "manifest.json").read_text())
    atomic_write_json(tmp / "manifest.json", manifest)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)
    return out_dir
