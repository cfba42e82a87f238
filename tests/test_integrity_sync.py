"""End to end: students' edits on the real local MediaWiki cite pages served locally; the
sync finds the pasted and the lightly reworded paragraphs, not the honest summary."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import IntegrityFinding, IntegritySource, Participant

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import make_seminar, new_scenario, run_sync, ts
from .sourcekit import SourceServer, html_page, pdf_bytes, source_server

pytestmark = pytest.mark.wiki

SOURCE_FR = """Le numérique est souvent présenté comme immatériel, mais il repose sur le travail de millions de personnes.

Le travail du clic désigne l'ensemble des micro-tâches payées à la pièce que des internautes accomplissent sur des plateformes spécialisées. Ces travailleurs annotent des images, transcrivent des enregistrements ou vérifient des contenus pour quelques centimes, souvent depuis Madagascar, les Philippines ou le Venezuela. Selon le sociologue Antonio Casilli, cette main-d'œuvre invisible est indispensable à l'entraînement des intelligences artificielles.

Les plateformes se présentent comme de simples intermédiaires et refusent le statut d'employeur."""

ELODIE = ("Le travail du clic désigne l'ensemble des micro-tâches payées à la pièce que des "
          "internautes accomplissent sur des plateformes spécialisées. Ces travailleurs annotent "
          "des images, transcrivent des enregistrements ou vérifient des contenus pour quelques "
          "centimes, souvent depuis Madagascar, les Philippines ou le Venezuela.")
BRUNO = ("Le travail du clic recouvre l'ensemble des micro-tâches payées à la pièce que des "
         "internautes effectuent sur des plateformes dédiées. Ces travailleurs annotent des "
         "photos, transcrivent des enregistrements ou contrôlent des contenus pour quelques "
         "centimes, depuis Madagascar, les Philippines ou le Venezuela.")
CHLOE = ("Des personnes réparties dans plusieurs pays du Sud effectuent contre une rémunération "
         "très faible de petites tâches répétitives, comme décrire une photo ou retranscrire un "
         "son. Pour Antonio Casilli, sans ces contributions discrètes les logiciels dits "
         "intelligents ne pourraient pas apprendre.")

SOURCE_EN = """Data centres consume a growing share of the world's electricity.

Training a single large language model can emit as much carbon dioxide as several transatlantic flights, because thousands of graphics processors run for weeks in facilities that are still largely powered by fossil fuels. Cooling these machines also requires vast amounts of fresh water, which strains local supplies during droughts."""

ELODIE_EN = ("Training a single large language model can emit as much carbon dioxide as several "
             "transatlantic flights, because thousands of graphics processors run for weeks in "
             "facilities that are still largely powered by fossil fuels.")


def _serve(server: SourceServer) -> dict[str, str]:
    """Register the cited pages; returns their URLs."""
    return {
        "fr": server.add("/travail-du-clic.html", html_page("Le travail du clic", SOURCE_FR)),
        "en": server.add("/ai-footprint.pdf", pdf_bytes("AI footprint", SOURCE_EN),
                         "application/pdf"),
        "gone": server.url("/article-disparu.html"),
    }


def _ref(url: str) -> str:
    """A footnote citing a URL."""
    return f"<ref>{{{{Lien web |url={url} |titre=Source |date=2023-05-02}}}}</ref>"


def _import(wiki: LocalWiki, sc_tag: str, users: dict[str, str], urls: dict[str, str]) -> dict[str, str]:
    """One page per student, each citing the French source; Élodie also the English PDF."""
    titles = {k: f"Micro-travail {k} {sc_tag}" for k in ("elodie", "bruno", "chloe")}
    wiki.create_users(list(users.values()))
    intro = "Le micro-travail est un sujet d'étude récent.\n\n"
    refs = "\n\n== Notes ==\n<references />"
    wiki.import_pages([
        PageSpec(titles["elodie"], [
            Rev(users["elodie"], ts("2024-01-10"), intro + "Texte de départ." + refs, "début"),
            Rev(users["elodie"], ts("2024-01-11"),
                intro + ELODIE + _ref(urls["fr"]) + refs, "paragraphe"),
            Rev(users["elodie"], ts("2024-01-12"),
                intro + ELODIE + _ref(urls["fr"]) + "\n\n" + ELODIE_EN + _ref(urls["en"]) + refs,
                "environnement"),
        ]),
        PageSpec(titles["bruno"], [
            Rev(users["bruno"], ts("2024-01-11"), intro + BRUNO + _ref(urls["fr"]) + refs, "ajout"),
        ]),
        PageSpec(titles["chloe"], [
            Rev(users["chloe"], ts("2024-01-11"),
                intro + CHLOE + _ref(urls["fr"]) + _ref(urls["gone"]) + refs, "résumé"),
        ]),
    ])
    return titles


def _findings(app: Flask, seminar_id: int) -> list[tuple[str, str, str, float | None]]:
    """(student key, kind, source, confidence) of every finding."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Participant.name, IntegrityFinding.kind, IntegrityFinding.source,
                      IntegrityFinding.confidence)
            .join(Participant, Participant.id == IntegrityFinding.participant_id)
            .where(IntegrityFinding.seminar_id == seminar_id).order_by(IntegrityFinding.id)).all()
        return [(n.lower(), k, s, c) for n, k, s, c in rows]


def setup_seminar(app: Flask, wiki: LocalWiki, server: SourceServer) -> tuple[int, dict[str, str]]:
    """The done-when seminar, synced once."""
    app.config.update(INTEGRITY_FETCH_SOURCES=True, INTEGRITY_ALLOW_PRIVATE_HOSTS=True,
                      INTEGRITY_DOI_RESOLVER="")
    sc = new_scenario()
    urls = _serve(server)
    _import(wiki, sc.tag, sc.students, urls)
    seminar_id = make_seminar(app, wiki, sc)
    assert run_sync(app, seminar_id)["status"] == "success"
    return seminar_id, urls


def test_copies_of_cited_sources_are_found_and_honest_summary_is_not(
        app: Flask, wiki: LocalWiki) -> None:
    with source_server() as server:
        seminar_id, urls = setup_seminar(app, wiki, server)
        found = _findings(app, seminar_id)
        copies = {(who, src): conf for who, kind, src, conf in found if kind == "copy"}
        assert copies[("elodie", urls["fr"])] >= 0.75          # pasted: "suspected"
        assert copies[("elodie", urls["en"])] >= 0.75          # pasted from the PDF
        assert 0.5 <= copies[("bruno", urls["fr"])]            # reworded: at least "possible"
        assert not [f for f in found if f[0] == "chloe" and f[1].startswith("copy")]
        assert ("chloe", "dead-link", urls["gone"], None) in found
        # Each source was fetched once, with the app's User-Agent, whatever the citations.
        gets = [path for method, path, _ in server.requests if method == "GET"]
        assert sorted(gets) == sorted(["/travail-du-clic.html", "/ai-footprint.pdf",
                                       "/article-disparu.html"])
        assert all(ua.startswith("wikiseminar-tests/0.1") for _, _, ua in server.requests)
        with app.app_context():
            finding = db.session.scalars(sa.select(IntegrityFinding).where(
                IntegrityFinding.kind == "copy",
                IntegrityFinding.source == urls["fr"])).first()
            assert finding is not None
            assert "Madagascar" in finding.source_passage

        # A second sync checks nothing again and fetches nothing again.
        before = len(server.requests)
        assert run_sync(app, seminar_id)["status"] == "success"
        assert len(server.requests) == before
        assert _findings(app, seminar_id) == found


def test_private_hosts_are_refused_unless_allowed(app: Flask, wiki: LocalWiki) -> None:
    with source_server() as server:
        app.config.update(INTEGRITY_FETCH_SOURCES=True, INTEGRITY_ALLOW_PRIVATE_HOSTS=False)
        sc = new_scenario()
        urls = _serve(server)
        _import(wiki, sc.tag, sc.students, urls)
        seminar_id = make_seminar(app, wiki, sc)
        assert run_sync(app, seminar_id)["status"] == "success"
        assert server.requests == []
        assert not [f for f in _findings(app, seminar_id) if f[1] in ("copy", "dead-link")]
        with app.app_context():
            statuses = set(db.session.scalars(sa.select(IntegritySource.status)))
        assert statuses == {"blocked"}


def _instructor(app: Flask, seminar_id: int) -> int:
    """An instructor account of the seminar; returns its user id."""
    from wikiseminar.models import Role

    from .webkit import add_user

    with app.app_context():
        user = add_user("prof@example.org", "Prof Martin", instructor=True)
        db.session.add(Participant(seminar_id=seminar_id, name="Prof Martin",
                                   role=Role.INSTRUCTOR, user=user))
        db.session.commit()
        return user.id


def _student_account(app: Flask, seminar_id: int, key: str) -> int:
    """A user account bound to the scenario student `key`; returns its id."""
    from .webkit import add_user

    with app.app_context():
        person = db.session.scalars(sa.select(Participant).where(
            Participant.seminar_id == seminar_id, Participant.name == key.title())).one()
        user = add_user(f"{key}@example.org", key.title())
        person.user = user
        db.session.commit()
        return user.id


def test_cli_review_page_and_verdicts_that_stick(app: Flask, wiki: LocalWiki) -> None:
    import json

    from wikiseminar.models import Seminar

    from .webkit import login_as

    with source_server() as server:
        seminar_id, urls = setup_seminar(app, wiki, server)
        with app.app_context():
            seminar = db.session.get(Seminar, seminar_id)
            assert seminar is not None
            slug = seminar.slug
            users = {p.name.lower(): p.wiki_username for p in seminar.participants}
        runner = app.test_cli_runner()
        result = runner.invoke(args=["integrity", slug, "--json"])
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)
        assert {"revid", "page", "student", "kind", "confidence", "source", "excerpt",
                "verdict"} <= set(rows[0])
        copies = {(r["student"], r["source"]) for r in rows if r["kind"] == "copy"}
        assert (users["elodie"], urls["fr"]) in copies and (users["bruno"], urls["fr"]) in copies
        assert all(r["student"] != users["chloe"] for r in rows if r["kind"] == "copy")
        only = json.loads(runner.invoke(
            args=["integrity", slug, "--student", users["bruno"], "--json"]).output)
        assert only and {r["student"] for r in only} == {users["bruno"]}
        bad = runner.invoke(args=["integrity", slug, "--student", "Nobody"])
        assert bad.exit_code != 0 and "Nobody" in bad.output
        text = runner.invoke(args=["integrity", slug]).output
        assert "copy 1.00 (suspected)" in text

        # Students never see a finding nobody judged.
        students = {}
        for key in ("elodie", "bruno"):
            students[key] = app.test_client()
            login_as(students[key], _student_account(app, seminar_id, key))
            me = students[key].get(f"/seminars/{slug}/me").get_data(as_text=True)
            assert "Madagascar" not in me and 'id="integrity-h"' not in me

        # The review page: passages side by side with the shared words marked.
        client = app.test_client()
        login_as(client, _instructor(app, seminar_id))
        with app.app_context():
            ids = {p.name.lower(): p.id for p in db.session.scalars(sa.select(Participant).where(
                Participant.seminar_id == seminar_id))}
        board = client.get(f"/seminars/{slug}/dashboard").get_data(as_text=True)
        assert f'id="alert-integrity-review-{ids["elodie"]}"' in board
        own = students["elodie"].get(f"/seminars/{slug}/students/{ids['elodie']}")
        assert own.status_code == 200
        assert "alert-integrity-review" not in own.get_data(as_text=True)
        server.pages.clear()  # the sources disappear: the findings keep their passages
        page = client.get(f"/seminars/{slug}/integrity").get_data(as_text=True)
        assert "<mark>" in page and "Madagascar" in page and "diff=prev&amp;oldid=" in page
        by = {(r["student"], r["source"], r["kind"]): r for r in rows}
        elodie = by[(users["elodie"], urls["fr"], "copy")]
        bruno = by[(users["bruno"], urls["fr"], "copy")]
        client.post(f"/seminars/{slug}/integrity/{elodie['id']}",
                    data={"verdict": "confirmed", "note": "Paragraphe collé sans guillemets."})
        client.post(f"/seminars/{slug}/integrity/{bruno['id']}",
                    data={"verdict": "false_positive", "note": ""})
        assert client.post(f"/seminars/{slug}/integrity/{bruno['id']}",
                           data={"verdict": "guilty"}).status_code == 302
        judged = {r["id"]: r for r in json.loads(
            runner.invoke(args=["integrity", slug, "--json"]).output)}
        assert judged[elodie["id"]]["verdict"] == "confirmed"
        assert judged[elodie["id"]]["judged_by"] == "Prof Martin"
        assert judged[bruno["id"]]["verdict"] == "false_positive"
        page = client.get(f"/seminars/{slug}/integrity").get_data(as_text=True)
        assert f'id="finding-{bruno["id"]}"' not in page
        # The confirmed finding reaches the student's page and report with the note;
        # the false positive reaches nobody.
        me = students["elodie"].get(f"/seminars/{slug}/me").get_data(as_text=True)
        assert 'id="integrity-h"' in me and "Paragraphe collé sans guillemets." in me
        assert 'id="integrity-h"' not in students["bruno"].get(
            f"/seminars/{slug}/me").get_data(as_text=True)
        own = students["elodie"].get(f"/seminars/{slug}/students/{ids['elodie']}")
        assert f'id="alert-integrity-confirmed-{ids["elodie"]}"' in own.get_data(as_text=True)
        report = runner.invoke(args=["report", slug, "--student", users["elodie"],
                                     "--format", "html"])
        assert report.exit_code == 0 and "Paragraphe collé sans guillemets." in report.output
        assert "integrity-confirmed" in report.output
        report = runner.invoke(args=["report", slug, "--student", users["bruno"],
                                     "--format", "html"])
        assert report.exit_code == 0 and "integrity-confirmed" not in report.output
        assert f'id="finding-{bruno["id"]}"' in client.get(
            f"/seminars/{slug}/integrity?show=all").get_data(as_text=True)

        # A rubric criterion can read the confirmed findings (share of clean edits).
        from wikiseminar.models import CriterionKind, RubricCriterion, Seminar
        from wikiseminar.reports.grading import seminar_gradebook

        with app.app_context():
            db.session.add(RubricCriterion(
                seminar_id=seminar_id, label="Intégrité", kind=CriterionKind.COMPUTED,
                metric="integrity_clean", threshold_low=0.5, threshold_high=1.0))
            db.session.commit()
            book = seminar_gradebook(db.session, db.session.get(Seminar, seminar_id))
            (criterion,) = book.criteria
            scores = {book.participants[g.participant_id].name.lower(): g.scores[criterion.id]
                      for g in book.grades}
        assert scores["chloe"] == 1.0 and scores["bruno"] == 1.0  # false positive: no effect
        assert scores["elodie"] is not None and scores["elodie"] < 0.5

        # Bruno pastes the same passage again on another page: no new finding to judge.
        server.add("/travail-du-clic.html", html_page("Le travail du clic", SOURCE_FR))
        wiki.import_pages([PageSpec(f"Autre page {slug}", [
            Rev(users["bruno"], ts("2024-02-01"), BRUNO + _ref(urls["fr"]))])])
        assert run_sync(app, seminar_id)["status"] == "success"
        again = json.loads(runner.invoke(args=["integrity", slug, "--json"]).output)
        assert len(again) == len(rows)
        assert {r["id"]: r["verdict"] for r in again}[bruno["id"]] == "false_positive"


def test_citations_traces_doi_resolution_and_external_detector(app: Flask, wiki: LocalWiki) -> None:
    import json

    with source_server() as server:
        server.add("/doi/10.1234/exists", "", status=302,
                   headers={"Location": server.url("/travail-du-clic.html")})
        server.add("/detect", json.dumps({"score": 0.97}), "application/json")
        app.config.update(INTEGRITY_FETCH_SOURCES=True, INTEGRITY_ALLOW_PRIVATE_HOSTS=True,
                          INTEGRITY_DOI_RESOLVER=server.url("/doi/"),
                          INTEGRITY_DETECTOR_URL=server.url("/detect"),
                          INTEGRITY_DETECTOR_TOKEN="secret-token")
        sc = new_scenario()
        urls = _serve(server)
        study = server.add("/etude?utm_source=chatgpt.com", html_page("Étude", SOURCE_FR))
        user = sc.user("chloe")
        wiki.create_users([user])
        text = (CHLOE + " Les **plateformes** en profitent.<ref>{{Ouvrage |titre=Le clic "
                "|isbn=978-2-02-140188-1 |date=12 mars 2031}}</ref><ref>{{Article |doi=10.12/x}}"
                "</ref><ref>{{Article |doi=10.1234/missing}}</ref><ref>{{Article "
                f"|doi=10.1234/exists}}}}</ref><ref>[{study} Étude]</ref>\n\n== Notes ==\n"
                "<references />")
        wiki.import_pages([PageSpec(f"Citations {sc.tag}", [Rev(user, ts("2024-01-11"), text)])])
        seminar_id = make_seminar(app, wiki, sc)
        assert run_sync(app, seminar_id)["status"] == "success"
        with app.app_context():
            rows = db.session.execute(sa.select(
                IntegrityFinding.kind, IntegrityFinding.detail, IntegrityFinding.confidence)).all()
        found = {(k, d) for k, d, _ in rows}
        assert ("isbn", "978-2-02-140188-1: wrong check digit or length") in found
        assert ("doi", "10.12/x: malformed DOI") in found
        assert ("doi", "10.1234/missing: does not resolve") in found
        assert not any(d.startswith("10.1234/exists") for _, d in found)
        assert ("future-date", "12 mars 2031: after the edit (2024-01-11)") in found
        assert ("ai-trace", "utm_source: utm_source=chatgpt.com") in found
        assert ("markdown", "markdown-bold: **plateformes**") in found
        assert [c for k, _, c in rows if k == "ai-detector"] == [0.97]
        posts = [payload for method, _, payload in server.requests if method == "POST"]
        assert len(posts) == 1 and "Antonio Casilli" in json.loads(posts[0])["text"]
        assert server.authorizations == ["Bearer secret-token"]
        assert urls["fr"]


def test_no_text_leaves_without_a_detector(app: Flask, wiki: LocalWiki) -> None:
    with source_server() as server:
        setup_seminar(app, wiki, server)
        assert not [r for r in server.requests if r[0] == "POST"]


OTHER_ARTICLE = ("L'économie de plateforme désigne l'ensemble des activités organisées par des "
                 "intermédiaires numériques qui mettent en relation une offre et une demande, "
                 "en prélevant une commission sur chaque transaction réalisée par les utilisateurs.")


def test_copies_between_students_and_from_linked_wiki_articles(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    e, b, o = sc.user("elodie"), sc.user("bruno"), sc.user("outsider")
    wiki.create_users([e, b, o, sc.user("chloe")])
    linked = f"Économie de plateforme {sc.tag}"
    wiki.import_pages([
        PageSpec(linked, [Rev(o, ts("2023-11-02"), OTHER_ARTICLE)]),
        PageSpec(f"Clic Élodie {sc.tag}", [Rev(e, ts("2024-01-10"), ELODIE)]),
        PageSpec(f"Clic Bruno {sc.tag}", [
            Rev(b, ts("2024-01-12"), "Intro de Bruno sur le sujet.\n\n" + ELODIE),
            Rev(b, ts("2024-01-13"), "Intro de Bruno sur le sujet.\n\n" + ELODIE
                + f"\n\nSelon l'article [[{linked}]] : " + OTHER_ARTICLE)]),
    ])
    seminar_id = make_seminar(app, wiki, sc)
    app.config.update(INTEGRITY_FETCH_SOURCES=True, INTEGRITY_ALLOW_PRIVATE_HOSTS=True)
    assert run_sync(app, seminar_id)["status"] == "success"
    found = _findings(app, seminar_id)
    assert ("bruno", "copy-seminar", f"Clic Élodie {sc.tag}", 1.0) in found
    wiki_copies = [c for who, kind, src, c in found if (who, kind, src) == ("bruno", "copy-wiki", linked)]
    assert wiki_copies and wiki_copies[0] is not None and wiki_copies[0] >= 0.75
    # Élodie wrote first: she is not flagged for Bruno's copy of her text.
    assert not [f for f in found if f[0] == "elodie"]


def test_a_wiki_account_shared_by_two_participants_is_checked_once(
        app: Flask, wiki: LocalWiki) -> None:
    from wikiseminar.models import IntegrityCheck, Role

    sc = new_scenario()
    e = sc.user("elodie")
    wiki.create_users([e, sc.user("bruno"), sc.user("chloe")])
    wiki.import_pages([PageSpec(f"Binôme {sc.tag}", [
        Rev(e, ts("2024-01-10"), "Les **plateformes** organisent le micro-travail.")])])
    seminar_id = make_seminar(app, wiki, sc)
    with app.app_context():
        db.session.add(Participant(seminar_id=seminar_id, name="Binôme d'Élodie",
                                   role=Role.STUDENT, wiki_username=e))
        db.session.commit()
    assert run_sync(app, seminar_id)["status"] == "success"
    found = _findings(app, seminar_id)
    assert [kind for _, kind, _, _ in found] == ["markdown"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IntegrityCheck)) == 1
