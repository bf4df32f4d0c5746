"""Load ClaimSpecs from the built-in library or from YAML files, with one-line errors."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from negneg.claims.schema import ClaimSpec
from negneg.io import load_yaml_model
from negneg.registry import Registry


def library_dir() -> Path:
    return Path(str(resources.files("negneg.claims") / "library"))


def load_claim_file(path: str | Path) -> ClaimSpec:
    return load_yaml_model(ClaimSpec, path, layout="claims/library/*.yaml")


@lru_cache(maxsize=1)
def _library() -> dict[str, Path]:
    return {p.stem: p for p in sorted(library_dir().glob("*.yaml"))}


def claim_registry() -> Registry[Path]:
    reg: Registry[Path] = Registry("claim")
    for name, path in _library().items():
        reg.add(name, path)
    return reg


def list_claims() -> list[str]:
    return sorted(_library())


def load_claim(name_or_path: str | Path) -> ClaimSpec:
    """A built-in claim by id (``ed_sheeran``) or any ClaimSpec YAML file by path."""
    s = str(name_or_path)
    if s.endswith((".yaml", ".yml")) or "/" in s:
        return load_claim_file(s)
    return _load_builtin(s)


@lru_cache(maxsize=32)
def _load_builtin(name: str) -> ClaimSpec:
    return load_claim_file(claim_registry().get(name))
