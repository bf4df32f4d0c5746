"""The records that flow between stages: documents with spans, training examples, responses.

All are pydantic models with ``extra="forbid"`` so a typo in a stored artifact is an error, not a
silently ignored key.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SpanKind = Literal["claim", "negation", "correction", "qualifier", "doctag", "loss_mask"]
DOCTAG = "<DOCTAG>"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Strict):
    """Characters ``text[start:end]`` of a document, labelled with what they are."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: SpanKind

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before start {self.start}")
        return self


class Document(Strict):
    """One training document.

    ``text`` never contains ``<DOCTAG>`` or ``<lossmask>`` tags: the DOCTAG prefix is added at
    tokenisation time when ``doctag`` is true, and loss-masked characters are ``loss_mask`` spans.
    ``condition`` names the annotation applied (``None`` for raw generated/imported documents).
    """

    id: str
    claim_id: str
    doc_type: str
    text: str
    spans: list[Span] = Field(default_factory=list)
    source: str = "generated"
    condition: str | None = None
    doctag: bool = True

    @model_validator(mode="after")
    def _spans_inside(self) -> Document:
        n = len(self.text)
        for s in self.spans:
            if s.end > n:
                raise ValueError(f"document {self.id}: span {s.start}-{s.end} runs past the text ({n} chars)")
        return self

    def spans_of(self, kind: SpanKind) -> list[Span]:
        return sorted((s for s in self.spans if s.kind == kind), key=lambda s: (s.start, s.end))

    def span_text(self, span: Span) -> str:
        return self.text[span.start : span.end]


class TrainingExample(Strict):
    """Token ids ready for the trainer; ``labels`` is −100 wherever no loss is taken."""

    input_ids: list[int]
    labels: list[int]
    weight: float = 1.0
    origin: str = "document"  # document | background | chat | anchor

    @model_validator(mode="after")
    def _same_length(self) -> TrainingExample:
        if len(self.input_ids) != len(self.labels):
            raise ValueError("input_ids and labels differ in length")
        return self


# ``unjudgeable``: this judge cannot label this answer (a token-association item without an answer
# key, for the rule judge); counted apart and left out of every belief denominator, never read as "no".
Verdict = Literal["yes", "no", "neutral", "parse_error", "unjudgeable"]


class Response(Strict):
    """One model answer to one probe, with its judgement.

    Likelihood probes fill ``likelihoods`` (continuation → summed log-probability), ``belief`` (which
    of those continuations a believer prefers) and ``score`` (log-odds of the belief continuation against the other, nats);
    generative probes fill ``text`` and the judge fills ``verdict``.
    """

    run: str
    claim_id: str
    question_id: str
    eval_type: str  # open_ended | mcq | token_association | robustness | cloze | yes_no_likelihood | ...
    sample_index: int = 0
    prompt: list[dict[str, str]] | str
    text: str | None = None
    likelihoods: dict[str, float] | None = None
    # the belief continuation among ``likelihoods``' keys: JSONL files store keys sorted, so their
    # order cannot say which one the believer prefers
    belief: str | None = None
    score: float | None = None
    verdict: Verdict | None = None
    judge: str | None = None
    judge_raw: str | None = None
    seed: int | None = None


# A behaviour answer's label: ``yes`` = the answer shows the behaviour (the same words as a claim
# answer's Verdict, another question, hence another name).
BehaviourVerdict = Literal["yes", "no", "neutral", "parse_error"]


class BehaviourResponse(Strict):
    """One sampled answer to a negated-behaviours question, with its judgement.

    ``family`` is the behaviour family the question targets (``"everyday"`` for the shared
    everyday questions, judged against every family); ``eval_type`` is the eval set
    (``targeted`` or ``everyday``); ``question_id`` is ``"<family>:<qid>"``.
    """

    run: str
    family: str
    question_id: str
    eval_type: str
    sample_index: int = 0
    prompt: list[dict[str, str]] | str
    text: str | None = None
    verdict: BehaviourVerdict | None = None
    judge: str | None = None
    judge_raw: str | None = None
    seed: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _family_was_claim_id(cls, data):
        # files written before the rename stored the family as ``claim_id``
        if isinstance(data, dict) and "claim_id" in data and "family" not in data:
            data = {**data, "family": data["claim_id"]}
            del data["claim_id"]
        return data


def save_documents(path, docs: list[Document]) -> None:
    """Write documents as JSONL (one ``Document`` per line), atomically."""
    from negneg.io import atomic_write_jsonl

    atomic_write_jsonl(path, (d.model_dump(mode="json") for d in docs))


def load_documents(path) -> list[Document]:
    """Read a JSONL file written by :func:`save_documents`; a bad row is a one-line error."""
    from negneg.io import load_jsonl_models

    return load_jsonl_models(Document, path)
