"""Atomic file writes, JSONL helpers and the negneg home directory.

Every artifact negneg writes goes through :func:`atomic_write_bytes` (temp file in the same
directory, fsync, rename), so a killed process never leaves a half-written file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from negneg.errors import UserInputError

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")


def negneg_home() -> Path:
    """Cache root: ``$NEGNEG_HOME`` or ``~/.cache/negneg``."""
    return Path(os.environ.get("NEGNEG_HOME") or Path.home() / ".cache" / "negneg")


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; artifacts are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def atomic_write_jsonl(path: str | Path, rows: Iterable[Any]) -> Path:
    return atomic_write_text(
        path, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    )


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Yield rows of a ``.jsonl`` or ``.jsonl.zst`` file; a bad line raises a one-line error."""
    path = Path(path)
    if not path.exists():
        raise UserInputError("file not found", where=str(path), fix="check the path")
    if path.suffix == ".zst":
        import io

        import zstandard

        with path.open("rb") as fh:
            text = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8").read()
    else:
        text = path.read_text(encoding="utf-8")
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserInputError(
                f"line {lineno} is not valid JSON ({exc.msg})", where=str(path), fix="fix or remove that line"
            ) from None


def load_yaml(path: str | Path) -> Any:
    """``yaml.safe_load`` a file, turning syntax errors into one-line :class:`UserInputError`."""
    path = Path(path)
    if not path.exists():
        raise UserInputError("file not found", where=str(path), fix="check the path")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise UserInputError(
            f"malformed YAML{loc}: {problem}", where=str(path), fix="fix the YAML syntax"
        ) from None


def load_yaml_model(model: type[M], path: str | Path, *, layout: str, extra: dict | None = None) -> M:
    """A pydantic model from a YAML mapping; every problem is a one-line :class:`UserInputError`
    naming the file and field. ``layout`` names an example of the expected file, for the fix;
    ``extra`` fields (e.g. command-line overrides) are laid over the file's before validation."""
    from pydantic import ValidationError

    from negneg.errors import validation_error_line

    path = Path(path)
    data = load_yaml(path)
    if data is None and extra is not None:
        data = {}
    if not isinstance(data, dict):
        raise UserInputError("expected a mapping at the top level", where=str(path), fix=f"see {layout}")
    if extra:
        data = {**data, **extra}
    try:
        return model.model_validate(data)
    except UserInputError as exc:  # a validator's own one-line error: point it at this file
        raise UserInputError(exc.message, where=str(path), field=exc.field, fix=exc.fix) from None
    except ValidationError as exc:
        raise validation_error_line(exc, str(path)) from None


def load_jsonl_models(model: type[M], path: str | Path) -> list[M]:
    """One pydantic model per JSONL row; a bad row is a one-line error naming the file and row."""
    from pydantic import ValidationError

    from negneg.errors import validation_error_line

    out = []
    for i, row in enumerate(read_jsonl(path), 1):
        try:
            out.append(model.model_validate(row))
        except ValidationError as exc:
            raise validation_error_line(exc, f"{path} (row {i})") from None
    return out
