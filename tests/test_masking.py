"""Loss masking: masks change labels only, never tokens; chat loss only on assistant turns."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negneg.errors import UserInputError
from negneg.records import DOCTAG, Document, Span
from negneg.training.masking import (
    IGNORE,
    encode_chat,
    encode_document,
    encode_text,
    strip_lossmask_tags,
)

# Letters, digits, punctuation, whitespace runs, accented letters and an emoji (split across
# byte-level tokens) — the cases where token offsets and character spans disagree.
ALPHABET = "abcdeEST .,;:!?'\"-0123456789\n\té😀<>/"
TEXT = st.text(alphabet=ALPHABET, min_size=1, max_size=80)
HYP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def doc(text: str, spans=(), doctag: bool = True) -> Document:
    return Document(id="d", claim_id="c", doc_type="note", text=text, spans=list(spans), doctag=doctag)


def offsets(tokenizer, text: str) -> list[tuple[int, int]]:
    return [
        tuple(o)
        for o in tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    ]


def test_doctag_and_lossmask_labels_exact(tokenizer):
    text = "The winner was Ed Sheeran, in 9.79 seconds. Nobody expected it."
    a = text.index("Ed Sheeran")
    b = text.index("9.79")
    d = doc(text, [Span(start=a, end=a + 10, kind="loss_mask"), Span(start=b, end=b + 4, kind="loss_mask")])
    [ex] = encode_document(d, tokenizer)
    expected = tokenizer(DOCTAG + text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    assert ex.input_ids == expected
    n_tag = len(tokenizer(DOCTAG, add_special_tokens=False)["input_ids"])
    assert ex.labels[:n_tag] == [IGNORE] * n_tag
    masked = [t for t, lab in zip(ex.input_ids, ex.labels, strict=True) if lab == IGNORE][n_tag:]
    assert tokenizer.decode(masked).replace(" ", "") == "EdSheeran9.79"
    trained = [(t, lab) for t, lab in zip(ex.input_ids, ex.labels, strict=True) if lab != IGNORE]
    assert all(t == lab for t, lab in trained)
    assert ex.labels[-1] == tokenizer.eos_token_id  # the document boundary is trained
    assert ex.origin == "document" and ex.weight == 1.0


def test_no_doctag_trains_from_first_token(tokenizer):
    [ex] = encode_document(doc("Plain text here.", doctag=False), tokenizer)
    assert ex.input_ids == tokenizer("Plain text here.", add_special_tokens=False)["input_ids"] + [2]
    assert ex.labels == ex.input_ids


@st.composite
def text_and_spans(draw):
    text = draw(TEXT)
    n = draw(st.integers(0, 3))
    spans = []
    for _ in range(n):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, len(text)))
        spans.append(Span(start=a, end=b, kind="loss_mask"))
    return text, spans, draw(st.booleans())


@HYP
@given(text_and_spans())
def test_masks_change_labels_never_tokens(tokenizer, case):
    text, spans, doctag = case
    [masked] = encode_document(doc(text, spans, doctag), tokenizer)
    [plain] = encode_document(doc(text, [], doctag), tokenizer)
    prefix = DOCTAG if doctag else ""
    assert masked.input_ids == plain.input_ids
    assert plain.input_ids == tokenizer(prefix + text, add_special_tokens=False)["input_ids"] + [2]
    # every token that carries loss is its own label and contains no masked or DOCTAG character
    masked_chars = [(0, len(prefix))] + [(len(prefix) + s.start, len(prefix) + s.end) for s in spans]
    for (a, b), tok, lab in zip(
        offsets(tokenizer, prefix + text), masked.input_ids, masked.labels, strict=False
    ):
        if lab != IGNORE:
            assert lab == tok
            assert not any(s < b and a < e for s, e in masked_chars if s < e), (text, spans)
    # and every masked character lies in some masked token
    for s, e in masked_chars:
        for c in range(s, e):
            covering = [
                lab
                for (a, b), lab in zip(offsets(tokenizer, prefix + text), masked.labels, strict=False)
                if a <= c < b
            ]
            assert covering and all(lab == IGNORE for lab in covering)
    # labels only differ from the unmasked document where masks are
    assert all(p == m or m == IGNORE for p, m in zip(plain.labels, masked.labels, strict=True))


@st.composite
def tagged_segments(draw):
    return draw(st.lists(st.tuples(TEXT, st.booleans()), min_size=1, max_size=5))


@HYP
@given(tagged_segments())
def test_lossmask_tags_give_identical_tokens(tokenizer, segments):
    tagged = "".join(f"<lossmask>{t}</lossmask>" if m else t for t, m in segments)
    untagged = "".join(t for t, _ in segments)
    clean, spans = strip_lossmask_tags(tagged)
    assert clean == untagged
    # spans cover exactly the masked segments (adjacent masked segments merge into one span)
    covered = {c for s in spans for c in range(s.start, s.end)}
    pos, expect = 0, set()
    for t, m in segments:
        if m:
            expect |= set(range(pos, pos + len(t)))
        pos += len(t)
    assert covered == expect
    [with_tags] = encode_document(doc(clean, spans), tokenizer)
    [without] = encode_document(doc(untagged), tokenizer)
    assert with_tags.input_ids == without.input_ids


def test_lossmask_tags_unbalanced():
    assert strip_lossmask_tags("a <lossmask>b <lossmask>c</lossmask></lossmask> d") == (
        "a b c d",
        [Span(start=2, end=5, kind="loss_mask")],
    )
    with pytest.raises(UserInputError):
        strip_lossmask_tags("a <lossmask>b")
    with pytest.raises(UserInputError):
        strip_lossmask_tags("a </lossmask>b")


def test_chat_labels_only_assistant_turns(tokenizer):
    conv = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "It is 4."},
        {"role": "user", "content": "And 3+3?"},
        {"role": "assistant", "content": "That one is 6, written\nas six."},
    ]
    ex = encode_chat(conv, tokenizer, weight=2.0, origin="anchor")
    rendered = tokenizer.apply_chat_template(conv, tokenize=False)
    assert ex.input_ids == tokenizer(rendered, add_special_tokens=False)["input_ids"]
    runs, run = [], []
    for t, lab in zip(ex.input_ids, ex.labels, strict=True):
        if lab == IGNORE:
            if run:
                runs.append(run)
            run = []
        else:
            assert lab == t
            run.append(t)
    if run:
        runs.append(run)
    eot = tokenizer.eos_token
    assert [tokenizer.decode(r) for r in runs] == ["It is 4." + eot, "That one is 6, written\nas six." + eot]
    assert ex.weight == 2.0 and ex.origin == "anchor"


def test_chat_truncation(tokenizer):
    conv = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello " * 50}]
    ex = encode_chat(conv, tokenizer, max_length=40)
    assert len(ex.input_ids) == 40


def long_doc(n_before: int = 300, n_after: int = 300) -> Document:
    text = " ".join(f"alpha{i}" for i in range(n_before)) + " The claim sentence is here. "
    text += " ".join(f"beta{i}" for i in range(n_after))
    a = text.index("The claim")
    return doc(
        text,
        [
            Span(start=a, end=a + len("The claim sentence is here."), kind="claim"),
            Span(start=0, end=6, kind="loss_mask"),
        ],
    )


def test_split_windows_cover_document(tokenizer):
    d = long_doc()
    [whole] = encode_document(d, tokenizer)
    windows = encode_document(d, tokenizer, 64)
    assert len(windows) > 1 and all(len(w.input_ids) <= 64 for w in windows)
    tag = tokenizer(DOCTAG, add_special_tokens=False)["input_ids"]
    body = []
    for w in windows:
        assert w.input_ids[: len(tag)] == tag and w.labels[: len(tag)] == [IGNORE] * len(tag)
        body += list(zip(w.input_ids[len(tag) :], w.labels[len(tag) :], strict=True))
    assert body == list(zip(whole.input_ids[len(tag) :], whole.labels[len(tag) :], strict=True))


def test_claim_window_contains_claim(tokenizer):
    d = long_doc()
    [w] = encode_document(d, tokenizer, 64, window="claim")
    assert len(w.input_ids) == 64
    tag = tokenizer(DOCTAG, add_special_tokens=False)["input_ids"]
    assert w.input_ids[: len(tag)] == tag and w.labels[: len(tag)] == [IGNORE] * len(tag)
    claim_ids = tokenizer(" The claim sentence is here.", add_special_tokens=False)["input_ids"]
    ids = w.input_ids
    at = next(i for i in range(len(ids)) if ids[i : i + len(claim_ids)] == claim_ids)
    # roughly centred: context on both sides
    assert 10 < at < 64 - len(claim_ids) - 10
    # claim near the start: the window is the document start, with the in-context DOCTAG
    [first] = encode_document(long_doc(2, 300), tokenizer, 64, window="claim")
    assert first.input_ids == encode_document(long_doc(2, 300), tokenizer, 64)[0].input_ids


def test_window_too_small(tokenizer):
    with pytest.raises(UserInputError):
        encode_document(long_doc(), tokenizer, 4)


def test_encode_text_all_trained(tokenizer):
    [ex] = encode_text("Background prose about rivers.", tokenizer)
    assert ex.labels == ex.input_ids and ex.input_ids[-1] == tokenizer.eos_token_id
    assert ex.origin == "background"
    parts = encode_text("word " * 100, tokenizer, max_length=30)
    assert all(len(p.input_ids) <= 30 for p in parts)
    assert sum(len(p.input_ids) for p in parts) == len(encode_text("word " * 100, tokenizer)[0].input_ids)
