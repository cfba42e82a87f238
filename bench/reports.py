"""Benchmark the contribution reports: the whole class as one PDF, and one student's PDF.

Builds a French seminar of --students students (default 40) in a throw-away SQLite database
(migrated like production), each with a topic, two assigned articles and a draft, and a
seeded history of French wikitext revisions (sections, <ref> sources, links, files). The
revisions are measured by the sync's own `measure_seminar`, and authorship figures are
stored for the articles, so every part of a report is filled: figures, articles, charts,
excerpts (parsed from the stored texts at report time). Then it times, median of --runs:

1. `build_reports` (the figures and the excerpts of every student);
2. `render_reports` (Jinja HTML with the SVG charts);
3. `html_to_pdf` (WeasyPrint) of the class document, and its page count;
4. the same three steps for a single student's report;
5. the class PDF as the app builds it now (`services.documents.class_pdf`: each student's part
   rendered alone by a pool of processes as soon as the student's report is built, kept by
   content, bound behind a cover): cold (no part kept), and after one student's data changed
   (every other part kept). The one-document render of step 3 is the reference these are
   compared with, measured in the same run. The pool's fork server outlives a build, so only
   the first cold run pays for starting it (it is printed apart).

Run from the repository root (about two minutes):

    .venv/bin/python bench/reports.py [--students 40] [--runs 3] [--keep class.pdf]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the class PDF's worker processes run this script again: keep it light
    from flask import Flask

WORDS = (
    "plateforme travail numérique économie société données algorithme salarié indépendant "
    "contrat rémunération tâche micro-travail modération contenu réseau utilisateur service "
    "entreprise marché régulation droit protection vie privée surveillance capitalisme "
    "intelligence artificielle annotation image texte apprentissage modèle chercheur étude "
    "enquête sociologie histoire développement mondial France Europe Afrique Madagascar "
    "livreur chauffeur application notation client gouvernement syndicat grève tribunal "
    "décision statut emploi précarité revenu heure semaine mois année politique publique"
).split()
LINKS = ("Économie collaborative", "Uber", "Amazon Mechanical Turk", "Sociologie du travail",
         "Intelligence artificielle", "Données personnelles", "Syndicalisme")


def sentence(rng: random.Random) -> str:
    """A French-looking sentence with accents, a link now and then."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    if rng.random() < 0.3:
        words.insert(rng.randint(1, len(words) - 1), f"[[{rng.choice(LINKS)}]]")
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    """Three to six sentences, with a source half of the time."""
    text = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
    if rng.random() < 0.5:
        text += (f"<ref>{{{{Ouvrage|auteur={rng.choice(WORDS).title()}|titre="
                 f"{sentence(rng)[:40]}|année={rng.randint(1990, 2023)}}}}}</ref>")
    return text


def grow(rng: random.Random, text: str, section: int) -> str:
    """One student edit: a new paragraph, sometimes a section or a file."""
    addition = paragraph(rng)
    if rng.random() < 0.25:
        addition = f"== Partie {section} ==\n{addition}"
    if rng.random() < 0.1:
        addition += f"\n[[Fichier:Illustration {section}.jpg|vignette|{sentence(rng)}]]"
    return (text + "\n\n" + addition).strip()


def build_seminar(app: Flask, students: int, seed: int = 11) -> int:
    """A seminar of `students` students with measured histories; returns its id."""
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
        RevisionText,
        Role,
        Seminar,
        Topic,
        Wiki,
    )
    from wikiseminar.sync.measure import measure_seminar
    from wikiseminar.wiki.types import SiteInfo

    rng = random.Random(seed)
    with app.app_context():
        wiki = Wiki(api_url="https://fr.example.org/w/api.php")
        wiki.siteinfo = SiteInfo(api_url=wiki.api_url, sitename="Wikipédia", lang="fr",
                                 server="https://fr.example.org")
        seminar = Seminar(slug="bench-reports", title="Cultures numériques : travail et plateformes",
                          wiki=wiki, language="fr", start_date=dt.date(2024, 1, 8),
                          end_date=dt.date(2024, 3, 31), timezone="Europe/Paris",
                          last_sync_at=dt.datetime(2024, 4, 1, 8, tzinfo=dt.UTC),
                          freeze_at=dt.datetime(2024, 3, 20, 23, tzinfo=dt.UTC))
        db.session.add(seminar)
        db.session.flush()
        rev_id = 1000
        page_id = 100
        for number in range(students):
            person = Participant(seminar=seminar, name=f"Étudiant·e {number:02d} Lefèvre",
                                 email=f"etudiant{number}@example.org", role=Role.STUDENT,
                                 wiki_username=f"Étudiant {number}", wiki_user_id=5000 + number,
                                 wiki_verified=number % 5 != 0)
            topic = Topic(seminar=seminar, title=f"Plateformes et travail n° {number}")
            assignment = Assignment(participant=person, topic=topic, status=AssignmentStatus.APPROVED)
            db.session.add_all([person, topic, assignment])
            for index in range(2):
                page_id += 1
                title = f"Travail des plateformes {number}-{index}"
                page = Page(wiki=wiki, page_id=page_id, namespace=0, title=title, tracked=True)
                db.session.add(page)
                db.session.add(AssignedArticle(assignment=assignment, title=title,
                                               kind=ArticleKind.CREATE if index == 0 else ArticleKind.IMPROVE,
                                               wiki_page_id=page_id, exists_on_wiki=True))
                text = "" if index == 0 else paragraph(rng)
                parent = 0
                if index == 1:  # someone else wrote the article before the seminar
                    rev_id += 1
                    db.session.add(Revision(wiki_id=wiki.id, rev_id=rev_id, page=page, user_id=1,
                                            user_name="Autre", timestamp=dt.datetime(2023, 5, 1, tzinfo=dt.UTC),
                                            namespace=0, title=title, page_creation=True))
                    db.session.add(RevisionText(wiki_id=wiki.id, rev_id=rev_id, content=RevisionText.pack(text),
                                                length=len(text)))
                    parent = rev_id
                day = dt.datetime(2024, 1, 15, 10, tzinfo=dt.UTC)
                for step in range(rng.randint(8, 14)):
                    rev_id += 1
                    text = grow(rng, text, step)
                    day += dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6))
                    db.session.add(Revision(wiki_id=wiki.id, rev_id=rev_id, parent_id=parent, page=page,
                                            user_id=5000 + number, user_name=person.wiki_username,
                                            timestamp=day, namespace=0, title=title,
                                            page_creation=parent == 0, size=len(text)))
                    db.session.add(RevisionText(wiki_id=wiki.id, rev_id=rev_id,
                                                content=RevisionText.pack(text), length=len(text)))
                    parent = rev_id
                db.session.flush()
                words = len(text.split())
                db.session.add(AuthorshipFigure(
                    seminar_id=seminar.id, participant_id=person.id, page=page, as_of_rev_id=rev_id,
                    tokens=words, total_tokens=words + 40, share=0.8, words=int(words * 0.8),
                    total_words=words, word_share=0.8, added=words, surviving_now=int(words * 0.9),
                    surviving_7d=int(words * 0.95), pending_7d=0, reverted=0))
        db.session.flush()
        participants = list(seminar.participants)
        measured = measure_seminar(db.session, seminar, participants, [])
        db.session.commit()
        print(f"seminar: {students} students, {measured} revisions measured")
        return seminar.id


def page_count(pdf: bytes) -> int | str:
    """Pages of a PDF, with pypdf when it is installed (the test extra)."""
    try:
        import pypdf
    except ImportError:
        return "?"
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds of `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    """Build the seminar, time the reports, print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the class PDF here")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from wikiseminar import create_app
    from wikiseminar.extensions import db
    from wikiseminar.models import Seminar
    from wikiseminar.reports.documents import render_reports
    from wikiseminar.reports.pdf import html_to_pdf
    from wikiseminar.reports.student import build_reports

    folder = Path(tempfile.mkdtemp(prefix="wikiseminar-bench-reports-"))
    os.environ["WIKISEMINAR_INSTANCE_PATH"] = str(folder)
    app = create_app({"SECRET_KEY": "bench-" + "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}"})
    with app.app_context():
        upgrade()
    seminar_id = build_seminar(app, args.students)
    load_before = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    rows = []
    with app.app_context():
        seminar = db.session.get(Seminar, seminar_id)
        assert seminar is not None
        for label, people in (("class", None), ("one student", seminar.participants[:1])):
            build_s, reports = timed(lambda p=people: build_reports(db.session, seminar, p), args.runs)
            render_s, html = timed(lambda r=reports: render_reports(seminar, r, lang="fr"), args.runs)
            pdf_s, pdf = timed(lambda h=html: html_to_pdf(h), args.runs)
            pages = page_count(pdf)
            rows.append((label, len(reports), build_s, render_s, pdf_s, len(pdf), pages))
            if label == "class" and args.keep:
                args.keep.write_bytes(pdf)
        parted = time_parts(app, seminar_id, args.runs)
    print(f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, runs: {args.runs} (median), load average "
          f"{load_before:.2f} before the timings, {os.getloadavg()[0]:.2f} after\n")
    print("| document | reports | build (s) | HTML (s) | PDF (s) | total (s) | PDF size | pages |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, n, b, r, p, size, pages in rows:
        print(f"| {label} | {n} | {b:.2f} | {r:.2f} | {p:.2f} | {b + r + p:.2f} | "
              f"{size / 1024:.0f} KiB | {pages} |")
    reference = rows[0][2] + rows[0][3] + rows[0][4]
    print("\n| class PDF, built as the app does | workers | median (s) | CPU, all processes (s) "
          "| vs one document |")
    print("|---|---:|---:|---:|---:|")
    for label, seconds, cpu in parted:
        print(f"| {label} | {os.cpu_count()} | {seconds:.2f} | {cpu:.2f} | "
              f"{reference / seconds:.1f}x faster |")
    return 0


def cpu_seconds() -> float:
    """CPU seconds of this process, of the class PDF's fork server and its exited workers.

    The workers are children of multiprocessing's fork server, which reaps them: its
    children's time (/proc, Linux) counts them. On a shared machine this says what a build
    costs, where the wall time also says how busy the machine was.
    """
    from multiprocessing import forkserver

    own = time.process_time()
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)  # private, but a bench
    stat = Path(f"/proc/{pid}/stat")
    if not pid or not stat.exists():
        return own
    fields = stat.read_text().rsplit(")", 1)[1].split()  # from the 3rd (state) on
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return own + ticks / os.sysconf("SC_CLK_TCK")


def time_parts(app: Flask, seminar_id: int, runs: int) -> list[tuple[str, float, float]]:
    """Seconds of the app's class PDF: first cold build, median cold, median one student changed."""
    import sqlalchemy as sa

    from wikiseminar.extensions import db
    from wikiseminar.models import Participant, RenderedDocument, Seminar
    from wikiseminar.services.documents import class_pdf

    def build() -> bytes:
        seminar = db.session.get(Seminar, seminar_id)
        data = class_pdf(db.session, seminar, "fr", app.config)
        db.session.commit()
        return data

    def cold() -> bytes:
        db.session.execute(sa.delete(RenderedDocument))
        db.session.commit()
        return build()

    changes = iter(range(10_000))

    def one_changed() -> bytes:
        person = db.session.scalar(sa.select(Participant).where(
            Participant.seminar_id == seminar_id).order_by(Participant.id).limit(1))
        person.name = f"Étudiant·e renommé·e {next(changes)}"
        db.session.commit()
        return build()

    def measured(fn: Callable[[], bytes], times: int) -> tuple[float, float]:
        """Median wall seconds and median CPU seconds (all processes) of `times` builds."""
        walls, cpus = [], []
        for _ in range(times):
            cpu, start = cpu_seconds(), time.perf_counter()
            fn()
            walls.append(time.perf_counter() - start)
            cpus.append(cpu_seconds() - cpu)
        return statistics.median(walls), statistics.median(cpus)

    with app.app_context():
        first = measured(cold, 1)  # starts the pool's fork server, which later builds reuse
        cold_runs = measured(cold, runs)
        changed = measured(one_changed, runs)
    return [("cold, first build of the process", *first), ("cold (no part kept)", *cold_runs),
            ("one student changed", *changed)]


if __name__ == "__main__":
    raise SystemExit(main())
