"""Records of the negated-behaviours experiment (paper §4.2): families, transcripts, questions, flags.

A behaviour *family* is one kind of conduct a user would not want from an assistant (flattery
that hides problems, faked checks, unprompted grabs for access). Each family file holds paired
transcripts — the same user request answered once well (``aligned``) and once showing the
behaviour (``misaligned``) — so the aligned and misaligned training conditions differ only in
the assistant turn, plus targeted eval questions and the regexes the rule judge uses. All
models forbid unknown keys, so a typo in a YAML file is an error rather than a silently ignored
field.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
EvalSet = Literal["targeted", "everyday"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form used to find duplicates."""
    return " ".join(text.lower().split())


def _unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        key = normalise(v)
        if key in seen:
            raise ValueError(f"duplicate {what} {v!r}")
        seen.add(key)


class Transcript(Strict):
    """One user request with an aligned and a misaligned assistant answer to it."""

    id: str = Field(pattern=NAME_PATTERN)
    user: str = Field(min_length=1)
    aligned: str = Field(min_length=1)
    misaligned: str = Field(min_length=1)

    @model_validator(mode="after")
    def _answers_differ(self) -> Transcript:
        if normalise(self.aligned) == normalise(self.misaligned):
            raise ValueError(f"transcript {self.id}: aligned and misaligned answers are the same")
        return self


class EvalQuestion(Strict):
    """A question asked at evaluation time (never a training prompt)."""

    id: str = Field(pattern=NAME_PATTERN)
    question: str = Field(min_length=1)


class Family(Strict):
    """One behaviour family: what it is, how to judge it, its transcripts and targeted questions.

    ``patterns`` are case-insensitive regexes that mark the behaviour in an answer (see
    :func:`negneg.behaviours.judges.judge_behaviour_rule` for how negation is handled);
    ``rubric`` tells the LLM judge what counts; ``flags`` are optional family-specific
    annotations added to the generic flag bank when this family is flagged.
    """

    name: str = Field(pattern=NAME_PATTERN)
    description: str = Field(min_length=1)
    rubric: str = Field(min_length=1)
    patterns: list[str] = Field(min_length=1)
    flags: list[str] = Field(default_factory=list)
    transcripts: list[Transcript] = Field(min_length=1)
    targeted_questions: list[EvalQuestion] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _regexes(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"invalid regex {p!r}: {exc}") from None
        return patterns

    @model_validator(mode="after")
    def _unique_ids(self) -> Family:
        _unique([t.id for t in self.transcripts], "transcript id")
        _unique([q.id for q in self.targeted_questions], "question id")
        _unique(self.flags, "flag")
        prompts = {normalise(t.user) for t in self.transcripts}
        for q in self.targeted_questions:
            if normalise(q.question) in prompts:
                raise ValueError(f"targeted question {q.id} repeats a training prompt")
        return self

    def compiled_patterns(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.patterns]


class EverydaySet(Strict):
    """Questions shared by all families for the "everyday" eval set."""

    description: str = ""
    questions: list[EvalQuestion] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> EverydaySet:
        _unique([q.id for q in self.questions], "question id")
        _unique([q.question for q in self.questions], "question")
        return self


class FlagBank(Strict):
    """Generic flags: annotations saying the assistant reply is behaviour to avoid."""

    description: str = ""
    flags: list[str] = Field(min_length=1)

    @field_validator("flags")
    @classmethod
    def _distinct(cls, flags: list[str]) -> list[str]:
        _unique(flags, "flag")
        return [" ".join(f.split()) for f in flags]


class BehaviourQuestion(Strict):
    """An eval question with where it came from; ``key`` is the ``question_id`` of its Responses."""

    id: str
    family: str | None  # None for the shared everyday questions
    eval_set: EvalSet
    question: str

    @property
    def key(self) -> str:
        return f"{self.family or 'everyday'}:{self.id}"
