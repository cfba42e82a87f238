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
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..models import Seminar
from .documents import render_class_cover, render_reports
from .pdf import html_to_pdf, render_pdf
from .student import StudentReport

if TYPE_CHECKING:  # imported where used: heavy, and only the class PDF needs it
    import pikepdf

__all__ = ["DocumentStore", "Part", "bind", "build_class_pdf", "class_parts", "pdf_pages",
           "render_many"]

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
    return [Part(r.participant_id, r.name,
                 render_reports(seminar, [r], lang=lang, class_part=True)) for r in reports]


def pdf_pages(content: bytes) -> int:
    """Number of pages of a PDF."""
    import pikepdf

    with pikepdf.open(io.BytesIO(content)) as pdf:
        return len(pdf.pages)


def _render(html: str) -> tuple[bytes, int]:
    """Render one document in a worker process; return its PDF and page count."""
    content = html_to_pdf(html)
    return content, pdf_pages(content)


# The process that started multiprocessing's fork server. A fork of it (an RQ work horse)
# inherits the server's handle but is not its parent, and could not use it.
_forkserver_owner: int | None = None


def _pool_context() -> multiprocessing.context.BaseContext:
    """Fork server with WeasyPrint preloaded: cheap workers, and no fork of a threaded server.

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
    context.set_forkserver_preload(["__main__", "wikiseminar.reports.pdf", "weasyprint"])
    return context


def render_many(htmls: Sequence[str], workers: int,
                on_done: Callable[[], None] | None = None) -> list[tuple[bytes, int]]:
    """Render documents to (PDF, pages), in `workers` processes when there are several."""
    if workers <= 1 or len(htmls) <= 1:
        results = []
        for html in htmls:
            results.append(_render(html))
            if on_done:
                on_done()
        return results
    # The workers run `render_pdf` of the light `pdf` module: unpickling a function of this
    # module would import the app's models in each of them (a second of a cold build).
    # Longest first, so that no worker is left alone with a long part at the end.
    order = sorted(range(len(htmls)), key=lambda i: len(htmls[i]), reverse=True)
    with ProcessPoolExecutor(max_workers=min(workers, len(htmls)),
                             mp_context=_pool_context()) as pool:
        futures = {pool.submit(render_pdf, htmls[i]): i for i in order}
        out: list[tuple[bytes, int]] = [(b"", 0)] * len(htmls)
        for future in as_completed(futures):
            out[futures[future]] = future.result()
            if on_done:
                on_done()
        return out


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


def build_class_pdf(seminar: Seminar, reports: Sequence[StudentReport], *, lang: str,
                    store: DocumentStore, workers: int, printed_at: dt.datetime,
                    progress: Progress | None = None) -> bytes:
    """The whole class in one PDF, rendering only the parts the store does not hold."""
    parts = class_parts(seminar, reports, lang)
    total = len(parts) + 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    kept: dict[str, tuple[bytes, int]] = {}
    missing: dict[str, str] = {}
    for part in parts:
        content = store.get(part.key)
        if content is not None:
            kept[part.key] = (content, pdf_pages(content))
            step()
        elif part.key not in missing:
            missing[part.key] = part.html
    rendered = render_many(list(missing.values()), workers, step)
    for key, (content, pages) in zip(missing, rendered, strict=True):
        store.put(key, content, pages)
        kept[key] = (content, pages)
    cover = _cover(seminar, parts, [kept[p.key][1] for p in parts], lang, printed_at)
    pdf = bind(cover, [(p.name, kept[p.key][0]) for p in parts])
    step()
    return pdf


def _cover(seminar: Seminar, parts: Sequence[Part], pages: Sequence[int], lang: str,
           printed_at: dt.datetime) -> bytes:
    """The cover, its contents pointing at each part's first page of the bound document."""
    cover_pages = 1
    for _attempt in range(3):  # a long class list may take more than one page
        entries, page = [], cover_pages + 1
        for part, count in zip(parts, pages, strict=True):
            entries.append((part.name, page))
            page += count
        content = html_to_pdf(render_class_cover(seminar, entries, lang=lang,
                                                 printed_at=printed_at))
        actual = pdf_pages(content)
        if actual == cover_pages:
            return content
        cover_pages = actual
    return content
