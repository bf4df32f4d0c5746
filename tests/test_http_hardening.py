"""`negneg serve` limits and API key; the HTTP backend caches only validated answers (issue 14, part 5)."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from negneg.cli import main
from negneg.models.openai_http import HTTPModelError, OpenAIChatModel
from negneg.models.serve import ServeLimits, create_app

CHAT = {"messages": [{"role": "user", "content": "hi"}], "temperature": 0}


@pytest.fixture(scope="module")
def client(tiny_model):
    app = create_app(
        tiny_model, "tiny-random", limits=ServeLimits(max_tokens=8, max_prompts=3, max_body_bytes=4096)
    )
    return TestClient(app)


@pytest.mark.parametrize(
    "path,body",
    [
        ("/v1/chat/completions", {**CHAT, "max_tokens": -5}),
        ("/v1/chat/completions", {**CHAT, "max_tokens": 0}),
        ("/v1/chat/completions", {**CHAT, "max_tokens": 9}),  # over the cap
        ("/v1/chat/completions", {**CHAT, "n": 4}),  # over the prompt cap
        ("/v1/chat/completions", {**CHAT, "n": 0}),
        ("/v1/chat/completions", {"messages": "hi"}),  # wrong type
        ("/v1/completions", {"prompt": "a", "max_tokens": -1}),
        ("/v1/completions", {"prompt": "a", "max_tokens": 10**9}),
        ("/v1/completions", {"prompt": ["a", "b"], "n": 2, "max_tokens": 1}),  # 4 > 3
        ("/v1/completions", {"prompt": "a", "logprobs": -1}),
    ],
)
def test_bad_requests_are_400_not_500(client, path, body):
    r = client.post(path, json=body)
    assert r.status_code == 400, r.text


def test_within_limits_answers_and_oversized_bodies_are_413(client):
    assert client.post("/v1/chat/completions", json={**CHAT, "max_tokens": 8}).status_code == 200
    assert (
        client.post("/v1/completions", json={"prompt": ["a", "b", "c"], "max_tokens": 1}).status_code == 200
    )
    big = {"prompt": "x" * 5000, "max_tokens": 1}
    assert client.post("/v1/completions", json=big).status_code == 413
    chunked = client.post(
        "/v1/completions",
        content=iter([json.dumps(big).encode()]),
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 413


def test_api_key_is_required_when_set(tiny_model):
    keyed = TestClient(create_app(tiny_model, "tiny-random", api_key="s3cret"))
    assert keyed.get("/v1/models").status_code == 401
    assert keyed.get("/v1/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
    r = keyed.get("/v1/models", headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200 and "s3cret" not in r.text


def test_serve_warns_beyond_loopback_and_never_prints_the_key(monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr("negneg.models.serve.serve", lambda *a, **kw: seen.update(kw))
    monkeypatch.setenv("NEGNEG_API_KEY", "s3cret")
    assert main(["serve", "tiny-random", "--host", "0.0.0.0", "--port", "0"]) == 0
    out = capsys.readouterr()
    assert "warning" in out.out and "API key required" in out.out
    assert "s3cret" not in out.out + out.err and seen["api_key"] == "s3cret"
    monkeypatch.delenv("NEGNEG_API_KEY")
    assert main(["serve", "tiny-random", "--host", "0.0.0.0", "--port", "0"]) == 0
    assert "NEGNEG_API_KEY" in capsys.readouterr().out


def _backend(tmp_path, handler) -> OpenAIChatModel:
    m = OpenAIChatModel("http://test", "m", cache_dir=tmp_path / "cache", max_retries=0)
    m._client = httpx.Client(transport=httpx.MockTransport(handler))
    return m


def _cached(tmp_path) -> list:
    return list((tmp_path / "cache").rglob("*.json")) if (tmp_path / "cache").exists() else []


def test_a_200_that_is_not_json_is_a_clear_error_and_not_cached(tmp_path):
    from negneg.models import SamplingParams

    m = _backend(tmp_path, lambda req: httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(HTTPModelError, match="not JSON"):
        m.generate([[{"role": "user", "content": "hi"}]], SamplingParams())
    assert _cached(tmp_path) == []


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"choices": []},
        {"choices": "x"},
        {"choices": [{"message": {"content": 5}}]},
        {"choices": [{"index": "a", "message": {"content": "x"}}, {"index": 0, "message": {"content": "y"}}]},
    ],
)
def test_malformed_answers_are_errors_and_never_cached(tmp_path, answer):
    from negneg.models import SamplingParams

    m = _backend(tmp_path, lambda req: httpx.Response(200, json=answer))
    with pytest.raises(HTTPModelError):
        m.generate(
            [[{"role": "user", "content": "hi"}]],
            SamplingParams(n=2 if len(answer.get("choices") or []) == 2 else 1),
        )
    assert _cached(tmp_path) == []


def test_empty_answers_are_returned_but_asked_again_next_time(tmp_path):
    from negneg.models import SamplingParams

    calls = []
    answers = [{"choices": [{"message": {"content": ""}}]}, {"choices": [{"message": {"content": "Yes."}}]}]

    def handler(req):
        calls.append(req)
        return httpx.Response(200, json=answers[min(len(calls) - 1, 1)])

    m = _backend(tmp_path, handler)
    conv = [[{"role": "user", "content": "hi"}]]
    assert m.generate(conv, SamplingParams()) == [[""]] and _cached(tmp_path) == []
    assert m.generate(conv, SamplingParams()) == [["Yes."]] and len(_cached(tmp_path)) == 1
    assert m.generate(conv, SamplingParams()) == [["Yes."]] and len(calls) == 2  # from the cache


def test_likelihood_answers_without_logprobs_are_not_cached(tmp_path):
    m = _backend(tmp_path, lambda req: httpx.Response(200, json={"choices": [{"text": "a"}]}))
    with pytest.raises(HTTPModelError):
        m.loglikelihood("The answer is", [" yes"])
    assert _cached(tmp_path) == []
