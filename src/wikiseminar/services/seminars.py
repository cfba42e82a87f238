"""Create seminars and find the wiki they write on."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import Participant, Role, Seminar, User, Wiki
from ..validation import DateOutOfRange, check_date_bounds
from ..wiki.client import WikiClient, split_api_url

__all__ = ["SLUG_RE", "SeminarError", "add_instructor", "create_seminar", "get_or_create_wiki", "get_seminar", "parse_date"]

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")


class SeminarError(ValueError):
    """Bad seminar input; the message is shown to the user as is."""


def parse_date(value: str, what: str = "date") -> dt.date:
    """A YYYY-MM-DD date in the accepted range, or a SeminarError naming the field."""
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise SeminarError(f"{what} {value!r} is not a date of the form YYYY-MM-DD") from None
    try:
        return check_date_bounds(day, what)
    except DateOutOfRange as exc:
        raise SeminarError(str(exc)) from None


def get_seminar(session: DbSession, slug: str) -> Seminar:
    """The seminar with this slug, or a SeminarError."""
    seminar = session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
    if seminar is None:
        raise SeminarError(f"no seminar {slug!r} (see: wikiseminar seminar list)")
    return seminar


def get_or_create_wiki(session: DbSession, api_url: str, client: WikiClient | None = None) -> Wiki:
    """The Wiki row for an api.php URL; a new one reads siteinfo first (proving the URL works)."""
    api_url = api_url.strip()
    split_api_url(api_url)  # raises WikiInvalidURL with a clear message
    wiki = session.scalar(sa.select(Wiki).where(Wiki.api_url == api_url))
    if wiki is not None and wiki.siteinfo_json:
        return wiki
    if client is None:
        raise SeminarError(f"{api_url}: unknown wiki and no client to check it")
    info = client.siteinfo()
    if wiki is None:
        wiki = Wiki(api_url=api_url)
        session.add(wiki)
    wiki.siteinfo = info
    return wiki


def create_seminar(
    session: DbSession,
    *,
    slug: str,
    title: str,
    api_url: str,
    start: dt.date,
    end: dt.date,
    client: WikiClient | None,
    **fields: Any,
) -> Seminar:
    """Validate and add a seminar (not committed): unique slug, sane dates, a reachable wiki."""
    typed, slug = slug, slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise SeminarError(
            f"slug {typed!r}: use 3 to 64 lower-case letters, digits and dashes (e.g. cultures-num-2026)"
        )
    if not title.strip():
        raise SeminarError("the title is empty")
    if end < start:
        raise SeminarError(f"the end date {end} is before the start date {start}")
    if session.scalar(sa.select(Seminar.id).where(Seminar.slug == slug)) is not None:
        raise SeminarError(f"a seminar {slug!r} already exists")
    restitution = fields.get("restitution_at")
    if restitution is not None and restitution.date() < start:
        raise SeminarError("the restitution session is before the seminar starts")
    wiki = get_or_create_wiki(session, api_url, client)
    seminar = Seminar(
        slug=slug, title=title.strip(), wiki=wiki, language=wiki.lang or "fr",
        start_date=start, end_date=end, invite_token=secrets.token_urlsafe(12),
        passcode=fields.pop("passcode", None) or new_passcode(), **fields,
    )
    session.add(seminar)
    return seminar


def new_passcode() -> str:
    """A short passcode students can type from the board (no ambiguous characters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def add_instructor(session: DbSession, seminar: Seminar, user: User) -> bool:
    """Make the account an instructor of this seminar (restoring a removed one); False if it was."""
    existing = session.scalar(sa.select(Participant).where(
        Participant.seminar_id == seminar.id, Participant.user_id == user.id))
    if existing is None:
        session.add(Participant(seminar=seminar, user=user, role=Role.INSTRUCTOR,
                                name=user.name or user.email, email=user.email))
        return True
    if existing.role == Role.INSTRUCTOR and existing.removed_at is None:
        return False
    existing.role = Role.INSTRUCTOR
    existing.removed_at = None
    return True
