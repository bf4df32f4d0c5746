"""``negneg serve``: any negneg model behind an OpenAI-compatible HTTP API.

Exposes ``/v1/models``, ``/v1/chat/completions`` and ``/v1/completions`` (with ``echo`` and
``logprobs``, which is what likelihood scoring over HTTP needs). Lets other tools — or negneg's
own HTTP backend on another machine — judge with, generate from, or score a local model or a
finetuned adapter. One request is served at a time: the model is not re-entrant (sampling seeds
the global RNG).
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict, Field

from negneg.models.chat import SamplingParams

DEFAULT_MAX_TOKENS = 256


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
    max_tokens: int = Field(16, ge=0)
    n: int = Field(1, ge=1, le=64)
    seed: int | None = None
    echo: bool = False
    logprobs: int | None = Field(None, ge=0, le=20)
    stop: str | list[str] | None = None


def _stops(stop: str | list[str] | None) -> list[str]:
    if stop is None:
        return []
    return [stop] if isinstance(stop, str) else list(stop)


def create_app(model, served_name: str | None = None):
    """A FastAPI app serving ``model`` (a :class:`~negneg.models.local.LocalChatModel`)."""
    from fastapi import FastAPI, HTTPException

    name = served_name or model.name
    lock = threading.Lock()
    app = FastAPI(title=f"negneg serve: {name}")

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
        sampling = SamplingParams(
            temperature=req.temperature,
            top_p=req.top_p,
            max_new_tokens=req.max_completion_tokens or req.max_tokens or DEFAULT_MAX_TOKENS,
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
        prompts = [req.prompt] if isinstance(req.prompt, str) else req.prompt
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
) -> None:
    """Load a model and serve it until interrupted."""
    import uvicorn

    from negneg.models import load_chat_model

    model = load_chat_model(model_name, adapter=adapter)
    uvicorn.run(create_app(model, name or model.name), host=host, port=port, log_level="warning")
