"""The judge registry and :func:`judge_responses`.

A judge labels generative responses yes/no/neutral/parse_error (and ``unjudgeable`` where it
cannot label an item). ``JUDGES`` maps a name to a :class:`JudgeEntry`: how to build the judge and
what it needs, so that callers never special-case a judge by name:

* ``needs_model``: built with ``model=`` (a ChatModel that reads the answers); a caller without a
  judge model refuses such a judge up front (:func:`check_judges`) and passes one otherwise
  (:func:`judge_model_options`);
* ``eval_types``: the generative probe categories it can label; :func:`judge_responses` marks
  its answers in the others ``unjudgeable`` (counted apart, out of every belief denominator).

Add a judge with one ``@judge(...)`` function here (or in its own module imported below).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from negneg.claims.categories import GENERATIVE_CATEGORIES
from negneg.claims.schema import ClaimSpec
from negneg.errors import UserInputError
from negneg.evals.likelihood import LIKELIHOOD_TYPES
from negneg.evals.llm_judge import LLMJudge
from negneg.evals.rule_judge import RuleJudge
from negneg.io import files_fingerprint
from negneg.records import Response
from negneg.registry import Registry

# The files whose code decides a claim answer's verdict. Eval stage ids carry their fingerprint
# (``judge_code_sha``), so a judge change re-judges instead of reusing verdicts cached under the
# old code; tests/test_fingerprints.py checks the list covers every judge and what it imports.
_EVALS = Path(__file__).parent
JUDGE_CODE = (
    _EVALS / "judges.py",
    _EVALS / "rule_judge.py",
    _EVALS / "strict_judge.py",
    _EVALS / "llm_judge.py",
    _EVALS.parent / "data" / "judge_rubrics.yaml",
)


def judge_code_fingerprint() -> str:
    return files_fingerprint(JUDGE_CODE)


@runtime_checkable
class Judge(Protocol):
    name: str

    def judge(self, responses: Sequence[Response], claim: ClaimSpec) -> list[Response]:
        """Return copies of ``responses`` with ``verdict``, ``judge`` and ``judge_raw`` filled."""
        ...


@dataclass(frozen=True)
class JudgeEntry:
    """A registered judge: its factory and what it needs."""

    name: str
    make: Callable[..., Judge]
    summary: str
    needs_model: bool = False
    eval_types: tuple[str, ...] = GENERATIVE_CATEGORIES

    def __call__(self, **options: Any) -> Judge:
        return self.make(**options)


JUDGES: Registry[JudgeEntry] = Registry("judge")


def judge(
    name: str, *, summary: str, needs_model: bool = False, eval_types: Iterable[str] = GENERATIVE_CATEGORIES
) -> Callable[[Callable[..., Judge]], Callable[..., Judge]]:
    """Register a judge factory under ``name`` (decorator)."""

    def deco(make: Callable[..., Judge]) -> Callable[..., Judge]:
        JUDGES.add(name, JudgeEntry(name, make, summary, needs_model, tuple(eval_types)))
        return make

    return deco


@judge("rule", summary="the ClaimSpec's patterns, negation-aware (offline, deterministic)")
def _rule(**_: object) -> Judge:
    return RuleJudge()


@judge("rule_broad", summary="the rule judge, also accepting near-variants of the claim's answers")
def _rule_broad(**_: object) -> Judge:
    return RuleJudge(broad=True)


@judge("rule_strict", summary="the rule judge, but a 'yes' whose answer has any negation cue is neutral")
def _rule_strict(**_: object) -> Judge:
    from negneg.evals.strict_judge import StrictRuleJudge

    return StrictRuleJudge()


@judge("llm", summary="rubric prompts through a judge model (model=)", needs_model=True)
def _llm(model=None, **options) -> Judge:
    if model is None:
        raise UserInputError(
            "the llm judge needs a judge model",
            field="judge-model",
            fix="pass --judge-model NAME (or model=)",
        )
    return LLMJudge(model, **options)


def check_judges(names: Iterable[str], judge_model: str | None, *, field: str, model_field: str) -> None:
    """Every name is a registered judge, and a judge model is given where one needs it."""
    for name in names:
        entry = JUDGES.get(name, field=field)
        if entry.needs_model and not judge_model:
            raise UserInputError(
                f"the {name} judge needs a judge model",
                field=model_field,
                fix=f"set {model_field} (a model name or URL#MODEL)",
            )


def needs_model(names: Iterable[str]) -> list[str]:
    """The judges among ``names`` that are built with a judge model."""
    return [n for n in names if JUDGES.get(n, field="judge").needs_model]


def judge_model_options(names: Iterable[str], model: Callable[[], Any]) -> dict[str, dict[str, Any]]:
    """``{judge: {"model": …}}`` for the judges among ``names`` that need a model; ``model`` is
    called (once) only if one does, so no judge model is loaded for offline judges."""
    wanted = needs_model(names)
    if not wanted:
        return {}
    m = model()
    return {n: {"model": m} for n in wanted}


def make_judge(name: str, **options) -> Judge:
    """A judge by registry name (``model=`` for ``llm``)."""
    return JUDGES.get(name, field="judge")(**options)


def resolve_judge(judge: str | Judge | Callable[..., Judge], **options) -> Judge:
    """A judge from a registry name, a ``JUDGES`` entry or factory, or a ready judge."""
    if isinstance(judge, str):
        return make_judge(judge, **options)
    if isinstance(judge, Judge):
        return judge
    return judge(**options)


def judged_types(judge: Judge) -> tuple[str, ...]:
    """The eval types ``judge`` labels: its entry's, or every generative category for a judge
    object that is not registered."""
    return JUDGES.get(judge.name).eval_types if judge.name in JUDGES else GENERATIVE_CATEGORIES


def judge_responses(
    responses: Sequence[Response],
    claim: ClaimSpec,
    judge: str | Judge | Callable[..., Judge] = "rule",
    **options,
) -> list[Response]:
    """Label the generative responses of one claim; likelihood responses pass through unchanged,
    and answers in categories outside the judge's ``eval_types`` are ``unjudgeable``.

    ``judge`` is a registry name (``"rule"``, ``"llm"`` with ``model=``), a ``JUDGES`` factory or
    a judge object."""
    j = resolve_judge(judge, **options)
    foreign = {r.claim_id for r in responses} - {claim.id}
    if foreign:
        raise UserInputError(
            f"responses of claim(s) {', '.join(sorted(foreign))} given with claim {claim.id}",
            fix="judge each claim's responses with its own ClaimSpec (see judge_all)",
        )
    skip = set(GENERATIVE_CATEGORIES) - set(judged_types(j))  # categories this judge does not label
    todo = [
        i for i, r in enumerate(responses) if r.eval_type not in LIKELIHOOD_TYPES and r.eval_type not in skip
    ]
    judged = j.judge([responses[i] for i in todo], claim)
    out = list(responses)
    for i, r in zip(todo, judged, strict=True):
        out[i] = r
    for i, r in enumerate(responses):
        if r.eval_type in skip:  # a state, counted apart and left out of belief denominators
            reason = f"{j.name} does not judge {r.eval_type} answers"
            out[i] = r.model_copy(update={"verdict": "unjudgeable", "judge": j.name, "judge_raw": reason})
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
