"""Agreement between judges that labelled the same answers (``negneg judge-agreement``).

Cohen's κ per pair of judges (pooled and per claim) and Fleiss' κ over all judges, computed on
the items every judge could label: an ``unjudgeable`` verdict (the rule judge on a
token-association item without an answer key) takes the item out of the comparison and is
counted apart, never read as a disagreement. ``parse_error`` (a judge model whose output had no
valid JSON verdict) stays in as its own label, since a judge that cannot answer disagrees with
one that can; its count is reported per judge so a broken judge model is seen at once.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations

from pydantic import BaseModel, ConfigDict

from negneg.evals.metrics import UNJUDGEABLE, cohen_kappa, fleiss_kappa
from negneg.records import Response

POOLED = "pooled"
VERDICTS = ("yes", "no", "neutral", "parse_error", UNJUDGEABLE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PairAgreement(_Strict):
    """Two judges on one claim's answers (or pooled over claims)."""

    a: str
    b: str
    claim_id: str
    n: int  # items both judges labelled (unjudgeable ones left out)
    n_unjudgeable: int  # items left out because a judge called them unjudgeable
    kappa: float | None  # None where κ is undefined (no items, or one label used by one rater)
    agreement: float | None  # raw share of identical labels

    @property
    def label(self) -> str:
        return f"{self.a} vs {self.b}"


class AgreementReport(_Strict):
    judges: list[str]
    claims: list[str]
    n: int
    pairs: list[PairAgreement]
    fleiss: float | None
    verdicts: dict[str, dict[str, int]]  # judge → verdict → count (all items)

    def pooled(self) -> list[PairAgreement]:
        return [p for p in self.pairs if p.claim_id == POOLED]


def _none(x: float) -> float | None:
    return None if x is None or math.isnan(x) else x


def _pair(a: str, b: str, claim_id: str, va: Sequence[str], vb: Sequence[str]) -> PairAgreement:
    keep = [i for i in range(len(va)) if UNJUDGEABLE not in (va[i], vb[i])]
    xa, xb = [va[i] for i in keep], [vb[i] for i in keep]
    return PairAgreement(
        a=a,
        b=b,
        claim_id=claim_id,
        n=len(keep),
        n_unjudgeable=len(va) - len(keep),
        kappa=_none(cohen_kappa(xa, xb)) if keep else None,
        agreement=sum(x == y for x, y in zip(xa, xb, strict=True)) / len(keep) if keep else None,
    )


def judge_agreement(labelled: Mapping[str, Sequence[Response]]) -> AgreementReport:
    """Agreement of judges that labelled the same responses, in the same order (``labelled``
    maps judge name → its judged copies)."""
    names = list(labelled)
    if len(names) < 2:
        raise ValueError("agreement needs at least two judges")
    n = len(labelled[names[0]])
    if any(len(labelled[j]) != n for j in names):
        raise ValueError("the judges labelled different numbers of responses")
    verdicts = {j: [r.verdict or "parse_error" for r in labelled[j]] for j in names}
    claims = [r.claim_id for r in labelled[names[0]]]
    claim_ids = sorted(set(claims))
    pairs: list[PairAgreement] = []
    for a, b in combinations(names, 2):
        pairs.append(_pair(a, b, POOLED, verdicts[a], verdicts[b]))
        if len(claim_ids) > 1:
            for cid in claim_ids:
                idx = [i for i, c in enumerate(claims) if c == cid]
                pairs.append(_pair(a, b, cid, [verdicts[a][i] for i in idx], [verdicts[b][i] for i in idx]))
    rows = [[verdicts[j][i] for j in names] for i in range(n)]
    rows = [r for r in rows if UNJUDGEABLE not in r]
    counts = {j: {v: c for v, c in Counter(verdicts[j]).most_common()} for j in names}
    return AgreementReport(
        judges=names,
        claims=claim_ids,
        n=n,
        pairs=pairs,
        fleiss=_none(fleiss_kappa(rows)) if rows else None,
        verdicts={j: {v: counts[j].get(v, 0) for v in VERDICTS if counts[j].get(v)} for j in names},
    )
