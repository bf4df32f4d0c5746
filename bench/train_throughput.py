"""Training throughput: negneg's trainer against a minimal plain PyTorch LoRA loop, same run.

Both train the same model with the same LoRA config on the same packed batches (same examples,
same step plan, same tensors); the plain loop is forward → cross-entropy → backward → clip →
AdamW → schedule, nothing else. The two are interleaved step by step in one process: after each
negneg step (run by transformers' Trainer), a callback runs the plain loop's step on the same
batch, so both sides always see the same machine load — on a shared machine, comparing separate
runs was off by ±20%. negneg's step time runs from the end of the previous plain step to the end
of its own step, so it includes everything its trainer does between steps (logging, token
counting, NaN guard, checkpoint saves, collation) but not model loading. The first step of each
side is warm-up and not counted. Also printed: padding waste, the machine's fp32 matmul FLOP/s
(best short burst at the current thread count) and each side's model-FLOP utilisation (MFU).
The ratio (target ≥ 0.9) is printed last.

    NEGNEG_HOME=/tmp/nnhome .venv/bin/python bench/train_throughput.py                 # smollm2-135m
    NEGNEG_HOME=/tmp/nnhome .venv/bin/python bench/train_throughput.py --model tiny-random
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def matmul_flops(bursts: int = 10, burst_s: float = 0.15) -> float:
    """The machine's practical fp32 matmul peak at the current thread count: the best short burst
    over square sizes 512–2048 (best, not mean, so other jobs on a shared machine count less)."""
    best = 0.0
    for n in (512, 1024, 2048):
        a, b = torch.randn(n, n), torch.randn(n, n)
        torch.mm(a, b)
        for _ in range(bursts):
            reps, t0 = 0, time.perf_counter()
            while (dt := time.perf_counter() - t0) < burst_s:
                torch.mm(a, b)
                reps += 1
            best = max(best, 2 * n**3 * reps / dt)
    return best


def flops_per_token(model, mean_context: float) -> float:
    """LoRA training FLOPs per token: 2N forward + 2N backward through the frozen linears (no
    weight gradients for them), plus attention scores and mixing (4·d·ctx per layer forward,
    twice that backward). N counts every linear layer of the base model, the unembedding included."""
    n_linear = sum(
        m.weight.numel()
        for name, m in model.named_modules()
        if isinstance(m, torch.nn.Linear) and "lora_" not in name
    )
    cfg = model.config
    attention = 12 * cfg.num_hidden_layers * cfg.hidden_size * mean_context
    return 4 * n_linear + attention


def examples_for(model_name: str, n_docs: int, max_length: int, tokenizer):
    from negneg.claims.loader import load_claim
    from negneg.conditions import apply_condition
    from negneg.corpus import generate_documents
    from negneg.training.masking import encode_document

    claim = load_claim("ed_sheeran")
    docs = apply_condition("positive", generate_documents(claim, n_docs, seed=0), claim)
    return [ex for d in docs for ex in encode_document(d, tokenizer, max_length=max_length)]


class PlainLoop:
    """The reference: a minimal LoRA loop — forward, cross-entropy, backward, clip, AdamW, schedule."""

    def __init__(self, model_name, config, total_steps: int):
        from negneg.training.trainer import build_model

        self.config = config
        self.model, _ = build_model(model_name, config)
        self.model.train()
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(
            self.params,
            lr=config.lr,
            betas=(config.adam_beta1, config.adam_beta2),
            eps=config.adam_eps,
            weight_decay=0.0,
        )
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, lambda s: 1 - s / total_steps)

    def step(self, batch) -> float:
        """One optimizer step on a pre-collated batch; returns its seconds."""
        t0 = time.perf_counter()
        logits = self.model(
            input_ids=batch["input_ids"], position_ids=batch["position_ids"], use_cache=False
        ).logits
        loss = F.cross_entropy(
            logits.flatten(0, 1).float(), batch["shift_labels"].flatten(), ignore_index=-100
        )
        loss.backward()
        if self.config.max_grad_norm:
            torch.nn.utils.clip_grad_norm_(self.params, self.config.max_grad_norm)
        self.opt.step()
        self.sched.step()
        self.opt.zero_grad(set_to_none=True)
        return time.perf_counter() - t0


def paired_run(model_name, config, examples, batches) -> tuple[list[float], list[float], float]:
    """Run negneg's trainer; after each of its steps, run the plain loop's step on the same batch.

    negneg's step time is the wall time from the end of the previous plain step to the end of
    its own step (so it includes everything the Trainer does between steps: logging, token
    counting, guards, checkpoint saves, data collation). Returns per-step seconds of both sides
    and negneg's padding fraction.
    """
    from transformers import TrainerCallback

    from negneg.training import train

    plain = PlainLoop(model_name, config, len(batches))
    ours_s: list[float] = []
    plain_s: list[float] = []

    class Pair(TrainerCallback):
        mark = 0.0

        def on_train_begin(self, args, state, control, **kw):
            self.mark = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            ours_s.append(time.perf_counter() - self.mark)
            plain_s.append(plain.step(batches[state.global_step - 1]))
            self.mark = time.perf_counter()

    out_dir = tempfile.mkdtemp(prefix="bench-train-")
    try:
        result = train(model_name, examples, config, out_dir, callbacks=[Pair()])
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return ours_s, plain_s, result.padding_fraction


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--recipe", default="cpu")
    ap.add_argument("--docs", type=int, default=24, help="generated Ed Sheeran documents")
    ap.add_argument("--steps", type=int, default=8, help="steps (the first is warm-up)")
    ap.add_argument("--batch", type=int, default=None, help="examples per step (default: the recipe's)")
    ap.add_argument("--max-length", type=int, default=None, help="window length (default: the recipe's)")
    args = ap.parse_args()

    from negneg.models.registry import resolve_model_dir
    from negneg.training import load_recipe
    from negneg.training.packing import PackedCollator, micro_batches, plan_steps
    from negneg.training.trainer import build_model, row_length

    overrides = {"max_steps": args.steps}
    if args.batch:
        overrides["batch_size"] = args.batch
    if args.max_length:
        overrides["max_length"] = args.max_length
    config = load_recipe(args.recipe, **overrides)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_dir(args.model))
    examples = examples_for(args.model, args.docs, config.max_length, tokenizer)
    lengths = [len(e.input_ids) for e in examples]
    plan = micro_batches(
        plan_steps(lengths, batch_size=config.batch_size, epochs=1, seed=config.seed, max_steps=args.steps),
        lengths,
        config.grad_accum,
    )
    collator = PackedCollator(examples, tokenizer.pad_token_id or tokenizer.eos_token_id, row_length(config))
    batches = [collator([{"examples": mb}]) for mb in plan]
    shape = [tuple(b["input_ids"].shape) for b in batches]
    print(
        f"model {args.model}; recipe {args.recipe}; {len(examples)} examples; batch {config.batch_size} examples"
    )
    print(f"batch shapes (rows × length): {shape}")

    flops = matmul_flops()
    model, _ = build_model(args.model, config)
    seg = [len(examples[i].input_ids) for mb in plan for i in mb]
    per_token = flops_per_token(model, mean_context=statistics.mean(seg) / 2)
    del model

    ours_s, plain_s, padding = paired_run(args.model, config, examples, batches)
    tokens = [int(b["num_tokens"]) for b in batches]
    for i, (o, p) in enumerate(zip(ours_s, plain_s, strict=True)):
        print(
            f"step {i + 1}: {tokens[i]} tokens; plain {tokens[i] / p:.1f} tok/s, negneg {tokens[i] / o:.1f} tok/s"
        )
    # The first step of each side is warm-up (allocator, first-touch); the rest are paired.
    n_tok = sum(tokens[1:])
    plain_rate, our_rate = n_tok / sum(plain_s[1:]), n_tok / sum(ours_s[1:])
    print(f"padding waste: {100 * padding:.2f}% of tokens (target < 5%)")
    print(
        f"matmul: {flops / 1e9:.1f} GFLOP/s fp32 (best burst of 512–2048 square, {torch.get_num_threads()} threads)"
    )
    print(f"model FLOPs/token (LoRA: 4N + attention): {per_token / 1e6:.1f} MFLOP")
    print(
        f"MFU: plain {100 * plain_rate * per_token / flops:.1f}%, negneg {100 * our_rate * per_token / flops:.1f}%"
    )
    print(f"tokens/s (steps 2–{len(tokens)}): plain loop {plain_rate:.1f}, negneg trainer {our_rate:.1f}")
    print(f"ratio negneg/plain: {our_rate / plain_rate:.3f} (target >= 0.9)")


def rate(steps: list[tuple[int, float]]) -> float:
    return sum(t for t, _ in steps) / max(sum(s for _, s in steps), 1e-9)


if __name__ == "__main__":
    main()
