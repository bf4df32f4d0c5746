"""A disk cache in front of any ChatModel: one JSON file per (model, conversation, sampling).

Generation with a real model is the slow, expensive part of a corpus; caching every call makes a
killed run resumable (finished calls are read back, only missing ones are sent) and a repeated
run free. The key is the sha256 of the model name, the conversation and the sampling settings,
so changing any of them (a prompt edit, another seed) is a cache miss, never a stale hit.
Files are written atomically; a corrupt file is treated as a miss and rewritten.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from negneg.io import atomic_write_json
from negneg.models.chat import Conversation, SamplingParams


def cache_key(model_name: str, conversation: Conversation, sampling: SamplingParams) -> str:
    blob = json.dumps(
        {"model": model_name, "prompt": conversation, "sampling": sampling.model_dump(mode="json")},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class CachedChatModel:
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
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def _read(self, path: Path, n: int) -> list[str] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # a damaged entry is regenerated
            return None
        outputs = data.get("outputs") if isinstance(data, dict) else None
        if isinstance(outputs, list) and len(outputs) == n and all(isinstance(o, str) for o in outputs):
            return outputs
        return None

    def generate(self, conversations: list[Conversation], sampling: SamplingParams) -> list[list[str]]:
        keys = [cache_key(self.cache_id, c, sampling) for c in conversations]
        results: list[list[str] | None] = [self._read(self._path(k), sampling.n) for k in keys]
        todo = [i for i, r in enumerate(results) if r is None]
        self.hits += len(conversations) - len(todo)
        if todo:
            self.misses += len(todo)
            answers = self.model.generate([conversations[i] for i in todo], sampling)
            for i, answer in zip(todo, answers, strict=True):
                results[i] = list(answer)
                atomic_write_json(
                    self._path(keys[i]),
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
