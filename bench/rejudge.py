"""How much a judge change moves stored verdicts: re-judge a work dir's sampled answers.

An eval stage's id includes the judge code's fingerprint, so after a judge change `negneg run`
reruns every eval stage (sampling included). Before paying for that, this reads the answers the
stages already stored, labels them again with the current rule judge, and counts the verdicts that
change and how (gold-free: it compares the judge with its earlier self, not with hand labels).
Nothing in the work dir is written.

    .venv/bin/python bench/rejudge.py runs/quickstart [runs/paper-documents …]
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

from negneg.claims.loader import load_claim
from negneg.evals.judges import judge_all
from negneg.io import load_jsonl_models
from negneg.records import Response


def rejudge(workdir: Path) -> tuple[int, collections.Counter]:
    """(rule verdicts stored, Counter of (old, new) for those that change)."""
    total, moves = 0, collections.Counter()
    for path in sorted(workdir.glob("eval/*/responses.jsonl")):
        stored = [r for r in load_jsonl_models(Response, path) if r.verdict is not None and r.judge == "rule"]
        claims = {cid: load_claim(cid) for cid in {r.claim_id for r in stored}}
        for old, new in zip(stored, judge_all(stored, claims, "rule"), strict=True):
            total += 1
            if old.verdict != new.verdict:
                moves[(old.verdict, new.verdict)] += 1
    return total, moves


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1].strip())
        return 2
    for arg in argv:
        total, moves = rejudge(Path(arg))
        changed = sum(moves.values())
        detail = ", ".join(f"{a} → {b}: {n}" for (a, b), n in moves.most_common())
        share = f" ({100 * changed / total:.1f}%)" if total else ""
        print(f"{arg}: {changed} of {total} rule verdicts change{share}{'; ' + detail if detail else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
