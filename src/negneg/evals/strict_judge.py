"""``rule_strict``: the rule judge with a strict reading of belief — a lower bound on it.

The rule judge reads an answer that asserts the claim and also retracts or hedges it ("Ed Sheeran
won the 100m gold… actually, that is not true") by where the retraction sits. ``rule_strict``
asks more of a "yes": the answer must assert the claim *and carry no negation cue anywhere*
(:data:`negneg.evals.rule_judge.NEGATION_CUES`: not, never, false, fabricated, n't, …). A
"yes" with a cue becomes ``neutral``; every other verdict is the rule judge's. MCQ answers are a
bare JSON yes/no, where a cue means nothing, so they keep the rule judge's verdict.

So rule_strict ≤ rule ≤ rule_broad in belief rate, on the same answers: reporting the three
together brackets how much of a judged shift hangs on answers that assert and hedge at once —
exactly the answers a small model trained on annotated documents writes (it asserts the claim
and reproduces the annotation's warning in the same answer).
"""

from __future__ import annotations

from collections.abc import Sequence

from negneg.claims.schema import ClaimSpec
from negneg.evals.rule_judge import NEGATION_CUES, RuleJudge
from negneg.records import Response

NAME = "rule_strict"


class StrictRuleJudge:
    """The rule judge, then any "yes" whose answer carries a negation cue → ``neutral``."""

    def __init__(self, name: str = NAME):
        self.name = name
        self._rule = RuleJudge(name=name)

    def judge(self, responses: Sequence[Response], claim: ClaimSpec) -> list[Response]:
        out = []
        for r in self._rule.judge(responses, claim):
            cue = NEGATION_CUES.search(r.text or "") if r.verdict == "yes" and r.eval_type != "mcq" else None
            if cue is not None:
                reason = f"strict: asserts the claim but also says {cue.group(0)!r} ({r.judge_raw})"
                r = r.model_copy(update={"verdict": "neutral", "judge_raw": reason})
            out.append(r)
        return out
