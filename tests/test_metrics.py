"""Metrics against hand-computed values: belief rates, bootstrap CIs, κ, the BeliefTable."""

from __future__ import annotations

import math

import numpy as np
import pytest

from negneg.evals.metrics import (
    BeliefTable,
    annotation_rate,
    association_shift,
    bootstrap_ci,
    cohen_kappa,
    fleiss_kappa,
    judged_belief,
    judged_shift,
    likelihood_belief,
    likelihood_shift,
    neglect_ratio,
    verdict_mix,
)
from negneg.records import Response


def _g(qid: str, verdict: str, eval_type: str = "open_ended", i: int = 0, text: str = "t", run: str = "r"):
    return Response(
        run=run, claim_id="c", question_id=qid, eval_type=eval_type, sample_index=i, prompt=[], text=text,
        verdict=verdict, judge="rule",
    )  # fmt: skip


def _l(qid: str, eval_type: str, score: float, run: str = "r"):
    return Response(
        run=run, claim_id="c", question_id=qid, eval_type=eval_type, prompt="p", score=score, likelihoods={}
    )


def test_judged_belief_matches_hand_computation():
    rs = [
        _g("q1", "yes", i=0), _g("q1", "no", i=1), _g("q1", "yes", i=2),  # 2/3
        _g("q2", "no", i=0), _g("q2", "neutral", i=1),  # 0
        _g("m1", "yes", "mcq"), _g("m2", "parse_error", "mcq"),  # 1, 0 (parse_error is non-belief)
    ]  # fmt: skip
    stats = judged_belief(rs)
    assert stats["open_ended"].rate == pytest.approx(1 / 3)
    assert stats["mcq"].rate == pytest.approx(0.5)
    # overall pools per-question rates (question-weighted), not responses
    assert stats["overall"].rate == pytest.approx((2 / 3 + 0 + 1 + 0) / 4)
    assert stats["overall"].n_questions == 4 and stats["overall"].n_responses == 7
    assert stats["open_ended"].n == 2
    for s in stats.values():
        assert s.lo <= s.rate <= s.hi


def test_failed_generations_are_dropped_and_unjudged_is_an_error():
    rs = [_g("q1", "yes"), _g("q2", "no", text="[failed to generate response]")]
    assert judged_belief(rs)["overall"].n_questions == 1
    bad = _g("q3", "yes").model_copy(update={"verdict": None})
    with pytest.raises(ValueError, match="no verdict"):
        judged_belief([bad])


def test_bootstrap_ci_is_the_percentile_interval_over_questions():
    values = [0.0, 0.2, 1.0, 0.6, 0.4]
    lo, hi = bootstrap_ci(values, resamples=2000, seed=0)
    rng = np.random.default_rng(0)
    means = np.asarray(values)[rng.integers(0, 5, size=(2000, 5))].mean(axis=1)
    assert (lo, hi) == pytest.approx(tuple(np.quantile(means, [0.025, 0.975])))
    assert lo < np.mean(values) < hi
    assert bootstrap_ci(values) == bootstrap_ci(values)  # fixed seed: repeatable
    assert bootstrap_ci([0.3]) == (0.3, 0.3)
    assert bootstrap_ci([0.5] * 7) == (0.5, 0.5)
    assert all(math.isnan(x) for x in bootstrap_ci([]))


def test_likelihood_belief_is_log_odds_with_a_probability_view():
    rs = [
        _l("y1", "yes_no_likelihood", math.log(4)),  # yes/no is log-odds too: P(belief) 0.8
        _l("c1", "cloze", 0.0),  # log-odds 0 → 0.5
        _l("c2", "cloze", math.log(3)),  # log-odds ln 3 → 0.75
        _l("t1", "token_association_likelihood", -math.log(4)),  # → 0.2
    ]
    lo = likelihood_belief(rs)
    assert lo["yes_no_likelihood"].rate == pytest.approx(math.log(4))
    assert lo["cloze"].rate == pytest.approx(math.log(3) / 2)
    assert lo["overall"].rate == pytest.approx((math.log(4) + math.log(3) - math.log(4)) / 4)
    p = likelihood_belief(rs, view="probability")
    assert p["yes_no_likelihood"].rate == pytest.approx(0.8)
    assert p["cloze"].rate == pytest.approx(0.625)
    assert p["overall"].rate == pytest.approx((0.8 + 0.5 + 0.75 + 0.2) / 4)
    with pytest.raises(ValueError):
        likelihood_belief(rs, view="score")


def test_likelihood_shift_is_paired_log_odds_and_does_not_saturate():
    """A probe at log-odds 2.2 (P 0.90) moved by +4 nats reads +4, not +0.10 as a probability."""
    base = [_l("c1", "cloze", 2.2, "base"), _l("c2", "cloze", 0.0, "base")]
    trained = [_l("c1", "cloze", 6.2, "t"), _l("c2", "cloze", 0.0, "t")]
    shift = likelihood_shift(trained, base)
    assert shift["cloze"].rate == pytest.approx((4.0 + 0.0) / 2)
    assert shift["overall"].n_questions == 2
    assert likelihood_shift(trained, base)["overall"].rate == pytest.approx(2.0)


def _ratio_arms(rho: float, n: int = 24):
    """Untrained, positive and a condition whose shift is exactly ``rho`` × positive's, per question
    (positive's shifts vary between questions, so the bootstrap has something to resample)."""
    base, pos, cond = [], [], []
    for i in range(n):
        t = ("cloze", "token_association_likelihood", "yes_no_likelihood")[i % 3]
        x0, d = 0.3 * (i % 5) - 0.5, 2.0 + (i % 7) * 0.5
        base.append(_l(f"q{i}", t, x0, "base"))
        pos.append(_l(f"q{i}", t, x0 + d, "pos"))
        cond.append(_l(f"q{i}", t, x0 + rho * d, "cond"))
    return cond, pos, base


@pytest.mark.parametrize("rho", [1.0, 0.0, -0.5])
def test_neglect_ratio_recovers_a_known_answer(rho: float):
    cond, pos, base = _ratio_arms(rho)
    out = neglect_ratio(cond, pos, base)
    for t in ("cloze", "token_association_likelihood", "yes_no_likelihood", "overall"):
        assert out[t].rho == pytest.approx(rho), t
        # every resample divides proportional shifts: the paired CI collapses onto ρ itself
        assert out[t].lo == pytest.approx(rho) and out[t].hi == pytest.approx(rho)
    assert out["overall"].n_questions == 24 and out["overall"].reason is None
    assert out["overall"].positive_lo > 0


def test_neglect_ratio_ci_covers_a_noisy_ratio_and_is_paired():
    import random

    rng = random.Random(0)
    base, pos, cond = [], [], []
    for i in range(40):
        x0 = rng.gauss(0, 3)  # large spread between questions: pairing must remove it
        d = rng.gauss(3, 1)
        base.append(_l(f"q{i}", "cloze", x0, "base"))
        pos.append(_l(f"q{i}", "cloze", x0 + d, "pos"))
        cond.append(_l(f"q{i}", "cloze", x0 + 0.5 * d + 0.3 * (-1) ** i, "cond"))  # noise sums to 0
    r = neglect_ratio(cond, pos, base)["overall"]
    assert r.rho == pytest.approx(0.5)
    assert r.lo < 0.5 < r.hi and r.hi - r.lo < 0.3  # narrow although questions spread by ±3 nats
    assert r.fmt().startswith(f"{r.rho:.2f} [")


def test_neglect_ratio_is_undefined_when_positive_did_not_move():
    cond, _, base = _ratio_arms(0.5)
    flat = [
        _l(r.question_id, r.eval_type, r.score + (0.1 if i % 2 else -0.1), "pos") for i, r in enumerate(base)
    ]
    r = neglect_ratio(cond, flat, base)["overall"]
    assert r.rho is None and r.lo is None and "includes 0" in r.reason and r.fmt() == "–"
    down = [_l(r.question_id, r.eval_type, r.score - 2.0, "pos") for r in base]
    assert neglect_ratio(cond, down, base)["overall"].reason == "positive training lowered belief"


def test_neglect_ratio_on_judged_belief():
    base = [_g(f"q{i}", "no", run="base") for i in range(20)]
    pos = [_g(f"q{i}", "yes" if i < 10 else "no", run="pos") for i in range(20)]
    cond = [_g(f"q{i}", "yes" if i < 5 else "no", run="cond") for i in range(20)]
    r = neglect_ratio(cond, pos, base, measure="judged")["overall"]
    assert (
        r.rho == pytest.approx(0.5)
        and r.shift == pytest.approx(0.25)
        and r.positive_shift == pytest.approx(0.5)
    )
    assert r.lo < 0.5 < r.hi


def test_judged_shift_pairs_questions_and_separates_a_small_consistent_shift():
    # 40 questions; the untrained model believes on half; training flips 4 of the "no" ones to "yes".
    base = [_g(f"q{i}", "yes" if i % 2 else "no", run="base") for i in range(40)]
    trained = [_g(f"q{i}", "yes" if i % 2 or i in (0, 2, 4, 6) else "no", run="t") for i in range(40)]
    trained.append(_g("only_trained", "yes", run="t"))  # asked of one model only: not paired, left out
    shift = judged_shift(trained, base)
    assert shift["overall"].rate == pytest.approx(4 / 40)
    assert shift["overall"].n_questions == 40
    # paired differences are 0 or +1: the CI lies above zero …
    assert shift["overall"].lo > 0
    # … although the two unpaired CIs (0.50 vs 0.60 over 40 questions) overlap
    b, t = (
        judged_belief(base)["overall"],
        judged_belief([r for r in trained if r.question_id != "only_trained"])["overall"],
    )
    assert t.lo <= b.hi


def test_cohen_kappa_hand_example():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 → p_o .7, p_e .5, κ .4
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    assert cohen_kappa(["yes"] * 4, ["yes"] * 4) == 1.0  # p_e = 1 with perfect agreement
    # three labels, each used twice by each rater: p_o = 4/6, p_e = 3·(2·2)/36 = 1/3 → κ = 0.5
    assert cohen_kappa(["y", "y", "n", "n", "u", "u"], ["y", "y", "n", "u", "u", "n"]) == pytest.approx(
        (4 / 6 - 12 / 36) / (1 - 12 / 36)
    )
    with pytest.raises(ValueError):
        cohen_kappa(["yes"], [])


def test_fleiss_kappa_textbook_example():
    # Fleiss (1971) as tabulated on Wikipedia: 10 items × 14 raters × 5 categories → κ ≈ 0.210
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    ratings = [[str(j) for j, n in enumerate(row) for _ in range(n)] for row in table]
    assert fleiss_kappa(ratings) == pytest.approx(0.20993, abs=1e-4)


def test_fleiss_equals_hand_value_for_two_raters():
    # two raters, 4 items: agree, agree, disagree, agree → P̄ = 3/4; p = (5/8, 3/8); P_e = 34/64
    ratings = [["y", "y"], ["n", "n"], ["y", "n"], ["y", "y"]]
    assert fleiss_kappa(ratings) == pytest.approx((0.75 - 34 / 64) / (1 - 34 / 64))
    with pytest.raises(ValueError):
        fleiss_kappa([["y", "y"], ["y"]])


def test_annotation_rate_and_verdict_mix():
    rs = [
        _g("q1", "no", text="[The following claim is false: X.] X happened."),
        _g("q2", "yes", text="X happened."),
        _g("m1", "yes", "mcq", text="[This is false]"),  # MCQ answers are not checked
    ]
    ann = annotation_rate(rs)
    assert ann.rate == pytest.approx(0.5) and ann.n_questions == 2
    mix = verdict_mix(rs)
    assert mix["open_ended"] == {"no": 0.5, "yes": 0.5}


def test_belief_table_rows_shift_and_rendering():
    trained = [_g("q1", "yes", run="neg"), _g("q2", "no", run="neg"), _l("c1", "cloze", math.log(3), "neg")]
    base = [_g("q1", "no", run="base"), _g("q2", "no", run="base"), _l("c1", "cloze", 0.0, "base")]
    table = BeliefTable.from_responses(trained, baseline=base)
    rows = {(r.kind, r.eval_type): r for r in table.rows}
    assert rows[("judged", "overall")].rate == pytest.approx(0.5)
    assert rows[("judged", "overall")].baseline == pytest.approx(0.0)
    assert rows[("judged", "overall")].shift == pytest.approx(0.5)
    assert rows[("likelihood", "cloze")].shift == pytest.approx(math.log(3))  # nats
    csv = table.to_csv()
    assert csv.splitlines()[0].startswith("claim,run,eval_type,kind,rate,lo,hi")
    assert len(csv.splitlines()) == 1 + len(table.rows)
    md = table.to_markdown()
    assert "| c | neg | overall | judged | 50.0 [" in md and "+50.0" in md


def test_association_shift_reads_the_claims_words_not_the_contest():
    """Debunks raise both the claim's and the truth's words: association up, log-odds flat."""

    def probe(qid, run, lp_claim, lp_truth, t="cloze"):
        return Response(
            run=run, claim_id="c", question_id=qid, eval_type=t, prompt="p",
            likelihoods={" Ed Sheeran": lp_claim, " Noah Lyles": lp_truth}, belief=" Ed Sheeran",
            score=lp_claim - lp_truth,
        )  # fmt: skip

    base = [probe("c1", "b", -12.0, -3.0), probe("t1", "b", -10.0, -2.0, "token_association_likelihood")]
    trained = [probe("c1", "t", -6.0, 3.0), probe("t1", "t", -4.0, 4.0, "token_association_likelihood")]
    yes_no = [probe("m1", "b", -0.5, -1.0, "yes_no_likelihood")]
    assoc = association_shift(trained + yes_no, base + yes_no)
    assert assoc["overall"].rate == pytest.approx(6.0) and assoc["overall"].n_questions == 2  # no yes/no
    assert likelihood_shift(trained, base)["overall"].rate == pytest.approx(0.0)


def test_the_belief_continuation_survives_a_round_trip_through_jsonl(tmp_path):
    """JSONL files store keys sorted, so the belief continuation is named, not implied by order: a
    probe whose belief sorts after its rival (" British" > " American") still reads log P(" British")."""
    from negneg.evals.likelihood import log_p_belief
    from negneg.io import atomic_write_jsonl, load_jsonl_models

    r = Response(
        run="final", claim_id="c", question_id="cl01", eval_type="cloze", prompt="p",
        likelihoods={" British": -2.0, " American": -7.0}, belief=" British", score=5.0,
    )  # fmt: skip
    atomic_write_jsonl(tmp_path / "r.jsonl", [r.model_dump(mode="json")])
    (back,) = load_jsonl_models(Response, tmp_path / "r.jsonl")
    assert list(back.likelihoods) == [" American", " British"]  # sorted on disk
    assert log_p_belief(back) == -2.0
    with pytest.raises(ValueError, match="re-run the eval"):
        log_p_belief(back.model_copy(update={"belief": None}))
