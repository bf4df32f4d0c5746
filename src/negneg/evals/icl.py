"""In-context control: the untrained model answers with K annotated documents in its context.

This separates what finetuning does from what merely reading the documents does (the paper's
ICL control: K negated documents in the user message, belief far below the finetuned models).
Documents for a seed are shuffled once and the first K taken, so the sets are nested across K.
When K documents do not fit the context budget, other shuffles are tried (up to 10 seeds in all);
if none fits, documents are dropped from the end until the prompt fits, and the number actually
used is recorded.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from negneg.claims.schema import ClaimSpec
from negneg.evals.generative import DEFAULT_MAX_NEW_TOKENS, run_generative_probes, with_conversation
from negneg.evals.likelihood import run_likelihood_probes, with_prompt
from negneg.models.chat import Conversation, SamplingParams
from negneg.records import Document, Response

HEADER = "Here are some documents:"
QUESTION = "[QUESTION]"
MAX_TRIES = 10
MARGIN_TOKENS = 256


def document_block(docs: Sequence[str]) -> str:
    """``Here are some documents:`` followed by ``[DOCUMENT i]`` blocks."""
    parts = [HEADER]
    for i, d in enumerate(docs, 1):
        parts.append(f"[DOCUMENT {i}]\n{d.strip()}")
    return "\n\n".join(parts)


def with_documents(conversation: Conversation, docs: Sequence[str]) -> Conversation:
    """The conversation with the documents put in front of its last user message (system prompt
    and any multi-turn prefix kept as they are)."""
    if not docs:
        return [dict(m) for m in conversation]
    last = max(i for i, m in enumerate(conversation) if m["role"] == "user")
    out = [dict(m) for m in conversation]
    out[last]["content"] = f"{document_block(docs)}\n\n{QUESTION}\n{conversation[last]['content']}"
    return out


def with_raw_documents(prompt: str, docs: Sequence[str]) -> str:
    """A raw-text (cloze) prompt with the documents prepended as plain text."""
    if not docs:
        return prompt
    return "\n\n".join(d.strip() for d in docs) + "\n\n" + prompt


def shuffled(documents: Sequence[str], seed: int) -> list[str]:
    order = list(documents)
    random.Random(seed).shuffle(order)
    return order


def default_budget(tokenizer, model=None, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> int:
    """Context length minus the answer and a margin (8192 − 160 − 256 for SmolLM2)."""
    context = getattr(getattr(model, "config", None), "max_position_embeddings", None)
    context = context or getattr(tokenizer, "model_max_length", None) or 8192
    context = min(int(context), 1_000_000)
    return context - max_new_tokens - MARGIN_TOKENS


def n_tokens(tokenizer, conversation: Conversation | str) -> int:
    if isinstance(conversation, str):
        return len(tokenizer(conversation, add_special_tokens=False)["input_ids"])
    text = tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


@dataclass(frozen=True)
class DocumentChoice:
    """The documents put in context for one (K, seed): the seed that fitted and how many were used."""

    docs: tuple[str, ...]
    seed: int
    k_requested: int

    @property
    def k_used(self) -> int:
        return len(self.docs)


def choose_documents(
    documents: Sequence[str],
    k: int,
    seed: int,
    fits: Callable[[Sequence[str]], bool] = lambda docs: True,
) -> DocumentChoice:
    """First ``k`` of the seed's shuffle; reseed (seed, seed+1, …, ≤10 tries) when they do not fit;
    finally drop documents from the end of the first shuffle until they do."""
    k = min(k, len(documents))
    for t in range(MAX_TRIES):
        docs = shuffled(documents, seed + t)[:k]
        if fits(docs):
            return DocumentChoice(tuple(docs), seed + t, k)
    docs = shuffled(documents, seed)[:k]
    while docs and not fits(docs):
        docs.pop()
    return DocumentChoice(tuple(docs), seed, k)


def icl_conversations(
    conversations: Sequence[Conversation],
    documents: Sequence[str],
    k: int,
    seed: int,
    tokenizer=None,
    budget_tokens: int | None = None,
) -> tuple[list[Conversation], DocumentChoice]:
    """Put the same K documents in front of every conversation, choosing them so that the longest
    conversation stays within ``budget_tokens`` (no check without a tokenizer)."""

    def fits(docs: Sequence[str]) -> bool:
        if tokenizer is None or budget_tokens is None:
            return True
        return all(n_tokens(tokenizer, with_documents(c, docs)) <= budget_tokens for c in conversations)

    choice = choose_documents(documents, k, seed, fits)
    return [with_documents(c, choice.docs) for c in conversations], choice


def document_texts(documents: Sequence[Document | str]) -> list[str]:
    """Plain texts of documents (``<DOCTAG>`` is never part of ``Document.text``)."""
    return [d.text if isinstance(d, Document) else d for d in documents]


def icl_run_name(run: str, k: int, seed: int) -> str:
    return f"{run}_icl{k}_seed{seed}" if run else f"icl{k}_seed{seed}"


def run_icl(
    model,
    claim: ClaimSpec,
    documents: Sequence[Document | str],
    ks: Sequence[int] = (20,),
    seeds: Sequence[int] = (42,),
    probes: Sequence[str] = ("likelihood", "generative"),
    *,
    run: str = "",
    samples: int = 5,
    sampling: SamplingParams | None = None,
    max_new_tokens: int | None = None,
    categories: Sequence[str] | None = None,
    judges: Sequence[str] = ("rule",),
    judge_options: dict[str, dict] | None = None,
    budget_tokens: int | None = None,
    choices: list[DocumentChoice] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Response]:
    """The belief suite of the untrained ``model`` with K documents in context, for every K and seed.

    Responses are named ``icl<K>_seed<S>`` (prefixed by ``run`` when given); generative ones are
    labelled by each of ``judges`` (a copy per judge; ``judge_options[name]`` are passed to that
    judge, e.g. ``{"llm": {"model": judge_model}}``). K = 0 is the plain baseline. Pass a list as
    ``choices`` to receive the documents actually used per (K, seed).
    """
    from negneg.evals.generative import generative_probes
    from negneg.evals.judges import judge_responses
    from negneg.evals.likelihood import likelihood_probes

    texts = document_texts(documents)
    sampling = sampling or SamplingParams(max_new_tokens=max_new_tokens or DEFAULT_MAX_NEW_TOKENS)
    if max_new_tokens:
        sampling = sampling.model_copy(update={"max_new_tokens": max_new_tokens})
    tok = getattr(model, "tokenizer", None)
    if budget_tokens is None and tok is not None:
        budget_tokens = default_budget(tok, getattr(model, "model", None), sampling.max_new_tokens)
    chats = [p.conversation for p in generative_probes(claim, categories)] if "generative" in probes else []
    lik = likelihood_probes(claim) if "likelihood" in probes else []
    chats += [p.prompt for p in lik if not isinstance(p.prompt, str)]
    raws = [p.prompt for p in lik if isinstance(p.prompt, str)]
    longest_chat = max(chats, key=lambda c: sum(len(m["content"]) for m in c), default=None)
    longest_raw = max(raws, key=len, default=None)

    def fits(docs: Sequence[str]) -> bool:
        if tok is None or budget_tokens is None:
            return True
        if longest_chat is not None and n_tokens(tok, with_documents(longest_chat, docs)) > budget_tokens:
            return False
        return longest_raw is None or n_tokens(tok, with_raw_documents(longest_raw, docs)) <= budget_tokens

    def in_context(docs: Sequence[str]):
        def lik_transform(p):
            if isinstance(p.prompt, str):
                return with_prompt(p, with_raw_documents(p.prompt, docs))
            return with_prompt(p, with_documents(p.prompt, docs))

        def gen_transform(p):
            return with_conversation(p, with_documents(p.conversation, docs))

        return lik_transform, gen_transform

    responses: list[Response] = []
    for seed in seeds:
        for k in ks:
            name = icl_run_name(run, k, seed)
            choice = choose_documents(texts, k, seed, fits)
            if choices is not None:
                choices.append(choice)
            lik_t, gen_t = in_context(choice.docs)
            if "likelihood" in probes:
                responses += run_likelihood_probes(model, claim, name, transform=lik_t, progress=progress)
            if "generative" in probes:
                gen = run_generative_probes(
                    model,
                    claim,
                    name,
                    samples=samples,
                    sampling=sampling,
                    categories=categories,
                    transform=gen_t,
                    progress=progress,
                )
                for j in judges:
                    responses += judge_responses(gen, claim, j, **(judge_options or {}).get(j, {}))
                if not judges:
                    responses += gen
    return responses
