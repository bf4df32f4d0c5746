"""The stage cache: ``<workdir>/<kind>/<hash>/`` directories with a manifest.

A stage directory exists only once its work is complete: stages write into a sibling
``<hash>.partial`` directory and rename it at the end, so ``kill -9`` loses at most the stage in
flight. Training keeps its ``.partial`` directory between attempts so it can resume from its last
checkpoint. Processes that share a work dir (``--shard`` runs, cluster jobs) take a stage's lock
(``<hash>.lock`` beside it) before touching its ``.partial`` directory, so none deletes another's
work in flight: the second one waits, then finds the stage done and skips it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from negneg.io import atomic_write_json

MANIFEST = "manifest.json"


def stage_dir(workdir: Path, stage_id: str) -> Path:
    return Path(workdir) / stage_id


def is_done(workdir: Path, stage_id: str) -> bool:
    return (stage_dir(workdir, stage_id) / MANIFEST).exists()


@contextmanager
def stage_lock(workdir: Path, stage_id: str, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the stage's exclusive lock: ``<workdir>/<kind>/<hash>.lock``, an ``flock`` that the
    kernel releases when the holder exits or is killed, so a dead shard never blocks the others.
    ``on_wait`` is told when another process holds it (we then block until it is free)."""
    d = stage_dir(workdir, stage_id)
    d.parent.mkdir(parents=True, exist_ok=True)
    with open(d.with_name(d.name + ".lock"), "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait(f"waiting: {stage_id} is running in another process")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def partial_dir(workdir: Path, stage_id: str, *, keep: bool = False) -> Path:
    """A fresh (or, with ``keep``, resumed) working directory for a stage."""
    d = stage_dir(workdir, stage_id)
    p = d.with_name(d.name + ".partial")
    if p.exists() and not keep:
        shutil.rmtree(p)
    p.mkdir(parents=True, exist_ok=True)
    return p


def finish(workdir: Path, stage_id: str, partial: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest into ``partial`` and publish it under the stage id (atomic rename).

    If another shard published the same stage first, keep theirs: both are the same content.
    """
    atomic_write_json(partial / MANIFEST, manifest)
    final = stage_dir(workdir, stage_id)
    try:
        os.rename(partial, final)
    except OSError:
        if (final / MANIFEST).exists():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            raise
    return final


def read_manifest(workdir: Path, stage_id: str) -> dict[str, Any]:
    return json.loads((stage_dir(workdir, stage_id) / MANIFEST).read_text())


def provenance() -> dict[str, Any]:
    """Package versions and the git commit, for manifests. Never includes environment secrets."""
    versions = {}
    for pkg in ("negneg", "torch", "transformers", "peft", "accelerate"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "versions": versions,
        "git_commit": _git_commit(),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None
