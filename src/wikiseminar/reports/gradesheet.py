"""The grade export: one row per graded student, with identity, account, topic, every metric,
every criterion's score, and the suggested and final grades (CSV and XLSX share the rows)."""

from __future__ import annotations

from typing import Any

from ..models import Participant
from .figures import STUDENT_METRICS
from .grading import Gradebook
from .spreadsheet import Column, xlsx_bytes
from .tabular import csv_bytes

__all__ = ["grade_columns", "grade_rows", "grades_csv", "grades_xlsx"]

_KIND = {"count": "int", "ratio": "ratio", "date": "datetime"}


def grade_columns(book: Gradebook) -> list[Column]:
    """Columns of the grade export, in order; criterion headers carry the scale (/20)."""
    columns = [
        Column("participant_id", "participant_id", "int"),
        Column("name", "name"),
        Column("email", "email"),
        Column("role", "role"),
        Column("wiki_username", "wiki_username"),
        Column("account_status", "account_status"),
        Column("account_verified", "account_verified", "bool"),
        Column("topic", "topic"),
        Column("topic_status", "topic_status"),
        Column("first_edit", "first_edit", "datetime"),
        Column("last_edit", "last_edit", "datetime"),
    ]
    columns += [Column(m.id, m.id, _KIND.get(m.kind, "float")) for m in STUDENT_METRICS]
    seen: set[str] = set()
    for c in book.criteria:
        header = f"score: {c.label} (/{book.scale})"
        if header in seen:
            header = f"score: {c.label} #{c.id} (/{book.scale})"
        seen.add(header)
        columns.append(Column(f"criterion_{c.id}", header, "float"))
    columns += [
        Column("suggested_grade", f"suggested_grade (/{book.scale})", "grade"),
        Column("grade_override", f"grade_override (/{book.scale})", "grade"),
        Column("final_grade", f"final_grade (/{book.scale})", "grade"),
        Column("grade_complete", "grade_complete", "bool"),
        Column("comment", "comment"),
        Column("figures_until", "figures_until", "datetime"),
    ]
    return columns


def grade_rows(book: Gradebook) -> list[dict[str, Any]]:
    """One dict per graded student, keyed like `grade_columns` (values in their own type)."""
    rows = []
    figures = {f.participant_id: f for f in book.figures}
    for grade in book.grades:
        f = figures[grade.participant_id]
        p: Participant = book.participants[grade.participant_id]
        assignment = p.assignment
        topic = assignment.topic.title if assignment and assignment.topic else None
        row: dict[str, Any] = {
            "participant_id": p.id, "name": p.name, "email": p.email, "role": str(p.role),
            "wiki_username": p.wiki_username, "account_status": p.account_status,
            "account_verified": p.wiki_verified, "topic": topic,
            "topic_status": str(assignment.status) if assignment and topic else None,
            "first_edit": f.first_edit, "last_edit": f.last_edit,
        }
        for m in STUDENT_METRICS:
            row[m.id] = f.value(m.id)
        for c in book.criteria:
            score = grade.scores.get(c.id)
            row[f"criterion_{c.id}"] = None if score is None else round(score * book.scale, 2)
        row.update({
            "suggested_grade": grade.suggested, "grade_override": grade.override,
            "final_grade": grade.final, "grade_complete": grade.complete,
            "comment": grade.comment, "figures_until": book.freeze_at,
        })
        rows.append(row)
    return rows


def grades_csv(book: Gradebook) -> bytes:
    """The grade export as CSV (UTF-8 with BOM, formulas neutralised)."""
    columns = grade_columns(book)
    rows = [{c.header: row.get(c.key) for c in columns} for row in grade_rows(book)]
    return csv_bytes([c.header for c in columns], rows)


def grades_xlsx(book: Gradebook) -> bytes:
    """The grade export as XLSX with typed number, percentage and date cells."""
    return xlsx_bytes(grade_columns(book), grade_rows(book), title=book.seminar.slug,
                      timezone=book.seminar.timezone)
