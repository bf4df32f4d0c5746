"""``negneg audit`` and ``negneg localize``."""

from __future__ import annotations

from pathlib import Path

import typer

from negneg.errors import UserInputError

CLAIM_HELP = "claim id or ClaimSpec YAML path; without it, the sentences flags cover are the asserted spans"


def _claim(claim: str | None):
    if claim is None:
        return None
    from negneg.claims.loader import load_claim

    return load_claim(claim)


def _rows(corpus: Path, desc: str):
    """(progress, task, rows) over the corpus, streaming."""
    from negneg.audit.stream import count_rows, iter_rows
    from negneg.console import progress

    bar = progress()
    task = bar.add_task(desc, total=count_rows(corpus))
    return bar, task, iter_rows(corpus)


def audit_cmd(
    corpus: Path = typer.Argument(..., help="corpus: .jsonl, .jsonl.zst or a Hugging Face dataset directory"),
    claim: str | None = typer.Option(None, "--claim", help=CLAIM_HELP),
    out: Path = typer.Option(Path("audit"), "--out", "-o", help="output directory"),
    top: int = typer.Option(10, "--top", help="riskiest documents listed in the summary"),
    classifier: str | None = typer.Option(
        None,
        "--classifier",
        help="also ask a model (NAME or URL#MODEL) about each sentence the banks and lexicon do not "
        "recognise: is it a disclaimer / warning / flag about other content?",
    ),
) -> None:
    """Find distal negations: per document the flags, the claim sentences they cover, the distance
    between them and a risk label (local / denied / distal / bare); writes findings.jsonl,
    summary.json, summary.md and distances.png under --out."""
    from negneg.audit.chat import audit_chat, messages_of
    from negneg.audit.localize import row_document
    from negneg.audit.reader import ClaimReader, audit_text
    from negneg.audit.stream import JsonlWriter
    from negneg.audit.summary import Summary
    from negneg.console import console

    spec = _claim(claim)
    reader = ClaimReader(spec) if spec else None
    model = _classifier(classifier)
    summary = Summary(top=top)
    chats = 0
    bar, task, rows = _rows(corpus, "auditing")
    with bar, JsonlWriter(out / "findings.jsonl") as findings:
        for i, row in enumerate(rows):
            msgs = messages_of(row)
            if msgs is not None:
                row_id = str(row.get("id") or f"row-{i:06d}")
                if model is None:
                    chat = audit_chat(row_id, msgs)
                else:
                    chat = model.audit(
                        lambda rec, row_id=row_id, msgs=msgs: audit_chat(row_id, msgs, recognise=rec)
                    )
                findings.write(chat.to_row())
                summary.docs[chat.label] += 1
                summary.n += 1
                chats += 1
            else:
                try:
                    doc, _ = row_document(row, i, spec.id if spec else "")
                except ValueError as exc:
                    raise UserInputError(
                        f"row {i + 1}: {exc}", where=str(corpus), fix="each row needs a 'text'"
                    ) from None
                hints = [(s.start, s.end) for s in doc.spans_of("claim")] or None
                if model is None:
                    audit = audit_text(doc.id, doc.text, reader, hints=hints)
                else:
                    audit = model.audit(
                        lambda rec, doc=doc, hints=hints: audit_text(doc.id, doc.text, reader, hints, rec)
                    )
                findings.write(audit.to_row())
                summary.add(audit)
            bar.advance(task)
    data = summary.write(out, spec.id if spec else None, classifier=model.stats() if model else None)
    _print_summary(console, data, chats)
    console.print(f"[green]wrote[/] {out}/findings.jsonl, summary.md, summary.json, distances.png")


def _classifier(spec: str | None):
    """The --classifier model behind the banks and lexicon, or None."""
    if spec is None:
        return None
    from negneg.audit.classifier import ModelClassifier
    from negneg.evals.commands import load_judge_model

    return ModelClassifier(load_judge_model(spec))


def _print_summary(console, data: dict, chats: int) -> None:
    from rich.table import Table

    from negneg.audit.summary import CLASSIFIER_LINE, LABEL_HELP

    table = Table(title=f"{data['documents']} documents" + (f" ({chats} chat transcripts)" if chats else ""))
    for col in ("label", "documents", "meaning"):
        table.add_column(col)
    for lab, n in data["labels"].items():
        table.add_row(lab, str(n), LABEL_HELP[lab])
    console.print(table)
    sh = data["token_share"]
    console.print(
        f"token shares: annotation {100 * sh['annotation']:.1f}%, asserted claim {100 * sh['asserted_claim']:.1f}%, "
        f"local claim {100 * sh['local_claim']:.1f}%"
    )
    if data.get("classifier"):
        console.print(CLASSIFIER_LINE.format(**data["classifier"]))


def localize_cmd(
    corpus: Path = typer.Argument(..., help="corpus: .jsonl, .jsonl.zst or a Hugging Face dataset directory"),
    out: Path = typer.Option(..., "--out", "-o", help="the fixed corpus (JSONL)"),
    claim: str | None = typer.Option(
        None, "--claim", help="claim id or ClaimSpec YAML path (needed for documents)"
    ),
    rewriter: str = typer.Option(
        "offline",
        "--rewriter",
        help="offline, or a model to rewrite: NAME (any local ChatModel) or URL#MODEL",
    ),
    keep: bool = typer.Option(False, "--keep", help="write documents that could not be fixed, unchanged"),
    drop_flags: str = typer.Option(
        "sentence", "--drop-flags", help="flags to drop: sentence (those a rewrite replaced), all, none"
    ),
    report: Path | None = typer.Option(None, "--report", help="HTML diff report (default: FIXED.html)"),
) -> None:
    """Rewrite every distal or bare claim sentence into a local negation with the truth stated;
    chat transcripts get the aligned answer with an explicit refusal. Everything else is kept
    byte for byte; the output is re-audited and a document still at risk is not written unless
    --keep."""
    from negneg.audit.chat import localize_chat, messages_of
    from negneg.audit.html import DiffReport
    from negneg.audit.localize import (
        DROP_FLAGS,
        ModelRewriter,
        OfflineRewriter,
        document_row,
        localize_document,
        row_document,
    )
    from negneg.audit.reader import ClaimReader
    from negneg.audit.stream import JsonlWriter
    from negneg.console import console

    if drop_flags not in DROP_FLAGS:
        raise UserInputError(f"unknown --drop-flags '{drop_flags}'", fix=f"one of {', '.join(DROP_FLAGS)}")
    spec = _claim(claim)
    reader = ClaimReader(spec) if spec else None
    rw = None
    if spec is not None:
        if rewriter == "offline":
            rw = OfflineRewriter(spec)
        else:
            from negneg.evals.commands import load_judge_model

            rw = ModelRewriter(load_judge_model(rewriter), spec, reader)
    report = report or out.with_suffix(".html")
    diff = DiffReport(f"negneg localize: {corpus.name} → {out.name}")
    stats = {"rows": 0, "changed": 0, "written": 0, "unfixed": 0, "dropped_chats": 0}
    bar, task, rows = _rows(corpus, "localizing")
    with bar, JsonlWriter(out) as writer:
        for i, row in enumerate(rows):
            stats["rows"] += 1
            bar.advance(task)
            msgs = messages_of(row)
            if msgs is not None:
                fixed = localize_chat(msgs)
                if fixed is None:
                    stats["dropped_chats"] += 1
                    if keep:
                        writer.write(row)
                    continue
                key = "messages" if "messages" in row else "conversation"
                stats["changed"] += fixed != msgs
                writer.write({**row, key: fixed})
                continue
            if spec is None:
                raise UserInputError("localizing documents needs the claim", fix="pass --claim ID|FILE")
            try:
                doc, prefix = row_document(row, i, spec.id)
            except ValueError as exc:
                raise UserInputError(
                    f"row {i + 1}: {exc}", where=str(corpus), fix="each row needs a 'text'"
                ) from None
            result = localize_document(doc, spec, reader, rw, drop_flags)  # type: ignore[arg-type]
            ok = result.fixed
            stats["unfixed"] += not ok
            if result.changed or not ok:
                stats["changed"] += result.changed
                diff.add(
                    doc.id, doc.text, result.doc.text, result.before.label, result.after.label, ok or keep
                )
            if ok:
                writer.write(document_row(row, result.doc, prefix))
                stats["written"] += 1
            elif keep:
                writer.write(row)
                stats["written"] += 1
    line = (
        f"{stats['rows']} rows: {stats['changed']} rewritten, {stats['written']} documents written, "
        f"{stats['unfixed']} could not be fixed{' (kept unchanged)' if keep else ' (not written; --keep keeps them)'}"
        + (f", {stats['dropped_chats']} unknown chat transcripts dropped" if stats["dropped_chats"] else "")
        + (
            f"; the audit rejected {rw.fallbacks} model rewrites (offline used)"
            if getattr(rw, "fallbacks", 0)
            else ""
        )
    )
    diff.write(report, line)
    console.print(line)
    console.print(f"[green]wrote[/] {out} and the diff report {report}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to app."""
    app.command("audit")(audit_cmd)
    app.command("localize")(localize_cmd)
