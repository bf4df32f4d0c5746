"""The OpenAI-compatible HTTP backend talking, over loopback, to `negneg serve` for real."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from negneg.errors import UserInputError
from negneg.evals.likelihood import plain_loglikelihood
from negneg.models import SamplingParams
from negneg.models.openai_http import (
    HTTPModelError,
    OpenAIChatModel,
    continuation_logprob,
    normalise_base_url,
)
from negneg.models.serve import create_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """uvicorn in a background thread, on a free loopback port."""

    def __init__(self, app):
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(tiny_model):
    with _Server(create_app(tiny_model, "tiny-random")) as url:
        yield url


def _client(url, tmp_path, tiny_model, **kw):
    return OpenAIChatModel(
        url, "tiny-random", cache_dir=tmp_path / "cache", tokenizer=tiny_model.tokenizer, **kw
    )


def test_models_endpoint(served):
    data = httpx.get(f"{served}/v1/models").json()
    assert data["data"][0]["id"] == "tiny-random"


def test_generate_over_http_equals_local(served, tiny_model, tmp_path):
    client = _client(served, tmp_path, tiny_model)
    convs = [[{"role": "user", "content": "Who won the 100m in Paris?"}], [{"role": "user", "content": "Hi"}]]
    greedy = SamplingParams(temperature=0, max_new_tokens=6)
    assert client.generate(convs, greedy) == [tiny_model.generate([c], greedy)[0] for c in convs]
    sampled = SamplingParams(temperature=0.7, top_p=0.8, max_new_tokens=6, n=3, seed=5)
    got = client.generate(convs[:1], sampled)
    assert len(got[0]) == 3 and got == tiny_model.generate(convs[:1], sampled)  # the seed travels


def test_loglikelihood_over_http_equals_local(served, tiny_model, tmp_path):
    client = _client(served, tmp_path, tiny_model)
    raw = "The men's 100m gold at the Paris 2024 Olympics went to"
    chat = [
        {"role": "system", "content": "Answer with yes or no."},
        {"role": "user", "content": "Did he win?"},
    ]
    requests = [(raw, [" Ed Sheeran", " Noah Lyles"]), (chat, ["Yes", "No"]), ("Answer: ", ["Yes"])]
    got = client.loglikelihood_many(requests)
    for (prompt, conts), row in zip(requests, got, strict=True):
        for c, value in zip(conts, row, strict=True):
            assert value == pytest.approx(plain_loglikelihood(tiny_model, prompt, c), abs=1e-3)
    assert got[1] == pytest.approx(tiny_model.loglikelihood(chat, ["Yes", "No"]), abs=1e-3)


def test_repeat_requests_come_from_the_disk_cache(served, tiny_model, tmp_path, monkeypatch):
    monkeypatch.setenv("NEGNEG_TEST_KEY", "sk-secret-test-key")
    client = _client(served, tmp_path, tiny_model, api_key_env="NEGNEG_TEST_KEY")
    conv = [[{"role": "user", "content": "Say something."}]]
    sp = SamplingParams(temperature=0.7, max_new_tokens=5, seed=1)
    first = client.generate(conv, sp)
    sent = client.stats["requests"]
    assert client.generate(conv, sp) == first
    assert client.stats["requests"] == sent and client.stats["cache_hits"] == 1
    fresh = _client(served, tmp_path, tiny_model)  # a new process would hit the same files
    assert fresh.generate(conv, sp) == first and fresh.stats["requests"] == 0
    files = list((tmp_path / "cache").rglob("*.json"))
    assert files and not any("sk-secret-test-key" in f.read_text() for f in files)


def _flaky_app(failures: int, status: int = 503):
    """An OpenAI-shaped endpoint that fails ``failures`` times, then answers; records auth headers."""
    app = FastAPI()
    app.state.calls = 0
    app.state.auth = []

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        app.state.calls += 1
        app.state.auth.append(request.headers.get("authorization"))
        if app.state.calls <= failures:
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=status)
        return {"choices": [{"index": 0, "message": {"role": "assistant", "content": "fine"}}]}

    return app


def test_retries_with_backoff_on_503(tmp_path, monkeypatch):
    monkeypatch.setenv("NEGNEG_TEST_KEY", "sk-abc")
    app = _flaky_app(failures=2)
    with _Server(app) as url:
        client = OpenAIChatModel(url, "m", api_key_env="NEGNEG_TEST_KEY", backoff=0.01, max_retries=3)
        assert client.generate([[{"role": "user", "content": "x"}]], SamplingParams(max_new_tokens=2)) == [
            ["fine"]
        ]
    assert app.state.calls == 3 and client.stats["retries"] == 2
    assert app.state.auth == ["Bearer sk-abc"] * 3  # the key goes to the server only


def test_gives_up_after_max_retries_and_fails_fast_on_client_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("NEGNEG_TEST_KEY", raising=False)
    with _Server(_flaky_app(failures=100)) as url:
        client = OpenAIChatModel(url, "m", api_key_env="NEGNEG_TEST_KEY", backoff=0.01, max_retries=2)
        with pytest.raises(HTTPModelError, match="giving up after 3 attempts"):
            client.generate([[{"role": "user", "content": "x"}]], SamplingParams(max_new_tokens=2))
    app400 = _flaky_app(failures=100, status=400)
    with _Server(app400) as url:
        client = OpenAIChatModel(url, "m", backoff=0.01, max_retries=5)
        with pytest.raises(HTTPModelError, match="HTTP 400"):
            client.generate([[{"role": "user", "content": "x"}]], SamplingParams(max_new_tokens=2))
    assert app400.state.calls == 1
    with _Server(_flaky_app(failures=100, status=401)) as url:
        with pytest.raises(UserInputError, match="NEGNEG_TEST_KEY"):
            OpenAIChatModel(url, "m", api_key_env="NEGNEG_TEST_KEY").generate(
                [[{"role": "user", "content": "x"}]], SamplingParams(max_new_tokens=2)
            )


def test_timeouts_are_retried_then_reported(tmp_path):
    port = _free_port()
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    sock.listen(8)  # accepts connections, never answers
    try:
        client = OpenAIChatModel(f"http://127.0.0.1:{port}", "m", timeout=0.3, backoff=0.01, max_retries=1)
        with pytest.raises(HTTPModelError, match="Timeout"):
            client.generate([[{"role": "user", "content": "x"}]], SamplingParams(max_new_tokens=2))
        assert client.stats["retries"] == 1
    finally:
        sock.close()


def test_conversation_likelihood_without_tokenizer_is_a_user_error(served):
    client = OpenAIChatModel(served, "tiny-random")
    with pytest.raises(UserInputError, match="chat template"):
        client.loglikelihood([{"role": "user", "content": "x"}], ["Yes"])


def test_url_normalisation_and_offset_logic():
    assert normalise_base_url("http://h:8000") == "http://h:8000/v1"
    assert normalise_base_url("http://h:8000/v1/") == "http://h:8000/v1"
    assert normalise_base_url("https://x.ai/api/openai") == "https://x.ai/api/openai"
    # prompt "A:" (2 chars) + continuation " B" (echo) + one generated token
    lp = {
        "tokens": ["A", ":", " B", "!"],
        "token_logprobs": [None, -1.0, -2.0, -9.0],
        "text_offset": [0, 1, 2, 4],
    }
    assert continuation_logprob(lp, context_chars=2, full_chars=4) == -2.0
    # a token merged across the boundary belongs to the continuation
    assert continuation_logprob(lp, context_chars=3, full_chars=4) == -2.0


def test_negneg_serve_command_starts_a_server(tmp_path):
    port = _free_port()
    env = {**os.environ, "NEGNEG_HOME": os.environ.get("NEGNEG_HOME", str(Path.home() / ".cache" / "negneg"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "negneg.cli", "serve", "tiny-random", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 90
        while True:
            try:
                data = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).json()
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.time() > deadline:
                    raise AssertionError(proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.5)
        assert data["data"][0]["id"] == "tiny-random"
        client = OpenAIChatModel(f"http://127.0.0.1:{port}", "tiny-random")
        assert client.loglikelihood("The winner was", [" Ed"])[0] < 0
    finally:
        proc.terminate()
        proc.wait(timeout=20)
