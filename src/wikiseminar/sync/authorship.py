"""Fold new revisions of tracked pages into their stored authorship state; store per-student figures.

A tracked page's state (`PageAuthorship`) is stored after each sync, so the next sync adds only
the revisions that appeared since: one new revision costs one revision's work, not the whole
history again. Figures are recomputed per seminar (its own date window) for every tracked page
that changed, and for pages whose figures were never computed for that seminar.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from ..analysis.authorship import PageAuthorship, editor_figures
from ..dbsession import DbSession
from ..models import (
    AssignedArticle,
    Assignment,
    AuthorshipFigure,
    Page,
    Participant,
    Revision,
    RevisionText,
    Seminar,
)
from ..models import PageAuthorship as StateRow
from ..models._types import utcnow
from . import store

__all__ = ["editor_key", "load_state", "update_authorship"]


def editor_key(user_id: int | None, user_name: str | None) -> str:
    """The stable key of an editor in a page's state: the user id (renames keep it), else the name."""
    return f"u{user_id}" if user_id else f"anon:{user_name or '?'}"


def load_state(session: DbSession, page_pk: int) -> PageAuthorship | None:
    """The stored authorship state of a page, None when never computed."""
    row = session.get(StateRow, page_pk)
    return PageAuthorship.from_bytes(row.state) if row is not None else None


def _advance(session: DbSession, page: Page, row: StateRow | None) -> tuple[PageAuthorship | None, bool]:
    """Add the page's stored revisions newer than its state (stored in `row`); return (state, changed)."""
    state = PageAuthorship.from_bytes(row.state) if row is not None else PageAuthorship()
    query = (sa.select(Revision.rev_id, Revision.user_id, Revision.user_name, Revision.timestamp,
                       Revision.comment, Revision.minor, RevisionText.content, RevisionText.hidden)
             .outerjoin(RevisionText, sa.and_(RevisionText.wiki_id == Revision.wiki_id,
                                              RevisionText.rev_id == Revision.rev_id))
             .where(Revision.page_pk == page.id)
             .order_by(Revision.timestamp, Revision.rev_id))
    if state.last_revid is not None:
        query = query.where(Revision.rev_id > state.last_revid)
    added = 0
    for rev_id, user_id, user_name, timestamp, comment, minor, content, hidden in session.execute(query):
        if content is None:
            if hidden:
                continue  # revision-deleted text: nothing to attribute, as WikiWho skips it
            break  # text not fetched yet: stop here and continue at the next sync
        text = zlib.decompress(content).decode("utf-8")
        # Comment and minor flag matter: WikiWho spares minor commented edits its blank-out rule.
        state.add_revision(rev_id, text, editor_key(user_id, user_name), timestamp,
                           comment=comment, minor=minor)
        added += 1
    if added:
        if row is None:
            row = StateRow(page_pk=page.id, state=b"", last_rev_id=0)
            session.add(row)
        row.state = state.to_bytes()
        row.last_rev_id = state.last_revid or 0
        row.revisions = len(state)
        row.updated_at = utcnow()
    return (state if len(state) else None), bool(added)


def update_authorship(session: DbSession, seminar: Seminar, participants: Sequence[Participant],
                      tracked: Sequence[Page], *, as_of: dt.datetime | None = None,
                      progress: Callable[[str, int, int | None], None] | None = None) -> int:
    """Advance every tracked page's state and store the seminar's per-student figures; return pages done."""
    store.refresh(session, list(participants))
    keys = {editor_key(p.wiki_user_id, None): p for p in participants if p.wiki_user_id}
    assigned = _assigned_pages(session, seminar)
    known = set(session.scalars(sa.select(AuthorshipFigure.page_pk).where(
        AuthorshipFigure.seminar_id == seminar.id)))
    store.refresh(session, list(tracked))
    done = 0
    states: dict[int, StateRow] = {}
    figure_rows: dict[int, dict[int, AuthorshipFigure]] = {}
    group = 50  # states are large: read a few pages' at a time, one query each
    # The rows written below are flushed together at the commit, not page by page.
    with session.no_autoflush:
        for index, page in enumerate(tracked, 1):
            if (index - 1) % group == 0:
                pks = [p.id for p in tracked[index - 1 : index - 1 + group]]
                states = {row.page_pk: row for row in session.scalars(
                    sa.select(StateRow).where(StateRow.page_pk.in_(pks)))}
                figure_rows = {pk: {} for pk in pks}
                for fig_row in session.scalars(sa.select(AuthorshipFigure).where(
                        AuthorshipFigure.seminar_id == seminar.id, AuthorshipFigure.page_pk.in_(pks))):
                    figure_rows[fig_row.page_pk][fig_row.participant_id] = fig_row
            if page.deleted:
                continue
            state, changed = _advance(session, page, states.get(page.id))
            if state is None or (not changed and page.id in known):
                continue
            figures = editor_figures(state, window=(seminar.start_at, seminar.end_at),
                                     as_of=as_of or utcnow())
            wanted = {key: p for key, p in keys.items() if key in figures}
            wanted.update({editor_key(p.wiki_user_id, None): p for p in assigned.get(page.page_id, [])
                           if p.wiki_user_id})
            existing = figure_rows.get(page.id, {})
            for key, participant in wanted.items():
                fig = figures.get(key)
                row = existing.pop(participant.id, None)
                if row is None:
                    row = AuthorshipFigure(seminar_id=seminar.id, participant_id=participant.id,
                                           page_pk=page.id)
                    session.add(row)
                row.as_of_rev_id = state.current_revid or 0
                total = next(iter(figures.values())) if figures else None
                row.tokens = fig.tokens if fig else 0
                row.total_tokens = fig.total_tokens if fig else (total.total_tokens if total else 0)
                row.share = fig.share if fig else 0.0
                row.words = fig.words if fig else 0
                row.total_words = fig.total_words if fig else (total.total_words if total else 0)
                row.word_share = fig.word_share if fig else 0.0
                row.added = fig.added if fig else 0
                row.surviving_now = fig.surviving_now if fig else 0
                row.surviving_7d = fig.surviving_7d if fig else 0
                row.pending_7d = fig.pending_7d if fig else 0
                row.reverted = fig.reverted if fig else 0
                row.computed_at = utcnow()
            for stale in existing.values():
                session.delete(stale)
            done += 1
            if progress:
                progress("authorship", index, len(tracked))
    return done


def _assigned_pages(session: DbSession, seminar: Seminar) -> dict[int, list[Participant]]:
    """Wiki page id -> participants who have that article (or sandbox) in their assignment."""
    rows = session.execute(
        sa.select(AssignedArticle.wiki_page_id, AssignedArticle.sandbox_page_id, Participant)
        .join(Assignment, Assignment.id == AssignedArticle.assignment_id)
        .join(Participant, Participant.id == Assignment.participant_id)
        .where(Participant.seminar_id == seminar.id)
    ).all()
    result: dict[int, list[Participant]] = {}
    for page_id, sandbox_id, participant in rows:
        for pid in (page_id, sandbox_id):
            if pid:
                result.setdefault(pid, []).append(participant)
    return result
