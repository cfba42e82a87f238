"""An HTML view of a page's current text with each tracked student's tokens marked.

Each run of consecutive tokens from one student's revision becomes one
``<span class="a-N" title="Alice — revision 1234">``; text by anyone else stays plain. A
student is told apart by a background colour *and* an underline style *and* a superscript
index at the start of each run, so the view still works printed in grey or for colour-blind
readers; the legend (``<ul class="authorship-legend">``) repeats the three. Background tints
are light enough for black text to keep a contrast ratio above 7:1 (WCAG AAA).

Spacing follows the current wikitext: the authorship state remembers, for each token, whether
a space, a line break or a blank line preceded it, and the fragment keeps them with
``white-space: pre-wrap``. Everything taken from the wiki or from names is escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from markupsafe import Markup, escape

from ..analysis.authorship import PageAuthorship

__all__ = ["PALETTE", "UNDERLINES", "render_highlight"]

# (background tint, underline colour): Okabe–Ito hues, tinted for black text.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#ffe3b3", "#b26f00"),
    ("#cfe8f7", "#0072b2"),
    ("#c9ecdb", "#00795a"),
    ("#f6eeaa", "#8a7800"),
    ("#f7d6e8", "#b0487f"),
    ("#fad3bf", "#c24e00"),
    ("#e1dcf2", "#5e4b9c"),
    ("#e3e3e3", "#555555"),
)
UNDERLINES: tuple[str, ...] = ("solid", "dashed", "dotted", "double", "wavy")


def _style(count: int) -> str:
    """The CSS for the text block and `count` student classes a-1 … a-count."""
    rules = [
        ".authorship-text{white-space:pre-wrap;font-family:monospace;line-height:1.6}",
        ".authorship-mark{font-size:.7em;font-weight:bold;margin-right:.1em}",
        ".authorship-legend{list-style:none;padding-left:0}",
        ".authorship-legend li{margin:.2em 0}",
    ]
    for n in range(1, count + 1):
        background, line = PALETTE[(n - 1) % len(PALETTE)]
        underline = UNDERLINES[(n - 1) % len(UNDERLINES)]
        rules.append(
            f".a-{n}{{background:{background};color:#000;text-decoration:underline {underline} "
            f"{line};text-decoration-thickness:2px;text-underline-offset:3px}}"
        )
    return "<style>" + "".join(rules) + "</style>"


def render_highlight(
    state: PageAuthorship,
    editors: Mapping[str, str],
    *,
    revision_labels: Mapping[int, str] | None = None,
    legend_format: str = "{count} tokens ({share} %)",
    legend_texts: Mapping[str, str] | None = None,
) -> Markup:
    """The current text as an HTML fragment: `editors` (editor key → display name) coloured.

    Students are numbered in the order of `editors`; `revision_labels` (revid → text, e.g. a
    date) replaces "revision 1234" in the title attributes; `legend_format` words the legend's
    count in the reader's language; `legend_texts` (editor key → text) gives the legend the
    figures the rest of the page shows (the reports' words and share), so they agree. The
    fragment holds a <style>
    element, the legend and a <div class="authorship-text"> with the text.
    """
    index = {key: n for n, key in enumerate(editors, start=1)}
    labels = revision_labels or {}
    tokens = state.current_tokens()
    counts = Counter(t.editor for t in tokens if t.editor in index)
    total = len(tokens)

    legend = ['<ul class="authorship-legend">']
    for student, n in index.items():
        count = counts.get(student, 0)
        share = f"{100 * count / total:.1f}" if total else "0.0"
        text = (legend_texts or {}).get(student) or legend_format.format(count=count, share=share)
        legend.append(
            f'<li><span class="a-{n}"><sup class="authorship-mark">{n}</sup>'
            f"{escape(editors[student])}</span> — "
            f"{escape(text)}</li>"
        )
    legend.append("</ul>")

    body: list[str] = ['<div class="authorship-text">']
    run: tuple[str, int] | None = None  # (editor, origin revision) of the open span
    for k, tok in enumerate(tokens):
        sep = tok.sep if k else ""
        key = (tok.editor, tok.origin_revid) if tok.editor in index else None
        if key != run:
            if run is not None:
                body.append("</span>")
            body.append(str(escape(sep)))
            if key is not None:
                n = index[tok.editor]
                label = labels.get(tok.origin_revid) or f"revision {tok.origin_revid}"
                title = f"{editors[tok.editor]} — {label}"
                body.append(
                    f'<span class="a-{n}" title="{escape(title)}">'
                    f'<sup class="authorship-mark">{n}</sup>'
                )
            run = key
        else:
            body.append(str(escape(sep)))
        body.append(str(escape(tok.text)))
    if run is not None:
        body.append("</span>")
    body.append("</div>")
    return Markup(_style(len(index)) + "".join(legend) + "".join(body))
