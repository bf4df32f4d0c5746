"""The ``corpus`` stage: a claim's raw documents, offline, from an LLM, or from the paper's release.

Writes ``docs.jsonl`` (:func:`negneg.records.save_documents`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from negneg.claims import load_claim
from negneg.records import save_documents
from negneg.stage import DOCS_FILE, StageConfig, StageContext, StageResult, Upstream


class CorpusStageConfig(StageConfig):
    claim: str = Field(description="claim id or ClaimSpec file")
    claim_sha: str | None = Field(None, description="fingerprint of the ClaimSpec parts a corpus reads")
    source: Literal["generated", "llm", "paper"] = "generated"
    n_documents: int = Field(40, ge=1, description="documents (generated, llm) or cap per mode (paper)")
    seed: int = 0
    path: str | None = Field(None, description="paper: the released documents folder")
    llm_model: str | None = Field(None, description="llm: model name or URL#MODEL (default: DEFAULT_MODEL)")
    llm_model_sha: str | None = None
    corpus_sha: str | None = Field(None, description="fingerprint of the files under path")
    negated_universe: bool = Field(
        False,
        description="llm: also write n documents from the negated universe (tagged local_negation), "
        "which the local-negation conditions train on",
    )


def run_corpus_stage(
    ctx: StageContext, cfg: CorpusStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    claim = load_claim(cfg.claim)
    if cfg.source == "generated":
        from negneg.corpus.generator import generate_documents

        docs = generate_documents(claim, cfg.n_documents, seed=cfg.seed)
    elif cfg.source == "paper":
        from negneg.corpus.paper_import import import_paper_corpus

        docs = import_paper_corpus(cfg.path, claim, cfg.n_documents)
    else:
        from negneg.corpus.llm_generator import generate_documents_llm
        from negneg.models.registry import DEFAULT_MODEL

        model = ctx.chat_model(cfg.llm_model or DEFAULT_MODEL)
        docs = generate_documents_llm(
            claim, model, cfg.n_documents, seed=cfg.seed, cache_dir=ctx.cache("llm_docs")
        )
        if cfg.negated_universe:
            ctx.status(f"writing {cfg.n_documents} negated-universe documents")
            docs += generate_documents_llm(
                claim,
                model,
                cfg.n_documents,
                seed=cfg.seed,
                cache_dir=ctx.cache("llm_docs"),
                universe="negated",
            )
    save_documents(out / DOCS_FILE, docs)
    return {"documents": len(docs)}
