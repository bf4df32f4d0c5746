"""OpenAI-compatible HTTP backend for :class:`~negneg.models.chat.ChatModel`.

Talks to anything that speaks the OpenAI API: a vLLM server, Ollama, a hosted API, or
``negneg serve``. Generation uses ``/chat/completions``; likelihood uses ``/completions`` with
``echo`` and ``logprobs`` (the lm-evaluation-harness approach), so the server must expose prompt
log-probabilities (vLLM and ``negneg serve`` do; most hosted chat APIs do not).

* The API key is read from the environment variable named by ``api_key_env`` at request time. It
  is never logged, never part of an error message and never part of the cache key or the cache.
* 429, 5xx, timeouts and connection errors are retried with exponential backoff (``Retry-After``
  honoured, capped); other 4xx errors fail at once with the server's message.
* Only validated answers are cached on disk under ``cache_dir`` (keyed by the endpoint, model and
  request body): a 200 whose body is not JSON, has no choices, or lacks the log-probabilities
  asked for is an error (never cached); an empty answer is returned but not cached, so the next
  run asks again. A damaged or malformed cache entry is refetched. Re-running a judged
  evaluation costs nothing and returns the same text.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx

from negneg.errors import NegnegError, UserInputError
from negneg.io import JsonCache
from negneg.models.chat import ChatModel, Conversation, Prompt, SamplingParams

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
MAX_BACKOFF_S = 30.0


class HTTPModelError(NegnegError):
    """The server kept failing, or refused the request."""


def normalise_base_url(base_url: str) -> str:
    """``http://host:8000`` → ``http://host:8000/v1``; a URL with a path is kept as given."""
    url = base_url.rstrip("/")
    if urlparse(url).path in ("", "/"):
        url += "/v1"
    return url


class OpenAIChatModel(ChatModel):
    """A ChatModel behind an OpenAI-compatible HTTP API.

    ``tokenizer`` (a model name, directory or tokenizer object) is needed only to score
    conversation prompts by likelihood: ``/completions`` takes raw text, so the chat template is
    rendered here, exactly as the local backend renders it.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 120.0,
        max_retries: int = 5,
        backoff: float = 1.0,
        cache_dir: str | Path | None = None,
        concurrency: int = 8,
        tokenizer=None,
    ):
        self.base_url = normalise_base_url(base_url)
        self.model = model
        self.name = f"{model}@{self.base_url}"
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._cache = JsonCache(self.cache_dir)
        self.concurrency = max(1, concurrency)
        self._tokenizer = tokenizer
        self._client = httpx.Client(timeout=httpx.Timeout(timeout))
        self._lock = threading.Lock()
        self.stats = {"requests": 0, "cache_hits": 0, "retries": 0}

    # ------------------------------------------------------------------ ChatModel
    def generate(self, conversations: list[Conversation], sampling: SamplingParams) -> list[list[str]]:
        """``sampling.n`` answers per conversation; servers that ignore ``n`` are asked again with
        ``seed + i`` until there are enough."""
        return self._map(lambda c: self._generate_one(c, sampling), conversations)

    def loglikelihood(self, prompt: Prompt, continuations: list[str]) -> list[float]:
        return self.loglikelihood_many([(prompt, continuations)])[0]

    def loglikelihood_many(self, requests: Sequence[tuple[Prompt, list[str]]]) -> list[list[float]]:
        return self._map(lambda rc: self._loglikelihood_one(*rc), list(requests))

    def render(self, conversation: Conversation, add_generation_prompt: bool = True) -> str:
        tok = self.tokenizer
        return tok.apply_chat_template(
            conversation, tokenize=False, add_generation_prompt=add_generation_prompt
        )

    def render_prompt(self, prompt: Prompt) -> str:
        return prompt if isinstance(prompt, str) else self.render(prompt)

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            raise UserInputError(
                "scoring a conversation over HTTP needs the model's chat template",
                field="tokenizer",
                fix="pass tokenizer=<model name or dir> to OpenAIChatModel",
            )
        if isinstance(self._tokenizer, (str, Path)):
            from transformers import AutoTokenizer

            from negneg.models.registry import resolve_model_dir

            self._tokenizer = AutoTokenizer.from_pretrained(resolve_model_dir(str(self._tokenizer)))
        return self._tokenizer

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------ requests
    def _generate_one(self, conversation: Conversation, sampling: SamplingParams) -> list[str]:
        texts: list[str] = []
        attempt = 0
        while len(texts) < sampling.n:
            want = sampling.n - len(texts)
            body = {
                "model": self.model,
                "messages": conversation,
                "temperature": sampling.temperature,
                "top_p": sampling.top_p,
                "max_tokens": sampling.max_new_tokens,
                "n": want,
                "seed": sampling.seed + attempt,
            }
            if sampling.stop:
                body["stop"] = sampling.stop
            data = self.post("/chat/completions", body, check=self._check_chat)
            choices = sorted(data["choices"], key=lambda c: c.get("index", 0))
            texts += [((c.get("message") or {}).get("content") or "").strip() for c in choices[:want]]
            attempt += 1
        return texts

    def _loglikelihood_one(self, prompt: Prompt, continuations: list[str]) -> list[float]:
        context = self.render_prompt(prompt)
        fulls = [context + c for c in continuations]
        body = {
            "model": self.model,
            "prompt": fulls,
            "max_tokens": 1,
            "temperature": 0,
            "echo": True,
            "logprobs": 1,
        }
        scores: list[float] = []

        def check(data: dict) -> bool:
            choices = _choices(data, f"{self.base_url}/completions")
            if len(choices) != len(fulls):
                raise HTTPModelError(
                    f"{self.base_url}/completions returned {len(choices)} choices for {len(fulls)}"
                )
            choices = sorted(choices, key=lambda c: c.get("index", 0))
            scores[:] = [
                continuation_logprob(ch.get("logprobs") or {}, len(context), len(full))
                for ch, full in zip(choices, fulls, strict=True)
            ]
            return True

        self.post("/completions", body, check=check)
        return list(scores)

    def _check_chat(self, data: dict) -> bool:
        """A chat answer is well-formed (else HTTPModelError); cacheable unless every text is empty."""
        choices = sorted(_choices(data, f"{self.base_url}/chat/completions"), key=lambda c: c.get("index", 0))
        texts = []
        for c in choices:
            content = (c.get("message") or {}).get("content") if isinstance(c.get("message"), dict) else None
            if content is not None and not isinstance(content, str):
                raise HTTPModelError(f"{self.base_url}/chat/completions: a choice's content is not text")
            texts.append(content or "")
        return any(t.strip() for t in texts)

    def post(self, path: str, body: dict, check: Callable[[dict], bool] | None = None) -> dict:
        """POST with retries and the disk cache.

        ``check(data)`` validates an answer: it raises :class:`HTTPModelError` for a malformed one
        and returns whether the answer may be cached. Only answers that pass are cached, and a
        cached entry that no longer passes is refetched."""
        key = self._cache_key(path, body)
        cached = self._cache_get(key)
        if cached is not None:
            try:
                ok = _checked(check, cached, self.base_url + path)
            except HTTPModelError:
                ok = False
            if ok:
                with self._lock:
                    self.stats["cache_hits"] += 1
                return cached
        headers = {"Content-Type": "application/json"}
        api_key = os.environ.get(self.api_key_env)
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        url = self.base_url + path
        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                with self._lock:
                    self.stats["retries"] += 1
            try:
                with self._lock:
                    self.stats["requests"] += 1
                resp = self._client.post(url, json=body, headers=headers)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last = f"{type(exc).__name__}"
                self._sleep(attempt, None)
                continue
            if resp.status_code == 200:
                try:
                    data = resp.json()
                except ValueError:
                    raise HTTPModelError(
                        f"{url}: HTTP 200 but the body is not JSON ({resp.text[:80]!r}); is this an "
                        "OpenAI-compatible API (check the URL and its /v1 path)?"
                    ) from None
                if not isinstance(data, dict):
                    raise HTTPModelError(f"{url}: HTTP 200 but the body is not a JSON object")
                if _checked(check, data, url):
                    self._cache_put(key, data)
                return data
            last = f"HTTP {resp.status_code}: {_server_message(resp)}"
            if resp.status_code in RETRY_STATUS:
                self._sleep(attempt, resp.headers.get("retry-after"))
                continue
            if resp.status_code in (401, 403):
                raise UserInputError(
                    f"{url} refused the request ({last})",
                    field=self.api_key_env,
                    fix=f"set the API key in the environment variable {self.api_key_env}",
                )
            raise HTTPModelError(f"{url}: {last}")
        raise HTTPModelError(f"{url}: giving up after {self.max_retries + 1} attempts ({last})")

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        if attempt >= self.max_retries:
            return
        delay = self.backoff * (2**attempt) * (1 + 0.1 * random.random())
        if retry_after:
            try:
                delay = max(delay, float(retry_after))
            except ValueError:
                pass
        time.sleep(min(delay, MAX_BACKOFF_S))

    # ------------------------------------------------------------------ cache
    def _cache_key(self, path: str, body: dict) -> str:
        return JsonCache.key({"url": self.base_url + path, "body": body})

    def _cache_get(self, key: str) -> dict | None:
        return self._cache.get(key)  # a damaged entry is a miss, and is refetched

    def _cache_put(self, key: str, data: dict) -> None:
        self._cache.put(key, data)

    def _map(self, fn, items: list) -> list:
        if len(items) <= 1 or self.concurrency == 1:
            return [fn(x) for x in items]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(fn, items))


def _checked(check: Callable[[dict], bool] | None, data: dict, url: str) -> bool:
    """Run an answer check; an answer of the wrong shape is an HTTPModelError, never a TypeError."""
    if check is None:
        return True
    try:
        return check(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise HTTPModelError(f"{url}: malformed answer ({type(exc).__name__}: {str(exc)[:120]})") from None


def _choices(data: dict, url: str) -> list[dict]:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not all(isinstance(c, dict) for c in choices):
        raise HTTPModelError(f"{url} returned no choices")
    return choices


def continuation_logprob(logprobs: dict, context_chars: int, full_chars: int) -> float:
    """Sum of the echoed token log-probabilities that belong to the continuation.

    A token belongs to the continuation when it ends after the context (so a token merged across
    the boundary counts, as in the local backend) and starts inside the echoed text (the one
    generated token, if any, is left out).
    """
    tokens = logprobs.get("tokens") or []
    lps = logprobs.get("token_logprobs") or []
    offsets = logprobs.get("text_offset") or []
    if not (len(tokens) == len(lps) == len(offsets)):
        raise HTTPModelError(
            "malformed logprobs in /completions response (tokens, token_logprobs, text_offset)"
        )
    total = 0.0
    scored = 0
    for i, start in enumerate(offsets):
        if start >= full_chars:
            break
        end = offsets[i + 1] if i + 1 < len(offsets) else start + len(tokens[i])
        if end > context_chars:
            if lps[i] is None:
                raise HTTPModelError("the server gave no log-probability for a continuation token")
            total += lps[i]
            scored += 1
    if scored == 0:
        raise HTTPModelError("no continuation tokens in the echoed prompt (does the server support echo?)")
    return total


def _server_message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text[:200]
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        return str(err.get("message", err))[:200]
    return str(err or data.get("detail") or data)[:200] if isinstance(data, dict) else str(data)[:200]
