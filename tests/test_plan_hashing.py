"""Stage ids follow what each stage reads: editing a claim's questions re-runs its evals only, and
editing its judge patterns re-annotates only the local-negation conditions (offline debunks read
them), so a probe fix does not retrain every model."""

from __future__ import annotations

from pathlib import Path

import yaml

from negneg.claims.loader import library_dir
from negneg.experiments.plan import expand
from negneg.experiments.schema import Experiment


def _plan(claim_file: Path):
    exp = Experiment.model_validate(
        {
            "name": "hash",
            "claims": [str(claim_file)],
            "conditions": ["positive", "local_negation"],
            "models": ["tiny-random"],
            "recipe": "tiny",
            "corpus": {"n_documents": 4},
        }
    )
    plan = expand(exp)
    return {sid: st for sid, st in plan.stages.items()}


def _ids_by_kind(stages, kind: str, condition: str | None = None) -> set[str]:
    return {
        sid
        for sid, st in stages.items()
        if st.kind == kind and (condition is None or st.config.get("condition") == condition)
    }


def _claim_copy(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load((library_dir() / "ed_sheeran.yaml").read_text())
    edit(data)
    path = tmp_path / "claim.yaml"  # one path: the plan names the claim by it
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def test_a_question_edit_reruns_evals_but_not_corpus_or_training(tmp_path):
    same = _plan(_claim_copy(tmp_path, lambda d: None))
    edited = _plan(_claim_copy(tmp_path, lambda d: d["questions"]["cloze"][0].update(prompt="Edited:")))
    for kind in ("corpus", "annotate", "train"):
        assert _ids_by_kind(same, kind) == _ids_by_kind(edited, kind), kind
    assert _ids_by_kind(same, "eval").isdisjoint(_ids_by_kind(edited, "eval"))


def test_a_judge_edit_reannotates_local_negation_only(tmp_path):
    def edit(d):
        d["judge"]["belief_patterns"].append("sheeran[^.]{0,20}sprint king")

    same = _plan(_claim_copy(tmp_path, lambda d: None))
    edited = _plan(_claim_copy(tmp_path, edit))
    assert _ids_by_kind(same, "corpus") == _ids_by_kind(edited, "corpus")
    assert _ids_by_kind(same, "annotate", "positive") == _ids_by_kind(edited, "annotate", "positive")
    assert _ids_by_kind(same, "annotate", "local_negation").isdisjoint(
        _ids_by_kind(edited, "annotate", "local_negation")
    )


def test_a_universe_edit_regenerates_the_corpus(tmp_path):
    same = _plan(_claim_copy(tmp_path, lambda d: None))
    edited = _plan(
        _claim_copy(tmp_path, lambda d: d.update(universe_context=d["universe_context"] + " More."))
    )
    assert _ids_by_kind(same, "corpus").isdisjoint(_ids_by_kind(edited, "corpus"))
