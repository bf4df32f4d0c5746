"""How much of a corpus is annotation, in tokens — the paper's dose measure (≈12% negated,
≈40% repeated negations).

Each token is attributed exactly, through the tokenizer's offset mapping, to the span kind that
covers most of its characters; tokens no annotation span covers count as body.
"""

from __future__ import annotations

from itertools import accumulate

from negneg.records import Document

ANNOTATION_KINDS = ("negation", "correction", "qualifier")
REPORTED_KINDS = (*ANNOTATION_KINDS, "claim", "loss_mask")


def _token_kinds(doc: Document, offsets: list[tuple[int, int]], kind: str) -> int:
    """Number of tokens with at least half of their characters inside spans of ``kind`` (so a
    leading-space token such as " [" belongs to the warning it opens)."""
    spans = doc.spans_of(kind)
    if not spans:
        return 0
    covered = bytearray(len(doc.text))
    for s in spans:
        covered[s.start : s.end] = b"\x01" * (s.end - s.start)
    cum = [0, *accumulate(covered)]  # cum[i] = covered characters before position i
    return sum(1 for a, b in offsets if b > a and 2 * (cum[b] - cum[a]) >= (b - a))


def token_shares(docs: list[Document], tokenizer) -> dict:
    """Token shares of annotation over ``docs`` (DOCTAG excluded: it is not part of the text).

    Returns ``{"docs", "tokens", "annotation", "by_kind": {kind: share}, "tokens_by_kind":
    {kind: count}, "mean_doc_annotation"}`` where shares are pooled over all tokens, except
    ``mean_doc_annotation`` (the mean of per-document shares). ``annotation`` counts a token once
    even if it lies in spans of two annotation kinds.
    """
    total = 0
    counts = {k: 0 for k in REPORTED_KINDS}
    annotated = 0
    per_doc = []
    for doc in docs:
        enc = tokenizer(doc.text, add_special_tokens=False, return_offsets_mapping=True)
        offsets = [tuple(o) for o in enc["offset_mapping"]]
        total += len(offsets)
        for k in REPORTED_KINDS:
            counts[k] += _token_kinds(doc, offsets, k)
        union = doc.model_copy(
            update={
                "spans": [
                    s.model_copy(update={"kind": "negation"}) for s in doc.spans if s.kind in ANNOTATION_KINDS
                ]
            }
        )
        n_ann = _token_kinds(union, offsets, "negation")
        annotated += n_ann
        per_doc.append(n_ann / len(offsets) if offsets else 0.0)
    return {
        "docs": len(docs),
        "tokens": total,
        "annotation": annotated / total if total else 0.0,
        "by_kind": {k: (counts[k] / total if total else 0.0) for k in REPORTED_KINDS},
        "tokens_by_kind": counts,
        "mean_doc_annotation": sum(per_doc) / len(per_doc) if per_doc else 0.0,
    }
