"""Web accounts: instructors made by the operator, co-instructors invited, passwords set once."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..dbsession import DbSession
from ..models import User
from ..models.people import new_session_token
from .messages import N_, ServiceError

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "SETUP_MAX_AGE",
    "AccountError",
    "check_password_strength",
    "create_instructor",
    "end_all_sessions",
    "find_user",
    "normalise_email",
    "read_setup_token",
    "setup_token",
]

MIN_PASSWORD_LENGTH = 10
# An invitation (or a reset link) is valid for a week, and only until the password changes.
SETUP_MAX_AGE = 7 * 24 * 3600
_SALT = "wikiseminar-account-setup"


class AccountError(ServiceError):
    """Bad account input (email, password, token)."""


def normalise_email(email: str) -> str:
    """A valid email address in its normal, lower-case form, or AccountError."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AccountError(N_("%(email)r is not an email address"), field="email",
                           email=email.strip()) from None


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(N_("the password must have at least %(min)d characters"),
                           field="password", min=MIN_PASSWORD_LENGTH)


def end_all_sessions(user: User) -> None:
    """End every session of the account (cookies and remember-me alike); not committed.

    Sessions carry the account's session token; a new token makes all of them invalid. Call
    it on sign-out, password change or reset, removal from a seminar, account deletion.
    """
    user.session_token = new_session_token()


def find_user(session: DbSession, email: str) -> User | None:
    """The account with this email (case-insensitive), if any."""
    return session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))


def create_instructor(session: DbSession, email: str, *, name: str = "",
                      password: str | None) -> tuple[User, bool]:
    """Make an instructor account, or promote an existing one; True when it is new.

    An existing account keeps its password (the operator resets it separately); a new one
    without a password is set up through `setup_token` (used for invited co-instructors).
    """
    email = normalise_email(email)
    user = find_user(session, email)
    if user is not None:
        if user.is_instructor:
            raise AccountError(N_("%(email)s is already an instructor"), field="email", email=email)
        user.is_instructor = True
        if name and not user.name:
            user.name = name
        return user, False
    if password is not None:
        check_password_strength(password)
    user = User(email=email, name=name.strip(), is_instructor=True)
    if password is not None:
        user.set_password(password)
    session.add(user)
    return user, True


def _fingerprint(user: User) -> str:
    """Changes whenever the password changes, so a used setup link stops working."""
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def setup_token(secret_key: str, user: User) -> str:
    """A signed link token that lets this user choose a password once, for a week."""
    serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)
    return str(serializer.dumps({"u": user.id, "f": _fingerprint(user)}))


def read_setup_token(session: DbSession, secret_key: str, token: str,
                     max_age: int = SETUP_MAX_AGE) -> User:
    """The user a setup token is for, or AccountError if forged, expired or already used."""
    serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError(N_("this link has expired; ask for a new one")) from None
    except BadSignature:
        raise AccountError(N_("this link is not valid")) from None
    user = session.get(User, int(data.get("u", 0))) if isinstance(data, dict) else None
    if user is None or data.get("f") != _fingerprint(user):
        raise AccountError(N_("this link was already used or is not valid"))
    return user
