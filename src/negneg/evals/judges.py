"""The judge registry and :func:`judge_responses`.

A judge labels generative responses yes/no/neutral/parse_error. ``JUDGES`` maps a name to a
factory: ``rule`` (offline, from the ClaimSpec's patterns), ``rule_broad`` (also accepts
near-variants) and ``llm`` (rubric prompts through any ChatModel, passed as ``model=``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from negneg.claims.schema import ClaimSpec
from negneg.errors import UserInputError
from negneg.evals.likelihood import LIKELIHOOD_TYPES
from negneg.evals.llm_judge import LLMJudge
from negneg.evals.rule_judge import RuleJudge
from negneg.records import Response
from negneg.registry import Registry


@runtime_checkable
class Judge(Protocol):
    name: str

    def judge(self, responses: Sequence[Response], claim: ClaimSpec) -> list[Response]:
        """Return copies of ``responses`` with ``verdict``, ``judge`` and ``judge_raw`` filled."""
        ...


JUDGES: Registry[Callable[..., Judge]] = Registry("judge")


@JUDGES.register("rule")
def _rule(**_: object) -> Judge:
    return RuleJudge()


@JUDGES.register("rule_broad")
def _rule_broad(**_: object) -> Judge:
    return RuleJudge(broad=True)


@JUDGES.register("llm")
def _llm(model=None, **options) -> Judge:
    if model is None:
        raise UserInputError(
            "the llm judge needs a judge model",
            field="judge-model",
            fix="pass --judge-model NAME (or model=)",
        )
    return LLMJudge(model, **options)


def make_judge(name: str, **options) -> Judge:
    """A judge by registry name (``model=`` for ``llm``)."""
    return JUDGES.get(name, field="judge")(**options)


def resolve_judge(judge: str | Judge | Callable[..., Judge], **options) -> Judge:
    """A judge from a registry name, a ``JUDGES`` factory, or a ready judge."""
    if isinstance(judge, str):
        return make_judge(judge, **options)
    if isinstance(judge, Judge):
        return judge
    return judge(**options)


def judge_responses(
    responses: Sequence[Response],
    claim: ClaimSpec,
    judge: str | Judge | Callable[..., Judge] = "rule",
    **options,
) -> list[Response]:
    """Label the generative responses of one claim; likelihood responses pass through unchanged.

    ``judge`` is a registry name (``"rule"``, ``"llm"`` with ``model=``), a ``JUDGES`` factory or
    a judge object."""
    j = resolve_judge(judge, **options)
    foreign = {r.claim_id for r in responses} - {claim.id}
    if foreign:
        raise UserInputError(
            f"responses of claim(s) {', '.join(sorted(foreign))} given with claim {claim.id}",
            fix="judge each claim's responses with its own ClaimSpec (see judge_all)",
        )
    todo = [i for i, r in enumerate(responses) if r.eval_type not in LIKELIHOOD_TYPES]
    judged = j.judge([responses[i] for i in todo], claim)
    out = list(responses)
    for i, r in zip(todo, judged, strict=True):
        out[i] = r
    return out


def judge_all(
    responses: Sequence[Response],
    claims: dict[str, ClaimSpec],
    judge: str | Judge | Callable[..., Judge] = "rule",
    **options,
) -> list[Response]:
    """Like :func:`judge_responses` for responses of several claims (kept in their order)."""
    j = resolve_judge(judge, **options)
    by_claim: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(responses):
        by_claim[r.claim_id].append(i)
    out = list(responses)
    for cid, idx in by_claim.items():
        if cid not in claims:
            raise UserInputError(f"no ClaimSpec for claim '{cid}'", fix="pass the claim file or id")
        for i, r in zip(idx, judge_responses([responses[i] for i in idx], claims[cid], j), strict=True):
            out[i] = r
    return out
