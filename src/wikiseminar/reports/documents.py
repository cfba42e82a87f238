"""Render reports and the programme as HTML documents, in the seminar's language.

The web views and the CLI both call these, inside a Flask app context; the language is
forced (a French seminar's reports are in French even from a cron job) with
`flask_babel.force_locale`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from ..models import Seminar
from .charts import Series, bar_chart, class_chart, cumulative, line_chart, weekly
from .programme import Programme
from .student import StudentReport

__all__ = [
    "LANGUAGES",
    "render_class_cover",
    "render_programme",
    "render_reports",
    "report_language",
    "student_charts",
    "template_helpers",
]

LANGUAGES = ("fr", "en")


def report_language(seminar: Seminar, lang: str | None = None) -> str:
    """The asked language, else the seminar's, else the install's default."""
    for candidate in (lang, seminar.language, current_app.config.get("DEFAULT_LOCALE")):
        if candidate and candidate.split("-")[0] in LANGUAGES:
            return candidate.split("-")[0]
    return "fr"


def template_helpers(timezone: str) -> dict[str, Any]:
    """Template helpers that show instants on the seminar's clock."""
    zone = ZoneInfo(timezone)

    def local(value: dt.datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return "—"
        return format_datetime(value.astimezone(zone), fmt, rebase=False)

    def local_date(value: dt.datetime | None, fmt: str = "full") -> str:
        return "—" if value is None else format_date(value.astimezone(zone).date(), fmt)

    return {"local": local, "local_date": local_date, "css_string": css_string}


def css_string(text: str) -> Markup:
    """A CSS string literal for generated content (page footers), safe inside <style>."""
    escaped = "".join(f"\\{ord(c):x} " if c in '\\"<>&\'' or ord(c) < 32 else c for c in text)
    return Markup(f'"{escaped}"')


def student_charts(report: StudentReport) -> dict[str, Markup]:
    """The activity charts of a report: cumulative words added, edits per week.

    Their ids name the student, not chance, so the same data always gives the same HTML (the
    class PDF keeps each student's part by the hash of its HTML).
    """
    charts = _quality_charts(report)
    if not report.days:
        return charts
    start, end = report.period
    words = [(day, float(w)) for day, _e, w in report.days]
    edits = [(day, float(e)) for day, e, _w in report.days]
    # The line starts at 0 on the first day and holds its total until the data's date, so a
    # single day of work still draws a step; every week of the seminar gets its bar (0 too).
    last = min(end, report.as_of.date()) if report.as_of else words[-1][0]
    line = [(start, 0.0), *cumulative(words)]
    if last > line[-1][0]:
        line.append((last, line[-1][1]))
    monday = start - dt.timedelta(days=start.weekday())
    weeks = dict.fromkeys((monday + dt.timedelta(weeks=n) for n in range((end - monday).days // 7 + 1)), 0.0)
    weeks.update(weekly(edits))
    return {
        **charts,
        "words": line_chart(
            [Series(_("Words added (cumulative)"), line)],
            title=_("Words added over time"), y_label=_("words"), start=start,
            end=max(end, words[-1][0]), width=640, height=220,
            chart_id=f"student-{report.participant_id}-words"),
        "edits": bar_chart(sorted(weeks.items()), title=_("Edits per week"), y_label=_("edits"),
                           width=640, height=180, chart_id=f"student-{report.participant_id}-edits"),
    }


def _quality_charts(report: StudentReport) -> dict[str, Markup]:
    """'quality-<page pk>' -> the estimate of each of the student's articles over the seminar."""
    start, end = report.period
    charts: dict[str, Markup] = {}
    for line in report.articles:
        view = line.quality
        points = view.series_levels() if view else []
        if view is None or not points:
            continue
        charts[f"quality-{view.page_pk}"] = class_chart(
            points, view.scale, title=_("Estimated quality of %(title)s", title=view.title),
            start=start, end=end, chart_id=f"quality-{report.participant_id}-{view.page_pk}")
    return charts


def render_reports(seminar: Seminar, reports: Sequence[StudentReport], *, lang: str,
                   standalone: bool = True, title: str | None = None,
                   class_part: bool = False) -> str:
    """One or several contribution reports: a standalone printable document, or the page body.

    `class_part`: one report as a part of the class PDF, without the seminar-wide facts (data
    as of, printed on) that its cover gives once, so the part changes only with its student.
    """
    with force_locale(lang):
        charts = {r.participant_id: student_charts(r) for r in reports}
        template = "reports/document.html" if standalone else "reports/student.html"
        return render_template(
            template, seminar=seminar, reports=reports, charts=charts, lang=lang,
            title=title or (reports[0].name if len(reports) == 1 else seminar.title),
            class_part=class_part, **template_helpers(seminar.timezone))


def render_class_cover(seminar: Seminar, entries: Sequence[tuple[str, int]], *, lang: str,
                       printed_at: dt.datetime) -> str:
    """The class PDF's cover: the contents (name, first page) and the seminar-wide facts."""
    with force_locale(lang):
        return render_template("reports/class_cover.html", seminar=seminar, entries=entries,
                               lang=lang, as_of=seminar.last_sync_at, printed_at=printed_at,
                               **template_helpers(seminar.timezone))


def render_programme(seminar: Seminar, programme: Programme, *, lang: str) -> str:
    """The restitution programme as a standalone printable document."""
    with force_locale(lang):
        return render_template("reports/programme_document.html", seminar=seminar,
                               programme=programme, lang=lang, **template_helpers(seminar.timezone))
