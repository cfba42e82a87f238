"""Sessions from the command line: one typed in, or a whole term from a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping

from ..dbsession import DbSession
from ..models import Seminar, SeminarSession, SessionKind

__all__ = ["IMPORT_COLUMNS", "SessionInputError", "parse_session", "read_sessions_csv"]

IMPORT_COLUMNS = ("date", "start", "end", "kind", "title", "place", "address", "speakers",
                  "places", "description")
REQUIRED = ("date", "kind", "title")
MAX_BYTES = 2_000_000


class SessionInputError(ValueError):
    """A session's fields that do not make a session; the message says which and why."""


def _time(value: str, name: str) -> dt.time | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise SessionInputError(f"{name} {value!r} is not of the form HH:MM") from None


def parse_session(fields: Mapping[str, str | None]) -> SeminarSession:
    """A session (in no seminar yet) from text fields; SessionInputError on the first bad one."""
    def get(name: str) -> str:
        return (fields.get(name) or "").strip()

    try:
        day = dt.date.fromisoformat(get("date"))
    except ValueError:
        raise SessionInputError(f"date {get('date')!r} is not of the form YYYY-MM-DD") from None
    start, end = _time(get("start"), "start"), _time(get("end"), "end")
    if end and not start:
        raise SessionInputError("an end time needs a start time")
    if start and end and end <= start:
        raise SessionInputError(f"end {end:%H:%M} is not after start {start:%H:%M}")
    try:
        kind = SessionKind(get("kind").lower())
    except ValueError:
        choices = "|".join(k.value for k in SessionKind)
        raise SessionInputError(f"kind {get('kind')!r} is not one of {choices}") from None
    title = get("title")
    if not title:
        raise SessionInputError("the title is empty")
    places: int | None = None
    if get("places"):
        try:
            places = int(get("places"))
        except ValueError:
            raise SessionInputError(f"places {get('places')!r} is not a whole number") from None
        if places < 0:
            raise SessionInputError("places cannot be negative")
    for name, limit in (("title", 300), ("place", 300), ("address", 300), ("speakers", 500),
                        ("description", 5000)):
        if len(get(name)) > limit:
            raise SessionInputError(f"{name} is longer than {limit} characters")
    return SeminarSession(date=day, start_time=start, end_time=end, kind=kind,
                          title=title, place=get("place"), address=get("address"),
                          speakers=get("speakers"), description=get("description"),
                          places=places)


def read_sessions_csv(db: DbSession, seminar: Seminar, data: bytes) -> list[SeminarSession]:
    """Add every session of a CSV file to the seminar, or none: SessionInputError lists each bad line."""
    if len(data) > MAX_BYTES:
        raise SessionInputError(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise SessionInputError("the file is neither UTF-8 nor Windows-1252 text") from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SessionInputError(
            f"line 1: missing column(s) {', '.join(missing)} (columns: {', '.join(IMPORT_COLUMNS)})")
    unknown = [h for h in header if h and h not in IMPORT_COLUMNS]
    if unknown:
        raise SessionInputError(f"line 1: unknown column(s) {', '.join(unknown)}")
    reader.fieldnames = header
    sessions, errors = [], []
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        if None in row:
            errors.append(f"line {line}: more values than columns")
            continue
        try:
            sessions.append(parse_session(row))
        except SessionInputError as exc:
            errors.append(f"line {line}: {exc}")
    if errors:
        raise SessionInputError("; ".join(errors))
    if not sessions:
        raise SessionInputError("the file has no session")
    seminar.sessions.extend(sessions)
    return sessions
