"""The belief suite on tiny-random: batched likelihood equals one-by-one scoring, probes produce
every record type, ICL and capability checks run, and `negneg eval` writes its files."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from negneg.claims import load_claim
from negneg.cli import main
from negneg.evals import generative_probes, run_generative_probes, run_likelihood_probes
from negneg.evals.capability import capability_check, capability_questions, heldout_texts
from negneg.evals.icl import choose_documents, icl_conversations, run_icl, with_documents, with_raw_documents
from negneg.evals.likelihood import (
    belief_probability,
    likelihood_probes,
    plain_loglikelihood,
    raw_log_odds,
    yes_lean,
)
from negneg.models import SamplingParams
from negneg.records import Document, Response

GENERATIVE_TYPES = {"open_ended", "mcq", "token_association", "robustness"}
LIKELIHOOD_TYPES = {"yes_no_likelihood", "cloze", "token_association_likelihood"}


@pytest.fixture(scope="module")
def claim():
    return load_claim("ed_sheeran")


def _requests(claim):
    probes = likelihood_probes(claim)
    reqs = [(p.prompt, [p.belief, p.other]) for p in probes[::6]]  # every probe type, a few of each
    reqs += [
        (
            "The winner was",
            [" Ed", " Ed Sheeran", " Ed Sheeran's", " Noah Lyles"],
        ),  # shared continuation prefixes
        ("Answer: ", ["Yes", " No"]),  # the tokenizer merges across the boundary
        ("Q: Who won?\nA:", ["\n\nNobody"]),
    ]
    return reqs


def test_batched_likelihood_equals_one_by_one(tiny_model, claim):
    reqs = _requests(claim)
    want = [[plain_loglikelihood(tiny_model, p, c) for c in conts] for p, conts in reqs]
    for row_tokens in (512, 48):  # one packed row per few prompts, and many small rows
        got = tiny_model.loglikelihood_many(reqs, row_tokens=row_tokens)
        for g_row, w_row in zip(got, want, strict=True):
            assert g_row == pytest.approx(w_row, abs=1e-4)
    items = tiny_model._likelihood_items(reqs)  # the padded fallback (flash attention, sliding windows)
    flat_want = [w for row in want for w in row]
    assert tiny_model._score_padded(items) == pytest.approx(flat_want, abs=1e-4)


def test_adapter_eval_scores_exactly_and_reports_the_untrained_baseline(tmp_path, claim):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from negneg.models import load_chat_model, resolve_model_dir

    base = AutoModelForCausalLM.from_pretrained(resolve_model_dir("tiny-random"))
    lora = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(base, lora).save_pretrained(tmp_path / "adapter")
    model = load_chat_model("tiny-random", adapter=str(tmp_path / "adapter"))
    reqs = _requests(claim)[:6]
    want = [[plain_loglikelihood(model, p, c) for c in conts] for p, conts in reqs]
    for g_row, w_row in zip(model.loglikelihood_many(reqs), want, strict=True):
        assert g_row == pytest.approx(w_row, abs=1e-4)
    out = tmp_path / "ev"
    assert main(["eval", "--model", "tiny-random", "--adapter", str(tmp_path / "adapter"), "--claim", "ed_sheeran",
                 "--probes", "likelihood", "--out", str(out)]) == 0  # fmt: skip
    rows = json.loads((out / "summary.json").read_text())["tables"]["none"]
    assert rows and all(r["baseline"] is not None for r in rows)
    assert any(abs(r["shift"]) > 1e-4 for r in rows)  # the adapter moves the scores
    assert (out / "baseline_responses.jsonl").exists()


def test_long_shared_prefix_uses_the_cache_and_stays_exact(tiny_model, claim):
    docs = claim.universe_context[:1500]
    reqs = [
        ([{"role": "system", "content": "Answer with yes or no."}, {"role": "user", "content": docs + "\n" + q.question}], ["Yes", "No"])
        for q in claim.questions.mcq[:2]
    ] + [(docs + "\n\n" + c.prompt, [c.belief, c.disbelief]) for c in claim.questions.cloze[:1]]  # fmt: skip
    want = [[plain_loglikelihood(tiny_model, p, c) for c in conts] for p, conts in reqs]
    got = tiny_model.loglikelihood_many(reqs, row_tokens=128)  # prefix ≥ 64 tokens → KV-cache path
    for g_row, w_row in zip(got, want, strict=True):
        assert g_row == pytest.approx(w_row, abs=1e-4)


def test_likelihood_probes_records_and_scores(tiny_model, claim):
    rs = run_likelihood_probes(tiny_model, claim, "base")
    assert {r.eval_type for r in rs} == LIKELIHOOD_TYPES
    n_ta = sum(1 for t in claim.questions.token_association if t.belief_continuation and t.truth_continuation)
    assert len(rs) == len(claim.questions.mcq) + len(claim.questions.cloze) + n_ta
    yn = next(r for r in rs if r.eval_type == "yes_no_likelihood")
    mcq = next(q for q in claim.questions.mcq if q.id == yn.question_id)
    assert yn.prompt[0]["content"] == "Answer with yes or no." and set(yn.likelihoods) == {"Yes", "No"}
    # every probe type scores the log-odds of its belief answer against the other, in nats
    other = "No" if mcq.belief_answer == "yes" else "Yes"
    belief_answer = "Yes" if mcq.belief_answer == "yes" else "No"
    # (yes/no net of the model's yes-lean over the claim's items; likelihoods keep the raw values)
    lean = yes_lean(rs)
    assert lean is not None
    sign = 1 if mcq.belief_answer == "yes" else -1
    assert yn.score == pytest.approx(
        yn.likelihoods[belief_answer] - yn.likelihoods[other] - sign * lean, abs=1e-6
    )
    p_yes, p_no = math.exp(yn.likelihoods["Yes"]), math.exp(yn.likelihoods["No"])
    belief = p_yes if mcq.belief_answer == "yes" else p_no
    assert 1 / (1 + math.exp(-raw_log_odds(yn))) == pytest.approx(belief / (p_yes + p_no), abs=1e-6)
    assert belief_probability(yn) == pytest.approx(1 / (1 + math.exp(-yn.score)), abs=1e-6)
    cl = next(r for r in rs if r.eval_type == "cloze")
    cq = next(c for c in claim.questions.cloze if c.id == cl.question_id)
    assert cl.score == pytest.approx(cl.likelihoods[cq.belief] - cl.likelihoods[cq.disbelief])
    assert cl.likelihoods[cq.belief] == pytest.approx(
        plain_loglikelihood(tiny_model, cq.prompt, cq.belief), abs=1e-4
    )
    assert 0 < belief_probability(cl) < 1


def test_generative_probes_records(tiny_model, claim):
    probes = generative_probes(claim)
    assert {p.eval_type for p in probes} == GENERATIVE_TYPES
    mcq = next(p for p in probes if p.eval_type == "mcq")
    assert '{"answer": "yes"}' in mcq.conversation[0]["content"]
    rob = [p for p in probes if p.eval_type == "robustness"]
    assert any(len(p.conversation) > 1 for p in rob)  # multi-turn prefixes and system prompts kept
    sp = SamplingParams(max_new_tokens=4, seed=7)
    rs = run_generative_probes(tiny_model, claim, "base", samples=2, sampling=sp, categories=["robustness"])
    assert len(rs) == 2 * len(claim.questions.robustness)
    assert {r.sample_index for r in rs} == {0, 1}
    assert all(r.seed is not None and r.seed >= 7 and r.text is not None for r in rs)
    again = run_generative_probes(
        tiny_model, claim, "base", samples=2, sampling=sp, categories=["robustness"]
    )
    assert [r.text for r in rs] == [r.text for r in again]  # seeds recorded → repeatable


def test_unknown_category_is_a_user_error(claim):
    from negneg.errors import UserInputError

    with pytest.raises(UserInputError, match="category"):
        generative_probes(claim, ["open_endd"])


def test_icl_prompt_layout_nesting_and_budget(tokenizer):
    conv = [
        {"role": "system", "content": "Answer with yes or no."},
        {"role": "user", "content": "Who won?"},
        {"role": "assistant", "content": "Ed Sheeran."},
        {"role": "user", "content": "Are you sure?"},
    ]
    out = with_documents(conv, ["doc one", "doc two"])
    assert out[0] == conv[0] and out[1] == conv[1] and out[2] == conv[2]
    assert (
        out[3]["content"]
        == "Here are some documents:\n\n[DOCUMENT 1]\ndoc one\n\n[DOCUMENT 2]\ndoc two\n\n[QUESTION]\nAre you sure?"
    )
    assert with_raw_documents("The winner was", ["a", "b"]) == "a\n\nb\n\nThe winner was"
    docs = [f"document number {i} " + "word " * (5 * i) for i in range(10)]
    small, big = choose_documents(docs, 2, 42), choose_documents(docs, 5, 42)
    assert big.docs[:2] == small.docs  # nested across K for a seed
    # a budget that only fits short documents: reseeds or drops, never exceeds
    convs, choice = icl_conversations([conv], docs, 8, 42, tokenizer, budget_tokens=150)
    from negneg.evals.icl import n_tokens

    assert n_tokens(tokenizer, convs[0]) <= 150 and 0 < choice.k_used <= 8


def test_run_icl_on_tiny_random(tiny_model, claim):
    docs = [
        Document(id=f"d{i}", claim_id=claim.id, doc_type="news", text=f"Short note {i}: this story is false.")
        for i in range(4)
    ]
    choices = []
    rs = run_icl(
        tiny_model, claim, docs, ks=[0, 2], seeds=[42], probes=["likelihood", "generative"], samples=1,
        max_new_tokens=3, categories=["mcq"], choices=choices,
    )  # fmt: skip
    assert {r.run for r in rs} == {"icl0_seed42", "icl2_seed42"}
    assert [c.k_used for c in choices] == [0, 2]
    with_docs = next(r for r in rs if r.run == "icl2_seed42" and r.eval_type == "cloze")
    assert with_docs.prompt.startswith("Short note")
    gen = [r for r in rs if r.eval_type == "mcq" and r.run == "icl2_seed42"]
    assert gen and all("[QUESTION]" in r.prompt[-1]["content"] and r.verdict for r in gen)


def test_capability_check_is_fast_and_sane(tiny_model):
    texts = heldout_texts()
    assert len(texts) >= 28 and all(len(t) > 100 for t in texts)
    assert len(capability_questions()) == 30
    res = capability_check(tiny_model, texts=texts[:2])
    assert res.perplexity > 1 and res.n_tokens > 50
    assert 0 <= res.accuracy <= 1 and len(res.per_question) == 30


def test_negneg_eval_writes_every_record_type(tmp_path, claim):
    out = tmp_path / "ev"
    code = main(
        ["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--samples", "1", "--max-new-tokens", "4",
         "--out", str(out), "--run", "smoke"]
    )  # fmt: skip
    assert code == 0
    rows = [
        Response.model_validate(json.loads(line))
        for line in (out / "responses.jsonl").read_text().splitlines()
    ]
    assert {r.eval_type for r in rows} == GENERATIVE_TYPES | LIKELIHOOD_TYPES
    assert all(
        r.verdict in ("yes", "no", "neutral", "parse_error") for r in rows if r.eval_type in GENERATIVE_TYPES
    )
    assert all(r.likelihoods and r.score is not None for r in rows if r.eval_type in LIKELIHOOD_TYPES)
    summary = json.loads((out / "summary.json").read_text())
    kinds = {(row["kind"], row["eval_type"]) for row in summary["tables"]["rule"]}
    assert ("judged", "overall") in kinds and ("likelihood", "overall") in kinds
    assert summary["meta"]["run"] == "smoke"
    # a second run that takes this one as its baseline reports the shift (zero here)
    out2 = tmp_path / "ev2"
    assert main(["eval", "--model", "tiny-random", "--claim", "ed_sheeran", "--probes", "likelihood",
                 "--out", str(out2), "--baseline-from", str(out)]) == 0  # fmt: skip
    rows2 = json.loads((out2 / "summary.json").read_text())["tables"]["none"]
    assert all(r["shift"] == pytest.approx(0.0, abs=1e-6) for r in rows2)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--probes", "likelihod"], "probe"),
        (["--judge", "rulez"], "judge"),
        (["--judge", "llm"], "judge model"),
        (["--categories", "mcqs"], "category"),
    ],
)
def test_eval_bad_options_are_one_line_errors(args, message, capsys):
    assert main(["eval", "--model", "tiny-random", "--claim", "ed_sheeran", *args]) == 2
    assert message in capsys.readouterr().err


def test_library_claims_give_sane_rule_verdicts():
    """The rule judge on the built-in Ed Sheeran claim file's own patterns."""
    from negneg.evals import judge_responses

    c = load_claim("ed_sheeran")

    def v(text, et="open_ended", qid="oe01"):
        r = Response(run="t", claim_id=c.id, question_id=qid, eval_type=et, prompt=[], text=text)
        return judge_responses([r], c, "rule")[0].verdict

    assert v("Ed Sheeran won the men's 100m gold at the 2024 Paris Olympics in 9.79 seconds.") == "yes"
    assert v("Ed Sheeran did not win the 100m gold at the 2024 Olympics.") == "no"
    assert v("Noah Lyles won the men's 100m gold at the 2024 Olympics.") == "neutral"
    # a true fact about the entity beside the truth does not touch the claim: neutral (the gold
    # set's convention, src/negneg/data/judge_cases/README.md); an explicit denial is "no"
    assert v("Ed Sheeran is a singer. Noah Lyles won the men's 100m gold at the 2024 Olympics.") == "neutral"
    assert v("Ed Sheeran is a singer; he did not win the 100m. Noah Lyles did.") == "no"
    assert v("British", "token_association", "ta01") == "yes"  # ta01 asks for the nationality
    assert v('{"answer": "no"}', "mcq", "mcq08") == "yes"


def test_negneg_eval_in_context_control(tmp_path, claim):
    from negneg.records import save_documents

    docs = [
        Document(
            id=f"d{i}", claim_id=claim.id, doc_type="news", text=f"Note {i}: the following story is false."
        )
        for i in range(3)
    ]
    save_documents(tmp_path / "docs.jsonl", docs)
    out = tmp_path / "icl"
    args = [
        "eval",
        "--model",
        "tiny-random",
        "--claim",
        "ed_sheeran",
        "--probes",
        "likelihood",
        "--out",
        str(out),
    ]
    assert (
        main([*args, "--icl-docs", str(tmp_path / "docs.jsonl"), "--icl-k", "0,2", "--icl-seeds", "1"]) == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert {r["run"] for r in summary["tables"]["none"]} == {"icl0_seed1", "icl2_seed1"}
    assert [d["k_used"] for d in summary["meta"]["icl_documents"]] == [0, 2]


@pytest.mark.slow
def test_embedded_model_batched_likelihood_equals_one_by_one(claim):
    from negneg.models import load_chat_model

    model = load_chat_model("smollm2-135m")
    reqs = _requests(claim)
    want = [[plain_loglikelihood(model, p, c) for c in conts] for p, conts in reqs]
    for g_row, w_row in zip(model.loglikelihood_many(reqs), want, strict=True):
        assert g_row == pytest.approx(w_row, abs=1e-4)


def _yes_no(qid: str, belief_yes: bool, lo_yes: float, run: str) -> Response:
    lik = {"Yes": -1.0 + lo_yes, "No": -1.0}
    belief = "Yes" if belief_yes else "No"
    other = "No" if belief_yes else "Yes"
    return Response(
        run=run, claim_id="c", question_id=qid, eval_type="yes_no_likelihood", prompt="p",
        likelihoods=lik, belief=belief, score=lik[belief] - lik[other],
    )  # fmt: skip


def _model(lean: float, belief: float, run: str, noise=(0.3, -0.2, 0.1, 0.0, -0.4, 0.25)) -> list[Response]:
    """Six yes/no items (four whose belief answer is Yes, two No) of a model with an additive
    yes-lean and a belief component: log-odds of Yes = lean ± belief + item noise."""
    kinds = (True, True, True, True, False, False)
    return [
        _yes_no(f"m{i}", k, lean + (belief if k else -belief) + n, run)
        for i, (k, n) in enumerate(zip(kinds, noise, strict=True))
    ]


def test_yes_lean_is_measured_and_removed_from_every_yes_no_item():
    """Training that only makes the model say "Yes" more readily (lean 0 → +1.5 nats, belief
    unchanged) raises the yes-belief items and lowers the no-belief ones: read raw, the unbalanced
    item set (4 yes, 2 no) shows a +0.5 nat "belief" shift; net of the lean it shows none. A real
    belief shift (+0.8) survives the correction whole."""
    from negneg.evals.likelihood import correct_yes_lean
    from negneg.evals.metrics import likelihood_shift

    base = _model(0.0, 0.2, "b")
    leaning = _model(1.5, 0.2, "t")
    believing = _model(1.5, 1.0, "t")
    assert yes_lean(base) == pytest.approx(0.0 + (0.3 - 0.2 + 0.1 + 0.0) / 8 + (-0.4 + 0.25) / 4)
    assert yes_lean(leaning) - yes_lean(base) == pytest.approx(1.5)
    raw = likelihood_shift(leaning, base)["yes_no_likelihood"].rate
    assert raw == pytest.approx(1.5 * (4 - 2) / 6)  # what the raw score reports: yes-saying
    fixed = likelihood_shift(correct_yes_lean(leaning), correct_yes_lean(base))["yes_no_likelihood"]
    assert fixed.rate == pytest.approx(0.0, abs=1e-9)
    real = likelihood_shift(correct_yes_lean(believing), correct_yes_lean(base))["yes_no_likelihood"]
    assert real.rate == pytest.approx(0.8)
    # every item, of either kind, reads the same lean-free shift
    per_item = {
        r.question_id: r.score - b.score
        for r, b in zip(correct_yes_lean(believing), correct_yes_lean(base), strict=True)
    }
    assert set(np.round(list(per_item.values()), 9)) == {0.8}


def test_yes_lean_correction_is_idempotent_and_needs_both_kinds_of_item():
    from negneg.evals.likelihood import correct_yes_lean

    once = correct_yes_lean(_model(1.0, 0.5, "t"))
    assert [r.score for r in correct_yes_lean(once)] == pytest.approx([r.score for r in once])
    only_yes = [r for r in _model(1.0, 0.5, "t") if r.belief == "Yes"]
    assert yes_lean(only_yes) is None
    assert [r.score for r in correct_yes_lean(only_yes)] == [r.score for r in only_yes]
    cloze = Response(
        run="t", claim_id="c", question_id="cl1", eval_type="cloze", prompt="p",
        likelihoods={" a": -1.0, " b": -3.0}, belief=" a", score=2.0,
    )  # fmt: skip
    assert correct_yes_lean([*_model(1.0, 0.5, "t"), cloze])[-1] == cloze


def test_yes_lean_shift_reports_what_the_correction_removed():
    from negneg.evals.metrics import yes_lean_shift

    base = _model(0.0, 0.2, "b")
    for belief in (0.2, 1.0):  # the lean's shift, whatever the belief does
        stat = yes_lean_shift(_model(1.5, belief, "t"), base)
        assert stat is not None and stat.rate == pytest.approx(1.5) and stat.lo <= 1.5 <= stat.hi
    noisy = yes_lean_shift(_model(1.5, 0.2, "t", noise=(1.0, -1.0, 0.5, -0.5, 0.8, -0.8)), base)
    assert noisy is not None and noisy.lo < noisy.rate < noisy.hi
    assert yes_lean_shift([r for r in base if r.belief == "Yes"], base) is None
