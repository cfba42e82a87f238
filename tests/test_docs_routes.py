"""docs/web.md's route table names every route of the app, and only routes that exist.

Each path in the table's first column is written in full (`<s>` for the seminar's slug,
`<id>` for a number); a route with a choice of extensions is listed once per extension.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

DOC = Path(__file__).resolve().parents[1] / "docs" / "web.md"
_PART = re.compile(r"<(?:(?P<conv>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def documented_paths() -> set[str]:
    """Backticked paths in the first column of the table under '## Routes'."""
    section = DOC.read_text(encoding="utf-8").split("\n## Routes\n", 1)[1].split("\n## ", 1)[0]
    paths: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line.split(" | ", 1)[0]
            paths.update(p for p in re.findall(r"`([^`]+)`", first) if p.startswith("/"))
    return paths


def spelled(rule: str) -> list[str]:
    """The rule as the table writes it: `<s>`, `<id>`, one path per `any(...)` choice."""
    variants = [""]
    position = 0
    for match in _PART.finditer(rule):
        literal = rule[position:match.start()]
        conv, name = match.group("conv"), match.group("name")
        if conv == "any":
            choices = [c.strip() for c in match.group("args").split(",")]
        elif conv == "int" or name.endswith("_id"):
            choices = ["<id>"]
        elif name == "slug":
            choices = ["<s>"]
        else:
            choices = [f"<{name}>"]
        variants = [v + literal + c for v in variants for c in choices]
        position = match.end()
    return [v + rule[position:] for v in variants]


def test_the_route_table_matches_the_url_map(app: Flask) -> None:
    expected = {path for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                for path in spelled(rule.rule)}
    documented = documented_paths()
    assert sorted(expected - documented) == [], "routes missing from docs/web.md"
    assert sorted(documented - expected) == [], "docs/web.md lists routes that do not exist"
