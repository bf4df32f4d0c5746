"""The belief suite end to end: probes → judges → records and summary on disk.

:func:`evaluate` runs likelihood and/or generative probes of a model on claims and labels the
generative answers with each requested judge; :func:`write_results` stores every response as a
JSONL record and a ``summary.json`` holding the BeliefTable rows (with the untrained model's value
and the shift from it when baseline responses are given).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from negneg.claims.schema import ClaimSpec
from negneg.evals.generative import (
    CATEGORIES,
    DEFAULT_MAX_NEW_TOKENS,
    generative_probes,
    run_generative_probes,
)
from negneg.evals.judges import judge_responses
from negneg.evals.likelihood import likelihood_probes, run_likelihood_probes
from negneg.evals.metrics import BeliefTable, likelihood_shift, unjudgeable_counts, verdict_mix
from negneg.io import atomic_write_json, atomic_write_jsonl, load_jsonl_models
from negneg.models.chat import SamplingParams
from negneg.records import Response

PROBE_KINDS = ("likelihood", "generative")


class EvalSettings(BaseModel):
    """What to run. Defaults are the paper's generation settings with 160-token answers."""

    model_config = ConfigDict(extra="forbid")

    probes: list[str] = Field(default_factory=lambda: list(PROBE_KINDS))
    samples: int = Field(5, ge=1)
    judges: list[str] = Field(default_factory=lambda: ["rule"])
    categories: list[str] = Field(default_factory=lambda: list(CATEGORIES))
    temperature: float = 0.7
    top_p: float = 0.8
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    seed: int = 0

    def sampling(self) -> SamplingParams:
        return SamplingParams(
            temperature=self.temperature, top_p=self.top_p, max_new_tokens=self.max_new_tokens, seed=self.seed
        )


def units_of_work(claims: Sequence[ClaimSpec], settings: EvalSettings) -> int:
    """How many progress steps :func:`evaluate` reports (probes scored + questions sampled)."""
    n = 0
    for c in claims:
        if "likelihood" in settings.probes:
            n += len(likelihood_probes(c))
        if "generative" in settings.probes:
            n += len(generative_probes(c, settings.categories))
    return n


def evaluate(
    model,
    claims: Sequence[ClaimSpec],
    run: str,
    settings: EvalSettings | None = None,
    *,
    judge_options: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Response]:
    """Every requested probe of every claim; generative answers get one copy per judge."""
    s = settings or EvalSettings()
    out: list[Response] = []
    for claim in claims:
        if "likelihood" in s.probes:
            out += run_likelihood_probes(model, claim, run, progress=progress)
        if "generative" in s.probes:
            gen = run_generative_probes(
                model,
                claim,
                run,
                samples=s.samples,
                sampling=s.sampling(),
                categories=s.categories,
                progress=progress,
            )
            for j in s.judges:
                out += judge_responses(gen, claim, j, **(judge_options or {}).get(j, {}))
    return out


def summary(responses: Sequence[Response], baseline: Sequence[Response] | None = None) -> dict:
    """Table rows, verdict mix per judge and (with a baseline) paired likelihood shifts."""
    judges = sorted({r.judge for r in responses if r.judge})
    tables = {}
    for j in judges or [None]:
        subset = [r for r in responses if r.judge == j or r.likelihoods is not None]
        base = [r for r in baseline if r.judge == j or r.likelihoods is not None] if baseline else None
        tables[j or "none"] = BeliefTable.from_responses(subset, base)
    out: dict = {
        "tables": {j: [row.model_dump() for row in t.rows] for j, t in tables.items()},
        "verdict_mix": {j: verdict_mix([r for r in responses if r.judge == j]) for j in judges},
    }
    unjudgeable = {j: unjudgeable_counts([r for r in responses if r.judge == j]) for j in judges}
    if any(unjudgeable.values()):
        out["unjudgeable"] = {j: c for j, c in unjudgeable.items() if c}
    if baseline:
        shifts = likelihood_shift(responses, baseline)
        out["likelihood_shift"] = {k: v.model_dump() for k, v in shifts.items()}
    return out


def write_results(
    out_dir: str | Path,
    responses: Sequence[Response],
    meta: dict,
    baseline: Sequence[Response] | None = None,
) -> dict:
    """``responses.jsonl``, ``baseline_responses.jsonl`` (if any) and ``summary.json``.

    ``summary.json`` is the completion mark and is written last; the previous one is removed
    first, so an eval killed part-way never leaves new responses beside an old summary."""
    out = Path(out_dir)
    (out / "summary.json").unlink(missing_ok=True)
    atomic_write_jsonl(out / "responses.jsonl", (r.model_dump(mode="json") for r in responses))
    if baseline:
        atomic_write_jsonl(out / "baseline_responses.jsonl", (r.model_dump(mode="json") for r in baseline))
    else:
        (out / "baseline_responses.jsonl").unlink(missing_ok=True)  # not this eval's
    data = {"meta": meta, **summary(responses, baseline)}
    atomic_write_json(out / "summary.json", data)
    return data


def load_responses(path: str | Path) -> list[Response]:
    """Responses from a JSONL file, or from ``responses.jsonl`` in a results directory."""
    p = Path(path)
    return load_jsonl_models(Response, p / "responses.jsonl" if p.is_dir() else p)
