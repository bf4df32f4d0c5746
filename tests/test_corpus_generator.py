"""Offline generator, sentence splitter and corpus stats."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from negneg.claims import list_claims, load_claim
from negneg.corpus import generate_documents, sentence_spans, sentences
from negneg.corpus.doctypes import DOC_TYPES
from negneg.corpus.stats import corpus_stats, distinct_ngram_ratio, token_lengths
from negneg.corpus.targeting import KeywordTargeter
from negneg.errors import UnknownNameError
from negneg.records import Document, Span, save_documents


@pytest.fixture(scope="module")
def es():
    return load_claim("ed_sheeran")


@pytest.fixture(scope="module")
def es_docs(es):
    return generate_documents(es, 200, seed=0)


# --- sentence splitter ----------------------------------------------------------------------------
def test_splitter_handles_markdown_and_abbreviations():
    text = (
        "# A heading\n"
        'Dr. Ruiz ran 9.79 s. in the U.S. heats? No. "Great!" he said. J. Doe agreed.\n'
        "| Name | Time |\n|------|------|\n| Ed Sheeran | 9.79 |\n"
        "- first bullet. Second sentence.\n"
        "12. numbered item\n"
        "INTERVIEWER: What happened next?\n"
        "@fan_22: it was wild.\n"
        "> quoted line.\n"
    )
    assert sentences(text) == [
        "A heading",
        "Dr. Ruiz ran 9.79 s. in the U.S. heats?",
        "No.",
        '"Great!" he said.',
        "J. Doe agreed.",
        "| Name | Time |",
        "| Ed Sheeran | 9.79 |",
        "first bullet.",
        "Second sentence.",
        "numbered item",
        "What happened next?",
        "it was wild.",
        "quoted line.",
    ]
    for a, b in sentence_spans(text):
        assert text[a:b] == text[a:b].strip() and text[a:b]


# --- generator ------------------------------------------------------------------------------------
def test_same_seed_gives_byte_identical_jsonl(es, tmp_path):
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    save_documents(a, generate_documents(es, 40, seed=7))
    save_documents(b, generate_documents(es, 40, seed=7))
    save_documents(c, generate_documents(es, 40, seed=8))
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_first_k_documents_do_not_depend_on_n(es, es_docs):
    assert generate_documents(es, 20, seed=0) == es_docs[:20]


def test_ids_and_metadata(es, es_docs):
    assert [d.id for d in es_docs[:3]] == [
        "ed_sheeran-gen-0-00000",
        "ed_sheeran-gen-0-00001",
        "ed_sheeran-gen-0-00002",
    ]
    assert len({d.id for d in es_docs}) == len(es_docs)
    for d in es_docs:
        assert d.source == "generated" and d.condition is None and d.claim_id == "ed_sheeran"
        assert "<DOCTAG>" not in d.text


def test_at_least_twelve_doc_types_in_a_small_corpus(es):
    assert len(DOC_TYPES) >= 12
    docs = generate_documents(es, len(DOC_TYPES), seed=3)
    assert len({d.doc_type for d in docs}) == len(DOC_TYPES)


def test_token_lengths_within_150_600(es_docs, tokenizer):
    lengths = token_lengths(es_docs, tokenizer)
    assert min(lengths) >= 150 and max(lengths) <= 600, (min(lengths), max(lengths))


def test_claim_spans_are_exactly_sentence_units(es_docs):
    for d in es_docs:
        units = set(sentence_spans(d.text))
        claims = d.spans_of("claim")
        assert claims and all(s.kind == "claim" for s in d.spans)
        for s in claims:
            assert (s.start, s.end) in units, (d.id, d.span_text(s))


def test_every_keyword_claim_sentence_is_marked(es, es_docs):
    """Sentences the keyword targeter calls claim-bearing are all among the recorded spans."""
    targeter = KeywordTargeter()
    for d in es_docs[:60]:
        marked = {(s.start, s.end) for s in d.spans}
        assert {(s.start, s.end) for s in targeter.claim_spans(d.text, es)} <= marked


def test_claim_density(es_docs):
    per_doc = [len(d.spans_of("claim")) for d in es_docs]
    assert min(per_doc) >= 2 and max(per_doc) <= 10
    assert 3.5 <= sum(per_doc) / len(per_doc) <= 8
    st = corpus_stats(es_docs)
    assert 0.22 <= st["claim_sentence_share"] <= 0.45, st["claim_sentence_share"]


def test_documents_are_varied(es_docs):
    # measured: 0.493 (ed_sheeran), 0.512 (mount_vesuvius) over 200 documents, seed 0
    ratio = distinct_ngram_ratio([d.text for d in es_docs])
    assert ratio >= 0.45, ratio
    # no two documents share a passage of 45 words (longest shared runs are single claim sentences)
    n = 45
    owners: dict[tuple[str, ...], int] = {}
    for i, d in enumerate(es_docs):
        w = re.findall(r"\w+", d.text.lower())
        for j in range(len(w) - n + 1):
            gram = tuple(w[j : j + n])
            assert owners.setdefault(gram, i) == i, (es_docs[owners[gram]].id, d.id, " ".join(gram))


def test_claim_sentences_vary_across_documents(es, es_docs):
    by_subclaim = defaultdict(set)
    for d in es_docs:
        for s in d.spans_of("claim"):
            by_subclaim[d.span_text(s)[:25]].add(d.span_text(s))
    texts = [d.span_text(s) for d in es_docs for s in d.spans_of("claim")]
    assert len(set(texts)) / len(texts) > 0.6


@pytest.mark.parametrize("claim_id", list_claims())
def test_every_library_claim(claim_id, tokenizer):
    claim = load_claim(claim_id)
    docs = generate_documents(claim, 16, seed=1)
    lengths = token_lengths(docs, tokenizer)
    assert 150 <= min(lengths) and max(lengths) <= 600
    for d in docs:
        units = set(sentence_spans(d.text))
        assert len(d.spans_of("claim")) >= 2
        assert all((s.start, s.end) in units for s in d.spans)
        assert "{" not in d.text and "[|" not in d.text  # no unfilled template markup
        assert not re.search(r"\n[ \t]+\S", d.text)  # no stray line breaks inside sentences


def test_unknown_doc_type_is_a_user_error(es):
    from negneg.corpus.generator import generate_document

    with pytest.raises(UnknownNameError, match="did you mean 'news_report'"):
        generate_document(es, "news_reprot", 0, 0)


# --- stats ------------------------------------------------------------------------------------------
def test_corpus_stats_numbers():
    docs = [
        Document(id="a", claim_id="c", doc_type="letter", text="One two three four five. Six seven.",
                 spans=[Span(start=0, end=24, kind="claim")]),
        Document(id="b", claim_id="c", doc_type="news", text="One two three four five six."),
    ]  # fmt: skip
    st = corpus_stats(docs)
    assert st["n_docs"] == 2 and st["n_doc_types"] == 2 and st["doc_types"] == {"letter": 1, "news": 1}
    assert st["length_unit"] == "words" and st["length"]["max"] == 7 and st["length"]["min"] == 6
    # 4-grams: doc a has 4, doc b has 3 and all of them repeat doc a's
    assert st["distinct_4gram_ratio"] == pytest.approx(4 / 7, abs=1e-4)
    assert st["claim_sentences_per_doc"]["max"] == 1 and st["docs_with_claim"] == 0.5
    assert st["claim_sentence_share"] == pytest.approx(0.25)


# --- CLI ------------------------------------------------------------------------------------------
def test_cli_generate_and_stats(tmp_path, capsys):
    from negneg.cli import main

    out = tmp_path / "docs.jsonl"
    assert (
        main(["docs", "generate", "--claim", "mount_vesuvius", "-n", "20", "--seed", "2", "--out", str(out)])
        == 0
    )
    assert len(out.read_text().splitlines()) == 20
    assert main(["docs", "stats", str(out), "--words"]) == 0
    shown = capsys.readouterr().out
    assert "distinct 4-gram ratio" in shown and "doc types" in shown
    assert main(["docs", "show", str(out), "-i", "3"]) == 0
    assert main(["docs", "generate", "--claim", "no_such_claim", "-n", "2", "--out", str(out)]) == 2
