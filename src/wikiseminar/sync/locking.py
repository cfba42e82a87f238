"""A per-seminar lock in the database: cron runs, the web button and queue workers share it."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

import sqlalchemy as sa

from ..dbsession import DbSession, rowcount
from ..models import Seminar
from ..models._types import utcnow

__all__ = ["acquire", "lock_owner", "refresh", "release"]


def lock_owner(label: str = "sync") -> str:
    """A unique owner id naming the host and process, readable in the admin view."""
    return f"{label}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(session: DbSession, seminar_id: int, owner: str, ttl: int) -> bool:
    """Take the seminar's lock if it is free or expired (one atomic UPDATE); commit."""
    now = utcnow()
    result = session.execute(
        sa.update(Seminar)
        .where(
            Seminar.id == seminar_id,
            sa.or_(
                Seminar.sync_lock_owner.is_(None),
                Seminar.sync_lock_expires.is_(None),
                Seminar.sync_lock_expires < now,
                Seminar.sync_lock_owner == owner,
            ),
        )
        .values(sync_lock_owner=owner, sync_lock_expires=now + dt.timedelta(seconds=ttl))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(rowcount(result))


def refresh(session: DbSession, seminar_id: int, owner: str, ttl: int) -> bool:
    """Extend a lock we hold (a heartbeat during long syncs); False if we lost it."""
    result = session.execute(
        sa.update(Seminar)
        .where(Seminar.id == seminar_id, Seminar.sync_lock_owner == owner)
        .values(sync_lock_expires=utcnow() + dt.timedelta(seconds=ttl))
        .execution_options(synchronize_session=False)
    )
    return bool(rowcount(result))


def release(session: DbSession, seminar_id: int, owner: str) -> None:
    """Free the lock if we still hold it; commit."""
    session.execute(
        sa.update(Seminar)
        .where(Seminar.id == seminar_id, Seminar.sync_lock_owner == owner)
        .values(sync_lock_owner=None, sync_lock_expires=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
