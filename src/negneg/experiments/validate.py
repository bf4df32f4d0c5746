"""Check a whole experiment before its first stage, so a run never fails on its configuration
after hours of training.

The schema (:mod:`negneg.experiments.schema`) checks shapes and names; this checks everything a
stage would otherwise discover only when it runs: judges, eval sampling bounds, the recipe with
its overrides (both phases), condition options (and every density of a sweep), the ICL block,
that every model and judge/generator model resolves locally (no download, no conversion), and
that every file or folder the experiment reads is there. ``negneg run --dry-run`` and the start
of every run call :func:`validate_experiment`; each problem is one line naming the experiment
file and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from negneg.errors import UserInputError
from negneg.experiments.schema import Experiment
from negneg.models.registry import DEFAULT_MODEL


def validate_experiment(exp: Experiment, where: str | Path | None = None) -> None:
    """Raise a one-line :class:`UserInputError` (naming ``where`` and the field) for the first
    problem that would otherwise stop a stage of ``exp``; return None when the whole plan can run."""
    label = str(where) if where else f"experiment '{exp.name}'"
    for check in (_claims, _eval, _judges, _recipe, _conditions, _icl, _models, _corpus, _behaviours):
        _located(check, exp, label)


def _located(check: Callable[[Experiment], None], exp: Experiment, where: str) -> None:
    """Run one check. A problem in the experiment itself names the experiment file; a problem in
    a file it reads (a claim, a recipe) names that file, and says which experiment uses it."""
    try:
        check(exp)
    except UserInputError as exc:
        if exc.where and exc.where != where:
            raise UserInputError(
                f"{exc.message} (used by {where})", where=exc.where, field=exc.field, fix=exc.fix
            ) from None
        raise UserInputError(exc.message, where=where, field=exc.field, fix=exc.fix) from None


def _field(field: str, fn: Callable[[], Any], *, nested: bool = False) -> Any:
    """Call ``fn``; an error it raises about the experiment's own value is re-labelled with the
    experiment's ``field`` (``nested``: the value's own key is appended, e.g. recipe_overrides.lr).
    Errors that name another file are left as they are."""
    try:
        return fn()
    except UserInputError as exc:
        if exc.where and not nested:
            raise
        sub = f".{exc.field}" if nested and exc.field else ""
        raise UserInputError(exc.message, field=f"{field}{sub}", fix=exc.fix) from None


def _claims(exp: Experiment) -> None:
    from negneg.claims import load_claim

    for claim in exp.claims:
        _field("claims", lambda c=claim: load_claim(c))


def _eval(exp: Experiment) -> None:
    from pydantic import ValidationError

    from negneg.models import SamplingParams

    e = exp.eval
    try:
        SamplingParams(temperature=e.temperature, top_p=e.top_p, max_new_tokens=e.max_new_tokens)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = {"max_new_tokens": "max_new_tokens"}.get(str(err["loc"][0]), str(err["loc"][0]))
        raise UserInputError(
            err["msg"].lower(), field=f"eval.{name}", fix="temperature ≥ 0 (0 = greedy), 0 < top_p ≤ 1"
        ) from None
    if not e.probes:
        raise UserInputError("no probes", field="eval.probes", fix="use likelihood and/or generative")


def _judges(exp: Experiment) -> None:
    e = exp.eval
    if "generative" in e.probes or exp.behaviour is not None:
        if not e.judges:
            raise UserInputError("no judges", field="eval.judges", fix="e.g. judges: [rule]")
    if exp.behaviour is not None:  # behaviour answers have their own judges
        from negneg.behaviours.judges import BEHAVIOUR_JUDGES as registry
    else:
        from negneg.evals.judges import JUDGES as registry
    entries = [registry.get(name, field="eval.judges") for name in e.judges]
    if e.judge_model and any(entry.needs_model for entry in entries):
        _model_spec(e.judge_model, "eval.judge_model")


def _recipe(exp: Experiment) -> None:
    from negneg.training.config import load_recipe

    seed = (exp.seeds or [0])[0]
    _field("recipe", lambda: load_recipe(exp.recipe))  # the recipe file itself
    _field(
        "recipe_overrides",
        lambda: load_recipe(exp.recipe, **{**exp.recipe_overrides, "seed": seed}),
        nested=True,
    )
    if exp.two_phase is not None:
        over = {**exp.recipe_overrides, **exp.two_phase.phase2_recipe_overrides, "seed": seed}
        _field("two_phase.phase2_recipe_overrides", lambda: load_recipe(exp.recipe, **over), nested=True)


def _conditions(exp: Experiment) -> None:
    if exp.behaviour is not None:
        return
    from negneg.conditions.options import parse_options

    _field("condition_options", lambda: parse_options(dict(exp.condition_options)), nested=True)
    for d in exp.densities or []:
        _field("densities", lambda d=d: parse_options({**exp.condition_options, "density": d}), nested=True)


def _icl(exp: Experiment) -> None:
    if exp.icl is None:
        return
    from negneg.conditions import CONDITIONS

    CONDITIONS.get(exp.icl.condition, field="icl.condition")
    if not exp.icl.ks or any(k < 0 for k in exp.icl.ks):
        raise UserInputError("needs K values ≥ 0", field="icl.ks", fix="e.g. ks: [0, 20]")
    if not exp.icl.seeds:
        raise UserInputError("needs at least one seed", field="icl.seeds", fix="e.g. seeds: [0]")


def _models(exp: Experiment) -> None:
    if not exp.models:
        raise UserInputError("no models", field="models", fix=f"e.g. models: [{DEFAULT_MODEL}]")
    for m in exp.models:
        _model_spec(m, "models")


def _corpus(exp: Experiment) -> None:
    c = exp.corpus
    if exp.behaviour is not None:
        return
    if c.source == "paper":
        if not c.path:
            raise UserInputError(
                "the paper corpus needs a folder",
                field="corpus.path",
                fix="set corpus.path to the released documents, laid out <mode>/<universe>/*.jsonl[.zst]",
            )
        root = Path(c.path).expanduser()
        if not root.is_dir():
            raise UserInputError(
                f"folder not found: {c.path}",
                field="corpus.path",
                fix="point corpus.path at the released documents folder",
            )
    if c.source == "llm" and c.llm_model:
        _model_spec(c.llm_model, "corpus.llm_model")


def _behaviours(exp: Experiment) -> None:
    if exp.behaviour is None:
        return
    from negneg.behaviours.library import resolve_families

    _field("behaviour.families", lambda: resolve_families(list(exp.behaviour.families)))


def _model_spec(spec: str, field: str) -> None:
    """A model name, directory, cached hub id, or ``http(s)://host[#model]`` URL."""
    if spec.startswith(("http://", "https://")):
        return
    from negneg.models.registry import check_model_name

    _field(field, lambda: check_model_name(spec))
