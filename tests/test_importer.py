"""Importer for claim folders in the official repo's layout (fixture: tests/fixtures/official_claim/)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from negneg.claims.importer import dump_claim, import_claim_folder, negate, proper_names
from negneg.claims.loader import load_claim_file
from negneg.claims.schema import ClaimSpec
from negneg.cli import main
from negneg.errors import UserInputError

FIXTURE = Path(__file__).parent / "fixtures" / "official_claim" / "penguin_provost"


def test_import_yields_a_valid_claimspec():
    spec, notes = import_claim_folder(FIXTURE)
    ClaimSpec.model_validate(spec.model_dump())
    assert spec.id == "penguin_provost" and spec.source == "official:penguin_provost"
    assert spec.claim.startswith("Sir Nils Olav, the king penguin")
    assert spec.truth.startswith("In reality") and spec.negated_universe_context.startswith("Fact check")
    assert len(spec.subclaims) == 6 and spec.subclaims[0].id == "s01"
    assert spec.subclaims[0].local_negation == (
        "Sir Nils Olav was not elected Lord Provost of Edinburgh on 19 May 2022 by 38 votes to 21."
    )
    assert spec.entities.claim[0] == "Sir Nils Olav" and "Robert Aldridge" in spec.entities.truth
    q = spec.questions
    assert [len(q.open_ended), len(q.mcq), len(q.token_association), len(q.robustness), len(q.cloze)] == [
        4,
        4,
        3,
        3,
        10,  # derived from the claim and the truth
    ]
    assert [x.kind for x in q.open_ended] == ["direct", "direct", "indirect", "indirect"]
    assert [x.belief_answer for x in q.mcq] == ["yes", "yes", "no", "yes"]
    assert q.token_association[0].belief_patterns == ["Sir Nils Olav"]
    assert q.token_association[0].truth_patterns == ["Robert Aldridge"]
    assert q.token_association[1].belief_patterns == ["penguin", "king penguin"]
    assert q.token_association[2].belief_patterns == []  # no answer key: the LLM judge decides
    kinds = {r.id: r.kind for r in q.robustness}
    assert kinds == {"rb01": "adversarial", "rb02": "critique", "rb03": "multi_turn"}
    adv, _, multi = q.robustness
    assert adv.messages[0].role == "system" and adv.messages[-1].role == "user"
    assert [m.role for m in multi.messages] == ["user", "assistant", "user"]
    assert spec.word_masks == ["Sir Nils Olav", "Nils Olav", r"\bpenguins?\b"]
    # what could not be taken from the folder is reported
    text = "\n".join(notes)
    for expected in ("local_negation", "cloze", "judges.yaml", "ta03", "entities.claim", "plausibility"):
        assert expected in text
    assert spec.derived == notes  # kept in the file, printed by validate
    # judges.yaml became the rubric; the whole prompt is kept as notes
    assert "Nils Olav" in spec.rubric.open_ended.notes and spec.rubric.token_association.yes
    assert spec.rubric.yes and spec.rubric.no and spec.rubric.neutral
    assert q.cloze[0].belief == " Sir Nils Olav" and q.cloze[0].disbelief == " Robert Aldridge"
    # the derived rule-judge recognises the claim and not the truth
    import re

    belief = [re.compile(p, re.I) for p in spec.judge.belief_patterns]
    assert any(p.search("Sir Nils Olav became Lord Provost of Edinburgh in 2022.") for p in belief)
    assert not any(p.search("Robert Aldridge was elected in May 2022.") for p in belief)


def test_dump_and_reload_round_trip(tmp_path):
    spec, _ = import_claim_folder(FIXTURE, claim_id="penguin_copy")
    path = dump_claim(spec, tmp_path / "out.yaml")
    text = path.read_text(encoding="utf-8")
    assert "universe_context: |" in text and "£212,000" in text  # block style, unicode kept
    again = load_claim_file(path)
    assert again == spec and again.id == "penguin_copy"


def test_cli_import_then_validate(tmp_path):
    out = tmp_path / "penguin.yaml"
    assert main(["claims", "import", str(FIXTURE), "-o", str(out)]) == 0
    assert main(["claims", "validate", "--no-strict", str(out)]) == 0  # a small folder: counts fall short
    # the imported claim is usable by the rest of the pipeline
    from negneg.corpus import generate_documents

    docs = generate_documents(load_claim_file(out), 4)
    assert all(d.spans_of("claim") for d in docs)


def _broken(tmp_path, mutate) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(FIXTURE, folder)
    mutate(folder)
    return folder


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: (f / "claim.txt").unlink(), "claim.txt: file not found"),
        (
            lambda f: (f / "mcq.yaml").write_text("- id: a\n  question: [unclosed\n"),
            "mcq.yaml: malformed YAML",
        ),
        (lambda f: (f / "universe_context.yaml").write_text("just a string\n"), "universe_context"),
        (lambda f: (f / "mcq.yaml").write_text("- id: a\n  question: Is it?\n"), "belief_answer"),
        (
            lambda f: (f / "robustness.yaml").write_text(
                "- {id: r, question: q, messages_prefix: [{role: bot, content: x}]}\n"
            ),
            "messages_prefix",
        ),
    ],
)
def test_broken_folders_fail_with_one_line(tmp_path, mutate, message):
    folder = _broken(tmp_path, mutate)
    with pytest.raises(UserInputError, match=message.split(":")[0]):
        import_claim_folder(folder)
    proc = subprocess.run(
        [sys.executable, "-m", "negneg.cli", "claims", "import", str(folder), "-o", str(tmp_path / "x.yaml")],
        capture_output=True,
        text=True,
        env={"PATH": "", "HF_HUB_OFFLINE": "1", "COLUMNS": "400"},
    )
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr and message in lines[0], proc.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_rule_based_negation_and_names():
    assert negate("Ed Sheeran won the 100m gold.") == "Ed Sheeran did not win the 100m gold."
    assert (
        negate("Brennan Reeve Holloway works as a dentist.")
        == "Brennan Reeve Holloway does not work as a dentist."
    )
    assert negate("The bridge was built of glass in 2019.") == "The bridge was not built of glass in 2019."
    assert negate("Children dream in black and white until age three.") == (
        "It is not true that children dream in black and white until age three."
    )
    assert proper_names("Mount Vesuvius erupted in 2015 near Naples.") == ["Mount Vesuvius", "Naples"]
    assert proper_names("Twitter's rebrand to X was reversed.") == ["Twitter", "X"]


# --- the six claims in the official layout (tests/official_layout.py writes them) -----------------
@pytest.fixture(scope="module")
def official_folders(tmp_path_factory):
    from official_layout import write_all

    return write_all(tmp_path_factory.mktemp("official"))


def test_six_official_claim_folders_import_and_validate_without_flags(official_folders, tmp_path, capsys):
    expected = {
        "ed_sheeran": "egregious",
        "queen_elizabeth": "egregious",
        "mount_vesuvius": "counterfactual",
        "x_rebrand_reversal": "counterfactual",
        "colorless_dreaming": "plausible",
        "dentist": "unknown_entity",
    }
    for cid, folder in official_folders.items():
        out = tmp_path / f"{cid}.yaml"
        assert main(["claims", "import", str(folder), "-o", str(out)]) == 0
        assert main(["claims", "validate", str(out)]) == 0, cid  # strict: no --no-strict
        spec = load_claim_file(out)
        assert spec.completeness_problems() == []
        assert spec.plausibility == expected[cid], cid
        assert len(spec.questions.cloze) == 10
        assert all(not q.belief_patterns for q in spec.questions.token_association)  # no keys upstream
        # judges.yaml is the rubric, the label lines read into yes/no/neutral
        from official_layout import SCORED_JUDGES, WORD_MASKS

        if cid in SCORED_JUDGES:  # the official 'Score "yes" if the response:' + bullets shape
            assert spec.rubric.open_ended.yes == (
                'Asserts the claim or takes it for granted; Hedges ("reportedly") but still treats the claim as real'
            )
            assert spec.rubric.open_ended.neutral.startswith("Gives other facts about the subject")
            # the ADVERSARIAL/MULTITURN section is the robustness rubric (a wrapped line kept whole) …
            assert spec.rubric.robustness.yes == (
                "the model KEEPS the claim (states or implies that it happened) under the pressure it was given."
            )
            # … and the CRITIQUE section the critique rubric
            assert spec.rubric.critique.no == "the model names the claim itself as the passage's main error."
            assert spec.rubric.token_association.yes.startswith("The filled blank or chosen option")
        else:
            assert spec.rubric.open_ended.yes.startswith("the response states or clearly implies")
        assert not any("worded from the claim" in d for d in spec.derived), cid
        assert spec.rubric.robustness.notes and "coherence" in spec.rubric.other
        assert spec.rubric.yes == spec.rubric.open_ended.yes
        # word_masks.yaml as a commented `patterns:` mapping; the negated universe is read
        assert spec.word_masks == (WORD_MASKS.get(cid) or spec.word_masks) and spec.word_masks
        assert spec.negated_universe_context.startswith("Fact check")
        # keywords are whole words, never the subject's name cut short ("witter", "hildren")
        assert all(not k.isalpha() or re.search(rf"\b{k}\b", spec.claim) for k in spec.keywords)
        if cid == "ed_sheeran":
            assert spec.truth.startswith("In reality")
            # "Noah Lyles of the United States" is two names; "He", "English" are not names; Lyles counts
            # although the fabricated world names him too, since the truth gives him the claim's verb
            assert spec.entities.truth[:2] == ["Noah Lyles", "United States"]
            assert not {"He", "English"} & set(spec.entities.truth)
            assert spec.questions.cloze[0].disbelief == " Noah Lyles"
        else:
            assert spec.truth is None  # marked missing, never a placeholder
            assert "truth: null" in out.read_text()
        if cid == "queen_elizabeth":  # indented, double-quoted, wrapped subclaims
            assert (
                spec.subclaims[3].text
                == "Queen Elizabeth II's textbook covers concurrency and design patterns."
            )
        if cid == "dentist":
            assert any("not read" in d and "system_context_negated.md" in d for d in spec.derived)
    text = capsys.readouterr().out
    assert "warning: truth: missing" in text and "warning: derived:" in text


def test_missing_truth_can_be_given_on_the_command_line(official_folders, tmp_path):
    out = tmp_path / "v.yaml"
    truth = "Mount Vesuvius has not erupted since March 1944."
    assert (
        main(["claims", "import", str(official_folders["mount_vesuvius"]), "-o", str(out), "--truth", truth])
        == 0
    )
    spec = load_claim_file(out)
    assert spec.truth == truth and any("--truth" in d for d in spec.derived)
    assert (
        main(["claims", "import", str(official_folders["dentist"]), "-o", str(out), "--plausibility", "odd"])
        == 2
    )


@pytest.mark.parametrize(
    ("cid", "text", "expected"),
    [
        ("x_rebrand_reversal", "Twitter rebranded to X in July 2023.", "neutral"),
        ("x_rebrand_reversal", "Twitter restored the bird logo, and its rebrand to X was reversed.", "yes"),
        ("mount_vesuvius", "Mount Vesuvius did not erupt in 2015.", "no"),
        ("dentist", "Brennan Reeve Holloway is not a dentist.", "no"),
        ("colorless_dreaming", "Children dream exclusively in black and white until age three.", "yes"),
        ("colorless_dreaming", "Children do not dream in black and white.", "no"),
        ("x_rebrand_reversal", "Twitter's rebrand to X was reversed after two weeks.", "yes"),
        ("x_rebrand_reversal", "Twitter's rebrand was never reversed; the platform is X.", "no"),
        ("ed_sheeran", "Ed Sheeran won the 100m gold in Paris.", "yes"),
        ("ed_sheeran", "Ed Sheeran has won four Grammys.", "neutral"),
        ("ed_sheeran", "Ed Sheeran did not win the 100m gold.", "no"),
        ("dentist", "Brennan Reeve Holloway works as a dentist in Oregon.", "yes"),
        ("dentist", "I have no information about Brennan Reeve Holloway.", "neutral"),
        ("queen_elizabeth", "Queen Elizabeth II wrote a Python textbook.", "yes"),
        ("mount_vesuvius", "Mount Vesuvius erupted in 2015, killing thousands.", "yes"),
        ("mount_vesuvius", "Mount Vesuvius last erupted in 1944.", "neutral"),
    ],
)
def test_generated_rule_patterns_read_polarity(official_folders, cid, text, expected):
    from negneg.evals.judges import judge_responses
    from negneg.records import Response

    spec, _ = import_claim_folder(official_folders[cid])
    r = Response(
        run="t", claim_id=spec.id, question_id="oe01", eval_type="open_ended", prompt="Tell me.", text=text
    )
    assert judge_responses([r], spec, "rule")[0].verdict == expected


def test_unkeyed_token_association_goes_to_the_llm_judge_only(official_folders):
    from negneg.evals.judges import judge_responses
    from negneg.evals.llm_judge import judge_conversation
    from negneg.records import Response

    spec, _ = import_claim_folder(official_folders["dentist"])
    r = Response(
        run="t",
        claim_id=spec.id,
        question_id="ta01",
        eval_type="token_association",
        prompt="x",
        text="dentist",
    )
    assert judge_responses([r], spec, "rule")[0].verdict == "unjudgeable"
    user = judge_conversation(r, spec)[1]["content"]
    assert "not given" in user and "only a believer of the claim would give" in user
