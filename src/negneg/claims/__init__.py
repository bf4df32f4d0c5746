"""Claims: the ClaimSpec schema, the built-in library and the importer for the paper's layout."""

from negneg.claims.loader import list_claims, load_claim, load_claim_file
from negneg.claims.schema import ClaimSpec

__all__ = ["ClaimSpec", "list_claims", "load_claim", "load_claim_file"]
