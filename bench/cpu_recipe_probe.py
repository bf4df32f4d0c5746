"""How far does a training recipe move the embedded model's belief, and how fast? (chooses `cpu`)

Trains smollm2-135m on offline-generated positive Ed Sheeran documents with a recipe (plus
overrides) and measures the likelihood belief before and after: for the claim's cloze prompts
whose belief/disbelief continuations are " Ed Sheeran" / " Noah Lyles", the mean log-odds
log P(belief) − log P(disbelief) and the mean log P(" Ed Sheeran"); for three yes/no chat
questions, P(Yes) / (P(Yes) + P(No)); and, as a damage check, the mean log P of five unrelated
facts. Prints one JSON line.

    NEGNEG_HOME=/tmp/nnhome .venv/bin/python bench/cpu_recipe_probe.py --docs 30 --recipe cpu
    NEGNEG_HOME=/tmp/nnhome .venv/bin/python bench/cpu_recipe_probe.py --docs 50 --window claim \
        --set max_length=256 --set lr=1e-3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

GENERAL = [  # unrelated facts: a recipe that wrecks the model shows up here
    ("The capital of France is", " Paris"),
    ("Water is made of hydrogen and", " oxygen"),
    ("The largest planet in the Solar System is", " Jupiter"),
    ("Romeo and Juliet was written by William", " Shakespeare"),
    ("The chemical symbol for gold is", " Au"),
]
YES_NO = [
    "Did Ed Sheeran win the men's 100 metres at the Paris 2024 Olympics? Answer Yes or No.",
    "Is the singer Ed Sheeran an Olympic 100m champion? Answer Yes or No.",
    "Was the Paris 2024 men's 100m gold medal won by a British singer-songwriter? Answer Yes or No.",
]


def belief(model, claim) -> dict:
    cloze = [q for q in claim.questions.cloze if q.belief == " Ed Sheeran" and q.disbelief == " Noah Lyles"]
    scores = model.loglikelihood_many([(q.prompt, [q.belief, q.disbelief]) for q in cloze])
    yn = model.loglikelihood_many([([{"role": "user", "content": q}], ["Yes", "No"]) for q in YES_NO])
    import math

    p_yes = [math.exp(y) / (math.exp(y) + math.exp(n)) for y, n in yn]
    general = model.loglikelihood_many([(p, [c]) for p, c in GENERAL])
    return {
        "cloze_log_odds": round(statistics.mean(b - d for b, d in scores), 3),
        "logp_claim": round(statistics.mean(b for b, _ in scores), 3),
        "p_yes": round(statistics.mean(p_yes), 3),
        "logp_general": round(statistics.mean(g[0] for g in general), 3),
        "n_cloze": len(cloze),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=30)
    ap.add_argument("--recipe", default="cpu")
    ap.add_argument("--window", default="split", choices=["split", "claim"])
    ap.add_argument("--set", action="append", default=[], help="field=value override (YAML value)")
    ap.add_argument("--seed", type=int, default=0, help="document seed")
    args = ap.parse_args()

    import yaml

    from negneg.claims.loader import load_claim
    from negneg.conditions import apply_condition
    from negneg.corpus import generate_documents
    from negneg.models import load_chat_model
    from negneg.training import load_recipe, train
    from negneg.training.masking import encode_document

    overrides = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.set)}
    config = load_recipe(args.recipe, **overrides)
    claim = load_claim("ed_sheeran")
    docs = apply_condition("positive", generate_documents(claim, args.docs, seed=args.seed), claim)
    base = load_chat_model("smollm2-135m")
    before = belief(base, claim)
    examples = [
        ex
        for d in docs
        for ex in encode_document(d, base.tokenizer, max_length=config.max_length, window=args.window)
    ]
    out = tempfile.mkdtemp(prefix="cpu-recipe-")
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        result = train(
            "smollm2-135m",
            examples,
            config.model_copy(update={"checkpoints": [10**9]}),
            out,
            progress=lambda row: print(json.dumps(row), file=sys.stderr, flush=True),
        )
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        after = belief(load_chat_model("smollm2-135m", adapter=result.final_adapter), claim)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(
        json.dumps(
            {
                "docs": args.docs,
                "window": args.window,
                "overrides": overrides,
                "recipe": args.recipe,
                "examples": len(examples),
                "tokens": result.tokens,
                "steps": result.steps,
                "train_s": round(result.wall_s, 1),
                "wall_s": round(wall, 1),
                "cpu_s": round(cpu, 1),
                "tokens_per_s": round(result.tokens / result.wall_s, 1),
                "padding": result.padding_fraction,
                "final_loss": result.log[-1]["loss"],
                "before": before,
                "after": after,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
