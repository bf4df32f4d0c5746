"""Typed registries that answer an unknown name with "did you mean …".

Conditions, evals, judges and models are registered by name with a decorator; lookups of unknown
names raise :class:`negneg.errors.UnknownNameError` listing the closest names and all names.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from negneg.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """A name → object map for one kind of thing (``kind`` is used in error messages)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}

    def add(self, name: str, item: T) -> T:
        if name in self._items:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self._items[name] = item
        return item

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def deco(item: T) -> T:
            return self.add(name, item)

        return deco

    def get(self, name: str, *, where: str | None = None, field: str | None = None) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise self.unknown(name, where=where, field=field) from None

    def unknown(self, name: str, *, where: str | None = None, field: str | None = None) -> UnknownNameError:
        close = difflib.get_close_matches(name, list(self._items), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        return UnknownNameError(
            f"unknown {self.kind} '{name}'",
            where=where,
            field=field,
            fix=f"{hint}known {self.kind}s: {', '.join(sorted(self._items))}",
        )

    def names(self) -> list[str]:
        return sorted(self._items)

    def in_order(self) -> list[str]:
        """Names in the order they were registered (where that order means something)."""
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        return sorted(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)
