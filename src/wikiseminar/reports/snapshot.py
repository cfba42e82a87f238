"""A seminar's figures and timeline, kept in the database per version of its data.

`student_figures` and the charts' `timeline` each read every revision of the seminar with its
metrics: about 70 ms of the dashboard's first view on PostgreSQL among 1,000 seminars
(docs/benchmarks.md, section 6.3). The in-process cache keeps them per worker process; this
keeps them for all: the end of each sync computes them once, so the instructor's first view
after the nightly sync, in whichever process, reads one row instead of every revision.

A snapshot is read only under its key: a hash of the first part of `data_version` (what the
figures rest on: the last finished sync, the participants, the seminar's dates and time zone,
verdicts, reviews) and of the source of the modules that compute the figures, so neither
other data nor other code can be served from it. A view that finds no matching snapshot (the
data changed since the sync) computes the figures as before and does not store them: writing
~20 kB and committing cost that view about 10 ms on the benchmark, for the benefit of other
processes only, and on SQLite a second connection could wait on the view's own lock; the
next sync stores them. Forgetting a participant deletes their seminar's snapshot (it holds
their name).

Known gap, as for the in-process cache: a student enrolled in two seminars on one wiki whose
edits arrive through the other seminar's sync changes this seminar's figures without changing
its key, until this seminar's own next sync.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import sys
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import FigureSnapshot, Seminar
from ..models._types import utcnow
from .figures import StudentFigures, student_figures, timeline

if TYPE_CHECKING:
    from .progress import DataVersion

__all__ = ["Snapshot", "refresh_snapshot", "seminar_snapshot", "snapshot_key"]

log = logging.getLogger(__name__)

# Bump when the payload's layout changes (the code hash below covers what fills it).
FORMAT = "figures+timeline/1"

Timeline = dict[int, list[tuple[dt.date, int, int]]]


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot:
    """The figures of the current students and auditors (name order) and everyone's timeline."""

    figures: list[StudentFigures]
    timeline: Timeline


@functools.cache
def _code_hash() -> bytes:
    """A hash of the layout and of the modules whose code computes the snapshot."""
    from . import figures, quality, reviews

    digest = hashlib.sha256(FORMAT.encode())
    for module in (figures, quality, reviews, sys.modules[__name__]):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.digest()


def snapshot_key(version: DataVersion) -> str:
    """The key of a snapshot of the data at `version` (`progress.data_version`: its first
    part, what the figures rest on)."""
    return hashlib.sha256(_code_hash() + repr(version[0]).encode()).hexdigest()


def _default(value: object) -> object:
    """JSON for the instants in the figures (first and last edit)."""
    if isinstance(value, dt.datetime):
        return {"instant": value.isoformat()}
    raise TypeError(f"cannot store {type(value).__name__} in a figure snapshot")


def _instants(obj: dict[str, Any]) -> object:
    """Back from `_default`'s form."""
    if obj.keys() == {"instant"}:
        return dt.datetime.fromisoformat(obj["instant"])
    return obj


def encode(snapshot: Snapshot) -> bytes:
    """The snapshot as compressed JSON."""
    document = {
        "figures": [dataclasses.asdict(f) for f in snapshot.figures],
        "timeline": {str(pid): [[day.isoformat(), edits, words] for day, edits, words in series]
                     for pid, series in snapshot.timeline.items()},
    }
    return zlib.compress(json.dumps(document, default=_default, separators=(",", ":")).encode(), 6)


def decode(payload: bytes) -> Snapshot:
    """A snapshot from `encode`'s bytes."""
    document = json.loads(zlib.decompress(payload), object_hook=_instants)
    return Snapshot(
        figures=[StudentFigures(**fields) for fields in document["figures"]],
        timeline={int(pid): [(dt.date.fromisoformat(day), edits, words)
                             for day, edits, words in series]
                  for pid, series in document["timeline"].items()})


def compute(session: DbSession, seminar: Seminar) -> Snapshot:
    """The figures and the timeline from the revisions (no snapshot read)."""
    return Snapshot(student_figures(session, seminar), timeline(session, seminar))


def _upsert(session: DbSession, seminar: Seminar, key: str, snapshot: Snapshot) -> Any:
    """The statement that stores the snapshot under `key`, replacing the seminar's last one
    (an upsert: two syncs of one seminar never run at once, but a manual refresh may)."""
    from ..sync.store import _insert

    row = {"seminar_id": seminar.id, "key": key, "payload": encode(snapshot),
           "computed_at": utcnow()}
    table = FigureSnapshot.__table__
    return _insert(session, table).values(**row).on_conflict_do_update(
        index_elements=[table.c.seminar_id],
        set_={"key": row["key"], "payload": row["payload"], "computed_at": row["computed_at"]})


def refresh_snapshot(session: DbSession, seminar: Seminar) -> None:
    """Compute and store the seminar's snapshot, then commit (the end of a sync calls this)."""
    from .progress import data_version

    key = snapshot_key(data_version(session, seminar))
    session.execute(_upsert(session, seminar, key, compute(session, seminar)))
    session.commit()


def seminar_snapshot(session: DbSession, seminar: Seminar,
                     version: DataVersion) -> Snapshot:
    """The seminar's figures and timeline at `version`: the stored snapshot, or computed."""
    key = snapshot_key(version)
    stored = session.execute(sa.select(FigureSnapshot.key, FigureSnapshot.payload).where(
        FigureSnapshot.seminar_id == seminar.id)).first()
    if stored is not None and stored.key == key:
        try:
            return decode(stored.payload)
        except (ValueError, TypeError, KeyError, zlib.error) as exc:  # corrupt: computed anew
            log.warning("figure snapshot of %s unreadable: %s", seminar.slug, exc)
    return compute(session, seminar)
