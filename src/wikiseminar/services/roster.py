"""Roster CSV (name,email,wiki_username,role): parse strictly, check accounts, then import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from email_validator import EmailNotValidError, validate_email

from ..models import Participant, Role, Seminar
from ..wiki.client import WikiClient
from .messages import N_, Message

__all__ = ["RosterError", "RosterRow", "ImportResult", "import_roster", "parse_roster"]

COLUMNS = ("name", "email", "wiki_username", "role")
MAX_ROWS = 2000


class RosterError(ValueError):
    """The file is not a usable roster; nothing is imported."""


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One valid line of the roster."""

    line: int
    name: str
    email: str
    wiki_username: str
    role: Role


@dataclass(slots=True)
class ImportResult:
    """What an import did: created, updated, and lines skipped with the reason."""

    created: int = 0
    updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


def parse_roster(data: bytes | str) -> list[RosterRow]:
    """Parse a roster; any malformed line rejects the whole file with its line number."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RosterError(Message(N_("the file is not UTF-8 text (byte %(byte)d)"), byte=exc.start)) from None
    else:
        text = data.lstrip("\ufeff")
    if not text.strip():
        raise RosterError(Message(N_("the file is empty")))
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise RosterError(Message(N_("cannot read the header line (%(error)s)"), error=exc)) from None
    missing = [c for c in COLUMNS if c not in header and c != "role"]
    if missing:
        raise RosterError(Message(
            N_("line 1: missing column(s) %(missing)s; expected %(expected)s"),
            missing=", ".join(missing), expected=",".join(COLUMNS)))
    index = {name: header.index(name) for name in COLUMNS if name in header}
    rows: list[RosterRow] = []
    seen_emails: dict[str, int] = {}
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise RosterError(Message(N_("line %(line)d: %(count)d fields, the header has %(expected)d"),
                                          line=number, count=len(cells), expected=len(header)))
            value = {name: cells[i].strip() for name, i in index.items()}
            rows.append(_row(number, value, seen_emails))
            if len(rows) > MAX_ROWS:
                raise RosterError(Message(N_("more than %(max)d lines: split the file"), max=MAX_ROWS))
    except csv.Error as exc:
        raise RosterError(Message(N_("line %(line)d: %(error)s"), line=reader.line_num, error=exc)) from None
    if not rows:
        raise RosterError(Message(N_("no participant in the file")))
    return rows


def _row(number: int, value: dict[str, str], seen_emails: dict[str, int]) -> RosterRow:
    """Validate one line."""
    name = value.get("name", "")
    if not name:
        raise RosterError(Message(N_("line %(line)d: the name is empty"), line=number))
    email = value.get("email", "")
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            raise RosterError(Message(N_("line %(line)d: %(email)r is not an email address"),
                                      line=number, email=email)) from None
        if email.lower() in seen_emails:
            raise RosterError(Message(N_("line %(line)d: %(email)s already on line %(first)d"),
                                      line=number, email=email, first=seen_emails[email.lower()]))
        seen_emails[email.lower()] = number
    role_text = (value.get("role") or "student").lower()
    try:
        role = Role(role_text)
    except ValueError:
        role = None
    if role not in (Role.STUDENT, Role.AUDITOR):
        raise RosterError(Message(N_("line %(line)d: role %(role)r must be student or auditor"),
                                  line=number, role=role_text))
    username = value.get("wiki_username", "").replace("_", " ").strip()
    if username.lower().startswith(("user:", "utilisateur:", "utilisatrice:")):
        username = username.split(":", 1)[1].strip()
    return RosterRow(number, name, email, username, role)


def import_roster(session: so.Session, seminar: Seminar, rows: list[RosterRow],
                  client: WikiClient | None) -> ImportResult:
    """Check usernames against the wiki, then add or update participants (not committed)."""
    result = ImportResult()
    accounts = {}
    names = sorted({r.wiki_username for r in rows if r.wiki_username})
    if names:
        if client is None:
            raise RosterError(Message(N_("cannot check wiki usernames: no wiki client")))
        for user in client.users(names):
            accounts[user.name.casefold()] = user
    existing = list(session.scalars(sa.select(Participant).where(Participant.seminar_id == seminar.id)))
    for row in rows:
        user = None
        if row.wiki_username:
            user = _match(accounts, row.wiki_username)
            if user is None or user.missing or user.invalid or not user.userid:
                site = seminar.wiki.sitename or seminar.wiki.api_url
                why = N_("wiki account %(name)r is not a valid username on %(wiki)s") \
                    if user is not None and user.invalid \
                    else N_("wiki account %(name)r does not exist on %(wiki)s")
                result.skipped.append((row.line, Message(why, name=row.wiki_username, wiki=site)))
                continue
        participant = _find(existing, row, user.userid if user else None)
        if participant is None:
            participant = Participant(seminar=seminar, name=row.name)
            session.add(participant)
            existing.append(participant)
            result.created += 1
        else:
            result.updated += 1
        participant.name = row.name
        participant.email = row.email or participant.email
        participant.role = row.role
        participant.removed_at = None
        if user is not None and participant.wiki_user_id != user.userid:
            participant.wiki_username = user.name
            participant.wiki_user_id = user.userid
            participant.wiki_verified = False  # entered by the instructor: not proven yet
            participant.wiki_verified_at = None
            participant.contribs_synced_until = None
    return result


def _match(accounts: dict[str, object], name: str):  # type: ignore[no-untyped-def]
    """The wiki's answer for a typed name (the wiki capitalises the first letter)."""
    key = name.casefold()
    if key in accounts:
        return accounts[key]
    capitalised = (name[:1].upper() + name[1:]).casefold()
    return accounts.get(capitalised)


def _find(existing: list[Participant], row: RosterRow, userid: int | None) -> Participant | None:
    """The participant this line describes: same email, or same wiki account."""
    for p in existing:
        if row.email and p.email and p.email.lower() == row.email.lower():
            return p
    for p in existing:
        if userid and p.wiki_user_id == userid:
            return p
    return None
