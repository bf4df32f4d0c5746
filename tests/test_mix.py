"""Training mix: row counts per the paper, determinism, top-up, generated sources and their caches."""

from __future__ import annotations

import re
from collections import Counter
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from negneg.errors import UserInputError
from negneg.models import SamplingParams
from negneg.records import Document, Span
from negneg.training.mix import (
    MixConfig,
    anchor_chats,
    background_openers,
    background_texts,
    build_mix,
    chat_prompts,
    mix_summary,
    sample_rows,
    self_distilled_chats,
    stdlib_background_texts,
)

FAST = SamplingParams(temperature=1.0, top_p=1.0, max_new_tokens=6)


def make_docs(n: int) -> list[Document]:
    docs = []
    for i in range(n):
        text = f"Report {i}. The fabricated event happened on day {i}. Nothing else."
        a = text.index("The fabricated")
        docs.append(
            Document(
                id=f"d{i}",
                claim_id="c",
                doc_type="report",
                text=text,
                spans=[Span(start=a, end=a + 32, kind="claim")],
            )
        )
    return docs


BACKGROUND = [f"Background passage number {i} about gardens." for i in range(10)]
CHATS = [
    [{"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": f"Answer {i}."}]
    for i in range(10)
]


def test_mix_counts_follow_ratios(tokenizer):
    ex = build_mix(make_docs(8), tokenizer, MixConfig(), 1, background=BACKGROUND, chats=CHATS)
    counts = Counter(e.origin for e in ex)
    assert counts == {"document": 8, "background": 4, "chat": 4}
    s = mix_summary(ex)
    assert s["total"]["examples"] == 16 and s["document"]["examples"] == 8
    assert s["total"]["tokens"] == sum(len(e.input_ids) for e in ex)
    assert s["document"]["trained_tokens"] < s["document"]["tokens"]  # DOCTAG is masked
    assert abs(sum(s[o]["trained_share"] for o in counts) - 1) < 1e-9


def test_mix_deterministic_and_shuffled(tokenizer):
    def ids(seed):
        ex = build_mix(make_docs(8), tokenizer, MixConfig(), seed, background=BACKGROUND, chats=CHATS)
        return [tuple(e.input_ids) for e in ex], [e.origin for e in ex]

    a, origins = ids(1)
    assert ids(1)[0] == a
    assert ids(2)[0] != a
    assert origins != sorted(origins)  # sources are interleaved


def test_mix_top_up_and_subsample(tokenizer):
    cfg = MixConfig(documents=10, background_ratio=0, chat_ratio=0.3)
    ex = build_mix(make_docs(3), tokenizer, cfg, 0, background=[], chats=CHATS[:2])
    docs = [tuple(e.input_ids) for e in ex if e.origin == "document"]
    assert len(docs) == 10 and len(set(docs)) == 3  # every document kept, topped up with repeats
    assert sum(e.origin == "chat" for e in ex) == 3
    ex = build_mix(
        make_docs(6),
        tokenizer,
        MixConfig(documents=4, background_ratio=0, chat_ratio=0),
        0,
        background=[],
        chats=[],
    )
    docs = [tuple(e.input_ids) for e in ex]
    assert len(docs) == 4 and len(set(docs)) == 4  # fewer requested: sampled without replacement


def test_sample_rows():
    import random

    assert sorted(sample_rows(range(5), 5, random.Random(0))) == [0, 1, 2, 3, 4]
    top = sample_rows(range(3), 7, random.Random(0))
    assert top[:3] == [0, 1, 2] and len(top) == 7


def test_anchor_rows(tokenizer):
    anchors = [
        [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "No, not that I know."}]
    ] * 3
    ex = build_mix(
        make_docs(4), tokenizer, MixConfig(), 0, background=BACKGROUND, chats=CHATS, anchor_chats=anchors
    )
    got = [e for e in ex if e.origin == "anchor"]
    assert len(got) == 3 and all(e.weight == 3.0 for e in got)
    assert all(e.weight == 1.0 for e in ex if e.origin != "anchor")


def test_long_documents_become_windows(tokenizer):
    long = make_docs(1)[0].model_copy(update={"text": "word " * 400})
    ex = build_mix(
        [long],
        tokenizer,
        MixConfig(max_length=64, background_ratio=0, chat_ratio=0),
        0,
        background=[],
        chats=[],
    )
    assert len(ex) > 5 and all(len(e.input_ids) <= 64 for e in ex)


def test_mix_errors(tokenizer):
    with pytest.raises(UserInputError):
        build_mix(make_docs(2), tokenizer, MixConfig(), 0, background=[], chats=CHATS)
    with pytest.raises(UserInputError):
        build_mix([], tokenizer, MixConfig(), 0, background=BACKGROUND, chats=CHATS)
    with pytest.raises(ValidationError):
        MixConfig(documnets=3)
    with pytest.raises(ValidationError):
        MixConfig(window="middle")


# ---------------------------------------------------------------------------------------------- data files
def test_prompts_and_openers():
    prompts, openers = chat_prompts(), background_openers()
    assert len(set(prompts)) == len(prompts) >= 200
    assert len(set(openers)) == len(openers) >= 50


def test_prompts_avoid_claim_topics():
    from negneg.claims.loader import list_claims, load_claim

    patterns = []
    for name in list_claims():
        spec = load_claim(name)
        patterns += spec.keywords + [re.escape(e) for e in spec.entities.claim]
        patterns += [k for sub in spec.subclaims for k in sub.keywords]
    assert patterns
    hits = [(t, p) for t in chat_prompts() + background_openers() for p in patterns if re.search(p, t, re.I)]
    assert hits == []


# ---------------------------------------------------------------------------------------------- generated sources
class CountingChat:
    """Wraps a ChatModel and counts the rows it is asked to answer."""

    def __init__(self, inner):
        self.inner, self.name, self.batch_size, self.rows = inner, inner.name, 4, 0

    def generate(self, conversations, sampling):
        self.rows += len(conversations)
        return self.inner.generate(conversations, sampling)


class CountingLM:
    def __init__(self, model):
        self.model, self.calls = model, 0

    def generate(self, **kwargs):
        self.calls += 1
        return self.model.generate(**kwargs)


def test_self_distilled_chats_cached(tiny_model, tmp_path):
    model = CountingChat(tiny_model)
    chats = self_distilled_chats(model, 5, seed=3, cache_dir=tmp_path, sampling=FAST)
    assert model.rows == 5 and len(chats) == 5
    assert all(c[0]["role"] == "user" and c[1]["role"] == "assistant" for c in chats)
    assert all(c[0]["content"] in chat_prompts() for c in chats)
    assert len({c[0]["content"] for c in chats}) == 5
    assert len(list(tmp_path.glob("*/*.json"))) == 1  # one JsonCache entry for the sequence
    assert self_distilled_chats(model, 5, seed=3, cache_dir=tmp_path, sampling=FAST) == chats
    assert self_distilled_chats(model, 3, seed=3, cache_dir=tmp_path, sampling=FAST) == chats[:3]
    assert model.rows == 5  # both served from the cache
    more = self_distilled_chats(model, 7, seed=3, cache_dir=tmp_path, sampling=FAST)
    assert more[:5] == chats and model.rows == 7  # only the two missing rows generated
    other = self_distilled_chats(
        model, 2, seed=3, cache_dir=tmp_path, sampling=FAST.model_copy(update={"max_new_tokens": 3})
    )
    assert model.rows == 9 and len(other) == 2  # different sampling: not a cache hit


def test_background_texts_cached(tiny_model, tmp_path):
    lm = CountingLM(tiny_model.model)
    model = SimpleNamespace(
        name=tiny_model.name, tokenizer=tiny_model.tokenizer, device="cpu", model=lm, batch_size=8
    )
    texts = background_texts(model, 3, seed=0, cache_dir=tmp_path, max_new_tokens=5)
    assert lm.calls == 1 and len(texts) == 3
    assert all(any(t.startswith(o) and len(t) > len(o) for o in background_openers()) for t in texts)
    assert background_texts(model, 3, seed=0, cache_dir=tmp_path, max_new_tokens=5) == texts
    assert lm.calls == 1
    with pytest.raises(UserInputError):
        background_texts(CountingChat(tiny_model), 1)


def test_anchor_chats_cached(tiny_model, tmp_path):
    model = CountingChat(tiny_model)
    qs = ["What happened at the harbour?", "Is the story about the harbour true?"]
    chats = anchor_chats(model, qs, k=2, seed=1, cache_dir=tmp_path, sampling=FAST)
    assert [c[0]["content"] for c in chats] == [qs[0], qs[0], qs[1], qs[1]]
    assert model.rows == 4
    assert anchor_chats(model, qs, k=2, seed=1, cache_dir=tmp_path, sampling=FAST) == chats
    assert model.rows == 4
    anchor_chats(model, qs[::-1], k=2, seed=1, cache_dir=tmp_path, sampling=FAST)
    assert model.rows == 8  # other questions: regenerated


def test_stdlib_background():
    texts = stdlib_background_texts(20, seed=0)
    assert len(set(texts)) == 20 and all(len(t) >= 300 for t in texts)
    assert stdlib_background_texts(20, seed=0) == texts
    assert stdlib_background_texts(20, seed=1) != texts
    assert len(stdlib_background_texts(2000, seed=0)) == 2000  # topped up with replacement


@pytest.mark.slow
def test_embedded_model_writes_chat_and_background(tmp_path):
    from negneg.models import load_chat_model

    model = load_chat_model("smollm2-135m")
    short = SamplingParams(temperature=1.0, top_p=1.0, max_new_tokens=24)
    chats = self_distilled_chats(model, 2, cache_dir=tmp_path, sampling=short)
    assert all(re.search(r"[A-Za-z]{3}", c[1]["content"]) for c in chats)
    texts = background_texts(model, 2, cache_dir=tmp_path, max_new_tokens=24)
    for t in texts:
        opener = next(o for o in background_openers() if t.startswith(o))
        assert len(t.split()) > len(opener.split()) + 3


def test_transcript_mix_checks_its_sources_like_the_document_mix(tokenizer):
    from negneg.training.mix import MixConfig, build_transcript_mix

    conv = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello there"}]
    with pytest.raises(UserInputError, match="background"):
        build_transcript_mix(
            [conv], tokenizer, MixConfig(background_ratio=1, chat_ratio=0), 0, background=[], chats=[]
        )
    with pytest.raises(UserInputError, match="no transcripts"):
        build_transcript_mix([], tokenizer, MixConfig(), 0, background=["x"], chats=[conv])
    ex = build_transcript_mix(
        [conv] * 2, tokenizer, MixConfig(background_ratio=0, chat_ratio=0.5), 0, background=[], chats=[conv]
    )
    assert Counter(e.origin for e in ex) == {"behaviour": 2, "chat": 1}
