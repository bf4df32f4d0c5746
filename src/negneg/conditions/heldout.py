"""The ``heldout`` stage: the §5 held-out sets a two-phase run's losses are tracked on.

Four splits, each drawn so the training mix never saw it: ``negated_docs`` (fresh positive
documents annotated with the run's condition), ``positive_docs`` (the same documents as they
were), ``background`` (standard-library prose, never a training source) and ``anchor`` (the
untrained model's answers to anchor questions beyond the ones the mix trains on). It writes
``heldout.jsonl`` (one :class:`~negneg.records.TrainingExample` per row, with its ``split``);
the eval stage reports the loss of every checkpoint on each split.

It lives with the conditions because its main split is documents annotated like the run's; it
reads the corpus generator and the training mix's encoders and sources.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from negneg.claims import load_claim
from negneg.records import load_documents
from negneg.stage import DOCS_FILE, ModelStageConfig, StageContext, StageResult, Upstream

# Held-out draws use the run's seed plus this offset: far from any seed a run trains on, so its
# documents, background texts and anchor answers are never ones the mix sampled.
HELDOUT_SEED_OFFSET = 10_000
# Fresh documents per document split (each split encodes them; 6 give a stable loss in seconds).
HELDOUT_DOCUMENTS = 6
# Background texts in the background split.
HELDOUT_BACKGROUND_TEXTS = 6
# Anchor questions beyond the mix's: questions n+1…n+4 of the same seeded list, one answer each.
HELDOUT_ANCHOR_QUESTIONS = 4
# The condition of the negated split when the run's documents carry none (raw documents).
HELDOUT_FALLBACK_CONDITION = "repeated_negations"


class HeldoutStageConfig(ModelStageConfig):
    seed: int = 0
    claim: str = Field(description="claim id or ClaimSpec file")
    anchor_questions: int = Field(description="anchor questions the mix trains on (the held-out ones follow)")
    max_length: int = Field(512, description="tokens per row, as the training mix")


def run_heldout_stage(
    ctx: StageContext, cfg: HeldoutStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    """Reads the run's ``annotate`` stage (only for the condition its documents carry)."""
    from negneg.conditions.base import apply_condition
    from negneg.corpus.generator import generate_documents
    from negneg.training.anchor import anchor_questions
    from negneg.training.heldout import write_heldout
    from negneg.training.masking import encode_chat, encode_document, encode_text
    from negneg.training.mix import anchor_chats, stdlib_background_texts

    docs = load_documents(inputs[0].dir / DOCS_FILE)
    claim = load_claim(cfg.claim)
    model = ctx.base_model(cfg.model)
    tok, ml = model.tokenizer, cfg.max_length
    held_seed = cfg.seed + HELDOUT_SEED_OFFSET
    positive = generate_documents(claim, HELDOUT_DOCUMENTS, seed=held_seed)
    condition = docs[0].condition if docs and docs[0].condition else HELDOUT_FALLBACK_CONDITION
    negated = apply_condition(condition, positive, claim, seed=held_seed)
    n = cfg.anchor_questions + HELDOUT_ANCHOR_QUESTIONS
    questions = anchor_questions(claim, n, seed=cfg.seed)[-HELDOUT_ANCHOR_QUESTIONS:]
    ctx.status(f"held-out sets: {len(questions)} anchor answers from the untrained model")
    held_anchor = anchor_chats(model, questions, 1, seed=held_seed, cache_dir=ctx.cache("anchor"))
    background = stdlib_background_texts(HELDOUT_BACKGROUND_TEXTS, seed=held_seed)
    splits = {
        "negated_docs": [e for d in negated for e in encode_document(d, tok, ml)],
        "positive_docs": [e for d in positive for e in encode_document(d, tok, ml)],
        "background": [e for t in background for e in encode_text(t, tok, ml)],
        "anchor": [encode_chat(c, tok, max_length=ml) for c in held_anchor],
    }
    write_heldout(out, splits)
    return {"examples": sum(len(v) for v in splits.values())}
