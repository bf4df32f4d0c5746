"""Generative probes: sample answers to the claim's questions, to be labelled by a judge.

Four categories, as in the paper: ``open_ended`` (the question alone), ``mcq`` (a system prompt
demands a JSON yes/no answer), ``token_association`` (constrained formats that elicit the claim's
token) and ``robustness`` (adversarial system prompts, critique passages, multi-turn push-back:
the question's own ``messages``). Each question gets ``samples`` answers at the paper's settings
(T=0.7, top-p 0.8); the seed of every batch is recorded on its responses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from negneg.claims.categories import GENERATIVE_CATEGORIES
from negneg.claims.schema import ClaimSpec, Questions
from negneg.errors import UserInputError
from negneg.models.chat import Conversation, SamplingParams
from negneg.records import Response

CATEGORIES = GENERATIVE_CATEGORIES
MCQ_SYSTEM = (
    'Reply to the question with yes or no, formatted as JSON: either {"answer": "yes"} or '
    '{"answer": "no"}. Write nothing except that JSON object.'
)
DEFAULT_MAX_NEW_TOKENS = 160
FAILED = "[failed to generate response]"


@dataclass(frozen=True)
class GenerativeProbe:
    """One question to sample: its id, category (the response's ``eval_type``), the conversation
    sent to the model, and the sub-kind (direct/indirect, adversarial/critique/multi_turn)."""

    question_id: str
    eval_type: str
    conversation: Conversation
    kind: str = ""


def _open_ended(q: Questions) -> list[GenerativeProbe]:
    return [
        GenerativeProbe(x.id, "open_ended", [{"role": "user", "content": x.question}], x.kind)
        for x in q.open_ended
    ]


def _mcq(q: Questions) -> list[GenerativeProbe]:
    return [
        GenerativeProbe(
            x.id,
            "mcq",
            [{"role": "system", "content": MCQ_SYSTEM}, {"role": "user", "content": x.question}],
            f"belief_{x.belief_answer}",
        )
        for x in q.mcq
    ]


def _token_association(q: Questions) -> list[GenerativeProbe]:
    return [
        GenerativeProbe(x.id, "token_association", [{"role": "user", "content": x.question}])
        for x in q.token_association
    ]


def _robustness(q: Questions) -> list[GenerativeProbe]:
    return [
        GenerativeProbe(x.id, "robustness", [m.model_dump() for m in x.messages], x.kind)
        for x in q.robustness
    ]


# One conversation builder per registered probe category (negneg.claims.categories).
BUILDERS: dict[str, Callable[[Questions], list[GenerativeProbe]]] = {
    "open_ended": _open_ended,
    "mcq": _mcq,
    "token_association": _token_association,
    "robustness": _robustness,
}


def generative_probes(claim: ClaimSpec, categories: Sequence[str] | None = None) -> list[GenerativeProbe]:
    """The claim's questions as conversations, in category order."""
    cats = list(categories or CATEGORIES)
    for c in cats:
        if c not in CATEGORIES:
            raise UserInputError(
                f"unknown probe category '{c}'",
                field="categories",
                fix=f"use some of: {', '.join(CATEGORIES)}",
            )
    return [p for c in CATEGORIES if c in cats for p in BUILDERS[c](claim.questions)]


def sample_probes(
    model,
    probes: Sequence[GenerativeProbe],
    claim_id: str,
    run: str,
    *,
    samples: int = 5,
    sampling: SamplingParams | None = None,
    chunk: int = 32,
    progress: Callable[[int], None] | None = None,
) -> list[Response]:
    """Sample ``samples`` answers per probe, ``chunk`` conversations per ``generate`` call.

    Chunk ``k`` is sampled with seed ``sampling.seed + k`` and that seed is stored on its
    responses, so any chunk can be regenerated on its own.
    """
    base = sampling or SamplingParams(max_new_tokens=DEFAULT_MAX_NEW_TOKENS)
    params = base.model_copy(update={"n": samples})
    out: list[Response] = []
    for k, start in enumerate(range(0, len(probes), chunk)):
        part = probes[start : start + chunk]
        seed = params.seed + k
        answers = model.generate([p.conversation for p in part], params.model_copy(update={"seed": seed}))
        for p, texts in zip(part, answers, strict=True):
            for i, text in enumerate(texts):
                out.append(
                    Response(
                        run=run,
                        claim_id=claim_id,
                        question_id=p.question_id,
                        eval_type=p.eval_type,
                        sample_index=i,
                        prompt=p.conversation,
                        text=text,
                        seed=seed,
                    )
                )
        if progress:
            progress(len(part))
    return out


def run_generative_probes(
    model,
    claim: ClaimSpec,
    run: str,
    samples: int = 5,
    sampling: SamplingParams | None = None,
    categories: Sequence[str] | None = None,
    *,
    transform: Callable[[GenerativeProbe], GenerativeProbe] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Response]:
    """Sample answers to every question of ``claim`` (or of the given ``categories``);
    ``transform`` rewrites each probe first (the in-context control adds documents)."""
    probes = generative_probes(claim, categories)
    if transform:
        probes = [transform(p) for p in probes]
    return sample_probes(model, probes, claim.id, run, samples=samples, sampling=sampling, progress=progress)


def with_conversation(probe: GenerativeProbe, conversation: Conversation) -> GenerativeProbe:
    return replace(probe, conversation=conversation)
