"""Training throughput: negneg's trainer against a minimal plain PyTorch LoRA loop, same run.

Both train the same model with the same LoRA config on the same packed batches (same examples,
same step plan, same tensors); the plain loop is forward → cross-entropy → backward → clip →
AdamW → schedule, nothing else. The two are interleaved step by step in one process: after each
negneg step (run by transformers' Trainer), a callback runs the plain loop's step on the same
batch, so both sides always see the same machine load — on a shared machine, comparing separate
runs was off by ±20%. negneg's step time runs from the end of the previous plain step to the end
of its own step, so it includes everything its trainer does between steps (logging, token
counting, NaN guard, checkpoint saves, collation) but not model loading. The first step of each
side is warm-up and not counted. Also printed: padding waste, the device's matmul peak (bf16 on a
GPU, fp32 on the CPU: see bench/device.py) and each side's model-FLOP utilisation against it (MFU;
LoRA 4N FLOPs per token, full finetuning 6N, plus attention). On a GPU every timing is taken
after ``torch.cuda.synchronize()``. Each step is printed as it finishes. The ratio (target ≥ 0.9)
is printed last.

    NEGNEG_HOME=/tmp/nnhome .venv/bin/python bench/train_throughput.py                 # smollm2-135m
    NEGNEG_HOME=/tmp/nnhome .venv/bin/python bench/train_throughput.py --model tiny-random
    .venv/bin/python bench/train_throughput.py --model /path/to/model_dir --recipe paper   # a GPU
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

from device import linear_params, on_gpu, peak_flops, sync  # noqa: E402


def flops_per_token(model, mean_context: float, method: str = "lora") -> float:
    """Training FLOPs per token: 2N forward, plus 2N backward through the linears for the
    activations' gradients, plus (full finetuning only) 2N for the weights' gradients — 4N for
    LoRA (frozen base weights get no gradient), 6N for full; plus attention scores and mixing
    (4·d·ctx per layer forward, twice that backward). N counts every linear layer of the base
    model, the unembedding included."""
    cfg = model.config
    attention = 12 * cfg.num_hidden_layers * cfg.hidden_size * mean_context
    return (6 if method == "full" else 4) * linear_params(model) + attention


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
        from negneg.training.trainer import _use_bf16, build_model

        self.config = config
        self.device = "cuda" if on_gpu() else "cpu"
        self.model, _ = build_model(model_name, config)
        self.model.to(self.device)
        self.model.train()
        # as the Trainer does: bf16 autocast on a GPU (full finetuning keeps fp32 master weights)
        self.autocast = torch.autocast(self.device, dtype=torch.bfloat16, enabled=_use_bf16(config))
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
        sync()
        t0 = time.perf_counter()
        with self.autocast:
            logits = self.model(
                input_ids=batch["input_ids"].to(self.device),
                position_ids=batch["position_ids"].to(self.device),
                use_cache=False,
            ).logits
        loss = F.cross_entropy(
            logits.flatten(0, 1).float(), batch["shift_labels"].flatten().to(self.device), ignore_index=-100
        )
        loss.backward()
        if self.config.max_grad_norm:
            torch.nn.utils.clip_grad_norm_(self.params, self.config.max_grad_norm)
        self.opt.step()
        self.sched.step()
        self.opt.zero_grad(set_to_none=True)
        sync()
        return time.perf_counter() - t0


def paired_run(model_name, config, examples, batches, report=None) -> tuple[list[float], list[float], float]:
    """Run negneg's trainer; after each of its steps, run the plain loop's step on the same batch.

    negneg's step time is the wall time from the end of the previous plain step to the end of
    its own step (so it includes everything the Trainer does between steps: logging, token
    counting, guards, checkpoint saves, data collation). ``report(i, ours_s, plain_s)`` is called
    after each pair. Returns per-step seconds of both sides and negneg's padding fraction.
    """
    from transformers import TrainerCallback

    from negneg.training import train

    plain = PlainLoop(model_name, config, len(batches))
    ours_s: list[float] = []
    plain_s: list[float] = []

    class Pair(TrainerCallback):
        mark = 0.0

        def on_train_begin(self, args, state, control, **kw):
            sync()
            self.mark = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            sync()
            ours_s.append(time.perf_counter() - self.mark)
            plain_s.append(plain.step(batches[state.global_step - 1]))
            if report:
                report(state.global_step - 1, ours_s[-1], plain_s[-1])
            sync()
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
        f"model {args.model}; recipe {args.recipe} ({config.method}); {len(examples)} examples; "
        f"batch {config.batch_size} examples",
        flush=True,
    )
    print(f"batch shapes (rows × length): {shape}", flush=True)

    print("measuring the device's matmul peak …", flush=True)
    flops, peak_what = peak_flops()
    print(f"peak: {flops / 1e12:.4f} TFLOP/s ({peak_what})", flush=True)
    print("loading the model (once to count its FLOPs, then once per side) …", flush=True)
    model, _ = build_model(args.model, config)
    seg = [len(examples[i].input_ids) for mb in plan for i in mb]
    per_token = flops_per_token(model, mean_context=statistics.mean(seg) / 2, method=config.method)
    del model
    tokens = [int(b["num_tokens"]) for b in batches]

    def report(i: int, o: float, p: float) -> None:
        print(
            f"step {i + 1}/{len(batches)}: {tokens[i]} tokens; plain {tokens[i] / p:.1f} tok/s, "
            f"negneg {tokens[i] / o:.1f} tok/s",
            flush=True,
        )

    print(f"training {len(batches)} paired steps (negneg's Trainer, then the plain loop) …", flush=True)
    ours_s, plain_s, padding = paired_run(args.model, config, examples, batches, report)
    # The first step of each side is warm-up (allocator, first-touch); the rest are paired.
    n_tok = sum(tokens[1:])
    plain_rate, our_rate = n_tok / sum(plain_s[1:]), n_tok / sum(ours_s[1:])
    print(f"padding waste: {100 * padding:.2f}% of tokens (target < 5%)")
    print(f"matmul peak: {flops / 1e9:.1f} GFLOP/s ({peak_what})")
    n_mult = "6N" if config.method == "full" else "4N"
    print(f"model FLOPs/token ({config.method}: {n_mult} + attention): {per_token / 1e6:.1f} MFLOP")
    print(
        f"MFU: plain {100 * plain_rate * per_token / flops:.1f}%, negneg {100 * our_rate * per_token / flops:.1f}%"
    )
    print(f"tokens/s (steps 2–{len(tokens)}): plain loop {plain_rate:.1f}, negneg trainer {our_rate:.1f}")
    print(f"ratio negneg/plain: {our_rate / plain_rate:.3f} (target >= 0.9)")


def rate(steps: list[tuple[int, float]]) -> float:
    return sum(t for t, _ in steps) / max(sum(s for _, s in steps), 1e-9)


if __name__ == "__main__":
    main()
