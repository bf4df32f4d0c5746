"""The CLI shell: usage errors are one message and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "negneg.cli", *args], capture_output=True, text=True)


def test_unknown_command_and_option_exit_2_without_traceback():
    for args in (["frobnicate"], ["claims", "validate", "--bogus"]):
        p = _run(*args)
        assert p.returncode == 2, args
        assert "Traceback" not in p.stderr and "error" in p.stderr.lower()


def test_help_lists_every_command():
    p = _run("--help")
    assert p.returncode == 0
    for cmd in (
        "claims",
        "models",
        "chat",
        "docs",
        "conditions",
        "annotate",
        "train",
        "merge",
        "eval",
        "serve",
        "judge-agreement",
        "run",
        "demo",
        "report",
        "presets",
    ):
        assert cmd in p.stdout, cmd
