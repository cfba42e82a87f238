"""The hand-written labelled set of copied and honest paragraphs (tests/data/integrity)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PATH = Path(__file__).resolve().parent / "data" / "integrity" / "labelled.json"
COPIES = ("verbatim", "reworded")


@dataclass(frozen=True)
class Item:
    """One labelled paragraph with the source it is compared with."""

    id: str
    label: str
    lang: str
    text: str
    source: str

    @property
    def is_copy(self) -> bool:
        """Whether the paragraph is a copy (verbatim or reworded) of its source."""
        return self.label in COPIES


def load() -> list[Item]:
    """Every labelled paragraph; verbatim ones are taken from their source."""
    data = json.loads(PATH.read_text(encoding="utf-8"))
    items = []
    for row in data["paragraphs"]:
        source = data["sources"][row["source"]]
        text = row.get("text") or source["text"].split("\n\n")[row["copy_of"]]
        items.append(Item(row["id"], row["label"], source["lang"], text, source["text"]))
    return items
