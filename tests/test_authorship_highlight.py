"""The highlighted HTML view of a page's current text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markupsafe import Markup

from wikiseminar.analysis.authorship import PageAuthorship
from wikiseminar.reports.highlight import render_highlight


def page() -> PageAuthorship:
    """Alice writes, Bob adds a paragraph with markup and a script tag, Carol a line."""
    state = PageAuthorship()
    state.add_revision(10, "Pears are trees.", "u1")
    state.add_revision(11, "Pears are trees.\n\nBob adds <script>alert(1)</script> & more.", "u2")
    state.add_revision(
        12, "Pears are trees.\n\nBob adds <script>alert(1)</script> & more.\nCarol.", "u3"
    )
    return state


class _Collector(HTMLParser):
    """Collects start tags and the text, to check the fragment is well formed."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("br",):
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_students_are_marked_and_titled() -> None:
    """Each student's runs get a class, an index and a title naming the revision."""
    html = render_highlight(page(), {"u1": "Alice", "u2": "Bob"}, revision_labels={10: "10 Jan"})
    assert isinstance(html, Markup)
    parser = _Collector()
    parser.feed(str(html))
    assert parser.depth == 0  # every tag closed
    spans = [attrs for tag, attrs in parser.tags if tag == "span" and attrs.get("title")]
    assert {"class": "a-1", "title": "Alice — 10 Jan"} in spans
    assert {"class": "a-2", "title": "Bob — revision 11"} in spans
    assert not [s for s in spans if "Carol" in (s["title"] or "")]  # untracked: plain text
    assert "Carol" in str(html) and 'title="Carol' not in str(html)


def test_everything_is_escaped() -> None:
    """Wiki text and names are escaped: no script tag, no broken attribute."""
    html = str(render_highlight(page(), {"u2": 'Bob <img src=x onerror="x">', "u1": "A&B"}))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=&#34;x&#34;&gt;" in html
    assert "A&amp;B" in html
    assert " &amp; " in html


def test_legend_lists_each_student_with_a_count() -> None:
    """The legend has one entry per student, with the same class as their text."""
    html = str(render_highlight(page(), {"u1": "Alice", "u2": "Bob", "u9": "Nobody"}))
    legend = re.search(r'<ul class="authorship-legend">(.*?)</ul>', html)
    assert legend is not None
    items = re.findall(r"<li>(.*?)</li>", legend.group(1))
    assert len(items) == 3
    assert 'class="a-1"' in items[0] and "Alice" in items[0] and "4 tokens" in items[0]
    assert 'class="a-3"' in items[2] and "0 tokens" in items[2]


def test_colours_are_distinguishable_without_colour() -> None:
    """Each class has its own underline style and a superscript index, besides its colour."""
    html = str(render_highlight(page(), {"u1": "Alice", "u2": "Bob"}))
    style = re.search(r"<style>(.*?)</style>", html)
    assert style is not None
    a1 = re.search(r"\.a-1\{([^}]*)\}", style.group(1))
    a2 = re.search(r"\.a-2\{([^}]*)\}", style.group(1))
    assert a1 and a2 and "underline solid" in a1.group(1) and "underline dashed" in a2.group(1)
    assert "color:#000" in a1.group(1)
    assert '<sup class="authorship-mark">1</sup>' in html


def test_spacing_and_paragraphs_are_kept() -> None:
    """Spaces, line breaks and blank lines of the wikitext survive; punctuation stays put."""
    html = str(render_highlight(page(), {}))
    text = re.search(r'<div class="authorship-text">(.*)</div>', html, re.S)
    assert text is not None
    assert text.group(1) == (
        "Pears are trees.\n\nBob adds &lt;script&gt;alert(1)&lt;/script&gt; &amp; more.\nCarol."
    )


def test_loaded_state_renders_the_same() -> None:
    """The view needs no text beyond the stored state."""
    state = page()
    editors = {"u1": "Alice", "u3": "Carol"}
    assert render_highlight(PageAuthorship.from_bytes(state.to_bytes()), editors) == (
        render_highlight(state, editors)
    )


def test_empty_page() -> None:
    """No text: a legend and an empty block."""
    html = str(render_highlight(PageAuthorship(), {"u1": "Alice"}))
    assert '<div class="authorship-text"></div>' in html and "0 tokens" in html
