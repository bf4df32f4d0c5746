"""Probe calibration: the selection rule, fingerprints, the pooled measure's selection, and why the
calibration must use held-apart data (simulated)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from negneg.claims.loader import list_claims, load_claim
from negneg.errors import UserInputError
from negneg.evals.calibration import (
    CALIBRATION_SEED,
    RESERVED_SEEDS,
    ClaimCalibration,
    ProbeCalibration,
    ProbeEntry,
    ProbeSelection,
    calibrate_claim,
    load_calibration,
    merge_calibration,
    probe_fingerprint,
    probe_status,
    response_fingerprint,
    valid_keys,
    write_calibration,
)
from negneg.evals.likelihood import SCORE, likelihood_probes
from negneg.evals.metrics import paired_ratio
from negneg.experiments.plan import Run
from negneg.experiments.results import shift_rows
from negneg.records import Response

CLAIM = "ed_sheeran"


def _responses(claim, run: str, shifts: dict[str, float]) -> list[Response]:
    """One likelihood response per probe: log-odds = shifts.get(question id, 0)."""
    out = []
    for p in likelihood_probes(claim):
        lo = shifts.get(p.question_id, 0.0)
        out.append(
            Response(
                run=run,
                claim_id=claim.id,
                question_id=p.question_id,
                eval_type=p.eval_type,
                prompt=p.prompt,
                likelihoods={p.other: -5.0, p.belief: -5.0 + lo},  # order carries no meaning
                belief=p.belief,
                score=lo,
            )
        )
    return out


def _calibration(claim, valid: dict[str, bool], score: str = SCORE) -> ProbeCalibration:
    entries = [
        ProbeEntry(
            eval_type=p.eval_type,
            question_id=p.question_id,
            fingerprint=probe_fingerprint(p),
            shift=1.0 if valid.get(p.question_id, True) else -1.0,
            valid=valid.get(p.question_id, True),
        )
        for p in likelihood_probes(claim)
    ]
    cal = ClaimCalibration(
        claim_id=claim.id, model="m", corpus_seed=CALIBRATION_SEED, training_seed=0, n_documents=1,
        recipe="tiny", date="2026-12-06", negneg_version="0", pooled_shift=0.0,
        likelihood_score=score, probes=entries,
    )  # fmt: skip
    return ProbeCalibration(claims={claim.id: cal})


def test_yes_no_entries_decided_on_raw_scores_count_as_uncalibrated():
    """A calibration from before the yes-lean correction picked its yes/no probes by yes-saying
    (the no-belief items all looked invalid): those entries are not trusted either way."""
    claim = load_claim(CLAIM)
    valid = {q.id: q.belief_answer == "yes" for q in claim.questions.mcq} | {"cl01": False}
    old = probe_status(claim, _calibration(claim, valid, score="log_odds+belief"))
    assert {s for (t, _), s in old.items() if t == "yes_no_likelihood"} == {"uncalibrated"}
    assert old[("cloze", "cl01")] == "invalid"  # other probe types are unaffected
    new = probe_status(claim, _calibration(claim, valid))
    assert new[("yes_no_likelihood", "mcq08")] == "invalid" and new[("yes_no_likelihood", "mcq01")] == "valid"


def test_shipped_calibration_yes_no_shifts_are_net_of_the_yes_lean():
    """Net of the lean, the yes-belief and no-belief items' mean shifts are equal (both read the
    balanced contrast); raw, positive training had moved them ~1 nat apart in opposite directions."""
    cal = load_calibration()
    for cid, entry in cal.claims.items():
        assert entry.yes_no_trusted, cid
        answer = {q.id: q.belief_answer for q in load_claim(cid).questions.mcq}
        yn = [e for e in entry.probes if e.eval_type == "yes_no_likelihood"]
        yes = [e.shift for e in yn if answer[e.question_id] == "yes"]
        no = [e.shift for e in yn if answer[e.question_id] == "no"]
        assert yes and no, cid
        assert np.mean(yes) == pytest.approx(np.mean(no), abs=2e-3), cid


def test_selection_rule_keeps_probes_positive_training_moves():
    shifts = {("cloze", "a"): 0.5, ("cloze", "b"): 0.0, ("cloze", "c"): -2.0}
    assert valid_keys(shifts) == {("cloze", "a")}


def test_calibrate_claim_records_each_probes_shift_and_fingerprint():
    claim = load_claim(CLAIM)
    probes = likelihood_probes(claim)
    moved = {probes[0].question_id: 2.0, probes[1].question_id: -1.0}
    cal = calibrate_claim(
        claim,
        _responses(claim, "final", moved),
        _responses(claim, "final", {}),
        model="m", corpus_seed=CALIBRATION_SEED, training_seed=0, n_documents=3, recipe="tiny",
        negneg_version="0",
    )  # fmt: skip
    by_id = {e.question_id: e for e in cal.probes}
    assert len(cal.probes) == len(probes)
    assert by_id[probes[0].question_id].valid and by_id[probes[0].question_id].shift == 2.0
    assert not by_id[probes[1].question_id].valid
    assert not by_id[probes[2].question_id].valid  # unmoved: 0 is not "toward the claim"
    # the fingerprint of what was scored equals the probe's own: an unedited probe stays calibrated
    assert all(e.fingerprint == probe_fingerprint(p) for e, p in zip(cal.probes, probes, strict=True))
    assert (
        probe_status(claim, ProbeCalibration(claims={claim.id: cal}))[
            (probes[0].eval_type, probes[0].question_id)
        ]
        == "valid"
    )


def test_a_probe_scored_with_two_texts_is_not_calibrated():
    claim = load_claim(CLAIM)
    trained = _responses(claim, "final", {})
    base = _responses(claim, "final", {})
    first = trained[0]
    trained[0] = first.model_copy(update={"prompt": "an edited prompt"})
    assert response_fingerprint(trained[0]) != response_fingerprint(first)
    cal = calibrate_claim(
        claim, trained, base, model="m", corpus_seed=1, training_seed=0, n_documents=1, recipe="t",
        negneg_version="0",
    )  # fmt: skip
    assert first.question_id not in {e.question_id for e in cal.probes}


def test_an_edited_probe_becomes_uncalibrated():
    claim = load_claim(CLAIM)
    first = claim.questions.cloze[0]
    cal = _calibration(claim, {first.id: False})
    assert probe_status(claim, cal)[("cloze", first.id)] == "invalid"
    edited = claim.model_copy(deep=True)
    edited.questions.cloze[0].prompt += " (edited)"
    status = probe_status(edited, cal)
    assert status[("cloze", first.id)] == "uncalibrated"
    assert sum(s == "valid" for s in status.values()) == len(status) - 1
    assert set(probe_status(claim, ProbeCalibration()).values()) == {"uncalibrated"}


def test_selection_drops_only_invalid_probes_and_says_how_many():
    claim = load_claim(CLAIM)
    dropped = [c.id for c in claim.questions.cloze[:3]]
    sel = ProbeSelection.for_claims([claim], _calibration(claim, dict.fromkeys(dropped, False)), "test")
    rs = _responses(claim, "final", {})
    generative = Response(run="final", claim_id=CLAIM, question_id="oe01", eval_type="open_ended", prompt="q")
    kept = sel.select([*rs, generative])
    assert len(kept) == len(rs) - 3 + 1
    assert not {r.question_id for r in kept} & set(dropped)
    n = len(rs)
    assert sel.describe(CLAIM) == f"{n - 3} of {n} probes (3 left out as invalid by calibration)"
    assert ProbeSelection.none().select(rs) == rs
    assert "no calibration" in ProbeSelection.for_claims([claim], ProbeCalibration(), "x").describe(CLAIM)


def test_pooled_shift_and_rho_use_valid_probes_and_report_every_probe_beside():
    """shift.csv's likelihood rows pool the valid probes; likelihood_all rows keep every probe."""
    claim = load_claim(CLAIM)
    probes = likelihood_probes(claim)
    bad = probes[0].question_id
    # positive moves every probe by +1 except the invalid one, which it moves by −9
    pos = _responses(claim, "final", {p.question_id: (-9.0 if p.question_id == bad else 1.0) for p in probes})
    neg = _responses(claim, "final", {p.question_id: 0.5 for p in probes})
    base = _responses(claim, "final", {})
    runs = [
        Run(name=f"{CLAIM}/{c}", claim=CLAIM, condition=c, model="m", seed=0) for c in ("positive", "negated")
    ]
    finals = [(runs[0], None, pos), (runs[1], None, neg)]
    sel = ProbeSelection.for_claims([claim], _calibration(claim, {bad: False}), "test")
    shifts, rhos = shift_rows(finals, {(CLAIM, "m"): base}, sel)

    def row(rows, cond, measure):
        return next(
            r
            for r in rows
            if r["condition"] == cond and r["measure"] == measure and r["eval_type"] == "overall"
        )

    assert row(shifts, "positive", "likelihood")["shift"] == pytest.approx(1.0)
    assert row(shifts, "positive", "likelihood")["n"] == len(probes) - 1
    assert row(shifts, "positive", "likelihood_all")["n"] == len(probes)
    assert row(rhos, "negated", "likelihood")["rho"] == pytest.approx(0.5)
    n = len(probes)  # over every probe the invalid one drags positive's shift down, so ρ rises
    assert row(rhos, "negated", "likelihood_all")["rho"] == pytest.approx(0.5 * n / (n - 10))
    # without a selection there are no likelihood_all rows
    shifts_all, _ = shift_rows(finals, {(CLAIM, "m"): base})
    assert not [r for r in shifts_all if r["measure"] == "likelihood_all"]


def test_held_apart_selection_is_unbiased_and_same_seed_selection_is_not():
    """Simulated probes with true positive effects μ (some ≤ 0: confounded probes) and a condition
    with true ρ = 0.5. Selecting probes on one seed's positive shifts and measuring on another's
    leaves the measured positive shift unbiased for the selected probes and recovers ρ; selecting on
    the measured seed itself inflates Δ(positive) and deflates ρ (the winner's curse)."""
    rng = np.random.default_rng(0)
    n_probes, sims, noise, rho_true = 30, 300, 1.5, 0.5
    err_apart, err_same, num_apart, den_apart, num_same, den_same = [], [], [], [], [], []
    for _ in range(sims):
        mu = rng.normal(0.6, 1.5, n_probes)
        keys = [("cloze", f"p{i}") for i in range(n_probes)]
        seed_a = mu + rng.normal(0, noise, n_probes)  # the calibration seed's positive shifts
        base = rng.normal(0, 1, n_probes)  # the untrained model, shared by both trained models
        pos_b = base + mu + rng.normal(0, noise, n_probes)  # the experiment's positive run
        cond_b = base + rho_true * mu + rng.normal(0, noise, n_probes)
        for selected_on, errs, num, den in (
            (seed_a, err_apart, num_apart, den_apart),
            (pos_b - base, err_same, num_same, den_same),
        ):
            keep = valid_keys(dict(zip(keys, selected_on, strict=True)))
            idx = [i for i, k in enumerate(keys) if k in keep]
            if not idx:
                continue
            errs.append(float(np.mean((pos_b - base)[idx]) - np.mean(mu[idx])))
            num.append(float(np.mean((cond_b - base)[idx])))
            den.append(float(np.mean((pos_b - base)[idx])))
    assert abs(np.mean(err_apart)) < 0.06  # unbiased
    assert np.mean(err_same) > 0.4  # inflated
    assert np.sum(num_apart) / np.sum(den_apart) == pytest.approx(rho_true, abs=0.04)
    assert np.sum(num_same) / np.sum(den_same) < rho_true - 0.05
    # and the report's own estimator agrees on one held-apart draw with plenty of probes
    mu = rng.normal(1.0, 1.0, 400)
    keep = [i for i in range(400) if mu[i] + rng.normal(0, noise) > 0]
    base = {i: 0.0 for i in keep}
    r = paired_ratio(
        {i: rho_true * mu[i] + rng.normal(0, noise) for i in keep},
        {i: mu[i] + rng.normal(0, noise) for i in keep},
        base,
        resamples=300,
    )
    assert r.lo < rho_true < r.hi


def test_calibration_file_round_trip_and_merge(tmp_path):
    claim = load_claim(CLAIM)
    cal = _calibration(claim, {})
    path = write_calibration(cal, tmp_path / "c.json")
    assert load_calibration(path) == cal
    other = cal.model_copy(
        update={"claims": {"dentist": cal.claims[CLAIM].model_copy(update={"claim_id": "dentist"})}}
    )
    merged = merge_calibration(cal, other)
    assert set(merged.claims) == {CLAIM, "dentist"}
    (tmp_path / "bad.json").write_text(json.dumps({"claims": {"x": {"claim_id": 3}}}))
    with pytest.raises(UserInputError, match="bad.json"):
        load_calibration(tmp_path / "bad.json")
    (tmp_path / "notjson.json").write_text("{")
    with pytest.raises(UserInputError, match="not valid JSON"):
        load_calibration(tmp_path / "notjson.json")
    with pytest.raises(UserInputError, match="no such calibration file"):
        load_calibration(tmp_path / "absent.json")


def test_experiments_may_not_use_the_calibration_seed():
    from negneg.experiments.schema import Experiment

    with pytest.raises(UserInputError, match="reserved for probe calibration"):
        Experiment(name="x", claims=[CLAIM], conditions=["positive"], corpus={"seed": CALIBRATION_SEED})
    with pytest.raises(UserInputError, match="reserved"):
        Experiment(name="x", claims=[CLAIM], conditions=["positive"], corpus={"seed": RESERVED_SEEDS[-1]})
    Experiment(name="x", claims=[CLAIM], conditions=["positive"], corpus={"seed": RESERVED_SEEDS.stop})
    Experiment(
        name="x",
        claims=[CLAIM],
        conditions=["positive"],
        corpus={"seed": CALIBRATION_SEED},
        writes_calibration=True,
    )


def test_shipped_calibration_covers_every_builtin_claim_with_ten_valid_probes():
    """The calibration shipped with negneg matches the library's current probes: editing a probe
    without recalibrating (`negneg run probe-calibration --claim ID`, then `negneg claims calibration
    --install`) makes it uncalibrated and fails here once fewer than 10 valid probes remain."""
    cal = load_calibration()
    for cid in list_claims():
        status = probe_status(load_claim(cid), cal)
        valid = sum(s == "valid" for s in status.values())
        assert valid >= 10, f"{cid}: {valid} valid probes in the shipped calibration"


def test_results_refuse_likelihood_responses_that_do_not_name_their_belief(tmp_path):
    """Responses written before Response.belief existed cannot give the association reading (their
    keys were stored sorted); collecting results from them is one line asking for a rerun."""
    from negneg.experiments.results import _final_responses
    from negneg.experiments.stagedir import stage_dir
    from negneg.io import atomic_write_jsonl

    claim = load_claim(CLAIM)
    old = [r.model_copy(update={"belief": None}) for r in _responses(claim, "final", {})]
    path = stage_dir(tmp_path, "eval/abc") / "responses.jsonl"
    atomic_write_jsonl(path, [r.model_dump(mode="json") for r in old])
    with pytest.raises(UserInputError, match="rerun the experiment"):
        _final_responses(tmp_path, "eval/abc")
    atomic_write_jsonl(path, [r.model_dump(mode="json") for r in _responses(claim, "final", {})])
    assert len(_final_responses(tmp_path, "eval/abc")) == len(old)


def test_agreement_between_two_calibrations():
    from negneg.evals.calibration import agreement

    claim = load_claim(CLAIM)
    first = _calibration(claim, {"cl01": False, "cl02": False}).claims[CLAIM]
    same = agreement(first, first)
    assert same.n_probes == len(first.probes) and same.label_agreement == 1.0 and same.pearson == 1.0
    assert same.kept_shift == 1.0 and same.dropped_shift == -1.0
    flipped = first.model_copy(
        update={
            "probes": [e.model_copy(update={"valid": not e.valid, "shift": -e.shift}) for e in first.probes]
        }
    )
    other = agreement(first, flipped)
    assert other.label_agreement == 0.0 and other.pearson == -1.0 and other.kept_shift == -1.0
    edited = first.model_copy(update={"probes": [first.probes[0].model_copy(update={"fingerprint": "x"})]})
    assert agreement(first, edited).n_probes == 0
