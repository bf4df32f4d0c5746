"""The ``behaviour_data`` and ``behaviour_eval`` stages (negated behaviours, paper §4.2).

* ``behaviour_data`` writes ``transcripts.jsonl``: the families' chat transcripts under one
  behaviour condition, which a ``mix`` stage trains on in the documents' place;
* ``behaviour_eval`` samples answers to the families' questions from the untrained model (no
  inputs) or a ``train`` stage's final adapter, judges them, and writes ``responses.jsonl`` and
  ``summary.json`` (the rate of answers showing each behaviour, per judge).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from negneg.io import atomic_write_json, atomic_write_jsonl
from negneg.stage import (
    FINAL_ADAPTER,
    TRANSCRIPTS_FILE,
    ModelStageConfig,
    StageConfig,
    StageContext,
    StageResult,
    Upstream,
    first_of,
)


class BehaviourDataStageConfig(StageConfig):
    condition: str
    families: list[str]
    families_sha: str | None = Field(None, description="fingerprint of the families' files")
    seed: int = 0
    flag_position: str = "prefix"


class BehaviourEvalStageConfig(ModelStageConfig):
    families: list[str]
    families_sha: str | None = None
    samples: int = 5
    max_new_tokens: int = 160
    temperature: float = 0.7
    top_p: float = 0.8
    judges: list[str] = Field(default_factory=lambda: ["rule"])
    judge_model: str | None = Field(None, description="for judges that need a model (default: the model)")
    judge_model_sha: str | None = None
    judge_code_sha: str | None = Field(None, description="fingerprint of the judges' code (in the id only)")
    questions_per_family: int | None = None


def run_behaviour_data_stage(
    ctx: StageContext, cfg: BehaviourDataStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    from negneg.behaviours.transcripts import behaviour_transcripts

    convs = behaviour_transcripts(cfg.condition, cfg.families, seed=cfg.seed, flag_position=cfg.flag_position)
    atomic_write_jsonl(out / TRANSCRIPTS_FILE, ({"messages": c} for c in convs))
    return {"transcripts": len(convs)}


def run_behaviour_eval_stage(
    ctx: StageContext, cfg: BehaviourEvalStageConfig, inputs: tuple[Upstream, ...], out: Path
) -> StageResult:
    from negneg.behaviours.evaluate import run_behaviour_eval
    from negneg.behaviours.judges import BEHAVIOUR_JUDGES
    from negneg.behaviours.metrics import behaviour_rates
    from negneg.models import load_chat_model
    from negneg.models.chat import SamplingParams

    train = first_of(inputs, "train")
    if train is None:
        model = ctx.base_model(cfg.model)
    else:
        model = load_chat_model(cfg.model, adapter=str(train.dir / FINAL_ADAPTER))
    ctx.status(f"behaviour eval ({', '.join(cfg.families)})")
    sampling = SamplingParams(temperature=cfg.temperature, top_p=cfg.top_p, max_new_tokens=cfg.max_new_tokens)
    needs_model = any(BEHAVIOUR_JUDGES.get(j, field="judges").needs_model for j in cfg.judges)
    judge_model = ctx.chat_model(cfg.judge_model or cfg.model) if needs_model else None
    responses = run_behaviour_eval(
        model,
        cfg.families,
        "final",
        samples=cfg.samples,
        sampling=sampling,
        judges=tuple(cfg.judges),
        judge_model=judge_model,
        limit=cfg.questions_per_family,
    )
    atomic_write_jsonl(out / "responses.jsonl", (r.model_dump() for r in responses))
    rates = behaviour_rates(responses)
    behaviour = {k: {j: st.model_dump() for j, st in v.items()} for k, v in rates.items()}
    atomic_write_json(
        out / "summary.json", {"targets": [{"phase": None, "step": None, "behaviour": behaviour}]}
    )
    return {"responses": len(responses)}
