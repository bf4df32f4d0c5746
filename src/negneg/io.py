"""Atomic file writes, JSONL helpers and the negneg home directory.

Every artifact negneg writes goes through :func:`atomic_write_bytes` (temp file in the same
directory, fsync, rename), so a killed process never leaves a half-written file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
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
        os.chmod(tmp, _file_mode())  # mkstemp makes 0600; artifacts are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_FILE_MODE: int | None = None


def _file_mode() -> int:
    """``0o666`` less the process umask, as ``open()`` would create a file.

    Read once, without touching the umask: ``os.umask(0)`` to read it would leave a window in
    which other threads create world-writable files. The mode is learnt from a file actually
    created with ``os.open(…, 0o666)`` in the temp dir."""
    global _FILE_MODE
    if _FILE_MODE is None:
        _FILE_MODE = _umask_free_mode()
    return _FILE_MODE


def _umask_free_mode() -> int:
    try:  # Linux: the umask is in /proc without changing it
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    d = tempfile.mkdtemp(prefix=".negneg-mode.")
    probe = os.path.join(d, "probe")
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_WRONLY, 0o666))
        return os.stat(probe).st_mode & 0o777
    finally:
        Path(probe).unlink(missing_ok=True)
        os.rmdir(d)


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def atomic_write_jsonl(path: str | Path, rows: Iterable[Any]) -> Path:
    return atomic_write_text(
        path, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    )


def _existing_file(path: Path) -> Path:
    if not path.exists():
        raise UserInputError("file not found", where=str(path), fix="check the path")
    if path.is_dir():
        raise UserInputError("is a directory, not a file", where=str(path), fix="pass a file inside it")
    return path


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes; a missing file, a directory or an unreadable file is a one-line error."""
    path = _existing_file(Path(path))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserInputError(
            f"cannot be read ({exc.strerror or exc})", where=str(path), fix="check its permissions"
        ) from None


def decode_utf8(data: bytes, where: str) -> str:
    """UTF-8 text (a leading BOM is dropped); other encodings are a one-line error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserInputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})",
            where=where,
            fix="save the file as UTF-8 (or check that it is the file you meant)",
        ) from None


def read_text(path: str | Path) -> str:
    """A UTF-8 text file, with one-line errors for every way reading it can fail."""
    return decode_utf8(read_bytes(path), str(path))


def read_json(path: str | Path) -> Any:
    """A JSON file, with one-line errors (missing, not UTF-8, not JSON)."""
    text = read_text(path)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        msg = getattr(exc, "msg", "nested too deeply")
        raise UserInputError(
            f"not valid JSON ({msg})", where=str(path), fix="fix or replace the file"
        ) from None


class JsonCache:
    """negneg's one disk cache: a folder of JSON entries, each filed under the sha256 of its key.

    A key is any JSON-able value naming what was asked (a model, a prompt, sampling settings; an
    endpoint and a request body), so changing any part of it is a miss, never a stale hit. Entries
    live at ``<folder>/<k[:2]>/<k>.json`` and are written atomically; an entry that cannot be read
    back is a miss (and is rewritten by the next :meth:`put`). ``folder=None`` caches nothing.
    """

    def __init__(self, folder: str | Path | None):
        self.folder = Path(folder) if folder else None

    @staticmethod
    def key(value: Any) -> str:
        blob = json.dumps(value, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path | None:
        return self.folder / key[:2] / f"{key}.json" if self.folder else None

    def get(self, key: str) -> Any | None:
        path = self.path(key)
        if path is None:
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # missing or damaged: a miss
            return None

    def put(self, key: str, value: Any) -> None:
        path = self.path(key)
        if path is not None:
            atomic_write_json(path, value)


def _decompress_zst(data: bytes, where: str) -> bytes:
    import io

    import zstandard

    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            return reader.read()
    except zstandard.ZstdError as exc:
        raise UserInputError(
            f"not a valid zstd file ({exc})",
            where=where,
            fix="re-download it, or pass the uncompressed .jsonl",
        ) from None


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Yield rows of a ``.jsonl`` or ``.jsonl.zst`` file. Every way the file can be wrong (missing,
    a directory, corrupt zstd, not UTF-8, a line that is not JSON or not a JSON object) is a
    one-line :class:`UserInputError` naming the file and line."""
    path = Path(path)
    data = read_bytes(path)
    if path.suffix == ".zst":
        data = _decompress_zst(data, str(path))
    text = decode_utf8(data, str(path))
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserInputError(
                f"line {lineno} is not valid JSON ({exc.msg})", where=str(path), fix="fix or remove that line"
            ) from None
        except RecursionError:
            raise UserInputError(
                f"line {lineno} is nested too deeply", where=str(path), fix="fix or remove that line"
            ) from None
        if not isinstance(row, dict):
            raise UserInputError(
                f"line {lineno} is a JSON {_json_kind(row)}, not an object",
                where=str(path),
                fix="each line must be one JSON object ({...}); is this the file you meant?",
            )
        yield row


def _json_kind(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


def load_yaml(path: str | Path) -> Any:
    """``yaml.safe_load`` a file, turning every failure (missing, a directory, not UTF-8, syntax,
    nesting too deep for the parser) into a one-line :class:`UserInputError`."""
    path = Path(path)
    text = read_text(path)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise UserInputError(
            f"malformed YAML{loc}: {problem}", where=str(path), fix="fix the YAML syntax"
        ) from None
    except RecursionError:
        raise UserInputError(
            "YAML nested too deeply to read",
            where=str(path),
            fix="flatten the structure (is this the file you meant?)",
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


# ------------------------------------------------------------------------------ output directories
OWNER_FILE = ".negneg"  # a small JSON mark in every directory negneg creates for its output


def owner_kind(path: str | Path) -> str | None:
    """The kind of output negneg wrote into ``path`` (its :data:`OWNER_FILE` mark), else None."""
    mark = Path(path) / OWNER_FILE
    if not mark.is_file():
        return None
    try:
        data = json.loads(mark.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("kind") if isinstance(data, dict) and data.get("written_by") == "negneg" else None


def claim_out_dir(
    path: str | Path,
    *,
    kind: str,
    force: bool = False,
    option: str = "--out",
    legacy: Callable[[Path], bool] | None = None,
    create: bool = True,
) -> bool:
    """Make ``path`` ready for negneg's ``kind`` output; return whether negneg owns it.

    A new or empty directory is created and marked as negneg's (:data:`OWNER_FILE`); a directory
    negneg marked for the same kind (or that ``legacy`` recognises as one written before marks
    existed) is reused. A non-empty directory negneg did not write is refused unless ``force``:
    then negneg writes beside the user's files, is not its owner (returns False), and callers
    must never delete or replace a file in it that they did not just write (see
    :func:`refuse_clash`). ``create=False`` only checks (for dry runs).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UserInputError(
            "is a file, not a directory", where=str(path), field=option, fix="pass a directory"
        )
    if path.is_dir() and any(path.iterdir()):
        found = owner_kind(path)
        if found == kind or (found is None and legacy is not None and legacy(path)):
            return True
        if not force:
            what = f"holds negneg's {found} output" if found else "is not empty and was not written by negneg"
            raise UserInputError(
                what,
                where=str(path),
                field=option,
                fix="choose a new or empty directory, or add --force to write into it "
                "(negneg never deletes a file it did not write)",
            )
        return False
    if create and not _claim_atomically(path, kind):
        # another process (a second ``--shard``) claimed the directory first: check its mark
        return claim_out_dir(path, kind=kind, force=force, option=option, legacy=legacy, create=False)
    return True


def _claim_atomically(path: Path, kind: str) -> bool:
    """Create ``path`` (or replace it while empty) already holding its mark, in one rename, so a
    second process never sees it non-empty and unmarked. False if ``path`` became non-empty first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.claim-", dir=path.parent))
    try:
        mode = _file_mode()
        os.chmod(tmp, mode | ((mode & 0o444) >> 2))  # as mkdir would (mkdtemp makes it 0o700)
        atomic_write_json(tmp / OWNER_FILE, {"written_by": "negneg", "kind": kind})
        os.rename(tmp, path)  # replaces an empty directory; fails on a non-empty one
        return True
    except OSError:
        if path.is_dir() and any(path.iterdir()):
            return False
        raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def refuse_clash(out_dir: str | Path, names: Iterable[str], owned: bool, option: str = "--out") -> None:
    """In a directory negneg does not own (``--force``), refuse to replace any existing file."""
    if owned:
        return
    for name in names:
        if (Path(out_dir) / name).exists():
            raise UserInputError(
                f"would replace {name}, which negneg did not write",
                where=str(out_dir),
                field=option,
                fix=f"move that file away or choose another {option} directory",
            )


# ---------------------------------------------------------------------------------- fingerprints
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth", ".json", ".model", ".txt", ".jinja")


def files_fingerprint(paths: Iterable[str | Path]) -> str:
    """A short hash of the names and bytes of ``paths`` (files, in the order given; a missing one
    hashes as missing): code that decides a stage's results, fingerprinted into its id."""
    import hashlib

    h = hashlib.sha256()
    for path in paths:
        f = Path(path)
        h.update(f"{f.name}\0".encode())
        h.update(f.read_bytes() if f.is_file() else b"missing")
    return h.hexdigest()[:16]


def tree_fingerprint(
    path: str | Path, *, contents: bool = False, suffixes: tuple[str, ...] | None = None
) -> str:
    """A short hash of the files under ``path`` (or of ``path`` itself when it is a file).

    ``contents=False`` hashes each file's relative name, size and modification time (a cheap
    manifest: enough to see a model directory retrained or re-merged in place); ``contents=True``
    hashes the bytes. Hidden files and temp dirs are skipped; ``suffixes`` keeps only those files.
    A missing path fingerprints as ``"missing"``.
    """
    import hashlib

    root = Path(path).expanduser()
    if not root.exists():
        return "missing"
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )  # fmt: skip
    h = hashlib.sha256()
    for f in files:
        if suffixes and not f.name.endswith(suffixes):
            continue
        rel = "." if f == root else str(f.relative_to(root))
        if contents:
            h.update(f"{rel}\0".encode())
            with f.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
        else:
            st = f.stat()
            h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]
