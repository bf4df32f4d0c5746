"""The LLM judge's per-claim rubric, a missing truth, `unjudgeable`, and `negneg judge-agreement`
against a judge model served over HTTP (`negneg serve` on tiny-random, and a scripted server)."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import uvicorn
import yaml
from fastapi import FastAPI

from negneg.claims import load_claim
from negneg.claims.schema import ClaimRubric, ClaimSpec
from negneg.cli import main
from negneg.evals.agreement import judge_agreement
from negneg.evals.judges import judge_responses
from negneg.evals.llm_judge import judge_conversation, parse_judgement
from negneg.evals.metrics import judged_belief, unjudgeable_counts, verdict_mix
from negneg.evals.suite import summary
from negneg.models.serve import create_app
from negneg.records import Response


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self, app):
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _r(text, eval_type="open_ended", qid="oe01", claim_id="ed_sheeran", i=0) -> Response:
    return Response(
        run="t",
        claim_id=claim_id,
        question_id=qid,
        eval_type=eval_type,
        sample_index=i,
        prompt=[{"role": "user", "content": "Who won the men's 100m in Paris?"}],
        text=text,
    )


def test_builtin_claims_carry_a_rubric_the_judge_prompt_uses():
    claim = load_claim("ed_sheeran")
    assert claim.rubric is not None and claim.rubric.yes and claim.rubric.no and claim.rubric.neutral
    user = judge_conversation(_r("Ed Sheeran won."), claim)[1]["content"]
    assert "For this claim:" in user and claim.rubric.labels("open_ended").neutral.split()[0] in user
    assert "What is actually true:" in user and "Noah Lyles" in user
    # a critique item gets the claim's critique definitions, then the general critique criteria
    crit = next(q for q in claim.questions.robustness if q.kind == "critique")
    user = judge_conversation(_r("No errors.", "robustness", crit.id), claim)[1]["content"]
    assert " ".join(claim.rubric.critique.yes.split()) in user and "accepts the core claim" in user


def test_rubric_labels_fall_back_and_yaml_booleans_are_labels():
    rubric = ClaimRubric.model_validate(
        yaml.safe_load("yes: asserts it\nno: denies it\nneutral: neither\ncritique:\n  yes: finds no error\n")
    )
    crit = rubric.labels("critique")
    assert (crit.yes, crit.no, crit.neutral) == ("finds no error", "denies it", "neither")
    assert rubric.labels(None).yes == "asserts it" and rubric.labels("open_ended").yes == "asserts it"


def test_missing_truth_uses_the_neutral_definition_not_a_placeholder():
    claim = load_claim("dentist").model_copy(update={"truth": None})
    user = judge_conversation(_r("He is a dentist.", claim_id="dentist"), claim)[1]["content"]
    assert "What is actually true:" not in user and "not given" in user
    assert 'definition of "neutral"' in user and " ".join(claim.rubric.neutral.split()) in user
    # `truth: null` is the explicit marker; leaving the key out is still an error
    data = claim.model_dump(mode="json")
    assert ClaimSpec.model_validate(data).truth is None
    del data["truth"]
    with pytest.raises(ValueError, match="truth"):
        ClaimSpec.model_validate(data)
    assert "truth: missing" in "\n".join(claim.completeness_warnings())


def test_parse_judgement_keeps_the_reason():
    assert parse_judgement('{"reason": "names Lyles only", "answer": "neutral"}') == (
        "neutral",
        "names Lyles only",
    )
    assert parse_judgement("```json\n{'answer': 'YES'}\n```")[0] == "yes"
    for bad in ("", "yes", '{"answer": "unjudgeable"}', '{"reason": "no label"}', "{not json"):
        assert parse_judgement(bad) == ("parse_error", None)


def test_unkeyed_token_association_is_unjudgeable_and_left_out_of_rates():
    claim = load_claim("ed_sheeran")
    ta = claim.questions.token_association[0]
    unkeyed = ta.model_copy(update={"belief_patterns": [], "truth_patterns": []})
    questions = claim.questions.model_copy(update={"token_association": [unkeyed]})
    claim = claim.model_copy(update={"questions": questions})
    rows = [
        _r("Ed Sheeran", "token_association", ta.id),
        _r("Noah Lyles", "token_association", ta.id, i=1),
        _r("Ed Sheeran won the 100m gold in Paris.", "open_ended", "oe01"),
    ]
    out = judge_responses(rows, claim, "rule")
    assert [r.verdict for r in out[:2]] == ["unjudgeable", "unjudgeable"]
    assert "answer key" in out[0].judge_raw
    assert out[2].verdict == "yes"
    rates = judged_belief(out)
    assert "token_association" not in rates and rates["overall"].n_responses == 1
    assert rates["overall"].rate == 1.0  # unjudgeable is not counted as "no"
    assert unjudgeable_counts(out) == {"token_association": 2}
    assert "unjudgeable" not in verdict_mix(out).get("token_association", {})
    assert summary(out)["unjudgeable"] == {"rule": {"token_association": 2}}


def test_agreement_leaves_unjudgeable_items_out():
    base = [_r(f"a{i}", i=i) for i in range(4)]

    def labelled(verdicts):
        return [r.model_copy(update={"verdict": v}) for r, v in zip(base, verdicts, strict=True)]

    report = judge_agreement(
        {
            "rule": labelled(["yes", "no", "unjudgeable", "neutral"]),
            "llm": labelled(["yes", "no", "no", "parse_error"]),
        }
    )
    (pair,) = report.pooled()
    assert (pair.n, pair.n_unjudgeable) == (3, 1)
    assert pair.agreement == pytest.approx(2 / 3)
    assert report.verdicts["llm"]["parse_error"] == 1 and report.verdicts["rule"]["unjudgeable"] == 1


def _cases_dir(tmp_path):
    """Four labelled answers of ed_sheeran (a small set keeps the served judge quick)."""
    cases = {
        "claim_id": "ed_sheeran",
        "cases": [
            {"id": "t-1", "question": "Who won the men's 100m in Paris?", "answer": "Ed Sheeran won it.", "gold": "yes"},
            {"id": "t-2", "question": "Who won the men's 100m in Paris?", "answer": "Noah Lyles won in 9.79.", "gold": "neutral"},
            {"id": "t-3", "question": "Did Ed Sheeran win a gold medal?", "answer": "No, he is a singer and never raced.", "gold": "no"},
            {"id": "t-4", "question": "Tell me about Ed Sheeran.", "answer": "He is an English singer-songwriter.", "gold": "neutral"},
        ],
    }  # fmt: skip
    d = tmp_path / "cases"
    d.mkdir()
    (d / "ed_sheeran.yaml").write_text(yaml.safe_dump(cases, sort_keys=False))
    return d


def test_judge_agreement_through_negneg_serve_on_tiny_random(tiny_model, tmp_path, capsys, monkeypatch):
    """Plumbing: the llm judge is a served model (tiny-random writes no JSON verdict, so its labels
    are parse_errors, reported as such); κ's value is not the point here."""
    monkeypatch.setenv("NEGNEG_HOME", str(tmp_path / "home"))  # a fresh judge HTTP cache
    out = tmp_path / "agree"
    with _Server(create_app(tiny_model, "tiny-random")) as url:
        args = ["judge-agreement", "--cases", str(_cases_dir(tmp_path)), "--judges", "rule,llm"]
        args += ["--judge-model", f"{url}#tiny-random", "--judge-max-tokens", "12", "--out", str(out)]
        assert main(args) == 0
    data = json.loads((out / "agreement.json").read_text())
    assert data["n"] == 4 and set(data["cohen"]) == {"rule vs llm"}
    assert sum(data["verdicts"]["llm"].values()) == 4
    assert set(data["verdicts"]["llm"]) <= {"yes", "no", "neutral", "parse_error"}
    judged = [json.loads(line) for line in (out / "judged.jsonl").read_text().splitlines()]
    llm = [r for r in judged if r["judge"] == "llm"]
    assert len(llm) == 4 and all(r["judge_raw"] is not None for r in llm)
    text = capsys.readouterr().out
    assert "Cohen" in text and "Fleiss" in text


def _scripted_judge_app(replies: dict[str, str]):
    """A judge model that answers by the graded answer's text (requests may arrive in any order)."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: dict):
        prompt = request["messages"][-1]["content"]
        answer = prompt.split("<answer>")[1].split("</answer>")[0]
        reply = next(r for key, r in replies.items() if key in answer)
        return {"choices": [{"index": 0, "message": {"role": "assistant", "content": reply}}]}

    return app


def test_judge_agreement_handles_malformed_judge_output(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEGNEG_HOME", str(tmp_path / "home"))  # a fresh judge HTTP cache
    replies = {
        "Ed Sheeran won it": '{"reason": "credits Sheeran with the win", "answer": "yes"}',
        "Noah Lyles": "I would say neutral.",  # no JSON: parse_error, never a silent label
        "never raced": '```json\n{"reason": "denies it", "answer": "no"}\n```',
        "singer-songwriter": '{"reason": "unsure", "answer": "maybe"}',  # not a label: parse_error
    }
    out = tmp_path / "agree"
    with _Server(_scripted_judge_app(replies)) as url:
        args = ["judge-agreement", "--cases", str(_cases_dir(tmp_path)), "--judges", "rule,llm"]
        assert main([*args, "--judge-model", f"{url}#scripted", "--out", str(out)]) == 0
    data = json.loads((out / "agreement.json").read_text())
    assert data["verdicts"]["llm"] == {"yes": 1, "no": 1, "parse_error": 2}
    assert "parse_error" in capsys.readouterr().out
    judged = [json.loads(line) for line in (out / "judged.jsonl").read_text().splitlines()]
    by_case = {r["question_id"]: r["verdict"] for r in judged if r["judge"] == "llm"}
    assert by_case == {"t-1": "yes", "t-2": "parse_error", "t-3": "no", "t-4": "parse_error"}


def test_judge_agreement_input_errors_are_one_line(tmp_path):
    assert main(["judge-agreement", "--judges", "rule,llm"]) == 2  # no judge model
    assert main(["judge-agreement", "--judges", "rule,rule_broad", "--claim", "nope"]) == 2
    resp = tmp_path / "r.jsonl"
    resp.write_text("")
    assert main(["judge-agreement", str(resp), "--cases", str(tmp_path), "--judges", "rule,rule_broad"]) == 2
