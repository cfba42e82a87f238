"""Bounds on values that enter from outside (CLI options, web forms, rosters), shared by all.

A date outside `DATE_MIN`..`DATE_MAX` is refused where it enters, so that a seminar ending in
year 9999 or a restitution in year 1 never reaches date arithmetic (overflow) or a page.
Pure: no Flask, no database. Callers turn `DateOutOfRange` into their own one-line message
(the CLI prints `str(exc)`; web forms translate with `exc.low` and `exc.high`).
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

__all__ = ["DATE_MAX", "DATE_MIN", "DateOutOfRange", "check_date_bounds"]

# No wiki edit predates 2001; a seminar planned beyond 2100 is a typing error.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


D = TypeVar("D", dt.date, dt.datetime)


class DateOutOfRange(ValueError):
    """A date outside the accepted range; the message is one line naming the field."""

    def __init__(self, what: str, value: dt.date, low: dt.date = DATE_MIN,
                 high: dt.date = DATE_MAX) -> None:
        self.what, self.value, self.low, self.high = what, value, low, high
        super().__init__(f"{what} {value.isoformat()} is out of range "
                         f"(between {low.isoformat()} and {high.isoformat()})")


def check_date_bounds(value: D, what: str = "date") -> D:
    """Return the date (or date-time) unchanged if it lies in the accepted range, else raise."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise DateOutOfRange(what, day)
    return value
