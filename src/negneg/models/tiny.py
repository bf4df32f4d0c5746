"""``tiny-random``: a two-layer Llama with the SmolLM2 tokenizer, for fast tests that really
train and evaluate. Built from a config with a fixed seed and cached as a model dir."""

from __future__ import annotations

import shutil
from pathlib import Path

from negneg.io import atomic_write_json, negneg_home

TINY_CONFIG = dict(
    hidden_size=64,
    intermediate_size=128,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=4096,
    tie_word_embeddings=True,
    rms_norm_eps=1e-5,
)


def tiny_dir(seed: int = 0) -> Path:
    return negneg_home() / "models" / f"tiny-random-seed{seed}"


def ensure_tiny(seed: int = 0) -> Path:
    out = tiny_dir(seed)
    if (out / "negneg_source.json").exists():
        return out
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from negneg.models.embedded import tokenizer_dir

    tok = AutoTokenizer.from_pretrained(tokenizer_dir())
    config = LlamaConfig(
        vocab_size=len(tok),
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        **TINY_CONFIG,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    atomic_write_json(
        tmp / "negneg_source.json", {"model": "tiny-random", "source": "random init", "seed": seed}
    )
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out
