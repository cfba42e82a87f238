"""Reading a roster file as people save it: UTF-8 or Windows-1252, `,` `;` or tab, FR/EN columns."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from ..models import Role
from .messages import N_, Message

__all__ = ["COLUMNS", "MAX_ROWS", "RosterError", "RosterFile", "RosterRow", "decode_roster",
           "parse_roster", "read_roster"]

COLUMNS = ("name", "email", "wiki_username", "role")
MAX_ROWS = 2000

# Column titles (compared once folded: lower case, no accents, `_`/`-` as spaces).
_ALIASES = {
    "name": {"name", "nom", "full name", "nom complet", "nom et prenom", "prenom nom"},
    "email": {"email", "e mail", "courriel", "mail", "adresse electronique", "adresse email"},
    "wiki_username": {"wiki username", "compte wiki", "nom d'utilisateur", "username",
                      "wiki account", "utilisateur", "compte", "pseudo wiki"},
    "role": {"role", "statut"},
}
_ROLES = {
    "": Role.STUDENT, "student": Role.STUDENT, "etudiant": Role.STUDENT,
    "etudiante": Role.STUDENT, "etudiant e": Role.STUDENT, "etudiant.e": Role.STUDENT,
    "auditor": Role.AUDITOR, "auditeur": Role.AUDITOR, "auditrice": Role.AUDITOR,
    "auditeur libre": Role.AUDITOR, "auditrice libre": Role.AUDITOR, "free auditor": Role.AUDITOR,
}


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
class RosterFile:
    """The valid lines of a file and every bad line with its reason."""

    rows: list[RosterRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"


def fold(text: str) -> str:
    """Lower case, no accents, `_`/`-` as spaces, one space: how titles and roles compare."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(text.replace("_", " ").replace("-", " ").split())


def decode_roster(data: bytes | str) -> tuple[str, str]:
    """The file's text and encoding: UTF-8 (BOM or not), else Windows-1252, else Latin-1."""
    if isinstance(data, str):
        return data.lstrip("\ufeff"), "utf-8"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(c < " " and c not in "\t\r\n" for c in text):
            return text, encoding
    raise RosterError(Message(N_("the file is not UTF-8 or Windows-1252 text (byte %(byte)d): "
                                 "save it from the spreadsheet as CSV"), byte=first_bad))


def _header(cells: list[str]) -> dict[str, int]:
    """Where each known column is; unknown columns are ignored."""
    index: dict[str, int] = {}
    for position, title in enumerate(cells):
        folded = fold(title)
        for column, names in _ALIASES.items():
            if folded in names and column not in index:
                index[column] = position
    return index


def read_roster(data: bytes | str) -> RosterFile:
    """Read a roster: file-level faults raise RosterError; bad lines are collected, all of them."""
    text, encoding = decode_roster(data)
    if not text.strip():
        raise RosterError(Message(N_("the file is empty")))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise RosterError(Message(N_("cannot read the header line (%(error)s)"), error=exc)) from None
    index = _header(header)
    missing = [c for c in COLUMNS if c not in index and c != "role"]
    if missing:
        raise RosterError(Message(
            N_("line 1: missing column(s) %(missing)s; expected %(expected)s"),
            missing=", ".join(missing), expected=",".join(COLUMNS)))
    parsed = RosterFile(encoding=encoding)
    seen_emails: dict[str, int] = {}
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                parsed.errors.append((number, Message(
                    N_("line %(line)d: %(count)d fields, the header has %(expected)d"),
                    line=number, count=len(cells), expected=len(header))))
                continue
            value = {name: cells[i].strip() for name, i in index.items()}
            try:
                parsed.rows.append(_row(number, value, seen_emails))
            except RosterError as exc:
                parsed.errors.append((number, exc.args[0]))
            if len(parsed.rows) + len(parsed.errors) > MAX_ROWS:
                raise RosterError(Message(N_("more than %(max)d lines: split the file"), max=MAX_ROWS))
    except csv.Error as exc:
        raise RosterError(Message(N_("line %(line)d: %(error)s"), line=reader.line_num, error=exc)) from None
    if not parsed.rows and not parsed.errors:
        raise RosterError(Message(N_("no participant in the file")))
    return parsed


def parse_roster(data: bytes | str) -> list[RosterRow]:
    """Parse strictly: the first bad line rejects the whole file (saying how many more there are)."""
    parsed = read_roster(data)
    if parsed.errors:
        _line, reason = parsed.errors[0]
        more = len(parsed.errors) - 1
        if more:
            raise RosterError(Message(N_("%(reason)s (and %(more)d more bad lines)"),
                                      reason=reason, more=more))
        raise RosterError(reason)
    return parsed.rows


def _row(number: int, value: dict[str, str], seen_emails: dict[str, int]) -> RosterRow:
    """Validate one line."""
    name = " ".join(value.get("name", "").split())
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
    role_text = value.get("role", "")
    role = _ROLES.get(fold(role_text))
    if role is None:
        raise RosterError(Message(N_("line %(line)d: role %(role)r must be student or auditor"),
                                  line=number, role=role_text.lower()))
    username = value.get("wiki_username", "").replace("_", " ").strip()
    if username.lower().startswith(("user:", "utilisateur:", "utilisatrice:")):
        username = username.split(":", 1)[1].strip()
    return RosterRow(number, name, email, " ".join(username.split()), role)
