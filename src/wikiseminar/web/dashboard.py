"""The instructor's dashboard: progress of every student, a student's page, an article, sync now.

Every figure comes from `reports/` (progress, alerts, figures); the views only pick the rows to
show (sort, filter, page) and translate labels.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..demo import is_demo
from ..extensions import db
from ..models import (
    AssignedArticle,
    Assignment,
    Page,
    PageAuthorship,
    Participant,
    Role,
    Seminar,
    SyncRun,
)
from ..reports.alerts import INSTRUCTOR_ONLY_RULES, RULES, Alert, AlertSettings, settings_for
from ..reports.attendance import AttendanceFigures, attendance_figures
from ..reports.completeness import data_status
from ..reports.figures import STUDENT_METRICS, article_figures, namespace_group
from ..reports.progress import (
    SORT_COLUMNS,
    ChartTexts,
    DataVersion,
    Memo,
    data_version,
    filter_rows,
    progress_charts,
    progress_document,
    seminar_progress,
    sort_rows,
    student_pages,
    student_revisions,
    sync_is_running,
)
from ..reports.quality import quality_by_page, quality_chart
from ..reports.sorting import name_key
from ..reports.tabular import json_bytes
from ..scope import SYNCED_ROLES, counted
from ..services.sync_now import DEFERRED, QUEUED, RUNNING, start_sync
from .inputs import bounded_int_arg
from .messages import translate
from .permissions import current_participant, is_admin_view, login_required, seminar_role
from .templating import fmt_number, fmt_percent

__all__ = ["bp"]

bp = Blueprint("dashboard", __name__, url_prefix="/seminars")

ROWS_PER_PAGE = 100
MAX_PAGE = 1_000_000  # past it, page 1: an offset the database can hold
REVISIONS_PER_PAGE = 200
WHO = ("all", "students", "auditors")

STATUS_LABELS = {
    None: _l("no topic"),
    "proposed": _l("awaiting approval"),
    "approved": _l("approved"),
    "changes_requested": _l("changes requested"),
    "rejected": _l("rejected"),
}
KIND_LABELS = {"create": _l("to create"), "improve": _l("to improve"), "created": _l("created")}
GROUP_LABELS = {"article": _l("article"), "sandbox": _l("sandbox"), "talk": _l("talk")}
SEVERITY_LABELS = {"high": _l("urgent"), "medium": _l("to watch"), "low": _l("to do")}
PHASE_LABELS = {
    None: _l("starting"),
    "contributions": _l("fetching contributions"),
    "histories": _l("fetching article histories"),
    "texts": _l("fetching texts"),
    "analysis": _l("measuring revisions"),
    "authorship": _l("computing authorship"),
    "integrity": _l("checking sources and citations"),
}
# Revision flags (reports.revisions.revision_flags) and measurement flags (docs/metrics.md).
FLAG_LABELS = {
    "minor": _l("minor"), "new": _l("page creation"), "text-hidden": _l("text hidden"),
    "user-hidden": _l("author hidden"), "comment-hidden": _l("summary hidden"),
    "suppressed": _l("suppressed"), "page-deleted": _l("page deleted"),
    "text_missing": _l("text missing"), "parent_missing": _l("previous text missing"),
    "parent_mismatch": _l("unexpected previous revision"),
    "too_large": _l("text too long (approximated)"),
    "unbalanced_markup": _l("unbalanced markup (approximated)"),
    "parse_error": _l("parse error (approximated)"),
    "parent_too_large": _l("previous text too long (approximated)"),
    "parent_unbalanced_markup": _l("unbalanced markup in the previous text (approximated)"),
    "parent_parse_error": _l("parse error in the previous text (approximated)"),
}
RUN_LABELS = {"running": _l("running"), "success": _l("succeeded"), "failed": _l("failed"),
              "skipped": _l("skipped")}
COLUMNS: tuple[tuple[str, Any, bool], ...] = (  # (sort key, header, numeric)
    ("name", _l("Participant"), False),
    ("account", _l("Account"), False),
    ("topic", _l("Topic"), False),
    ("articles", _l("Articles"), False),
    ("edits", _l("Edits"), True),
    ("words", _l("Words added"), True),
    ("references", _l("References added"), True),
    ("created", _l("Articles created"), True),
    ("share", _l("Authorship share"), True),
    ("reverted", _l("Reverted"), True),
    ("last_edit", _l("Last edit"), False),
    ("alerts", _l("Alerts"), True),
)


def today_for(seminar: Seminar) -> dt.date:
    """Today in the seminar's time zone (tests pin it with the ALERTS_TODAY setting)."""
    pinned = current_app.config.get("ALERTS_TODAY")
    if pinned:
        return pinned if isinstance(pinned, dt.date) else dt.date.fromisoformat(str(pinned))
    return dt.datetime.now(ZoneInfo(seminar.timezone)).date()


def alert_settings(seminar: Seminar) -> AlertSettings:
    """The alert thresholds of this seminar, as of today."""
    return settings_for(seminar, current_app.config, today_for(seminar))


def chart_texts() -> ChartTexts:
    """Chart titles and axis labels in the reader's language."""
    return ChartTexts(
        words_title=_("Words added over time, per student (cumulative)"),
        words_label=_("words"),
        total_title=_("Words added over time, whole seminar (cumulative)"),
        total_series=_("All participants"),
        edits_title=_("Edits per week"),
        edits_label=_("edits"),
        date_format="%m/%d" if str(get_locale() or "fr").startswith("en") else "%d/%m",
    )


def _data_status_of(seminar: Seminar) -> Any:
    """The seminar's data status, for the incomplete-data banner of the dashboard pages."""
    return data_status(db.session, seminar)


@bp.context_processor
def _labels() -> dict[str, Any]:
    """Label tables the dashboard templates share."""
    return {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS,
            "group_labels": GROUP_LABELS, "severity_labels": SEVERITY_LABELS,
            "flag_labels": FLAG_LABELS, "data_status_of": _data_status_of, "rule_labels": {rule.id: rule.label for rule in RULES}, "translate": translate}


@bp.app_template_filter("ns_group")
def ns_group(namespace: int) -> str:
    """'article', 'sandbox' or 'talk' for a namespace id (labels in GROUP_LABELS)."""
    return namespace_group(namespace)


@bp.get("/<slug>/dashboard")
@seminar_role(Role.INSTRUCTOR)
def dashboard(seminar: Seminar) -> ResponseReturnValue:
    """Every student's progress: figures, topic, alerts; sortable, filterable, with charts."""
    sort = request.args.get("sort", "name")
    if sort not in SORT_COLUMNS:
        sort = "name"
    descending = request.args.get("dir", "asc") == "desc"
    who = request.args.get("who", "all")
    if who not in WHO:
        who = "all"
    attention = request.args.get("attention") == "1"
    requested_page = bounded_int_arg("page", 1, limit=MAX_PAGE) or 1
    settings = alert_settings(seminar)
    version = data_version(db.session, seminar)
    progress = seminar_progress(db.session, seminar, settings, version=version)
    key = (version, settings, sort, descending, who, attention, requested_page, str(get_locale()))
    body = _BODIES.get(key)
    if body is None:
        body = _render_body(seminar, progress, settings, version, sort, descending, who,
                            attention, requested_page)
        _BODIES.put(key, body)
    status = data_status(db.session, seminar, unmeasured=progress.unmeasured)
    return render_template("dashboard/dashboard.html", seminar=seminar, progress=progress,
                           body=body, demo=is_demo(seminar), run_labels=RUN_LABELS,
                           data_status=status,
                           attendance=_attendance_rows(seminar))


def _attendance_rows(seminar: Seminar) -> list[tuple[str, str, AttendanceFigures]]:
    """(name, role, figures) of each current student and auditor, once attendance was taken.

    Outside the cached body: marking attendance does not change the data version.
    """
    figures = attendance_figures(db.session, seminar)
    if not any(f.taken for f in figures.values()):
        return []
    people = db.session.scalars(sa.select(Participant).where(
        Participant.id.in_(list(figures)), Participant.removed_at.is_(None))).all()
    return sorted(((p.name, p.role.value, figures[p.id]) for p in people),
                  key=lambda row: (row[1] != "student", name_key(row[0])))


# Rendered dashboard bodies by (data version, alert settings, sort, filter, page, language):
# the table, alerts and charts change only with the data, so most views reuse a rendering.
_BODIES = Memo(64)


def _render_body(seminar: Seminar, progress: Any, settings: AlertSettings, version: DataVersion,
                 sort: str, descending: bool, who: str, attention: bool, requested_page: int) -> Markup:
    """The totals, the participants' table, the alerts and the charts, as HTML."""
    shown = filter_rows(progress.rows, who)
    rows = sort_rows(filter_rows(shown, who, attention), sort, descending)
    pages = max(1, math.ceil(len(rows) / ROWS_PER_PAGE))
    page = min(requested_page, pages)
    texts = chart_texts()
    charts = progress_charts(db.session, seminar, shown, texts, today=settings.today,
                             version=version)
    state = {"sort": sort, "dir": "desc" if descending else "asc", "who": who,
             "attention": "1" if attention else None}
    return Markup(render_template(
        "dashboard/_body.html", seminar=seminar, progress=progress,
        rows=rows[(page - 1) * ROWS_PER_PAGE: page * ROWS_PER_PAGE], total_rows=len(rows),
        page=page, pages=pages, state=state, columns=COLUMNS, charts=charts, chart_texts=texts,
        rules=RULES, quality=quality_by_page(db.session, seminar, with_students=False)))


@bp.get("/<slug>/progress.json")
@seminar_role(Role.INSTRUCTOR)
def progress_json(seminar: Seminar) -> ResponseReturnValue:
    """The dashboard's figures as JSON for other tools (documented in docs/api.md)."""
    progress = seminar_progress(db.session, seminar, alert_settings(seminar))
    document = progress_document(seminar, progress, translate)
    document["demo"] = is_demo(seminar)
    document["data_status"] = data_status(db.session, seminar,
                                          unmeasured=progress.unmeasured).to_dict()
    return Response(json_bytes(document), mimetype="application/json")


def _viewer_may_see(seminar: Seminar, participant: Participant) -> bool:
    """Instructors see every participant; a student or auditor sees only their own page."""
    me = g.get("participant")
    if me is None:
        return is_admin_view()
    return me.role == Role.INSTRUCTOR or me.id == participant.id


@bp.get("/<slug>/students/<int:participant_id>")
@login_required
def student(slug: str, participant_id: int) -> ResponseReturnValue:
    """One participant's metrics, articles and revisions (the participant may see their own)."""
    seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
    if seminar is None:
        abort(404)
    g.seminar, g.participant = seminar, current_participant(seminar)
    participant = db.session.scalar(sa.select(Participant).where(
        Participant.id == participant_id, Participant.seminar_id == seminar.id, counted()))
    if participant is None:
        if not is_admin_view() and (g.participant is None or g.participant.role != Role.INSTRUCTOR):
            abort(403)  # do not tell outsiders which ids exist
        abort(404)
    if not _viewer_may_see(seminar, participant):
        abort(403)
    instructor = g.participant is None or g.participant.role == Role.INSTRUCTOR
    progress = seminar_progress(db.session, seminar, alert_settings(seminar), include_removed=True)
    row = next((r for r in progress.rows if r.participant_id == participant.id), None)
    if row is None:
        abort(404)
    figures, alerts = row.figures, row.alerts
    if not instructor:
        alerts = [a for a in alerts if a.rule not in INSTRUCTOR_ONLY_RULES]
    page_pks = student_pages(db.session, seminar, participant)
    articles = [a for a in article_figures(db.session, seminar, page_pks=page_pks)
                if participant.id in a.by_student] if page_pks else []
    offset_page = bounded_int_arg("page", 1, limit=MAX_PAGE) or 1
    revisions, total = student_revisions(db.session, seminar, participant, limit=REVISIONS_PER_PAGE,
                                         offset=(offset_page - 1) * REVISIONS_PER_PAGE)
    assignment = participant.assignment
    return render_template(
        "dashboard/student.html", seminar=seminar, participant=participant, figures=figures,
        alerts=alerts, articles=articles, revisions=revisions, total_revisions=total,
        page=offset_page, pages=max(1, math.ceil(total / REVISIONS_PER_PAGE)),
        assignment=assignment, metrics=STUDENT_METRICS, siteinfo=seminar.wiki.siteinfo,
        instructor=instructor, demo=is_demo(seminar),
        assigned_pages=_assigned_page_pks(seminar, assignment),
        attendance=attendance_figures(db.session, seminar).get(participant.id))


def _assigned_page_pks(seminar: Seminar, assignment: Assignment | None) -> dict[int, int | None]:
    """AssignedArticle.id -> stored Page.id of the article, when the page is known."""
    if assignment is None:
        return {}
    result: dict[int, int | None] = {}
    for art in assignment.articles:
        page = None
        if art.wiki_page_id:
            page = db.session.scalar(sa.select(Page.id).where(
                Page.wiki_id == seminar.wiki_id, Page.page_id == art.wiki_page_id))
        result[art.id] = page
    return result


@bp.get("/<slug>/articles/<int:page_pk>")
@seminar_role(Role.INSTRUCTOR)
def article(seminar: Seminar, page_pk: int) -> ResponseReturnValue:
    """An article's figures across students and its authorship highlighting where computed."""
    page = db.session.scalar(sa.select(Page).where(Page.id == page_pk,
                                                   Page.wiki_id == seminar.wiki_id))
    if page is None:
        abort(404)
    figures = article_figures(db.session, seminar, page_pks=[page.id])
    assigned = list(db.session.execute(
        sa.select(AssignedArticle, Participant)
        .join(Assignment, Assignment.id == AssignedArticle.assignment_id)
        .join(Participant, Participant.id == Assignment.participant_id)
        .where(Participant.seminar_id == seminar.id,
               sa.or_(AssignedArticle.wiki_page_id == page.page_id,
                      AssignedArticle.sandbox_page_id == page.page_id,
                      AssignedArticle.title == page.title))).all())
    if not figures and not assigned:
        abort(404)  # a page of the wiki that this seminar never touched
    row = db.session.get(PageAuthorship, page.id)
    shares = figures[0].by_student if figures else {}
    highlight = _highlight(seminar, row, shares) if row is not None else None
    quality = quality_by_page(db.session, seminar, [page.id]).get(page.id)
    chart = quality_chart(quality, seminar, _("Estimated quality during the seminar")) \
        if quality else None
    return render_template(
        "dashboard/article.html", seminar=seminar, page=page, quality=quality,
        quality_chart=chart,
        figures=figures[0] if figures else None, assigned=assigned, authorship=row,
        highlight=highlight, siteinfo=seminar.wiki.siteinfo, demo=is_demo(seminar))


def _highlight(seminar: Seminar, row: PageAuthorship, shares: dict[int, dict[str, Any]]) -> Any:
    """The page's current text with the seminar's participants' tokens marked.

    The legend gives each participant's words and share from `shares` (the reports' article
    figures), the very figures of the table above it.
    """
    from ..analysis.authorship import PageAuthorship as State
    from ..reports.highlight import render_highlight
    from ..sync.authorship import editor_key

    state = State.from_bytes(row.state)
    present = {state.editor_of(revid) for revid in state.revision_ids()}
    editors: dict[str, str] = {}
    legend: dict[str, str] = {}
    for p in db.session.scalars(sa.select(Participant).where(
            Participant.seminar_id == seminar.id, Participant.role.in_(SYNCED_ROLES),
            Participant.wiki_user_id.is_not(None)).order_by(Participant.name)):
        key = editor_key(p.wiki_user_id, p.wiki_username)
        if key in present:
            editors[key] = p.name
            mine = shares.get(p.id) or {}
            if mine.get("authorship_share") is not None:
                legend[key] = ngettext(
                    "%(words)s word (%(share)s)", "%(words)s words (%(share)s)",
                    mine["authorship_words"] or 0, words=fmt_number(mine["authorship_words"] or 0),
                    share=fmt_percent(mine["authorship_share"]))
    labels = {revid: format_date(state.timestamp_of(revid), "medium")
              for revid in state.revision_ids() if state.timestamp_of(revid)}
    return render_highlight(state, editors, revision_labels=labels,
                            legend_format=_("{count} tokens ({share} %)"), legend_texts=legend)


# -- sync now -------------------------------------------------------------------------------


@bp.post("/<slug>/sync")
@seminar_role(Role.INSTRUCTOR)
def sync_now(seminar: Seminar) -> ResponseReturnValue:
    """Start the seminar's sync (queue or background thread); refuse if one is running."""
    if is_demo(seminar):
        flash(_("This is a demonstration seminar: its data are bundled with wikiseminar and "
                "there is no wiki to sync with."), "info")
        return redirect(url_for("dashboard.dashboard", slug=seminar.slug))
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    started = start_sync(app, db.session, seminar)
    if started.outcome == RUNNING:
        flash(_("A sync of this seminar is already queued or running; its progress is below."), "info")
    elif started.outcome == DEFERRED:
        flash(_("The wiki's request budget for this hour is spent: the sync will run in the "
                "next window."), "warning")
        return redirect(url_for("dashboard.dashboard", slug=seminar.slug))
    elif started.outcome == QUEUED:
        flash(_("The sync is queued; a worker will start it shortly."), "success")
    else:
        flash(_("The sync has started."), "success")
    return redirect(url_for("dashboard.sync_status", slug=seminar.slug,
                            since=started.at.strftime("%Y-%m-%dT%H:%M:%SZ")))


@bp.get("/<slug>/sync")
@seminar_role(Role.INSTRUCTOR)
def sync_status(seminar: Seminar) -> ResponseReturnValue:
    """Where the sync stands; the page reloads itself while it runs (no JavaScript)."""
    since = _parse_since(request.args.get("since"))
    run = db.session.scalar(sa.select(SyncRun).where(SyncRun.seminar_id == seminar.id)
                            .order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(1))
    running = sync_is_running(seminar)
    now = dt.datetime.now(dt.UTC)
    waiting = (not running and since is not None and now - since < dt.timedelta(minutes=10)
               and (run is None or run.started_at < since - dt.timedelta(seconds=5)))
    refresh = running or waiting
    return render_template(
        "dashboard/sync.html", seminar=seminar, run=run, running=running, waiting=waiting,
        refresh=refresh, phase_labels=PHASE_LABELS, run_labels=RUN_LABELS), 200


def _parse_since(value: str | None) -> dt.datetime | None:
    """The ?since= instant of a sync request (ISO 8601, UTC)."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def alerts_for(seminar: Seminar, participant: Participant) -> list[Alert]:
    """A participant's alerts, for other pages (e.g. the student's own space)."""
    progress = seminar_progress(db.session, seminar, alert_settings(seminar), include_removed=True)
    return next((r.alerts for r in progress.rows if r.participant_id == participant.id), [])
