"""How many api.php requests a first sync and a no-change resync make, next to the minimum.

The seminar runs from 2024-01-08 to 60 days from now, so the resync is the one cron runs
every hour during a seminar: it re-reads every participant's contributions since the last run.

Against a real local MediaWiki (Debian's 1.39, started here), for S students and R revisions:
the minimum of the issue is ceil(S/50) usercontribs requests per contributions pass plus
ceil(T/50) content requests for T texts; a no-change resync should cost ceil(S/50) + 1.
Usage: .venv/bin/python bench/sync_requests.py [--students 40 --revisions 400] [--bot]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.localwiki import BOT_LOGIN, BOT_PASSWORD, LocalWiki, PageSpec, Rev  # noqa: E402

from wikiseminar import create_app  # noqa: E402
from wikiseminar.extensions import db  # noqa: E402
from wikiseminar.models import Participant, Role, Seminar  # noqa: E402
from wikiseminar.services.seminars import create_seminar  # noqa: E402
from wikiseminar.sync.pipeline import SyncOptions, client_for, sync_seminar  # noqa: E402

WORDS = ("plateforme travail numérique données réseau commun savoir enquête terrain usage "
         "algorithme modération contribution communauté sociologie économie").split()


def build_history(students: list[str], revisions: int, seed: int = 7) -> list[PageSpec]:
    """Each student writes an article and a sandbox; edits are spread over the seminar's weeks."""
    rng = random.Random(seed)
    pages: list[PageSpec] = []
    for name in students:
        pages.append(PageSpec(f"Article de {name}", []))
        pages.append(PageSpec(f"Utilisateur:{name}/Brouillon", [], ns=2))
    start = dt.datetime(2024, 1, 10, tzinfo=dt.UTC)
    texts: dict[str, str] = {}
    for i in range(revisions):
        index = i % len(pages)
        page = pages[index]
        author = students[index // 2]
        stamp = start + dt.timedelta(minutes=7 * i)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        texts[page.title] = texts.get(page.title, f"== {page.title} ==\n") + f"\n{words}."
        page.revisions.append(Rev(author, stamp, texts[page.title], f"édition {i}"))
    return [p for p in pages if p.revisions]


def classify(url: str) -> str:
    """A request's kind: list=usercontribs, prop=info, prop=revisions, meta=…, login."""
    query = parse_qs(urlparse(url).query)
    if "list" in query:
        return "list=" + query["list"][0]
    if "prop" in query:
        return "prop=" + query["prop"][0]
    if "meta" in query:
        return "meta=" + query["meta"][0]
    return query.get("action", ["POST (login)"])[0]


def run(students: int, revisions: int, bot: bool) -> dict[str, object]:
    """Build a wiki and a seminar, sync twice, return the request counts."""
    wiki = LocalWiki(lang="fr")
    wiki.start()
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        names = [f"Étudiant {i:03d}" for i in range(students)]
        wiki.import_pages(build_history(names, revisions))
        if bot:
            wiki.bot()
        os.environ["WIKISEMINAR_INSTANCE_PATH"] = str(work)
        config = {"TESTING": True, "SECRET_KEY": "bench" * 8,
                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}/bench.sqlite",
                  "WIKI_CONTACT": "bench@example.invalid", "SYNC_WATERMARK_OVERLAP_MINUTES": 0}
        if bot:
            config.update(WIKI_BOT_USERNAME=BOT_LOGIN, WIKI_BOT_PASSWORD=BOT_PASSWORD)
        app = create_app(config)
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
            client = client_for(wiki.api_url, app.config)
            seminar = create_seminar(db.session, slug="bench", title="Bench", api_url=wiki.api_url,
                                     start=dt.date(2024, 1, 8), end=dt.date.today() + dt.timedelta(days=60),
                                     client=client, timezone="UTC")
            ids = {u.name: u.userid for u in client.users(names)}
            for name in names:
                db.session.add(Participant(seminar=seminar, name=name, role=Role.STUDENT,
                                           wiki_username=name, wiki_user_id=ids[name]))
            db.session.commit()
            results = {}
            for label in ("first", "resync"):
                client = client_for(wiki.api_url, app.config)
                kinds: Counter[str] = Counter()
                client.site.connection.hooks["response"].append(
                    lambda r, *a, kinds=kinds, **k: kinds.update([classify(r.request.url or "")]))
                seminar = db.session.get(Seminar, seminar.id)
                run = sync_seminar(db.session, seminar, client, SyncOptions.from_config(app.config))
                assert run.status == "success", run.error
                results[label] = {"requests": run.api_requests, "texts": run.texts_fetched,
                                  "revisions": run.revisions_added, "kinds": dict(kinds)}
        return results
    finally:
        wiki.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, nargs="+", default=[40, 120])
    parser.add_argument("--revisions", type=int, nargs="+", default=[400, 2400])
    parser.add_argument("--bot", action="store_true", help="sync with the bot password (apihighlimits)")
    args = parser.parse_args()
    print("| S | R | auth | first sync | texts | minimum | ratio | resync | goal | first sync by kind | resync by kind |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for students, revisions in zip(args.students, args.revisions, strict=True):
        result = run(students, revisions, args.bot)
        first, resync = result["first"], result["resync"]
        minimum = math.ceil(students / 50) + math.ceil(first["texts"] / 50)
        goal = math.ceil(students / 50) + 1
        kinds = [", ".join(f"{k}: {v}" for k, v in sorted(r["kinds"].items())) for r in (first, resync)]
        print(f"| {students} | {revisions} | {'bot' if args.bot else 'anonymous'} | {first['requests']} | "
              f"{first['texts']} | {minimum} | {first['requests'] / minimum:.3f} | {resync['requests']} | "
              f"{goal} | {kinds[0]} | {kinds[1]} |", flush=True)


if __name__ == "__main__":
    main()
