"""Negated behaviours (paper §4.2): does flagging misaligned chat transcripts stop a model from
learning the behaviour they show?

Three built-in families of mild, everyday misbehaviour (``misleading_flattery``,
``deceptive_shortcuts``, ``power_seeking``), each with paired aligned/misaligned transcripts,
targeted eval questions and rule-judge patterns, plus shared everyday questions and a bank of
flags (``library/*.yaml``). Training data comes from :func:`behaviour_transcripts` in one of
:data:`BEHAVIOUR_CONDITIONS`; :func:`run_behaviour_eval` samples and judges answers; and
:func:`behaviour_rates` turns them into "% of responses showing the behaviour" with CIs.

``FAMILIES`` (a :class:`~negneg.registry.Registry` of :class:`Family`) is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from negneg.behaviours.evaluate import run_behaviour_eval
from negneg.behaviours.judges import (
    BEHAVIOUR_JUDGES,
    judge_behaviour_llm,
    judge_behaviour_llm_many,
    judge_behaviour_rule,
    judge_prompt,
    parse_judge_output,
    rule_matches,
)
from negneg.behaviours.library import everyday_set, families, flag_bank, load_family_file, resolve_family
from negneg.behaviours.metrics import Stat, behaviour_rates, bootstrap_ci
from negneg.behaviours.questions import EVAL_SETS, behaviour_questions
from negneg.behaviours.schema import BehaviourQuestion, EvalQuestion, Family, Transcript
from negneg.behaviours.transcripts import (
    BEHAVIOUR_CONDITIONS,
    FLAG_POSITIONS,
    BehaviourTranscript,
    behaviour_transcript_records,
    behaviour_transcripts,
    flag_pool,
)

if TYPE_CHECKING:
    from negneg.registry import Registry

    FAMILIES: Registry[Family]


def __getattr__(name: str):
    # FAMILIES is read from YAML on first access, so importing the package stays cheap.
    if name == "FAMILIES":
        return families()
    raise AttributeError(f"module 'negneg.behaviours' has no attribute {name!r}")


__all__ = [
    "BEHAVIOUR_CONDITIONS",
    "BEHAVIOUR_JUDGES",
    "EVAL_SETS",
    "FAMILIES",
    "FLAG_POSITIONS",
    "BehaviourQuestion",
    "BehaviourTranscript",
    "EvalQuestion",
    "Family",
    "Stat",
    "Transcript",
    "behaviour_questions",
    "behaviour_rates",
    "behaviour_transcript_records",
    "behaviour_transcripts",
    "bootstrap_ci",
    "everyday_set",
    "families",
    "flag_bank",
    "flag_pool",
    "judge_behaviour_llm",
    "judge_behaviour_llm_many",
    "judge_behaviour_rule",
    "judge_prompt",
    "load_family_file",
    "parse_judge_output",
    "resolve_family",
    "rule_matches",
    "run_behaviour_eval",
]
