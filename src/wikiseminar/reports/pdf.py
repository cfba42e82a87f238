"""HTML to PDF with WeasyPrint, imported only when a PDF is asked for.

WeasyPrint needs Pango and its fonts at the system level; without them the app still
starts, and PDF requests fail with `PdfUnavailable` (a clear message, not a traceback).
"""

from __future__ import annotations

import logging
import threading
import warnings
from typing import Any

__all__ = ["PdfUnavailable", "html_to_pdf", "pdf_available", "render_pdf", "warm_up"]

log = logging.getLogger(__name__)

# Each thread's WeasyPrint font configuration, kept from one document to the next: Pango then
# keeps the fonts it loaded and shaped (7 % of a class PDF part's time, same PDF bytes).
_fonts = threading.local()


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are not installed."""


def _weasyprint():
    """The weasyprint module, or PdfUnavailable naming what is missing."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PdfUnavailable(
            f"PDF output needs WeasyPrint and its system libraries (Pango): {first}") from None
    return weasyprint


def pdf_available() -> bool:
    """Whether PDFs can be made on this machine."""
    try:
        _weasyprint()
    except PdfUnavailable:
        return False
    return True


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render a standalone HTML document (inline CSS and SVG) to PDF bytes."""
    return render_pdf(html, base_url)[0]


def render_pdf(html: str, base_url: str | None = None) -> tuple[bytes, int]:
    """Render a standalone HTML document to PDF bytes and its number of pages.

    The class PDF's worker processes call this: the module imports nothing but WeasyPrint,
    so a worker starts without the app, and counts pages without opening the PDF again.
    """
    weasyprint = _weasyprint()
    # WeasyPrint logs unsupported CSS at WARNING; they are not errors for a report.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        document = weasyprint.HTML(string=html, base_url=base_url).render(
            font_config=_font_config(html))
        return bytes(document.write_pdf()), len(document.pages)


# Regular, bold and italic text, a table and SVG text: what the reports use.
_WARM_UP = ('<!doctype html><html><body style="font: 10pt \'DejaVu Sans\', sans-serif">'
            "<p>a <b>b</b> <i>c</i></p><table><tr><th>d</th><td>1</td></tr></table>"
            '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
            '<text x="1" y="8" font-size="8">e</text></svg></body></html>')


def warm_up() -> None:
    """Render a tiny document, so that this process's next documents start warm."""
    render_pdf(_WARM_UP)


def _font_config(html: str) -> Any:
    """This thread's font configuration; a new one for a document with its own @font-face.

    A font configuration is not shared between threads (Pango's font maps are not
    thread-safe), and a document's @font-face rules would be added to it for the next ones.
    """
    from weasyprint.text.fonts import FontConfiguration

    if "@font-face" in html:
        return FontConfiguration()
    if getattr(_fonts, "config", None) is None:
        _fonts.config = FontConfiguration()
    return _fonts.config
