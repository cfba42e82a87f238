"""`wikiseminar analyze FILE`: tables, JSON, authorship, errors — no app, no database."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wikiseminar.commands.analyze import analyze_command

HISTORIES = Path(__file__).resolve().parent / "data" / "histories"
ALL_FILES = sorted(HISTORIES.glob("*.xml")) + [HISTORIES / "nintendo_switch_revisions.json"]
REQUIRED_KEYS = {"revid", "user", "timestamp", "words_added", "words_removed",
                 "references_added", "references_removed", "sections_added", "wikilinks_added",
                 "external_links_added", "files_added", "templates_added", "categories_added",
                 "created", "is_revert", "reverted"}


def run(*args: str) -> tuple[int, str, str]:
    """Invoke the command; return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(analyze_command, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_json_for_every_history_file(path: Path) -> None:
    code, out, err = run(str(path), "--json")
    assert code == 0, err
    records = json.loads(out)
    assert records and all(REQUIRED_KEYS <= set(r) for r in records)
    assert "Analysing" not in err  # no progress bar when stderr is not a terminal


def test_json_values_for_the_pyrus_history() -> None:
    records = {r["revid"]: r for r in json.loads(run(str(HISTORIES / "article-pyrus.xml"),
                                                      "--json")[1])}
    rv = records[190346463]
    assert rv["user"] == "IceCreamAntisocial" and rv["timestamp"] == "2008-02-10T07:21:12Z"
    assert rv["is_revert"] and rv["reverts"] == [189729426] and rv["words_removed"] == 27
    assert records[189729426]["reverted"] and records[189729426]["reverted_by"] == 190346463
    assert records[104997415]["created"] and records[104997415]["is_move"]
    assert records[238138507]["categories_added"] == 1 and records[238138507]["title"] == "Pyrus"


def test_table_with_per_editor_totals() -> None:
    code, out, _ = run(str(HISTORIES / "article-pyrus.xml"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "== Pyrus =="
    assert lines[1].split()[:5] == ["revid", "timestamp", "user", "words+", "words-"]
    row = next(line for line in lines if line.lstrip().startswith("189729426"))
    assert row.split()[3:6] == ["Jkokemueller", "27", "0"]
    assert row.endswith("reverted by 190346463")
    editors = lines[lines.index(next(x for x in lines if x.startswith("editor"))) + 1:]
    jk = next(x for x in editors if x.startswith("Jkokemueller")).split()
    # revisions 1, words+ 27, words- 0, kept+ 0 (reverted), …, reverts 0, reverted 1
    assert jk[1:5] == ["1", "27", "0", "0"] and jk[-2:] == ["0", "1"]


def test_compressed_input(tmp_path: Path) -> None:
    path = tmp_path / "pear.xml.gz"
    path.write_bytes(gzip.compress((HISTORIES / "article-pear.xml").read_bytes()))
    records = json.loads(run(str(path), "--json")[1])
    assert [r["words_added"] for r in records] == [146, 6, 3, 0]


def test_bad_files_fail_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes((HISTORIES / "article-pear.xml").read_bytes()[:2000])
    for path in (broken, tmp_path / "missing.xml"):
        code, out, err = run(str(path))
        assert code == 1
        assert err.startswith("Error: ") and len(err.strip().splitlines()) == 1
        assert path.name in err
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    assert run(str(empty), "--json")[1] == "[]\n"
    assert run(str(empty))[1] == "No revisions.\n"


def test_authorship_summary() -> None:
    code, out, err = run(str(HISTORIES / "article-pear.xml"), "--authorship", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["revision"] == 188924
    assert set(summary) >= {"revision", "tokens", "editors", "origins"}
    assert sum(e["tokens"] for e in summary["editors"].values()) == summary["tokens"]
    assert "Conversion script" in summary["editors"]
    code, out, _ = run(str(HISTORIES / "article-pear.xml"), "--authorship")
    assert code == 0 and out.startswith("== Pear == revision 188924")
    assert any(line.startswith("Conversion script") for line in out.splitlines())


def test_authorship_of_several_pages_is_a_list() -> None:
    code, out, _ = run(str(HISTORIES / "pair-0.10.xml"), "--authorship", "--json")
    assert code == 0
    summaries = json.loads(out)
    assert [s["revision"] for s in summaries] == [237383099, 237383127]
