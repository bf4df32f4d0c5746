"""The ``annotate`` stage: the corpus's documents under one training condition.

Reads the upstream corpus's ``docs.jsonl``; writes ``docs.jsonl``. Documents that already carry
the condition (the paper's released local negations, an LLM corpus's negated-universe documents)
are taken as they are; the others are annotated by :func:`negneg.conditions.apply_condition`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from negneg.claims import load_claim
from negneg.conditions.options import ConditionOptions, parse_options
from negneg.corpus.stage import CorpusStageConfig
from negneg.records import load_documents, save_documents
from negneg.stage import DOCS_FILE, StageConfig, StageContext, StageResult, Upstream


class AnnotateStageConfig(StageConfig):
    condition: str
    # as written in the experiment (so the stage id hashes exactly that); read as condition_options
    options: dict[str, Any] = Field(default_factory=dict, description="ConditionOptions fields")
    seed: int = 0
    judge_sha: str | None = Field(
        None, description="fingerprint of the claim's judge patterns (the offline debunks read them)"
    )

    @property
    def condition_options(self) -> ConditionOptions:
        return parse_options(self.options)


def run_annotate_stage(
    ctx: StageContext, cfg: AnnotateStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    from negneg.conditions.base import apply_condition

    corpus = inputs[0]
    docs = load_documents(corpus.dir / DOCS_FILE)
    claim = load_claim(corpus.config_as(CorpusStageConfig).claim)
    ready = [d for d in docs if d.condition == cfg.condition]
    if not ready and cfg.condition == "local_negation_wordmask":
        # ready-made debunks (the paper's released local negations, or the LLM's negated-universe
        # documents) are masked here rather than replaced by offline ones
        from negneg.conditions.local_negation import mask_debunks

        ready = mask_debunks([d for d in docs if d.condition == "local_negation"], claim, cfg.condition)
    if ready:
        if not cfg.condition_options.doctag:  # the one option a ready document still takes
            ready = [d.model_copy(update={"doctag": False}) for d in ready]
        result = ready
    else:
        base = [d for d in docs if d.condition in (None, "positive")]
        result = apply_condition(cfg.condition, base, claim, seed=cfg.seed, options=cfg.condition_options)
    save_documents(out / DOCS_FILE, result)
    return {"documents": len(result)}
