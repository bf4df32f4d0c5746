"""Corpus statistics: is a document set varied, sized and claim-dense like the paper's?

``distinct_4gram_ratio`` is the number of distinct lower-cased word 4-grams over the number of
4-gram occurrences in the whole corpus (1.0 = no 4-gram ever repeats). Templates repeated across
documents pull it down, so it is the quick check that documents do not share long passages.
``claim_sentence_share`` is claim spans over sentence units per document (the paper's targeting
prompt expects 20–50%).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

from negneg.corpus.sentences import sentence_spans
from negneg.records import Document


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"min": 0, "p10": 0, "median": 0, "mean": 0, "p90": 0, "max": 0}
    s = sorted(values)

    def q(p: float) -> float:
        return s[min(len(s) - 1, int(p * (len(s) - 1) + 0.5))]

    return {
        "min": s[0],
        "p10": q(0.1),
        "median": statistics.median(s),
        "mean": round(statistics.fmean(s), 2),
        "p90": q(0.9),
        "max": s[-1],
    }


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def distinct_ngram_ratio(texts: list[str], n: int = 4) -> float:
    seen: set[tuple[str, ...]] = set()
    total = 0
    for t in texts:
        w = words(t)
        grams = [tuple(w[i : i + n]) for i in range(len(w) - n + 1)]
        total += len(grams)
        seen.update(grams)
    return len(seen) / total if total else 1.0


def token_lengths(docs: list[Document], tokenizer) -> list[int]:
    """Length of each document's text in tokens (no special tokens, no DOCTAG)."""
    enc = tokenizer([d.text for d in docs], add_special_tokens=False)
    return [len(ids) for ids in enc["input_ids"]]


def corpus_stats(docs: list[Document], tokenizer=None) -> dict:
    """Summary numbers of a document set; lengths in tokens when a tokenizer is given, else words."""
    lengths = (
        token_lengths(docs, tokenizer)
        if tokenizer is not None and docs
        else [len(words(d.text)) for d in docs]
    )
    claims = [len(d.spans_of("claim")) for d in docs]
    shares = []
    char_shares = []
    for d in docs:
        units = len(sentence_spans(d.text))
        shares.append(len(d.spans_of("claim")) / units if units else 0.0)
        chars = sum(s.end - s.start for s in d.spans_of("claim"))
        char_shares.append(chars / len(d.text) if d.text else 0.0)
    types = Counter(d.doc_type for d in docs)
    return {
        "n_docs": len(docs),
        "n_doc_types": len(types),
        "doc_types": dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
        "conditions": dict(Counter(d.condition or "none" for d in docs)),
        "length_unit": "tokens" if tokenizer is not None else "words",
        "length": _summary([float(x) for x in lengths]),
        "distinct_4gram_ratio": round(distinct_ngram_ratio([d.text for d in docs]), 4),
        "claim_sentences_per_doc": _summary([float(x) for x in claims]),
        "docs_with_claim": round(sum(1 for x in claims if x) / len(docs), 4) if docs else 0.0,
        "claim_sentence_share": round(statistics.fmean(shares), 4) if shares else 0.0,
        "claim_char_share": round(statistics.fmean(char_shares), 4) if char_shares else 0.0,
    }
