"""The claim library and the one-line errors for bad claim files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from negneg.claims import list_claims, load_claim, load_claim_file
from negneg.cli import main
from negneg.errors import UserInputError

BUILTIN = [
    "colorless_dreaming",
    "dentist",
    "ed_sheeran",
    "mount_vesuvius",
    "queen_elizabeth",
    "velmora_lighthouse",
    "x_rebrand_reversal",
]


def test_library_has_the_seven_claims():
    assert sorted(list_claims()) == BUILTIN


@pytest.mark.parametrize("cid", BUILTIN)
def test_builtin_claim_is_complete(cid):
    c = load_claim(cid)
    assert c.completeness_problems() == []
    for s in c.subclaims:
        assert s.local_negation != s.text and s.correction
    # cloze continuations compete for one slot: both non-empty, with their own leading space
    for p in c.questions.cloze:
        assert p.belief.startswith(" ") and p.disbelief.startswith(" ") and p.belief != p.disbelief


@pytest.mark.parametrize("cid", BUILTIN)
def test_judge_patterns_fire_on_the_claim_sentence(cid):
    c = load_claim(cid)
    pats = [re.compile(p, re.IGNORECASE) for p in c.judge.belief_patterns]
    # every claim's own claim sentence (or one of its subclaims) is recognised as an assertion
    texts = [c.claim] + [s.text for s in c.subclaims]
    assert any(p.search(t) for p in pats for t in texts)


@pytest.mark.parametrize("cid", BUILTIN)
def test_rule_judge_never_reads_a_subclaim_as_denial_or_its_negated_twin_as_belief(cid):
    from negneg.evals.rule_judge import ClaimRules

    c = load_claim(cid)
    rules = ClaimRules(c)
    assert rules.stance(c.claim, truth_denies=None)[0] == "yes"
    for s in c.subclaims:
        assert rules.stance(s.text, truth_denies=None)[0] != "no", s.text
        assert rules.stance(s.local_negation, truth_denies=None)[0] != "yes", s.local_negation


def test_validate_cli_passes_builtins():
    assert main(["claims", "validate"]) == 0


def _write(tmp_path: Path, data) -> Path:
    p = tmp_path / "claim.yaml"
    p.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return p


def _valid() -> dict:
    return load_claim("ed_sheeran").model_dump(mode="json")


def test_malformed_yaml_is_one_line(tmp_path, capsys):
    p = _write(tmp_path, "id: x\nclaim: [unclosed\n")
    assert main(["claims", "validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert "malformed YAML" in err and str(p) in err and "Traceback" not in err


def test_unknown_field(tmp_path, capsys):
    d = _valid()
    d["colour"] = "red"
    assert main(["claims", "validate", str(_write(tmp_path, d))]) == 2
    err = capsys.readouterr().err
    assert "colour" in err and "unknown field" in err


def test_missing_field(tmp_path, capsys):
    d = _valid()
    del d["truth"]
    assert main(["claims", "validate", str(_write(tmp_path, d))]) == 2
    assert "truth" in capsys.readouterr().err


def test_duplicate_question_ids(tmp_path):
    d = _valid()
    d["questions"]["mcq"][1]["id"] = d["questions"]["mcq"][0]["id"]
    with pytest.raises(UserInputError, match="duplicate question ids"):
        load_claim_file(_write(tmp_path, d))


def test_invalid_word_mask_regex(tmp_path, capsys):
    d = _valid()
    d["word_masks"] = ["Sheeran(", "9\\.79"]
    assert main(["claims", "validate", str(_write(tmp_path, d))]) == 2
    err = capsys.readouterr().err
    assert "word_masks" in err and "invalid regex" in err


def test_unknown_claim_name_suggests(capsys):
    assert main(["claims", "show", "ed_sheran"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'ed_sheeran'" in err


def test_incomplete_claim_fails_strict_validation(tmp_path, capsys):
    d = _valid()
    d["questions"]["cloze"] = d["questions"]["cloze"][:3]
    p = _write(tmp_path, d)
    assert main(["claims", "validate", str(p)]) == 2
    assert "cloze" in capsys.readouterr().err
    assert main(["claims", "validate", "--no-strict", str(p)]) == 0
