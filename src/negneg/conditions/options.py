"""Options shared by every condition, validated once at the door.

One pydantic model is the single source for the CLI flags, experiment YAML and the Python API,
so a bad value fails in the same words everywhere: a :class:`UserInputError` naming the field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from negneg.errors import UserInputError


class ConditionOptions(BaseModel):
    """How a condition is applied.

    ``density`` is the dose knob: the fraction of claim sentences that get wrapped (repeated
    negations, corrections) or replaced (local negation), and the fraction of sentence ends that
    get an insertion in the ``_repeated`` qualifiers. Which ones is drawn from the seeded rng.
    ``doctag`` false is the paper's no-DOCTAG ablation (App. C.5) for any condition.
    ``probability`` is the figure the ``low_probability`` frame states (the paper used 3% and 5%).
    ``prefix_suffix`` false drops the document-level prefix and suffix, leaving only the local
    insertions (an ablation the paper did not run, useful to separate the two doses).
    """

    model_config = ConfigDict(extra="forbid")

    density: float = Field(
        1.0, ge=0.0, le=1.0, description="fraction of claim sentences (or sentence ends) annotated"
    )
    doctag: bool = Field(True, description="prefix <DOCTAG> at tokenisation (false = no_doctag ablation)")
    probability: float = Field(
        0.03, gt=0.0, lt=1.0, description="probability stated by low_probability frames"
    )
    prefix_suffix: bool = Field(True, description="add the document-level prefix and suffix")


def parse_options(options: ConditionOptions | dict[str, Any] | None) -> ConditionOptions:
    """Accept a model, a plain dict (from YAML or the CLI) or None; bad values → UserInputError."""
    if options is None:
        return ConditionOptions()
    if isinstance(options, ConditionOptions):
        return options
    if not isinstance(options, dict):
        raise UserInputError(
            f"condition options must be a mapping, got {type(options).__name__}",
            where="condition options",
            fix="pass e.g. {'density': 0.5}",
        )
    try:
        return ConditionOptions.model_validate(options)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ())) or None
        if err.get("type") == "extra_forbidden":
            msg = "unknown option"
            fix = f"known options: {', '.join(ConditionOptions.model_fields)}"
        else:
            msg = err.get("msg", "invalid value")
            fix = "correct the value"
        raise UserInputError(msg, where="condition options", field=field, fix=fix) from None
