"""The WikiWho package as a whole process: one export file in, each editor's tokens out.

The reference of bench/startup.py. Reads a Special:Export XML (ElementTree, streamed) or a
`prop=revisions` JSON history without importing wikiseminar, runs WikiWho 1.0.3's
`Wikiwho.analyse_article` on it, and prints the token count of each editor of the last
revision as JSON: the work `wikiseminar analyze --authorship --json` does. Without an
argument (as `make bench` runs it) it reads tests/data/histories/Hallo.xml.

    .venv/bin/python bench/wikiwho_process.py tests/data/histories/Hallo.xml
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any


def _local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rpartition("}")[2]


def xml_revisions(path: Path) -> tuple[str, list[dict[str, Any]]]:
    """(title, revisions in the API form) of the first page of an export."""
    title = ""
    revisions: list[dict[str, Any]] = []
    for _, elem in ET.iterparse(path, events=("end",)):
        name = _local(elem.tag)
        if name == "title" and not title:
            title = elem.text or ""
        elif name == "revision":
            fields = {_local(child.tag): child for child in elem}
            contributor = {_local(c.tag): c.text for c in fields.get("contributor", [])}
            rev: dict[str, Any] = {
                "revid": int(fields["id"].text or 0),
                "timestamp": fields["timestamp"].text,
                "user": contributor.get("username") or contributor.get("ip") or "",
                "userid": int(contributor.get("id") or 0),
                "*": (fields["text"].text or "") if "text" in fields else "",
            }
            if "comment" in fields and fields["comment"].text:
                rev["comment"] = fields["comment"].text
            if "minor" in fields:
                rev["minor"] = ""
            revisions.append(rev)
            elem.clear()
        elif name == "page":
            break
    return title, revisions


def json_revisions(path: Path) -> tuple[str, list[dict[str, Any]]]:
    """(title, revisions) of a prop=revisions JSON history (a list of revisions or a query)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, list):
        return path.stem, data
    page = next(iter(data["query"]["pages"].values() if isinstance(data["query"]["pages"], dict)
                     else data["query"]["pages"]))
    return page.get("title", path.stem), page["revisions"]


def main() -> int:
    """Analyse the file named on the command line with WikiWho; print tokens per editor."""
    from WikiWho.wikiwho import Wikiwho

    default = Path(__file__).resolve().parents[1] / "tests" / "data" / "histories" / "Hallo.xml"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default  # `make bench` passes none
    title, revisions = (json_revisions(path) if path.suffix == ".json"
                        else xml_revisions(path))
    ww = Wikiwho(title)
    ww.analyse_article(revisions)
    last = ww.revisions[ww.ordered_revisions[-1]]
    counts: Counter[str] = Counter()
    for paragraph_hash in last.ordered_paragraphs:
        for paragraph in last.paragraphs[paragraph_hash]:
            for sentence_hash in paragraph.ordered_sentences:
                for sentence in paragraph.sentences[sentence_hash]:
                    for word in sentence.words:
                        counts[ww.revisions[word.origin_rev_id].editor] += 1
    json.dump({"revision": last.id, "editors": dict(counts)}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
