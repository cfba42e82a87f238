"""Grade and programme CSVs as French Excel reads them (issue 12, item 6).

French by default for a French seminar: `;` separator, decimal comma, French column titles,
UTF-8 with a BOM; `--locale en` gives commas, points and English titles. The files are read
back with python's csv (the separator a spreadsheet uses) and openpyxl.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from .localwiki import LocalWiki
from .scenarios import Scenario
from .test_restitution import Ids, build
from .test_restitution import history as history  # noqa: F401  (module fixture)
from .webkit import login_as

pytestmark = pytest.mark.wiki


@pytest.fixture
def graded(app: Flask, wiki: LocalWiki, history: Scenario) -> Ids:  # noqa: F811
    """The synced seminar of this test's database (a French wiki: French exports)."""
    return build(app, wiki, history)


def _read(raw: bytes, delimiter: str) -> list[dict[str, str]]:
    """A CSV file as a spreadsheet opens it: BOM, then rows split on `delimiter`."""
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


def test_grade_csv_is_french_by_default_and_english_on_request(
        app: Flask, graded: Ids, runner: FlaskCliRunner, tmp_path: Path) -> None:
    fr, en = tmp_path / "notes.csv", tmp_path / "grades.csv"
    result = runner.invoke(args=["export", "grades", graded.slug, "--format", "csv", "-o", str(fr)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["export", "grades", graded.slug, "--format", "csv",
                                 "--locale", "en", "-o", str(en)])
    assert result.exit_code == 0, result.output

    french = {r["Nom"]: r for r in _read(fr.read_bytes(), ";")}
    assert set(french) >= {"Élodie Lefèvre", "Bruno Petit"}  # accents intact
    elodie = french["Élodie Lefèvre"]
    assert elodie["Note proposée (/20)"] == "12,0"  # decimal comma
    assert elodie["Note : Mots ajoutés (/20)"] == "10,0"
    assert elodie["Mots ajoutés"] == "18"
    assert elodie["Sujet"] == "Travail du clic"
    assert not any("." in v for k, v in elodie.items() if k.startswith("Note"))
    assert french["Bruno Petit"]["Note finale (/20)"] == "10,0"

    english = {r["name"]: r for r in _read(en.read_bytes(), ",")}
    assert english["Élodie Lefèvre"]["suggested_grade (/20)"] == "12.0"
    assert english["Élodie Lefèvre"]["words_added"] == "18"


def test_grade_and_programme_downloads(app: Flask, graded: Ids) -> None:
    """The web downloads follow the seminar's language; the header says charset once."""
    client = app.test_client()
    login_as(client, graded.users["ines"])
    slug = graded.slug
    grades = client.get(f"/seminars/{slug}/export/grades.csv")
    assert grades.status_code == 200
    assert grades.headers["Content-Type"].lower().count("charset") == 1
    assert grades.headers["Content-Type"].startswith("text/csv")
    rows = _read(grades.data, ";")
    assert "Note proposée (/20)" in rows[0]
    english = client.get(f"/seminars/{slug}/export/grades.csv?locale=en")
    assert "suggested_grade (/20)" in _read(english.data, ",")[0]

    programme = client.get(f"/seminars/{slug}/programme.csv")
    assert programme.status_code == 200
    assert programme.headers["Content-Type"].lower().count("charset") == 1
    header = programme.data.decode("utf-8-sig").splitlines()[0]
    assert header.split(";")[0] == "Ordre" and "Nom" in header.split(";")
    english = client.get(f"/seminars/{slug}/programme.csv?locale=en").data.decode("utf-8-sig")
    assert english.splitlines()[0].split(",")[0] == "position"


def _xlsx_rows(raw: bytes) -> list[dict[str, object]]:
    """An XLSX file as a spreadsheet opens it: the header row, then one dict per row."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(raw)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_grade_xlsx_has_the_csv_titles_of_its_language(
        app: Flask, graded: Ids, runner: FlaskCliRunner, tmp_path: Path) -> None:
    """The XLSX carries the CSV's column titles: French by default, English with --locale en."""
    for locale, csv_name in ((None, "fr"), ("en", "en")):
        extra = [] if locale is None else ["--locale", locale]
        sheet, text = tmp_path / f"grades-{csv_name}.xlsx", tmp_path / f"grades-{csv_name}.csv"
        for fmt, path in (("xlsx", sheet), ("csv", text)):
            result = runner.invoke(args=["export", "grades", graded.slug, "--format", fmt,
                                         *extra, "-o", str(path)])
            assert result.exit_code == 0, result.output
        csv_rows = _read(text.read_bytes(), ";" if locale is None else ",")
        xlsx_rows = _xlsx_rows(sheet.read_bytes())
        assert list(xlsx_rows[0]) == list(csv_rows[0])  # same titles, same order
        name, grade = ("Nom", "Note proposée (/20)") if locale is None \
            else ("name", "suggested_grade (/20)")
        by_name = {r[name]: r for r in xlsx_rows}
        assert by_name["Élodie Lefèvre"][grade] == 12  # a number cell, not text
    client = app.test_client()
    login_as(client, graded.users["ines"])
    french = _xlsx_rows(client.get(f"/seminars/{graded.slug}/export/grades.xlsx").data)
    assert "Note proposée (/20)" in french[0] and "Mots ajoutés" in french[0]
    english = _xlsx_rows(client.get(f"/seminars/{graded.slug}/export/grades.xlsx?locale=en").data)
    assert "suggested_grade (/20)" in english[0]
