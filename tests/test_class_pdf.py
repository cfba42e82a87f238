"""The class PDF off the request path: parts kept by content, bound with a cover, built on the
queue or in a thread while the instructor's page follows it."""

from __future__ import annotations

import io
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import DocumentBuild, Participant, RenderedDocument, Role, Seminar
from wikiseminar.reports import classpdf
from wikiseminar.reports.pdf import PdfUnavailable
from wikiseminar.services import documents
from wikiseminar.sync.jobs import run_worker

from .conftest import _empty_postgres, make_app
from .queuekit import RedisSpace, queue_settings
from .webkit import World, login_as, seed


def add_students(app: Flask, slug: str, names: list[str]) -> None:
    """More students in the seminar (no edits: their reports still have every section)."""
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        for number, name in enumerate(names):
            db.session.add(Participant(seminar=seminar, name=name, role=Role.STUDENT,
                                       wiki_username=f"Compte {number}"))
        db.session.commit()


def class_pdf(app: Flask, slug: str) -> bytes:
    """Build the class PDF the way the CLI does, committing the kept parts."""
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        data = documents.class_pdf(db.session, seminar, "fr", app.config)
        db.session.commit()
        return data


def text_of_pages(data: bytes) -> list[str]:
    """The text of each page, spaces collapsed."""
    return [" ".join((page.extract_text() or "").split())
            for page in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def world(app: Flask) -> World:
    """Seminar A with a student and an auditor, plus three more students."""
    built = seed(app)
    add_students(app, built.seminars["a"], ["Anna Arendt", "Zoé Zadig", "Marc Mauss"])
    return built


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many documents each build queued for rendering (they are still rendered)."""
    counts: list[int] = []
    real_init, real_add = classpdf.RenderQueue.__init__, classpdf.RenderQueue.add

    def init(self: classpdf.RenderQueue, workers: int) -> None:
        counts.append(0)
        real_init(self, workers)

    def add(self: classpdf.RenderQueue, html: str) -> None:
        counts[-1] += 1
        real_add(self, html)

    monkeypatch.setattr(classpdf.RenderQueue, "__init__", init)
    monkeypatch.setattr(classpdf.RenderQueue, "add", add)
    return counts


def test_only_the_parts_of_students_whose_data_changed_are_rendered_again(
        app: Flask, world: World, renders: list[int]) -> None:
    slug = world.seminars["a"]
    first = class_pdf(app, slug)
    assert renders == [5]  # the two seeded participants and the three added students
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RenderedDocument)) == 5

    class_pdf(app, slug)  # nothing changed: every part comes from the store
    assert renders == [5, 0]

    with app.app_context():  # one student's data changes
        person = db.session.scalar(sa.select(Participant).where(Participant.name == "Zoé Zadig"))
        person.name = "Zoé Zadig-Voltaire"
        db.session.commit()
    third = class_pdf(app, slug)
    assert renders == [5, 0, 1]
    assert "Zoé Zadig-Voltaire" in " ".join(text_of_pages(third))
    assert "Zoé Zadig-Voltaire" not in " ".join(text_of_pages(first))


def test_the_cover_points_at_each_part_and_each_part_has_a_bookmark(app: Flask, world: World) -> None:
    data = class_pdf(app, world.seminars["a"])
    pages = text_of_pages(data)
    cover = pages[0]
    assert "Rapports de contribution" in cover and "Données au" in cover
    reader = pypdf.PdfReader(io.BytesIO(data))
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline
               if not isinstance(item, list)}  # a list holds the headings under a student
    assert any(isinstance(item, list) for item in reader.outline)
    assert set(outline) == {"Élodie Martin", "Bruno Petit", "Anna Arendt", "Zoé Zadig",
                            "Marc Mauss"}
    for name, index in outline.items():
        # The contents give the bound document's page number (1-based) of each report's start,
        # and that page opens the report with the student's name.
        listed = re.search(re.escape(name) + r"\s*p\.\s*(\d+)", cover)
        assert listed, (name, cover)
        assert int(listed.group(1)) == index + 1
        assert pages[index].count(name) >= 1
    # Seminar-wide facts are on the cover, not repeated in each part.
    assert not any("Imprimé le" in page for page in pages[1:])


def test_a_failed_build_says_why_and_can_be_retried(app: Flask, world: World,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["REPORTS_PDF_WORKERS"] = 1  # render in this process, where the fault is injected

    def broken(html: str) -> tuple[bytes, int]:
        raise PdfUnavailable("PDF output needs WeasyPrint (injected fault)")

    monkeypatch.setattr(classpdf, "render_pdf", broken)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    slug = world.seminars["a"]
    response = client.get(f"/seminars/{slug}/reports.pdf")
    assert response.status_code == 302
    assert documents.join_threads()
    page = client.get(response.location).get_data(as_text=True)
    assert "injected fault" in page and "Try again" in page
    assert client.get(response.location + ".pdf").status_code == 302  # no file to serve

    monkeypatch.undo()
    app.config["REPORTS_PDF_WORKERS"] = 1
    again = client.get(f"/seminars/{slug}/reports.pdf")
    assert again.location != response.location  # a new build, not the failed one
    assert documents.join_threads()
    pdf = client.get(again.location + ".pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    listing = client.get(f"/seminars/{slug}/reports").get_data(as_text=True)
    assert f"/reports/builds/{again.location.rsplit('/', 1)[1]}.pdf" in listing


def test_only_the_seminars_instructors_reach_a_build(app: Flask, world: World) -> None:
    client = app.test_client()
    login_as(client, world.users["instructor"])
    slug = world.seminars["a"]
    location = client.get(f"/seminars/{slug}/reports.pdf").location
    assert documents.join_threads()
    for who in ("student", "other_instructor"):
        other = app.test_client()
        login_as(other, world.users[who])
        assert other.get(location).status_code == 403
        assert other.get(location + ".pdf").status_code == 403
    build_id = int(location.rsplit("/", 1)[1])
    assert client.get(f"/seminars/{world.seminars['b']}/reports/builds/{build_id}").status_code == 403
    assert client.get(f"/seminars/{slug}/reports/builds/{build_id + 99}").status_code == 404


@pytest.fixture
def space() -> Iterator[RedisSpace]:
    """A Redis namespace of this test's own."""
    own = RedisSpace()
    own.cleanup()
    yield own
    own.cleanup()


@pytest.mark.redis
def test_with_a_queue_the_worker_builds_the_pdf(database_url: str, backend: str, tmp_path: Path,
                                                 space: RedisSpace) -> None:
    queued = make_app(database_url, tmp_path / "instance", **queue_settings(space))
    try:
        _build_on_the_queue(queued, space)
    finally:
        with queued.app_context():
            db.session.remove()
            db.engine.dispose()
        if backend == "postgresql":
            _empty_postgres(queued)


def _build_on_the_queue(queued: Flask, space: RedisSpace) -> None:
    world = seed(queued)
    client = queued.test_client()
    login_as(client, world.users["instructor"])
    location = client.get(f"/seminars/{world.seminars['a']}/reports.pdf").location
    with queued.app_context():
        build = db.session.get(DocumentBuild, int(location.rsplit("/", 1)[1]))
        assert build is not None and build.status == "queued"  # on the queue, not in a thread
    assert "Waiting for a free worker" in client.get(location).get_data(as_text=True)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        run_worker(queued, space.redis, name=space.worker_name(1), burst=True,
                   logging_level="WARNING")
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    pdf = client.get(location + ".pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
