"""The example document ``negneg conditions show`` annotates: one from the offline generator."""

from __future__ import annotations

from negneg.claims.schema import ClaimSpec
from negneg.corpus.generator import generate_documents
from negneg.records import Document


def example_documents(claim: ClaimSpec, n: int = 1, seed: int = 0) -> list[Document]:
    """``n`` offline documents for ``claim`` (claim spans marked), as the runs generate them."""
    return generate_documents(claim, n, seed=seed)
