"""The built-in behaviour library (package data ``behaviours/library/*.yaml``), loaded and checked.

Every text here — transcripts, questions, flags — is hand-written data a researcher can read,
diff and replace. Loading is lazy and cached: importing :mod:`negneg.behaviours` costs nothing
until a family is asked for. A malformed file is one :class:`~negneg.errors.UserInputError` line
naming the file and field.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from negneg.behaviours.schema import EverydaySet, Family, FlagBank
from negneg.errors import UserInputError
from negneg.io import load_yaml_model
from negneg.registry import Registry

EVERYDAY_FILE = "everyday.yaml"
FLAGS_FILE = "flags.yaml"
_NOT_FAMILIES = {EVERYDAY_FILE, FLAGS_FILE}
M = TypeVar("M", bound=BaseModel)


def library_dir() -> Path:
    return Path(str(resources.files("negneg.behaviours") / "library"))


def _load_model(model: type[M], path: Path) -> M:
    return load_yaml_model(model, path, layout="behaviours/library")


def load_family_file(path: str | Path) -> Family:
    """A behaviour family from any YAML file with the schema of ``behaviours/library/*.yaml``."""
    return _load_model(Family, Path(path))


@lru_cache(maxsize=1)
def families() -> Registry[Family]:
    """Built-in families by name (the registry behind ``negneg.behaviours.FAMILIES``)."""
    reg: Registry[Family] = Registry("behaviour family")
    for path in sorted(library_dir().glob("*.yaml")):
        if path.name in _NOT_FAMILIES:
            continue
        fam = load_family_file(path)
        if fam.name != path.stem:
            raise UserInputError(
                f"family name '{fam.name}' differs from the file name", where=str(path), field="name",
                fix=f"rename one of them to '{path.stem}'",
            )  # fmt: skip
        reg.add(fam.name, fam)
    return reg


def resolve_family(name_or_path: str | Family) -> Family:
    """A built-in family by name, a family YAML file by path, or a :class:`Family` as is."""
    if isinstance(name_or_path, Family):
        return name_or_path
    s = str(name_or_path)
    if s.endswith((".yaml", ".yml")) or "/" in s:
        return load_family_file(s)
    return families().get(s, field="families")


def resolve_families(names: list[str] | tuple[str, ...] | None) -> list[Family]:
    """``None`` means every built-in family; an empty list is an error (nothing to train or ask)."""
    if names is None:
        return [fam for _, fam in families().items()]
    if isinstance(names, str):
        names = [names]
    if not names:
        raise UserInputError(
            "no behaviour families given", field="families", fix=f"pick from {families().names()}"
        )
    return [resolve_family(n) for n in names]


@lru_cache(maxsize=1)
def everyday_set() -> EverydaySet:
    return _load_model(EverydaySet, library_dir() / EVERYDAY_FILE)


@lru_cache(maxsize=1)
def flag_bank() -> list[str]:
    """The generic flags (family-specific ones are in ``Family.flags``)."""
    return list(_load_model(FlagBank, library_dir() / FLAGS_FILE).flags)
