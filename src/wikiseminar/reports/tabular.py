"""CSV and JSON writers shared by every export: UTF-8 with BOM, formula injection neutralised.

A CSV follows its reader's locale, as a spreadsheet expects it: French gets `;` between
cells and a decimal comma (French Excel splits on `;` and reads "12,5" as a number), English
gets `,` and a decimal point. Column titles are given by the caller; JSON keeps its keys.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

__all__ = ["CSV_STYLES", "csv_bytes", "json_default", "neutralise", "write_csv"]

# locale -> (cell separator, decimal mark)
CSV_STYLES: dict[str, tuple[str, str]] = {"fr": (";", ","), "en": (",", ".")}

# A spreadsheet evaluates a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value: Any, decimal: str = ".") -> Any:
    """One CSV cell: dates in ISO 8601, lists joined with '|', decimals with `decimal`, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value).replace(".", decimal) if decimal != "." else repr(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return neutralise("|".join(str(v) for v in value))
    return neutralise(value)


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Mapping[str, Any]], *,
              locale: str = "en", titles: Mapping[str, str] | None = None) -> None:
    """Write rows as CSV in `locale`'s style, `titles` naming the keys of `header` (default: the keys)."""
    delimiter, decimal = CSV_STYLES.get(locale.split("-")[0].split("_")[0], CSV_STYLES["en"])
    writer = csv.writer(out, lineterminator="\r\n", delimiter=delimiter)
    writer.writerow([neutralise((titles or {}).get(key, key)) for key in header])
    for row in rows:
        writer.writerow([_cell(row.get(key), decimal) for key in header])


def csv_bytes(header: Sequence[str], rows: Iterable[Mapping[str, Any]], *, locale: str = "en",
              titles: Mapping[str, str] | None = None) -> bytes:
    """The CSV document as UTF-8 bytes with a BOM (spreadsheets then read accents right)."""
    buffer = io.StringIO()
    write_csv(buffer, header, rows, locale=locale, titles=titles)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def json_default(value: Any) -> Any:
    """json.dumps hook: ISO dates, lists for tuples and sets."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_bytes(data: Any) -> bytes:
    """Pretty, UTF-8 JSON for exports."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=json_default).encode("utf-8")
