"""Token-level authorship of a page over its full history (the WikiWho approach), and figures.

Pure: text in, attribution and numbers out; no database, network, Flask or clock. The work is
split over helper modules, re-exported here so callers import from one place:

* `authorship_text` — WikiWho's segmentation (paragraphs, sentences, tokens) and the markup
  context that decides which tokens are words;
* `authorship_diff` — the token pairs `difflib.Differ` would call unchanged, found cheaply;
* `authorship_state` — `PageAuthorship`, the incremental per-page state and its storage;
* `authorship_figures` — per-editor shares, survival and reverted work; the CLI summary.

See docs/authorship.md for the algorithm, the definitions and where we differ from WikiWho.
"""

from __future__ import annotations

from .authorship_figures import EditorFigures, authorship_summary, editor_figures
from .authorship_state import FORMAT_VERSION, PageAuthorship, Token

__all__ = [
    "FORMAT_VERSION",
    "EditorFigures",
    "PageAuthorship",
    "Token",
    "authorship_summary",
    "editor_figures",
]
