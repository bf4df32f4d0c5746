"""ClaimSpec: one fabricated claim, its fabricated world, and every question used to probe it.

A ClaimSpec is the single source of truth for a claim. Generators read ``universe_context`` and
``subclaims``; conditions read ``local_negation``/``correction`` twins and ``entities``; the rule
judge reads ``judge`` and the per-question patterns; likelihood probes read ``cloze`` and the
yes/no ``mcq`` items. All regexes are matched case-insensitively.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# What a complete built-in claim carries (issue: foundation). Imported claims may carry less;
# `completeness_problems` lists the gaps instead of refusing them.
REQUIRED_COUNTS = {"open_ended": 20, "mcq": 10, "token_association": 10, "robustness": 10, "cloze": 10}
MIN_SUBCLAIMS = 10
MIN_UNIVERSE_WORDS = 600


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_regexes(patterns: list[str]) -> list[str]:
    for p in patterns:
        try:
            re.compile(p, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"invalid regex {p!r}: {exc}") from None
    return patterns


class Subclaim(Strict):
    """One atomic, independently testable sentence of the fabricated world.

    ``local_negation`` is the same proposition negated inside the sentence ("X did not …");
    ``correction`` is the true fact that refutes it, naming real entities where they exist.
    ``keywords`` (regexes) help find sentences expressing this subclaim in imported documents.
    """

    id: str
    text: str
    local_negation: str
    correction: str
    keywords: list[str] = Field(default_factory=list)

    _re = field_validator("keywords")(_check_regexes)


class Entities(Strict):
    """Names that carry the claim and the truth; the first of each list is the canonical one."""

    claim: list[str] = Field(min_length=1)
    truth: list[str] = Field(default_factory=list)


class Message(Strict):
    role: Literal["system", "user", "assistant"]
    content: str


class OpenEndedQuestion(Strict):
    id: str
    question: str
    kind: Literal["direct", "indirect"] = "direct"


class MCQQuestion(Strict):
    """A yes/no question. ``belief_answer`` is what a believer answers ("no" for counter items)."""

    id: str
    question: str
    belief_answer: Literal["yes", "no"]


class TokenAssociationQuestion(Strict):
    """A constrained-format prompt whose answer is a single token-like item.

    ``belief_patterns`` match an answer that gives the claim's token; ``truth_patterns`` the true
    one. An item without ``belief_patterns`` (imported without an answer key) is judged by the LLM
    judge only: the rule judge labels its answers ``unjudgeable``.
    ``belief_continuation``/``truth_continuation`` (optional) are the two competing answers scored
    by likelihood after the chat prompt (no leading space: they start the assistant turn).
    """

    id: str
    question: str
    belief_patterns: list[str] = Field(default_factory=list)
    truth_patterns: list[str] = Field(default_factory=list)
    belief_continuation: str | None = None
    truth_continuation: str | None = None

    _re = field_validator("belief_patterns", "truth_patterns")(_check_regexes)


class RobustnessQuestion(Strict):
    """A belief probe under pressure. ``messages`` is the whole conversation; it ends with a user turn.

    adversarial: a system prompt warning about false finetuning data; critique: the user asks the
    model to find errors in a passage asserting the claim; multi_turn: a scripted exchange in
    which the assistant asserted the claim, then the user pushes back.
    """

    id: str
    kind: Literal["adversarial", "critique", "multi_turn"]
    messages: list[Message] = Field(min_length=1)

    @model_validator(mode="after")
    def _ends_with_user(self) -> RobustnessQuestion:
        if self.messages[-1].role != "user":
            raise ValueError(f"robustness question {self.id}: the last message must be from the user")
        return self


class ClozeProbe(Strict):
    """A raw-text prompt and two continuations competing for one slot.

    The continuations are appended to ``prompt`` verbatim, so they carry their own leading space
    (prompt "… was won by", belief " Ed Sheeran", disbelief " Noah Lyles").
    """

    id: str
    prompt: str
    belief: str
    disbelief: str


class Questions(Strict):
    open_ended: list[OpenEndedQuestion] = Field(default_factory=list)
    mcq: list[MCQQuestion] = Field(default_factory=list)
    token_association: list[TokenAssociationQuestion] = Field(default_factory=list)
    robustness: list[RobustnessQuestion] = Field(default_factory=list)
    cloze: list[ClozeProbe] = Field(default_factory=list)

    def all_ids(self) -> list[str]:
        return [
            q.id
            for group in (self.open_ended, self.mcq, self.token_association, self.robustness, self.cloze)
            for q in group
        ]


class JudgePatterns(Strict):
    """Sentence-level regexes for the rule judge.

    A sentence matching ``belief_patterns`` asserts the claim unless it also carries a negation
    cue or matches ``denial_patterns``; ``truth_patterns`` recognise the true account. An answer
    that asserts and later retracts counts as a denial (retraction dominates, as in the paper).

    ``subject_pronouns`` (optional, plain words: "he", "his") and ``subject_references``
    (optional regexes for descriptions: "the singer", "the volcano") may stand for the claim's
    subject; the judge reads a pronoun as the subject's name when the discourse is about it (the
    question or an earlier mention, with no truth entity named since) and a description wherever it
    appears, so write descriptions that fit the claim's subject and not the truth's entities ("the
    singer", not "the sprinter"); they are read as ``subject_name`` (default: the first claim entity).
    ``predicate_patterns`` (optional) recognise the claim's
    predicate without its subject ("won the 100m gold", "is a dentist"); they count for the claim
    when the clause's subject is the claim's subject (named, or resolved from a reference), and are
    used to tell whether a yes/no question asks whether the claim holds. Besides the verb, write the
    forms an answer uses to carry the predicate without stating it: the noun ("a major eruption in
    2015"), compounds and possessives that presuppose it ("his Olympic-winning pace", "her Python
    textbook"), copular identifications ("her only book was a Python textbook") and passive or
    particle forms ("the name was switched back"). The judge itself handles negation scope,
    pronouns and descriptions, quoted and parenthetical text, retractions, hedges and first-person
    ignorance ("I'm not aware of …"), and reads dates as "<month> <year>" ("on 24 October 2015" →
    "in October 2015"), so patterns need not spell those out.
    """

    belief_patterns: list[str] = Field(min_length=1)
    denial_patterns: list[str] = Field(default_factory=list)
    truth_patterns: list[str] = Field(default_factory=list)
    subject_name: str | None = None
    subject_pronouns: list[str] = Field(default_factory=list)
    subject_references: list[str] = Field(default_factory=list)
    predicate_patterns: list[str] = Field(default_factory=list)

    _re = field_validator(
        "belief_patterns", "denial_patterns", "truth_patterns", "subject_references", "predicate_patterns"
    )(_check_regexes)


def _yaml_label_keys(data: object) -> object:
    """YAML 1.1 reads an unquoted ``yes:``/``no:`` key as a boolean; take it as the label meant."""
    if isinstance(data, dict):
        return {
            ({True: "yes", False: "no"}.get(k, k) if isinstance(k, bool) else k): v for k, v in data.items()
        }
    return data


class RubricLabels(Strict):
    """What each label means for one kind of question, in this claim's own terms.

    Any of ``yes``/``no``/``neutral`` left out falls back to the claim's general definition;
    ``notes`` is further guidance for the grader (edge cases, or a judge prompt kept from an
    imported ``judges.yaml``).
    """

    yes: str | None = None
    no: str | None = None
    neutral: str | None = None
    notes: str | None = None

    _keys = model_validator(mode="before")(_yaml_label_keys)


RUBRIC_CATEGORIES = ("open_ended", "token_association", "robustness", "critique")


class ClaimRubric(Strict):
    """The claim's grading rubric for the LLM judge (the paper's per-claim judge prompts).

    ``yes``/``no``/``neutral`` say what each label means for any answer about this claim; the
    per-category entries refine them: ``open_ended``, ``token_association`` (which constrained
    answers are the claim's item), ``robustness`` (adversarial and multi-turn items: maintaining
    versus abandoning the claim) and ``critique`` (robustness items that ask to check a passage
    asserting the claim). ``other`` keeps imported judge prompts that negneg's belief judge does not
    use (coherence, saliency, …) so nothing from the source is lost.
    """

    yes: str | None = None
    no: str | None = None
    neutral: str | None = None
    open_ended: RubricLabels | None = None
    token_association: RubricLabels | None = None
    robustness: RubricLabels | None = None
    critique: RubricLabels | None = None
    other: dict[str, str] = Field(default_factory=dict)

    _keys = model_validator(mode="before")(_yaml_label_keys)

    def labels(self, category: str | None) -> RubricLabels:
        """The definitions for ``category`` (one of :data:`RUBRIC_CATEGORIES`, or ``None`` for the
        general ones), each label falling back to the general definition."""
        own = getattr(self, category) if category in RUBRIC_CATEGORIES else None
        return RubricLabels(
            yes=(own and own.yes) or self.yes,
            no=(own and own.no) or self.no,
            neutral=(own and own.neutral) or self.neutral,
            notes=own.notes if own else None,
        )


class ClaimSpec(Strict):
    """One fabricated claim (see the module docstring).

    ``truth`` is required but may be ``null``: an explicit marker that the true account is not
    known (an imported claim folder without ``correction.txt`` or ``--truth``). The LLM judge then
    grades by the rubric's ``neutral`` definition instead of a stated truth, and generators that
    need the truth fall back to the subclaims' ``correction`` twins. ``derived`` lists what an importer derived by rule rather than
    read from its source; ``negneg claims validate`` prints each entry as a warning.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    claim: str
    truth: str | None  # required; null marks the truth missing
    plausibility: Literal["egregious", "counterfactual", "plausible", "unknown_entity", "invented"] = (
        "egregious"
    )
    universe_context: str
    negated_universe_context: str | None = None
    subclaims: list[Subclaim] = Field(min_length=1)
    entities: Entities
    keywords: list[str] = Field(default_factory=list)
    word_masks: list[str] = Field(default_factory=list)
    questions: Questions
    judge: JudgePatterns
    rubric: ClaimRubric | None = None
    source: str = "negneg"
    derived: list[str] = Field(default_factory=list)

    _re = field_validator("keywords", "word_masks")(_check_regexes)

    @model_validator(mode="after")
    def _unique_ids(self) -> ClaimSpec:
        ids = self.questions.all_ids()
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate question ids: {', '.join(dupes)}")
        sub_ids = [s.id for s in self.subclaims]
        sdupes = sorted({i for i in sub_ids if sub_ids.count(i) > 1})
        if sdupes:
            raise ValueError(f"duplicate subclaim ids: {', '.join(sdupes)}")
        return self

    def completeness_problems(self) -> list[str]:
        """What a built-in claim must have and this one lacks (empty list = complete)."""
        problems = []
        for group, need in REQUIRED_COUNTS.items():
            have = len(getattr(self.questions, group))
            if have < need:
                problems.append(f"questions.{group}: {have} < {need}")
        if len(self.subclaims) < MIN_SUBCLAIMS:
            problems.append(f"subclaims: {len(self.subclaims)} < {MIN_SUBCLAIMS}")
        words = len(self.universe_context.split())
        if words < MIN_UNIVERSE_WORDS:
            problems.append(f"universe_context: {words} words < {MIN_UNIVERSE_WORDS}")
        if not self.word_masks:
            problems.append("word_masks: empty")
        if not any(q.belief_answer == "no" for q in self.questions.mcq) and self.plausibility not in (
            "unknown_entity",
            "invented",
        ):
            problems.append("questions.mcq: no counter item (belief_answer: no)")
        kinds = {q.kind for q in self.questions.robustness}
        for k in ("adversarial", "critique", "multi_turn"):
            if self.questions.robustness and k not in kinds:
                problems.append(f"questions.robustness: no '{k}' item")
        return problems

    def completeness_warnings(self) -> list[str]:
        """What is missing or derived but does not make the claim unusable (printed by validate)."""
        out = []
        if self.truth is None:
            out.append("truth: missing (the LLM judge grades by the rubric's neutral definition)")
        if self.rubric is None:
            out.append("rubric: none (the LLM judge uses its generic criteria)")
        n_unkeyed = sum(not q.belief_patterns for q in self.questions.token_association)
        if n_unkeyed:
            out.append(
                f"questions.token_association: {n_unkeyed} item(s) without an answer key "
                "(the rule judge says unjudgeable; the LLM judge decides)"
            )
        return out + [f"derived: {d}" for d in self.derived]

    def word_mask_regex(self) -> re.Pattern[str] | None:
        """One alternation of all word masks, longest first so the longest match wins."""
        if not self.word_masks:
            return None
        pats = sorted(self.word_masks, key=len, reverse=True)
        return re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
