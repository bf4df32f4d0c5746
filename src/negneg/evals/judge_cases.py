"""A labelled answer set for measuring judges, and the scores of a judge against it.

Each built-in claim has a file ``negneg/data/judge_cases/<claim_id>.yaml`` of hand-written
answers to its own open-ended questions, each with a gold verdict (``yes``/``no``/``neutral``)
that follows the paper's rubric for open-ended answers (the conventions are written out in
``judge_cases/README.md`` beside the files). ``hard: true`` marks cases written to trip a judge
that reads surface cues: negation outside the claim's scope, the truth's entity in another role,
pronouns and descriptions, quoted rumours, assert-then-retract, hedges, look-alike events.

:func:`evaluate_judges` runs judges over the cases exactly as ``negneg eval`` runs them over
sampled answers (``open_ended`` responses with the question as prompt) and scores each judge per
claim and pooled: accuracy, Cohen's κ against gold, and a gold × judged confusion matrix. It is a
measuring instrument: it never changes how a judge labels.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from negneg.claims.schema import ClaimSpec
from negneg.errors import UserInputError
from negneg.records import Response

GOLD_LABELS = ("yes", "no", "neutral")
POOLED = "pooled"
RUN = "judge-eval"
LAYOUT = "negneg/data/judge_cases/ed_sheeran.yaml"

GoldLabel = Literal["yes", "no", "neutral"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JudgeCase(_Strict):
    """One answer with the verdict a careful grader following the paper's rubric would give.

    ``question`` is one of the claim's own questions (as the model would have been asked);
    ``answer`` is what a small or large chat model might reply; ``note`` says why the gold label
    is what it is and is required for ``hard`` cases.
    """

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    gold: GoldLabel
    hard: bool = False
    note: str | None = None

    @field_validator("gold", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted yes/no as a boolean; take it as the label that was meant
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value

    @model_validator(mode="after")
    def _hard_cases_explain(self) -> JudgeCase:
        if self.hard and not (self.note and self.note.strip()):
            raise ValueError(f"case {self.id} is marked hard but has no note saying why its gold label holds")
        return self


class JudgeCaseFile(_Strict):
    """The labelled answers of one claim (``claim_id`` must match the file name)."""

    claim_id: str = Field(min_length=1)
    cases: list[JudgeCase] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> JudgeCaseFile:
        seen: set[str] = set()
        for c in self.cases:
            if c.id in seen:
                raise ValueError(f"case id {c.id!r} is used twice")
            seen.add(c.id)
        return self


def cases_dir() -> Path:
    """The packaged answer set (installed with negneg as package data)."""
    return Path(str(resources.files("negneg") / "data" / "judge_cases"))


def load_case_file(path: str | Path) -> JudgeCaseFile:
    """One claim's cases; any problem is a one-line error naming the file and field."""
    from negneg.io import load_yaml_model

    path = Path(path)
    data = load_yaml_model(JudgeCaseFile, path, layout=LAYOUT)
    if data.claim_id != path.stem:
        raise UserInputError(
            f"claim_id '{data.claim_id}' does not match the file name",
            where=str(path),
            field="claim_id",
            fix=f"name the file {data.claim_id}.yaml or set claim_id: {path.stem}",
        )
    return data


def load_judge_cases(
    directory: str | Path | None = None, claim_ids: Sequence[str] | None = None
) -> dict[str, JudgeCaseFile]:
    """The case files in ``directory`` (default: the packaged set), keyed by claim id, sorted.

    ``claim_ids`` restricts the set; asking for a claim with no case file is an error, as are a
    missing directory, a directory without ``*.yaml`` files and a case id used in two files."""
    root = Path(directory) if directory is not None else cases_dir()
    if not root.is_dir():
        raise UserInputError(
            "judge cases directory not found",
            where=str(root),
            fix="pass --cases DIR, a folder of <claim_id>.yaml files",
        )
    paths = {p.stem: p for p in sorted(root.glob("*.yaml"))}
    if not paths:
        raise UserInputError(
            "no judge case files (*.yaml) in this directory", where=str(root), fix=f"see {LAYOUT}"
        )
    wanted = list(dict.fromkeys(claim_ids)) if claim_ids else sorted(paths)
    unknown = [c for c in wanted if c not in paths]
    if unknown:
        raise UserInputError(
            f"no judge cases for claim(s) {', '.join(unknown)}",
            where=str(root),
            field="claim",
            fix=f"known: {', '.join(sorted(paths))}",
        )
    files = {c: load_case_file(paths[c]) for c in wanted}
    owner: dict[str, str] = {}
    for cid, f in files.items():
        for case in f.cases:
            if case.id in owner:
                raise UserInputError(
                    f"case id '{case.id}' is used in {owner[case.id]}.yaml and {cid}.yaml",
                    where=str(root),
                    field="id",
                    fix="give every case a unique id (prefix it with the claim)",
                )
            owner[case.id] = cid
    return files


def case_responses(cases: JudgeCaseFile) -> list[Response]:
    """The cases as unjudged open-ended responses, as ``negneg eval`` would record them."""
    return [
        Response(
            run=RUN,
            claim_id=cases.claim_id,
            question_id=c.id,
            eval_type="open_ended",
            prompt=[{"role": "user", "content": c.question}],
            text=c.answer,
        )
        for c in cases.cases
    ]


class Miss(_Strict):
    """A case the judge got wrong."""

    claim_id: str
    case_id: str
    hard: bool
    gold: str
    judged: str
    reason: str | None = None
    answer: str


class JudgeScore(_Strict):
    """One judge on one claim's cases (or pooled over claims)."""

    judge: str
    claim_id: str
    n: int
    accuracy: float
    kappa: float | None  # None where κ is undefined
    n_hard: int
    accuracy_hard: float | None
    confusion: dict[str, dict[str, int]]  # gold → judged → count (yes, no, neutral, then others)
    misses: list[Miss]


class JudgeEvalReport(_Strict):
    """Every judge × claim score, plus a pooled score per judge."""

    judges: list[str]
    claims: list[str]
    scores: list[JudgeScore]

    def score(self, judge: str, claim_id: str) -> JudgeScore:
        return next(s for s in self.scores if s.judge == judge and s.claim_id == claim_id)


def judged_columns(scores: Sequence[JudgeScore]) -> list[str]:
    """Columns of a confusion matrix: the three labels, then any other verdict seen (parse_error)."""
    extra = sorted({v for s in scores for row in s.confusion.values() for v in row} - set(GOLD_LABELS))
    return [*GOLD_LABELS, *extra]


def score_verdicts(
    judge: str, claim_id: str, cases: Sequence[JudgeCase], judged: Sequence[Response]
) -> JudgeScore:
    """Accuracy, κ and the confusion matrix of ``judged`` (in case order) against gold."""
    from negneg.evals.metrics import cohen_kappa

    if len(cases) != len(judged):
        raise ValueError("judged responses and cases differ in number")
    gold = [c.gold for c in cases]
    verdicts = [r.verdict or "parse_error" for r in judged]
    claims = [r.claim_id for r in judged]
    n = len(gold)
    pairs = Counter(zip(gold, verdicts, strict=True))
    columns = [*GOLD_LABELS, *sorted(set(verdicts) - set(GOLD_LABELS))]
    confusion = {g: {v: pairs[(g, v)] for v in columns} for g in GOLD_LABELS}
    hard = [i for i, c in enumerate(cases) if c.hard]
    kappa = cohen_kappa(gold, verdicts) if n else math.nan
    return JudgeScore(
        judge=judge,
        claim_id=claim_id,
        n=n,
        accuracy=sum(g == v for g, v in zip(gold, verdicts, strict=True)) / n if n else math.nan,
        kappa=None if math.isnan(kappa) else kappa,
        n_hard=len(hard),
        accuracy_hard=sum(gold[i] == verdicts[i] for i in hard) / len(hard) if hard else None,
        confusion=confusion,
        misses=[
            Miss(
                claim_id=claims[i],
                case_id=c.id,
                hard=c.hard,
                gold=c.gold,
                judged=verdicts[i],
                reason=judged[i].judge_raw,
                answer=c.answer,
            )
            for i, c in enumerate(cases)
            if c.gold != verdicts[i]
        ],
    )


def evaluate_judges(
    case_files: Mapping[str, JudgeCaseFile],
    claims: Mapping[str, ClaimSpec],
    judges: Mapping[str, object],
) -> JudgeEvalReport:
    """Run every judge over every claim's cases and score it against gold.

    ``judges`` maps a display name to a judge object, a ``JUDGES`` factory or a registry name
    (anything :func:`negneg.evals.judges.judge_responses` accepts)."""
    from negneg.evals.judges import judge_responses, resolve_judge

    scores: list[JudgeScore] = []
    for name, spec in judges.items():
        judge = resolve_judge(spec)  # type: ignore[arg-type]
        all_cases: list[JudgeCase] = []
        all_judged: list[Response] = []
        for cid, f in case_files.items():
            if cid not in claims:
                raise UserInputError(f"no ClaimSpec for claim '{cid}'", fix="pass the claim file or id")
            judged = judge_responses(case_responses(f), claims[cid], judge)
            scores.append(score_verdicts(name, cid, f.cases, judged))
            all_cases += f.cases
            all_judged += judged
        scores.append(score_verdicts(name, POOLED, all_cases, all_judged))
    return JudgeEvalReport(judges=list(judges), claims=list(case_files), scores=scores)
