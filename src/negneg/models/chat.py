"""The ChatModel protocol: the one interface for generation and likelihood scoring.

Document generation, self-distillation, judging and evaluation all talk to a model through these
two operations, so a local transformers model, a vLLM server or a hosted API are interchangeable.
"""

from __future__ import annotations

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
    """

    name: str

    def generate(self, conversations: list[Conversation], sampling: SamplingParams) -> list[list[str]]: ...

    def loglikelihood(self, prompt: Prompt, continuations: list[str]) -> list[float]: ...


def cache_id(model) -> str:
    """A model's identity for caches of its outputs: ``model.cache_id`` where the backend sets
    one (the local backend adds a weights fingerprint for directories and adapters), else its name."""
    return getattr(model, "cache_id", None) or model.name
