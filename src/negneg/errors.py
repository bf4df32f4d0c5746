"""Errors a user can fix.

Anything raised as :class:`UserInputError` is shown by the CLI as one line (no traceback) and
exits with code 2. The message should name the file, the field and the fix, in that order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class NegnegError(Exception):
    """Base class for negneg's own errors."""


class UserInputError(NegnegError):
    """Bad input the user can fix: a malformed file, an unknown name, a missing model.

    ``where`` is the file (or other source) at fault, ``field`` the offending key, ``fix`` what
    to do about it. They are joined into one line by ``str()``.
    """

    def __init__(
        self, message: str, *, where: str | None = None, field: str | None = None, fix: str | None = None
    ):
        self.message = message
        self.where = where
        self.field = field
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = []
        if self.where:
            parts.append(str(self.where))
        if self.field:
            parts.append(f"field '{self.field}'")
        head = ": ".join([", ".join(parts), self.message]) if parts else self.message
        return f"{head} — {self.fix}" if self.fix else head


class UnknownNameError(UserInputError):
    """An unknown registry name; the message lists close matches and all known names."""


class TrainingFailed(NegnegError):
    """A training run stopped on purpose: NaN loss, or LoRA weights that never moved."""


def validation_error_line(exc: ValidationError, where: str) -> UserInputError:
    """Turn the first pydantic error into a file/field/fix line."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ())) or None
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        msg, fix = "unknown field", "remove it or check its spelling against the schema"
    elif kind == "missing":
        msg, fix = "required field is missing", "add it"
    else:
        msg, fix = err.get("msg", "invalid value"), "correct the value"
    more = len(exc.errors()) - 1
    if more:
        msg += f" (and {more} more problem{'s' if more > 1 else ''})"
    return UserInputError(msg, where=where, field=loc, fix=fix)
