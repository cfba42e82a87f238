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
