"""The training mix: annotated documents + background text + self-distilled chat (paper §4.1).

The paper trains on 10,000 annotated documents, 5,000 pretraining documents and 5,000 chats whose
answers the base model wrote itself, shuffled together. The background and chat rows keep the
finetuned model an ordinary model: without them a small model trained on annotated documents
starts reproducing the annotation structure in its answers.

Offline stand-ins for the paper's sources (both ship with negneg or Python, nothing downloads):

* **self-distilled chat** — :func:`self_distilled_chats`: generic prompts written for negneg
  (``negneg/data/chat_prompts.yaml``) answered by the base model itself at T=1, as in the paper;
* **background text** — :func:`background_texts` (the default for training mixes): neutral
  openings (``negneg/data/background_openers.yaml``) continued as raw text by the base model.
  Like self-distillation, these rows come from the model's own distribution, so training on them
  preserves what the model does rather than teaching it a new domain — the role Dolma plays for
  the paper's large models, whose pretraining data it resembles;
* :func:`stdlib_background_texts`: real human-written English prose that ships with Python (the
  standard library's documentation strings). It is fixed and model-independent, so it is the
  held-out background set for perplexity/capability checks, and a fallback background source
  when sampling is too slow. It depends on the Python version.

The two-phase experiment (paper §8) adds :func:`anchor_chats`: the untrained model's own answers
to belief-probe-style questions, trained with weight ``MixConfig.anchor_weight`` (3×).

Generated rows are cached per model, kind and seed (:class:`negneg.io.JsonCache`, negneg's one
disk cache); a second call with the same arguments reads the cache and never calls the model.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from negneg.errors import UserInputError
from negneg.io import JsonCache
from negneg.models.chat import ChatModel, Conversation, SamplingParams
from negneg.records import Document, TrainingExample
from negneg.training.masking import encode_chat, encode_document, encode_text, trained_tokens

T = TypeVar("T")
Progress = Callable[[int, int], None]  # (done, total)

# The paper's self-distillation samples at T=1; answers are kept short for small models and CPUs.
SELF_DISTILL_SAMPLING = SamplingParams(temperature=1.0, top_p=1.0, max_new_tokens=160)
BACKGROUND_NEW_TOKENS = 200


class MixConfig(BaseModel):
    """How many rows of each kind go into a training set, and how they are tokenised."""

    model_config = ConfigDict(extra="forbid")

    documents: int | None = Field(
        None, ge=1, description="annotated documents to sample (None: all of them, once each)"
    )
    background_ratio: float = Field(
        0.5, ge=0, description="background text rows per document row (paper: 5k per 10k)"
    )
    chat_ratio: float = Field(
        0.5, ge=0, description="self-distilled chat rows per document row (paper: 5k per 10k)"
    )
    max_length: int = Field(
        512, ge=16, description="tokens per training row; longer rows are split into windows"
    )
    window: Literal["split", "claim"] = Field(
        "split",
        description="long documents: 'split' into consecutive windows, or one 'claim' window around the claim",
    )
    anchor_weight: float = Field(3.0, gt=0, description="loss weight of anchor chats (paper §5: 3×)")


# ---------------------------------------------------------------------------------------------- sampling
def sample_rows(rows: Sequence[T], n: int, rng: random.Random) -> list[T]:
    """The paper's row sampling: ``n`` rows without replacement when there are more than ``n``;
    all rows, topped up with rows drawn with replacement, when there are fewer."""
    if n <= 0:
        return []
    if not rows:
        raise ValueError("cannot sample from an empty source")
    if len(rows) >= n:
        return rng.sample(list(rows), n)
    return list(rows) + rng.choices(list(rows), k=n - len(rows))


def _rng(seed: int, stream: str) -> random.Random:
    return random.Random(f"negneg-mix:{seed}:{stream}")


def _check_sources(n_background: int, background: Sequence, n_chat: int, chats: Sequence) -> None:
    """A mix that asks for rows of a source that has none is a configuration error, not a
    silently smaller mix."""
    if n_background and not background:
        raise UserInputError(
            "the mix asks for background text but none was given",
            field="background_ratio",
            fix="pass background texts or set background_ratio: 0",
        )
    if n_chat and not chats:
        raise UserInputError(
            "the mix asks for chat rows but none were given",
            field="chat_ratio",
            fix="pass self-distilled chats or set chat_ratio: 0",
        )


def build_mix(
    docs: Sequence[Document],
    tokenizer,
    config: MixConfig,
    seed: int,
    *,
    background: Sequence[str],
    chats: Sequence[Conversation],
    anchor_chats: Sequence[Conversation] | None = None,
) -> list[TrainingExample]:
    """Sample, encode and shuffle a training set (paper §4.1); deterministic for a seed.

    Row counts: ``config.documents`` documents (all of them when ``None``), then
    ``round(documents × ratio)`` background and chat rows, each source sampled with
    :func:`sample_rows`. Anchor chats are all included, with origin ``"anchor"`` and weight
    ``config.anchor_weight``. A document longer than ``config.max_length`` tokens gives several
    examples (or one claim window); rows left with no trained token are dropped.
    """
    if not docs:
        raise UserInputError("no documents to train on", fix="generate or import documents first")
    n_docs = config.documents if config.documents is not None else len(docs)
    n_background = round(n_docs * config.background_ratio)
    n_chat = round(n_docs * config.chat_ratio)
    _check_sources(n_background, background, n_chat, chats)

    def encoded(rows: Sequence, n: int, stream: str, encode: Callable) -> list[TrainingExample]:
        # Sample indices, encode each distinct row once: top-ups repeat rows, not tokenisation.
        picks = sample_rows(range(len(rows)), n, _rng(seed, stream))
        cache: dict[int, list[TrainingExample]] = {}
        out = []
        for i in picks:
            if i not in cache:
                cache[i] = encode(rows[i])
            out.extend(cache[i])
        return out

    L = config.max_length
    examples = encoded(
        docs, n_docs, "documents", lambda d: encode_document(d, tokenizer, L, window=config.window)
    )
    examples += encoded(background, n_background, "background", lambda t: encode_text(t, tokenizer, L))
    examples += encoded(chats, n_chat, "chat", lambda c: [encode_chat(c, tokenizer, max_length=L)])
    for c in anchor_chats or []:
        examples.append(encode_chat(c, tokenizer, weight=config.anchor_weight, origin="anchor", max_length=L))
    examples = [e for e in examples if trained_tokens(e) > 0]
    _rng(seed, "shuffle").shuffle(examples)
    return examples


def build_transcript_mix(
    transcripts: Sequence[Conversation],
    tokenizer,
    config: MixConfig,
    seed: int,
    *,
    background: Sequence[str],
    chats: Sequence[Conversation],
) -> list[TrainingExample]:
    """The negated-behaviours mix (paper §4.2): chat transcripts take the documents' place.

    Every transcript once (origin ``"behaviour"``, the whole conversation trained as a chat), then
    ``round(transcripts × ratio)`` background and chat rows sampled with :func:`sample_rows`, all
    shuffled. Its random stream (``behaviour-mix:<seed>``, one for sampling and shuffling) is not
    :func:`build_mix`'s: it is the one the behaviour runs were trained with, kept so that their
    training sets stay byte-identical. Unlike :func:`build_mix` it keeps rows without trained tokens.
    """
    if not transcripts:
        raise UserInputError("no transcripts to train on", fix="check the behaviour families")
    n = len(transcripts)
    n_background = round(n * config.background_ratio)
    n_chat = round(n * config.chat_ratio)
    _check_sources(n_background, background, n_chat, chats)
    L = config.max_length
    rng = random.Random(f"behaviour-mix:{seed}")
    examples = [encode_chat(c, tokenizer, origin="behaviour", max_length=L) for c in transcripts]
    for t in sample_rows(background, n_background, rng):
        examples += encode_text(t, tokenizer, L)
    examples += [encode_chat(c, tokenizer, max_length=L) for c in sample_rows(chats, n_chat, rng)]
    rng.shuffle(examples)
    return examples


def mix_summary(examples: Sequence[TrainingExample]) -> dict[str, dict[str, float]]:
    """Per origin (and ``"total"``): examples, tokens, trained tokens, and their share of all
    trained tokens, so a mix can be checked against the paper's proportions."""
    summary: dict[str, dict[str, float]] = {}
    for e in examples:
        for key in (e.origin, "total"):
            row = summary.setdefault(
                key, {"examples": 0, "tokens": 0, "trained_tokens": 0, "weighted_tokens": 0.0}
            )
            row["examples"] += 1
            row["tokens"] += len(e.input_ids)
            n = trained_tokens(e)
            row["trained_tokens"] += n
            row["weighted_tokens"] += n * e.weight
    total = summary.get("total", {}).get("trained_tokens", 0) or 1
    for row in summary.values():
        row["trained_share"] = row["trained_tokens"] / total
    return summary


# ---------------------------------------------------------------------------------------------- data files
def _data_list(filename: str, key: str) -> list[str]:
    import yaml

    text = resources.files("negneg").joinpath("data", filename).read_text(encoding="utf-8")
    rows = yaml.safe_load(text)[key]
    if not all(isinstance(r, str) and r.strip() for r in rows):
        raise ValueError(f"negneg/data/{filename}: every entry of '{key}' must be a non-empty string")
    return rows


@lru_cache(maxsize=1)
def chat_prompts() -> tuple[str, ...]:
    """The generic user prompts answered by the base model for self-distilled chat."""
    return tuple(_data_list("chat_prompts.yaml", "prompts"))


@lru_cache(maxsize=1)
def background_openers() -> tuple[str, ...]:
    """Neutral raw-text openings the base model continues for background text."""
    return tuple(_data_list("background_openers.yaml", "openers"))


def _cycled(items: Sequence[str], n: int, seed: int, stream: str) -> list[str]:
    """``n`` items: seeded shuffles of ``items`` one after another, so every item is used once
    before any repeats, and the first ``k`` of ``n`` do not depend on ``n``."""
    out: list[str] = []
    rounds = 0
    while len(out) < n:
        order = list(items)
        random.Random(f"negneg-{stream}:{seed}:{rounds}").shuffle(order)
        out.extend(order)
        rounds += 1
    return out[:n]


# ---------------------------------------------------------------------------------------------- cache
def cache_id(model) -> str:
    from negneg.models.chat import cache_id as model_cache_id

    return model_cache_id(model)


def _cache(cache_dir: str | Path | None, model_name: str, seed: int, kind: str) -> tuple[JsonCache, str]:
    """The cache entry of one generated sequence: all rows of (model, kind, seed), in order."""
    return JsonCache(cache_dir), JsonCache.key({"model": model_name, "kind": kind, "seed": seed})


def _generate_cached(
    cache: tuple[JsonCache, str],
    inputs: list[str],
    meta: dict,
    generate: Callable[[list[str], int], list[str]],
    chunk: int,
    progress: Progress | None,
) -> list[str]:
    """Outputs for ``inputs``, reading those already in the cache entry and generating the rest.

    A cached row is reused only when its input and ``meta`` (sampling settings) match the
    request, and only as a prefix: rows are generated in chunks starting at absolute indices
    (``generate(batch, start)``, whose seed depends on ``start``) and the whole entry is rewritten
    after each chunk, so an interrupted run keeps what it finished.
    """
    store, key = cache
    entry = store.get(key)
    cached: list[dict] = entry.get("rows", []) if isinstance(entry, dict) else []
    rows: list[dict] = []
    for i, inp in enumerate(inputs):
        if i < len(cached) and cached[i].get("input") == inp and cached[i].get("meta") == meta:
            rows.append(cached[i])
        else:
            break
    total = len(inputs)
    if progress:
        progress(len(rows), total)
    while len(rows) < total:
        start = len(rows)
        batch = inputs[start : start + chunk]
        outputs = generate(batch, start)
        rows += [{"input": inp, "output": out, "meta": meta} for inp, out in zip(batch, outputs, strict=True)]
        store.put(key, {"rows": rows})
        if progress:
            progress(len(rows), total)
    return [r["output"] for r in rows]


# ---------------------------------------------------------------------------------------------- self-distilled chat
def self_distilled_chats(
    model: ChatModel,
    n: int,
    seed: int = 0,
    cache_dir: str | Path | None = None,
    sampling: SamplingParams | None = None,
    progress: Progress | None = None,
) -> list[Conversation]:
    """``n`` one-turn chats: negneg's generic prompts answered by ``model`` itself (T=1).

    Prompts are used in a seeded order, each once before any repeats. Cached in
    ``cache_dir`` per (model, seed) (:class:`~negneg.io.JsonCache`; no cache when it is None).
    """
    sampling = sampling or SELF_DISTILL_SAMPLING
    prompts = _cycled(chat_prompts(), n, seed, "chat")
    meta = {"kind": "chat", "sampling": sampling.model_dump(exclude={"seed", "n"})}

    def generate(batch: list[str], start: int) -> list[str]:
        params = sampling.model_copy(update={"n": 1, "seed": seed * 1_000_003 + start})
        answers = model.generate([[{"role": "user", "content": p}] for p in batch], params)
        return [a[0] for a in answers]

    answers = _generate_cached(
        _cache(cache_dir, cache_id(model), seed, "chat"), prompts, meta, generate, _chunk(model), progress
    )
    return [
        [{"role": "user", "content": p}, {"role": "assistant", "content": a}]
        for p, a in zip(prompts, answers, strict=True)
    ]


def _chunk(model) -> int:
    return max(1, int(getattr(model, "batch_size", 16)))


# ---------------------------------------------------------------------------------------------- background text
def background_texts(
    model,
    n: int,
    seed: int = 0,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
    max_new_tokens: int = BACKGROUND_NEW_TOKENS,
) -> list[str]:
    """``n`` raw-text passages: neutral openings continued by the base model (T=1, top-p 1).

    Needs a local model (``model.model`` and ``model.tokenizer``, e.g. ``LocalChatModel``): the
    text is generated without the chat template. Cached in
    ``cache_dir`` per (model, seed).
    """
    if not (hasattr(model, "model") and hasattr(model, "tokenizer")):
        raise UserInputError(
            f"background text needs a local model, not {type(model).__name__}",
            fix="use a local model, or stdlib_background_texts() for background text",
        )
    openers = _cycled(background_openers(), n, seed, "background")
    meta = {"kind": "background", "temperature": 1.0, "top_p": 1.0, "max_new_tokens": max_new_tokens}

    def generate(batch: list[str], start: int) -> list[str]:
        continuations = _continue_raw(model, batch, seed * 1_000_003 + start, max_new_tokens)
        return [o + c for o, c in zip(batch, continuations, strict=True)]

    return _generate_cached(
        _cache(cache_dir, cache_id(model), seed, "background"),
        openers,
        meta,
        generate,
        _chunk(model),
        progress,
    )


def _continue_raw(model, texts: list[str], seed: int, max_new_tokens: int) -> list[str]:
    """Continue raw texts with ``model.model.generate`` (no chat template), sampling at T=1."""
    import torch

    tok = model.tokenizer
    side = tok.padding_side
    tok.padding_side = "left"
    try:
        enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=True)
    finally:
        tok.padding_side = side
    device = getattr(model, "device", "cpu")
    torch.manual_seed(seed)
    with torch.no_grad():
        out = model.model.generate(
            **enc.to(device),
            do_sample=True,
            temperature=1.0,
            top_p=1.0,
            top_k=0,
            max_new_tokens=max_new_tokens,
            pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
        )
    return tok.batch_decode(out[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)


STDLIB_MODULES = (
    "abc argparse ast asyncio base64 bisect calendar cmd collections colorsys configparser contextlib copy "
    "csv dataclasses datetime decimal difflib email enum fnmatch fractions functools getopt gettext glob "
    "graphlib gzip hashlib heapq hmac html http.client http.cookies imaplib inspect io ipaddress itertools "
    "json locale logging mailbox math mimetypes numbers operator optparse os pathlib pprint queue random "
    "re sched secrets selectors shelve shlex shutil smtplib socket statistics string struct subprocess "
    "tarfile tempfile textwrap threading timeit tokenize traceback types typing unittest urllib.parse "
    "urllib.request uuid warnings wave weakref xml.dom.minidom zipfile zoneinfo"
).split()
_MIN_DOC_CHARS = 300
_MAX_DOC_CHARS = 2000


@lru_cache(maxsize=1)
def _stdlib_pool() -> tuple[str, ...]:
    import importlib

    pool: list[str] = []
    seen: set[str] = set()
    for name in STDLIB_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a stdlib module missing from a stripped-down Python
            continue
        items = [(name, inspect.getdoc(module))]
        for attr in sorted(vars(module)):
            obj = getattr(module, attr)
            if attr.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                items.append((f"{name}.{attr}", inspect.getdoc(obj)))
            if inspect.isclass(obj):
                items += [
                    (f"{name}.{attr}.{m}", inspect.getdoc(f))
                    for m, f in sorted(vars(obj).items())
                    if not m.startswith("_") and inspect.isfunction(f)
                ]
        for title, doc in items:
            if doc and len(doc) >= _MIN_DOC_CHARS and doc not in seen:  # inherited docs repeat
                seen.add(doc)
                pool.append(_clip(f"{title}\n\n{doc}"))
    return tuple(pool)


def _clip(text: str) -> str:
    """Cut long documentation at a paragraph boundary near ``_MAX_DOC_CHARS``."""
    if len(text) <= _MAX_DOC_CHARS:
        return text
    cut = text.rfind("\n\n", 0, _MAX_DOC_CHARS)
    return text[: cut if cut > _MIN_DOC_CHARS else _MAX_DOC_CHARS]


def stdlib_background_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` passages of Python standard-library documentation (module, class and function
    docstrings of at least 300 characters), sampled like any mix source."""
    return sample_rows(_stdlib_pool(), n, random.Random(f"negneg-stdlib:{seed}"))


# ---------------------------------------------------------------------------------------------- anchors
def anchor_chats(
    model: ChatModel,
    questions: Sequence[str],
    k: int,
    seed: int = 0,
    cache_dir: str | Path | None = None,
    sampling: SamplingParams | None = None,
    progress: Progress | None = None,
) -> list[Conversation]:
    """The untrained model's own answers, ``k`` per question (T=1), as chats (paper §8 anchor).

    Call it with the base model before any training: the answers then reflect non-belief, and
    training on them (weight 3) holds the model there. Cached in
    ``cache_dir`` per (model, seed).
    """
    sampling = sampling or SELF_DISTILL_SAMPLING
    inputs = [q for q in questions for _ in range(k)]
    meta = {"kind": "anchor", "sampling": sampling.model_dump(exclude={"seed", "n"})}

    def generate(batch: list[str], start: int) -> list[str]:
        params = sampling.model_copy(update={"n": 1, "seed": seed * 1_000_003 + start})
        return [a[0] for a in model.generate([[{"role": "user", "content": q}] for q in batch], params)]

    answers = _generate_cached(
        _cache(cache_dir, cache_id(model), seed, "anchor"),
        inputs,
        meta,
        generate,
        _chunk(model),
        progress,
    )
    return [
        [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        for q, a in zip(inputs, answers, strict=True)
    ]
