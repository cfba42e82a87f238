"""Plain records without `dataclasses`: for the types the `analyze` command loads at start-up.

Importing `dataclasses` imports `inspect` (and with it `ast`, `dis`, `tokenize`), and each
dataclass execs generated code when its module loads: together about 12 ms of a 60 ms
`wikiseminar analyze --authorship` process (docs/benchmarks.md, section 10). The records
that process needs (`wiki.types`, the authorship core's tokens and figures) derive from
`Record` instead: each declares its fields in `__slots__` (in the order of its `__init__`'s
parameters, which a test checks), annotates them, and stores them in a typed `__init__` (with
`_fill`, or one by one where thousands are built). This base gives them what `@dataclass`
did: equality, a repr, a hash for the frozen ones, copies with `replace`, and pickling.
Everywhere else, dataclasses are fine.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Self

__all__ = ["FrozenRecord", "Record"]


class Record:
    """A mutable record: its fields are its `__slots__` (one class, no record base between)."""

    __slots__: tuple[str, ...] = ()

    def _fill(self, *values: object) -> None:
        """Set every field, in `__slots__` order (how each `__init__` stores its arguments)."""
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        """The fields' values, in order."""
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        """Equal when of the same class with equal fields (as a dataclass compares)."""
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    # Defining __eq__ leaves __hash__ None: a mutable record is unhashable, like a dataclass.

    def __repr__(self) -> str:
        """`Name(field=value, ...)`, as a dataclass shows itself."""
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[type[Self], tuple[Any, ...]]:
        """Pickle and copy through `__init__` (slots and frozen records have no `__dict__`)."""
        return type(self), self._values()

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (what `dataclasses.replace` did)."""
        values = dict(zip(self.__slots__, self._values(), strict=True))
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        values.update(changes)
        return type(self)(**values)


class FrozenRecord(Record):
    """An immutable record: fields cannot be set after `__init__`; hashable by its values."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        """Refuse: a frozen record is a value."""
        raise AttributeError(f"cannot assign to field {name!r} of {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        """Refuse: a frozen record is a value."""
        raise AttributeError(f"cannot delete field {name!r} of {type(self).__name__}")

    def __hash__(self) -> int:
        """The hash of its values (TypeError when one of them is unhashable, like a dict)."""
        return hash(self._values())
