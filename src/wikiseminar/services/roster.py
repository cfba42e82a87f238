"""Roster import: check accounts on the wiki, plan what changes, write only what is safe.

A line that would rewrite an existing person (another name, email, wiki account or role),
a line sharing its wiki account with another line, and any line naming an instructor are
*conflicts*: reported by line, that participant untouched. Changing existing people is an
explicit update (`update=True`), planned and shown as before/after first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import Participant, Role, Seminar
from ..wiki.client import WikiClient
from .messages import N_, Message
from .roster_file import RosterError, RosterFile, RosterRow, parse_roster, read_roster

__all__ = ["Change", "ImportPlan", "ImportResult", "RosterError", "RosterFile", "RosterRow",
           "apply_plan", "import_roster", "parse_roster", "plan_import", "read_roster"]


@dataclass(frozen=True, slots=True)
class Change:
    """One field of an existing participant that the line would change."""

    field: str
    before: str
    after: str


@dataclass(slots=True)
class Planned:
    """What one line does: add a participant, update one (with its changes), or nothing."""

    row: RosterRow
    participant: Participant | None
    changes: list[Change]
    wiki_name: str | None = None
    wiki_id: int | None = None


@dataclass(slots=True)
class ImportPlan:
    """Every line's fate, before anything is written."""

    additions: list[Planned] = field(default_factory=list)
    updates: list[Planned] = field(default_factory=list)  # empty unless update=True
    unchanged: list[Planned] = field(default_factory=list)
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    updatable: list[Planned] = field(default_factory=list)  # conflicts an update would apply
    skipped: list[tuple[int, str]] = field(default_factory=list)


@dataclass(slots=True)
class ImportResult:
    """What an import did: created, updated, unchanged, and lines in conflict or skipped."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    changes: list[Planned] = field(default_factory=list)


def plan_import(session: DbSession, seminar: Seminar, rows: list[RosterRow],
                client: WikiClient | None, *, update: bool = False) -> ImportPlan:
    """Check usernames against the wiki and decide each line's fate; nothing is written."""
    plan = ImportPlan()
    accounts = _accounts(rows, client)
    existing = list(session.scalars(sa.select(Participant).where(
        Participant.seminar_id == seminar.id,
        Participant.claim_of_id.is_(None))))  # pending claimants are not roster lines
    resolved: list[tuple[RosterRow, object | None]] = []
    for row in rows:
        user = None
        if row.wiki_username:
            user = _match(accounts, row.wiki_username)
            if user is None or user.missing or user.invalid or not user.userid:
                site = seminar.wiki.sitename or seminar.wiki.api_url
                why = N_("wiki account %(name)r is not a valid username on %(wiki)s") \
                    if user is not None and user.invalid \
                    else N_("wiki account %(name)r does not exist on %(wiki)s")
                plan.skipped.append((row.line, Message(why, name=row.wiki_username, wiki=site)))
                continue
        resolved.append((row, user))
    lines_by_account: dict[int, list[int]] = {}
    for row, user in resolved:
        if user is not None:
            lines_by_account.setdefault(user.userid, []).append(row.line)  # type: ignore[attr-defined]
    for row, user in resolved:
        userid = user.userid if user is not None else None  # type: ignore[attr-defined]
        if userid is not None and len(lines_by_account[userid]) > 1:
            others = ", ".join(str(n) for n in lines_by_account[userid] if n != row.line)
            plan.conflicts.append((row.line, Message(
                N_("line %(line)d: wiki account %(name)s is also on line(s) %(others)s"),
                line=row.line, name=user.name, others=others)))  # type: ignore[attr-defined]
            continue
        _plan_line(plan, existing, row, user, update=update)
    return plan


def _plan_line(plan: ImportPlan, existing: list[Participant], row: RosterRow,
               user: object | None, *, update: bool) -> None:
    """Add, leave, update or report one line."""
    userid = user.userid if user is not None else None  # type: ignore[attr-defined]
    by_email = next((p for p in existing if row.email and p.email
                     and p.email.lower() == row.email.lower()), None)
    by_wiki = next((p for p in existing if userid and p.wiki_user_id == userid), None)
    wiki_name = user.name if user is not None else None  # type: ignore[attr-defined]
    if by_email is None and by_wiki is None:
        plan.additions.append(Planned(row, None, [], wiki_name, userid))
        return
    if by_email is not None and by_wiki is not None and by_email is not by_wiki:
        plan.conflicts.append((row.line, Message(
            N_("line %(line)d: the email is %(first)s's and the wiki account is %(second)s's"),
            line=row.line, first=by_email.name, second=by_wiki.name)))
        return
    participant = by_email or by_wiki
    assert participant is not None
    if participant.role == Role.INSTRUCTOR:
        plan.conflicts.append((row.line, Message(
            N_("line %(line)d: %(name)s is an instructor of this seminar; a roster never changes "
               "an instructor"), line=row.line, name=participant.name)))
        return
    if participant.removed_at is not None:
        plan.conflicts.append((row.line, Message(
            N_("line %(line)d: %(name)s was removed from the seminar; restore them first"),
            line=row.line, name=participant.name)))
        return
    changes = _changes(participant, row, wiki_name, userid)
    planned = Planned(row, participant, changes, wiki_name, userid)
    if not changes:
        plan.unchanged.append(planned)
    elif all(c.before == "" for c in changes):
        plan.updates.append(planned)  # only fills empty fields: nothing is overwritten
    elif update:
        plan.updates.append(planned)
    else:
        described = "; ".join(f"{c.field} {c.before or '-'} → {c.after or '-'}" for c in changes)
        plan.conflicts.append((row.line, Message(
            N_("line %(line)d: %(name)s is already in the seminar with other details (%(changes)s); "
               "nothing changed (import with update to apply)"),
            line=row.line, name=participant.name, changes=described)))
        plan.updatable.append(planned)


def _changes(p: Participant, row: RosterRow, wiki_name: str | None,
             userid: int | None) -> list[Change]:
    """The fields of `p` the line would change (a line's empty email or account changes nothing)."""
    changes = []
    if p.name != row.name:
        changes.append(Change("name", p.name, row.name))
    if row.email and (p.email or "").lower() != row.email.lower():
        changes.append(Change("email", p.email or "", row.email))
    if userid and p.wiki_user_id != userid:
        changes.append(Change("wiki account", p.wiki_username or "", wiki_name or ""))
    if p.role != row.role:
        changes.append(Change("role", p.role.value, row.role.value))
    return changes


def apply_plan(session: DbSession, seminar: Seminar, plan: ImportPlan) -> ImportResult:
    """Write the additions and (planned) updates; conflicts stay untouched (not committed)."""
    result = ImportResult(unchanged=len(plan.unchanged), conflicts=list(plan.conflicts),
                          skipped=list(plan.skipped), changes=list(plan.updates))
    for planned in plan.additions:
        participant = Participant(seminar=seminar, name=planned.row.name,
                                  email=planned.row.email or None, role=planned.row.role)
        _set_account(participant, planned)
        session.add(participant)
        result.created += 1
    for planned in plan.updates:
        existing = planned.participant
        assert existing is not None and existing.role != Role.INSTRUCTOR
        existing.name = planned.row.name
        existing.email = planned.row.email or existing.email
        existing.role = planned.row.role
        _set_account(existing, planned)
        result.updated += 1
    session.flush()
    return result


def _set_account(participant: Participant, planned: Planned) -> None:
    """Record the line's wiki account; entered by the instructor, so not proven yet."""
    if planned.wiki_id and participant.wiki_user_id != planned.wiki_id:
        participant.wiki_username = planned.wiki_name
        participant.wiki_user_id = planned.wiki_id
        participant.wiki_verified = False
        participant.wiki_verified_at = None
        participant.contribs_synced_until = None


def import_roster(session: DbSession, seminar: Seminar, rows: list[RosterRow],
                  client: WikiClient | None, *, update: bool = False) -> ImportResult:
    """Plan, then write what is safe (not committed)."""
    return apply_plan(session, seminar, plan_import(session, seminar, rows, client, update=update))


def _accounts(rows: list[RosterRow], client: WikiClient | None) -> dict[str, object]:
    """The wiki's answer for every username of the file, by folded name."""
    names = sorted({r.wiki_username for r in rows if r.wiki_username})
    if not names:
        return {}
    if client is None:
        raise RosterError(Message(N_("cannot check wiki usernames: no wiki client")))
    return {user.name.casefold(): user for user in client.users(names)}


def _match(accounts: dict[str, object], name: str):
    """The wiki's answer for a typed name (the wiki capitalises the first letter)."""
    key = name.casefold()
    if key in accounts:
        return accounts[key]
    capitalised = (name[:1].upper() + name[1:]).casefold()
    return accounts.get(capitalised)
