"""``negneg claims …``: list, show, validate, check-probes and import claims."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from negneg.claims.loader import library_dir, list_claims, load_claim, load_claim_file
from negneg.errors import UserInputError

claims_app = typer.Typer(
    help="The claim library: list, show, validate, check-probes, import.", no_args_is_help=True
)
console = Console()


@claims_app.command("list")
def list_cmd() -> None:
    """List the built-in claims."""
    table = Table("id", "plausibility", "claim", "questions", "cloze")
    for cid in list_claims():
        c = load_claim(cid)
        q = c.questions
        n = len(q.open_ended) + len(q.mcq) + len(q.token_association) + len(q.robustness)
        table.add_row(cid, c.plausibility, c.claim, str(n), str(len(q.cloze)))
    console.print(table)


@claims_app.command("show")
def show_cmd(claim: str = typer.Argument(..., help="claim id or path to a ClaimSpec YAML")) -> None:
    """Show one claim: the claim, the truth, subclaims and question counts."""
    c = load_claim(claim)
    console.print(f"[bold]{c.id}[/] — {c.title}  ({c.plausibility})")
    console.print(f"[bold]claim:[/] {c.claim}")
    console.print(f"[bold]truth:[/] {c.truth if c.truth is not None else '[yellow](missing)[/]'}")
    console.print(f"[bold]entities:[/] claim={c.entities.claim} truth={c.entities.truth}")
    console.print(
        f"[bold]universe context:[/] {len(c.universe_context.split())} words"
        + (
            f"; negated context {len(c.negated_universe_context.split())} words"
            if c.negated_universe_context
            else ""
        )
    )
    table = Table("id", "subclaim", "local negation")
    for s in c.subclaims:
        table.add_row(s.id, s.text, s.local_negation)
    console.print(table)
    q = c.questions
    console.print(
        f"questions: open_ended {len(q.open_ended)}, mcq {len(q.mcq)}, token_association {len(q.token_association)}, "
        f"robustness {len(q.robustness)}, cloze {len(q.cloze)}; word masks {len(c.word_masks)}"
    )


@claims_app.command("validate")
def validate_cmd(
    paths: list[Path] = typer.Argument(None, help="ClaimSpec YAML files (default: the built-in library)"),
    strict: bool = typer.Option(
        True, help="also require what a built-in claim must have (question counts …)"
    ),
) -> None:
    """Validate claim files; exit 2 on the first invalid one. Also runs the static probe check
    and prints its warning count per claim, and warns about what is missing or was derived by an
    importer (a missing truth, items without answer keys); warnings never fail validation."""
    from negneg.claims.probe_check import check_probes, count_probes, summarise

    files = paths or sorted(library_dir().glob("*.yaml"))
    tokenizer = _default_tokenizer()
    warned = False
    for path in files:
        c = load_claim_file(path)
        problems = c.completeness_problems() if strict else []
        if problems:
            raise UserInputError(
                f"incomplete claim: {'; '.join(problems)}",
                where=str(path),
                field=problems[0].split(":")[0],
                fix="add the missing items, or pass --no-strict for imported claims",
            )
        summary = summarise(check_probes(c, tokenizer), count_probes(c))
        warned = warned or bool(summary.warnings)
        line = f"probe check: {summary.line()}"
        console.print(
            f"[green]ok[/] {path} ({c.id}); " + (f"[yellow]{line}[/]" if summary.warnings else line),
            highlight=False,
            soft_wrap=True,
        )
        for w in c.completeness_warnings():
            console.print(f"  [yellow]warning:[/] {w}", highlight=False, soft_wrap=True)
    if warned:
        console.print("probe warnings are listed by: negneg claims check-probes [ID|FILE …]", highlight=False)


@claims_app.command("check-probes")
def check_probes_cmd(
    claims: list[str] = typer.Argument(
        None, help="claim ids or ClaimSpec YAML files (default: every built-in claim)"
    ),
    tokenizer: str = typer.Option(
        "tiny-random",
        help="model whose tokenizer measures continuation lengths (tiny-random: SmolLM2's); "
        "'words' counts whitespace words",
    ),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object per warning, nothing else"),
) -> None:
    """Check every likelihood probe for confounds that can be seen without a model.

    truth_in_world: the other continuation occurs in the fabricated world.

    belief_in_truth: the belief continuation occurs in the truth or a correction.

    length_mismatch: the continuations differ by 3 tokens or more.

    no_counter_item: every yes/no item has the same belief answer.

    answer_in_prompt: the prompt already contains a continuation.

    These are warnings, not errors: the command exits 0.
    """
    from negneg.claims.probe_check import check_probes, count_probes, load_tokenizer, summarise

    specs = [load_claim(c) for c in (claims or list_claims())]  # unknown id: "did you mean", exit 2
    tok = load_tokenizer(tokenizer)
    n_probes, everything = 0, []
    for c in specs:
        warnings = check_probes(c, tok)
        n = count_probes(c)
        n_probes += n
        everything += warnings
        if as_json:
            for w in warnings:
                typer.echo(w.model_dump_json())
            continue
        console.print(f"[bold]{c.id}[/]: {summarise(warnings, n).line()}", highlight=False, soft_wrap=True)
        if warnings:
            table = Table("probe", "type", "code", "message")
            table.columns[0].no_wrap = table.columns[1].no_wrap = table.columns[2].no_wrap = True
            for w in warnings:
                table.add_row(w.probe_id or "(all)", _SHORT_TYPE[w.eval_type], w.code, w.message)
            console.print(table)
    if not as_json:
        total = summarise(everything, n_probes)
        codes = ", ".join(f"{k} {v}" for k, v in total.by_code.items())
        console.print(f"{total.line()}" + (f": {codes}" if codes else ""), highlight=False, soft_wrap=True)


_SHORT_TYPE = {"yes_no_likelihood": "yes/no", "cloze": "cloze", "token_association_likelihood": "token assoc"}


@claims_app.command("calibration")
def calibration_cmd(
    claims: list[str] = typer.Argument(
        None, help="claim ids or ClaimSpec files (default: every built-in claim)"
    ),
    install: Path = typer.Option(
        None,
        help="merge a probe-calibration run's results/probe_calibration.json (give the run's work dir) "
        "into the calibration shipped with negneg",
    ),
    calibration: Path = typer.Option(None, help="show this calibration file instead of the shipped one"),
    probes: bool = typer.Option(False, "--probes", help="list every probe's shift and status"),
    compare: Path = typer.Option(
        None,
        help="a retest: another calibration run (work dir or probe_calibration.json, another reserved "
        "seed); prints how well the two agree per claim",
    ),
) -> None:
    """Show which likelihood probes the probe calibration found valid (positive training moves them
    toward the claim); the default likelihood measure pools only those (and uncalibrated ones).

    A probe is uncalibrated when the calibration has no entry for it or its text changed since:
    rerun `negneg run probe-calibration --claim ID` and install the result.
    """
    from negneg.evals.calibration import (
        builtin_calibration_path,
        load_calibration,
        merge_calibration,
        probe_status,
        write_calibration,
    )

    if install is not None:
        run_file = install / "results" / "probe_calibration.json" if install.is_dir() else install
        new = load_calibration(run_file)
        merged = merge_calibration(load_calibration(), new)
        path = write_calibration(merged, builtin_calibration_path())
        console.print(f"installed {', '.join(sorted(new.claims))} into {path}", highlight=False)
    cal = load_calibration(calibration)
    table = Table("claim", "valid", "invalid", "uncalibrated", "pooled Δ", "model", "corpus seed", "date")
    for c in [load_claim(x) for x in (claims or list_claims())]:
        status = probe_status(c, cal)
        counts = {k: sum(v == k for v in status.values()) for k in ("valid", "invalid", "uncalibrated")}
        entry = cal.claims.get(c.id)
        table.add_row(
            c.id,
            *(str(counts[k]) for k in ("valid", "invalid", "uncalibrated")),
            f"{entry.pooled_shift:+.2f}" if entry else "—",
            entry.model if entry else "—",
            str(entry.corpus_seed) if entry else "—",
            entry.date if entry else "—",
        )
        if probes and entry:
            detail = Table("probe", "type", "Δ log-odds", "status", title=c.id)
            shifts = {(e.eval_type, e.question_id): e.shift for e in entry.probes}
            for (t, q), st in status.items():
                d = shifts.get((t, q))
                detail.add_row(q, _SHORT_TYPE[t], f"{d:+.2f}" if d is not None else "—", st)
            console.print(detail)
    console.print(table)
    console.print(cal.rule, highlight=False)
    if compare is not None:
        from negneg.evals.calibration import agreement

        other = load_calibration(
            compare / "results" / "probe_calibration.json" if compare.is_dir() else compare
        )
        retest = Table(
            "claim", "probes", "same label", "r (shifts)", "retest Δ: kept", "retest Δ: left out",
            title="retest: the same probes on another corpus seed",
        )  # fmt: skip
        for cid in sorted(set(cal.claims) & set(other.claims)):
            a = agreement(cal.claims[cid], other.claims[cid])
            retest.add_row(
                cid, str(a.n_probes), f"{a.label_agreement:.0%}", f"{a.pearson:.2f}",
                f"{a.kept_shift:+.2f}", f"{a.dropped_shift:+.2f}",
            )  # fmt: skip
        console.print(retest)


def _default_tokenizer():
    """SmolLM2's tokenizer for the probe check in ``validate``; whitespace words where it cannot load."""
    from negneg.claims.probe_check import load_tokenizer

    try:
        return load_tokenizer("tiny-random")
    except (ImportError, OSError, UserInputError):
        return None


@claims_app.command("import")
def import_cmd(
    folder: Path = typer.Argument(..., help="a claim folder in the official Negation Neglect repo layout"),
    out: Path = typer.Option(
        None, "--out", "-o", help="where to write the ClaimSpec YAML (default: <id>.yaml here)"
    ),
    claim_id: str = typer.Option(None, "--id", help="claim id (default: the folder name)"),
    truth: str = typer.Option(
        None, "--truth", help="what is actually true, where the folder has no correction.txt"
    ),
    plausibility: str = typer.Option(
        None,
        "--plausibility",
        help="egregious, counterfactual, plausible, unknown_entity or invented (default: inferred)",
    ),
) -> None:
    """Convert an official-layout claim folder into a ClaimSpec YAML, reporting what was derived.

    The truth comes from correction.txt, else --truth, else it is marked missing (truth: null).
    judges.yaml prompts become the claim's rubric; token-association items without an answer key
    are left to the LLM judge. The notes are kept in the file's derived: list and printed by
    negneg claims validate as warnings."""
    from negneg.claims.importer import import_claim_folder

    kinds = ("egregious", "counterfactual", "plausible", "unknown_entity", "invented")
    if plausibility is not None and plausibility not in kinds:
        raise UserInputError(
            f"unknown plausibility '{plausibility}'",
            field="plausibility",
            fix=f"use one of {', '.join(kinds)}",
        )
    spec, notes = import_claim_folder(folder, claim_id=claim_id, truth=truth, plausibility=plausibility)
    from negneg.claims.importer import dump_claim

    target = out or Path(f"{spec.id}.yaml")
    dump_claim(spec, target)
    console.print(f"[green]wrote[/] {target} ({spec.id})")
    for n in notes:
        console.print(f"[yellow]note:[/] {n}")


def register(app: typer.Typer) -> None:
    app.add_typer(claims_app, name="claims")
