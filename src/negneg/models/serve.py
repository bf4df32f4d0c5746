"""``negneg serve``: any negneg model behind an OpenAI-compatible HTTP API.

Exposes ``/v1/models``, ``/v1/chat/completions`` and ``/v1/completions`` (with ``echo`` and
``logprobs``, which is what likelihood scoring over HTTP needs). Lets other tools — or negneg's
own HTTP backend on another machine — judge with, generate from, or score a local model or a
finetuned adapter. One request is served at a time: the model is not re-entrant (sampling seeds
the global RNG).

Limits, so one request cannot hold the model indefinitely: ``max_tokens`` at most
:class:`ServeLimits` ``.max_tokens`` (larger, zero-or-negative for chat, or negative for
completions is a 400), at most ``max_prompts`` prompts × samples per request, request bodies
at most ``max_body_bytes`` (413). With an API key (``--api-key`` or ``NEGNEG_API_KEY``) every
``/v1`` request must send ``Authorization: Bearer <key>`` (401 otherwise); the key is compared in
constant time and never logged, printed or written anywhere.
"""

from __future__ import annotations

import hmac
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict, Field

from negneg.models.chat import SamplingParams

DEFAULT_MAX_TOKENS = 256
API_KEY_ENV = "NEGNEG_API_KEY"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ServeLimits:
    """What one request may ask of the server."""

    max_tokens: int = 4096  # new tokens per answer
    max_prompts: int = 64  # prompts × samples per request
    max_body_bytes: int = 1 << 20  # request body size


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # unknown OpenAI options are accepted and ignored
    model: str | None = None
    messages: list[ChatMessage]
    temperature: float = Field(1.0, ge=0)
    top_p: float = Field(1.0, gt=0, le=1)
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    n: int = Field(1, ge=1, le=64)
    seed: int | None = None
    stop: str | list[str] | None = None


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str | None = None
    prompt: str | list[str]
    temperature: float = Field(1.0, ge=0)
    top_p: float = Field(1.0, gt=0, le=1)
    max_tokens: int = 16
    n: int = Field(1, ge=1, le=64)
    seed: int | None = None
    echo: bool = False
    logprobs: int | None = Field(None, ge=0, le=20)
    stop: str | list[str] | None = None


def _stops(stop: str | list[str] | None) -> list[str]:
    if stop is None:
        return []
    return [stop] if isinstance(stop, str) else list(stop)


def create_app(
    model, served_name: str | None = None, *, api_key: str | None = None, limits: ServeLimits | None = None
):
    """A FastAPI app serving ``model`` (a :class:`~negneg.models.local.LocalChatModel`)."""
    from fastapi import Depends, FastAPI, Header, HTTPException
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    name = served_name or model.name
    limits = limits or ServeLimits()
    lock = threading.Lock()

    def authorise(authorization: str = Header("")) -> None:  # noqa: B008 (FastAPI's idiom)
        if not api_key:
            return
        if not hmac.compare_digest(authorization.encode(), f"Bearer {api_key}".encode()):
            raise HTTPException(401, detail={"message": "missing or wrong API key (Authorization: Bearer …)"})

    app = FastAPI(title=f"negneg serve: {name}", dependencies=[Depends(authorise)])
    app.add_middleware(_BodyLimit, limit=limits.max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request, exc: RequestValidationError):  # 400, as OpenAI's API answers
        err = exc.errors()[0] if exc.errors() else {}
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        return JSONResponse(
            status_code=400,
            content={
                "error": {"message": f"{loc}: {err.get('msg', 'invalid request')}", "type": "invalid_request"}
            },
        )

    def check_tokens(max_tokens: int, *, allow_zero: bool) -> None:
        if max_tokens < (0 if allow_zero else 1):
            raise HTTPException(400, detail={"message": f"max_tokens must be ≥ {0 if allow_zero else 1}"})
        if max_tokens > limits.max_tokens:
            raise HTTPException(
                400,
                detail={
                    "message": f"max_tokens {max_tokens} is over this server's cap of {limits.max_tokens}"
                },
            )

    def check_prompts(count: int) -> None:
        if count > limits.max_prompts:
            raise HTTPException(
                400,
                detail={
                    "message": f"{count} prompts × samples is over this server's cap of {limits.max_prompts}"
                },
            )

    def check_model(requested: str | None) -> None:
        if requested and requested not in (name, "default"):
            raise HTTPException(
                404, detail={"message": f"model '{requested}' is not served here; try '{name}'"}
            )

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": name, "object": "model", "owned_by": "negneg"}]}

    @app.post("/v1/chat/completions")
    def chat(req: ChatRequest) -> dict[str, Any]:
        check_model(req.model)
        max_tokens = next(
            (v for v in (req.max_completion_tokens, req.max_tokens) if v is not None), DEFAULT_MAX_TOKENS
        )
        check_tokens(max_tokens, allow_zero=False)
        check_prompts(req.n)
        sampling = SamplingParams(
            temperature=req.temperature,
            top_p=req.top_p,
            max_new_tokens=max_tokens,
            n=req.n,
            seed=req.seed or 0,
            stop=_stops(req.stop),
        )
        conv = [{"role": m.role, "content": m.content} for m in req.messages]
        with lock:
            texts = model.generate([conv], sampling)[0]
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:16]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": name,
            "choices": [
                {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
                for i, t in enumerate(texts)
            ],
        }

    @app.post("/v1/completions")
    def completions(req: CompletionRequest) -> dict[str, Any]:
        check_model(req.model)
        check_tokens(req.max_tokens, allow_zero=True)
        prompts = [req.prompt] if isinstance(req.prompt, str) else req.prompt
        check_prompts(len(prompts) * req.n)
        choices = []
        with lock:
            for p_idx, prompt in enumerate(prompts):
                for s in range(req.n):
                    seed = (req.seed or 0) + s
                    choices.append(_complete(model, prompt, req, seed) | {"index": p_idx * req.n + s})
        return {
            "id": f"cmpl-{uuid.uuid4().hex[:16]}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": name,
            "choices": choices,
        }

    return app


class _BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes is answered 413 before it is read."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._reject(send)
        chunks: list[bytes] = []
        size = 0
        while True:  # read the body (at most limit bytes), then replay it to the app
            message = await receive()
            if message.get("type") != "http.request":
                return await self.app(scope, receive, send)  # disconnected: let the app see it
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return await self._reject(send)
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send) -> None:
        import json

        body = json.dumps(
            {"error": {"message": f"request body over {self.limit} bytes", "type": "invalid_request"}}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


@torch.no_grad()
def _complete(model, prompt: str, req: CompletionRequest, seed: int) -> dict[str, Any]:
    """Raw-text completion (no chat template), with per-token log-probabilities on request."""
    tok = model.tokenizer
    enc = tok(prompt, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    offsets = [tuple(o) for o in enc["offset_mapping"]]
    new_ids: list[int] = []
    if req.max_tokens > 0:
        torch.manual_seed(seed)
        kwargs: dict[str, Any] = dict(max_new_tokens=req.max_tokens, pad_token_id=tok.pad_token_id)
        if req.temperature > 0:
            kwargs.update(do_sample=True, temperature=req.temperature, top_p=req.top_p, top_k=0)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if _stops(req.stop):
            kwargs.update(stop_strings=_stops(req.stop), tokenizer=tok)
        inp = torch.tensor([ids or [tok.eos_token_id]], device=model.device)
        out = model.model.generate(input_ids=inp, attention_mask=torch.ones_like(inp), **kwargs)
        new_ids = out[0, inp.shape[1] :].tolist()
        if tok.eos_token_id in new_ids:
            new_ids = new_ids[: new_ids.index(tok.eos_token_id)]
    completion = tok.decode(new_ids, skip_special_tokens=True)
    for s in _stops(req.stop):
        if s in completion:
            completion = completion[: completion.index(s)]
    choice: dict[str, Any] = {
        "text": (prompt + completion) if req.echo else completion,
        "finish_reason": "stop",
    }
    if req.logprobs is not None:
        choice["logprobs"] = _token_logprobs(model, prompt, ids, offsets, new_ids, req.logprobs, req.echo)
    return choice


def _token_logprobs(model, prompt, ids, offsets, new_ids, top_k: int, echo: bool) -> dict[str, Any]:
    """OpenAI legacy ``logprobs``: tokens, token_logprobs, top_logprobs, text_offset (offsets into
    prompt + completion; the first prompt token has no log-probability)."""
    tok = model.tokenizer
    full = ids + new_ids
    if not full:
        return {"tokens": [], "token_logprobs": [], "top_logprobs": [], "text_offset": []}
    logits = model.model(input_ids=torch.tensor([full], device=model.device)).logits[0].float()
    lp = torch.log_softmax(logits, dim=-1).cpu()
    tokens, token_lps, tops, text_offset = [], [], [], []
    # generated tokens: offsets from the growing decoded text
    gen_offsets, pos = [], len(prompt)
    for j in range(len(new_ids)):
        piece = tok.decode(new_ids[: j + 1], skip_special_tokens=True)
        prev = tok.decode(new_ids[:j], skip_special_tokens=True)
        gen_offsets.append((pos + len(prev), pos + len(piece)))
    spans = offsets + gen_offsets
    start_at = 0 if echo else len(ids)
    for i in range(start_at, len(full)):
        s, e = spans[i]
        text = prompt[s:e] if i < len(ids) else tok.decode([full[i]], skip_special_tokens=True)
        tokens.append(text)
        text_offset.append(s)
        if i == 0:
            token_lps.append(None)
            tops.append(None)
            continue
        row = lp[i - 1]
        token_lps.append(float(row[full[i]]))
        if top_k:
            vals, idx = row.topk(top_k)
            tops.append({tok.decode([int(t)]): float(v) for v, t in zip(vals, idx, strict=True)})
        else:
            tops.append({})
    return {"tokens": tokens, "token_logprobs": token_lps, "top_logprobs": tops, "text_offset": text_offset}


def serve(
    model_name: str,
    adapter: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    name: str | None = None,
    *,
    api_key: str | None = None,
    limits: ServeLimits | None = None,
) -> None:
    """Load a model and serve it until interrupted."""
    import uvicorn

    from negneg.models import load_chat_model

    model = load_chat_model(model_name, adapter=adapter)
    app = create_app(model, name or model.name, api_key=api_key, limits=limits)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
