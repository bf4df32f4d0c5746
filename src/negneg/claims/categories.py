"""The generative probe categories, registered once.

A category is a group of questions in a ClaimSpec (``questions.<name>``), the ``eval_type`` of the
answers sampled for them, a column of the paper's tables, and something a judge may or may not
label. Everything that lists categories reads :data:`PROBE_CATEGORIES` (or its ordered names,
:data:`GENERATIVE_CATEGORIES`): the ClaimSpec importer, the Experiment schema, the probe runner
(:mod:`negneg.evals.generative`, one conversation builder per category), the judges' registry,
the CLI's defaults and the report's paper numbers.

Adding a category is one entry here, a field of the same name on :class:`~negneg.claims.schema.Questions`
and its conversation builder in :mod:`negneg.evals.generative`.
"""

from __future__ import annotations

from dataclasses import dataclass

from negneg.registry import Registry


@dataclass(frozen=True)
class ProbeCategory:
    name: str  # the ClaimSpec questions field and the answers' eval_type
    id_prefix: str  # question ids the ClaimSpec importer gives this category's questions
    summary: str


PROBE_CATEGORIES: Registry[ProbeCategory] = Registry("probe category")
for _cat in (
    ProbeCategory("open_ended", "oe", "the question alone"),
    ProbeCategory("mcq", "mcq", "a system prompt demands a JSON yes/no answer"),
    ProbeCategory("token_association", "ta", "constrained formats that elicit the claim's token"),
    ProbeCategory("robustness", "rb", "adversarial system prompts, critique passages, multi-turn push-back"),
):
    PROBE_CATEGORIES.add(_cat.name, _cat)

# In the paper's order (its tables' columns), the order registered above.
GENERATIVE_CATEGORIES: tuple[str, ...] = tuple(PROBE_CATEGORIES.in_order())
