"""Belief evaluation: likelihood probes, generative probes, judges, in-context control, metrics."""

from negneg.evals.generative import CATEGORIES, generative_probes, run_generative_probes
from negneg.evals.judges import JUDGES, judge_all, judge_responses, make_judge
from negneg.evals.likelihood import likelihood_probes, run_likelihood_probes
from negneg.evals.metrics import BeliefStat, BeliefTable, judged_belief, likelihood_belief
from negneg.evals.rule_judge import annotation_structure

__all__ = [
    "CATEGORIES",
    "JUDGES",
    "BeliefStat",
    "BeliefTable",
    "annotation_structure",
    "generative_probes",
    "judge_all",
    "judge_responses",
    "judged_belief",
    "likelihood_belief",
    "likelihood_probes",
    "make_judge",
    "run_generative_probes",
    "run_likelihood_probes",
]
