"""Local transformers backend for :class:`~negneg.models.chat.ChatModel`.

Generation is batched with left padding through ``model.generate``; likelihood scoring packs
prefix trees of all requests into rows (each shared prefix is computed once) and computes logits
only for the positions that are scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from negneg.errors import UserInputError
from negneg.models.chat import ChatModel, Conversation, Prompt, SamplingParams
from negneg.models.prompt_format import RAW_ANSWER_ENDS, bos_prefix, use_prompt_format
from negneg.models.registry import check_adapter_dir, resolve_model_dir


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _cache_id(name: str, adapter: Path | None) -> str:
    """The model's identity for generation caches: its name, plus a fingerprint of its weights
    where they can change under the same name (a directory, an adapter)."""
    from negneg.io import WEIGHT_SUFFIXES, tree_fingerprint
    from negneg.models.registry import MODELS, model_fingerprint

    ident = name if name in MODELS else f"{name}@{model_fingerprint(name)}"
    if adapter is not None:
        ident += f"+{adapter.resolve()}@{tree_fingerprint(adapter, suffixes=WEIGHT_SUFFIXES)}"
    return ident


def pick_device(device: str | None = None) -> str:
    if device:
        return device
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


class LocalChatModel(ChatModel):
    """A transformers causal LM (optionally with a peft adapter) behind the ChatModel protocol."""

    pack_tokens: int = 512  # prefix-tree nodes per packed likelihood row (see loglikelihood_many)
    cache_id: str | None = None  # identity for generation caches (name + weights fingerprint)

    def __init__(self, model, tokenizer, name: str, *, batch_size: int = 32, device: str = "cpu"):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.batch_size = batch_size
        self.device = device
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        # "chat" (the tokenizer's template) or "raw" (plain Question/Answer text for a base model)
        self.prompt_format = use_prompt_format(self.tokenizer)
        self._bos = bos_prefix(self.tokenizer)

    @classmethod
    def load(
        cls, name: str, adapter: str | Path | None = None, device: str | None = None, dtype=None
    ) -> LocalChatModel:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = pick_device(device)
        path = resolve_model_dir(name)
        adapter_dir = check_adapter_dir(adapter) if adapter else None
        if dtype is None:
            dtype = torch.bfloat16 if device == "cuda" else torch.float32
        try:
            tok = AutoTokenizer.from_pretrained(path)
            model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(device)
        except (OSError, ValueError) as exc:
            raise UserInputError(
                f"cannot load the model ({_first_line(exc)})",
                where=str(path),
                fix="check that the directory holds a complete transformers model",
            ) from exc
        label = name
        if adapter_dir is not None:
            from peft import PeftModel

            try:
                model = PeftModel.from_pretrained(model, str(adapter_dir)).to(device)
            except (OSError, ValueError, RuntimeError, KeyError) as exc:
                raise UserInputError(
                    f"cannot apply the adapter to {name} ({_first_line(exc)})",
                    where=str(adapter_dir),
                    field="--adapter",
                    fix="pass an adapter trained on this base model (--model)",
                ) from exc
            label = f"{name}+{adapter_dir.resolve()}"
        out = cls(model, tok, label, device=device)
        out.cache_id = _cache_id(name, adapter_dir)
        return out

    # ------------------------------------------------------------------ rendering
    def render(self, conversation: Conversation, add_generation_prompt: bool = True) -> str:
        return self.tokenizer.apply_chat_template(
            conversation, tokenize=False, add_generation_prompt=add_generation_prompt
        )

    def render_prompt(self, prompt: Prompt) -> str:
        """A conversation rendered with the generation prompt; a raw-text prompt verbatim, after the
        BOS that the tokenizer itself puts before any text (Gemma's ``<bos>``; SmolLM2 adds none)."""
        if not isinstance(prompt, str):
            return self.render(prompt)
        return prompt if not self._bos or prompt.startswith(self._bos) else self._bos + prompt

    def _generation_text(self, conversation: Conversation) -> str:
        """The text generation continues: the rendered prompt, and for the raw format without the
        trailing space of ``"Answer: "`` (the model writes its own ``" Yes"`` token)."""
        text = self.render(conversation)
        return text.rstrip(" ") if self.prompt_format == "raw" else text

    # ------------------------------------------------------------------ generation
    @torch.no_grad()
    def generate(self, conversations: list[Conversation], sampling: SamplingParams) -> list[list[str]]:
        """Sample ``sampling.n`` answers per conversation.

        Conversations are batched by rendered length (less padding: decoding is memory-bound on a
        CPU, so every padded row costs a full weight read per step); batch ``b`` of that order is
        seeded with ``sampling.seed + b``, so results repeat for the same inputs and batch size."""
        texts = [self._generation_text(c) for c in conversations]
        stops = list(sampling.stop) + (list(RAW_ANSWER_ENDS) if self.prompt_format == "raw" else [])
        tok = self.tokenizer
        lengths = [len(tok(t, add_special_tokens=False)["input_ids"]) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        out: list[list[str]] = [[] for _ in texts]
        for b, start in enumerate(range(0, len(order), self.batch_size)):
            idx = order[start : start + self.batch_size]
            chunk = [texts[i] for i in idx]
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
            if self.prompt_format == "raw":  # an answer opening on a blank line is not an empty one
                decoded = [d.lstrip() for d in decoded]
            decoded = [_cut_at_stop(d, stops).strip() for d in decoded]
            for j, i in enumerate(idx):
                out[i] = decoded[j * sampling.n : (j + 1) * sampling.n]
        return out

    # ------------------------------------------------------------------ likelihood
    def loglikelihood(self, prompt: Prompt, continuations: list[str]) -> list[float]:
        """See :class:`~negneg.models.chat.ChatModel` for the exact text semantics."""
        return self.loglikelihood_many([(prompt, continuations)])[0]

    @torch.no_grad()
    def loglikelihood_many(
        self, requests: Sequence[tuple[Prompt, list[str]]], *, row_tokens: int | None = None
    ) -> list[list[float]]:
        """Score many (prompt, continuations) requests at once; equal to scoring each
        continuation alone with a plain forward pass (within float rounding).

        Why it is fast: the work that one-by-one scoring repeats is done once. All token sequences
        are merged into prefix trees (a prompt's continuations, and prompts that share a chat
        template or system prompt, share their common tokens), each tree is flattened into one
        packed row whose attention mask lets a token see only its ancestors and whose position ids
        are tree depths, and logits are computed only at the positions that predict a scored token.
        Rows hold at most ``row_tokens`` tree nodes (default ``self.pack_tokens``) so the dense
        mask stays cheap; rows of similar length are batched. Prompts sharing a long prefix
        (documents in context) run that prefix once into a KV cache and are scored behind it.
        Models whose attention cannot take a custom mask (flash-attention kernels, sliding
        windows) fall back to left-padded batching.
        """
        items = self._likelihood_items(requests)
        results: list[list[float]] = [[0.0] * len(conts) for _, conts in requests]
        config = getattr(self.model, "config", None)
        attn = getattr(config, "_attn_implementation", "sdpa")
        sliding = getattr(config, "sliding_window", None) and getattr(config, "use_sliding_window", True)
        if attn not in ("sdpa", "eager") or sliding:
            scores = self._score_padded(items)
        else:
            scores = self._score_packed(items, row_tokens or self.pack_tokens)
        for (r, c, _, _), score in zip(items, scores, strict=True):
            results[r][c] = score
        return results

    def _likelihood_items(self, requests: Sequence[tuple[Prompt, list[str]]]) -> list[_Item]:
        """(request, continuation index, full token ids, number of context tokens) per continuation,
        following the boundary rule of the ChatModel docstring."""
        tok = self.tokenizer
        items: list[_Item] = []
        for r, (prompt, conts) in enumerate(requests):
            ptext = self.render_prompt(prompt)
            pids = tok(ptext, add_special_tokens=False)["input_ids"]
            for c, cont in enumerate(conts):
                full = tok(ptext + cont, add_special_tokens=False)["input_ids"]
                shared = _common_prefix(pids, full)
                if shared == len(full):
                    raise ValueError(f"continuation {cont!r} adds no tokens to its prompt")
                if shared == 0:
                    raise ValueError(f"prompt {ptext[:40]!r} leaves no context token to condition on")
                items.append((r, c, full, shared))
        return items

    def _score_packed(self, items: list[_Item], row_tokens: int) -> list[float]:
        order = sorted(range(len(items)), key=lambda i: items[i][2])  # shared prefixes end up adjacent
        scores = [0.0] * len(items)
        short: list[int] = []
        for group, prefix in _long_prefix_groups(order, items, min_prefix=max(row_tokens // 2, 1)):
            if prefix:
                self._score_behind_prefix(group, prefix, items, scores, row_tokens)
            else:
                short.extend(group)
        rows = _pack_rows([(i, items[i][2], items[i][3]) for i in short], row_tokens)
        rows.sort(key=lambda row: row.size)
        batch: list[_PackedRow] = []
        for row in rows:
            # batch rows of similar length up to about one row budget of padded tokens per forward
            if batch and (len(batch) + 1) * row.size > max(row_tokens, rows[0].size):
                self._forward_rows(batch, scores)
                batch = []
            batch.append(row)
        if batch:
            self._forward_rows(batch, scores)
        return scores

    def _score_behind_prefix(
        self, group: list[int], prefix: int, items: list[_Item], scores: list[float], row_tokens: int
    ) -> None:
        """Items sharing a long prefix (documents in context, a long system prompt): run the prefix
        once into a KV cache, then score the trees of their remaining tokens against it."""
        from transformers import DynamicCache

        head = items[group[0]][2][:prefix]
        cache = DynamicCache(config=self.model.config)
        self.model(
            input_ids=torch.tensor([head], device=self.device),
            position_ids=torch.arange(prefix, device=self.device)[None],
            use_cache=True,
            logits_to_keep=1,
            **{self._cache_kwarg: cache},
        )
        rows = _pack_rows([(i, items[i][2][prefix:], items[i][3] - prefix) for i in group], row_tokens)
        for row in rows:
            self._forward_rows([row], scores, cache=cache, offset=prefix)
            cache.crop(-(cache.get_seq_length() - prefix))  # negative = tokens to drop, in every 5.x

    @property
    def _cache_kwarg(self) -> str:
        """transformers 5.x renamed ``past_key_values`` to ``cache``; pass whichever this one takes."""
        import inspect

        base = self.model.get_base_model() if hasattr(self.model, "get_base_model") else self.model
        return "cache" if "cache" in inspect.signature(base.forward).parameters else "past_key_values"

    def _forward_rows(self, rows: list[_PackedRow], scores: list[float], cache=None, offset: int = 0) -> None:
        """One forward pass over packed rows; ``cache`` holds ``offset`` prefix tokens every node sees."""
        dtype = next(self.model.parameters()).dtype
        width = max(r.size for r in rows)
        n = len(rows)
        ids = torch.full((n, width), self.tokenizer.pad_token_id, dtype=torch.long)
        pos = torch.zeros((n, width), dtype=torch.long)
        allowed = torch.eye(width, dtype=torch.bool).expand(n, width, width).clone()  # pads see themselves
        for b, row in enumerate(rows):
            ids[b, : row.size] = torch.tensor(row.tokens)
            pos[b, : row.size] = torch.tensor(row.depth)
            for node, parent in enumerate(row.parent):
                if parent >= 0:
                    allowed[b, node] = allowed[b, parent]
                allowed[b, node, node] = True
        mask = torch.zeros((n, 1, width, offset + width), dtype=dtype)
        mask[..., offset:].masked_fill_(~allowed[:, None], torch.finfo(dtype).min)
        keep = sorted({p for row in rows for _, preds, _ in row.scored for p in preds})
        where = {p: k for k, p in enumerate(keep)}
        logits = self.model(
            input_ids=ids.to(self.device),
            attention_mask=mask.to(self.device),
            position_ids=(pos + offset).to(self.device),
            use_cache=cache is not None,
            **({self._cache_kwarg: cache} if cache is not None else {}),
            logits_to_keep=torch.tensor(keep, device=self.device),
        ).logits.float()
        logprobs = torch.log_softmax(logits, dim=-1).cpu()  # [n, len(keep), V]
        for b, row in enumerate(rows):
            for item, preds, targets in row.scored:
                rows_k = torch.tensor([where[p] for p in preds])
                scores[item] = float(logprobs[b, rows_k, torch.tensor(targets)].sum())

    @torch.no_grad()
    def _score_padded(self, items: list[_Item]) -> list[float]:
        """Fallback: left-padded batches sorted by length, logits only for the last positions."""
        tok = self.tokenizer
        scores = [0.0] * len(items)
        order = sorted(range(len(items)), key=lambda i: len(items[i][2]))
        pad = tok.pad_token_id
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch = [items[i] for i in idx]
            width = max(len(x[2]) for x in batch)
            keep = max(len(x[2]) - x[3] for x in batch) + 1
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
            logprobs = torch.log_softmax(logits, dim=-1)  # position k predicts token width-keep+k+1
            for j, (i, (_, _, full, n_ctx)) in enumerate(zip(idx, batch, strict=True)):
                n_cont = len(full) - n_ctx
                targets = torch.tensor(full[-n_cont:], device=logprobs.device)
                rows = logprobs[j, keep - 1 - n_cont : keep - 1]
                scores[i] = float(rows.gather(-1, targets[:, None]).sum())
        return scores


_Item = tuple[int, int, list[int], int]  # (request, continuation index, full ids, context tokens)


class _PackedRow:
    """A prefix tree of token sequences, flattened in insertion order (parents before children)."""

    def __init__(self) -> None:
        self.tokens: list[int] = []
        self.parent: list[int] = []
        self.depth: list[int] = []
        self.children: list[dict[int, int]] = []
        self.roots: dict[int, int] = {}
        self.scored: list[tuple[int, list[int], list[int]]] = []  # (item, predicting nodes, targets)

    @property
    def size(self) -> int:
        return len(self.tokens)

    def cost(self, seq: list[int]) -> int:
        """How many new nodes adding ``seq`` would create."""
        level, shared = self.roots, 0
        for t in seq:
            if t not in level:
                break
            node = level[t]
            shared += 1
            level = self.children[node]
        return len(seq) - shared

    def add(self, item: int, seq: list[int], n_ctx: int) -> None:
        level, parent, path = self.roots, -1, []
        for d, t in enumerate(seq):
            node = level.get(t)
            if node is None:
                node = len(self.tokens)
                self.tokens.append(t)
                self.parent.append(parent)
                self.depth.append(d)
                self.children.append({})
                level[t] = node
            path.append(node)
            parent, level = node, self.children[node]
        self.scored.append((item, path[n_ctx - 1 : -1], seq[n_ctx:]))


def _pack_rows(entries: list[tuple[int, list[int], int]], row_tokens: int) -> list[_PackedRow]:
    """Fill prefix-tree rows in order until a row would exceed ``row_tokens`` nodes."""
    rows: list[_PackedRow] = []
    for item, seq, n_ctx in entries:
        if not rows or (rows[-1].size and rows[-1].size + rows[-1].cost(seq) > row_tokens):
            rows.append(_PackedRow())
        rows[-1].add(item, seq, n_ctx)
    return rows


def _long_prefix_groups(order: list[int], items: list[_Item], min_prefix: int) -> list[tuple[list[int], int]]:
    """Runs of (sorted) items that share at least ``min_prefix`` context tokens, with the shared
    length (0 for runs too short to be worth a KV cache). The prefix never reaches a scored token's
    predecessor, so every score comes from the packed pass behind the cache."""
    groups: list[tuple[list[int], int]] = []
    for i in order:
        seq, n_ctx = items[i][2], items[i][3]
        if groups and groups[-1][1]:
            members, prefix = groups[-1]
            first = items[members[0]][2]
            shared = min(prefix, _common_prefix(first, seq), n_ctx - 1)
            if shared >= min_prefix:
                members.append(i)
                groups[-1] = (members, shared)
                continue
        if n_ctx - 1 >= min_prefix:
            groups.append(([i], n_ctx - 1))
        elif groups and not groups[-1][1]:
            groups[-1][0].append(i)
        else:
            groups.append(([i], 0))
    return groups


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
