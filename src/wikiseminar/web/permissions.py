"""Who may see what: roles are per seminar, and every seminar route checks them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Participant, Role, Seminar

__all__ = ["admin_may_open", "current_participant", "is_admin_view", "instructor_required", "login_required", "seminar_member",
           "seminar_role", "seminar_row_or_404"]

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")


def login_required(view: F) -> F:
    """Send anonymous visitors to the sign-in page, then back."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def instructor_required(view: F) -> F:
    """Only accounts allowed to create seminars (made with `wikiseminar user create-instructor`)."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_instructor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def current_participant(seminar: Seminar) -> Participant | None:
    """The signed-in user's place in this seminar (removed participants have none)."""
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, Participant.user_id == current_user.id,
        Participant.removed_at.is_(None)))


def seminar_role(*roles: Role) -> Callable[[F], F]:
    """Load the seminar named by `slug`, check the user's role in it; the view gets `seminar`.

    Anonymous → sign-in page; no place or another role in this seminar → 403; unknown
    slug → 404. `g.participant` holds the user's Participant row. An admin (operator) opens
    the instructor-only pages of every seminar, with `g.participant` None.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        @login_required
        def wrapped(*args: Any, slug: str, **kwargs: Any) -> Any:
            seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
            if seminar is None:
                abort(404)
            participant = current_participant(seminar)
            if participant is None or participant.role not in roles:
                if not (admin_may_open(roles) and current_user.is_admin):
                    abort(403)
                participant = None  # an operator looking in: no place of their own here
            g.seminar = seminar
            g.participant = participant
            return view(*args, seminar=seminar, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def admin_may_open(roles: tuple[Role, ...]) -> bool:
    """Admins open instructor-only pages; members' pages need a place of one's own."""
    return tuple(roles) == (Role.INSTRUCTOR,)


def is_admin_view() -> bool:
    """True when an admin without a place in the seminar is looking at one of its pages."""
    return bool(current_user.is_authenticated and current_user.is_admin
                and g.get("participant") is None)


def seminar_member(view: F) -> F:
    """Any role in the seminar (instructor, student, auditor)."""
    return seminar_role(Role.INSTRUCTOR, Role.STUDENT, Role.AUDITOR)(view)


def seminar_row_or_404(model: type[M], seminar: Seminar, row_id: int, *conditions: Any) -> M:
    """A row of `model` that belongs to this seminar (by `seminar_id`), else 404.

    Ids of another seminar's rows are *not found*, never *forbidden*: a URL cannot be used
    to learn that another seminar has such a row.
    """
    # execute().scalar() is what Session.scalar does; mypy cannot solve scoped_session.scalar's
    # overloads for a Select of a type variable. `model` is any model with these two columns.
    found = db.session.execute(sa.select(model).where(
        model.id == row_id, model.seminar_id == seminar.id, *conditions)).scalar()  # type: ignore[attr-defined]
    if found is None:
        abort(404)
    return found
