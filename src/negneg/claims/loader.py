"""Load ClaimSpecs from the built-in library or from YAML files, with one-line errors."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from negneg.claims.schema import ClaimSpec
from negneg.errors import UserInputError
from negneg.io import load_yaml
from negneg.registry import Registry


def library_dir() -> Path:
    return Path(str(resources.files("negneg.claims") / "library"))


def validation_error_line(exc: ValidationError, where: str) -> UserInputError:
    """Turn the first pydantic error into a file/field/fix line."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ())) or None
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        msg, fix = "unknown field", "remove it or check its spelling against the schema"
    elif kind == "missing":
        msg, fix = "required field is missing", "add it"
    else:
        msg, fix = err.get("msg", "invalid value"), "correct the value"
    more = len(exc.errors()) - 1
    if more:
        msg += f" (and {more} more problem{'s' if more > 1 else ''})"
    return UserInputError(msg, where=where, field=loc, fix=fix)


def load_claim_file(path: str | Path) -> ClaimSpec:
    path = Path(path)
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise UserInputError(
            "expected a mapping at the top level", where=str(path), fix="see claims/library/*.yaml"
        )
    try:
        return ClaimSpec.model_validate(data)
    except ValidationError as exc:
        raise validation_error_line(exc, str(path)) from None


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
