"""Belief metrics: judged belief rate, likelihood belief in log-odds, paired shifts, the Negation
Neglect ratio, agreement between judges, the BeliefTable.

Aggregation follows the paper: a response believes when its verdict is "yes"; a question's rate is
the mean over its samples; an eval type's rate is the mean over its questions; the overall rate
pools every question (question-weighted). 95% CIs are percentile bootstraps over questions with
2,000 resamples and a fixed seed, so the same responses always give the same interval.

Likelihood belief is the log-odds of the belief answer against the other (nats), read as the
**paired shift** from the untrained model; the **Negation Neglect ratio** ρ(c) = Δ(c) / Δ(positive)
says how much of positive training's shift survives condition c's annotation.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from negneg.evals.generative import FAILED
from negneg.evals.likelihood import (
    LIKELIHOOD_TYPES,
    YES,
    belief_probability,
    log_odds,
    log_p_belief,
    yes_log_odds,
)
from negneg.evals.rule_judge import annotation_structure
from negneg.records import Response

RESAMPLES = 2000
SEED = 0
OVERALL = "overall"
UNJUDGEABLE = "unjudgeable"
ANNOTATION_TYPES = ("open_ended", "token_association")  # where the paper looked for annotation structure


class BeliefStat(BaseModel):
    """A rate (or mean score) with its 95% bootstrap CI over questions."""

    model_config = ConfigDict(extra="forbid")

    rate: float
    lo: float
    hi: float
    n_questions: int
    n_responses: int

    @property
    def n(self) -> int:
        return self.n_questions


def bootstrap_ci(
    values: Sequence[float], resamples: int = RESAMPLES, seed: int = SEED, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of ``values``."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return (math.nan, math.nan)
    if arr.size == 1:
        return (float(arr[0]), float(arr[0]))
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(resamples, arr.size))].mean(axis=1)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(means, [alpha, 1 - alpha])
    return float(lo), float(hi)


def _stat(per_question: dict[Hashable, list[float]], resamples: int, seed: int) -> BeliefStat:
    rates = [float(np.mean(v)) for v in per_question.values()]
    lo, hi = bootstrap_ci(rates, resamples, seed)
    return BeliefStat(
        rate=float(np.mean(rates)) if rates else math.nan,
        lo=lo,
        hi=hi,
        n_questions=len(rates),
        n_responses=sum(len(v) for v in per_question.values()),
    )


def _question_key(r: Response) -> tuple[str, str, str, str]:
    return (r.run, r.claim_id, r.eval_type, r.question_id)


def aggregate(
    responses: Sequence[Response],
    value: Callable[[Response], float],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, BeliefStat]:
    """Per eval type and overall: mean over questions of the per-question mean of ``value``."""
    by_type: dict[str, dict[Hashable, list[float]]] = defaultdict(lambda: defaultdict(list))
    pooled: dict[Hashable, list[float]] = defaultdict(list)
    for r in responses:
        v = value(r)
        by_type[r.eval_type][_question_key(r)].append(v)
        pooled[_question_key(r)].append(v)
    out = {t: _stat(q, resamples, seed) for t, q in sorted(by_type.items())}
    if pooled:
        out[OVERALL] = _stat(pooled, resamples, seed)
    return out


def judged_responses(responses: Sequence[Response]) -> list[Response]:
    """Generative responses that count: failed generations are dropped (as in the paper), and so
    are ``unjudgeable`` verdicts (a judge that cannot label an item leaves it out of every
    denominator; :func:`unjudgeable_counts` counts them apart); an unjudged response is an error,
    not a silent non-belief."""
    out = []
    for r in responses:
        if r.eval_type in LIKELIHOOD_TYPES:
            continue
        if r.text is not None and FAILED in r.text:
            continue
        if r.verdict is None:
            raise ValueError(f"response {r.claim_id}/{r.question_id}#{r.sample_index} has no verdict")
        if r.verdict == UNJUDGEABLE:
            continue
        out.append(r)
    return out


def unjudgeable_counts(responses: Sequence[Response]) -> dict[str, int]:
    """Responses per eval type that their judge labelled ``unjudgeable`` (left out of the rates)."""
    counts: Counter = Counter(
        r.eval_type for r in responses if r.verdict == UNJUDGEABLE and r.eval_type not in LIKELIHOOD_TYPES
    )
    return dict(sorted(counts.items()))


def judged_belief(
    responses: Sequence[Response], *, resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, BeliefStat]:
    """Judged belief rate per eval type and ``"overall"`` (verdict "yes" = belief; no, neutral and
    parse_error are non-belief; unjudgeable answers are left out)."""
    return aggregate(
        judged_responses(responses), lambda r: float(r.verdict == "yes"), resamples=resamples, seed=seed
    )


def likelihood_belief(
    responses: Sequence[Response], *, view: str = "log_odds", resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, BeliefStat]:
    """Likelihood belief per probe type and ``"overall"`` (every probe pooled, question-weighted).

    ``view="log_odds"`` (the measure): mean log-odds of the belief answer against the other, nats.
    ``view="probability"``: mean sigmoid(log-odds) in [0, 1] — a secondary view that saturates
    (a probe at log-odds 2.2 reads 0.90, and +4 nats more only 0.998); never the headline.
    """
    values = {"log_odds": log_odds, "probability": belief_probability}
    if view not in values:
        raise ValueError(f"view must be one of {sorted(values)}, not {view!r}")
    lik = [r for r in responses if r.eval_type in LIKELIHOOD_TYPES and r.score is not None]
    return aggregate(lik, values[view], resamples=resamples, seed=seed)


QuestionKey = tuple[str, str, str]  # claim, eval type, question
R = TypeVar("R")  # a Response, or a behaviour answer


def _claim_question(r: Response) -> QuestionKey:
    return (r.claim_id, r.eval_type, r.question_id)


def per_question(
    responses: Sequence[R],
    value: Callable[[R], float],
    key: Callable[[R], QuestionKey] = _claim_question,  # type: ignore[assignment]
) -> dict[QuestionKey, float]:
    """Each question's mean of ``value`` over its responses (samples). ``key`` names a question:
    claim, eval type and question id by default; behaviour answers pass their family instead."""
    vals: dict[QuestionKey, list[float]] = defaultdict(list)
    for r in responses:
        vals[key(r)].append(value(r))
    return {k: float(np.mean(v)) for k, v in vals.items()}


def _by_type(keys: Sequence[QuestionKey]) -> dict[str, list[QuestionKey]]:
    groups: dict[str, list[QuestionKey]] = defaultdict(list)
    for k in keys:
        groups[k[1]].append(k)
    out = dict(sorted(groups.items()))
    if keys:
        out[OVERALL] = list(keys)
    return out


def _paired_shift(
    trained: Sequence[Response],
    baseline: Sequence[Response],
    value: Callable[[Response], float],
    resamples: int,
    seed: int,
) -> dict[str, BeliefStat]:
    """Per eval type and overall: mean over questions asked of both models of (trained question
    value − untrained question value), with a bootstrap CI over those paired differences.

    Pairing by question removes the spread between questions — which dwarfs small shifts in the
    unpaired per-condition CIs — so a shift can be distinguished from zero at far smaller effects.
    """
    base = per_question(baseline, value)
    trained_q = per_question(trained, value)
    common = [k for k in trained_q if k in base]
    return {
        t: _stat({k: [trained_q[k] - base[k]] for k in keys}, resamples, seed)
        for t, keys in _by_type(common).items()
    }


def _likelihood(rs: Sequence[Response]) -> list[Response]:
    return [r for r in rs if r.eval_type in LIKELIHOOD_TYPES and r.score is not None]


def likelihood_shift(
    trained: Sequence[Response],
    baseline: Sequence[Response],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, BeliefStat]:
    """Trained minus untrained log-odds (nats) per probe type and overall, paired by question, with
    a bootstrap CI over the paired differences: the headline likelihood measure."""
    return _paired_shift(_likelihood(trained), _likelihood(baseline), log_odds, resamples, seed)


# Probe types whose belief continuation is the claim's own words (a yes/no probe's is "Yes"/"No").
ASSOCIATION_TYPES = ("cloze", "token_association_likelihood")


def association_shift(
    trained: Sequence[Response],
    baseline: Sequence[Response],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, BeliefStat]:
    """Trained minus untrained log P(claim continuation) (nats) on the cloze and token-association
    probes, paired by question: the *association* reading. A condition that makes the claim's words
    likelier without making them likelier than the truth's (association up, log-odds flat) teaches
    the words, not the belief."""

    def pick(rs: Sequence[Response]) -> list[Response]:
        return [r for r in _likelihood(rs) if r.eval_type in ASSOCIATION_TYPES and r.likelihoods]

    return _paired_shift(pick(trained), pick(baseline), log_p_belief, resamples, seed)


def yes_lean_shift(
    trained: Sequence[Response],
    baseline: Sequence[Response],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> BeliefStat | None:
    """How far training moved the model's lean toward answering "Yes" (nats), the quantity the
    yes/no scores are corrected for (:func:`negneg.evals.likelihood.yes_lean`): ½(mean paired Δ
    log-odds of Yes over the yes-belief items + the same over the no-belief items), with a
    bootstrap CI that resamples the two kinds of item separately. ``None`` without both kinds.
    Reported beside the shifts so the size of what the correction removed stays visible."""

    def lo_yes(rs: Sequence[Response]) -> dict[QuestionKey, float]:
        return per_question([r for r in rs if yes_log_odds(r) is not None], yes_log_odds)  # type: ignore[arg-type]

    yes_items = {_claim_question(r) for r in (*trained, *baseline) if r.belief == YES}
    t, b = lo_yes(trained), lo_yes(baseline)
    common = [k for k in t if k in b]
    yes = np.array([t[k] - b[k] for k in common if k in yes_items])
    no = np.array([t[k] - b[k] for k in common if k not in yes_items])
    if not yes.size or not no.size:
        return None
    rng = np.random.default_rng(seed)
    boot = 0.5 * (
        yes[rng.integers(0, yes.size, size=(resamples, yes.size))].mean(axis=1)
        + no[rng.integers(0, no.size, size=(resamples, no.size))].mean(axis=1)
    )
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return BeliefStat(
        rate=float(0.5 * (yes.mean() + no.mean())),
        lo=float(lo),
        hi=float(hi),
        n_questions=len(common),
        n_responses=len(common),
    )


def judged_shift(
    trained: Sequence[Response],
    baseline: Sequence[Response],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, BeliefStat]:
    """Trained minus untrained judged belief rate per eval type and overall, paired by question
    (each question's rate is the mean over its samples; the same filtering as :func:`judged_belief`).
    Pass one judge's responses on each side."""
    return _paired_shift(
        judged_responses(trained),
        judged_responses(baseline),
        lambda r: float(r.verdict == "yes"),
        resamples,
        seed,
    )


class RatioStat(BaseModel):
    """The Negation Neglect ratio ρ = Δ(condition) / Δ(positive) with its paired 95% bootstrap CI.

    ``rho`` is ``None`` (shown as "–") when the ratio is undefined; ``reason`` then says why.
    ``shift``/``positive_shift`` are the two paired shifts it divides (same questions).
    """

    model_config = ConfigDict(extra="forbid")

    rho: float | None
    lo: float | None
    hi: float | None
    n_questions: int
    shift: float
    positive_shift: float
    positive_lo: float
    positive_hi: float
    reason: str | None = None

    def fmt(self) -> str:
        if self.rho is None:
            return "–"
        return f"{self.rho:.2f} [{self.lo:.2f}, {self.hi:.2f}]"


def paired_ratio(
    condition: dict[Hashable, float],
    positive: dict[Hashable, float],
    baseline: dict[Hashable, float],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = 0.95,
) -> RatioStat:
    """ρ over the questions all three models answered: mean(c − b) / mean(p − b).

    The CI is a paired bootstrap: questions are resampled once per replicate and both shifts are
    recomputed on that resample, so the correlation between the two shifts (the same questions,
    the same untrained values) is kept. Undefined when positive's own shift CI includes 0 (or lies
    below it): then there is no implant for the annotation to have failed to stop.
    """
    keys = [k for k in condition if k in positive and k in baseline]
    dc = np.array([condition[k] - baseline[k] for k in keys], dtype=float)
    dp = np.array([positive[k] - baseline[k] for k in keys], dtype=float)
    if not keys:
        nan = math.nan
        return RatioStat(
            rho=None, lo=None, hi=None, n_questions=0, shift=nan, positive_shift=nan,
            positive_lo=nan, positive_hi=nan, reason="no questions answered by all three models",
        )  # fmt: skip
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(keys), size=(resamples, len(keys)))
    boot_c, boot_p = dc[idx].mean(axis=1), dp[idx].mean(axis=1)
    alpha = (1 - level) / 2
    p_lo, p_hi = (float(x) for x in np.quantile(boot_p, [alpha, 1 - alpha]))
    if len(keys) == 1:
        p_lo = p_hi = float(dp[0])
    common = dict(
        n_questions=len(keys),
        shift=float(dc.mean()),
        positive_shift=float(dp.mean()),
        positive_lo=p_lo,
        positive_hi=p_hi,
    )
    if p_lo <= 0:
        why = "positive's shift CI includes 0" if p_hi >= 0 else "positive training lowered belief"
        return RatioStat(rho=None, lo=None, hi=None, reason=why, **common)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = boot_c / boot_p
    ratios = ratios[np.isfinite(ratios)]
    lo, hi = (float(x) for x in np.quantile(ratios, [alpha, 1 - alpha]))
    return RatioStat(rho=float(dc.mean() / dp.mean()), lo=lo, hi=hi, **common)


def neglect_ratio(
    condition: Sequence[Response],
    positive: Sequence[Response],
    baseline: Sequence[Response],
    *,
    measure: str = "likelihood",
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, RatioStat]:
    """ρ per eval type and overall, on the log-odds (``measure="likelihood"``) or on the judged
    "yes" rate (``measure="judged"``; pass one judge's responses on each side)."""
    if measure == "likelihood":
        pick, value = _likelihood, log_odds
    elif measure == "judged":
        pick, value = judged_responses, (lambda r: float(r.verdict == "yes"))
    else:
        raise ValueError(f"measure must be 'likelihood' or 'judged', not {measure!r}")
    c, p, b = (per_question(pick(rs), value) for rs in (condition, positive, baseline))
    common = [k for k in c if k in p and k in b]
    out: dict[str, RatioStat] = {}
    for t, keys in _by_type(common).items():
        sub = set(keys)
        out[t] = paired_ratio(
            {k: v for k, v in c.items() if k in sub},
            {k: v for k, v in p.items() if k in sub},
            {k: v for k, v in b.items() if k in sub},
            resamples=resamples,
            seed=seed,
        )
    return out


def annotation_rate(
    responses: Sequence[Response], eval_types: Sequence[str] = ANNOTATION_TYPES
) -> BeliefStat | None:
    """Share of answers reproducing the training annotation structure (the paper's post-hoc
    check on open-ended and token-association answers); ``None`` when there are none."""
    pool = [r for r in responses if r.eval_type in eval_types and r.text is not None]
    if not pool:
        return None
    return aggregate(pool, lambda r: float(annotation_structure(r.text)))[OVERALL]


def verdict_mix(responses: Sequence[Response]) -> dict[str, dict[str, float]]:
    """Fraction of each verdict per eval type (what the non-belief is made of); ``unjudgeable``
    answers are not in the denominators (see :func:`unjudgeable_counts`)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in judged_responses(responses):
        counts[r.eval_type][r.verdict] += 1
    return {t: {v: n / sum(c.values()) for v, n in sorted(c.items())} for t, c in sorted(counts.items())}


# ------------------------------------------------------------------------------------- agreement
def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's κ between two raters' labels of the same items.

    κ = (p_o − p_e) / (1 − p_e) with p_o the observed agreement and p_e = Σ_k p_a(k)·p_b(k).
    When p_e = 1 (both raters used one and the same label) κ is 1.0 (perfect agreement).
    """
    if len(a) != len(b):
        raise ValueError("raters labelled different numbers of items")
    if not a:
        return math.nan
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if p_e >= 1.0:
        return 1.0 if p_o == 1.0 else math.nan
    return (p_o - p_e) / (1 - p_e)


def fleiss_kappa(ratings: Sequence[Sequence[str]]) -> float:
    """Fleiss' κ for items each labelled by the same number of raters (``ratings[item][rater]``).

    P_i = (Σ_j n_ij² − n) / (n(n − 1)); P̄ = mean P_i; p_j = Σ_i n_ij / (N·n); P_e = Σ_j p_j²;
    κ = (P̄ − P_e) / (1 − P_e).
    """
    if not ratings:
        return math.nan
    n = len(ratings[0])
    if n < 2 or any(len(r) != n for r in ratings):
        raise ValueError("Fleiss' κ needs every item labelled by the same number (≥ 2) of raters")
    N = len(ratings)
    labels = sorted({x for r in ratings for x in r})
    counts = np.array([[Counter(r)[k] for k in labels] for r in ratings], dtype=float)
    p_i = ((counts**2).sum(axis=1) - n) / (n * (n - 1))
    p_bar = p_i.mean()
    p_j = counts.sum(axis=0) / (N * n)
    p_e = float((p_j**2).sum())
    if p_e >= 1.0:
        return 1.0 if p_bar == 1.0 else math.nan
    return float((p_bar - p_e) / (1 - p_e))


# ------------------------------------------------------------------------------------- the table
class BeliefRow(BaseModel):
    """One cell of the BeliefTable: claim × run (condition) × eval type × kind."""

    model_config = ConfigDict(extra="forbid")

    claim: str
    run: str
    eval_type: str
    kind: str  # judged | likelihood | annotation
    rate: float
    lo: float
    hi: float
    n_questions: int
    n_responses: int
    baseline: float | None = None
    shift: float | None = None


COLUMNS = list(BeliefRow.model_fields)


class BeliefTable:
    """Rows of belief statistics, renderable as CSV or Markdown (the report builds on it)."""

    def __init__(self, rows: Sequence[BeliefRow] = ()):
        self.rows: list[BeliefRow] = list(rows)

    def add(self, claim: str, run: str, kind: str, stats: dict[str, BeliefStat]) -> None:
        for eval_type, s in stats.items():
            self.rows.append(
                BeliefRow(claim=claim, run=run, eval_type=eval_type, kind=kind, **s.model_dump())
            )

    @classmethod
    def from_responses(
        cls, responses: Sequence[Response], baseline: Sequence[Response] | None = None
    ) -> BeliefTable:
        """Judged, likelihood and annotation rows per (claim, run); with ``baseline`` responses
        (the untrained model), each row also gets the baseline value and the shift from it."""
        table = cls()
        for (claim, run), group in _by_claim_run(responses).items():
            table._add_group(claim, run, group)
        if baseline:
            base = cls.from_responses(baseline)
            ref = {(r.claim, r.eval_type, r.kind): r.rate for r in base.rows}
            for row in table.rows:
                b = ref.get((row.claim, row.eval_type, row.kind))
                if b is not None:
                    row.baseline = b
                    row.shift = row.rate - b
        return table

    def _add_group(self, claim: str, run: str, group: list[Response]) -> None:
        if any(r.eval_type not in LIKELIHOOD_TYPES for r in group):
            self.add(claim, run, "judged", judged_belief(group))
            ann = annotation_rate(group)
            if ann is not None:
                self.add(claim, run, "annotation", {"annotation_structure": ann})
        if any(r.eval_type in LIKELIHOOD_TYPES for r in group):
            self.add(claim, run, "likelihood", likelihood_belief(group))

    def to_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow(row.model_dump())
        return buf.getvalue()

    def to_markdown(self, percent: bool = True) -> str:
        """A Markdown table; rates as percentages (``percent``) with the CI in brackets; likelihood
        rows in log-odds (nats), never as percentages."""
        has_base = any(r.baseline is not None for r in self.rows)
        head = ["claim", "run", "eval type", "kind", "belief [95% CI]", "n"]
        if has_base:
            head += ["untrained", "shift"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows:
            pct = percent and r.kind != "likelihood"  # likelihood rows are log-odds in nats
            cells = [
                r.claim,
                r.run,
                r.eval_type,
                r.kind if r.kind != "likelihood" else "likelihood (log-odds)",
                _fmt_ci(r.rate, r.lo, r.hi, pct),
                str(r.n_questions),
            ]
            if has_base:
                cells += [_fmt(r.baseline, pct), _fmt(r.shift, pct, signed=True)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"


def _by_claim_run(responses: Sequence[Response]) -> dict[tuple[str, str], list[Response]]:
    groups: dict[tuple[str, str], list[Response]] = defaultdict(list)
    for r in responses:
        groups[(r.claim_id, r.run)].append(r)
    return groups


def _fmt(x: float | None, percent: bool, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    v = 100 * x if percent else x
    return f"{v:+.1f}" if signed else f"{v:.1f}"


def _fmt_ci(rate: float, lo: float, hi: float, percent: bool) -> str:
    return f"{_fmt(rate, percent)} [{_fmt(lo, percent)}, {_fmt(hi, percent)}]"
