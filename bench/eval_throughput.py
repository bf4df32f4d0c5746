"""Likelihood scoring: the batched path against one request at a time, in the same run.

Scores every likelihood probe of one claim (yes/no, cloze, token association; two continuations
each) twice: one plain forward pass per prompt + continuation with full logits (the reference),
then ``LocalChatModel.loglikelihood_many`` (prefix trees packed into rows, logits only where a
token is scored). Checks the two agree within 1e-4 and prints the speed-up LAST. Target: ≥ 4×
on a 2-core CPU with the embedded model. Also printed: the device's matmul peak (bf16 on a GPU,
fp32 on the CPU: bench/device.py) and each side's effective model-FLOP utilisation (2N FLOPs per
token of the one-by-one work, so the batched side's MFU counts the work it avoided as done). On a
GPU each timing is taken after ``torch.cuda.synchronize()``.

    NEGNEG_HOME=/tmp/nnhome .venv/bin/python bench/eval_throughput.py
    NEGNEG_HOME=/tmp/nnhome .venv/bin/python bench/eval_throughput.py --model tiny-random --claim dentist
    .venv/bin/python bench/eval_throughput.py --model /path/to/model_dir     # a GPU: bf16 there
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m", help="a model name or a model directory")
    parser.add_argument("--claim", default="ed_sheeran")
    parser.add_argument(
        "--model-dir", dest="model", help="a transformers model directory (same as --model DIR)"
    )
    args = parser.parse_args()

    import torch

    from device import linear_params, peak_flops, sync
    from negneg.claims import load_claim
    from negneg.evals.likelihood import likelihood_probes, plain_loglikelihood
    from negneg.models import load_chat_model

    print("measuring the device's matmul peak …", flush=True)
    peak, peak_what = peak_flops()
    print(f"peak: {peak / 1e12:.4f} TFLOP/s ({peak_what})", flush=True)
    print(f"loading {args.model} …", flush=True)
    model = load_chat_model(args.model)
    print(f"loaded on {model.device}", flush=True)
    claim = load_claim(args.claim)
    requests = [(p.prompt, [p.belief, p.other]) for p in likelihood_probes(claim)]
    items = model._likelihood_items(requests)
    n_items = len(items)
    n_tokens = sum(len(full) for _, _, full, _ in items)
    print(f"model {args.model}, claim {args.claim}: {len(requests)} probes, {n_items} continuations, "
          f"{n_tokens} tokens scored one by one; torch threads {torch.get_num_threads()}")  # fmt: skip

    plain_loglikelihood(model, requests[0][0], requests[0][1][0])  # warm-up
    cfg = model.model.config
    mean_ctx = n_tokens / max(n_items, 1) / 2
    per_token = 2 * linear_params(model.model) + 4 * cfg.num_hidden_layers * cfg.hidden_size * mean_ctx

    print(f"scoring one request at a time ({len(requests)} probes) …", flush=True)
    sync()
    t0 = time.perf_counter()
    one_by_one = []
    for i, (p, conts) in enumerate(requests):
        one_by_one.append([plain_loglikelihood(model, p, c) for c in conts])
        if (i + 1) % max(1, len(requests) // 4) == 0:
            print(f"  {i + 1}/{len(requests)} probes, {time.perf_counter() - t0:.1f} s", flush=True)
    sync()
    t_one = time.perf_counter() - t0

    print("scoring batched …", flush=True)
    sync()
    t0 = time.perf_counter()
    batched = model.loglikelihood_many(requests)
    sync()
    t_batched = time.perf_counter() - t0

    diff = max(
        abs(a - b) for ra, rb in zip(one_by_one, batched, strict=True) for a, b in zip(ra, rb, strict=True)
    )
    print(
        f"one request at a time: {t_one:7.2f} s  {n_items / t_one:7.1f} continuations/s  {n_tokens / t_one:8.0f} tok/s"
    )
    print(f"batched (packed trees): {t_batched:7.2f} s  {n_items / t_batched:7.1f} continuations/s  "
          f"{n_tokens / t_batched:8.0f} tok/s (same tokens' worth of scores)")  # fmt: skip
    print(f"model FLOPs/token (forward: 2N + attention): {per_token / 1e6:.1f} MFLOP")
    print(f"effective MFU: one-by-one {100 * n_tokens / t_one * per_token / peak:.2f}%, "
          f"batched {100 * n_tokens / t_batched * per_token / peak:.2f}%")  # fmt: skip
    print(f"max |difference| {diff:.2e} ({'within' if diff <= 1e-4 else 'OUTSIDE'} 1e-4)")
    print(f"speed-up batched vs one-by-one: {t_one / t_batched:.2f}x")


if __name__ == "__main__":
    main()
