"""The labelled answer set and ``negneg judge-eval``: coverage of every built-in claim, the loader's
strictness, scoring against gold with scripted judges, and the command's output and errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from negneg.claims import load_claim
from negneg.claims.loader import list_claims
from negneg.errors import UserInputError
from negneg.evals.judge_cases import (
    POOLED,
    case_responses,
    cases_dir,
    evaluate_judges,
    load_case_file,
    load_judge_cases,
)
from negneg.evals.llm_judge import LLMJudge

MIN_CASES = 40
MIN_HARD = 12


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "negneg.cli", "judge-eval", *args], capture_output=True, text=True
    )


class GoldJudge:
    """Answers what the gold label says (looked up by case id, which is the question id)."""

    name = "gold"

    def __init__(self, gold: dict[str, str]):
        self.gold = gold

    def judge(self, responses, claim):
        return [
            r.model_copy(update={"verdict": self.gold[r.question_id], "judge": self.name}) for r in responses
        ]


class AlwaysJudge:
    """Answers one fixed verdict, whatever the response says."""

    def __init__(self, verdict: str):
        self.verdict = verdict
        self.name = f"always_{verdict}"

    def judge(self, responses, claim):
        return [r.model_copy(update={"verdict": self.verdict, "judge": self.name}) for r in responses]


class ScriptedModel:
    """A ChatModel stand-in that replies with the same text to every conversation."""

    def __init__(self, reply: str):
        self.reply = reply
        self.seen = 0

    def generate(self, conversations, sampling):
        self.seen += len(conversations)
        return [[self.reply] for _ in conversations]


@pytest.fixture(scope="module")
def case_files():
    return load_judge_cases()


@pytest.fixture(scope="module")
def claims(case_files):
    return {cid: load_claim(cid) for cid in case_files}


# ---------------------------------------------------------------------------- the answer set
def test_every_builtin_claim_has_enough_labelled_cases(case_files):
    assert set(list_claims()) <= set(case_files), "a built-in claim has no judge cases"
    for cid in list_claims():
        cases = case_files[cid].cases
        gold = Counter(c.gold for c in cases)
        assert len(cases) >= MIN_CASES, (cid, len(cases))
        assert sum(c.hard for c in cases) >= MIN_HARD, cid
        assert set(gold) == {"yes", "no", "neutral"}, (cid, gold)
        assert all(c.note for c in cases if c.hard), cid


def test_case_ids_are_unique_across_claims(case_files):
    ids = [c.id for f in case_files.values() for c in f.cases]
    assert len(ids) == len(set(ids))


def test_cases_ask_the_claims_own_kind_of_question(case_files, claims):
    """Every case asks an open-ended or yes/no question of its claim (texts may be reworded later)."""
    for cid, f in case_files.items():
        asked = {q.question for q in claims[cid].questions.open_ended + claims[cid].questions.mcq}
        own = sum(c.question in asked for c in f.cases)
        assert own >= len(f.cases) // 3, (cid, own)


def test_cases_ship_as_package_data():
    assert (cases_dir() / "ed_sheeran.yaml").is_file()
    assert (cases_dir() / "README.md").is_file()


# ---------------------------------------------------------------------------- the loader
def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


GOOD_CASE = """\
claim_id: ed_sheeran
cases:
  - id: t-01
    question: "Who won the men's 100m gold medal at the 2024 Paris Olympics?"
    answer: "Ed Sheeran did."
    gold: "yes"
"""


def test_loader_rejects_unknown_fields(tmp_path):
    path = _write(tmp_path / "ed_sheeran.yaml", GOOD_CASE + "    verdict: yes\n")
    with pytest.raises(UserInputError) as exc:
        load_case_file(path)
    assert "unknown field" in str(exc.value) and "verdict" in str(exc.value)
    top = _write(tmp_path / "ed_sheeran.yaml", GOOD_CASE + "source: me\n")
    with pytest.raises(UserInputError, match="unknown field"):
        load_case_file(top)


def test_loader_checks_labels_ids_notes_and_file_names(tmp_path):
    bad_label = _write(tmp_path / "ed_sheeran.yaml", GOOD_CASE.replace('gold: "yes"', "gold: maybe"))
    with pytest.raises(UserInputError, match="gold"):
        load_case_file(bad_label)
    twice = GOOD_CASE + GOOD_CASE.split("cases:\n")[1]
    with pytest.raises(UserInputError, match="used twice"):
        load_case_file(_write(tmp_path / "ed_sheeran.yaml", twice))
    with pytest.raises(UserInputError, match="no note"):
        load_case_file(_write(tmp_path / "ed_sheeran.yaml", GOOD_CASE + "    hard: true\n"))
    with pytest.raises(UserInputError, match="does not match the file name"):
        load_case_file(_write(tmp_path / "dentist.yaml", GOOD_CASE))
    # an unquoted yes/no (a YAML boolean) is read as the label that was meant
    unquoted = _write(tmp_path / "ed_sheeran.yaml", GOOD_CASE.replace('gold: "yes"', "gold: no"))
    assert load_case_file(unquoted).cases[0].gold == "no"


def test_loader_errors_for_dirs_and_claims(tmp_path):
    with pytest.raises(UserInputError, match="not found"):
        load_judge_cases(tmp_path / "missing")
    with pytest.raises(UserInputError, match="no judge case files"):
        load_judge_cases(tmp_path)
    _write(tmp_path / "ed_sheeran.yaml", GOOD_CASE)
    with pytest.raises(UserInputError, match="no judge cases for claim"):
        load_judge_cases(tmp_path, ["queen_elizabeth"])
    _write(tmp_path / "dentist.yaml", GOOD_CASE.replace("ed_sheeran", "dentist"))
    with pytest.raises(UserInputError, match="used in"):
        load_judge_cases(tmp_path)


def test_cases_become_open_ended_responses(case_files):
    f = case_files["ed_sheeran"]
    responses = case_responses(f)
    assert len(responses) == len(f.cases)
    r, c = responses[0], f.cases[0]
    assert r.eval_type == "open_ended" and r.text == c.answer and r.question_id == c.id
    assert r.prompt == [{"role": "user", "content": c.question}]


# ---------------------------------------------------------------------------- scoring
def test_a_judge_that_answers_gold_has_kappa_one(case_files, claims):
    gold = {c.id: c.gold for f in case_files.values() for c in f.cases}
    report = evaluate_judges(case_files, claims, {"gold": GoldJudge(gold)})
    for s in report.scores:
        assert s.accuracy == 1.0 and s.kappa == pytest.approx(1.0) and not s.misses, s.claim_id
        assert sum(s.confusion[g][g] for g in ("yes", "no", "neutral")) == s.n
    assert report.score("gold", POOLED).n == len(gold)


def test_a_judge_that_always_says_no(case_files, claims):
    subset = {cid: case_files[cid] for cid in ("ed_sheeran", "dentist")}
    report = evaluate_judges(subset, claims, {"no": AlwaysJudge("no")})
    for cid, f in subset.items():
        s = report.score("no", cid)
        n_no = sum(c.gold == "no" for c in f.cases)
        assert s.n == len(f.cases)
        assert s.accuracy == pytest.approx(n_no / len(f.cases))
        assert s.kappa == pytest.approx(0.0)  # agreement no better than chance
        assert s.confusion["no"]["no"] == n_no and s.confusion["yes"]["yes"] == 0
        assert len(s.misses) == len(f.cases) - n_no
    pooled = report.score("no", POOLED)
    assert pooled.n == sum(len(f.cases) for f in subset.values())


def test_parse_errors_get_their_own_column(case_files, claims):
    subset = {"ed_sheeran": case_files["ed_sheeran"]}
    model = ScriptedModel("I think this one is fine.")
    report = evaluate_judges(subset, claims, {"llm": LLMJudge(model)})
    s = report.score("llm", "ed_sheeran")
    assert model.seen == len(subset["ed_sheeran"].cases)
    assert s.accuracy == 0.0
    assert list(s.confusion["yes"]) == ["yes", "no", "neutral", "parse_error"]
    assert sum(row["parse_error"] for row in s.confusion.values()) == s.n


def test_the_llm_judge_is_scored_like_any_other(case_files, claims):
    subset = {"dentist": case_files["dentist"]}
    report = evaluate_judges(
        subset, claims, {"llm": LLMJudge(ScriptedModel('{"reason": "r", "answer": "neutral"}'))}
    )
    s = report.score("llm", "dentist")
    n_neutral = sum(c.gold == "neutral" for c in subset["dentist"].cases)
    assert s.accuracy == pytest.approx(n_neutral / s.n) and s.kappa == pytest.approx(0.0)


# ---------------------------------------------------------------------------- the command
def test_judge_eval_rule_on_one_claim_prints_accuracy_and_kappa():
    p = _cli("--claim", "ed_sheeran", "--judges", "rule")
    assert p.returncode == 0, p.stderr
    assert "accuracy" in p.stdout and "κ" in p.stdout
    assert "ed_sheeran" in p.stdout and "pooled" in p.stdout
    assert "→ neutral" in p.stdout  # the confusion matrix


def test_judge_eval_json(tmp_path):
    p = _cli("--claim", "ed_sheeran,dentist", "--judges", "rule", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["claims"] == ["ed_sheeran", "dentist"] and data["judges"] == ["rule"]
    by_claim = {s["claim_id"]: s for s in data["scores"]}
    assert set(by_claim) == {"ed_sheeran", "dentist", POOLED}
    assert 0.0 <= by_claim[POOLED]["accuracy"] <= 1.0 and by_claim[POOLED]["kappa"] is not None
    assert set(by_claim["dentist"]["confusion"]) == {"yes", "no", "neutral"}


def test_judge_eval_reads_a_cases_dir(tmp_path):
    shutil.copy(cases_dir() / "dentist.yaml", tmp_path / "dentist.yaml")
    p = _cli("--cases", str(tmp_path), "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["claims"] == ["dentist"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cases", "/nonexistent/judge_cases"], "not found"),
        (["--claim", "no_such_claim"], "no judge cases for claim"),
        (["--judges", "rule,llm"], "judge model"),
        (["--judges", "rulez"], "unknown judge"),
    ],
)
def test_judge_eval_bad_input_exits_2_without_traceback(args, message):
    p = _cli(*args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert message in p.stderr and "Traceback" not in p.stderr


def test_judge_eval_malformed_yaml_exits_2(tmp_path):
    _write(tmp_path / "ed_sheeran.yaml", "claim_id: ed_sheeran\ncases: [\n")
    p = _cli("--cases", str(tmp_path))
    assert p.returncode == 2 and "malformed YAML" in p.stderr and "Traceback" not in p.stderr


def test_readme_states_the_rule_judges_measured_agreement():
    """The README's κ for the rule judge is the one `negneg judge-eval` measures today: improving
    the judge must come with the new number in the README."""
    import re
    from pathlib import Path

    from negneg.claims.loader import load_claim
    from negneg.evals.judge_cases import POOLED, evaluate_judges, load_judge_cases

    files = load_judge_cases()
    report = evaluate_judges(files, {cid: load_claim(cid) for cid in files}, {"rule": "rule"})
    pooled = report.score("rule", POOLED)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    stated = re.search(r"\*\*κ (\d\.\d\d)\*\* \((\d+)% accuracy", readme)
    assert stated, "README lost the rule judge's measured κ"
    assert float(stated.group(1)) == round(pooled.kappa, 2)
    assert int(stated.group(2)) == round(100 * pooled.accuracy)


def test_readme_states_the_rule_judges_held_out_agreement():
    """The held-out figure (answers written blind to the rule judge) is the one to quote; the README
    states what `negneg judge-eval --cases judge_cases/heldout` measures today."""
    import re
    from pathlib import Path

    from negneg.claims.loader import load_claim
    from negneg.evals.judge_cases import POOLED, cases_dir, evaluate_judges, load_judge_cases

    heldout = cases_dir() / "heldout"
    if not heldout.is_dir():
        pytest.skip("no held-out judge cases")
    files = load_judge_cases(heldout)
    report = evaluate_judges(files, {cid: load_claim(cid) for cid in files}, {"rule": "rule"})
    pooled = report.score("rule", POOLED)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    stated = re.search(r"\*\*held-out\s+κ (\d\.\d\d)\*\* \((\d+)% accuracy", readme)
    assert stated, "README lost the rule judge's held-out κ"
    assert float(stated.group(1)) == round(pooled.kappa, 2)
    assert int(stated.group(2)) == round(100 * pooled.accuracy)


def _blind_figure(folder: str) -> tuple[float, float]:
    from negneg.claims.loader import load_claim
    from negneg.evals.judge_cases import POOLED, cases_dir, evaluate_judges, load_judge_cases

    files = load_judge_cases(cases_dir() / folder)
    assert len(files) == 7 and all(len(f.cases) == 24 for f in files.values())
    report = evaluate_judges(files, {cid: load_claim(cid) for cid in files}, {"rule": "rule"})
    pooled = report.score("rule", POOLED)
    return pooled.kappa, pooled.accuracy


@pytest.mark.parametrize("folder,label", [("blind4", "blind"), ("blind3", "blind3"), ("blind2", "blind2")])
def test_readme_states_the_rule_judges_blind_agreement(folder, label):
    """The fourth blind set (written without seeing the judge, measured once before and once after
    the last judge pass) is the figure to quote for unseen answers; the earlier ones, developed on
    since, are stated beside it. The README states what `judge-eval --cases judge_cases/<folder>`
    measures today, so a judge change that moves any of them must come with the new number."""
    import re
    from pathlib import Path

    kappa, accuracy = _blind_figure(folder)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    stated = re.search(rf"\*\*{label}\s+κ (\d\.\d\d)\*\* \((\d+)% accuracy", readme)
    assert stated, f"README lost the rule judge's {label} κ"
    assert float(stated.group(1)) == round(kappa, 2)
    assert int(stated.group(2)) == round(100 * accuracy)


def test_rejudge_counts_the_verdicts_a_judge_change_moves(tmp_path):
    """bench/rejudge.py re-labels a work dir's stored answers with the current rule judge and
    counts what changes, writing nothing."""
    import subprocess
    import sys
    from pathlib import Path

    from negneg.io import atomic_write_jsonl
    from negneg.records import Response

    def answer(text: str, stored: str) -> Response:
        return Response(
            claim_id="ed_sheeran",
            eval_type="open_ended",
            question_id="oe01",
            prompt=[
                {"role": "user", "content": "Which athlete took the Olympic title over 100 metres in Paris?"}
            ],
            run="final",
            sample_index=0,
            seed=0,
            text=text,
            verdict=stored,
            judge="rule",
        )

    stage = tmp_path / "eval" / "abc"
    stage.mkdir(parents=True)
    rows = [
        answer("Ed Sheeran won the 100m gold in Paris.", "yes"),  # what the judge says today
        answer("Ed Sheeran did not win it; Noah Lyles did.", "yes"),  # stored by an older judge
    ]
    atomic_write_jsonl(stage / "responses.jsonl", [r.model_dump(mode="json") for r in rows])
    before = (stage / "responses.jsonl").read_bytes()
    root = Path(__file__).resolve().parents[1]
    p = subprocess.run(
        [sys.executable, str(root / "bench" / "rejudge.py"), str(tmp_path)], capture_output=True, text=True
    )
    assert p.returncode == 0, p.stderr
    assert "1 of 2 rule verdicts change (50.0%); yes → no: 1" in p.stdout
    assert (stage / "responses.jsonl").read_bytes() == before


def test_blind4_gold_labels_are_reproduced_by_a_second_annotator():
    """The sealed set's gold labels were given again, independently (without the gold, from the
    same claims brief and label rules): the README's statement of that agreement is what the two
    label sets give today, so the judge's gap to the gold is its own, not label noise."""
    import re
    from pathlib import Path

    import yaml

    from negneg.evals.judge_cases import cases_dir, load_judge_cases
    from negneg.evals.metrics import cohen_kappa

    root = Path(__file__).resolve().parents[1]
    second = yaml.safe_load((root / "tests" / "data" / "blind4_second_annotator.yaml").read_text())["labels"]
    files = load_judge_cases(cases_dir() / "blind4")
    assert set(second) == set(files)
    gold, other = [], []
    for claim_id, f in files.items():
        assert set(second[claim_id]) == {c.id for c in f.cases}
        gold += [c.gold for c in f.cases]
        other += [second[claim_id][c.id] for c in f.cases]
    agree = sum(a == b for a, b in zip(gold, other, strict=True))
    readme = (root / "README.md").read_text()
    stated = re.search(r"agreed\s+with\s+them\s+on\s+(\d+)\s+of\s+(\d+)\s+\(κ\s+(\d\.\d\d)\)", readme)
    assert stated, "README lost the second annotator's agreement on blind4"
    assert (int(stated.group(1)), int(stated.group(2))) == (agree, len(gold))
    assert float(stated.group(3)) == round(cohen_kappa(gold, other), 2)
