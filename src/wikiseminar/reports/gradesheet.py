"""The grade export: one row per graded student, with identity, account, topic, every metric,
every criterion's score, and the suggested and final grades (CSV and XLSX share the rows)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ..models import Participant
from ..services.messages import N_
from .documents import report_language
from .figures import STUDENT_METRICS
from .grading import Gradebook
from .spreadsheet import Column, xlsx_bytes
from .tabular import csv_bytes

__all__ = ["grade_columns", "grade_rows", "grade_titles", "grades_csv", "grades_xlsx"]

# Column titles of the fixed columns, in the export's language (the keys stay English).
_TITLES = {
    "participant_id": N_("Participant id"),
    "name": N_("Name"),
    "email": N_("Email"),
    "role": N_("Role"),
    "wiki_username": N_("Wiki account"),
    "account_status": N_("Account status"),
    "account_verified": N_("Account verified"),
    "topic": N_("Topic"),
    "topic_status": N_("Topic status"),
    "first_edit": N_("First edit"),
    "last_edit": N_("Last edit"),
    "grade_complete": N_("All criteria scored"),
    "comment": N_("Comment"),
    "figures_until": N_("Figures up to"),
    "figures_complete": N_("Figures complete"),
}

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
        Column("figures_complete", "figures_complete", "bool"),
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
            "figures_complete": book.data_complete,
        })
        rows.append(row)
    return rows


def grade_titles(book: Gradebook, locale: str) -> dict[str, str]:
    """Column key -> title in `locale`; English keeps the historical headers of `grade_columns`."""
    columns = grade_columns(book)
    if locale == "en":
        return {c.key: c.header for c in columns}
    labels = {m.id: m.label for m in STUDENT_METRICS}
    with force_locale(locale):
        titles = {key: _(label) for key, label in _TITLES.items()}
        titles.update({key: _(label) for key, label in labels.items()})
        for c in book.criteria:
            titles[f"criterion_{c.id}"] = _("Score: %(label)s (/%(scale)s)", label=c.label,
                                            scale=book.scale)
        titles["suggested_grade"] = _("Suggested grade (/%(scale)s)", scale=book.scale)
        titles["grade_override"] = _("Grade set by the instructor (/%(scale)s)", scale=book.scale)
        titles["final_grade"] = _("Final grade (/%(scale)s)", scale=book.scale)
    seen: set[str] = set()
    for column in columns:  # two criteria with one label: tell them apart
        if titles[column.key] in seen:
            titles[column.key] += f" #{column.key.removeprefix('criterion_')}"
        seen.add(titles[column.key])
    return titles


def grades_csv(book: Gradebook, locale: str | None = None) -> bytes:
    """The grade export as CSV in `locale` (default: the seminar's language), UTF-8 with BOM."""
    lang = report_language(book.seminar, locale)
    columns = grade_columns(book)
    return csv_bytes([c.key for c in columns], grade_rows(book), locale=lang,
                     titles=grade_titles(book, lang))


def grades_xlsx(book: Gradebook, locale: str | None = None) -> bytes:
    """The grade export as XLSX in `locale` (default: the seminar's language): the CSV's
    column titles, with typed number, percentage and date cells."""
    titles = grade_titles(book, report_language(book.seminar, locale))
    columns = [replace(c, header=titles[c.key]) for c in grade_columns(book)]
    return xlsx_bytes(columns, grade_rows(book), title=book.seminar.slug,
                      timezone=book.seminar.timezone)
