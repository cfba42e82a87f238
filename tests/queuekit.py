"""Helpers for the queue tests: a Redis namespace of the test's own, worker subprocesses,
seminars imported into the local wiki, and a canonical dump to compare two databases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Role, Seminar, Wiki
from wikiseminar.services.seminars import create_seminar
from wikiseminar.sync.pipeline import client_for

from .localwiki import LocalWiki, PageSpec, Rev

# The project's tests keep their Redis keys in this database and name every key they make
# with a per-test tag; they delete only those keys (other users share the server).
REDIS_URL = os.environ.get("WIKISEMINAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
WIKISEMINAR = Path(sys.executable).parent / "wikiseminar"
# An ongoing seminar (the queue only syncs active ones): started 60 days ago, ends in 30.
START = dt.date.today() - dt.timedelta(days=60)
END = dt.date.today() + dt.timedelta(days=30)


@dataclass
class RedisSpace:
    """A tag that every Redis key of one test contains, and the cleanup of those keys."""

    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    url: str = REDIS_URL
    hosts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.redis = redis.Redis.from_url(self.url)

    @property
    def queue_name(self) -> str:
        """The test's own RQ queue."""
        return f"wstest-{self.tag}"

    def worker_name(self, n: int) -> str:
        """A worker name unique to this test."""
        return f"w{n}-{self.tag}"

    def cleanup(self) -> None:
        """Delete the keys naming this test's tag or its wiki hosts; drop them from RQ's sets."""
        marks = [self.tag, *self.hosts]
        for key in self.redis.scan_iter(count=1000):
            text = key.decode()
            if any(m in text for m in marks):
                self.redis.delete(key)
            elif self.redis.type(key) == b"set":
                members = [m for m in self.redis.smembers(key) if any(x in m.decode() for x in marks)]
                if members:
                    self.redis.srem(key, *members)
            elif text.startswith("rq:scheduler:") and self.redis.type(key) == b"hash":
                queues = (self.redis.hget(key, "queues") or b"").decode()
                if self.tag in queues:
                    self.redis.delete(key)


def queue_settings(space: RedisSpace, **extra: Any) -> dict[str, Any]:
    """Flask settings of the queue tests: fast heartbeats, short locks, quick retries."""
    settings = {
        "REDIS_URL": space.url,
        "QUEUE_NAME": space.queue_name,
        "QUEUE_RETRIES": 2,
        "QUEUE_RETRY_INTERVALS": [1],
        "QUEUE_HEARTBEAT_SECONDS": 1,
        "QUEUE_ABANDONED_SECONDS": 3,
        "QUEUE_MAINTENANCE_SECONDS": 2,
        "SYNC_LOCK_TTL": 4,
    }
    settings.update(extra)
    return settings


TOML_SECTIONS = ("wiki", "sync", "queue", "database")


def write_worker_config(path: Path, app: Flask, keys: Iterable[str]) -> Path:
    """A config.toml for worker subprocesses carrying these Flask keys of the test app."""
    lines: dict[str, list[str]] = {}
    for key in keys:
        section, _, name = key.lower().partition("_")
        if section not in TOML_SECTIONS:
            continue
        value = app.config[key]
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = repr(value)
        elif isinstance(value, list):
            text = "[" + ", ".join(repr(v) for v in value) + "]"
        else:
            text = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines.setdefault(section, []).append(f"{name} = {text}")
    body = "".join(f"[{s}]\n" + "\n".join(v) + "\n\n" for s, v in lines.items())
    path.write_text(body, encoding="utf-8")
    return path


WORKER_KEYS = (
    "WIKI_USER_AGENT", "WIKI_CONTACT", "WIKI_MAX_RETRIES", "WIKI_MAX_BACKOFF", "WIKI_TIMEOUT",
    "WIKI_CONTRIBS_USERS_PER_REQUEST", "WIKI_CONTRIBS_LIMIT", "WIKI_REVISIONS_PER_REQUEST",
    "WIKI_HISTORY_LIMIT", "WIKI_MAX_CONCURRENT_REQUESTS", "WIKI_HOURLY_REQUEST_BUDGET",
    "SYNC_LOCK_TTL", "SYNC_WATERMARK_OVERLAP_MINUTES", "SYNC_INTERVAL_MINUTES",
    "QUEUE_NAME", "QUEUE_RETRIES", "QUEUE_RETRY_INTERVALS", "QUEUE_HEARTBEAT_SECONDS",
    "QUEUE_ABANDONED_SECONDS", "QUEUE_MAINTENANCE_SECONDS", "QUEUE_JOB_TIMEOUT",
)


@dataclass
class WorkerProcess:
    """A `wikiseminar worker --burst` subprocess."""

    proc: subprocess.Popen[str]
    name: str
    stderr_path: Path

    def wait(self, timeout: float = 60) -> int:
        """Wait for the burst worker to finish; return its exit code."""
        return self.proc.wait(timeout=timeout)

    @property
    def stderr(self) -> str:
        """What the worker wrote on stderr (RQ's lines and the JSON sync lines)."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def children(self) -> list[int]:
        """Pids of the worker's direct children (its work horse while a job runs)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                found.append(int(stat.parent.name))
        return found

    def kill_hard(self) -> None:
        """SIGKILL the worker and its work horse, as a lost machine would stop them."""
        horses = self.children()
        os.kill(self.proc.pid, signal.SIGKILL)
        for pid in horses:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)


def start_worker(app: Flask, database_url: str, space: RedisSpace, tmp: Path, n: int,
                 *, burst: bool = True) -> WorkerProcess:
    """Start `wikiseminar worker` as a separate process on the test's database and queue."""
    config = write_worker_config(tmp / f"worker-{n}.toml", app, WORKER_KEYS)
    env = {
        **os.environ,
        "WIKISEMINAR_CONFIG": str(config),
        "WIKISEMINAR_INSTANCE_PATH": str(tmp / f"worker-{n}-instance"),
        "WIKISEMINAR_DATABASE_URL": database_url,
        "WIKISEMINAR_REDIS_URL": space.url,
    }
    env.pop("WIKISEMINAR_SECRET_KEY", None)
    name = space.worker_name(n)
    args = [str(WIKISEMINAR), "worker", "--name", name] + (["--burst"] if burst else [])
    stderr_path = tmp / f"worker-{n}.stderr"
    with open(stderr_path, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=err, text=True,
                                start_new_session=True)
    return WorkerProcess(proc, name, stderr_path)


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.02) -> Any:
    """Poll until condition() is truthy; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# -- seminars in the wiki --------------------------------------------------------------------


@dataclass
class SeminarSpec:
    """One seminar of the queue tests: its slug and its students' usernames."""

    slug: str
    students: list[str]


def _at(day: dt.date, offset: int, hour: int) -> dt.datetime:
    """A UTC instant `offset` days after `day`, at `hour`."""
    return dt.datetime.combine(day + dt.timedelta(days=offset), dt.time(hour), tzinfo=dt.UTC)


def import_seminars(wiki: LocalWiki, count: int, students: int, edits: int, tag: str,
                    ) -> list[SeminarSpec]:
    """Import `count` seminars' worth of edits in one dump: each student writes `edits`
    revisions of an article of their own, plus one edit outside the dates."""
    specs, pages = [], []
    for s in range(count):
        names = [f"Q{tag} S{s} E{e}" for e in range(students)]
        specs.append(SeminarSpec(f"q{tag}-s{s}", names))
        for e, name in enumerate(names):
            text = f"Article {s}-{e}. "
            revs = [Rev(name, _at(START, -10, 10), text + "Avant.")]
            for k in range(edits):
                text += f"Paragraphe {k} sur le sujet {s}-{e}<ref>Source {k}.</ref>. "
                revs.append(Rev(name, _at(START, 2 + k, 10 + e % 8), text, f"ajout {k}"))
            pages.append(PageSpec(f"Sujet {tag} {s} {e}", revs))
    wiki.import_pages(pages)
    return specs


def create_seminars(app: Flask, wiki: LocalWiki, specs: Iterable[SeminarSpec]) -> dict[str, int]:
    """Seminar rows (with their students) for these specs; slug -> seminar id."""
    ids = {}
    with app.app_context():
        client = client_for(wiki.api_url, app.config)
        for spec in specs:
            seminar = create_seminar(db.session, slug=spec.slug, title=f"Séminaire {spec.slug}",
                                     api_url=wiki.api_url, start=START, end=END, client=client,
                                     timezone="UTC")
            for name in spec.students:
                db.session.add(Participant(seminar=seminar, name=name, role=Role.STUDENT,
                                           wiki_username=name))
            db.session.commit()
            ids[spec.slug] = seminar.id
    return ids


# -- comparing two databases -----------------------------------------------------------------

# Columns that say when or by whom the work was done (or how a running sync was shown),
# not what was found.
VOLATILE = {"first_seen_at", "fetched_at", "computed_at", "checked_at", "deleted_detected_at",
            "siteinfo_fetched_at", "last_sync_at", "created_at", "updated_at", "started_at",
            "finished_at", "contribs_synced_until", "sync_lock_owner", "sync_lock_expires",
            "worker", "trigger", "phase", "progress_done", "progress_total", "siteinfo_json",
            "passcode", "invite_token"}


def canonical_dump(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every table as sorted rows, surrogate ids replaced by the wiki's own keys."""
    with app.app_context():
        conn = db.session.connection()
        wikis = dict(conn.execute(sa.select(Wiki.id, Wiki.api_url)).all())
        seminars = dict(conn.execute(sa.select(Seminar.id, Seminar.slug)).all())
        tables = {t.name: t for t in db.metadata.sorted_tables}
        natural: dict[str, dict[Any, Any]] = {"wiki": wikis, "seminar": seminars}
        natural["participant"] = {
            pid: (seminars.get(sid), name) for pid, sid, name in conn.execute(
                sa.text("SELECT id, seminar_id, name FROM participant")).all()}
        natural["page"] = {
            pk: (wikis.get(w), pid) for pk, w, pid in conn.execute(
                sa.text("SELECT id, wiki_id, page_id FROM page")).all()}
        natural["revision"] = {
            pk: (wikis.get(w), rid) for pk, w, rid in conn.execute(
                sa.text("SELECT id, wiki_id, rev_id FROM revision")).all()}
        dump = {}
        for name, table in tables.items():
            if name == "figure_snapshot":  # derived: compared by what it holds
                dump[name] = _snapshots(conn, seminars, natural["participant"])
                continue
            # Surrogate ids follow insertion order, which concurrent workers change.
            columns = [c for c in table.columns if c.name not in VOLATILE and c.name != "id"]
            rows = []
            for row in conn.execute(sa.select(*columns)).all():
                values = []
                for column, value in zip(columns, row, strict=True):
                    for fk in column.foreign_keys:
                        target = fk.column.table.name
                        if target in natural and value is not None:
                            value = natural[target].get(value, ("?", value))
                    values.append(value)
                rows.append(tuple(values))
            dump[name] = sorted(rows, key=repr)
        db.session.rollback()
        return dump


def _snapshots(conn: sa.Connection, seminars: dict[int, str],
               participants: dict[int, Any]) -> list[tuple[Any, ...]]:
    """Each seminar's figure snapshot as its content, participants by name (its key hashes
    run times and the database URL, so it differs between two databases by design)."""
    from wikiseminar.reports.snapshot import decode

    rows = []
    for seminar_id, payload in conn.execute(sa.text(
            "SELECT seminar_id, payload FROM figure_snapshot")).all():
        kept = decode(payload)
        figures = sorted(repr(dataclasses.replace(f, participant_id=0))
                         for f in kept.figures)
        timeline = sorted((repr(participants.get(pid)), series)
                          for pid, series in kept.timeline.items())
        rows.append((seminars.get(seminar_id), figures, timeline))
    return sorted(rows, key=repr)


def empty_database(app: Flask) -> None:
    """Delete every row (keep the schema) so the same setup can run again."""
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                     + " RESTART IDENTITY CASCADE"))
            else:
                for name in reversed(tables):
                    conn.execute(sa.text(f'DELETE FROM "{name}"'))
        db.engine.dispose()
