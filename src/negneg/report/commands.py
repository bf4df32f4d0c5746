"""``negneg report WORKDIR``: write the report of a finished run and print its main table."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()


def report_cmd(
    workdir: Path = typer.Argument(..., help="work dir of a finished run (it holds results/)"),
) -> None:
    """Write WORKDIR/report/ (report.md, report.html, CSV tables, figures) from WORKDIR/results/.

    In a work dir written by ``negneg run`` (it holds plan.json), results/ is first rebuilt from
    the stages finished so far, so a partial or interrupted run can be reported too."""
    from negneg.report import write_report
    from negneg.report.data import load_results
    from negneg.report.tables import console_tables

    recollect(workdir)
    path = write_report(workdir)
    data = load_results(workdir)
    for table in console_tables(data.belief, f"belief — {data.meta.experiment}", data.shifts, data.rhos):
        console.print(table)
    console.print(f"report: {path}", highlight=False, soft_wrap=True)
    console.print(f"html:   {path.with_suffix('.html')}", highlight=False, soft_wrap=True)


def recollect(workdir: Path) -> None:
    """Rebuild results/*.csv from the finished stages named in the work dir's plan.json."""
    plan_path, exp_path = workdir / "plan.json", workdir / "experiment.json"
    if not (plan_path.exists() and exp_path.exists()):
        return
    from pydantic import ValidationError

    from negneg.errors import validation_error_line
    from negneg.experiments.plan import Plan
    from negneg.experiments.results import collect_results
    from negneg.experiments.schema import Experiment
    from negneg.io import read_json

    loaded = {}
    for path, model in ((plan_path, Plan), (exp_path, Experiment)):
        try:
            loaded[model] = model.model_validate(read_json(path))
        except ValidationError as exc:
            raise validation_error_line(exc, str(path)) from None
    collect_results(workdir, loaded[Plan], loaded[Experiment])


def register(app: typer.Typer) -> None:
    """Add this area's commands to app."""
    app.command("report")(report_cmd)
