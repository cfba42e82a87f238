"""Fetching cited sources: address checks, redirects, size cap, HTML and PDF text."""

from __future__ import annotations

from wikiseminar.integrity.fetch import FetchSettings, fetch_source, host_allowed

from .sourcekit import html_page, pdf_bytes, source_server

LOCAL = FetchSettings(user_agent="wikiseminar-tests/0.1 (x)", timeout=5, allow_private_hosts=True)


def test_non_public_addresses_are_refused() -> None:
    for host in ("127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10", "172.16.5.4",
                 "169.254.169.254", "::1", "fe80::1", "0.0.0.0", "224.0.0.1"):
        allowed, reason = host_allowed(host, allow_private=False)
        assert not allowed and reason.startswith("blocked"), host
    assert host_allowed("127.0.0.1", allow_private=True) == (True, "")
    allowed, reason = host_allowed("no-such-host.invalid", allow_private=False)
    assert not allowed and reason.startswith("no-host")


def test_a_private_source_is_never_requested_by_default() -> None:
    with source_server() as server:
        url = server.add("/a.html", html_page("A", "Texte."))
        result = fetch_source(url, FetchSettings())
        assert result.status == "blocked" and server.requests == []


def test_redirects_are_followed_and_checked_again() -> None:
    with source_server() as server:
        server.add("/old", "", status=301, headers={"Location": "/new"})
        server.add("/new", html_page("Nouveau", "Le contenu de la page déplacée est ici, en entier."))
        server.add("/to-file", "", status=302, headers={"Location": "file:///etc/passwd"})
        server.add("/loop", "", status=302, headers={"Location": "/loop"})
        moved = fetch_source(server.url("/old"), LOCAL)
        assert moved.status == "ok" and "déplacée" in moved.text
        assert fetch_source(server.url("/to-file"), LOCAL).status == "unsupported"
        assert fetch_source(server.url("/loop"), LOCAL).error == "too many redirects"
        assert all(ua == LOCAL.user_agent for _, _, ua in server.requests)


def test_size_cap_404_and_text_of_pdf_and_html() -> None:
    with source_server() as server:
        big = server.add("/big.html", "<p>" + "mot " * 50_000 + "</p>")
        pdf = server.add("/rapport.pdf", pdf_bytes(
            "Rapport", "L'été dernier, les données ont été déplacées vers un centre à Dublin."),
            "application/pdf")
        page = server.add("/page.html", html_page("Page", "Premier paragraphe du texte principal."
                                                  "\n\nSecond paragraphe."))
        small = FetchSettings(user_agent="t", timeout=5, allow_private_hosts=True,
                              max_bytes=10_000)
        assert fetch_source(big, small).status == "too-large"
        assert fetch_source(server.url("/missing"), LOCAL).status == "not-found"
        got = fetch_source(pdf, LOCAL)
        assert got.status == "ok" and "déplacées vers un centre à Dublin" in got.text
        html = fetch_source(page, LOCAL)
        assert html.status == "ok" and "Premier paragraphe" in html.text
        assert "Mentions légales" not in html.text  # boilerplate left out


def test_broken_documents_are_unsupported_not_errors() -> None:
    with source_server() as server:
        pdf = server.add("/broken.pdf", b"%PDF-1.4 truncated", "application/pdf")
        image = server.add("/image.png", b"\x89PNG\r\n", "image/png")
        assert fetch_source(pdf, LOCAL).status == "unsupported"
        assert fetch_source(image, LOCAL).status == "unsupported"
