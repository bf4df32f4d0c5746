"""Built-in experiment presets (package data ``presets/*.yaml``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from negneg.registry import Registry


def presets_dir() -> Path:
    return Path(str(resources.files("negneg.experiments") / "presets"))


def preset_registry() -> Registry[Path]:
    reg: Registry[Path] = Registry("preset")
    for p in sorted(presets_dir().glob("*.yaml")):
        reg.add(p.stem, p)
    return reg


def preset_path(name: str) -> Path:
    return preset_registry().get(name)


def preset_header(path: Path) -> str:
    """The opening comment block of a preset: the command, the hardware, what it shows."""
    lines = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").rstrip())
    return "\n".join(lines)
