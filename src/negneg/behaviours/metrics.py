"""Behaviour rates: share of responses showing the behaviour, per eval set and judge, with CIs.

The estimator is the paper's belief-rate estimator applied to "shows the behaviour": for each
question, the mean of ``verdict == "yes"`` over its judged samples; the rate is the mean of those
per-question means (questions weigh equally however many samples each has); the 95% interval is
a percentile bootstrap over questions (2,000 resamples, fixed seed) — the same
:func:`negneg.evals.metrics.bootstrap_ci` the belief tables use — because questions, not samples
(which are correlated within a question), are what a new experiment would redraw.

One deliberate difference from ``judged_belief``: ``parse_error`` verdicts are left out of the
denominator (and counted in ``n_parse_errors``) instead of counting as "not showing the
behaviour", so a judge that fails to answer cannot make a model look well behaved. ``neutral``
counts as "not showing the behaviour"; responses without a verdict are ignored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from negneg.evals.metrics import BeliefStat, RatioStat, bootstrap_ci
from negneg.records import BehaviourResponse

OVERALL = "overall"


class Stat(BeliefStat):
    """A behaviour rate in [0, 1] with its 95% bootstrap interval and sample sizes, plus the parse
    errors left out of the denominator."""

    n_parse_errors: int = 0


def pooled_stat(responses: Iterable[BehaviourResponse]) -> Stat | None:
    """Per-question mean of "yes", pooled over questions; ``None`` if nothing valid was judged."""
    per_question: dict[tuple[str, str, str, str], list[bool]] = defaultdict(list)
    parse_errors = 0
    for r in responses:
        if r.verdict is None:
            continue
        if r.verdict == "parse_error":
            parse_errors += 1
            continue
        per_question[(r.run, r.family, r.eval_type, r.question_id)].append(r.verdict == "yes")
    if not per_question:
        return None
    rates = [sum(v) / len(v) for v in per_question.values()]
    lo, hi = bootstrap_ci(rates)
    return Stat(
        rate=float(np.mean(rates)),
        lo=lo,
        hi=hi,
        n_questions=len(rates),
        n_responses=sum(len(v) for v in per_question.values()),
        n_parse_errors=parse_errors,
    )


def behaviour_rates(responses: Iterable[BehaviourResponse]) -> dict[str, dict[str, Stat]]:
    """``{eval_set: {judge: Stat}}`` plus ``"overall"`` (all eval sets' questions pooled).

    An eval set or judge whose responses are all ``parse_error`` (or unjudged) is absent.
    """
    groups: dict[tuple[str, str], list[BehaviourResponse]] = defaultdict(list)
    for r in responses:
        if r.verdict is None:
            continue
        judge = r.judge or ""
        groups[(r.eval_type, judge)].append(r)
        groups[(OVERALL, judge)].append(r)
    out: dict[str, dict[str, Stat]] = {}
    for (eval_set, judge), rows in sorted(groups.items(), key=lambda kv: (kv[0][0] == OVERALL, kv[0])):
        stat = pooled_stat(rows)
        if stat is not None:
            out.setdefault(eval_set, {})[judge] = stat
    return out


def behaviour_ratio(
    condition: Iterable[BehaviourResponse],
    reference: Iterable[BehaviourResponse],
    baseline: Iterable[BehaviourResponse],
) -> dict[str, dict[str, RatioStat]]:
    """``{judge: {eval_set | "overall": RatioStat}}``: the share of ``reference``'s learned behaviour
    that ``condition`` keeps, (rate(condition) − rate(untrained)) / (rate(reference) − rate(untrained)),
    over the questions all three models answered (per-question rates as in :func:`pooled_stat`:
    ``parse_error`` and unjudged answers left out).

    The paired bootstrap of :func:`negneg.evals.metrics.paired_ratio` (questions resampled once
    per replicate for both shifts); undefined, with its reason, when the reference's own shift CI
    includes 0 — no learned behaviour to remove. ``localize-behaviours`` reads it with
    ``localized_flagged_misaligned`` against ``flagged_misaligned``: 1 − it is the share the
    rewrite removes."""
    from negneg.evals.metrics import _by_type, paired_ratio, per_question

    def by_judge(rs: Iterable[BehaviourResponse]) -> dict[str, list[BehaviourResponse]]:
        out: dict[str, list[BehaviourResponse]] = defaultdict(list)
        for r in rs:
            if r.verdict is not None and r.verdict != "parse_error":
                out[r.judge or ""].append(r)
        return out

    def yes(r: BehaviourResponse) -> float:
        return float(r.verdict == "yes")

    def question(r: BehaviourResponse) -> tuple[str, str, str]:
        return (r.family, r.eval_type, r.question_id)

    c, p, b = by_judge(condition), by_judge(reference), by_judge(baseline)
    out: dict[str, dict[str, RatioStat]] = {}
    for judge in sorted(set(c) & set(p) & set(b)):
        cq, pq, bq = (per_question(x[judge], yes, question) for x in (c, p, b))
        common = [k for k in cq if k in pq and k in bq]
        out[judge] = {
            t: paired_ratio({k: cq[k] for k in keys}, {k: pq[k] for k in keys}, {k: bq[k] for k in keys})
            for t, keys in _by_type(common).items()
        }
    return out
