"""CLI commands of negneg.training (registered on the main app by negneg.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to app."""
