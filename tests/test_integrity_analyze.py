"""`wikiseminar analyze FILE --integrity`: offline checks on a Special:Export file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from wikiseminar.commands.analyze import analyze_command

from .localwiki import PageSpec, Rev, dump_xml
from .scenarios import ts


def _export(tmp_path: Path) -> Path:
    """A two-revision history: the second adds AI traces and impossible citations."""
    first = "Le micro-travail est étudié depuis 2010.<ref>{{Ouvrage |isbn=978-0-306-40615-7}}</ref>"
    second = (first + "\n\n## Enjeux\nLes **plateformes** rémunèrent à la tâche "
              "[selon une étude](https://exemple.org/etude?utm_source=chatgpt.com)."
              "<ref>{{Article |doi=10.12/x |isbn=978-2-02-140188-1 |date=3 avril 2031}}</ref>")
    xml = dump_xml([PageSpec("Micro-travail", [
        Rev("Élodie", ts("2024-01-10"), first), Rev("Élodie", ts("2024-01-11"), second)])])
    # Give the page and its revisions the ids a real export has.
    xml = xml.replace("<ns>0</ns>", "<ns>0</ns><id>7</id>")
    for revid in (101, 102):
        xml = xml.replace("<revision><timestamp>", f"<revision><id>{revid}</id><timestamp>", 1)
    path = tmp_path / "export.xml"
    path.write_text(xml, encoding="utf-8")
    return path


def test_offline_findings_name_each_trace(tmp_path: Path) -> None:
    result = CliRunner().invoke(analyze_command, [str(_export(tmp_path)), "--integrity", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    found = {(r["kind"], r["detail"]) for r in rows}
    assert ("ai-trace", "utm_source: utm_source=chatgpt.com") in found
    assert ("markdown", "markdown-bold: **plateformes**") in found
    assert ("markdown", "markdown-heading: ## Enjeux") in found
    assert any(k == "markdown" and d.startswith("markdown-link: [selon une étude](") for k, d in found)
    assert ("isbn", "978-2-02-140188-1: wrong check digit or length") in found
    assert ("doi", "10.12/x: malformed DOI") in found
    assert any(k == "future-date" for k, _ in found)
    # The first revision's valid ISBN is no finding; everything is on the second revision.
    assert len({r["revid"] for r in rows}) == 1
    assert {r["student"] for r in rows} == {"Élodie"}


def test_text_output_and_bad_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(analyze_command, [str(_export(tmp_path)), "--integrity"])
    assert result.exit_code == 0 and "ai-trace — utm_source" in result.output
    bad = tmp_path / "bad.xml"
    bad.write_text("<mediawiki><page>", encoding="utf-8")
    failed = CliRunner().invoke(analyze_command, [str(bad), "--integrity"])
    assert failed.exit_code != 0 and len(failed.output.strip().splitlines()) == 1
