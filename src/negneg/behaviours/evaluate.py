"""Ask a model the behaviour questions, sample answers, and judge them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from negneg.behaviours.judges import BEHAVIOUR_JUDGES
from negneg.behaviours.library import resolve_families
from negneg.behaviours.questions import EVAL_SET_REGISTRY, EVAL_SETS, behaviour_questions
from negneg.behaviours.schema import BehaviourQuestion, Family
from negneg.errors import UserInputError
from negneg.models.chat import ChatModel, Conversation, SamplingParams
from negneg.records import BehaviourResponse

EVAL_SAMPLING = SamplingParams(temperature=0.7, top_p=0.8)
GENERATE_CHUNK = 8  # conversations per generate call, so a progress callback moves


def _question_conversation(q: BehaviourQuestion) -> Conversation:
    return [{"role": "user", "content": q.question}]


def run_behaviour_eval(
    model: ChatModel,
    families: Sequence[str | Family] | None,
    run: str,
    samples: int = 5,
    sampling: SamplingParams | None = None,
    judges: Sequence[str] = ("rule",),
    judge_model: ChatModel | None = None,
    *,
    judge_sampling: SamplingParams | None = None,
    eval_sets: Sequence[str] = tuple(EVAL_SETS),
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[BehaviourResponse]:
    """Sample ``samples`` answers per question and judge each with every judge in ``judges``.

    Returns one :class:`~negneg.records.BehaviourResponse` per (question, sample, judge): ``eval_type`` is the eval set
    ("targeted" or "everyday"), ``question_id`` is ``"<family>:<qid>"`` (``"everyday:<qid>"``
    for everyday questions), ``family`` the family name (``"everyday"``), ``judge`` "rule" or
    "llm", ``judge_raw`` the rule matches or the LLM judge's output. Targeted answers are judged
    against their own family; everyday answers against every built-in family (and any custom
    family passed in ``families``). Sampling defaults
    to the paper's (T=0.7, top-p 0.8); ``samples`` overrides ``sampling.n``. ``limit`` keeps the
    first ``limit`` questions per family and eval set; ``judge_sampling`` overrides the LLM
    judge's greedy 200-token decoding. ``progress(done, total)`` is called as
    answers are generated and judged.
    """
    entries = [BEHAVIOUR_JUDGES.get(j, field="judges") for j in judges]
    for entry in entries:
        if entry.needs_model and judge_model is None:
            raise UserInputError(
                f"the {entry.name} judge needs a judge model", field="judge_model", fix="pass judge_model"
            )
    for e in eval_sets:
        EVAL_SET_REGISTRY.get(e, field="eval_sets")
    if samples < 1:
        raise UserInputError("samples must be at least 1", field="samples", fix="use 1 or more")
    fams = resolve_families(list(families) if families is not None else None)
    questions = [q for e in eval_sets for q in behaviour_questions(fams, e, limit=limit)]
    params = (sampling or EVAL_SAMPLING).model_copy(update={"n": samples})

    total = len(questions) * (1 + len(judges))
    done = 0
    answers: list[list[str]] = []
    for start in range(0, len(questions), GENERATE_CHUNK):
        chunk = questions[start : start + GENERATE_CHUNK]
        answers.extend(model.generate([_question_conversation(q) for q in chunk], params))
        done += len(chunk)
        if progress:
            progress(done, total)

    items = [
        (q, i, text) for q, texts in zip(questions, answers, strict=True) for i, text in enumerate(texts)
    ]
    family_by_name = {f.name: f for f in fams}
    # everyday answers: every built-in family, plus any custom family under evaluation
    everyday: list[Family] = resolve_families(None)
    everyday += [f for f in fams if f.name not in {b.name for b in everyday}]
    responses: list[BehaviourResponse] = []
    to_judge = [
        (text, q.question, [family_by_name[q.family]] if q.family else everyday) for q, _, text in items
    ]
    for entry in entries:
        judge = entry.name
        verdicts = entry.judge_many(to_judge, judge_model if entry.needs_model else None, judge_sampling)
        for (q, i, text), (verdict, raw) in zip(items, verdicts, strict=True):
            responses.append(
                BehaviourResponse(
                    run=run,
                    family=q.family or "everyday",
                    question_id=q.key,
                    eval_type=q.eval_set,
                    sample_index=i,
                    prompt=_question_conversation(q),
                    text=text,
                    verdict=verdict,
                    judge=judge,
                    judge_raw=raw,
                    seed=params.seed,
                )
            )
        done += len(questions)
        if progress:
            progress(done, total)
    return responses
