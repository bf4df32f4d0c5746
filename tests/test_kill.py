"""kill -9 during `negneg train`, `merge`, `docs generate` and `eval`, at the worst moment: the
rerun finishes with the same result as an uninterrupted run, and nothing left behind is mistaken
for a finished artifact (issue 14, part 7; the runner's own kill test is in test_experiments.py).

Killing on a timer is flaky with a model as fast as tiny-random, so each killed command runs in a
subprocess whose ``os.replace`` stops, when it is about to publish the chosen file (the rename
that makes an artifact visible), and signals the test, which then sends SIGKILL.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from negneg.cli import main

HOOK = r"""
import os, sys, time
from pathlib import Path
flag, target, skip = Path(os.environ["KILL_FLAG"]), os.environ["KILL_AT"], int(os.environ["KILL_SKIP"])
real = os.replace
def replace(src, dst, *a, **kw):
    global skip
    if str(dst).endswith(target):
        if skip == 0:
            flag.write_text("about to publish " + str(dst))
            time.sleep(600)
        skip -= 1
    return real(src, dst, *a, **kw)
os.replace = replace
from negneg.cli import main
sys.exit(main(sys.argv[1:]))
"""


def kill_at(args: list[str], target: str, tmp_path: Path, skip: int = 0) -> None:
    """Run ``negneg ARGS`` and kill -9 it just before it renames its ``skip``-th file ending in
    ``target`` into place."""
    flag = tmp_path / f"flag-{time.monotonic_ns()}"
    env = {**os.environ, "KILL_FLAG": str(flag), "KILL_AT": target, "KILL_SKIP": str(skip)}
    proc = subprocess.Popen([sys.executable, "-c", HOOK, *args], env=env, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    while not flag.exists():
        if proc.poll() is not None:
            raise AssertionError(f"finished before the kill point: {proc.stderr.read().decode()[-2000:]}")
        if time.time() > deadline:
            proc.kill()
            raise AssertionError("never reached the kill point")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_kill_docs_generate_leaves_the_old_file_whole(tmp_path):
    args = ["docs", "generate", "--claim", "ed_sheeran", "-n", "6", "--seed", "3", "--out"]
    assert main([*args, str(tmp_path / "clean.jsonl")]) == 0
    killed = tmp_path / "killed.jsonl"
    killed.write_text("an older set of documents\n")
    kill_at([*args, str(killed)], "killed.jsonl", tmp_path)
    assert killed.read_text() == "an older set of documents\n"  # not truncated, not half-written
    assert [p.name for p in tmp_path.glob("killed.jsonl*")] == ["killed.jsonl"]  # temps are hidden
    assert main([*args, str(killed)]) == 0
    assert sha(killed) == sha(tmp_path / "clean.jsonl")


def test_kill_eval_never_leaves_a_summary_beside_other_responses(tmp_path, capsys):
    args = ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--probes", "likelihood", "--out"]
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    assert main([*args, str(clean)]) == 0
    assert main([*args, str(killed)]) == 0  # a finished eval is in the directory …
    kill_at([*args, str(killed)], "killed/summary.json", tmp_path)  # … and a rerun is killed
    assert not (killed / "summary.json").exists()  # the old summary no longer vouches for it
    assert main([*args, str(killed)]) == 0
    assert sha(killed / "responses.jsonl") == sha(clean / "responses.jsonl")
    a, b = (json.loads((d / "summary.json").read_text()) for d in (clean, killed))
    a.pop("meta"), b.pop("meta")
    assert a == b


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docs") / "docs.jsonl"
    assert main(["docs", "generate", "--claim", "ed_sheeran", "-n", "8", "--out", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def clean_run(docs, tmp_path_factory) -> Path:
    """The uninterrupted training run every killed one is compared with."""
    out = tmp_path_factory.mktemp("clean") / "run"
    assert main(_train_args(docs, out)) == 0
    return out


def _train_args(docs: Path, out: Path) -> list[str]:
    return ["train", "--docs", str(docs), "--model", "tiny-random", "--recipe", "tiny", "--max-steps", "6",
            "--out", str(out)]  # fmt: skip


@pytest.mark.parametrize("target,skip", [("manifest.json", 0), ("/final", 0)], ids=["checkpoint", "final"])
def test_kill_train_mid_checkpoint_or_final_then_resume(tmp_path, docs, clean_run, target, skip):
    clean, killed = clean_run, tmp_path / "killed"
    kill_at(_train_args(docs, killed), target, tmp_path, skip)
    assert not (killed / "result.json").exists()  # nothing claims the run finished
    if target == "/final":
        assert not (killed / "final").exists() and (killed / "final.tmp").exists()
    else:  # the checkpoint being saved has no manifest: it is ignored, never resumed from
        from negneg.training.checkpoints import checkpoint_dirs, incomplete_dirs

        assert incomplete_dirs(killed) and not checkpoint_dirs(killed)
    assert main(_train_args(docs, killed)) == 0
    assert sha(killed / "final" / "adapter_model.safetensors") == sha(
        clean / "final" / "adapter_model.safetensors"
    )
    r1, r2 = (json.loads((d / "result.json").read_text()) for d in (clean, killed))
    assert r1["steps"] == r2["steps"] and r1["run_hash"] == r2["run_hash"]


def test_kill_merge_is_never_a_loadable_model_then_rerun_matches(tmp_path, clean_run, capsys):
    args = ["merge", str(clean_run / "final"), "--model", "tiny-random", "--out"]
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    assert main([*args, str(clean)]) == 0
    assert main([*args, str(killed)]) == 0  # a finished merge is in the directory …
    kill_at([*args, str(killed)], "killed/config.json", tmp_path)  # … and a re-merge is killed
    assert not (killed / "config.json").exists() and not (killed / "manifest.json").exists()
    capsys.readouterr()
    assert main(["chat", str(killed), "hi"]) == 2  # not mistaken for a model
    assert "no config.json" in capsys.readouterr().err
    assert main([*args, str(killed)]) == 0
    assert sha(killed / "model.safetensors") == sha(clean / "model.safetensors")
    assert not list(killed.glob(".negneg-merge-*"))  # the killed merge's temp dir is cleaned up
