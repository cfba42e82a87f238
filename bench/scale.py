"""Benchmark wikiseminar at department scale: queued syncs with N workers, and report queries
on a large PostgreSQL database.

Subcommands (run from the repository root with the project's venv):

    .venv/bin/python bench/scale.py populate  # 1,000 seminars × 40 students × 10,000 revisions
    .venv/bin/python bench/scale.py explain   # EXPLAIN (ANALYZE, BUFFERS) of the hot queries
                                              # and of every statement of a dashboard first view
    .venv/bin/python bench/scale.py dashboard # p50/p95 of the hot queries and the dashboard page
    .venv/bin/python bench/scale.py dashboard --after-sync  # its first views after a sync
    .venv/bin/python bench/scale.py sync      # local MediaWiki: inline vs 1, 2, 4 workers
    .venv/bin/python bench/scale.py sync --seminars 10 --ab main  # inline: this tree vs main

`populate` writes synthetic rows straight into PostgreSQL (generate_series): the shape of a
department's database after a term, not real edits. `sync` imports seminars into a throw-away
local MediaWiki (tests/localwiki.py), then syncs the same data into a fresh database per run.
Prints markdown; never asserts anything. Needs PostgreSQL at $WIKISEMINAR_BENCH_PG (default
postgresql://postgres@127.0.0.1:5432/postgres) and, for `sync`, Redis at
$WIKISEMINAR_BENCH_REDIS (default redis://127.0.0.1:6379/12) and MediaWiki installed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.localwiki drives the local MediaWiki

from wikiseminar import create_app  # noqa: E402
from wikiseminar.extensions import db  # noqa: E402
from wikiseminar.models import Revision, RevisionMetrics, Seminar, SyncRun  # noqa: E402

PG_ADMIN = os.environ.get("WIKISEMINAR_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("WIKISEMINAR_BENCH_REDIS", "redis://127.0.0.1:6379/12")
BIG_DB = "wikiseminar_bench_scale"
WIKISEMINAR = Path(sys.executable).parent / "wikiseminar"


def pg_url(name: str) -> str:
    """The URL of database `name` on the benchmark's PostgreSQL server."""
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def admin() -> psycopg.Connection:
    """An autocommit connection to the server's maintenance database."""
    return psycopg.connect(PG_ADMIN, autocommit=True)


def recreate_database(name: str, template: str | None = None) -> str:
    """Drop and create a database (optionally from a template); return its URL."""
    with admin() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                     (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return pg_url(name)


def drop_database(name: str) -> None:
    """Drop a database if it exists."""
    with admin() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                     (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def bench_app(url: str, **overrides: Any) -> Any:
    """An app on `url` with its instance folder in a temporary directory."""
    os.environ["WIKISEMINAR_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="wikiseminar-bench-")
    for key in ("WIKISEMINAR_CONFIG", "WIKISEMINAR_DATABASE_URL", "WIKISEMINAR_REDIS_URL"):
        os.environ.pop(key, None)
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40,
                       "WIKI_USER_AGENT": "wikiseminar-bench/0.1",
                       "WIKI_CONTACT": "bench@example.invalid", **overrides})


def migrate(app: Any) -> None:
    """Apply every Alembic migration."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


def machine() -> str:
    """One line describing where the figures were measured."""
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with admin() as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    return (f"{platform.node()}: {os.cpu_count()} cores ({cpu}), "
            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB RAM, "
            f"Python {platform.python_version()}, PostgreSQL {pg}")


# -- populate: a department's database after a term --------------------------------------------


def _insert_select(table: sa.Table, values: dict[str, str], source: str) -> str:
    """INSERT INTO table SELECT … giving every NOT NULL column a value: ours, else its default."""
    names, exprs = [], []
    for column in table.columns:
        if column.name in values:
            expr = values[column.name]
        elif column.default is not None and column.default.is_scalar:
            arg = column.default.arg
            expr = ("TRUE" if arg else "FALSE") if isinstance(arg, bool) else (
                str(arg) if isinstance(arg, (int, float)) else "'" + str(arg).replace("'", "''") + "'")
        elif column.default is not None and column.default.is_callable:
            expr = "now()"  # utcnow
        elif column.nullable or column.primary_key:
            continue
        else:
            raise SystemExit(f"populate: no value for {table.name}.{column.name}")
        names.append(f'"{column.name}"')
        exprs.append(expr)
    return f'INSERT INTO "{table.name}" ({", ".join(names)}) SELECT {", ".join(exprs)} {source}'


def populate(args: argparse.Namespace) -> None:
    """Fill a fresh database with seminars, participants, pages, revisions, metrics, runs."""
    from wikiseminar.models import AuthorshipFigure, Page, Participant, Wiki
    from wikiseminar.wiki.types import Namespace, SiteInfo

    n, k, r = args.seminars, args.students, args.revisions
    ps = r // k  # revisions per student
    students = n * k
    day0 = "(DATE '2025-01-06' + ("  # the seminar's first day, then (seminar id % 300)
    url = recreate_database(BIG_DB)
    app = bench_app(url)
    migrate(app)
    started = time.monotonic()
    others = max(1, ps // 10)  # edits by non-students on each student's article
    with app.app_context():
        wiki = Wiki(api_url="https://fr.wikipedia.org/w/api.php")
        wiki.siteinfo = SiteInfo(api_url=wiki.api_url, sitename="Wikipédia", lang="fr",
                                 namespaces={i: Namespace(i, "", "", (), i == 0) for i in range(4)})
        db.session.add(wiki)
        db.session.commit()
        conn = db.session.connection()
        conn.execute(sa.text("SET synchronous_commit = off"))
        steps = [
            ("seminar", _insert_select(Seminar.__table__, {
                "slug": "'bench-' || s", "title": "'Séminaire ' || s", "wiki_id": "1",
                "start_date": "DATE '2025-01-06' + (s % 300)",
                "end_date": "DATE '2025-01-06' + (s % 300) + 90", "timezone": "'UTC'",
                "last_sync_at": "now() - interval '2 hours'",
            }, f"FROM generate_series(1, {n}) s")),
            ("participant", _insert_select(Participant.__table__, {
                "seminar_id": f"g / {k} + 1", "name": "'Étudiant ' || g", "role": "'student'",
                "wiki_username": "'Student ' || g", "wiki_user_id": "1000000 + g",
                "wiki_verified": "TRUE",
            }, f"FROM generate_series(0, {students - 1}) g")),
            # Three pages per student: the article, the sandbox, the article's talk page.
            ("page", _insert_select(Page.__table__, {
                "id": "3 * g + p + 1", "wiki_id": "1", "page_id": "3 * g + p + 1",
                "namespace": "CASE p WHEN 0 THEN 0 WHEN 1 THEN 2 ELSE 1 END",
                "title": "CASE p WHEN 0 THEN 'Article ' || g WHEN 1 THEN 'Utilisateur:Student ' "
                         "|| g || '/Brouillon' ELSE 'Discussion:Article ' || g END",
                "tracked": "p = 0", "last_rev_id": "NULL",
            }, f"FROM generate_series(0, {students - 1}) g, generate_series(0, 2) p")),
            # Each student's edits spread over the seminar's 90 days: 3 in 5 on the article,
            # 1 in the sandbox, 1 on the talk page; rev ids in time order per student.
            ("revision", _insert_select(Revision.__table__, {
                "id": "x", "wiki_id": "1", "rev_id": "x",
                "parent_id": f"CASE WHEN x % {ps} < 5 THEN 0 ELSE x - 5 END",
                "page_pk": f"3 * (x / {ps}) + 1 + CASE x % 5 WHEN 3 THEN 1 WHEN 4 THEN 2 ELSE 0 END",
                "user_id": f"1000000 + x / {ps}", "user_name": f"'Student ' || (x / {ps})",
                "timestamp": f"{day0}(x / {ps} / {k} + 1) % 300))::timestamptz "
                             f"+ (x % {ps}) * interval '{90 * 86400 // ps} seconds' "
                             "+ interval '9 hours'",
                "size": "1000 + x % 5000", "size_diff": "x % 700 - 100",
                "sha1": "md5(x::text)", "comment": "'edit ' || (x % 97)",
                "namespace": "CASE x % 5 WHEN 3 THEN 2 WHEN 4 THEN 1 ELSE 0 END",
                "title": f"'Article ' || (x / {ps})", "page_creation": f"x % {ps} < 3",
                "first_seen_at": f"{day0}(x / {ps} / {k} + 1) % 300))::timestamptz",
            }, f"FROM generate_series(0, {students * ps - 1}) x")),
            # Edits by other people on the students' articles (full histories are kept).
            ("revision (others)", _insert_select(Revision.__table__, {
                "id": f"{students * ps} + y", "wiki_id": "1",
                "rev_id": f"{students * ps} + y", "parent_id": "0",
                "page_pk": f"3 * (y / {others}) + 1", "user_id": "5000000 + y % 50000",
                "user_name": "'Someone ' || (y % 50000)",
                "timestamp": f"{day0}(y / {others} / {k} + 1) % 300))::timestamptz "
                             f"+ (y % {others}) * interval '1 day'",
                "namespace": "0", "title": f"'Article ' || (y / {others})",
                "first_seen_at": f"{day0}(y / {others} / {k} + 1) % 300))::timestamptz",
            }, f"FROM generate_series(0, {students * others - 1}) y")),
            ("revision_metrics", _insert_select(RevisionMetrics.__table__, {
                "revision_id": "x", "words_added": "x % 300", "words_removed": "x % 40",
                "chars_added": "x % 2000", "references_added": "x % 3",
                "sections_added": "x % 2", "wikilinks_added": "x % 6",
                "reverted": "x % 50 = 0", "is_revert": "x % 97 = 0",
            }, f"FROM generate_series(0, {students * ps - 1}) x")),
            ("authorship_figure", _insert_select(AuthorshipFigure.__table__, {
                "seminar_id": f"g / {k} + 1", "participant_id": "g + 1", "page_pk": "3 * g + 1",
                "as_of_rev_id": "0", "tokens": "500", "total_tokens": "800", "share": "0.6",
                "words": "300", "total_words": "500", "word_share": "0.6", "added": "400",
                "surviving_now": "350",
            }, f"FROM generate_series(0, {students - 1}) g")),
            ("sync_run", _insert_select(SyncRun.__table__, {
                "seminar_id": f"z / {args.runs} + 1", "status": "CASE WHEN z % 40 = 0 THEN "
                "'failed' ELSE 'success' END", "trigger": "'queue'",
                "started_at": f"now() - (z % {args.runs}) * interval '1 hour'",
                "finished_at": f"now() - (z % {args.runs}) * interval '1 hour' "
                               "+ interval '20 seconds'",
                "api_requests": "3", "worker": "'rq/bench'",
            }, f"FROM generate_series(0, {n * args.runs - 1}) z")),
        ]
        for name, sql in steps:
            t0 = time.monotonic()
            conn.execute(sa.text(sql))
            db.session.commit()
            conn = db.session.connection()
            print(f"  {name}: {time.monotonic() - t0:.1f} s", file=sys.stderr)
        for table in ("page", "revision"):
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        db.session.commit()
    with psycopg.connect(url, autocommit=True) as raw:
        t0 = time.monotonic()
        raw.execute("VACUUM ANALYZE")
        print(f"  vacuum analyze: {time.monotonic() - t0:.1f} s", file=sys.stderr)
        size = raw.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        counts = {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("seminar", "participant", "page", "revision", "revision_metrics", "sync_run")}
    print(f"populated {BIG_DB} in {time.monotonic() - started:.0f} s: {size}; "
          + ", ".join(f"{v:,} {t}" for t, v in counts.items()))


# -- explain: the plans of the queries that run most --------------------------------------------


@contextlib.contextmanager
def captured(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """Record the SQL statements (and parameters) executed on an engine."""
    found: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            found.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def hot_queries(app: Any, seminar: Seminar) -> dict[str, Callable[[], Any]]:
    """The queries a dashboard view, /healthz, the admin view and a sync run, by name."""
    from wikiseminar.scope import seminar_revisions

    session = db.session
    queries: dict[str, Callable[[], Any]] = {}
    try:
        from wikiseminar.reports.figures import student_figures
    except ImportError:  # the dashboard's reports are being written
        student_figures = None  # type: ignore[assignment]
    if student_figures is not None:
        queries["dashboard: reports.figures.student_figures"] = (
            lambda: student_figures(session, seminar))
    queries["report: per-student sums over scope.seminar_revisions"] = lambda: session.execute(
        seminar_revisions(seminar).outerjoin(
            RevisionMetrics, RevisionMetrics.revision_id == Revision.id)
        .with_only_columns(Revision.user_id, sa.func.count(Revision.id),
                           sa.func.sum(RevisionMetrics.words_added),
                           sa.func.sum(RevisionMetrics.references_added))
        .group_by(Revision.user_id).order_by(None)).all()
    queries["healthz: last successful sync"] = lambda: session.scalar(
        sa.select(sa.func.max(SyncRun.finished_at)).where(SyncRun.status == "success"))
    queries["admin: 100 latest sync runs"] = lambda: session.execute(
        sa.select(SyncRun, Seminar.slug).outerjoin(Seminar, Seminar.id == SyncRun.seminar_id)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(100)).all()
    queries["dashboard: the seminar's last run"] = lambda: session.scalar(
        sa.select(SyncRun).where(SyncRun.seminar_id == seminar.id)
        .order_by(SyncRun.started_at.desc()).limit(1))
    queries["sync: pages changed since the run began (measure)"] = lambda: session.scalars(
        sa.select(Revision.page_pk).where(
            Revision.wiki_id == seminar.wiki_id,
            Revision.first_seen_at >= dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).distinct()).all()
    queries["sync: an assigned article by title"] = lambda: session.scalar(
        sa.select(sa.text("id")).select_from(sa.table("page")).where(
            sa.text("wiki_id = 1 AND namespace = 0 AND title = 'Article 12345' AND NOT deleted")))
    return queries


def explain(args: argparse.Namespace) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) every SELECT behind the hot queries, on one seminar; then
    every statement of the dashboard page's first view of that seminar."""
    app = bench_app(pg_url(BIG_DB))
    migrate(app)
    client = _signed_in_client(app, [args.seminar])  # before the snapshot: it adds a participant
    _prepare_snapshots(app, [args.seminar], args.after_sync)
    with app.app_context():
        seminar = db.session.get(Seminar, args.seminar)
        if not args.page_only:
            for name, run in hot_queries(app, seminar).items():
                with captured(db.engine) as statements:
                    run()
                print(f"\n### {name}\n")
                for statement, params in statements:
                    print("```\n" + "\n".join(_plan(statement, params, args.short)) + "\n```")
                db.session.rollback()
    _explain_page(app, client, args)


def _plan(statement: str, params: Any, short: bool) -> list[str]:
    """The EXPLAIN (ANALYZE, BUFFERS) lines of one captured statement (a rolled-back run)."""
    plan = db.session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params).all()
    db.session.rollback()
    lines = [row[0] for row in plan]
    if short:
        lines = [ln for ln in lines if "Scan" in ln or "Join" in ln or "Loop" in ln
                 or "Execution Time" in ln]
    return lines


def _explain_page(app: Any, client: Any, args: argparse.Namespace) -> None:
    """Every statement of GET /seminars/<slug>/dashboard, first view in this process, with its
    plan; then a summary (execution time, rows, the scans and the indexes they use)."""
    if "dashboard.dashboard" not in app.view_functions:
        return
    with app.app_context(), captured(db.engine) as statements:
        response = client.get(f"/seminars/bench-{args.seminar}/dashboard")
    if response.status_code != 200:
        print(f"\n(the dashboard page answered {response.status_code}: no plans)")
        return
    print(f"\n### dashboard page, first view: the {len(statements)} statements it runs\n")
    summary = []
    with app.app_context():
        for i, (statement, params) in enumerate(statements, 1):
            lines = _plan(statement, params, False)
            shape = " ".join(statement.split())
            print(f"#### {i}. `{shape[:160]}{'…' if len(shape) > 160 else ''}`\n")
            shown = [ln for ln in lines if "Scan" in ln or "Join" in ln or "Loop" in ln
                     or "Execution Time" in ln] if args.short else lines
            print("```\n" + "\n".join(shown) + "\n```\n")
            time_ms = next((float(ln.split(":")[1].split()[0]) for ln in lines
                            if ln.startswith("Execution Time")), 0.0)
            rows = lines[0].split("rows=")[1].split()[0] if "rows=" in lines[0] else "?"
            scans = sorted({ln.strip().lstrip("-> ").split(" (actual")[0] for ln in lines
                            if " Scan" in ln and "(actual" in ln})
            summary.append((i, shape, time_ms, rows, scans))
    print("| # | statement | ms | rows | scans |\n|---:|---|---:|---:|---|")
    for i, shape, time_ms, rows, scans in summary:
        what = shape.split(" FROM ", 1)
        table = what[1].split()[0] if len(what) > 1 else "?"
        print(f"| {i} | {shape[:40]}… FROM {table} | {time_ms:.2f} | {rows} | {'; '.join(scans)} |")
    total = sum(t for _, _, t, _, _ in summary)
    print(f"\n{len(summary)} statements, {total:.1f} ms of execution in all (EXPLAIN ANALYZE, "
          "each run once more after the view: buffers warm)")


def dashboard(args: argparse.Namespace) -> None:
    """Median and p95 latency of each hot query over random seminars (warm cache)."""
    app = bench_app(pg_url(BIG_DB))
    migrate(app)  # a database populated by older code gets the newer tables (figure_snapshot)
    if args.gc_freeze:  # as wikiseminar.wsgi does once the app is built
        gc.collect()
        gc.freeze()
    rng = random.Random(7)
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Seminar))
        print(f"\n{total:,} seminars in the database; {args.samples} random seminars per query "
              f"(after {args.warmup} warm-up calls)\n")
        print("| query | median ms | p95 ms | max ms |\n|---|---:|---:|---:|")
        names = list(hot_queries(app, db.session.get(Seminar, 1)))
        for name in names:
            timings = []
            for i in range(args.warmup + args.samples):
                seminar = db.session.get(Seminar, rng.randint(1, total))
                run = hot_queries(app, seminar)[name]
                t0 = time.perf_counter()
                run()
                elapsed = (time.perf_counter() - t0) * 1000
                db.session.rollback()
                if i >= args.warmup:
                    timings.append(elapsed)
            _row(name, timings)
        _dashboard_page(app, rng, total, args)


def _row(name: str, timings: list[float]) -> None:
    """One markdown row: median, p95 and max of the timings (ms)."""
    timings = sorted(timings)
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
    print(f"| {name} | {statistics.median(timings):.1f} | {p95:.1f} | {timings[-1]:.1f} |")


def _signed_in_client(app: Any, seminar_ids: list[int]) -> Any:
    """A test client signed in as an instructor of these seminars (created when missing)."""
    from wikiseminar.models import Participant, Role, User

    app.config.update(WTF_CSRF_ENABLED=False, SESSION_COOKIE_SECURE=False)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "bench@example.org"))
        if user is None:
            user = User(email="bench@example.org", name="Bench", is_instructor=True)
            user.set_password("bench-password-0123456789")
            db.session.add(user)
            db.session.flush()
        have = set(db.session.scalars(sa.select(Participant.seminar_id).where(
            Participant.user_id == user.id)))
        for seminar_id in set(seminar_ids) - have:
            db.session.add(Participant(seminar_id=seminar_id, user_id=user.id, name="Bench",
                                       role=Role.INSTRUCTOR))
        db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"email": "bench@example.org",
                                     "password": "bench-password-0123456789"})
    return client


def _prepare_snapshots(app: Any, picked: list[int], after_sync: bool) -> None:
    """No figure snapshot at all (every first view computes the figures), or, with
    --after-sync, each picked seminar's snapshot as the end of its sync leaves it (timed)."""
    from wikiseminar.models import FigureSnapshot
    from wikiseminar.reports.snapshot import refresh_snapshot

    with app.app_context():
        db.session.execute(sa.delete(FigureSnapshot))
        db.session.commit()
        if not after_sync:
            print("\nNo figure snapshots: each first view computes the figures.")
            return
        costs = []
        for seminar_id in dict.fromkeys(picked):
            t0 = time.perf_counter()
            refresh_snapshot(db.session, db.session.get(Seminar, seminar_id))
            costs.append((time.perf_counter() - t0) * 1000)
    print(f"\nFigure snapshots computed as each sync ends them, {len(costs)} seminars: "
          f"{statistics.median(costs):.1f} ms median per seminar added to its sync.")


def _dashboard_page(app: Any, rng: random.Random, total: int, args: argparse.Namespace) -> None:
    """The instructor's dashboard page itself (GET /seminars/<slug>/dashboard), signed in;
    with the share of its time spent waiting for PostgreSQL (timed by SQLAlchemy events)."""
    if "dashboard.dashboard" not in app.view_functions:
        print("\n(the dashboard page does not exist yet: only its queries were timed)")
        return
    picked = [rng.randint(1, total) for _ in range(args.warmup + args.samples)]
    client = _signed_in_client(app, picked)
    _prepare_snapshots(app, picked, args.after_sync)
    in_db = [0.0]
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(*_: Any) -> None:
        in_db[0] += time.perf_counter() - started.pop()

    pauses: list[float] = []  # full (generation 2) garbage collections, ms
    collecting = [0.0]

    def collected(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[0] = time.perf_counter()
        elif info["generation"] == 2:
            pauses.append((time.perf_counter() - collecting[0]) * 1000)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    gc.callbacks.append(collected)
    timings, db_share, statuses = [], [], set()
    cpu = 0.0
    try:
        for i, seminar_id in enumerate(picked):
            in_db[0] = 0.0
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(f"/seminars/bench-{seminar_id}/dashboard")
            elapsed = (time.perf_counter() - t0) * 1000
            statuses.add(response.status_code)
            if i >= args.warmup:
                timings.append(elapsed)
                db_share.append(in_db[0] * 1000)
                cpu += time.process_time() - c0
    finally:
        gc.callbacks.remove(collected)
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
    if statuses != {200}:
        print(f"\n(the dashboard page answered {sorted(statuses)}: not timed)")
        return
    _row("**dashboard page** GET /seminars/&lt;slug&gt;/dashboard (test client, one process)",
         timings)
    _row("… of which waiting for PostgreSQL (statements' round trips)", db_share)
    print(f"\nDashboard page: {sum(db_share) / sum(timings):.0%} of the wall time waiting for "
          f"PostgreSQL; CPU time of this process {cpu * 1000 / len(timings):.1f} ms per view; "
          f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())} at the end. "
          f"Full garbage collections: {len(pauses)} in {len(picked)} views, "
          f"{max(pauses, default=0):.0f} ms the longest"
          f"{' (start-up objects frozen)' if args.gc_freeze else ''}.")


# -- sync: inline vs N workers against the local MediaWiki ---------------------------------------


class LatencyProxy:
    """A TCP proxy in front of the local wiki that holds every request for `delay` seconds:
    a wiki across a network, whose waiting parallel workers can overlap (the local wiki
    answers in milliseconds, so without it the benchmark measures CPU only)."""

    def __init__(self, upstream_port: int, delay: float) -> None:
        self.upstream_port = upstream_port
        self.delay = delay
        self.port = 0
        self.loop = asyncio.new_event_loop()

    def start(self) -> int:
        """Serve in a daemon thread; return the port to use instead of the wiki's."""
        ready = threading.Event()

        async def serve() -> None:
            server = await asyncio.start_server(self._client, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            async with server:
                await server.serve_forever()

        threading.Thread(target=self.loop.run_until_complete, args=(serve(),),
                         daemon=True).start()
        ready.wait(10)
        return self.port

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.upstream_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, delay: float) -> None:
            try:
                while data := await src.read(65536):
                    if delay:
                        await asyncio.sleep(delay)
                    dst.write(data)
                    await dst.drain()
            except ConnectionError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, upstream_writer, self.delay),
                             pipe(upstream_reader, writer, 0.0))


def sync(args: argparse.Namespace) -> None:
    """Import seminars into a local wiki; time a full sync inline and with 1, 2, 4 workers."""
    from tests.localwiki import LocalWiki, PageSpec, Rev, dump_xml
    from tests.queuekit import RedisSpace

    print(f"\nmachine: {machine()}\n", flush=True)
    wiki = LocalWiki(lang="fr", workers=args.php_workers)
    wiki.start()
    tag = uuid.uuid4().hex[:6]
    template = f"wikiseminar_bench_sync_{tag}"
    try:
        start = dt.date.today() - dt.timedelta(days=60)
        t0 = time.monotonic()
        names = [[f"B{tag} S{s} E{e}" for e in range(args.students)] for s in range(args.seminars)]
        flat = [n for group in names for n in group]
        for i in range(0, len(flat), 30):  # eval.php cuts lines at 1,024 bytes
            wiki.create_users(flat[i:i + 30])
        users_s = time.monotonic() - t0
        pages = []
        for s, group in enumerate(names):
            for e, name in enumerate(group):
                text = f"Article {s}-{e}. "
                revs = [Rev(name, dt.datetime.combine(start - dt.timedelta(days=5), dt.time(9),
                                                      tzinfo=dt.UTC), text)]
                for j in range(args.edits):
                    text += (f"\n\n== Partie {j} ==\nLe sujet {s}-{e} est traité ici avec des "
                             f"[[liens]] et une source<ref>Auteur {j}, ''Titre'', 2020.</ref>. ")
                    revs.append(Rev(name, dt.datetime.combine(start + dt.timedelta(days=2 + j),
                                                              dt.time(10 + e % 8), tzinfo=dt.UTC),
                                    text, f"partie {j}"))
                pages.append(PageSpec(f"Sujet {tag} {s} {e}", revs))
        for i in range(0, len(pages), 1000):  # the accounts exist: import the dump directly
            with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as dump:
                dump.write(dump_xml(pages[i:i + 1000]))
            try:
                wiki.php("importDump.php", "--no-updates", dump.name)
            finally:
                os.unlink(dump.name)
        setup_s = time.monotonic() - t0
        print(f"local wiki: {args.seminars} seminars × {args.students} students × {args.edits} "
              f"edits (+1 before the dates) = {len(pages) * (args.edits + 1):,} revisions; "
              f"accounts {users_s:.0f} s, import {setup_s - users_s:.0f} s "
              f"(PHP_CLI_SERVER_WORKERS={args.php_workers})\n", flush=True)

        url = recreate_database(template)
        app = bench_app(url)
        migrate(app)
        api_url = wiki.api_url
        if args.latency_ms:
            proxy = LatencyProxy(wiki.port, args.latency_ms / 1000)
            api_url = f"http://127.0.0.1:{proxy.start()}/api.php"
            print(f"requests go through a proxy adding {args.latency_ms} ms to each\n", flush=True)
        _seminars(app, api_url, names, start)
        space = f"bench-{tag}"
        redis_space = RedisSpace(tag=space, url=REDIS, hosts=[api_url.split("/")[2]])
        rows = []
        modes = ["inline"] + [f"{w} workers" for w in args.workers if w]
        before = None
        if args.ab:
            # A/B: the same inline sync with the code of another commit, runs interleaved.
            before = _checkout(args.ab, Path(tempfile.mkdtemp(prefix="wikiseminar-bench-ab-")))
            modes = [f"inline {args.ab}", "inline"]
        results: dict[str, list[float]] = {m: [] for m in modes}
        details: dict[str, Any] = {}
        for repeat in range(args.repeats):
            for mode in modes:
                name = f"wikiseminar_bench_run_{tag}"
                run_url = recreate_database(name, template)
                seconds, info = _timed_sync(mode, run_url, space, args,
                                            pythonpath=before if mode != "inline" else None)
                results[mode].append(seconds)
                details[mode] = info
                print(f"  run {repeat + 1} {mode}: {seconds:.1f} s {info}", file=sys.stderr,
                      flush=True)
                drop_database(name)
                redis_space.cleanup()
        for mode in modes:
            med = statistics.median(results[mode])
            rows.append(f"| {mode} | {med:.1f} | {', '.join(f'{s:.1f}' for s in results[mode])} "
                        f"| {details[mode].get('requests', '?')} "
                        f"| {details[mode].get('wikiseminar_cpu_s', '?')} |")
        print("| mode | median wall s | runs (s) | API requests | CPU s of wikiseminar processes |\n"
              "|---|---:|---|---:|---:|")
        print("\n".join(rows))
        if args.ab:
            ratio = (statistics.median(results["inline"])
                     / statistics.median(results[f"inline {args.ab}"]))
            print(f"\ninline sync, this tree / {args.ab}: {ratio:.2f} (median of "
                  f"{args.repeats} interleaved runs each)")
        if args.no_split:
            return
        profile_url = recreate_database(f"wikiseminar_bench_run_{tag}", template)
        _where_time_goes(profile_url, api_url, args)
        drop_database(f"wikiseminar_bench_run_{tag}")
    finally:
        drop_database(template)
        wiki.cleanup()


def _seminars(app: Any, api_url: str, names: list[list[str]], start: dt.date) -> None:
    """Seminar and participant rows for the imported students (wiki ids resolved by the sync)."""
    from wikiseminar.models import Participant, Role
    from wikiseminar.services.seminars import create_seminar
    from wikiseminar.sync.pipeline import client_for

    with app.app_context():
        client = client_for(api_url, app.config)
        for s, group in enumerate(names):
            seminar = create_seminar(db.session, slug=f"bench-{s:03d}", title=f"Séminaire {s}",
                                     api_url=api_url, start=start,
                                     end=start + dt.timedelta(days=90), client=client,
                                     timezone="UTC")
            for name in group:
                db.session.add(Participant(seminar=seminar, name=name, role=Role.STUDENT,
                                           wiki_username=name))
        db.session.commit()
        db.engine.dispose()


def _config_file(folder: Path, space: str, args: argparse.Namespace) -> Path:
    """The config the timed commands read: this benchmark's queue; the etiquette's
    concurrency as configured, the hourly budget out of the way (it is not what is measured)."""
    path = folder / "config.toml"
    path.write_text(
        '[wiki]\nuser_agent = "wikiseminar-bench/0.1"\ncontact = "bench@example.invalid"\n'
        f"max_concurrent_requests = {args.max_concurrent}\nhourly_request_budget = 10000000\n"
        f'[queue]\nname = "{space}"\n', encoding="utf-8")
    return path


def _checkout(ref: str, folder: Path) -> Path:
    """Extract the package sources of a git commit; return the folder to put on PYTHONPATH
    (it shadows the editable install of this tree for the subprocesses it is given to)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src", "templates",
                              "migrations", "static", "translations"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def _timed_sync(mode: str, url: str, space: str, args: argparse.Namespace,
                pythonpath: Path | None = None) -> tuple[float, dict[str, Any]]:
    """Wall time of one full sync of every seminar in `url`, inline or by N workers."""
    folder = Path(tempfile.mkdtemp(prefix="wikiseminar-bench-run-"))
    env = {**os.environ, "WIKISEMINAR_DATABASE_URL": url, "WIKISEMINAR_REDIS_URL": REDIS,
           "WIKISEMINAR_CONFIG": str(_config_file(folder, space, args)),
           "WIKISEMINAR_INSTANCE_PATH": str(folder / "instance")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    t0 = time.monotonic()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if mode.startswith("inline"):
        out = subprocess.run([str(WIKISEMINAR), "sync"], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(out.stderr[-2000:])
    else:
        workers = int(mode.split()[0])
        out = subprocess.run([str(WIKISEMINAR), "sync", "--enqueue"], env=env,
                             capture_output=True, text=True)
        if out.returncode != 0 or "enqueued" not in out.stdout:
            raise SystemExit(out.stdout + out.stderr[-2000:])
        procs = [subprocess.Popen([str(WIKISEMINAR), "worker", "--burst", "--log-level", "WARNING",
                                   "--name", f"{space}-{i}"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for i in range(workers)]
        for proc in procs:
            proc.wait()
    seconds = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    with psycopg.connect(url) as check:
        status = dict(check.execute(
            "SELECT status, count(*) FROM sync_run GROUP BY status").fetchall())
        requests = check.execute("SELECT sum(api_requests) FROM sync_run").fetchone()[0]
        revisions = check.execute("SELECT count(*) FROM revision").fetchone()[0]
    return seconds, {"runs": status, "requests": requests, "revisions": revisions,
                     "wikiseminar_cpu_s": round(cpu, 1)}


def _where_time_goes(url: str, api_url: str, args: argparse.Namespace) -> None:
    """One inline sync in this process, split into wiki time, analysis time and the rest."""
    import cProfile
    import pstats

    from wikiseminar.sync import pipeline

    app = bench_app(url)
    spent = {"wiki": 0.0, "analysis": 0.0}

    def timed(fn: Callable[..., Any], key: str) -> Callable[..., Any]:
        def wrapper(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[key] += time.perf_counter() - t0
        return wrapper

    from wikiseminar.sync import authorship, measure

    measure.measure_seminar = timed(measure.measure_seminar, "analysis")  # type: ignore[assignment]
    authorship.update_authorship = timed(authorship.update_authorship, "analysis")  # type: ignore[assignment]
    profiler = cProfile.Profile()
    with app.app_context():
        client = pipeline.client_for(api_url, app.config)
        client.call = timed(client.call, "wiki")  # type: ignore[method-assign]
        seminars = db.session.scalars(sa.select(Seminar).order_by(Seminar.id)).all()
        statements: dict[str, int] = {}

        def count(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                  executemany: bool) -> None:
            shape = " ".join(statement.split())[:90]
            statements[shape] = statements.get(shape, 0) + 1

        sa.event.listen(db.engine, "before_cursor_execute", count)
        t0 = time.perf_counter()
        profiler.enable()
        for seminar in seminars:
            pipeline.sync_seminar(db.session, seminar, client,
                                  pipeline.SyncOptions.from_config(app.config))
        profiler.disable()
        total = time.perf_counter() - t0
        sa.event.remove(db.engine, "before_cursor_execute", count)
    rest = total - spent["wiki"] - spent["analysis"]
    print(f"\nWhere an inline sync's {total:.1f} s go ({client.requests} requests, "
          f"{total / max(1, len(seminars)):.2f} s per seminar):\n")
    print("| part | seconds | share |\n|---|---:|---:|")
    for part, value in (("waiting for the wiki (HTTP)", spent["wiki"]),
                        ("analysis (metrics + authorship)", spent["analysis"]),
                        ("database and the rest", rest)):
        print(f"| {part} | {value:.1f} | {100 * value / total:.0f} % |")
    print(f"\n{sum(statements.values()):,} SQL statements sent "
          f"({sum(statements.values()) / max(1, len(seminars)):,.0f} per seminar); the most "
          "frequent:\n")
    for shape, n in sorted(statements.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    {n:6,}  {shape}")
    if args.profile:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(25)
        if args.profile_out:
            stats.dump_stats(args.profile_out)


def main() -> None:
    """Parse the subcommand and run it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("populate", help="synthetic department database in PostgreSQL")
    p.add_argument("--seminars", type=int, default=1000)
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--revisions", type=int, default=10000, help="students' revisions per seminar")
    p.add_argument("--runs", type=int, default=500, help="sync runs per seminar")
    p = sub.add_parser("explain", help="query plans on the populated database")
    p.add_argument("--seminar", type=int, default=500)
    p.add_argument("--short", action="store_true", help="only scan lines and timings")
    p.add_argument("--page-only", action="store_true",
                   help="only the statements of the dashboard page's first view")
    p.add_argument("--after-sync", action="store_true",
                   help="that view after a sync (its figure snapshot stored), not from scratch")
    p = sub.add_parser("dashboard", help="latency of the hot queries on the populated database")
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--gc-freeze", action="store_true",
                   help="freeze start-up objects out of the garbage collector, as wsgi.py does")
    p.add_argument("--after-sync", action="store_true",
                   help="time the first views after a sync, which leaves each seminar's figure "
                        "snapshot (default: none, every first view computes the figures)")
    p = sub.add_parser("sync", help="inline vs queued syncs against a local MediaWiki")
    p.add_argument("--seminars", type=int, default=100)
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--edits", type=int, default=3, help="edits per student inside the dates")
    p.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--php-workers", type=int, default=4)
    p.add_argument("--max-concurrent", type=int, default=3,
                   help="wiki.max_concurrent_requests of the queued runs (the etiquette)")
    p.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    p.add_argument("--profile-out", metavar="FILE", help="also save the cProfile stats there")
    p.add_argument("--latency-ms", type=int, default=0,
                   help="put the wiki behind a proxy adding this delay to every request")
    p.add_argument("--ab", metavar="REF",
                   help="time only inline syncs: this tree vs git commit REF, interleaved")
    p.add_argument("--no-split", action="store_true",
                   help="skip the in-process run that splits where the time goes")
    args = parser.parse_args()
    if args.command != "sync":
        print(f"machine: {machine()}\n")
    {"populate": populate, "explain": explain, "dashboard": dashboard, "sync": sync}[args.command](args)


if __name__ == "__main__":
    main()
