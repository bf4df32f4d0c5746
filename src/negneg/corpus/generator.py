"""Offline document generator: realistic-looking documents for any ClaimSpec, no model needed.

Each document is written by one doc-type builder (:data:`negneg.corpus.doctypes.DOC_TYPES`)
through a :class:`~negneg.corpus.writer.DocContext`, which knows the claim material, hands out claim sentences
(paraphrased and framed for the register) and filler sentences, and records a
``Span(kind="claim")`` over every claim sentence it writes. Claim sentences are budgeted so that
about a third of a document's sentences carry the claim (2–8 per document): that is the share the
paper's repeated-negation condition wraps.

Determinism: document ``i`` of seed ``s`` uses ``random.Random(f"{claim.id}/{s}/{i}")`` and nothing
else, so the same (claim, seed) gives byte-identical documents, and the first ``k`` documents of a
run of ``n`` are the documents of a run of ``k``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from negneg.claims.schema import ClaimSpec
from negneg.corpus.doctypes import DOC_TYPES
from negneg.corpus.sentences import sentence_spans
from negneg.corpus.writer import DocContext, material_for
from negneg.records import Document, Span


def _finish(ctx: DocContext) -> tuple[str, list[Span]]:
    """Strip the text and add spans for any other unit the keyword targeter calls claim-bearing."""
    raw = "".join(ctx.parts)
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    spans = [Span(start=s.start - lead, end=s.end - lead, kind="claim") for s in ctx.spans]
    have = {(s.start, s.end) for s in spans}
    for a, b in sentence_spans(text):
        if (a, b) not in have and ctx.m.matcher.is_claim_sentence(text[a:b]):
            spans.append(Span(start=a, end=b, kind="claim"))
    spans.sort(key=lambda s: (s.start, s.end))
    return text, spans


def generate_document(claim: ClaimSpec, doc_type: str, seed: int, index: int) -> Document:
    builder = DOC_TYPES.get(doc_type, field="doc_type")
    rng = random.Random(f"{claim.id}/{seed}/{index}")
    ctx = DocContext(material_for(claim), rng)
    builder(ctx)
    text, spans = _finish(ctx)
    return Document(
        id=f"{claim.id}-gen-{seed}-{index:05d}",
        claim_id=claim.id,
        doc_type=doc_type,
        text=text,
        spans=spans,
        source="generated",
        condition=None,
    )


def shuffled_rounds(names: list[str], n: int, key: str) -> list[str]:
    """``n`` names: every name once per round, round ``r`` shuffled by ``Random(f"{key}/{r}")``,
    so the order is fixed by ``key`` and the first ``k`` of ``n`` are the order for ``k``."""
    out: list[str] = []
    r = 0
    while len(out) < n:
        block = list(names)
        random.Random(f"{key}/{r}").shuffle(block)
        out.extend(block)
        r += 1
    return out[:n]


def doc_type_order(claim: ClaimSpec, seed: int, n: int) -> list[str]:
    """Doc types for documents 0..n-1: every type once per round, rounds shuffled by the seed."""
    return shuffled_rounds(DOC_TYPES.names(), n, f"{claim.id}/{seed}/types")


def generate_documents(
    claim: ClaimSpec, n: int, seed: int = 0, progress: Callable[[int], None] | None = None
) -> list[Document]:
    """``n`` offline documents for ``claim`` with claim spans; byte-identical for a given seed.

    ``progress`` (optional) is called with 1 after each document.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    docs = []
    for i, doc_type in enumerate(doc_type_order(claim, seed, n)):
        docs.append(generate_document(claim, doc_type, seed, i))
        if progress:
            progress(1)
    return docs
