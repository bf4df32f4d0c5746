"""Read corpora row by row and write results as they come, so a corpus larger than memory streams.

Inputs: ``.jsonl``, ``.jsonl.zst`` (decompressed as a stream) and a Hugging Face ``datasets``
directory saved with ``save_to_disk`` (needs the optional ``datasets`` package). Outputs go through
:class:`JsonlWriter`: rows are written to a temp file beside the target and renamed into place when
the writer closes, so a killed run never leaves a half-written file under the final name.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from negneg.errors import UserInputError


def iter_rows(path: str | Path) -> Iterator[dict]:
    """Rows of a corpus, one dict at a time (see module docstring)."""
    path = Path(path)
    if not path.exists():
        raise UserInputError("corpus not found", where=str(path), fix="check the path")
    if path.is_dir():
        yield from _dataset_rows(path)
        return
    if path.name.endswith(".zst"):
        import zstandard

        try:
            with path.open("rb") as fh, zstandard.ZstdDecompressor().stream_reader(fh) as raw:
                yield from _lines(io.TextIOWrapper(raw, encoding="utf-8"), path)
        except zstandard.ZstdError as exc:
            raise UserInputError(
                f"not a valid zstd file ({exc})",
                where=str(path),
                fix="re-download it, or pass the uncompressed .jsonl",
            ) from None
        return
    with path.open(encoding="utf-8") as fh:
        yield from _lines(fh, path)


def _lines(fh, path: Path) -> Iterator[dict]:
    """Rows of a text stream; a line that is not UTF-8, not JSON or not an object is one line of error."""
    lineno = 0
    try:
        for lineno, line in enumerate(fh, 1):  # noqa: B007  (lineno is read in the except below)
            yield from _row(line, lineno, path)
    except UnicodeDecodeError:
        raise UserInputError(
            f"not UTF-8 text (near line {lineno + 1})",
            where=str(path),
            fix="save the file as UTF-8 (or check that it is the file you meant)",
        ) from None


def _row(line: str, lineno: int, path: Path) -> Iterator[dict]:
    if not line.strip():
        return
    try:
        row = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        msg = getattr(exc, "msg", "nested too deeply")
        raise UserInputError(
            f"line {lineno} is not valid JSON ({msg})", where=str(path), fix="fix or remove that line"
        ) from None
    if not isinstance(row, dict):
        raise UserInputError(
            f"line {lineno} is not a JSON object",
            where=str(path),
            fix="each line must be one JSON object ({...})",
        )
    yield row


def _dataset_rows(path: Path) -> Iterator[dict]:
    try:
        from datasets import load_from_disk
    except ImportError:
        raise UserInputError(
            "reading a Hugging Face dataset directory needs the 'datasets' package",
            where=str(path),
            fix="pip install datasets, or export the dataset to JSONL",
        ) from None
    ds = load_from_disk(str(path))
    if hasattr(ds, "keys"):  # a DatasetDict: every split in turn
        for split in ds.keys():
            yield from (dict(r) for r in ds[split])
    else:
        yield from (dict(r) for r in ds)


def count_rows(path: str | Path) -> int | None:
    """Rows in a plain ``.jsonl`` (a cheap line count, for the progress bar); None otherwise."""
    path = Path(path)
    if path.is_file() and path.suffix == ".jsonl":
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    return None


class JsonlWriter:
    """Append rows to ``path`` atomically (temp file, rename on a clean close)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        # the directories this writer creates, deepest first: removed again if the run fails
        self._made = [p for p in (self.path.parent, *self.path.parent.parents) if not p.exists()]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        self._fh = os.fdopen(fd, "w", encoding="utf-8")
        self.rows = 0

    def write(self, row: dict) -> None:
        self._fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
        self.rows += 1

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        if exc_type is None:
            os.chmod(self._tmp, 0o644)
            os.replace(self._tmp, self.path)
        else:  # nothing half-written: the temp file goes, and so do the directories made for it
            Path(self._tmp).unlink(missing_ok=True)
            for d in self._made:
                try:
                    d.rmdir()
                except OSError:  # not empty: something else was written there
                    break
