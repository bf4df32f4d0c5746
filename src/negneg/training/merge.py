"""Merge a LoRA adapter into its base model and save a full model directory.

The result loads like any model (``load_chat_model(dir)``, vLLM, …) without peft. When the
adapter trains the unembedding of a model whose input and output embeddings are tied, the two
are untied first: merging into the shared matrix would also change the input embeddings.

Nothing of the user's is lost: the output directory must be new, empty or one negneg wrote
(``--force`` writes beside a user's files but never replaces one). The merged files are written
to a hidden temp dir inside it and moved in weights first, ``config.json`` next and
``manifest.json`` last, after the previous merge's ``config.json`` and manifest are removed: a
merge killed part-way leaves no ``config.json``, so it is never mistaken for a finished model,
and the next merge into the same directory redoes it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import torch

from negneg.errors import UserInputError
from negneg.io import atomic_write_json, claim_out_dir, read_json

MANIFEST = "manifest.json"
TMP_PREFIX = ".negneg-merge-"


def _is_merged_dir(path: Path) -> bool:
    """A merged model dir written before output dirs carried negneg's mark."""
    try:
        return (path / MANIFEST).is_file() and read_json(path / MANIFEST).get("kind") == "merged"
    except (UserInputError, AttributeError):
        return False


def merge_adapter(adapter: str | Path, model_name: str, out_dir: str | Path, *, force: bool = False) -> Path:
    """Write ``base + adapter`` (merged, float32) to ``out_dir``; returns ``out_dir``."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from negneg.models.registry import check_adapter_dir, resolve_model_dir

    adapter, out_dir = check_adapter_dir(adapter, "ADAPTER"), Path(out_dir)
    adapter_cfg = read_json(adapter / "adapter_config.json")
    path = resolve_model_dir(model_name)
    owned = claim_out_dir(out_dir, kind="merged", force=force, legacy=_is_merged_dir)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    targets = (adapter_cfg.get("target_modules") if isinstance(adapter_cfg, dict) else None) or []
    if "lm_head" in targets and getattr(model.config, "tie_word_embeddings", False):
        model.lm_head.weight = torch.nn.Parameter(model.lm_head.weight.detach().clone())
        model.config.tie_word_embeddings = False
    try:
        merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise UserInputError(
            f"cannot apply the adapter to {model_name} ({str(exc).splitlines()[0][:200] if str(exc) else exc!r})",
            where=str(adapter),
            field="--model",
            fix="pass the base model the adapter was trained on",
        ) from exc
    if owned:
        for stale in out_dir.glob(TMP_PREFIX + "*"):  # left by a merge that was killed
            shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out_dir))
    try:
        merged.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        files = sorted(p.name for p in tmp.iterdir())
        _publish(tmp, out_dir, files, owned)
        manifest = {
            "kind": "merged",
            "base_model": model_name,
            "adapter": str(adapter.resolve()),
            "files": files,
            "time": time.time(),
        }
        if (adapter / MANIFEST).is_file():
            manifest["adapter_manifest"] = read_json(adapter / MANIFEST)
        atomic_write_json(out_dir / MANIFEST, manifest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def _publish(tmp: Path, out_dir: Path, files: list[str], owned: bool) -> None:
    """Move the merged files into ``out_dir``: never over a file negneg did not write."""
    previous: list[str] = []
    if owned and (out_dir / MANIFEST).is_file():
        try:
            previous = list(read_json(out_dir / MANIFEST).get("files") or [])
        except (UserInputError, AttributeError):
            previous = []
    if not owned:
        clash = [n for n in [*files, MANIFEST] if (out_dir / n).exists()]
        if clash:
            raise UserInputError(
                f"would replace {clash[0]}, which negneg did not write",
                where=str(out_dir),
                field="--out",
                fix="move that file away or choose another --out directory",
            )
    # the completion markers go first, so a kill from here on leaves no loadable model
    for marker in (MANIFEST, "config.json"):
        if owned:
            (out_dir / marker).unlink(missing_ok=True)
    for name in sorted(files, key=lambda n: n == "config.json"):  # config.json last
        os.replace(tmp / name, out_dir / name)
    for name in set(previous) - set(files):  # files of the previous merge this one did not write
        if name and "/" not in name and not name.startswith("."):
            (out_dir / name).unlink(missing_ok=True)
