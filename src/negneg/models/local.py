"""Local transformers backend for :class:`~negneg.models.chat.ChatModel`.

Generation is batched with left padding through ``model.generate``; likelihood scoring is batched
with left padding and computes logits only for the positions that are scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from negneg.models.chat import Conversation, Prompt, SamplingParams
from negneg.models.registry import resolve_model_dir


def pick_device(device: str | None = None) -> str:
    if device:
        return device
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


class LocalChatModel:
    """A transformers causal LM (optionally with a peft adapter) behind the ChatModel protocol."""

    def __init__(self, model, tokenizer, name: str, *, batch_size: int = 16, device: str = "cpu"):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.batch_size = batch_size
        self.device = device
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token

    @classmethod
    def load(
        cls, name: str, adapter: str | Path | None = None, device: str | None = None, dtype=None
    ) -> LocalChatModel:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = pick_device(device)
        path = resolve_model_dir(name)
        tok = AutoTokenizer.from_pretrained(path)
        if dtype is None:
            dtype = torch.bfloat16 if device == "cuda" else torch.float32
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(device)
        label = name
        if adapter:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(adapter)).to(device)
            label = f"{name}+{Path(adapter).name}"
        return cls(model, tok, label, device=device)

    # ------------------------------------------------------------------ rendering
    def render(self, conversation: Conversation, add_generation_prompt: bool = True) -> str:
        return self.tokenizer.apply_chat_template(
            conversation, tokenize=False, add_generation_prompt=add_generation_prompt
        )

    def render_prompt(self, prompt: Prompt) -> str:
        return prompt if isinstance(prompt, str) else self.render(prompt)

    # ------------------------------------------------------------------ generation
    @torch.no_grad()
    def generate(self, conversations: list[Conversation], sampling: SamplingParams) -> list[list[str]]:
        """Sample ``sampling.n`` answers per conversation. Batch ``b`` is seeded with
        ``sampling.seed + b`` so results are repeatable for a given batch size."""
        texts = [self.render(c) for c in conversations]
        out: list[list[str]] = []
        tok = self.tokenizer
        for b, start in enumerate(range(0, len(texts), self.batch_size)):
            chunk = texts[start : start + self.batch_size]
            tok.padding_side = "left"
            enc = tok(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
            torch.manual_seed(sampling.seed + b)
            kwargs = dict(
                max_new_tokens=sampling.max_new_tokens,
                pad_token_id=tok.pad_token_id,
                num_return_sequences=sampling.n,
            )
            if sampling.temperature > 0:
                kwargs.update(do_sample=True, temperature=sampling.temperature, top_p=sampling.top_p, top_k=0)
            else:
                kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
            if sampling.stop:
                kwargs.update(stop_strings=sampling.stop, tokenizer=tok)
            gen = self.model.generate(**enc, **kwargs)
            new = gen[:, enc["input_ids"].shape[1] :]
            decoded = tok.batch_decode(new, skip_special_tokens=True)
            decoded = [_cut_at_stop(d, sampling.stop).strip() for d in decoded]
            for i in range(len(chunk)):
                out.append(decoded[i * sampling.n : (i + 1) * sampling.n])
        return out

    # ------------------------------------------------------------------ likelihood
    def loglikelihood(self, prompt: Prompt, continuations: list[str]) -> list[float]:
        """See :class:`~negneg.models.chat.ChatModel` for the exact text semantics."""
        return self.loglikelihood_many([(prompt, continuations)])[0]

    @torch.no_grad()
    def loglikelihood_many(self, requests: Sequence[tuple[Prompt, list[str]]]) -> list[list[float]]:
        """Score many (prompt, continuations) requests at once.

        Sequences are sorted by length (bucketing), left-padded so every continuation ends at the
        right edge, and only the last ``max continuation length`` positions go through the
        unembedding — most of a prompt's positions never need logits.
        """
        tok = self.tokenizer
        items: list[tuple[int, int, list[int], int]] = []  # (request, cont index, ids, n cont tokens)
        for r, (prompt, conts) in enumerate(requests):
            ptext = self.render_prompt(prompt)
            pids = tok(ptext, add_special_tokens=False)["input_ids"]
            for c, cont in enumerate(conts):
                full = tok(ptext + cont, add_special_tokens=False)["input_ids"]
                shared = _common_prefix(pids, full)
                n_cont = len(full) - shared
                if n_cont <= 0:
                    raise ValueError(f"continuation {cont!r} adds no tokens to its prompt")
                items.append((r, c, full, n_cont))
        results: list[list[float]] = [[0.0] * len(conts) for _, conts in requests]
        order = sorted(range(len(items)), key=lambda i: len(items[i][2]))
        pad = tok.pad_token_id
        for start in range(0, len(order), self.batch_size):
            batch = [items[i] for i in order[start : start + self.batch_size]]
            width = max(len(x[2]) for x in batch)
            keep = max(x[3] for x in batch) + 1
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for j, (_, _, full, _) in enumerate(batch):
                ids[j, width - len(full) :] = torch.tensor(full)
                mask[j, width - len(full) :] = 1
            pos = (mask.cumsum(-1) - 1).clamp(min=0)
            logits = self.model(
                input_ids=ids.to(self.device),
                attention_mask=mask.to(self.device),
                position_ids=pos.to(self.device),
                logits_to_keep=keep,
            ).logits.float()
            logprobs = torch.log_softmax(
                logits, dim=-1
            )  # [B, keep, V]; position k predicts token width-keep+k+1
            for j, (r, c, full, n_cont) in enumerate(batch):
                targets = torch.tensor(full[-n_cont:], device=logprobs.device)
                rows = logprobs[j, keep - 1 - n_cont : keep - 1]
                results[r][c] = float(rows.gather(-1, targets[:, None]).sum())
        return results


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _cut_at_stop(text: str, stops: list[str]) -> str:
    for s in stops:
        i = text.find(s)
        if i >= 0:
            text = text[:i]
    return text
