"""`wikiseminar analyze FILE --integrity`: the offline integrity checks on an export.

No network: traces of AI tools, Markdown, ISBN check digits, DOI syntax and future dates,
each revision against the previous revision of its page in the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ..integrity.checks import offline_findings
from ..wiki.types import Revision

__all__ = ["run_integrity"]


def run_integrity(revisions: Iterable[Revision], as_json: bool,
                  write: Callable[[str], object]) -> int:
    """Print the findings of every revision; returns how many were found."""
    previous: dict[int | str, str | None] = {}
    rows: list[dict[str, Any]] = []
    for rev in revisions:
        key: int | str = rev.pageid or rev.title
        parent = previous.get(key)
        text = rev.text
        if text is None:
            continue
        for finding in offline_findings(parent, text, rev.timestamp):
            rows.append({"revid": rev.revid, "page": rev.title,
                         "student": rev.user if not rev.userhidden else None,
                         "kind": finding.kind, "confidence": None, "source": finding.source,
                         "excerpt": finding.passage, "detail": finding.detail,
                         "verdict": None})
        previous[key] = text
    if as_json:
        write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif not rows:
        write("No integrity findings.\n")
    else:
        for row in rows:
            write(f"r{row['revid']} [[{row['page']}]] {row['student'] or '(hidden)'}: "
                  f"{row['kind']} — {row['detail']}\n")
    return len(rows)
