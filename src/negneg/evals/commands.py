"""CLI commands of negneg.evals: ``negneg eval``, ``negneg judge-agreement``, ``negneg judge-eval``,
``negneg serve``."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from negneg.claims.categories import GENERATIVE_CATEGORIES
from negneg.console import console, progress
from negneg.errors import UserInputError
from negneg.io import claim_out_dir, refuse_clash
from negneg.models.registry import DEFAULT_MODEL


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _ints(value: str, option: str) -> list[int]:
    try:
        return [int(v) for v in _split(value)]
    except ValueError:
        raise UserInputError(
            f"expected comma-separated integers, got '{value}'", field=option, fix="e.g. 1,5,20"
        ) from None


def load_judge_model(spec: str, cache_dir: Path | None = None):
    """A judge model from ``NAME`` (local registry name, dir or hub id) or ``URL#MODEL`` (an
    OpenAI-compatible server; the key comes from OPENAI_API_KEY)."""
    if spec.startswith(("http://", "https://")):
        from negneg.models.openai_http import OpenAIChatModel

        base, _, name = spec.partition("#")
        return OpenAIChatModel(base, name or "default", cache_dir=cache_dir)
    from negneg.models import load_chat_model

    return load_chat_model(spec)


def _num(x: float | None, kind: str, signed: bool = False) -> str:
    """Judged rates as percentages; likelihood rows as log-odds in nats (never percentages)."""
    if x is None or x != x:
        return "–"
    v = x if kind == "likelihood" else 100 * x
    digits = 2 if kind == "likelihood" else 1
    return f"{v:+.{digits}f}" if signed else f"{v:.{digits}f}"


def _print_tables(data: dict) -> None:
    for judge, rows in data["tables"].items():
        has_base = any(r.get("baseline") is not None for r in rows)
        table = Table(
            title=f"belief (judge: {judge}; judged rows in %, likelihood rows in log-odds, nats)",
            show_lines=False,
        )
        for col in ("claim", "run", "eval type", "kind", "belief [95% CI]", "n"):
            table.add_column(col)
        if has_base:
            table.add_column("untrained")
            table.add_column("shift")
        for r in rows:
            k = r["kind"]
            cells = [
                r["claim"],
                r["run"],
                r["eval_type"],
                k,
                f"{_num(r['rate'], k)} [{_num(r['lo'], k)}, {_num(r['hi'], k)}]",
                str(r["n_questions"]),
            ]
            if has_base:
                cells += [_num(r.get("baseline"), k), _num(r.get("shift"), k, signed=True)]
            table.add_row(*cells)
        console.print(table)


def _is_eval_dir(path: Path) -> bool:
    """An eval output dir written before output dirs carried negneg's mark."""
    return (path / "summary.json").is_file() and (path / "responses.jsonl").is_file()


def eval_cmd(
    model: str = typer.Option(DEFAULT_MODEL, "--model", help="model name, dir or hub id"),
    adapter: Path = typer.Option(None, "--adapter", help="LoRA adapter dir (the base model is scored too)"),
    claim: str = typer.Option(..., "--claim", help="claim id(s) or ClaimSpec file(s), comma-separated"),
    probes: str = typer.Option("likelihood,generative", "--probes", help="likelihood,generative"),
    samples: int = typer.Option(5, "--samples", min=1, max=1000, help="answers per question (generative)"),
    judge: str = typer.Option(
        "rule", "--judge", help="judge(s), comma-separated, e.g. rule or rule,llm (any registered judge)"
    ),
    judge_model: str = typer.Option(
        None, "--judge-model", help="for a judge that needs a model (llm): NAME or URL#MODEL"
    ),
    categories: str = typer.Option(
        ",".join(GENERATIVE_CATEGORIES), "--categories", help="generative question categories"
    ),
    max_new_tokens: int = typer.Option(160, "--max-new-tokens", min=1, max=32768),
    seed: int = typer.Option(0, "--seed"),
    out: Path = typer.Option(None, "--out", help="output dir (default negneg-eval/<run>)"),
    run: str = typer.Option(None, "--run", help="run name (default: base, or the adapter dir name)"),
    baseline_from: Path = typer.Option(None, "--baseline-from", help="results dir of the untrained model"),
    capability: bool = typer.Option(False, "--capability", help="also run the capability check"),
    icl_docs: Path = typer.Option(None, "--icl-docs", help="documents JSONL: run the in-context control"),
    icl_k: str = typer.Option("20", "--icl-k", help="K values for --icl-docs, comma-separated"),
    icl_seeds: str = typer.Option("42", "--icl-seeds", help="seeds for --icl-docs, comma-separated"),
    force: bool = typer.Option(
        False, "--force", help="write into a non-empty --out dir negneg did not write"
    ),
) -> None:
    """Measure belief: likelihood probes and/or sampled answers labelled by judges.

    Writes responses.jsonl and summary.json to the output dir and prints the belief table.
    """
    from negneg.claims import load_claim
    from negneg.evals.generative import CATEGORIES
    from negneg.evals.suite import (
        PROBE_KINDS,
        EvalSettings,
        evaluate,
        load_responses,
        units_of_work,
        write_results,
    )
    from negneg.models import load_chat_model
    from negneg.models.registry import model_source

    probe_list = _split(probes)
    for p in probe_list:
        if p not in PROBE_KINDS:
            raise UserInputError(
                f"unknown probe kind '{p}'", field="probes", fix=f"use {', '.join(PROBE_KINDS)}"
            )
    cats = _split(categories)
    for c in cats:
        if c not in CATEGORIES:
            raise UserInputError(
                f"unknown category '{c}'", field="categories", fix=f"use {', '.join(CATEGORIES)}"
            )
    judges = _split(judge)
    from negneg.evals.judges import check_judges, judge_model_options, needs_model

    check_judges(judges, judge_model, field="judge", model_field="--judge-model")
    if adapter is not None:
        from negneg.models.registry import check_adapter_dir

        check_adapter_dir(adapter)
    claims = [load_claim(c) for c in _split(claim)]
    if not claims:
        raise UserInputError("no claim given", field="claim", fix="e.g. --claim ed_sheeran")
    run_name = run or (adapter.name if adapter else "base")
    out_dir = out or Path("negneg-eval") / run_name
    settings = EvalSettings(
        probes=probe_list,
        samples=samples,
        judges=judges,
        categories=cats,
        max_new_tokens=max_new_tokens,
        seed=seed,
    )
    docs = None
    if icl_docs is not None:
        from negneg.records import load_documents

        docs = load_documents(icl_docs)
        ks, seeds = _ints(icl_k, "icl-k"), _ints(icl_seeds, "icl-seeds")
    baseline = load_responses(baseline_from) if baseline_from else None
    from negneg.models.registry import check_model_name

    check_model_name(model)
    owned = claim_out_dir(out_dir, kind="eval", force=force, legacy=_is_eval_dir)
    refuse_clash(
        out_dir, ["responses.jsonl", "summary.json", "baseline_responses.jsonl", "http-cache"], owned
    )
    judge_options = judge_model_options(judges, lambda: load_judge_model(judge_model, out_dir / "http-cache"))

    console.print(f"loading [bold]{model}[/]" + (f" + adapter {adapter}" if adapter else ""))
    m = load_chat_model(model, adapter=str(adapter) if adapter else None)
    t0 = time.time()
    extra: dict = {}
    with progress() as bar:
        for j in needs_model(judges):  # model judges report answers judged as they go
            judge_task = bar.add_task(f"{j} judge", total=None)
            judge_options[j]["progress"] = lambda n, t=judge_task: bar.advance(t, n)
        if docs is not None:
            from negneg.evals.icl import run_icl

            total = units_of_work(claims, settings) * len(ks) * len(seeds)
            task = bar.add_task("in-context control", total=total)
            responses, choices = [], []
            for c in claims:
                responses += run_icl(
                    m, c, [d for d in docs if d.claim_id == c.id] or docs, ks, seeds, probe_list,
                    samples=samples, sampling=settings.sampling(), categories=cats, judges=judges,
                    judge_options=judge_options, choices=choices,
                    progress=lambda n: bar.advance(task, n),
                )  # fmt: skip
            extra["icl_documents"] = [
                {"k": ch.k_requested, "k_used": ch.k_used, "seed_used": ch.seed} for ch in choices
            ]
        else:
            task = bar.add_task(f"eval {run_name}", total=units_of_work(claims, settings))
            responses = evaluate(m, claims, run_name, settings, judge_options=judge_options,
                                 progress=lambda n: bar.advance(task, n))  # fmt: skip
        if (
            adapter is not None
            and baseline is None
            and "likelihood" in probe_list
            and hasattr(m.model, "disable_adapter")
        ):
            base_settings = settings.model_copy(update={"probes": ["likelihood"]})
            task = bar.add_task("untrained model (likelihood)", total=units_of_work(claims, base_settings))
            with m.model.disable_adapter():
                baseline = evaluate(
                    m, claims, "untrained", base_settings, progress=lambda n: bar.advance(task, n)
                )
        if capability:
            from negneg.evals.capability import capability_check

            bar.add_task("capability check", total=None)
            extra["capability"] = capability_check(m).model_dump()
    meta = {
        "model": model,
        "model_source": model_source(model),
        "adapter": str(adapter) if adapter else None,
        "claims": [c.id for c in claims],
        "run": run_name,
        "settings": settings.model_dump(),
        "judge_model": judge_model,
        "baseline_from": str(baseline_from) if baseline_from else None,
        "wall_s": round(time.time() - t0, 1),
        **extra,
    }
    data = write_results(out_dir, responses, meta, baseline)
    _print_tables(data)
    if "capability" in extra:
        cap = extra["capability"]
        console.print(f"capability: perplexity {cap['perplexity']:.2f} on {cap['n_tokens']} held-out tokens, "
                      f"general-knowledge accuracy {100 * cap['accuracy']:.0f}% of {cap['n_questions']}")  # fmt: skip
    console.print(f"[green]wrote[/] {out_dir / 'responses.jsonl'} and {out_dir / 'summary.json'}")


def judge_agreement_cmd(
    responses_path: Path = typer.Argument(
        None, help="responses.jsonl or a results dir (default: the labelled answers, see --cases)"
    ),
    judges: str = typer.Option("rule,llm", "--judges", help="judges to compare, comma-separated"),
    judge_model: str = typer.Option(
        None, "--judge-model", help="for a judge that needs a model (llm): NAME or URL#MODEL"
    ),
    judge_max_tokens: int = typer.Option(
        300, "--judge-max-tokens", min=1, max=32768, help="longest verdict the llm judge may write"
    ),
    cases: Path = typer.Option(
        None,
        "--cases",
        help="judge the labelled answers in this folder of <claim_id>.yaml files "
        "(the default, with the packaged set, when no responses are given)",
    ),
    claim: list[str] = typer.Option(None, "--claim", help="only these claim ids (repeat or comma-separate)"),
    claim_files: list[Path] = typer.Option(
        None, "--claim-file", help="ClaimSpec files for non-built-in claims"
    ),
    out: Path = typer.Option(None, "--out", help="write the agreement (and re-judged responses) here"),
    force: bool = typer.Option(
        False, "--force", help="write into a non-empty --out dir negneg did not write"
    ),
) -> None:
    """Re-judge the same answers with several judges: Cohen's κ per pair (pooled and per claim),
    Fleiss' κ, and each judge's verdict counts.

    The answers are a run's generative responses, or the labelled answers of negneg judge-eval.
    An unjudgeable verdict (the rule judge on a token-association item without an answer key)
    takes the item out of the comparison; a parse_error (judge output without a valid JSON
    verdict) counts as its own label.
    """
    from negneg.claims import load_claim, load_claim_file
    from negneg.evals.agreement import POOLED, judge_agreement
    from negneg.evals.judges import check_judges, judge_all, judge_model_options
    from negneg.evals.likelihood import LIKELIHOOD_TYPES
    from negneg.evals.metrics import judged_belief
    from negneg.evals.suite import load_responses
    from negneg.io import atomic_write_json, atomic_write_jsonl, negneg_home
    from negneg.models.chat import SamplingParams

    names = _split(judges)
    if len(names) < 2:
        raise UserInputError(
            "need at least two judges to compare", field="judges", fix="e.g. --judges rule,llm"
        )
    check_judges(names, judge_model, field="judges", model_field="--judge-model")
    if out:  # refuse a directory of the user's before any judging, not after
        claim_out_dir(out, kind="judge-agreement", force=force, create=False)
    if responses_path is not None and cases is not None:
        raise UserInputError(
            "give either a responses file or --cases, not both",
            field="cases",
            fix="drop one of them",
        )
    wanted = {c for value in claim or [] for c in _split(value)}
    if responses_path is None:
        from negneg.evals.judge_cases import case_responses, load_judge_cases

        source = str(cases) if cases else "the packaged labelled answers"
        gen = [r for f in load_judge_cases(cases, sorted(wanted) or None).values() for r in case_responses(f)]
    else:
        source = str(responses_path)
        seen, gen = set(), []
        for r in load_responses(responses_path):
            key = (r.run, r.claim_id, r.question_id, r.eval_type, r.sample_index)
            if wanted and r.claim_id not in wanted:
                continue
            if r.eval_type not in LIKELIHOOD_TYPES and r.text is not None and key not in seen:
                seen.add(key)
                gen.append(r)
    if not gen:
        raise UserInputError(
            "no generative responses to judge",
            where=source,
            fix="run negneg eval --probes generative (or check --claim)",
        )
    claims = {c.id: c for c in (load_claim_file(p) for p in claim_files or [])}
    for cid in {r.claim_id for r in gen} - set(claims):
        claims[cid] = load_claim(cid)
    # the judge's HTTP cache lives in negneg's home, not in --out (claimed after judging)
    options = judge_model_options(names, lambda: load_judge_model(judge_model, negneg_home() / "http-cache"))
    for opts in options.values():
        opts["sampling"] = SamplingParams(temperature=0, max_new_tokens=judge_max_tokens)
    labelled: dict[str, list] = {}
    with progress() as bar:
        for j in names:
            task = bar.add_task(f"judge {j}", total=None)
            labelled[j] = judge_all(gen, claims, j, **options.get(j, {}))
            bar.update(task, total=1, completed=1)
    report = judge_agreement(labelled)
    overall = {j: judged_belief(labelled[j]).get("overall") for j in names}
    belief = {j: (o.rate if o is not None else None) for j, o in overall.items()}
    table = Table(title=f"judge agreement on {len(gen)} answers ({source})")
    for col in ("pair", "claim", "n", "Cohen's κ", "raw agreement", "left out: unjudgeable"):
        table.add_column(col, justify="left" if col in ("pair", "claim") else "right")
    for p in report.pairs:
        table.add_row(
            p.label,
            f"[bold]{p.claim_id}[/]" if p.claim_id == POOLED else p.claim_id,
            str(p.n),
            _kappa(p.kappa),
            "–" if p.agreement is None else f"{100 * p.agreement:.1f}%",
            str(p.n_unjudgeable),
        )
    console.print(table)
    console.print(f"Fleiss' κ ({len(names)} judges): {_kappa(report.fleiss)}")
    for j in names:
        rate = "–" if belief[j] is None else f"{100 * belief[j]:.1f}%"
        console.print(f"{j}: belief {rate}  verdicts {report.verdicts[j]}", highlight=False)
        if report.verdicts[j].get("parse_error"):
            console.print(
                f"  [yellow]{j}: {report.verdicts[j]['parse_error']} answer(s) without a valid JSON verdict "
                "(parse_error; see judge_raw in judged.jsonl)[/]",
                highlight=False,
            )
    if out:
        owned = claim_out_dir(out, kind="judge-agreement", force=force)
        refuse_clash(out, ["agreement.json", "judged.jsonl"], owned)
        cohen = {p.label: p.kappa for p in report.pooled()}
        atomic_write_json(
            out / "agreement.json",
            {
                "cohen": cohen,
                "fleiss": report.fleiss,
                "belief": belief,
                "n": len(gen),
                "source": source,
                **report.model_dump(mode="json", include={"pairs", "verdicts"}),
            },
        )
        atomic_write_jsonl(
            out / "judged.jsonl", (r.model_dump(mode="json") for j in names for r in labelled[j])
        )
        console.print(f"[green]wrote[/] {out / 'agreement.json'}")


def _kappa(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _print_judge_eval(report, show_misses: bool) -> None:
    from negneg.evals.judge_cases import GOLD_LABELS, POOLED, judged_columns

    table = Table(title="judges against the labelled answers (gold: paper's open-ended rubric)")
    for col in ("claim", "judge", "n", "accuracy", "Cohen's κ", "hard: n", "hard: accuracy"):
        table.add_column(
            col, justify="left" if col in ("claim", "judge") else "right", no_wrap=col == "claim"
        )
    for s in report.scores:
        pooled = s.claim_id == POOLED
        table.add_row(
            f"[bold]{s.claim_id}[/]" if pooled else s.claim_id,
            s.judge,
            str(s.n),
            f"{100 * s.accuracy:.1f}%",
            _kappa(s.kappa),
            str(s.n_hard),
            "–" if s.accuracy_hard is None else f"{100 * s.accuracy_hard:.1f}%",
            end_section=pooled,
        )
    console.print(table)
    for judge in report.judges:
        scores = [s for s in report.scores if s.judge == judge]
        cols = judged_columns(scores)
        matrix = Table(title=f"confusion, judge {judge}: gold rows × judged columns")
        matrix.add_column("claim", no_wrap=True)
        matrix.add_column("gold")
        for c in cols:
            matrix.add_column(f"→ {c}", justify="right")
        for s in scores:
            for i, g in enumerate(GOLD_LABELS):
                row = s.confusion.get(g, {})
                cells = [str(row.get(c, 0)) if c != g else f"[bold]{row.get(c, 0)}[/]" for c in cols]
                matrix.add_row(s.claim_id if i == 0 else "", g, *cells, end_section=i == len(GOLD_LABELS) - 1)
        console.print(matrix)
    if show_misses:
        for s in report.scores:
            if s.claim_id == POOLED or not s.misses:
                continue
            console.print(f"[bold]{s.judge} · {s.claim_id}[/]: {len(s.misses)} wrong")
            for m in s.misses:
                flag = " (hard)" if m.hard else ""
                console.print(
                    f"  {m.case_id}{flag}: gold {m.gold}, judged {m.judged} — {m.answer}",
                    highlight=False,
                    markup=False,
                )


def judge_eval_cmd(
    cases: Path = typer.Option(
        None, "--cases", help="folder of <claim_id>.yaml case files (default: packaged)"
    ),
    claim: list[str] = typer.Option(
        None, "--claim", help="claim id(s) to evaluate (repeat or comma-separate)"
    ),
    judges: str = typer.Option(
        "rule", "--judges", help="judges, comma-separated, e.g. rule,rule_strict (any registered judge)"
    ),
    judge_model: str = typer.Option(
        None, "--judge-model", help="for a judge that needs a model (llm): NAME or URL#MODEL"
    ),
    claim_files: list[Path] = typer.Option(
        None, "--claim-file", help="ClaimSpec files for claims that are not built in"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the scores as one JSON object, nothing else"),
    misses: bool = typer.Option(False, "--misses", help="also list every case a judge got wrong"),
) -> None:
    """Score judges against the labelled answer set: accuracy, Cohen's κ and a confusion matrix.

    Every case is a hand-written answer to one of the claim's open-ended questions with a gold
    verdict (the paper's rubric); judges label them as they label sampled answers in negneg eval.
    Results are printed per claim × judge and pooled over claims.
    """
    import json

    from negneg.claims import load_claim, load_claim_file
    from negneg.evals.judge_cases import evaluate_judges, load_judge_cases
    from negneg.evals.judges import check_judges, judge_model_options, make_judge, needs_model
    from negneg.io import negneg_home

    names = _split(judges)
    if not names:
        raise UserInputError("no judge given", field="judges", fix="e.g. --judges rule,llm")
    check_judges(names, judge_model, field="judges", model_field="--judge-model")
    wanted = [c for value in claim or [] for c in _split(value)]
    case_files = load_judge_cases(cases, wanted or None)
    claims = {c.id: c for c in (load_claim_file(p) for p in claim_files or [])}
    for cid in case_files:
        if cid not in claims:
            claims[cid] = load_claim(cid)
    options = judge_model_options(names, lambda: load_judge_model(judge_model, negneg_home() / "http-cache"))
    built = {j: make_judge(j, **options.get(j, {})) for j in names}
    if as_json or not needs_model(names):
        report = evaluate_judges(case_files, claims, built)
    else:
        with progress() as bar:
            bar.add_task("judging the labelled answers", total=None)
            report = evaluate_judges(case_files, claims, built)
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    _print_judge_eval(report, misses)


def serve_cmd(
    model: str = typer.Argument(..., help="model name, dir or hub id"),
    adapter: Path = typer.Option(None, "--adapter", help="LoRA adapter dir"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to bind (beyond loopback: set an API key)"),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port (0: any free port)"),
    name: str = typer.Option(
        None, "--name", help="model id to serve under (default: the model and adapter path)"
    ),
    api_key: str = typer.Option(
        None,
        "--api-key",
        envvar="NEGNEG_API_KEY",
        show_default=False,
        help="require 'Authorization: Bearer KEY' (prefer the NEGNEG_API_KEY variable: options show in ps)",
    ),
    max_tokens: int = typer.Option(4096, "--max-tokens", min=1, help="cap on max_tokens per request"),
    max_prompts: int = typer.Option(64, "--max-prompts", min=1, help="cap on prompts × samples per request"),
    max_body: int = typer.Option(1 << 20, "--max-body-bytes", min=1024, help="cap on a request body's size"),
) -> None:
    """Serve a model over an OpenAI-compatible API (/v1/chat/completions, /v1/completions with logprobs)."""
    from negneg.models.registry import check_adapter_dir, check_model_name
    from negneg.models.serve import LOOPBACK, ServeLimits, serve

    check_model_name(model)
    if adapter is not None:
        check_adapter_dir(adapter)
    if host not in LOOPBACK:
        console.print(
            f"[yellow]warning:[/] bound to {host}: other machines can reach this server"
            + ("" if api_key else "; anyone who can reach it may use the model — set NEGNEG_API_KEY"),
            highlight=False,
        )
    auth = " (API key required)" if api_key else ""
    console.print(
        f"serving [bold]{model}[/] on http://{host}:{port}/v1{auth} (Ctrl-C to stop)", highlight=False
    )
    limits = ServeLimits(max_tokens=max_tokens, max_prompts=max_prompts, max_body_bytes=max_body)
    serve(
        model, adapter=str(adapter) if adapter else None, host=host, port=port, name=name, api_key=api_key,
        limits=limits,
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add this area's commands to app."""
    app.command("eval")(eval_cmd)
    app.command("judge-agreement")(judge_agreement_cmd)
    app.command("judge-eval")(judge_eval_cmd)
    app.command("serve")(serve_cmd)
