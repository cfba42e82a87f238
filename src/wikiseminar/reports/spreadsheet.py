"""XLSX writer for exports: typed cells (numbers, percentages, dates) and no formula ever.

A text cell is neutralised like in CSV (a leading = + - @ gets an apostrophe) and is also
written as a string cell, so no spreadsheet program evaluates it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from .tabular import neutralise

__all__ = ["Column", "xlsx_bytes"]

NUMBER_FORMATS = {
    "int": "0",
    "float": "0.00",
    "grade": "0.0",
    "ratio": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


@dataclass(frozen=True, slots=True)
class Column:
    """One export column: its key in the rows, its header, and the type of its cells."""

    key: str
    header: str
    kind: str = "text"  # text | int | float | grade | ratio | bool | date | datetime


def _value(value: Any, kind: str, zone: ZoneInfo) -> Any:
    """The cell value of its column's type (Excel has no time zones: local wall-clock time)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
        return value.date() if kind == "date" else value
    if kind == "bool":
        return bool(value)
    if kind == "int" and isinstance(value, (int, float)):
        return int(value)
    if kind in ("float", "grade", "ratio") and isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        value = " | ".join(str(v) for v in value)
    return value


def xlsx_bytes(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, title: str = "Sheet",
               timezone: str = "UTC") -> bytes:
    """An XLSX workbook of one sheet: a bold, frozen header row, then one typed row per item."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    zone = ZoneInfo(timezone)
    book = Workbook()
    sheet = book.active
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=neutralise(column.header))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(len(column.header) + 2, 40))
    sheet.freeze_panes = "A2"
    for row_number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = _value(row.get(column.key), column.kind, zone)
            if isinstance(value, str):
                cell = sheet.cell(row=row_number, column=index)
                cell.value = neutralise(value)
                cell.data_type = "s"  # a string, even when openpyxl would guess a formula
                continue
            cell = sheet.cell(row=row_number, column=index, value=value)
            if column.kind in NUMBER_FORMATS and value is not None and not isinstance(value, bool):
                cell.number_format = NUMBER_FORMATS[column.kind]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
