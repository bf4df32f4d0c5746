"""A disk cache in front of any ChatModel: one entry per (model, conversation, sampling).

Generation with a real model is the slow, expensive part of a corpus; caching every call makes a
killed run resumable (finished calls are read back, only missing ones are sent) and a repeated
run free. The key is the sha256 of the model name, the conversation and the sampling settings,
so changing any of them (a prompt edit, another seed) is a cache miss, never a stale hit.
Entries are kept by :class:`negneg.io.JsonCache` (atomic writes; a corrupt entry is a miss).
"""

from __future__ import annotations

from pathlib import Path

from negneg.io import JsonCache
from negneg.models.chat import ChatModel, Conversation, SamplingParams, loglikelihood_many


def cache_key(model_name: str, conversation: Conversation, sampling: SamplingParams) -> str:
    return JsonCache.key(
        {"model": model_name, "prompt": conversation, "sampling": sampling.model_dump(mode="json")}
    )


class CachedChatModel(ChatModel):
    """Wraps a ChatModel; ``generate`` answers from ``cache_dir`` where it can.

    ``hits`` and ``misses`` count conversations served from disk and sent to the model.
    ``loglikelihood`` is passed through uncached.
    """

    def __init__(self, model, cache_dir: str | Path):
        from negneg.models.chat import cache_id

        self.model = model
        self.name = model.name
        self.cache_id = cache_id(model)  # keys: a model dir retrained in place is a new model
        self.cache_dir = Path(cache_dir)
        self.store = JsonCache(self.cache_dir)
        self.hits = 0
        self.misses = 0

    def _read(self, key: str, n: int) -> list[str] | None:
        data = self.store.get(key)  # a damaged entry is a miss, and is regenerated
        outputs = data.get("outputs") if isinstance(data, dict) else None
        if isinstance(outputs, list) and len(outputs) == n and all(isinstance(o, str) for o in outputs):
            return outputs
        return None

    def generate(self, conversations: list[Conversation], sampling: SamplingParams) -> list[list[str]]:
        keys = [cache_key(self.cache_id, c, sampling) for c in conversations]
        results: list[list[str] | None] = [self._read(k, sampling.n) for k in keys]
        todo = [i for i, r in enumerate(results) if r is None]
        self.hits += len(conversations) - len(todo)
        if todo:
            self.misses += len(todo)
            answers = self.model.generate([conversations[i] for i in todo], sampling)
            for i, answer in zip(todo, answers, strict=True):
                results[i] = list(answer)
                self.store.put(
                    keys[i],
                    {
                        "model": self.name,
                        "sampling": sampling.model_dump(mode="json"),
                        "prompt": conversations[i],
                        "outputs": list(answer),
                    },
                )
        return [r for r in results if r is not None]

    def loglikelihood(self, prompt, continuations: list[str]) -> list[float]:
        return self.model.loglikelihood(prompt, continuations)

    def loglikelihood_many(self, requests) -> list[list[float]]:
        return loglikelihood_many(self.model, requests)
