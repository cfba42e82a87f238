"""A local HTTP server for cited sources (HTML, PDF, 404, redirects), on a free port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .localwiki import free_port


@dataclass
class SourceServer:
    """Pages served by path: (status, content type, body, extra headers); requests logged."""

    pages: dict[str, tuple[int, str, bytes, dict[str, str]]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, UA)
    authorizations: list[str] = field(default_factory=list)  # Authorization headers of POSTs
    port: int = 0

    def url(self, path: str) -> str:
        """The full URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            status: int = 200, headers: dict[str, str] | None = None) -> str:
        """Serve `body` at `path`; returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.pages[path] = (status, content_type, data, headers or {})
        return self.url(path)


def html_page(title: str, body: str, lang: str = "fr") -> str:
    """A news-like page: menu, article paragraphs, footer (boilerplate the extractor drops)."""
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}"
            f"</title></head><body><nav><a href='/'>Accueil</a> <a href='/a'>Rubriques</a></nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article>"
            f"<footer>Tous droits réservés. Mentions légales.</footer></body></html>")


def pdf_bytes(title: str, body: str) -> bytes:
    """A PDF of a title and paragraphs, made with WeasyPrint (a dependency of the app)."""
    from weasyprint import HTML

    return HTML(string=html_page(title, body)).write_pdf()


@contextmanager
def source_server() -> Iterator[SourceServer]:
    """Run a SourceServer in a thread for the duration of a test."""
    state = SourceServer(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, with_body: bool) -> None:
            state.requests.append((self.command, self.path, self.headers.get("User-Agent", "")))
            status, ctype, body, headers = state.pages.get(
                self.path, (404, "text/html", b"<html><body>Not found</body></html>", {}))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer(True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(False)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length)
            state.requests.append(("POST", self.path, payload.decode("utf-8", "replace")))
            state.authorizations.append(self.headers.get("Authorization", ""))
            status, ctype, body, headers = state.pages.get(self.path, (404, "text/plain", b"", {}))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
