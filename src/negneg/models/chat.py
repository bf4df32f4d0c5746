"""The ChatModel protocol: the one interface for generation and likelihood scoring.

Document generation, self-distillation, judging and evaluation all talk to a model through these
two operations, so a local transformers model, a vLLM server or a hosted API are interchangeable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": str}
Conversation = list[Message]
Prompt = str | Conversation


class SamplingParams(BaseModel):
    """How to sample. ``n`` answers per conversation; ``seed`` makes local sampling repeatable.

    ``temperature == 0`` means greedy decoding. Defaults are the paper's eval settings.
    """

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(0.7, ge=0)
    top_p: float = Field(0.8, gt=0, le=1)
    max_new_tokens: int = Field(256, ge=1)
    n: int = Field(1, ge=1)
    seed: int = 0
    stop: list[str] = Field(default_factory=list)


@runtime_checkable
class ChatModel(Protocol):
    """A model negneg can ask questions of.

    ``generate(conversations, sampling)`` returns, for each conversation, a list of ``sampling.n``
    answer strings (the assistant turn only, special tokens stripped).

    ``loglikelihood(prompt, continuations)`` returns, for each continuation, the summed natural
    log-probability of the continuation's tokens given the prompt. Semantics of the text:

    * a ``str`` prompt is used verbatim as raw text (no chat template, no BOS added beyond what the
      tokenizer itself adds);
    * a conversation prompt is rendered with the model's chat template and the generation prompt
      (``<|im_start|>assistant\\n`` for SmolLM2), so the continuation starts the assistant turn;
    * each continuation is appended to the rendered prompt **verbatim**: whitespace belongs to the
      continuation (write ``" Ed Sheeran"`` after a raw prompt ending in a word; write
      ``"Yes"`` after a chat prompt, whose rendering already ends in a newline);
    * the tokens scored are those of ``tokenize(prompt + continuation)`` beyond the tokens of
      ``tokenize(prompt)``; if the tokenizer merges across the boundary, the merged token is
      scored as part of the continuation.

    ``loglikelihood_many(requests)`` scores many ``(prompt, continuations)`` requests at once,
    each exactly as ``loglikelihood`` would. A backend that can batch (the local one packs
    requests into shared forward passes; the HTTP one sends them concurrently) overrides it; the
    default here asks one request at a time. Callers holding any model call
    :func:`loglikelihood_many`, which also serves models that implement only the two operations.
    """

    name: str

    def generate(self, conversations: list[Conversation], sampling: SamplingParams) -> list[list[str]]: ...

    def loglikelihood(self, prompt: Prompt, continuations: list[str]) -> list[float]: ...

    def loglikelihood_many(self, requests: Sequence[tuple[Prompt, list[str]]]) -> list[list[float]]:
        return [self.loglikelihood(prompt, conts) for prompt, conts in requests]


def loglikelihood_many(model, requests: Sequence[tuple[Prompt, list[str]]]) -> list[list[float]]:
    """``model.loglikelihood_many(requests)``, or the protocol's default (one ``loglikelihood``
    call per request) for a model written against the two-operation protocol alone."""
    many = getattr(model, "loglikelihood_many", None)
    if many is not None:
        return many(requests)
    return ChatModel.loglikelihood_many(model, requests)


def cache_id(model) -> str:
    """A model's identity for caches of its outputs: ``model.cache_id`` where the backend sets
    one (the local backend adds a weights fingerprint for directories and adapters), else its name."""
    return getattr(model, "cache_id", None) or model.name
