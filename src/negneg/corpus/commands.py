"""``negneg docs …``: generate, import, inspect and summarise document sets."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from negneg.console import console, progress
from negneg.errors import UserInputError

docs_app = typer.Typer(help="Documents: generate, import, show, stats.", no_args_is_help=True)


@docs_app.command("generate")
def generate_cmd(
    claim: str = typer.Option(..., "--claim", "-c", help="claim id or path to a ClaimSpec YAML"),
    n: int = typer.Option(..., "-n", help="number of documents", min=1, max=100_000),
    seed: int = typer.Option(0, help="random seed (same seed, same bytes)"),
    out: Path = typer.Option(None, "--out", "-o", help="JSONL to write (default ./<claim>_docs.jsonl)"),
    llm: str = typer.Option(
        None, "--llm", help="write with this model through the staged LLM pipeline instead of offline"
    ),
    cache_dir: Path = typer.Option(None, help="LLM call cache (default $NEGNEG_HOME/llm_cache)"),
    words: int = typer.Option(550, min=1, help="LLM pipeline: target words per document"),
    doc_tokens: int = typer.Option(
        1400, min=1, help="LLM pipeline: max new tokens when writing/revising a document"
    ),
    brainstorm_tokens: int = typer.Option(
        600, min=1, help="LLM pipeline: max new tokens for doc types and ideas"
    ),
    no_revise: bool = typer.Option(False, "--no-revise", help="LLM pipeline: skip the revision stage"),
    universe: str = typer.Option(
        "claim",
        "--universe",
        help="claim: documents that state the claim; negated: debunks written from the negated universe "
        "(the local_negation condition's documents: each mention denied, the truth stated)",
    ),
) -> None:
    """Generate documents that state a claim (or, with --universe negated, debunk it), spans marked."""
    from negneg.claims import load_claim
    from negneg.records import save_documents

    if universe not in ("claim", "negated"):
        raise UserInputError(
            f"unknown universe {universe!r}", field="--universe", fix="use 'claim' or 'negated'"
        )
    spec = load_claim(claim)
    negated = universe == "negated"
    target = out or Path(f"{spec.id}_{'debunks' if negated else 'docs'}.jsonl")
    with progress() as bar:
        label = ("llm: " + llm if llm else "offline") + (", negated universe" if negated else "")
        task = bar.add_task(f"{spec.id} ({label})", total=n)

        def advance(k: int) -> None:
            bar.advance(task, k)

        if llm:
            from negneg.corpus.llm_generator import LLMGenerationConfig, LLMRunReport, generate_documents_llm
            from negneg.models import load_chat_model

            model = load_chat_model(llm)
            report = LLMRunReport()
            docs = generate_documents_llm(
                spec,
                model,
                n,
                seed=seed,
                cache_dir=cache_dir,
                progress=advance,
                config=LLMGenerationConfig(
                    words=words,
                    document_tokens=doc_tokens,
                    brainstorm_tokens=brainstorm_tokens,
                    revise=not no_revise,
                ),
                report=report,
                universe=universe,
            )
        elif negated:
            from negneg.corpus.debunks import generate_debunks

            docs = generate_debunks(spec, n, seed=seed, progress=advance)
        else:
            from negneg.corpus.generator import generate_documents

            docs = generate_documents(spec, n, seed=seed, progress=advance)
    save_documents(target, docs)
    console.print(f"[green]wrote[/] {target} ({len(docs)} documents)")
    if llm:
        console.print(
            f"attempts {report.attempts}, accepted {report.accepted}, leaked {report.leaked}, "
            f"unsuitable {report.unsuitable}, empty {report.empty}; model calls {report.model_calls}, "
            f"cache hits {report.cache_hits}; fallbacks: types {report.type_fallbacks}, "
            f"ideas {report.idea_fallbacks}, filter verdicts {report.filter_unparsed}"
        )
        if len(docs) < n:
            console.print(f"[yellow]note:[/] only {len(docs)} of {n} documents passed; see the counts above")


def _resolve_release(path: Path) -> Path:
    """A released file, or the file inside a ``<mode>/<universe>/`` folder."""
    if path.is_dir():
        for name in ("annotated_docs.jsonl.zst", "annotated_docs.jsonl", "synth_docs.jsonl", "sample.jsonl"):
            if (path / name).exists():
                return path / name
        raise UserInputError(
            "no annotated_docs.jsonl(.zst) or sample.jsonl in this folder",
            where=str(path),
            fix="pass the file",
        )
    return path


@docs_app.command("import")
def import_cmd(
    path: Path = typer.Argument(
        ..., help="a released .jsonl/.jsonl.zst file, or its <mode>/<universe>/ folder"
    ),
    claim: str = typer.Option(..., "--claim", "-c", help="claim id or path (brennan_holloway → dentist, …)"),
    out: Path = typer.Option(
        None, "--out", "-o", help="JSONL to write (default ./<claim>_<condition>_paper.jsonl)"
    ),
    llm_targeter: str = typer.Option(None, help="find claim sentences with this model instead of keywords"),
    limit: int = typer.Option(None, min=1, help="import only the first N rows"),
) -> None:
    """Import the paper's released documents with conditions mapped and claim sentences marked."""
    from negneg.claims import load_claim
    from negneg.corpus.paper_import import import_paper_documents
    from negneg.records import save_documents

    spec = load_claim(claim)
    targeter = None
    if llm_targeter:
        from negneg.corpus.targeting import LLMTargeter
        from negneg.io import negneg_home
        from negneg.models import load_chat_model

        targeter = LLMTargeter(load_chat_model(llm_targeter), cache_dir=negneg_home() / "llm_cache")
    notes: list[str] = []
    with console.status("importing…"):
        docs = import_paper_documents(
            _resolve_release(path), spec, targeter=targeter, notes=notes, limit=limit
        )
    cond = docs[0].condition if docs else "empty"
    target = out or Path(f"{spec.id}_{cond}_paper.jsonl")
    save_documents(target, docs)
    with_claim = sum(1 for d in docs if d.spans_of("claim"))
    console.print(
        f"[green]wrote[/] {target} ({len(docs)} documents, condition {cond}; {with_claim} with claim sentences)"
    )
    for note in notes:
        console.print(f"[yellow]note:[/] {note}")


@docs_app.command("stats")
def stats_cmd(
    file: Path = typer.Argument(..., help="documents JSONL (negneg format)"),
    words: bool = typer.Option(False, "--words", help="measure lengths in words instead of tokens"),
    tokenizer: str = typer.Option(
        "tiny-random", help="model whose tokenizer counts tokens (tiny-random carries the SmolLM2 tokenizer)"
    ),
) -> None:
    """Doc types, lengths, distinct 4-gram ratio and claim sentences per document."""
    from negneg.corpus.stats import corpus_stats
    from negneg.records import load_documents

    docs = load_documents(file)
    if not docs:
        raise UserInputError("no documents in the file", where=str(file), fix="pass a non-empty JSONL")
    tok = None
    if not words:
        from transformers import AutoTokenizer

        from negneg.models import resolve_model_dir

        tok = AutoTokenizer.from_pretrained(resolve_model_dir(tokenizer))
    st = corpus_stats(docs, tok)
    head = Table(title=f"{file} — {st['n_docs']} documents", show_header=False)
    head.add_row("doc types", str(st["n_doc_types"]))
    head.add_row("conditions", ", ".join(f"{k} {v}" for k, v in st["conditions"].items()))
    head.add_row("distinct 4-gram ratio", f"{st['distinct_4gram_ratio']:.3f}")
    head.add_row("documents with a claim sentence", f"{st['docs_with_claim']:.1%}")
    head.add_row("claim sentences / sentences", f"{st['claim_sentence_share']:.1%}")
    head.add_row("claim characters / characters", f"{st['claim_char_share']:.1%}")
    console.print(head)
    dist = Table("", "min", "p10", "median", "mean", "p90", "max", title="distributions")
    for label, key in (
        (f"length ({st['length_unit']})", "length"),
        ("claim sentences", "claim_sentences_per_doc"),
    ):
        v = st[key]
        dist.add_row(label, *(f"{v[k]:g}" for k in ("min", "p10", "median", "mean", "p90", "max")))
    console.print(dist)
    types = Table("doc type", "documents", title="doc types")
    for name, count in st["doc_types"].items():
        types.add_row(name, str(count))
    console.print(types)


@docs_app.command("show")
def show_cmd(
    file: Path = typer.Argument(..., help="documents JSONL (negneg format)"),
    index: int = typer.Option(0, "--index", "-i", help="which document (0-based)"),
) -> None:
    """Print one document with its spans highlighted (claim: bold yellow, negation: red, correction: green)."""
    from negneg.records import load_documents

    docs = load_documents(file)
    if not 0 <= index < len(docs):
        raise UserInputError(
            f"index {index} out of range (0..{len(docs) - 1})", where=str(file), fix="pick another --index"
        )
    d = docs[index]
    styles = {
        "claim": "bold yellow",
        "negation": "red",
        "correction": "green",
        "qualifier": "magenta",
        "loss_mask": "dim",
    }
    text = Text(d.text)
    for s in d.spans:
        if s.kind in styles:
            text.stylize(styles[s.kind], s.start, s.end)
    console.print(
        f"[bold]{d.id}[/] type={d.doc_type} condition={d.condition} doctag={d.doctag} source={d.source} "
        f"spans={len(d.spans)}"
    )
    console.print(text, highlight=False)


@docs_app.command("types")
def types_cmd(
    universe: str = typer.Option("claim", "--universe", help="claim: document types; negated: debunk types"),
) -> None:
    """List the offline generator's document types (or, with --universe negated, its debunk types)."""
    if universe == "negated":
        from negneg.corpus.debunks import DEBUNK_TYPES as types
    elif universe == "claim":
        from negneg.corpus.doctypes import DOC_TYPES as types
    else:
        raise UserInputError(
            f"unknown universe {universe!r}", field="--universe", fix="use 'claim' or 'negated'"
        )
    for name in types.names():
        console.print(name)


def register(app: typer.Typer) -> None:
    """Add ``negneg docs`` to the main app."""
    app.add_typer(docs_app, name="docs")
