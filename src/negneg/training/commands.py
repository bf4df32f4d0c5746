"""``negneg train`` and ``negneg merge``.

``negneg train`` runs unchanged under ``torchrun`` / ``accelerate launch`` (see docs/gpus.md):
every process encodes the same documents and trains its share; only rank 0 prints.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from negneg.errors import UserInputError
from negneg.io import claim_out_dir
from negneg.models.registry import DEFAULT_MODEL

console = Console()


def _is_main() -> bool:
    return os.environ.get("RANK", "0") == "0"


def _load_docs(path: Path, claim_name: str | None, limit: int | None):
    """negneg documents (``Document`` rows), or the paper's released format via the importer."""
    from negneg.io import read_jsonl
    from negneg.records import load_documents

    first = next(iter(read_jsonl(path)), None)
    if first is None:
        raise UserInputError("the documents file is empty", where=str(path), fix="pass a file with documents")
    if "id" in first and "claim_id" in first:
        docs = load_documents(path)
    else:
        if not claim_name:
            raise UserInputError(
                "this file is not in negneg's document format; importing it needs the claim",
                where=str(path),
                field="--claim",
                fix="pass --claim ID (e.g. --claim ed_sheeran) to import the paper's released documents",
            )
        from negneg.claims.loader import load_claim
        from negneg.corpus import import_paper_documents

        docs = import_paper_documents(path, load_claim(claim_name))
    return docs[:limit] if limit else docs


def _is_train_dir(path: Path) -> bool:
    """A training run dir written before output dirs carried negneg's mark."""
    return (path / "result.json").is_file() or (path / "final").is_dir() or any(path.glob("checkpoint-*"))


def _parse_sets(items: list[str]) -> dict:
    import yaml

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserInputError(
                f"--set {item!r} is not field=value", field="--set", fix="e.g. --set lr=1e-4"
            )
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise UserInputError(f"--set {item!r}: the value is not valid YAML", field="--set") from None
    return out


def train_cmd(
    docs: Path = typer.Option(
        ..., "--docs", help="documents JSONL (negneg format, or the paper's with --claim)"
    ),
    model: str = typer.Option(DEFAULT_MODEL, "--model", help="model name, dir or hub id"),
    recipe: str = typer.Option("cpu", "--recipe", help="recipe name (paper, cpu, tiny) or a YAML path"),
    out: Path = typer.Option(None, "--out", help="run directory (default runs/train/<docs>-<recipe>)"),
    condition: str = typer.Option(
        None, "--condition", help="annotate the documents with this condition first"
    ),
    claim: str = typer.Option(
        None, "--claim", help="claim id or YAML (for --condition and paper-format files)"
    ),
    resume: bool = typer.Option(
        True, "--resume/--fresh", help="resume an interrupted run in --out, or start over"
    ),
    init_adapter: Path = typer.Option(
        None, "--init-adapter", help="start from this adapter (two-phase runs)"
    ),
    limit: int = typer.Option(None, "--limit", min=1, help="use only the first N documents"),
    window: str = typer.Option(
        "split", "--window", help="long documents: 'split' into windows, or one 'claim' window"
    ),
    max_steps: int = typer.Option(None, "--max-steps", min=1, help="override the recipe's max_steps"),
    epochs: int = typer.Option(None, "--epochs", min=1, help="override the recipe's epochs"),
    lr: float = typer.Option(None, "--lr", min=0.0, help="override the recipe's learning rate"),
    seed: int = typer.Option(None, "--seed", help="override the recipe's seed"),
    set_: list[str] = typer.Option(
        None, "--set", help="override any recipe field: --set field=value (YAML value)"
    ),
    force: bool = typer.Option(
        False, "--force", help="write into a non-empty --out directory negneg did not write"
    ),
) -> None:
    """Finetune a model on documents (LoRA by default); writes checkpoints and a final adapter."""
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own progress bar is the one to watch
    warnings.filterwarnings("ignore", category=FutureWarning)
    from negneg.models.registry import resolve_model_dir
    from negneg.training.config import load_recipe
    from negneg.training.masking import encode_document
    from negneg.training.trainer import train

    if window not in ("split", "claim"):
        raise UserInputError(f"unknown window {window!r}", field="--window", fix="use 'split' or 'claim'")
    if init_adapter is not None:
        from negneg.models.registry import check_adapter_dir

        check_adapter_dir(init_adapter, "--init-adapter")
    overrides = {
        k: v for k, v in dict(max_steps=max_steps, epochs=epochs, lr=lr, seed=seed).items() if v is not None
    }
    overrides.update(_parse_sets(set_ or []))
    config = load_recipe(recipe, **overrides)
    documents = _load_docs(docs, claim, limit)
    if condition:
        if not claim:
            raise UserInputError("--condition needs the claim", field="--claim", fix="add --claim ID")
        from negneg.claims.loader import load_claim
        from negneg.conditions import apply_condition

        documents = apply_condition(condition, documents, load_claim(claim), seed=config.seed)
    if not documents:
        raise UserInputError("no documents to train on", where=str(docs), fix="check the file (or --limit)")
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_dir(model))
    examples = [
        ex
        for d in documents
        for ex in encode_document(d, tokenizer, max_length=config.max_length, window=window)
    ]
    stem = docs.name.split(".")[0]
    out = out or Path("runs") / "train" / f"{stem}{'-' + condition if condition else ''}-{Path(recipe).stem}"
    if not resume and int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise UserInputError(
            "--fresh cannot be used with several processes", field="--fresh", fix=f"delete {out} first"
        )
    owned = claim_out_dir(out, kind="train", force=force, legacy=_is_train_dir) if _is_main() else True
    if not resume and owned:  # only negneg's own files are ever deleted
        for p in [*out.glob("checkpoint-*"), out / "final", out / "result.json"]:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    if _is_main():
        console.print(
            f"[bold]train[/] {model} on {len(documents)} documents → {len(examples)} examples, "
            f"{sum(len(e.input_ids) for e in examples)} tokens; recipe {recipe}; out {out}"
        )
    result = train(model, examples, config, out, init_adapter=init_adapter, progress=_is_main())
    if not _is_main():
        return
    last = result.log[-1] if result.log else {}
    rates = [r["tokens_per_s"] for r in result.log if r.get("tokens_per_s")]
    table = Table("", "value", show_header=False)
    table.add_row("final adapter" if result.method == "lora" else "final model", str(result.final_adapter))
    table.add_row("steps", str(result.steps))
    table.add_row("examples / tokens", f"{result.examples} / {result.tokens}")
    table.add_row("final loss", f"{last.get('loss', float('nan')):.4f}")
    table.add_row("tokens/s (mean)", f"{sum(rates) / len(rates):.0f}" if rates else "—")
    table.add_row("padding", f"{100 * result.padding_fraction:.1f}% of tokens")
    table.add_row("wall time", f"{result.wall_s:.1f} s")
    table.add_row("checkpoints", ", ".join(str(s) for s, _ in result.checkpoints))
    console.print(table)


def merge_cmd(
    adapter: Path = typer.Argument(..., help="a LoRA adapter dir (final/ or checkpoint-<step>/)"),
    model: str = typer.Option(DEFAULT_MODEL, "--model", help="the base model the adapter was trained on"),
    out: Path = typer.Option(
        ..., "--out", help="where to write the merged model dir (new, empty or negneg's)"
    ),
    force: bool = typer.Option(
        False, "--force", help="write into a non-empty directory negneg did not write (never replaces a file)"
    ),
) -> None:
    """Merge a LoRA adapter into its base model and save a full model dir."""
    from negneg.training.merge import merge_adapter

    path = merge_adapter(adapter, model, out, force=force)
    console.print(f"merged model → {path}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to app."""
    app.command("train")(train_cmd)
    app.command("merge")(merge_cmd)
