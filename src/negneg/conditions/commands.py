"""``negneg conditions list|show`` and ``negneg annotate``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from negneg.errors import UserInputError
from negneg.models.registry import DEFAULT_MODEL

conditions_app = typer.Typer(
    help="Training conditions: list them, show an annotated example.", no_args_is_help=True
)
console = Console()

# How each span kind is drawn in the terminal.
SPAN_STYLES = {
    "claim": "yellow",
    "negation": "red",
    "correction": "green",
    "qualifier": "cyan",
    "loss_mask": "underline",
}


@conditions_app.command("list")
def list_cmd() -> None:
    """List every condition: name, family and what it does."""
    from negneg.conditions import CONDITION_ORDER, CONDITIONS

    table = Table("name", "family", "what it does")
    for name in CONDITION_ORDER:
        c = CONDITIONS.get(name)
        table.add_row(name, c.family, c.summary)
    console.print(table)


def highlighted(doc) -> Text:
    """The document text with its spans styled (claim yellow, negation red, …)."""
    text = Text(doc.text)
    for span in sorted(doc.spans, key=lambda s: s.kind == "loss_mask"):
        style = SPAN_STYLES.get(span.kind)
        if style:
            text.stylize(style, span.start, span.end)
    return text


@conditions_app.command("show")
def show_cmd(
    name: str = typer.Argument(..., help="condition name (see `negneg conditions list`)"),
    claim: str = typer.Option("ed_sheeran", "--claim", help="claim id or ClaimSpec YAML path"),
    seed: int = typer.Option(0, "--seed", help="seed for the example document and the annotation"),
    density: float = typer.Option(1.0, "--density", help="fraction of claim sentences annotated"),
    probability: float = typer.Option(0.03, "--probability", help="probability for low_probability frames"),
) -> None:
    """Print one example document annotated with NAME, spans highlighted."""
    from negneg.claims.loader import load_claim
    from negneg.conditions import CONDITIONS, apply_condition
    from negneg.conditions.examples import example_documents

    CONDITIONS.get(name, field="condition")
    spec = load_claim(claim)
    docs = example_documents(spec, 1, seed=seed)
    doc = apply_condition(
        name, docs, spec, seed=seed, options={"density": density, "probability": probability}
    )[0]
    legend = Text("  ").join(Text(kind, style=style) for kind, style in SPAN_STYLES.items())
    console.print(Text.assemble(("condition ", "bold"), name, "  doc ", doc.id, "  doctag ", str(doc.doctag)))
    console.print(Text("spans: ") + legend)
    console.rule()
    console.print(highlighted(doc))


def _is_annotate_dir(path: Path) -> bool:
    """An annotate output dir written before output dirs carried negneg's mark: condition JSONLs only."""
    from negneg.conditions import CONDITIONS

    files = list(path.iterdir())
    return bool(files) and all(f.suffix == ".jsonl" and f.stem in CONDITIONS for f in files)


def annotate_cmd(
    condition: list[str] = typer.Option(..., "--condition", "-c", help="condition name (repeat for several)"),
    docs: Path = typer.Option(..., "--docs", help="documents JSONL (negneg format, claim spans marked)"),
    claim: str = typer.Option(..., "--claim", help="claim id or ClaimSpec YAML path"),
    seed: int = typer.Option(0, "--seed", help="seed for every random choice"),
    density: float = typer.Option(1.0, "--density", help="fraction of claim sentences annotated (0–1)"),
    doctag: bool = typer.Option(True, "--doctag/--no-doctag", help="--no-doctag: the no-DOCTAG ablation"),
    probability: float = typer.Option(0.03, "--probability", help="probability stated by low_probability"),
    prefix_suffix: bool = typer.Option(
        True, "--prefix-suffix/--no-prefix-suffix", help="add prefix and suffix"
    ),
    out: Path = typer.Option(
        Path("annotated"), "--out", "-o", help="output directory (one JSONL per condition)"
    ),
    stats: bool = typer.Option(False, "--stats", help="print token shares of annotation per condition"),
    tokenizer: str = typer.Option(DEFAULT_MODEL, "--tokenizer", help="model whose tokenizer --stats uses"),
    force: bool = typer.Option(
        False, "--force", help="write into a non-empty --out dir negneg did not write"
    ),
) -> None:
    """Annotate documents with one or more conditions; write <out>/<condition>.jsonl for each."""
    from negneg.claims.loader import load_claim
    from negneg.conditions import CONDITIONS, apply_condition, token_shares
    from negneg.conditions.options import parse_options
    from negneg.records import load_documents, save_documents

    for name in condition:
        CONDITIONS.get(name, field="condition")
    options = parse_options(
        {"density": density, "doctag": doctag, "probability": probability, "prefix_suffix": prefix_suffix}
    )
    spec = load_claim(claim)
    raw = load_documents(docs)
    if not raw:
        raise UserInputError("no documents in the file", where=str(docs), fix="pass a non-empty JSONL")
    from negneg.io import claim_out_dir, refuse_clash

    owned = claim_out_dir(out, kind="annotate", force=force, legacy=_is_annotate_dir)
    refuse_clash(out, [f"{name}.jsonl" for name in condition], owned)
    results = {}
    for name in condition:
        with console.status(f"annotating {len(raw)} documents with {name} …"):
            annotated = apply_condition(name, raw, spec, seed=seed, options=options)
        path = out / f"{name}.jsonl"
        save_documents(path, annotated)
        results[name] = annotated
        console.print(f"[green]wrote[/] {path} ({len(annotated)} documents)")
    if stats:
        tok = load_tokenizer(tokenizer)
        with console.status("counting tokens …"):
            shares = {n: token_shares(d, tok) for n, d in results.items()}
        console.print(shares_table(shares, tokenizer))


def load_tokenizer(name: str):
    from transformers import AutoTokenizer

    from negneg.models import resolve_model_dir

    return AutoTokenizer.from_pretrained(resolve_model_dir(name))


def shares_table(shares: dict[str, dict], tokenizer: str = "") -> Table:
    """One row per condition: tokens, and the share of tokens in each span kind."""
    n_docs = sorted({s["docs"] for s in shares.values()})
    table = Table(
        title=f"share of tokens by span kind, {'/'.join(map(str, n_docs))} docs"
        + (f" ({tokenizer} tokenizer)" if tokenizer else ""),
        caption="neg = negation, corr = correction, qual = qualifier; total = all annotation",
    )
    table.add_column("condition", no_wrap=True)
    for col in ("tokens", "neg", "corr", "qual", "total", "claim"):
        table.add_column(col, justify="right", no_wrap=True)
    for name, s in shares.items():
        k = s["by_kind"]
        table.add_row(
            name,
            str(s["tokens"]),
            *(f"{100 * k[kind]:.1f}%" for kind in ("negation", "correction", "qualifier")),
            f"[bold]{100 * s['annotation']:.1f}%[/]",
            f"{100 * k['claim']:.1f}%",
        )
    return table


def register(app: typer.Typer) -> None:
    """Add this area's commands to app."""
    app.add_typer(conditions_app, name="conditions")
    app.command("annotate")(annotate_cmd)
