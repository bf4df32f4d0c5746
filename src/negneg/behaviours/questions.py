"""Eval questions: targeted (near each family's training prompts) and everyday (shared)."""

from __future__ import annotations

from collections.abc import Sequence

from negneg.behaviours.library import everyday_set, resolve_families
from negneg.behaviours.schema import BehaviourQuestion, Family
from negneg.registry import Registry

EVAL_SETS = ["targeted", "everyday"]
EVAL_SET_REGISTRY: Registry[str] = Registry("behaviour eval set")
for _name in EVAL_SETS:
    EVAL_SET_REGISTRY.add(_name, _name)


def behaviour_questions(
    families: Sequence[str | Family] | None, eval_set: str, limit: int | None = None
) -> list[BehaviourQuestion]:
    """Questions of one eval set.

    ``targeted``: each family's own questions (``family`` set), family by family. ``everyday``:
    the shared questions (``family`` is None); ``families`` is then only checked for validity,
    since everyday answers are judged against every family. ``limit`` keeps the first ``limit``
    questions per family (targeted) or in total (everyday) — for quick CPU runs and tests.
    """
    EVAL_SET_REGISTRY.get(eval_set, field="eval_set")
    fams = resolve_families(list(families) if families is not None else None)
    if eval_set == "everyday":
        qs = everyday_set().questions[:limit]
        return [BehaviourQuestion(id=q.id, family=None, eval_set="everyday", question=q.question) for q in qs]
    return [
        BehaviourQuestion(id=q.id, family=f.name, eval_set="targeted", question=q.question)
        for f in fams
        for q in f.targeted_questions[:limit]
    ]
