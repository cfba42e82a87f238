"""Plain text of a fetched document: HTML through trafilatura, PDF through pypdf."""

from __future__ import annotations

import io
import logging

__all__ = ["extract_text"]

MAX_PDF_PAGES = 300


def extract_text(body: bytes, content_type: str, encoding: str | None = None) -> tuple[str, str]:
    """(title, text) of a document; ValueError for a type that has no text."""
    if content_type == "application/pdf" or body[:5] == b"%PDF-":
        return _pdf(body)
    if content_type.startswith("text/plain"):
        return "", body.decode(encoding or "utf-8", errors="replace")
    if content_type in ("", "text/html", "application/xhtml+xml") or body.lstrip()[:1] == b"<":
        return _html(body)
    raise ValueError(f"no text in a {content_type} document")


def _html(body: bytes) -> tuple[str, str]:
    """The main text of an HTML page (boilerplate, menus and footers removed)."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    title, text = "", ""
    try:
        text = trafilatura.extract(body, include_comments=False, include_tables=True,
                                   favor_recall=True, deduplicate=False) or ""
        meta = trafilatura.extract_metadata(body)
        if meta is not None and meta.title:
            title = meta.title
    except Exception:  # noqa: BLE001 (a broken page must not fail the sync: plain text below)
        logging.getLogger("wikiseminar.integrity").warning("trafilatura failed on a page")
    if not text:
        from lxml import etree
        from lxml import html as lxml_html

        try:
            text = lxml_html.fromstring(body).text_content()
        except (ValueError, TypeError, etree.LxmlError):
            text = ""
    return title, text


def _pdf(body: bytes) -> tuple[str, str]:
    """The text of a PDF, page by page."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
        metadata = reader.metadata
        title = str((metadata.get("/Title") if metadata else None) or "")
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ValueError(f"unreadable PDF: {exc}") from exc
    return title, "\n".join(pages)
