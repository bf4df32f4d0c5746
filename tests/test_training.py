"""The trainer, trained for real on tiny-random: recipes, packing, exact loss semantics (masks and
weights), checkpoints, resume, guards, two phases, held-out loss, merge and the CLI."""

from __future__ import annotations

import json
import random

import pytest
import torch
from safetensors.torch import load_file

from negneg.errors import TrainingFailed, UnknownNameError, UserInputError
from negneg.records import TrainingExample
from negneg.training.config import TrainConfig, checkpoint_steps, load_recipe, log_spaced_steps, recipes_dir
from negneg.training.packing import PackedCollator, pack_rows, plan_steps


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny-model ops are too small to gain from threads, and on a shared 2-core machine two
    threads waiting on each other made this file 4× slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


PAPER_STEPS = [10, 20, 32, 47, 64, 85, 111, 141, 178, 223, 276, 341, 418, 512, 625]


def rows(n: int = 6, seed: int = 0, lo: int = 8, hi: int = 24) -> list[TrainingExample]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        ids = [rng.randint(100, 3000) for _ in range(rng.randint(lo, hi))] + [2]
        out.append(TrainingExample(input_ids=ids, labels=list(ids)))
    return out


def cfg(**kw) -> TrainConfig:
    base = dict(batch_size=6, max_steps=1, checkpoints=[10**6], resume_every=0)
    return load_recipe("tiny", **{**base, **kw})


def adapter(path) -> dict[str, torch.Tensor]:
    return load_file(str(path / "adapter_model.safetensors"))


@pytest.fixture(scope="module")
def base_model(tiny_model):
    return tiny_model.model


def per_example_nll(model, ex: TrainingExample) -> tuple[float, int]:
    """Summed NLL and label count of one example run alone (no packing), computed by hand."""
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ex.input_ids])).logits[0, :-1].double()
    targets = torch.tensor(ex.labels[1:])
    keep = targets != -100
    logp = torch.log_softmax(logits, -1)[torch.arange(len(targets)), targets.clamp(min=0)]
    return float(-(logp[keep]).sum()), int(keep.sum())


def expected_loss(model, examples) -> float:
    parts = [per_example_nll(model, ex) for ex in examples]
    return sum(ex.weight * s for ex, (s, _) in zip(examples, parts, strict=True)) / sum(c for _, c in parts)


# ---------------------------------------------------------------------------------------------- config
def test_log_spaced_checkpoints_reproduce_the_paper():
    assert log_spaced_steps(625, 15) == PAPER_STEPS
    assert log_spaced_steps(8, 15) == [8]
    short = log_spaced_steps(40, 15)
    assert short[0] == 10 and short[-1] == 40 and short == sorted(set(short))
    assert checkpoint_steps(TrainConfig(checkpoints=[3, 50, 7]), 20) == [3, 7, 20]


def test_recipes_load_and_document_themselves():
    paper = load_recipe("paper")
    assert (paper.rank, paper.lr, paper.batch_size, paper.epochs, paper.adam_beta2) == (32, 5e-5, 32, 1, 0.95)
    assert paper.schedule == "linear" and paper.checkpoints == 15 and paper.train_unembed
    assert load_recipe("cpu").method == "lora"
    for path in recipes_dir().glob("*.yaml"):
        assert path.read_text().startswith("# "), f"{path.name} must open with a comment"
    with pytest.raises(UnknownNameError, match="did you mean 'paper'"):
        load_recipe("papr")
    with pytest.raises(UserInputError, match="rnak"):
        load_recipe("tiny", rnak=3)


# ---------------------------------------------------------------------------------------------- packing
def test_pack_rows_fills_rows_without_overflow():
    rng = random.Random(1)
    lengths = [rng.randint(5, 60) for _ in range(40)]
    packed = pack_rows(lengths, 128)
    assert sorted(i for row in packed for i in row) == list(range(40))
    loads = [sum(lengths[i] for i in row) for row in packed]
    assert max(loads) <= 128
    assert (len(packed) * max(loads) - sum(lengths)) / (len(packed) * max(loads)) < 0.05


def test_plan_steps_batches_epochs_and_max_steps():
    steps = plan_steps([10] * 10, batch_size=4, epochs=2, seed=0)
    assert [len(s) for s in steps] == [4, 4, 2, 4, 4, 2]
    assert sorted(sum(steps[:3], [])) == list(range(10)) and steps[:3] != steps[3:]
    assert len(plan_steps([10] * 10, batch_size=4, epochs=1, seed=0, max_steps=7)) == 7
    assert plan_steps([10] * 10, batch_size=4, epochs=1, seed=3) == plan_steps(
        [10] * 10, batch_size=4, epochs=1, seed=3
    )


def test_packed_rows_do_not_attend_across_examples(base_model, tokenizer):
    examples = rows(4)
    batch = PackedCollator(examples, tokenizer.pad_token_id, 200)([{"examples": [0, 1, 2, 3]}])
    assert batch["input_ids"].shape[0] == 1  # all four share one row
    with torch.no_grad():
        packed = base_model(
            input_ids=batch["input_ids"], position_ids=batch["position_ids"], use_cache=False
        ).logits[0]
    start = 0
    for ex in examples:  # the row holds the examples in packing order; find each by its tokens
        n = len(ex.input_ids)
        ids = batch["input_ids"][0].tolist()
        start = next(s for s in range(len(ids)) if ids[s : s + n] == ex.input_ids)
        with torch.no_grad():
            alone = base_model(input_ids=torch.tensor([ex.input_ids])).logits[0]
        torch.testing.assert_close(packed[start : start + n], alone, atol=1e-4, rtol=1e-4)


def test_varlen_attention_matches_examples_run_alone(base_model, tokenizer):
    from negneg.training.trainer import build_model

    model, _ = build_model("tiny-random", cfg())  # CPU default: negneg_varlen
    assert model.config._attn_implementation == "negneg_varlen"
    model.eval()
    examples = rows(4, seed=4)
    batch = PackedCollator(examples, tokenizer.pad_token_id, 10**9)([{"examples": [0, 1, 2, 3]}])
    assert batch["input_ids"].shape == (1, sum(len(e.input_ids) for e in examples))  # one row, no padding
    with torch.no_grad():
        packed = model(
            input_ids=batch["input_ids"], position_ids=batch["position_ids"], use_cache=False
        ).logits[0]
    ids = batch["input_ids"][0].tolist()
    for ex in examples:
        n = len(ex.input_ids)
        start = next(s for s in range(len(ids)) if ids[s : s + n] == ex.input_ids)
        with torch.no_grad():
            alone = base_model(input_ids=torch.tensor([ex.input_ids])).logits[0]
        torch.testing.assert_close(packed[start : start + n], alone, atol=1e-4, rtol=1e-4)


def test_varlen_kernel_path_gives_the_per_example_results(monkeypatch, tokenizer):
    """On a GPU negneg_varlen hands each packed row to torch's varlen flash kernel. The kernel is
    CUDA-only, so here a CPU stand-in with its documented contract ([total, heads, dim] inputs,
    int32 cumulative bounds, window (-1, 0) = causal) checks negneg's side: layouts, bounds per
    row, scale and GQA, in the forward pass and the gradients. bench/gpu_check.sh checks the
    kernel itself against the per-example path on a GPU."""
    import torch.nn.functional as F

    from negneg.training import attention
    from negneg.training.trainer import build_model

    calls = []

    def kernel(q, k, v, cu_q, cu_k, max_q, max_k, *, scale=None, window_size=(-1, -1), enable_gqa=False):
        assert q.dim() == 3 and q.shape[0] == cu_q[-1] and cu_q.dtype == torch.int32
        assert torch.equal(cu_q, cu_k) and window_size == (-1, 0)
        bounds = cu_q.tolist()
        assert max_q == max_k == max(e - s for s, e in zip(bounds[:-1], bounds[1:], strict=True))
        calls.append(bounds)
        parts = [
            F.scaled_dot_product_attention(
                *(t[s:e].transpose(0, 1)[None] for t in (q, k, v)),
                is_causal=True,
                scale=scale,
                enable_gqa=enable_gqa,
            )[0].transpose(0, 1)
            for s, e in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        return torch.cat(parts)

    examples = rows(5, seed=7)
    batch = PackedCollator(examples, tokenizer.pad_token_id, 60)([{"examples": [0, 1, 2, 3, 4]}])
    assert batch["input_ids"].shape[0] >= 2  # several rows, each with its own bounds

    def run():
        model, _ = build_model("tiny-random", cfg())
        out = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"], use_cache=False)
        out.logits.float().pow(2).mean().backward()
        grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
        return out.logits.detach(), grads

    loop_logits, loop_grads = run()
    monkeypatch.setattr(attention, "varlen_kernel", lambda: kernel)
    monkeypatch.setattr(attention, "_use_kernel", lambda query, window, dropout: not window and dropout == 0)
    kernel_logits, kernel_grads = run()
    config = build_model("tiny-random", cfg())[0].get_base_model().config
    assert config.num_key_value_heads < config.num_attention_heads  # GQA is exercised
    assert len(calls) == config.num_hidden_layers * batch["input_ids"].shape[0]  # a call per layer and row
    assert calls[0] != calls[1]
    torch.testing.assert_close(kernel_logits, loop_logits)
    assert kernel_grads.keys() == loop_grads.keys()
    for name in loop_grads:
        torch.testing.assert_close(kernel_grads[name], loop_grads[name])


def test_row_bounds_are_read_once_per_forward():
    from negneg.training.attention import row_bounds

    pos = torch.tensor([[0, 1, 2, 0, 1, 0], [0, 1, 2, 3, 0, 1]])
    first = row_bounds(pos)
    assert first == [[0, 3, 5, 6], [0, 4, 6]]
    assert row_bounds(pos) is first  # the same tensor in the next layer: no second device read
    pos[0, 2] = 0  # changed in place: read again
    assert row_bounds(pos) == [[0, 2, 3, 5, 6], [0, 4, 6]]
    assert row_bounds(pos.clone()) == [[0, 2, 3, 5, 6], [0, 4, 6]]


# ---------------------------------------------------------------------------------------------- loss semantics
def test_masks_and_weights_change_the_loss_exactly(tmp_path, base_model):
    from negneg.training import train

    examples = rows(6)
    masked = [ex.model_copy() for ex in examples]
    masked[1] = masked[1].model_copy(update={"labels": [-100] * 6 + masked[1].labels[6:]})
    weighted = [ex.model_copy() for ex in examples]
    weighted[2] = weighted[2].model_copy(update={"weight": 2.0})

    losses = {}
    for name, data in [("plain", examples), ("masked", masked), ("weighted", weighted)]:
        # Step 1 covers all six examples and is computed before any update (LoRA starts at B = 0).
        losses[name] = train("tiny-random", data, cfg(), tmp_path / name).log[0]["loss"]
        assert losses[name] == pytest.approx(expected_loss(base_model, data), rel=1e-5)

    nll2, _ = per_example_nll(base_model, examples[2])
    count = sum(per_example_nll(base_model, ex)[1] for ex in examples)
    assert losses["weighted"] - losses["plain"] == pytest.approx(nll2 / count, rel=1e-4)
    assert losses["masked"] != pytest.approx(losses["plain"], rel=1e-6)


def test_packing_does_not_change_the_loss(tmp_path):
    from negneg.training import train

    examples = rows(6)
    on = train("tiny-random", examples, cfg(max_steps=2, batch_size=3), tmp_path / "on")
    off = train("tiny-random", examples, cfg(max_steps=2, batch_size=3, packing=False), tmp_path / "off")
    assert [r["loss"] for r in on.log] == pytest.approx([r["loss"] for r in off.log], rel=1e-5)
    assert on.padding_fraction < off.padding_fraction


# ---------------------------------------------------------------------------------------------- checkpoints & resume
class StopAt:
    """A callback that kills training after a given step (as a crash would)."""

    def __new__(cls, step: int):
        from transformers import TrainerCallback

        class _Stop(TrainerCallback):
            def on_step_end(self, args, state, control, **kw):
                if state.global_step == step:
                    raise KeyboardInterrupt

        return _Stop()


def test_checkpoints_resume_exactly_after_a_kill(tmp_path):
    from negneg.training import train

    examples = rows(12, seed=2)
    config = cfg(batch_size=2, max_steps=6, checkpoints=[2, 4], resume_every=0)
    seen = []
    full = train(
        "tiny-random", examples, config, tmp_path / "full", on_checkpoint=lambda s, p: seen.append(s)
    )
    assert seen == [2, 4, 6] and [s for s, _ in full.checkpoints] == [2, 4, 6]
    manifest = json.loads((tmp_path / "full" / "checkpoint-4" / "manifest.json").read_text())
    assert (
        manifest["step"] == 4
        and manifest["kind"] == "log"
        and manifest["config_hash"] == config.fingerprint()
    )
    assert not (tmp_path / "full" / "checkpoint-2" / "optimizer.pt").exists()  # only the newest keeps it
    assert not (tmp_path / "full" / "checkpoint-2" / "training_args.bin").exists()

    with pytest.raises(KeyboardInterrupt):
        train("tiny-random", examples, config, tmp_path / "cut", callbacks=[StopAt(5)])
    assert not (tmp_path / "cut" / "final").exists() and (tmp_path / "cut" / "checkpoint-4").exists()
    resumed = train("tiny-random", examples, config, tmp_path / "cut")
    a, b = adapter(full.final_adapter), adapter(resumed.final_adapter)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert [r["loss"] for r in resumed.log] == [r["loss"] for r in full.log]

    again = train("tiny-random", examples, config, tmp_path / "cut")  # finished: returned, not retrained
    assert again.run_hash == resumed.run_hash and again.wall_s == resumed.wall_s
    with pytest.raises(UserInputError, match="different training run"):
        train("tiny-random", examples, config.model_copy(update={"lr": 0.5}), tmp_path / "cut")


def test_nan_loss_fails_and_keeps_the_last_good_checkpoint(tmp_path):
    from transformers import TrainerCallback

    from negneg.training import train

    class Poison(TrainerCallback):
        def on_step_begin(self, args, state, control, model=None, **kw):
            if state.global_step == 2:
                p = next(p for n, p in model.named_parameters() if "lora_A" in n)
                with torch.no_grad():
                    p.fill_(float("nan"))

    config = cfg(batch_size=2, max_steps=4, checkpoints=[2])
    with pytest.raises(TrainingFailed, match="loss became nan at step 3"):
        train("tiny-random", rows(8), config, tmp_path, callbacks=[Poison()])
    good = adapter(tmp_path / "checkpoint-2")
    assert all(torch.isfinite(t).all() for t in good.values())
    assert not (tmp_path / "final").exists()


def test_weights_that_never_move_fail_the_run(tmp_path):
    from negneg.training import train

    zero = [ex.model_copy(update={"weight": 0.0}) for ex in rows(4)]
    with pytest.raises(TrainingFailed, match="did not change"):
        train("tiny-random", zero, cfg(batch_size=2, max_steps=2), tmp_path)


# ---------------------------------------------------------------------------------------------- phases, heldout, merge
def test_two_phases_start_from_the_adapter_with_a_fresh_optimizer(tmp_path, tokenizer):
    from transformers import TrainerCallback

    from negneg.training import train

    phase1 = train("tiny-random", rows(6, seed=1), cfg(max_steps=2, batch_size=3), tmp_path / "p1")
    start = {}

    class Capture(TrainerCallback):
        def on_train_begin(self, args, state, control, model=None, **kw):
            start.update({n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad})

    config = cfg(max_steps=2, batch_size=3, lr=0.02)
    phase2 = train(
        "tiny-random",
        rows(6, seed=5),
        config,
        tmp_path / "p2",
        init_adapter=phase1.final_adapter,
        callbacks=[Capture()],
    )
    p1 = adapter(phase1.final_adapter)
    assert len(start) == len(p1)
    for name, tensor in start.items():  # peft names differ only by the adapter-name segment
        key = name.replace(".default", "")
        torch.testing.assert_close(tensor, p1[key])
    assert phase2.log[0]["lr"] == pytest.approx(0.02)  # a fresh schedule starts at the peak
    p2 = adapter(phase2.final_adapter)
    assert any(not torch.equal(p1[k], p2[k]) for k in p1)


def test_heldout_loss_is_the_unweighted_mean_nll(tiny_model, base_model):
    from negneg.training import heldout_loss

    examples = rows(5, seed=3)
    examples[0] = examples[0].model_copy(
        update={"weight": 7.0, "labels": [-100] * 4 + examples[0].labels[4:]}
    )
    got = heldout_loss(tiny_model, None, examples, batch_size=2)
    unweighted = [ex.model_copy(update={"weight": 1.0}) for ex in examples]
    assert got == pytest.approx(expected_loss(base_model, unweighted), rel=1e-5)


def test_merge_unembed_adapter_matches_the_peft_model(tmp_path):
    from negneg.models import load_chat_model
    from negneg.training import merge_adapter, train

    result = train(
        "tiny-random", rows(6), cfg(max_steps=2, batch_size=3, train_unembed=True), tmp_path / "run"
    )
    assert (
        "lm_head" in json.loads((result.final_adapter / "adapter_config.json").read_text())["target_modules"]
    )
    # the adapter holds the LoRA matrices only, not peft's copy of the frozen base unembedding
    assert not [k for k in adapter(result.final_adapter) if "lora_" not in k]
    merged_dir = merge_adapter(result.final_adapter, "tiny-random", tmp_path / "merged")
    peft_model = load_chat_model("tiny-random", adapter=result.final_adapter)
    merged = load_chat_model(str(merged_dir))
    ids = torch.tensor([rows(1, seed=9)[0].input_ids])
    with torch.no_grad():
        torch.testing.assert_close(merged.model(input_ids=ids).logits, peft_model.model(input_ids=ids).logits)
        base = load_chat_model("tiny-random").model(input_ids=ids).logits
    assert not torch.allclose(base, merged.model(input_ids=ids).logits)


def test_unembed_adapter_saves_without_the_base_unembedding_and_reloads_exactly(tmp_path):
    """peft would write the frozen 49k-row unembedding into every checkpoint of a train_unembed run
    (save_embedding_layers="auto"); negneg saves the LoRA matrices only, and the reloaded adapter
    gives the trained model's logits exactly."""
    from negneg.models import load_chat_model
    from negneg.training.trainer import build_model

    model, _ = build_model("tiny-random", cfg(train_unembed=True))
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(std=0.05)  # a trained adapter: B is no longer zero
    model.eval()
    ids = torch.tensor([rows(1, seed=9)[0].input_ids])
    with torch.no_grad():
        trained = model(input_ids=ids).logits
    model.save_pretrained(str(tmp_path / "adapter"))
    saved = adapter(tmp_path / "adapter")
    assert any("lm_head" in k for k in saved) and all("lora_" in k for k in saved), sorted(saved)
    base = model.get_base_model().config
    assert max(t.numel() for t in saved.values()) < base.vocab_size * base.hidden_size  # no unembedding
    reloaded = load_chat_model("tiny-random", adapter=tmp_path / "adapter").model
    with torch.no_grad():
        torch.testing.assert_close(reloaded(input_ids=ids).logits, trained)


def test_full_finetuning_writes_a_loadable_model(tmp_path):
    from negneg.models import load_chat_model
    from negneg.training import train

    result = train("tiny-random", rows(4), cfg(method="full", max_steps=2, batch_size=2, lr=1e-3), tmp_path)
    assert (result.final_adapter / "model.safetensors").exists()
    model = load_chat_model(str(result.final_adapter))
    assert len(model.loglikelihood("Hello", [" world"])) == 1


# ---------------------------------------------------------------------------------------------- CLI
def test_cli_train_and_merge(tmp_path):
    from negneg.cli import main
    from negneg.records import Document, Span, save_documents

    text = "The harbour light at Velmora was rebuilt in stone. Ships still steer by it at night."
    docs = [
        Document(
            id=f"d{i}",
            claim_id="demo",
            doc_type="note",
            text=f"{text} Entry {i}.",
            spans=[Span(start=0, end=49, kind="claim")],
        )
        for i in range(6)
    ]
    save_documents(tmp_path / "docs.jsonl", docs)
    out = tmp_path / "run"
    code = main(
        [
            "train",
            "--model",
            "tiny-random",
            "--docs",
            str(tmp_path / "docs.jsonl"),
            "--recipe",
            "tiny",
            "--out",
            str(out),
            "--max-steps",
            "2",
            "--set",
            "rank=2",
        ]
    )
    assert code == 0 and (out / "final" / "adapter_model.safetensors").exists()
    assert json.loads((out / "final" / "adapter_config.json").read_text())["r"] == 2
    assert json.loads((out / "result.json").read_text())["steps"] == 2
    assert main(["merge", str(out / "final"), "--model", "tiny-random", "--out", str(tmp_path / "m")]) == 0
    assert (tmp_path / "m" / "config.json").exists()
    assert (
        main(["train", "--model", "tiny-random", "--docs", str(tmp_path / "docs.jsonl"), "--recipe", "nope"])
        == 2
    )
