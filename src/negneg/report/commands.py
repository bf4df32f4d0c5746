"""``negneg report WORKDIR``: write the report of a finished run and print its main table."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()


def report_cmd(
    workdir: Path = typer.Argument(..., help="work dir of a finished run (it holds results/)"),
) -> None:
    """Write WORKDIR/report/ (report.md, report.html, CSV tables, figures) from WORKDIR/results/."""
    from negneg.report import write_report
    from negneg.report.data import load_results
    from negneg.report.tables import console_tables

    path = write_report(workdir)
    data = load_results(workdir)
    for table in console_tables(data.belief, f"belief — {data.meta.experiment}", data.shifts):
        console.print(table)
    console.print(f"report: {path}", highlight=False, soft_wrap=True)
    console.print(f"html:   {path.with_suffix('.html')}", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this area's commands to app."""
    app.command("report")(report_cmd)
