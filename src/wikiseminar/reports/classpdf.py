"""The class PDF: each student's report rendered alone, in parallel, kept by content, then bound.

Profiled (bench/reports.py), 95 % of a class PDF's time is WeasyPrint's layout, and one
40-report document costs more than 40 one-report documents (layout grows faster than the
page count). So each student's report is its own small document, its PDF is kept under the
SHA-256 of its HTML (a student whose data did not change is not rendered again), the missing
ones are rendered by a pool of processes, and a cover with the contents is bound in front
with pikepdf, with one bookmark per student. Seminar-wide facts (data as of, printed on) stand
once on the cover, so that a sync which changed nobody's figures changes no part.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..models import Seminar
from .documents import render_class_cover, render_reports
from .pdf import render_pdf
from .student import StudentReport

if TYPE_CHECKING:  # imported where used: heavy, and only the class PDF needs it
    import pikepdf

__all__ = ["DocumentStore", "Part", "RenderQueue", "bind", "build_class_pdf", "class_part",
           "class_parts", "pdf_pages"]

# Part of every key: bump it when the renderer's output changes for the same HTML.
RENDERER = "weasyprint-parts-1"

Progress = Callable[[int, int], None]


class DocumentStore(Protocol):
    """Where rendered PDFs are kept by key (the database in the app, a dict in tests)."""

    def get(self, key: str) -> bytes | None:
        """The PDF kept under `key`, if any."""

    def put(self, key: str, content: bytes, pages: int) -> None:
        """Keep a PDF under `key`."""


@dataclass(frozen=True, slots=True)
class Part:
    """One student's report as a standalone document, and the key its PDF is kept under."""

    participant_id: int
    name: str
    html: str

    @property
    def key(self) -> str:
        """SHA-256 of the renderer's name and the HTML: same key, same PDF."""
        return hashlib.sha256(f"{RENDERER}\n{self.html}".encode()).hexdigest()


def class_parts(seminar: Seminar, reports: Sequence[StudentReport], lang: str) -> list[Part]:
    """Each report as its own printable document (needs an app context for the templates)."""
    return [class_part(seminar, r, lang) for r in reports]


def class_part(seminar: Seminar, report: StudentReport, lang: str) -> Part:
    """One report as its own printable document."""
    return Part(report.participant_id, report.name,
                render_reports(seminar, [report], lang=lang, class_part=True))


def pdf_pages(content: bytes) -> int:
    """Number of pages of a PDF."""
    import pikepdf

    with pikepdf.open(io.BytesIO(content)) as pdf:
        return len(pdf.pages)


# The process that started multiprocessing's fork server. A fork of it (an RQ work horse)
# inherits the server's handle but is not its parent, and could not use it.
_forkserver_owner: int | None = None


def _pool_context() -> multiprocessing.context.BaseContext:
    """Fork server with WeasyPrint loaded and warmed: cheap workers, no fork of a threaded server.

    In a forked child of a process that already started the fork server, spawn instead.
    """
    global _forkserver_owner
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    if _forkserver_owner is None:
        _forkserver_owner = os.getpid()
    elif _forkserver_owner != os.getpid():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # "__main__" as by default, though Python before 3.13 does not preload it (CPython
    # gh-126631): there each worker runs the main script again, so scripts that build class
    # PDFs (the CLI, bench/reports.py) import the app inside functions, not at the top.
    context.set_forkserver_preload(["__main__", "wikiseminar.reports.pdfserver"])
    return context


class RenderQueue:
    """Documents to render, in the order given: by a pool of processes, or in this process.

    The pool starts with the first document, and each document is handed to it as soon as it
    is added, so the workers render while the next reports are built, even a single changed
    part. With one worker, everything is rendered in this process, at the end.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._htmls: list[str] = []
        self._futures: list[Future[tuple[bytes, int]]] = []
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> RenderQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def add(self, html: str) -> None:
        """Queue a document (in a pool: start rendering it now)."""
        self._htmls.append(html)
        if self.workers <= 1:
            return
        if self._pool is None:
            # The workers run `render_pdf` of the light `pdf` module: a function of this
            # module would import the app's models in each of them (a second of a cold build).
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_pool_context())
        self._futures.append(self._pool.submit(render_pdf, html))

    def results(self, on_done: Callable[[], None] | None = None) -> list[tuple[bytes, int]]:
        """Each queued document's PDF and page count, in the order they were added."""
        if self._pool is None:
            out = []
            for html in self._htmls:
                out.append(render_pdf(html))
                if on_done:
                    on_done()
            return out
        for _future in as_completed(self._futures):
            if on_done:
                on_done()
        return [f.result() for f in self._futures]

    def render(self, html: str) -> tuple[bytes, int]:
        """One more document now, in a worker if there is a pool (WeasyPrint is loaded there)."""
        if self._pool is None:
            return render_pdf(html)
        return self._pool.submit(render_pdf, html).result()


def bind(cover: bytes, parts: Sequence[tuple[str, bytes]]) -> bytes:
    """The cover, then each part, with one bookmark per part holding the part's own.

    pikepdf (qpdf) rather than pypdf: binding 40 parts takes milliseconds instead of seconds.
    """
    import pikepdf

    sources = [pikepdf.open(io.BytesIO(cover))]
    bound = pikepdf.new()
    bound.pages.extend(sources[0].pages)
    with bound.open_outline() as outline:
        for name, content in parts:
            source = pikepdf.open(io.BytesIO(content))
            sources.append(source)
            start = len(bound.pages)
            bound.pages.extend(source.pages)
            item = pikepdf.OutlineItem(name, start)
            with source.open_outline() as own:
                item.children.extend(_moved(own.root, _page_numbers(source), start))
            outline.root.append(item)
    out = io.BytesIO()
    bound.save(out)
    for source in sources:
        source.close()
    return out.getvalue()


def _page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    """Page object id -> page index, to follow a bookmark's destination."""
    return {page.obj.objgen: index for index, page in enumerate(pdf.pages)}


def _moved(items: Sequence[pikepdf.OutlineItem], numbers: dict[tuple[int, int], int],
           offset: int) -> list[pikepdf.OutlineItem]:
    """Copies of a part's bookmarks pointing at the same pages in the bound document."""
    import pikepdf

    copies: list[pikepdf.OutlineItem] = []
    for item in items:
        destination = item.destination
        page = 0
        if isinstance(destination, pikepdf.Array) and len(destination):
            page = numbers.get(destination[0].objgen, 0)
        copy = pikepdf.OutlineItem(item.title, offset + page)
        copy.children.extend(_moved(item.children, numbers, offset))
        copies.append(copy)
    return copies


def default_workers(configured: int) -> int:
    """Rendering processes: the configured number, or one per CPU."""
    return configured if configured > 0 else (os.cpu_count() or 1)


def build_class_pdf(seminar: Seminar, reports: Iterable[StudentReport], *, lang: str,
                    store: DocumentStore, workers: int, printed_at: dt.datetime,
                    progress: Progress | None = None, count: int | None = None) -> bytes:
    """The whole class in one PDF, rendering only the parts the store does not hold.

    `reports` may be an iterator (`iter_reports`): each missing part goes to the workers as
    soon as its report is built. `count` is the number of reports, for the progress.
    """
    if count is None:
        reports = list(reports)
        count = len(reports)
    total = count + 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    parts: list[Part] = []
    kept: dict[str, tuple[bytes, int]] = {}
    missing: dict[str, None] = {}  # keys in the order their parts were queued
    with RenderQueue(workers) as queue:
        for report in reports:
            part = class_part(seminar, report, lang)
            parts.append(part)
            content = store.get(part.key)
            if content is not None:
                kept[part.key] = (content, pdf_pages(content))
                step()
            elif part.key not in missing:
                missing[part.key] = None
                queue.add(part.html)
        for key, (content, pages) in zip(missing, queue.results(step), strict=True):
            store.put(key, content, pages)
            kept[key] = (content, pages)
        cover = _cover(seminar, parts, [kept[p.key][1] for p in parts], lang, printed_at,
                       queue.render)
    pdf = bind(cover, [(p.name, kept[p.key][0]) for p in parts])
    step()
    return pdf


def _cover(seminar: Seminar, parts: Sequence[Part], pages: Sequence[int], lang: str,
           printed_at: dt.datetime, render: Callable[[str], tuple[bytes, int]]) -> bytes:
    """The cover, its contents pointing at each part's first page of the bound document."""
    cover_pages = 1
    for _attempt in range(3):  # a long class list may take more than one page
        entries, page = [], cover_pages + 1
        for part, count in zip(parts, pages, strict=True):
            entries.append((part.name, page))
            page += count
        content, actual = render(render_class_cover(seminar, entries, lang=lang,
                                                    printed_at=printed_at))
        if actual == cover_pages:
            return content
        cover_pages = actual
    return content
