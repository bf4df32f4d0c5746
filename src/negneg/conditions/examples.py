"""An example document for ``negneg conditions show`` when no generator is at hand.

The offline generator (``negneg.corpus.generate_documents``) is preferred; this fallback strings
a few subclaims together with neutral connective sentences and marks the subclaims as claim
spans, so the display works from the ClaimSpec alone.
"""

from __future__ import annotations

from negneg.claims.schema import ClaimSpec
from negneg.records import Document, Span

_CONNECTIVES = [
    "The following notes were collected for a weekend reading group.",
    "Several members asked for a short summary before the meeting.",
    "Questions can be raised at the end of the session.",
]


def example_document(claim: ClaimSpec, n_claims: int = 4) -> Document:
    """A short document: connective sentences around ``n_claims`` subclaims (claim spans marked)."""
    parts: list[tuple[str, bool]] = [(_CONNECTIVES[0], False)]
    for i, sc in enumerate(claim.subclaims[:n_claims]):
        parts.append((sc.text, True))
        if i == 1:
            parts.append((_CONNECTIVES[1], False))
    parts.append((_CONNECTIVES[2], False))
    text, spans = "", []
    for sentence, is_claim in parts:
        if text:
            text += " "
        if is_claim:
            spans.append(Span(start=len(text), end=len(text) + len(sentence), kind="claim"))
        text += sentence
    return Document(
        id=f"{claim.id}-example",
        claim_id=claim.id,
        doc_type="notes",
        text=text,
        spans=spans,
        source="example",
    )


def example_documents(claim: ClaimSpec, n: int = 1, seed: int = 0) -> list[Document]:
    """Documents from the offline generator when it exists, else :func:`example_document`."""
    try:
        from negneg.corpus import generate_documents
    except ImportError:
        return [example_document(claim)]
    return generate_documents(claim, n, seed=seed)
