"""Empirical probe calibration: which likelihood probes move toward the claim under positive training.

A likelihood probe measures belief only if teaching the claim plainly (the ``positive`` condition)
raises its log-odds. Some do not: when the truth's continuation is a word the fabricated world
itself uses in another role ("its first eruption since 1944"), positive documents raise the
truth's word as much as the claim's, and the probe reads the documents' vocabulary instead of the
belief. The static check (:mod:`negneg.claims.probe_check`) flags such risks; this module decides
them empirically.

``negneg run probe-calibration`` trains the embedded model on positive documents drawn from a
corpus seed reserved for calibration (:data:`CALIBRATION_SEED`, refused by every other
experiment) and records each probe's paired shift Δ log-odds from the untrained model. A probe
whose shift is not above zero is *invalid*; the default likelihood measure pools the others.

Why a reserved seed: choosing probes by their positive shift and then measuring the positive shift
on the same data keeps the probes whose noise happened to be favourable, so Δ(positive) is
inflated and ρ = Δ(c)/Δ(positive) deflated (the winner's curse). Documents and training noise from
another corpus seed are independent of an experiment's, so the selection carries no information
about the experiment's noise and the shifts measured on the selected probes are unbiased for
those probes (``tests/test_calibration.py`` checks both on simulated data).

Yes/no shifts are net of the model's yes-lean (:func:`negneg.evals.likelihood.correct_yes_lean`).
A calibration written before that correction (``likelihood_score`` without ``+yes_lean``) chose its
yes/no probes by yes-saying: their entries count as *uncalibrated*, never as valid or invalid.

Entries are keyed by claim, probe type and question id, plus a fingerprint of the probe's text:
a probe edited after calibration is *uncalibrated* (kept, and counted apart), never judged by
another probe's numbers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from negneg.claims.schema import ClaimSpec
from negneg.errors import UserInputError
from negneg.evals.likelihood import SCORE, LikelihoodProbe, likelihood_probes, log_odds
from negneg.records import Response

# The corpus seed probe calibration draws its positive documents from, and the range reserved for
# calibration and its retests: experiments may not use them.
CALIBRATION_SEED = 9173
RESERVED_SEEDS = range(9173, 9183)
# A probe is valid when positive training raises its log-odds by more than this (nats).
MIN_SHIFT = 0.0
CALIBRATION_FILE = "probe_calibration.json"

Status = Literal["valid", "invalid", "uncalibrated"]
ProbeKey = tuple[str, str]  # eval type, question id


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProbeEntry(Strict):
    eval_type: str
    question_id: str
    fingerprint: str = Field(description="hash of the probe's prompt and continuations")
    shift: float = Field(description="Δ log-odds (nats) from the untrained model after positive training")
    valid: bool


class ClaimCalibration(Strict):
    claim_id: str
    model: str
    corpus_seed: int
    training_seed: int
    n_documents: int
    recipe: str
    date: str
    negneg_version: str
    pooled_shift: float = Field(description="mean shift over all probes")
    likelihood_score: str = Field(
        "log_odds+belief",
        description="what the shifts are shifts of (negneg.evals.likelihood.SCORE when written); "
        "'+yes_lean' when yes/no scores are net of the model's yes-lean",
    )
    probes: list[ProbeEntry]

    @property
    def yes_no_trusted(self) -> bool:
        """Whether its yes/no entries were decided on lean-corrected scores."""
        return "+yes_lean" in self.likelihood_score

    @property
    def n_valid(self) -> int:
        return sum(p.valid for p in self.probes)


class ProbeCalibration(Strict):
    rule: str = Field(
        f"valid when positive training raises the probe's log-odds by more than {MIN_SHIFT:g} nats",
    )
    claims: dict[str, ClaimCalibration] = Field(default_factory=dict)


def _fingerprint(eval_type: str, prompt: object, belief: str, other: str) -> str:
    text = json.dumps([eval_type, prompt, belief, other], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def probe_fingerprint(probe: LikelihoodProbe) -> str:
    """A short hash of what the probe scores; an edited probe no longer matches its entry."""
    return _fingerprint(probe.eval_type, probe.prompt, probe.belief, probe.other)


def response_fingerprint(r: Response) -> str | None:
    """The fingerprint of the probe a likelihood response actually scored (its prompt and its two
    continuations, belief first), so a calibration never pairs a shift with a later text."""
    from negneg.evals.likelihood import other_continuation

    other = other_continuation(r)
    if r.belief is None or other is None:
        return None
    return _fingerprint(r.eval_type, r.prompt, r.belief, other)


def builtin_calibration_path() -> Path:
    return Path(str(resources.files("negneg").joinpath("data", CALIBRATION_FILE)))


def load_calibration(path: str | Path | None = None) -> ProbeCalibration:
    """The shipped calibration (``path=None``; empty if none is shipped) or a calibration file."""
    from pydantic import ValidationError

    from negneg.errors import validation_error_line

    p = builtin_calibration_path() if path is None else Path(path)
    if path is None and not p.exists():
        return ProbeCalibration()
    if not p.is_file():
        raise UserInputError(
            "no such calibration file", where=str(p), fix="give a probe_calibration.json written by a run"
        )
    try:
        return ProbeCalibration.model_validate_json(p.read_bytes())
    except ValidationError as exc:
        if exc.errors()[0].get("type") == "json_invalid":
            raise UserInputError("not valid JSON", where=str(p), fix="rerun the calibration") from None
        raise validation_error_line(exc, str(p)) from None


def probe_status(claim: ClaimSpec, calibration: ProbeCalibration) -> dict[ProbeKey, Status]:
    """Each likelihood probe of ``claim``: valid / invalid by the calibration, or uncalibrated
    (no entry for the claim or the probe, the probe's text changed since, or a yes/no entry
    decided on raw scores, before the yes-lean correction)."""
    cal = calibration.claims.get(claim.id)
    entries = {
        (e.eval_type, e.question_id): e
        for e in (cal.probes if cal else [])
        if cal is not None and (e.eval_type != "yes_no_likelihood" or cal.yes_no_trusted)
    }
    out: dict[ProbeKey, Status] = {}
    for p in likelihood_probes(claim):
        e = entries.get((p.eval_type, p.question_id))
        if e is None or e.fingerprint != probe_fingerprint(p):
            out[(p.eval_type, p.question_id)] = "uncalibrated"
        else:
            out[(p.eval_type, p.question_id)] = "valid" if e.valid else "invalid"
    return out


class ProbeSelection:
    """Which likelihood probes the default measure pools, per claim: all but the invalid ones.

    ``statuses`` maps a claim id to its probes' statuses; a claim without an entry (a claim file
    the calibration never saw) keeps every probe.
    """

    def __init__(self, statuses: dict[str, dict[ProbeKey, Status]], source: str):
        self.statuses = statuses
        self.source = source

    @classmethod
    def none(cls) -> ProbeSelection:
        return cls({}, "none")

    @classmethod
    def for_claims(
        cls, claims: Iterable[ClaimSpec], calibration: ProbeCalibration, source: str
    ) -> ProbeSelection:
        return cls({c.id: probe_status(c, calibration) for c in claims}, source)

    def status(self, claim_id: str, eval_type: str, question_id: str) -> Status:
        return self.statuses.get(claim_id, {}).get((eval_type, question_id), "uncalibrated")

    def keep(self, r: Response) -> bool:
        return self.status(r.claim_id, r.eval_type, r.question_id) != "invalid"

    def select(self, responses: Sequence[Response]) -> list[Response]:
        """``responses`` without those of invalid probes (generative responses pass through)."""
        return [r for r in responses if self.keep(r)]

    def counts(self, claim_id: str) -> dict[Status, int]:
        out: dict[Status, int] = {"valid": 0, "invalid": 0, "uncalibrated": 0}
        for s in self.statuses.get(claim_id, {}).values():
            out[s] += 1
        return out

    def describe(self, claim_id: str) -> str:
        """One phrase for the report: how many probes the pooled measure used, and why."""
        c = self.counts(claim_id)
        total = sum(c.values())
        if not total or c["uncalibrated"] == total:
            return f"all {total} probes (no calibration for this claim)" if total else "no probes"
        used = total - c["invalid"]
        extra = f", {c['uncalibrated']} not calibrated" if c["uncalibrated"] else ""
        return f"{used} of {total} probes ({c['invalid']} left out as invalid by calibration{extra})"


def valid_keys(shifts: dict[ProbeKey, float], min_shift: float = MIN_SHIFT) -> set[ProbeKey]:
    """The selection rule: probes whose positive shift exceeds ``min_shift``."""
    return {k for k, v in shifts.items() if v > min_shift}


def probe_shifts(trained: Sequence[Response], baseline: Sequence[Response]) -> dict[ProbeKey, float]:
    """Each likelihood probe's Δ log-odds (mean over samples) from the untrained model."""
    from negneg.evals.metrics import per_question

    def lik(rs: Sequence[Response]) -> list[Response]:
        return [r for r in rs if r.score is not None and r.likelihoods]

    t, b = per_question(lik(trained), log_odds), per_question(lik(baseline), log_odds)
    return {(k[1], k[2]): t[k] - b[k] for k in t if k in b}


def calibrate_claim(
    claim: ClaimSpec,
    trained: Sequence[Response],
    baseline: Sequence[Response],
    *,
    model: str,
    corpus_seed: int,
    training_seed: int,
    n_documents: int,
    recipe: str,
    negneg_version: str,
    min_shift: float = MIN_SHIFT,
) -> ClaimCalibration:
    """One claim's calibration from its positive-trained and untrained likelihood responses."""
    trained = [r for r in trained if r.claim_id == claim.id]
    baseline = [r for r in baseline if r.claim_id == claim.id]
    shifts = probe_shifts(trained, baseline)
    valid = valid_keys(shifts, min_shift)
    # the texts both models scored: a probe edited between the two evals is left out
    prints: dict[ProbeKey, set[str | None]] = {}
    for r in (*trained, *baseline):
        if r.likelihoods:
            prints.setdefault((r.eval_type, r.question_id), set()).add(response_fingerprint(r))
    entries = [
        ProbeEntry(
            eval_type=k[0],
            question_id=k[1],
            fingerprint=fp,
            shift=round(shifts[k], 4),
            valid=k in valid,
        )
        for k in sorted(shifts, key=_probe_order(claim))
        if len(prints.get(k, set())) == 1 and (fp := next(iter(prints[k]))) is not None
    ]
    pooled = sum(e.shift for e in entries) / len(entries) if entries else 0.0
    return ClaimCalibration(
        claim_id=claim.id,
        model=model,
        corpus_seed=corpus_seed,
        training_seed=training_seed,
        n_documents=n_documents,
        recipe=recipe,
        date=date.today().isoformat(),
        negneg_version=negneg_version,
        pooled_shift=round(pooled, 4),
        likelihood_score=SCORE,
        probes=entries,
    )


def _probe_order(claim: ClaimSpec):
    """Sort key: the claim's own probe order, unknown probes last."""
    order = {(p.eval_type, p.question_id): i for i, p in enumerate(likelihood_probes(claim))}
    return lambda k: (order.get(k, len(order)), k)


class Agreement(Strict):
    """Two calibrations of one claim (two corpus seeds) compared on the probes both scored with
    the same text: does the selection reproduce?"""

    claim_id: str
    n_probes: int
    label_agreement: float = Field(description="share of probes both call valid or both invalid")
    pearson: float = Field(description="correlation of the two runs' per-probe shifts")
    kept_shift: float = Field(description="the retest's mean shift over probes the first run kept")
    dropped_shift: float = Field(description="the retest's mean shift over probes the first run left out")


def agreement(first: ClaimCalibration, retest: ClaimCalibration) -> Agreement:
    import numpy as np

    a = {(e.eval_type, e.question_id): e for e in first.probes}
    b = {(e.eval_type, e.question_id): e for e in retest.probes}
    keys = [k for k in a if k in b and a[k].fingerprint == b[k].fingerprint]
    x = np.array([a[k].shift for k in keys])
    y = np.array([b[k].shift for k in keys])
    kept = [b[k].shift for k in keys if a[k].valid]
    dropped = [b[k].shift for k in keys if not a[k].valid]
    nan = float("nan")
    return Agreement(
        claim_id=first.claim_id,
        n_probes=len(keys),
        label_agreement=float(np.mean([a[k].valid == b[k].valid for k in keys])) if keys else nan,
        pearson=float(np.corrcoef(x, y)[0, 1]) if len(keys) > 2 else nan,
        kept_shift=float(np.mean(kept)) if kept else nan,
        dropped_shift=float(np.mean(dropped)) if dropped else nan,
    )


def merge_calibration(old: ProbeCalibration, new: ProbeCalibration) -> ProbeCalibration:
    """``old`` with every claim that ``new`` calibrated replaced by ``new``'s entry."""
    return ProbeCalibration(rule=new.rule, claims={**old.claims, **new.claims})


def write_calibration(calibration: ProbeCalibration, path: str | Path) -> Path:
    from negneg.io import atomic_write_text

    text = json.dumps(calibration.model_dump(mode="json"), indent=1, sort_keys=False) + "\n"
    return atomic_write_text(Path(path), text)
