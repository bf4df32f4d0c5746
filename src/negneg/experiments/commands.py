"""``negneg run``, ``negneg demo`` and ``negneg presets``."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from negneg.errors import UserInputError

console = Console()
presets_app = typer.Typer(help="Built-in experiment presets.", no_args_is_help=True)


class RichPlanProgress:
    """One rich display for a whole plan: overall stages (with ETA) and the stage in flight."""

    def __init__(self, progress: Progress):
        self.p = progress
        self.overall = None
        self.current = None

    def start(self, plan, todo):
        self.overall = self.p.add_task(f"[bold]{plan.experiment}[/] stages", total=len(plan.order()))
        self.current = self.p.add_task("", total=None)

    def stage_start(self, sid, label):
        self.p.update(self.current, description=label, total=None, completed=0)

    def status(self, text):
        self.p.update(self.current, description=text)

    def step(self, done, total):
        self.p.update(self.current, completed=done, total=total or None)

    def stage_end(self, sid, skipped):
        self.p.advance(self.overall)


def _parse_shard(shard: str | None) -> tuple[int, int]:
    if not shard:
        return (0, 1)
    try:
        i, n = (int(x) for x in shard.split("/"))
        if n < 1 or not 0 <= i < n:
            raise ValueError
    except ValueError:
        raise UserInputError(
            f"bad shard '{shard}'", field="--shard", fix="use i/n with 0 <= i < n, e.g. 0/2"
        ) from None
    return (i, n)


def run_cmd(
    experiment: str = typer.Argument(..., help="experiment YAML file or preset name"),
    workdir: Path = typer.Option(None, "--workdir", "-w", help="work dir (default: runs/<experiment name>)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="print the plan and a time estimate, run nothing"),
    shard: str = typer.Option(
        None, "--shard", help="run only shard i of n (i/n), e.g. 0/2 on one machine, 1/2 on another"
    ),
    no_report: bool = typer.Option(False, "--no-report", help="skip writing the report at the end"),
    model: list[str] = typer.Option(None, "--model", "-m", help="override the preset's models (repeatable)"),
    recipe: str = typer.Option(None, "--recipe", help="override the training recipe (paper, cpu, tiny)"),
    claim: list[str] = typer.Option(None, "--claim", "-c", help="override the claims (repeatable)"),
    force: bool = typer.Option(
        False, "--force", help="use a non-empty work dir negneg did not write (never deletes a file in it)"
    ),
    executor: str = typer.Option(
        "local",
        "--executor",
        help="local: this process; slurm: one submitit job per stage (array jobs per stage kind, "
        "resources from the YAML's cluster: block); submitit-local: the same jobs as local subprocesses",
    ),
    wait: bool = typer.Option(
        True, "--wait/--no-wait", help="slurm: wait for the jobs, then write results and the report"
    ),
) -> None:
    """Run an experiment (resumable: finished stages are skipped)."""
    from negneg.experiments.plan import expand
    from negneg.experiments.schema import load_experiment

    exp = load_experiment(experiment)
    exp = _override(exp, models=model, recipe=recipe, claims=claim)
    from negneg.experiments.validate import validate_experiment

    validate_experiment(exp, where=experiment)  # judges, sampling, recipe, options, models, paths
    wd = workdir or Path("runs") / exp.name
    claim_workdir(wd, force=force, create=not dry_run)
    plan = expand(exp).shard(*_parse_shard(shard))
    if dry_run:
        _print_plan(exp, plan, wd)
        return
    if executor != "local":
        _submit(exp, wd, executor, _parse_shard(shard), report=not no_report, wait=wait)
        return
    summary = _run_with_display(exp, wd, _parse_shard(shard), report=not no_report)
    _print_results(wd, summary)


def _submit(exp, wd: Path, executor: str, shard: tuple[int, int], *, report: bool, wait: bool) -> None:
    """``--executor slurm`` / ``submitit-local``: the plan's stages as submitit jobs."""
    from negneg.experiments.executors import EXECUTORS, submit_plan

    if executor not in EXECUTORS:
        raise UserInputError(
            f"unknown executor '{executor}'", field="--executor", fix=f"use one of {', '.join(EXECUTORS)}"
        )
    try:
        import submitit  # noqa: F401
    except ImportError:
        raise UserInputError(
            "the slurm executor needs submitit", field="--executor", fix="pip install 'negneg[cluster]'"
        ) from None
    summary = submit_plan(
        exp,
        wd,
        executor,
        shard=shard,
        report=report,
        wait=wait,
        log=lambda m: console.print(m, highlight=False),
    )
    if not wait:
        console.print(
            f"submitted; job files and logs in {summary['job_folder']}. When the jobs are done: "
            f"negneg report {wd}"
        )
        return
    _print_results(wd, summary)


def claim_workdir(wd: Path, *, force: bool = False, create: bool = True) -> None:
    """A run's work dir must be new, empty or negneg's (it holds plan.json): see io.claim_out_dir."""
    from negneg.io import claim_out_dir

    claim_out_dir(
        wd,
        kind="run",
        force=force,
        option="--workdir",
        create=create,
        legacy=lambda p: (p / "plan.json").is_file() and (p / "experiment.json").is_file(),
    )


def _override(exp, **fields):
    """Apply command-line overrides, re-validating so bad names still fail with one line."""
    from negneg.experiments.schema import Experiment

    update = {k: v for k, v in fields.items() if v}
    if not update:
        return exp
    return Experiment.model_validate({**exp.model_dump(), **update})


def _print_plan(exp, plan, wd: Path) -> None:
    from negneg.experiments.estimate import estimate_seconds
    from negneg.experiments.stagedir import is_done

    table = Table("run", "condition", "model", "seed", "density", "stages", title=f"plan: {exp.name}")
    for r in plan.runs:
        table.add_row(
            r.name,
            r.condition,
            r.model,
            str(r.seed),
            "" if r.density is None else f"{r.density:g}",
            str(len(r.train_stages) + len(r.eval_stages)),
        )
    console.print(table)
    done = sum(is_done(wd, s) for s in plan.stages)
    est = estimate_seconds(exp, plan, wd)
    kinds: dict[str, int] = {}
    for s in plan.stages.values():
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    console.print(
        f"{len(plan.runs)} runs, {len(plan.stages)} stages ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}); {done} already done in {wd}"
    )
    total = sum(est.values())
    console.print(
        "estimated time: "
        + ", ".join(f"{k} {v / 60:.1f} min" for k, v in sorted(est.items()))
        + f" — total ≈ {total / 60:.1f} min"
    )


def _run_with_display(exp, wd: Path, shard: tuple[int, int], report: bool = True) -> dict:
    from negneg.experiments.runner import run_experiment

    cols = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*cols, console=console, transient=False) as progress:
        return run_experiment(exp, wd, shard=shard, progress=RichPlanProgress(progress), report=report)


def _print_results(wd: Path, summary: dict) -> None:
    import csv

    from negneg.report.tables import console_tables

    path = wd / "results" / "belief.csv"
    if path.exists():
        with path.open() as fh:
            rows = list(csv.DictReader(fh))

        def read(name: str) -> list[dict]:
            p = wd / "results" / name
            if not p.exists():
                return []
            with p.open() as fh:
                return list(csv.DictReader(fh))

        for table in console_tables(
            rows,
            "belief: shift from the untrained model (95% bootstrap CI) and ρ",
            read("shift.csv"),
            read("rho.csv"),
        ):
            console.print(table)
    console.print(
        f"{summary['stages_run']} stages run, {summary['stages_skipped']} reused, {summary['wall_s'] / 60:.1f} min"
    )
    if summary.get("report"):
        console.print(f"[bold]report:[/] {summary['report']}")
        html = Path(summary["report"]).with_suffix(".html")
        if html.exists():
            console.print(f"[bold]html:[/]   {html}")


def demo_cmd(
    workdir: Path = typer.Option(Path("runs/quickstart"), "--workdir", "-w", help="work dir of the demo"),
    force: bool = typer.Option(
        False, "--force", help="use a non-empty work dir negneg did not write (never deletes a file in it)"
    ),
) -> None:
    """The main job on the embedded model: the quickstart preset, then the belief table and the report path."""
    from negneg.experiments.schema import load_experiment

    t = time.time()
    exp = load_experiment("quickstart")
    claim_workdir(workdir, force=force)
    console.print(f"[bold]negneg demo[/]: {exp.description}")
    summary = _run_with_display(exp, workdir, (0, 1))
    _print_results(workdir, summary)
    console.print(f"demo wall time: {(time.time() - t) / 60:.1f} min")


@presets_app.command("list")
def presets_list() -> None:
    """List presets with the first line of their header."""
    from negneg.experiments.presets import preset_header, preset_registry

    table = Table("preset", "what it is")
    for name, path in preset_registry().items():
        table.add_row(name, preset_header(path).splitlines()[0] if preset_header(path) else "")
    console.print(table)


@presets_app.command("show")
def presets_show(name: str) -> None:
    """Print a preset file."""
    from negneg.experiments.presets import preset_path

    console.print(preset_path(name).read_text(), highlight=False, markup=False)


def report_cmd(
    workdir: Path = typer.Argument(..., help="work dir of a finished run (it holds results/)"),
) -> None:
    """Write WORKDIR/report/ (report.md, report.html, CSV tables, figures) from WORKDIR/results/.

    In a work dir written by ``negneg run`` (it holds plan.json), results/ is first rebuilt from
    the stages finished so far, so a partial or interrupted run can be reported too."""
    from negneg.experiments.results import recollect
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


def register(app: typer.Typer) -> None:
    app.command("run")(run_cmd)
    app.command("report")(report_cmd)
    app.command("demo")(demo_cmd)
    app.add_typer(presets_app, name="presets")
