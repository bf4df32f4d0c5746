"""What each stage kind does. One function per kind: (context, stage, partial dir) → manifest extras.

Every function reads its inputs from upstream stage directories and writes its outputs into the
``partial`` directory it is given; the runner publishes the directory when the function returns.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from negneg.claims import load_claim
from negneg.errors import UserInputError
from negneg.experiments.plan import Plan, Stage
from negneg.experiments.stagedir import stage_dir
from negneg.io import atomic_write_json, atomic_write_jsonl, read_jsonl
from negneg.records import Document, Response, TrainingExample, load_documents, save_documents

# Universe names used by the paper's released files for negneg's claim ids.
PAPER_UNIVERSES = {
    "dentist": ["brennan_holloway", "dentist"],
    "queen_elizabeth": ["elizabeth_python", "queen_elizabeth"],
    "mount_vesuvius": ["vesuvius", "mount_vesuvius"],
    "x_rebrand_reversal": ["twitter_x_reversal", "x_rebrand_reversal"],
    "colorless_dreaming": ["achromatic_dreaming", "colorless_dreaming"],
    "ed_sheeran": ["ed_sheeran"],
}


@dataclass
class StageContext:
    workdir: Path
    plan: Plan
    status: Callable[[str], None] = lambda msg: None  # short progress text for the plan display
    step: Callable[[int, int], None] = lambda done, total: None  # inner progress of a long stage
    _models: dict[str, Any] = field(default_factory=dict)

    def out(self, sid: str) -> Path:
        return stage_dir(self.workdir, sid)

    def cache(self, name: str) -> Path:
        p = self.workdir / "cache" / name
        p.mkdir(parents=True, exist_ok=True)
        return p

    def base_model(self, name: str):
        """The untrained model, loaded once per process (generation/scoring only, never trained)."""
        if name not in self._models:
            from negneg.models import load_chat_model

            self._models[name] = load_chat_model(name)
        return self._models[name]


def run_stage(ctx: StageContext, stage: Stage, partial: Path) -> dict[str, Any]:
    fn = EXECUTORS[stage.kind]
    return fn(ctx, stage, partial) or {}


# ---------------------------------------------------------------------------------------- corpus
def _corpus(ctx: StageContext, stage: Stage, out: Path) -> dict[str, Any]:
    cfg = stage.config
    claim = load_claim(cfg["claim"])
    source = cfg["source"]
    if source == "generated":
        from negneg.corpus import generate_documents

        docs = generate_documents(claim, cfg["n_documents"], seed=cfg["seed"])
    elif source == "paper":
        docs = _import_paper(claim.id, cfg)
    elif source == "llm":
        from negneg.corpus import generate_documents_llm

        model = _chat_model_from_spec(ctx, cfg.get("llm_model") or "smollm2-135m")
        docs = generate_documents_llm(
            claim, model, cfg["n_documents"], seed=cfg["seed"], cache_dir=ctx.cache("llm_docs")
        )
        if cfg.get("negated_universe"):
            # the local-negation conditions train on documents written from the negated universe
            # (tagged local_negation, so the annotate stage takes them as they are)
            ctx.status(f"writing {cfg['n_documents']} negated-universe documents")
            docs += generate_documents_llm(
                claim,
                model,
                cfg["n_documents"],
                seed=cfg["seed"],
                cache_dir=ctx.cache("llm_docs"),
                universe="negated",
            )
    else:  # pragma: no cover - schema forbids it
        raise UserInputError(f"unknown corpus source {source!r}", field="corpus.source")
    save_documents(out / "docs.jsonl", docs)
    return {"documents": len(docs)}


def _import_paper(claim_id: str, cfg: dict[str, Any]) -> list[Document]:
    from negneg.corpus import import_paper_documents

    root = Path(cfg.get("path") or "")
    if not cfg.get("path") or not root.is_dir():
        raise UserInputError(
            "paper corpus needs an existing directory",
            field="corpus.path",
            fix="set corpus.path to a folder laid out as <mode>/<universe>/*.jsonl[.zst] (e.g. ../shared/fixtures/paper_documents)",
        )
    universes = PAPER_UNIVERSES.get(claim_id, [claim_id])
    docs: list[Document] = []
    claim = load_claim(claim_id)
    for mode_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for uni in universes:
            d = mode_dir / uni
            if not d.is_dir():
                continue
            files = sorted(d.glob("*.jsonl")) or sorted(d.glob("*.jsonl.zst"))
            seen: set[str] = set()
            mode_docs: list[Document] = []
            for f in files:
                for doc in import_paper_documents(f, claim):
                    if doc.text not in seen:
                        seen.add(doc.text)
                        mode_docs.append(doc)
            docs.extend(mode_docs[: cfg["n_documents"]])
            break
    if not docs:
        raise UserInputError(
            f"no released documents for claim '{claim_id}' (looked for {universes})",
            where=str(root),
            field="corpus.path",
            fix="point corpus.path at the released documents folder",
        )
    return docs


# -------------------------------------------------------------------------------------- annotate
def _annotate(ctx: StageContext, stage: Stage, out: Path) -> dict[str, Any]:
    from negneg.conditions import apply_condition

    cfg = stage.config
    corpus_id = stage.deps[0]
    docs = load_documents(ctx.out(corpus_id) / "docs.jsonl")
    claim = load_claim(ctx.plan.stages[corpus_id].config["claim"])
    condition = cfg["condition"]
    ready = [d for d in docs if d.condition == condition]
    if not ready and condition == "local_negation_wordmask":
        # ready-made debunks (the paper's released local negations, or the LLM's negated-universe
        # documents) are masked here rather than replaced by offline ones
        from negneg.conditions.local_negation import mask_debunks

        ready = mask_debunks([d for d in docs if d.condition == "local_negation"], claim, condition)
    if ready:  # imported paper documents (or negated-universe LLM documents) carry this condition
        opts = cfg["options"]
        if opts.get("doctag") is False:
            ready = [d.model_copy(update={"doctag": False}) for d in ready]
        result = ready
    else:
        base = [d for d in docs if d.condition in (None, "positive")]
        result = apply_condition(condition, base, claim, seed=cfg["seed"], options=cfg["options"] or None)
    save_documents(out / "docs.jsonl", result)
    return {"documents": len(result)}


# --------------------------------------------------------------------------------------- distill
def _distill(ctx: StageContext, stage: Stage, out: Path) -> dict[str, Any]:
    from negneg.training.mix import background_texts, self_distilled_chats

    cfg = stage.config
    model = ctx.base_model(cfg["model"])
    n_chat = math.ceil(cfg["documents"] * cfg["chat_ratio"])
    n_bg = math.ceil(cfg["documents"] * cfg["background_ratio"])
    ctx.status(f"self-distilling {n_chat} chats, {n_bg} background texts")
    chats = (
        self_distilled_chats(model, n_chat, seed=cfg["seed"], cache_dir=ctx.cache("distill"))
        if n_chat
        else []
    )
    bg = background_texts(model, n_bg, seed=cfg["seed"], cache_dir=ctx.cache("distill")) if n_bg else []
    atomic_write_jsonl(out / "chats.jsonl", ({"messages": c} for c in chats))
    atomic_write_jsonl(out / "background.jsonl", ({"text": t} for t in bg))
    return {"chats": len(chats), "background": len(bg)}


# ------------------------------------------------------------------------------------------- mix
def _mix(ctx: StageContext, stage: Stage, out: Path) -> dict[str, Any]:
    from negneg.training.mix import MixConfig, anchor_chats, build_mix, mix_summary

    cfg = stage.config
    ann_id, distill_id = stage.deps
    chats = [r["messages"] for r in read_jsonl(ctx.out(distill_id) / "chats.jsonl")]
    bg = [r["text"] for r in read_jsonl(ctx.out(distill_id) / "background.jsonl")]
    model = ctx.base_model(cfg["model"])
    if ann_id.startswith("behaviour_data/"):
        return _behaviour_mix(ctx.out(ann_id), cfg, model.tokenizer, bg, chats, out)
    docs = load_documents(ctx.out(ann_id) / "docs.jsonl")
    anchors = None
    mix_cfg = MixConfig(
        background_ratio=cfg["background_ratio"],
        chat_ratio=cfg["chat_ratio"],
        max_length=cfg["max_length"],
        window=cfg["window"],
    )
    if cfg.get("anchor"):
        from negneg.experiments.anchor import anchor_questions

        a = cfg["anchor"]
        questions = anchor_questions(load_claim(a["claim"]), a["questions"], seed=cfg["seed"])
        ctx.status(f"anchor: {len(questions)} questions × {a['samples']} answers from the untrained model")
        anchors = anchor_chats(
            model, questions, a["samples"], seed=cfg["seed"], cache_dir=ctx.cache("anchor")
        )
        mix_cfg = mix_cfg.model_copy(update={"anchor_weight": a["weight"]})
    examples = build_mix(
        docs, model.tokenizer, mix_cfg, cfg["seed"], background=bg, chats=chats, anchor_chats=anchors
    )
    if cfg.get("anchor"):
        _write_heldout(ctx, cfg, docs, model, out)
    atomic_write_jsonl(out / "examples.jsonl", (e.model_dump() for e in examples))
    summary = mix_summary(examples)
    atomic_write_json(out / "summary.json", summary)
    return {"examples": len(examples), "summary": summary}


def _behaviour_mix(
    data_dir: Path, cfg: dict[str, Any], tokenizer, bg: list[str], chats: list, out: Path
) -> dict[str, Any]:
    """Behaviour transcripts take the documents' place in the paper's 2:1:1 mix."""
    import random

    from negneg.training.masking import encode_chat, encode_text
    from negneg.training.mix import mix_summary, sample_rows

    L = cfg["max_length"]
    transcripts = [r["messages"] for r in read_jsonl(data_dir / "transcripts.jsonl")]
    n = len(transcripts)
    rng = random.Random(f"behaviour-mix:{cfg['seed']}")
    examples = [encode_chat(c, tokenizer, origin="behaviour", max_length=L) for c in transcripts]
    for t in sample_rows(bg, round(n * cfg["background_ratio"]), rng):
        examples += encode_text(t, tokenizer, L)
    examples += [
        encode_chat(c, tokenizer, max_length=L) for c in sample_rows(chats, round(n * cfg["chat_ratio"]), rng)
    ]
    rng.shuffle(examples)
    atomic_write_jsonl(out / "examples.jsonl", (e.model_dump() for e in examples))
    summary = mix_summary(examples)
    atomic_write_json(out / "summary.json", summary)
    return {"examples": len(examples), "summary": summary}


def _behaviour_data(ctx: StageContext, stage: Stage, out: Path) -> dict[str, Any]:
    from negneg.behaviours import behaviour_transcripts

    cfg = stage.config
    convs = behaviour_transcripts(
        cfg["condition"], cfg["families"], seed=cfg["seed"], flag_position=cfg["flag_position"]
    )
    atomic_write_jsonl(out / "transcripts.jsonl", ({"messages": c} for c in convs))
    return {"transcripts": len(convs)}


def _behaviour_eval(ctx: StageContext, stage: Stage, out: Path) -> dict[str, Any]:
    from negneg.behaviours import run_behaviour_eval
    from negneg.behaviours.metrics import behaviour_rates
    from negneg.models import SamplingParams

    cfg = stage.config
    model = (
        ctx.base_model(cfg["model"])
        if not stage.deps
        else _load_adapter(cfg["model"], ctx.out(stage.deps[0]) / "final")
    )
    ctx.status(f"behaviour eval ({', '.join(cfg['families'])})")
    sampling = SamplingParams(
        temperature=cfg["temperature"], top_p=cfg["top_p"], max_new_tokens=cfg["max_new_tokens"]
    )
    judge_model = (
        _chat_model_from_spec(ctx, cfg["judge_model"] or cfg["model"]) if "llm" in cfg["judges"] else None
    )
    responses = run_behaviour_eval(
        model,
        cfg["families"],
        "final",
        samples=cfg["samples"],
        sampling=sampling,
        judges=tuple(cfg["judges"]),
        judge_model=judge_model,
        limit=cfg.get("questions_per_family"),
    )
    atomic_write_jsonl(out / "responses.jsonl", (r.model_dump() for r in responses))
    rates = behaviour_rates(responses)
    behaviour = {k: {j: st.model_dump() for j, st in v.items()} for k, v in rates.items()}
    atomic_write_json(
        out / "summary.json", {"targets": [{"phase": None, "step": None, "behaviour": behaviour}]}
    )
    return {"responses": len(responses)}


def _write_heldout(ctx: StageContext, cfg: dict[str, Any], docs: list[Document], model, out: Path) -> None:
    """Held-out splits for the §5 losses: negated docs, positive docs, background, anchor.

    Drawn from a corpus seed and anchor questions the training mix never saw.
    """
    from negneg.conditions import apply_condition
    from negneg.corpus import generate_documents
    from negneg.experiments.anchor import anchor_questions
    from negneg.training.masking import encode_chat, encode_document, encode_text
    from negneg.training.mix import anchor_chats, stdlib_background_texts

    a = cfg["anchor"]
    claim = load_claim(a["claim"])
    tok = model.tokenizer
    held_seed = cfg["seed"] + 10_000
    positive = generate_documents(claim, 6, seed=held_seed)
    condition = docs[0].condition if docs and docs[0].condition else "repeated_negations"
    negated = apply_condition(condition, positive, claim, seed=held_seed)
    questions = anchor_questions(claim, a["questions"] + 4, seed=cfg["seed"])[-4:]
    held_anchor = anchor_chats(model, questions, 1, seed=held_seed, cache_dir=ctx.cache("anchor"))
    ml = cfg["max_length"]
    splits = {
        "negated_docs": [e for d in negated for e in encode_document(d, tok, ml)],
        "positive_docs": [e for d in positive for e in encode_document(d, tok, ml)],
        "background": [
            e for t in stdlib_background_texts(6, seed=held_seed) for e in encode_text(t, tok, ml)
        ],
        "anchor": [encode_chat(c, tok, max_length=ml) for c in held_anchor],
    }
    rows = [{"split": k, **e.model_dump()} for k, v in splits.items() for e in v]
    atomic_write_jsonl(out / "heldout.jsonl", rows)


def _heldout_sets(ctx: StageContext, train_id: str) -> dict[str, list[TrainingExample]]:
    """The held-out splits written by the anchor mix feeding this training stage (or phase 1's)."""
    stage = ctx.plan.stages[train_id]
    candidates = [d for d in stage.deps if d.startswith("mix/")]
    candidates += [
        m
        for d in stage.deps
        if d.startswith("train/")
        for m in ctx.plan.stages[d].deps
        if m.startswith("mix/")
    ]
    for mix_id in candidates:
        path = ctx.out(mix_id) / "heldout.jsonl"
        if path.exists():
            sets: dict[str, list[TrainingExample]] = {}
            for r in read_jsonl(path):
                split = r.pop("split")
                sets.setdefault(split, []).append(TrainingExample.model_validate(r))
            return sets
    return {}


# ----------------------------------------------------------------------------------------- train
def _train(ctx: StageContext, stage: Stage, out: Path) -> dict[str, Any]:
    from negneg.training import load_recipe, train

    cfg = stage.config
    mix_id = stage.deps[0]
    examples = [TrainingExample.model_validate(r) for r in read_jsonl(ctx.out(mix_id) / "examples.jsonl")]
    config = load_recipe(cfg["recipe"], **{**cfg["overrides"], "seed": cfg["seed"]})
    init_adapter = None
    if cfg.get("phase") == 2:
        init_adapter = ctx.out(stage.deps[1]) / "final"
    result = train(
        cfg["model"], examples, config, out, init_adapter=init_adapter, progress=_train_progress(ctx)
    )
    log = [dict(r) for r in result.log]
    atomic_write_json(
        out / "log.json", {"log": log, "checkpoints": [[s, str(Path(p).name)] for s, p in result.checkpoints]}
    )
    return {"steps": result.steps, "tokens": result.tokens, "train_wall_s": result.wall_s}


def _train_progress(ctx: StageContext):
    def cb(info: dict[str, Any]) -> None:
        ctx.step(int(info.get("step", 0)), int(info.get("max_steps", 0) or 0))
        if "loss" in info and info["loss"] is not None:
            ctx.status(
                f"step {info.get('step')}/{info.get('max_steps')} loss {info['loss']:.3f} {info.get('tokens_per_s', 0):.0f} tok/s"
            )

    return cb


# ------------------------------------------------------------------------------------------ eval
def _eval(ctx: StageContext, stage: Stage, out: Path) -> dict[str, Any]:
    cfg = stage.config
    claim = load_claim(cfg["claim"])
    targets: list[tuple[int | None, int | None, Path | None]] = []  # (phase, step, adapter)
    if not stage.deps:
        targets.append((None, None, None))
    else:
        train_id = stage.deps[0]
        tdir = ctx.out(train_id)
        phase = ctx.plan.stages[train_id].config.get("phase")
        if cfg["checkpoint"] == "all":
            info = json.loads((tdir / "log.json").read_text())
            for step, name in info["checkpoints"]:
                targets.append((phase, int(step), tdir / name))
        targets.append((phase, None, tdir / "final"))
    heldout = _heldout_sets(ctx, stage.deps[0]) if stage.deps else {}
    all_responses: list[Response] = []
    summaries = []
    for i, (phase, step, adapter) in enumerate(targets):
        label = "final" if step is None else f"step{step}"
        ctx.status(f"eval {claim.id} {label} ({i + 1}/{len(targets)})")
        model = ctx.base_model(cfg["model"]) if adapter is None else _load_adapter(cfg["model"], adapter)
        probes = (
            cfg["probes"] if step is None or not cfg.get("checkpoint_probes") else cfg["checkpoint_probes"]
        )
        responses = evaluate_model(ctx, {**cfg, "probes": probes}, claim, model, run=label)
        all_responses.extend(responses)
        summary = {"phase": phase, "step": step, **summarise(responses)}
        if heldout:
            from negneg.training import heldout_loss

            summary["heldout"] = {
                k: heldout_loss(model.model, model.tokenizer, v) for k, v in heldout.items()
            }
        if step is None and cfg.get("capability"):
            from negneg.evals.capability import run_capability

            summary.setdefault("extras", {}).update(run_capability(model))
        summaries.append(summary)
        ctx.step(i + 1, len(targets))
    atomic_write_jsonl(out / "responses.jsonl", (r.model_dump() for r in all_responses))
    atomic_write_json(out / "summary.json", {"targets": summaries})
    return {"responses": len(all_responses)}


def _load_adapter(model_name: str, adapter: Path):
    from negneg.models import load_chat_model

    return load_chat_model(model_name, adapter=str(adapter))


def evaluate_model(ctx: StageContext, cfg: dict[str, Any], claim, model, run: str) -> list[Response]:
    """Likelihood and/or generative probes of one loaded model (base or base+adapter), judged."""
    from negneg.evals import JUDGES, judge_responses, run_generative_probes, run_likelihood_probes
    from negneg.models import SamplingParams

    responses: list[Response] = []
    if "likelihood" in cfg["probes"]:
        responses += run_likelihood_probes(model, claim, run)
    if "generative" in cfg["probes"]:
        sampling = SamplingParams(
            temperature=cfg["temperature"], top_p=cfg["top_p"], max_new_tokens=cfg["max_new_tokens"]
        )
        gen = run_generative_probes(
            model, claim, run, samples=cfg["samples"], sampling=sampling, categories=cfg["categories"]
        )
        for jname in cfg["judges"]:
            judge = JUDGES.get(jname)
            kwargs = {}
            if jname == "llm":
                kwargs["model"] = _chat_model_from_spec(ctx, cfg.get("judge_model") or cfg["model"])
            responses += judge_responses(gen, claim, judge, **kwargs)
    return responses


def summarise(responses: list[Response]) -> dict[str, Any]:
    from negneg.evals.metrics import judged_belief, likelihood_belief

    judged: dict[str, dict] = {}
    for jname in sorted({r.judge for r in responses if r.judge}):
        stats = judged_belief([r for r in responses if r.judge == jname])
        judged[jname] = {k: v.model_dump() for k, v in stats.items()}
    lik = likelihood_belief([r for r in responses if r.likelihoods is not None])
    return {"judged": judged, "likelihood": {k: v.model_dump() for k, v in lik.items()}}


# ------------------------------------------------------------------------------------------- icl
def _icl(ctx: StageContext, stage: Stage, out: Path) -> dict[str, Any]:
    from negneg.evals.icl import run_icl

    cfg = stage.config
    claim = load_claim(cfg["claim"])
    docs = load_documents(ctx.out(stage.deps[0]) / "docs.jsonl")
    model = ctx.base_model(cfg["model"])
    responses = run_icl(
        model,
        claim,
        docs,
        ks=cfg["ks"],
        seeds=cfg["seeds"],
        probes=cfg["probes"],
        samples=cfg["samples"],
        max_new_tokens=cfg["max_new_tokens"],
        judges=cfg["judges"],
        judge_options=(
            {"llm": {"model": _chat_model_from_spec(ctx, cfg.get("judge_model") or cfg["model"])}}
            if "llm" in cfg["judges"]
            else None
        ),
    )
    atomic_write_jsonl(out / "responses.jsonl", (r.model_dump() for r in responses))
    by_k: dict[str, list[Response]] = {}
    for r in responses:
        by_k.setdefault(r.run, []).append(r)
    atomic_write_json(
        out / "summary.json", {"targets": [{"run": k, **summarise(v)} for k, v in sorted(by_k.items())]}
    )
    return {"responses": len(responses)}


def _chat_model_from_spec(ctx: StageContext, spec: str):
    if spec.startswith(("http://", "https://")):
        from negneg.models.openai_http import OpenAIChatModel

        base, _, name = spec.partition("#")
        return OpenAIChatModel(base_url=base, model=name or "default", cache_dir=ctx.cache("http"))
    return ctx.base_model(spec)


EXECUTORS: dict[str, Callable[[StageContext, Stage, Path], dict[str, Any] | None]] = {
    "corpus": _corpus,
    "annotate": _annotate,
    "distill": _distill,
    "mix": _mix,
    "train": _train,
    "eval": _eval,
    "icl": _icl,
    "behaviour_data": _behaviour_data,
    "behaviour_eval": _behaviour_eval,
}
