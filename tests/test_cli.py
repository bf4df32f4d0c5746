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


def test_every_area_registers_its_commands():
    """The commands the areas register, exactly (a command lost in a refactor fails here), and
    each one answers --help."""
    import typer.main

    from negneg.cli import app, main

    commands = typer.main.get_command(app).commands
    assert set(commands) == {
        "claims", "models", "chat", "docs", "conditions", "annotate", "train", "merge", "eval",
        "serve", "judge-agreement", "judge-eval", "run", "demo", "report", "presets", "audit",
        "localize",
    }  # fmt: skip
    for name in commands:
        assert main([name, "--help"]) == 0, name


def test_no_text_points_users_at_files_they_do_not_have():
    """DESIGN.md and paper_spec.md are the developers' notes, not shipped with negneg."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "negneg"
    hits = [
        str(p.relative_to(src))
        for p in src.rglob("*")
        if p.is_file() and p.suffix in (".py", ".yaml", ".md", ".json")
        and any(name in p.read_text(encoding="utf-8") for name in ("DESIGN.md", "paper_spec"))
    ]  # fmt: skip
    assert not hits, hits
