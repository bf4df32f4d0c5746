"""``negneg models …`` and ``negneg chat``."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from negneg.models.registry import MODELS, model_source, resolve_model_dir

models_app = typer.Typer(help="Models: list, show.", no_args_is_help=True)
console = Console()


@models_app.command("list")
def list_cmd() -> None:
    """List built-in model names (any local model dir or hub id also works)."""
    table = Table("name", "params", "description")
    for name, spec in MODELS.items():
        table.add_row(name, spec.params, spec.description)
    console.print(table)
    console.print(
        "Also accepted: a local transformers model directory, or a hub id where a hub is reachable."
    )


@models_app.command("show")
def show_cmd(name: str) -> None:
    """Resolve a model (converting the embedded GGUF on first use) and show its config."""
    path = resolve_model_dir(name)
    console.print(f"[bold]{name}[/] → {path}")
    console.print(f"source: {model_source(name)}")
    cfg = path / "config.json" if not isinstance(path, str) else None
    if cfg and cfg.exists():
        data = json.loads(cfg.read_text())
        keys = [
            "model_type",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "vocab_size",
            "max_position_embeddings",
        ]
        for k in keys:
            if k in data:
                console.print(f"  {k}: {data[k]}")


def chat_cmd(
    name: str = typer.Argument(..., help="model name, dir or hub id"),
    question: str = typer.Argument(..., help="the user message"),
    adapter: str = typer.Option(None, help="a LoRA adapter dir to apply"),
    samples: int = typer.Option(1, "-n", min=1, max=64, help="number of samples"),
    temperature: float = typer.Option(0.7, min=0.0, max=100.0),
    top_p: float = typer.Option(0.8, min=0.01, max=1.0),
    max_new_tokens: int = typer.Option(200, min=1, max=32768),
    seed: int = typer.Option(0),
    system: str = typer.Option(None, help="optional system prompt"),
) -> None:
    """Ask a model one question."""
    from negneg.models import SamplingParams, load_chat_model

    model = load_chat_model(name, adapter=adapter)
    conv = ([{"role": "system", "content": system}] if system else []) + [
        {"role": "user", "content": question}
    ]
    sp = SamplingParams(
        temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens, n=samples, seed=seed
    )
    for i, text in enumerate(model.generate([conv], sp)[0]):
        console.print(f"[bold]{i}[/] {text}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
    app.command("chat")(chat_cmd)
