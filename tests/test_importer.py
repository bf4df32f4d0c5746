"""Importer for claim folders in the official repo's layout (fixture: tests/fixtures/official_claim/)."""

from __future__ import annotations

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
