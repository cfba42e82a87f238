"""Benchmark the instructor's dashboard under load: 40 students, 10,000 revisions, 8 clients.

For each database (SQLite, PostgreSQL) the bench builds its own database, fills it with a
synthetic seminar (40 students with realistic distributions of edits, words, references,
reverts, assignments, stored article texts and authorship figures, plus others' edits in the
articles' histories), starts gunicorn on a free port with a secret key and that database,
signs in as the instructor, and times `GET /seminars/<slug>/dashboard` with 8 concurrent
clients; `GET /healthz` is timed the same way in the same run as a reference, so the ratio
says how much heavier the dashboard is than the cheapest page on this machine. The dashboard
is computed once per version of the data and then reused (reports/progress.py); the "cold"
column times, in process, a view computed from scratch (the first one after each sync, per
worker). Nothing is asserted: figures are printed (Markdown) and written to
bench/out/web.json.

Run from the repository root (PostgreSQL at 127.0.0.1:5432, trust auth):

    .venv/bin/python bench/web.py [--backends sqlite,postgresql] [--workers N] [--requests 100]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PASSWORD = "bench-password-123"
SECRET = "bench-secret-key-" + "0" * 32
PG_ADMIN = os.environ.get("WIKISEMINAR_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SLUG = "bench-dashboard"
STUDENTS = 40
REVISIONS = 10_000
OTHERS = 1_500  # edits by people outside the seminar in the articles' histories
WORDS = ("plateforme travail numérique données modération annotation livreurs coursiers "
         "algorithme sociologie enquête salariés indépendants revenus tâches chercheurs réseau "
         "coopérative syndicat droit statut contrat application usagers économie").split()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# -- the synthetic seminar ------------------------------------------------------------------


def fake_text(rng: random.Random, words: int, notice: str = "") -> str:
    """A French-looking article of about `words` words, with sections and references."""
    parts = [notice] if notice else []
    parts.append("Le '''sujet''' " + " ".join(rng.choice(WORDS) for _ in range(40)) + ".")
    while sum(len(p.split()) for p in parts) < words:
        parts.append(f"== {rng.choice(WORDS).capitalize()} ==\n"
                     + " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 160)))
                     + "<ref>{{Ouvrage |auteur=A. Auteur |titre=" + rng.choice(WORDS)
                     + " |année=2019}}</ref>.")
    parts.append("== Notes et références ==\n{{Références}}\n\n[[Catégorie:Travail]]")
    return "\n\n".join(parts)


def populate(app: Any, seed: int = 7) -> dict[str, int]:
    """Fill the bench database; return counts of what was inserted."""
    import sqlalchemy as sa

    from wikiseminar.extensions import db
    from wikiseminar.models import (
        ArticleKind,
        AssignedArticle,
        Assignment,
        AssignmentStatus,
        AuthorshipFigure,
        Page,
        Participant,
        Revision,
        RevisionMetrics,
        RevisionText,
        Role,
        Seminar,
        SyncRun,
        Topic,
        User,
        Wiki,
    )
    from wikiseminar.models._types import utcnow
    from wikiseminar.wiki.types import SiteInfo

    rng = random.Random(seed)
    start, end = dt.date(2026, 1, 5), dt.date(2026, 4, 24)
    with app.app_context():
        session = db.session
        wiki = Wiki(api_url="https://bench.wikiseminar.invalid/w/api.php")
        wiki.siteinfo = SiteInfo(api_url=wiki.api_url, sitename="Bench", lang="fr",
                                 server="https://bench.wikiseminar.invalid")
        session.add(wiki)
        seminar = Seminar(slug=SLUG, title="Séminaire de mesure", wiki=wiki, start_date=start,
                          end_date=end, timezone="Europe/Paris",
                          restitution_at=dt.datetime(2026, 4, 21, 12, tzinfo=dt.UTC))
        session.add(seminar)
        prof = User(email="prof@bench.example.org", name="Prof", is_instructor=True)
        prof.set_password(PASSWORD)
        session.add(prof)
        session.add(Participant(seminar=seminar, user=prof, name="Prof", role=Role.INSTRUCTOR))
        topics = [Topic(seminar=seminar, title=f"Sujet {i}", suggested_articles="") for i in range(12)]
        session.add_all(topics)
        session.flush()
        students = []
        for i in range(STUDENTS):
            account = "missing" if i in (3, 17) else ("unverified" if i in (8, 25) else "verified")
            p = Participant(seminar=seminar, name=f"Étudiant·e {i:02d}", role=Role.STUDENT,
                            wiki_username=None if account == "missing" else f"Etu{i:02d}",
                            wiki_user_id=None if account == "missing" else 500_000 + i,
                            wiki_verified=account == "verified")
            session.add(p)
            students.append(p)
        session.flush()
        # Pages: per student 1-2 assigned articles, a sandbox, a user page, sometimes a talk page;
        # 30 articles shared by several students.
        page_rows: list[dict[str, Any]] = []
        page_id = 9_000_000

        def add_page(title: str, ns: int) -> int:
            nonlocal page_id
            page_id += 1
            page_rows.append({"wiki_id": wiki.id, "page_id": page_id, "title": title,
                              "namespace": ns, "redirect": False, "deleted": False,
                              "tracked": ns == 0})
            return page_id

        own: dict[int, dict[str, list[int]]] = {}
        shared = [add_page(f"Article partagé {i}", 0) for i in range(30)]
        statuses = [AssignmentStatus.APPROVED] * 34 + [AssignmentStatus.PROPOSED] * 3 + [
            AssignmentStatus.CHANGES_REQUESTED, AssignmentStatus.REJECTED]
        for i, p in enumerate(students):
            articles = [add_page(f"Article {i:02d}-{k}", 0) for k in range(rng.choice((1, 1, 2)))]
            sandbox = add_page(f"Utilisateur:Etu{i:02d}/Brouillon", 2)
            user_page = add_page(f"Utilisateur:Etu{i:02d}", 2)
            talk = [add_page(f"Discussion:Article {i:02d}-0", 1)] if rng.random() < 0.6 else []
            own[p.id] = {"articles": articles, "sandbox": [sandbox], "user": [user_page], "talk": talk}
            if i < len(statuses):
                assignment = Assignment(participant=p, topic=topics[i % len(topics)],
                                        status=statuses[i])
                for k, pid in enumerate(articles):
                    kind = ArticleKind.CREATE if k == 0 and i % 3 else ArticleKind.IMPROVE
                    assignment.articles.append(AssignedArticle(
                        title=f"Article {i:02d}-{k}", kind=kind, wiki_page_id=pid,
                        exists_on_wiki=True, sandbox_title=f"Utilisateur:Etu{i:02d}/Brouillon"
                        if k == 0 else None, sandbox_page_id=sandbox if k == 0 else None))
                session.add(assignment)
        session.execute(sa.insert(Page), page_rows)
        pk_of = dict(session.execute(sa.select(Page.page_id, Page.id).where(Page.wiki_id == wiki.id)).all())
        # Revisions: a heavy-tailed number per student, more of them late in the seminar.
        active = [p for p in students if p.wiki_user_id]
        weights = [rng.lognormvariate(0, 0.9) for _ in active]
        scale = REVISIONS / sum(weights)
        counts = [max(1, round(w * scale)) for w in weights]
        counts[0] += REVISIONS - sum(counts)
        span = (dt.datetime.combine(end, dt.time()) - dt.datetime.combine(start, dt.time())).total_seconds()
        events: list[tuple[dt.datetime, int | None, str, int, bool]] = []
        for p, n in zip(active, counts, strict=True):
            pages = own[p.id]
            for _ in range(n):
                r = rng.random()
                group = ("articles" if r < 0.45 else "sandbox" if r < 0.75 else "shared" if r < 0.85
                         else "talk" if r < 0.95 and pages["talk"] else "user")
                target = rng.choice(shared if group == "shared" else pages[group])
                when = dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC) + dt.timedelta(
                    seconds=span * rng.betavariate(2.0, 1.3))
                events.append((when, p.wiki_user_id, p.wiki_username or "", target, True))
        for _ in range(OTHERS):
            target = rng.choice(shared + [a for o in own.values() for a in o["articles"]])
            when = dt.datetime(2025, 6, 1, tzinfo=dt.UTC) + dt.timedelta(days=rng.uniform(0, 320))
            events.append((when, 100 + rng.randint(0, 300), "Autre", target, False))
        events.sort()
        rev_rows, metric_plan, last, seen = [], [], {}, set()
        for n, (when, user_id, user_name, target, student) in enumerate(events):
            rev_id = 200_000_000 + 11 * n
            parent = last.get(target, 0)
            size = rng.randint(200, 30_000)
            rev_rows.append({
                "wiki_id": wiki.id, "rev_id": rev_id, "parent_id": parent, "page_pk": pk_of[target],
                "user_id": user_id, "user_name": user_name, "timestamp": when, "size": size,
                "size_diff": rng.randint(-300, 2500), "sha1": uuid.uuid4().hex[:31],
                "comment": "modification", "tags": [], "minor": rng.random() < 0.1,
                "page_creation": target not in seen, "namespace": 0, "title": "", "text_hidden": False, "user_hidden": False, "comment_hidden": False,
                "suppressed": False, "deleted": False, "first_seen_at": utcnow(),
            })
            seen.add(target)
            last[target] = rev_id
            if student:
                metric_plan.append(rev_id)
        ns_of = {r["page_id"]: r["namespace"] for r in page_rows}
        title_of = {r["page_id"]: r["title"] for r in page_rows}
        page_of_pk = {v: k for k, v in pk_of.items()}
        for row in rev_rows:
            row["namespace"] = ns_of[page_of_pk[row["page_pk"]]]
            row["title"] = title_of[page_of_pk[row["page_pk"]]]
        for chunk in range(0, len(rev_rows), 2000):
            session.execute(sa.insert(Revision), rev_rows[chunk:chunk + 2000])
        rev_pk = dict(session.execute(sa.select(Revision.rev_id, Revision.id).where(
            Revision.wiki_id == wiki.id)).all())
        metric_rows = []
        for rev_id in metric_plan:
            words = int(rng.lognormvariate(3.2, 1.1)) if rng.random() < 0.8 else 0
            metric_rows.append({
                "revision_id": rev_pk[rev_id], "words_added": words,
                "words_removed": int(words * rng.random() * 0.3), "chars_added": words * 6,
                "chars_removed": 0, "references_added": int(rng.random() < 0.25) + int(rng.random() < 0.05),
                "references_removed": 0, "cited_references_added": int(rng.random() < 0.2),
                "sections_added": int(rng.random() < 0.1), "sections_added_by_level": "{}",
                "wikilinks_added": rng.randint(0, 3), "external_links_added": int(rng.random() < 0.05),
                "files_added": int(rng.random() < 0.02), "templates_added": int(rng.random() < 0.2),
                "infoboxes_added": 0, "categories_added": int(rng.random() < 0.03), "created": False,
                "redirect_created": False, "is_redirect": False, "is_move": False,
                "is_revert": rng.random() < 0.01, "reverted": rng.random() < 0.04, "reverted_by": None,
                "flags": [], "analysis_version": 1, "computed_at": utcnow(),
            })
        for chunk in range(0, len(metric_rows), 2000):
            session.execute(sa.insert(RevisionMetrics), metric_rows[chunk:chunk + 2000])
        # Current texts of the articles (what the deletion-notice rule reads), a few nominated.
        texts = []
        for page_id_, rev_id in last.items():
            if ns_of[page_id_] != 0:
                continue
            notice = "{{Admissibilité à vérifier|date=mars 2026}}" if rng.random() < 0.04 else ""
            text = fake_text(rng, rng.randint(800, 3000), notice)
            texts.append({"wiki_id": wiki.id, "rev_id": rev_id, "content": zlib.compress(text.encode(), 6),
                          "length": len(text), "hidden": False, "fetched_at": utcnow()})
        session.execute(sa.insert(RevisionText), texts)
        for page_id_, rev_id in last.items():
            session.execute(sa.update(Page).where(Page.id == pk_of[page_id_]).values(
                last_rev_id=rev_id, history_rev_id=rev_id))
        figures = []
        for p in active:
            for pid in own[p.id]["articles"]:
                total = rng.randint(800, 3000)
                words = int(total * rng.uniform(0.05, 0.9))
                added = int(words * rng.uniform(1.0, 1.4))
                figures.append(AuthorshipFigure(
                    seminar_id=seminar.id, participant_id=p.id, page_pk=pk_of[pid],
                    as_of_rev_id=last.get(pid, 0), tokens=words * 2, total_tokens=total * 2,
                    share=words / total, words=words, total_words=total, word_share=words / total,
                    added=added, surviving_now=words, surviving_7d=int(added * 0.9), pending_7d=0,
                    reverted=added - words))
        session.add_all(figures)
        seminar.last_sync_at = utcnow()
        session.add(SyncRun(seminar_id=seminar.id, status="success", trigger="cli",
                            started_at=utcnow(), finished_at=utcnow()))
        session.commit()
        return {"students": STUDENTS, "student_revisions": len(metric_plan),
                "other_revisions": OTHERS, "pages": len(page_rows), "texts": len(texts)}


# -- databases, server, clients -------------------------------------------------------------


@contextlib.contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh database URL of this backend, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite'}"
        return
    import psycopg

    name = f"wikiseminar_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def environment(url: str, instance: Path) -> dict[str, str]:
    """The environment of the app: its own database, instance folder and secret key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKISEMINAR_")}
    env.update(WIKISEMINAR_DATABASE_URL=url, WIKISEMINAR_SECRET_KEY=SECRET,
               WIKISEMINAR_INSTANCE_PATH=str(instance))
    return env


def prepare(url: str, instance: Path) -> dict[str, int]:
    """Migrate and fill the database (in this process, with the env the server will use)."""
    os.environ.update(environment(url, instance))
    for key in ("WIKISEMINAR_CONFIG", "WIKISEMINAR_REDIS_URL"):
        os.environ.pop(key, None)
    instance.mkdir(parents=True, exist_ok=True)
    # The bench talks plain HTTP to 127.0.0.1: the session cookie may not require HTTPS.
    (instance / "config.toml").write_text("[session]\ncookie_secure = false\n", encoding="utf-8")
    from flask_migrate import upgrade

    from wikiseminar import create_app
    from wikiseminar.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
    counts = populate(app)
    with app.app_context():
        db.engine.dispose()
    return counts


def cold_views(runs: int = 5) -> dict[str, float]:
    """The dashboard computed from scratch (first view after a sync, per worker), in process."""
    from wikiseminar import create_app
    from wikiseminar.extensions import db
    from wikiseminar.models import User
    from wikiseminar.reports import progress
    from wikiseminar.web import dashboard

    app = create_app({"SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    with app.app_context():
        import sqlalchemy as sa

        user_id = db.session.scalar(sa.select(User.id).where(User.is_instructor.is_(True)))
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(user_id), True
    client.get(f"/seminars/{SLUG}/dashboard")  # compile templates, open connections
    times = []
    for _ in range(runs):
        progress._CACHE.clear()
        dashboard._BODIES.clear()
        began = time.perf_counter()
        assert client.get(f"/seminars/{SLUG}/dashboard").status_code == 200
        times.append((time.perf_counter() - began) * 1000)
    with app.app_context():
        db.engine.dispose()
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
            "runs": runs}


@contextlib.contextmanager
def gunicorn(url: str, instance: Path, workers: int) -> Iterator[str]:
    """gunicorn serving the app on a free port; yields the base URL."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wikiseminar.wsgi:app"]
    process = subprocess.Popen(command, env=environment(url, instance), cwd=ROOT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def signed_in(base: str) -> requests.Session:
    """A client signed in as the instructor through the real form (CSRF token included)."""
    client = requests.Session()
    form = client.get(f"{base}/auth/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token, "no CSRF token on the sign-in page"
    answer = client.post(f"{base}/auth/login", data={"csrf_token": token.group(1),
                         "email": "prof@bench.example.org", "password": PASSWORD},
                         allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return client


def load(base: str, path: str, clients: int, per_client: int, cookies: Any) -> list[float]:
    """`clients` threads each GET `path` `per_client` times; return the latencies in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def worker() -> None:
        session = requests.Session()
        session.cookies.update(cookies)
        mine = []
        for _ in range(per_client):
            began = time.perf_counter()
            answer = session.get(f"{base}{path}", timeout=60)
            mine.append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                errors.append(f"{path}: {answer.status_code}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, first: {errors[0]}")
    return latencies


def summary(values: list[float]) -> dict[str, float]:
    """Median and p95 in ms."""
    return {"median_ms": round(statistics.median(values), 1), "p95_ms": round(percentile(values, 95), 1),
            "requests": len(values)}


def bench(backend: str, workers: int, per_client: int, clients: int) -> dict[str, Any]:
    """One backend: build, serve, warm up, measure the dashboard and /healthz."""
    folder = Path(tempfile.mkdtemp(prefix=f"wikiseminar-bench-{backend}-"))
    try:
        with database(backend, folder) as url:
            began = time.perf_counter()
            counts = prepare(url, folder / "instance")
            built = time.perf_counter() - began
            cold = cold_views()
            with gunicorn(url, folder / "instance", workers) as base:
                client = signed_in(base)
                dashboard = f"/seminars/{SLUG}/dashboard"
                page = client.get(f"{base}{dashboard}", timeout=60)
                assert page.status_code == 200 and "progress-table" in page.text, page.status_code
                load(base, dashboard, clients, 3, client.cookies)  # warm every worker
                load(base, "/healthz", clients, 3, client.cookies)
                serial = load(base, dashboard, 1, max(10, per_client // 2), client.cookies)
                healthz = load(base, "/healthz", clients, per_client, client.cookies)
                measured = load(base, dashboard, clients, per_client, client.cookies)
        dash, ref = summary(measured), summary(healthz)
        return {"backend": backend, "data": counts, "build_seconds": round(built, 1),
                "workers": workers, "clients": clients, "dashboard": dash, "healthz": ref,
                "dashboard_one_client": summary(serial), "dashboard_cold": cold,
                "ratio_p95": round(dash["p95_ms"] / ref["p95_ms"], 1) if ref["p95_ms"] else None,
                "ratio_median": round(dash["median_ms"] / ref["median_ms"], 1) if ref["median_ms"] else None}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Run the bench and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn workers (default: one per CPU; the dashboard is CPU-bound)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=100, help="requests per client")
    args = parser.parse_args()
    results = [bench(b.strip(), args.workers, args.requests, args.clients)
               for b in args.backends.split(",") if b.strip()]
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(),
               "machine": platform.machine(), "system": platform.platform(),
               "processor": _cpu_model()}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "web.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    print(f"machine: {machine['processor']}, {machine['cpus']} CPUs, Python {machine['python']}")
    print(f"data: {results[0]['data']}" if results else "")
    print("| database | gunicorn workers | clients | dashboard median | dashboard p95 | "
          "/healthz median | /healthz p95 | p95 ratio | dashboard, 1 client (median / p95) | "
          "cold dashboard (median / max) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        d, h, s = r["dashboard"], r["healthz"], r["dashboard_one_client"]
        print(f"| {r['backend']} | {r['workers']} | {r['clients']} | {d['median_ms']} ms | "
              f"{d['p95_ms']} ms | {h['median_ms']} ms | {h['p95_ms']} ms | {r['ratio_p95']}× | "
              f"{s['median_ms']} / {s['p95_ms']} ms | {r['dashboard_cold']['median_ms']} / "
              f"{r['dashboard_cold']['max_ms']} ms |")


def _cpu_model() -> str:
    """The CPU's model name, when Linux says it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    main()
