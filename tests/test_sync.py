"""The sync against a real MediaWiki: scope, incrementality, moves, deletions, renames, faults."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Page, Participant, Revision, RevisionText, Seminar, SyncRun
from wikiseminar.sync import locking
from wikiseminar.sync.pipeline import client_for

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import (
    expected_revisions,
    import_seminar_edits,
    make_seminar,
    new_scenario,
    run_sync,
    stored_revisions,
    table_counts,
    ts,
)

pytestmark = pytest.mark.wiki


def test_first_sync_holds_exactly_the_students_edits_inside_the_dates(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)

    run = run_sync(app, seminar_id)

    assert run["status"] == "success", run["error"]
    stored = stored_revisions(app, seminar_id)
    expected = expected_revisions(wiki, sc)
    assert set(stored) == set(expected)
    titles = {title for title, _, _ in stored.values()}
    assert sc.titles["before"] not in titles  # edit before the start date
    assert sc.titles["template"] not in titles  # namespace the seminar does not follow
    with app.app_context():
        users = set(db.session.scalars(sa.select(Revision.user_name).join(
            Participant, Participant.wiki_user_id == Revision.user_id)))
        outsider_revs = db.session.scalars(sa.select(Revision).where(
            Revision.user_name == sc.user("outsider"))).all()
        # The outsider's edit is stored only as history of a tracked article, never as the seminar's.
        assert all(r.rev_id not in stored for r in outsider_revs)
        assert sc.user("outsider") not in users
        after = db.session.scalars(sa.select(Revision.timestamp).where(
            Revision.rev_id.in_(list(stored)))).all()
        assert max(after) < dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
        # Every revision of the seminar has its text, and sha1 from prop=revisions.
        texts = set(db.session.scalars(sa.select(RevisionText.rev_id)))
        assert set(stored) <= texts
        assert all(db.session.scalars(sa.select(Revision.sha1).where(Revision.rev_id.in_(list(stored)))))
        sync_run = db.session.scalars(sa.select(SyncRun)).one()
        assert sync_run.revisions_added >= len(stored)
        assert sync_run.api_requests == run["api_requests"] > 0


def test_rerun_adds_nothing_and_costs_one_contributions_pass_plus_one(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)
    first = run_sync(app, seminar_id)
    counts = table_counts(app)

    second = run_sync(app, seminar_id)

    assert second["status"] == "success"
    assert second["revisions_added"] == 0
    assert second["texts_fetched"] == 0
    assert table_counts(app) == counts
    students = 3
    assert second["api_requests"] <= math.ceil(students / 50) + 1
    assert second["api_requests"] < first["api_requests"]


def test_small_batches_page_through_continuation_with_the_same_result(
    app: Flask, wiki: LocalWiki
) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)
    app.config.update(WIKI_CONTRIBS_USERS_PER_REQUEST=2, WIKI_CONTRIBS_LIMIT=2,
                      WIKI_REVISIONS_PER_REQUEST=2, WIKI_HISTORY_LIMIT=2)

    run = run_sync(app, seminar_id)

    assert run["status"] == "success", run["error"]
    assert set(stored_revisions(app, seminar_id)) == set(expected_revisions(wiki, sc))
    # 3 students in batches of 2 with 2 contributions per answer: many more requests.
    assert run["api_requests"] > 8


def test_sandbox_moved_to_main_namespace_is_followed_by_page_id(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)
    run_sync(app, seminar_id)
    before = stored_revisions(app, seminar_id)
    sandbox_revs = {r for r, (title, _, _) in before.items() if title == sc.titles["sandbox"]}
    assert len(sandbox_revs) == 2

    wiki.move(sc.titles["sandbox"], sc.titles["published"])
    run = run_sync(app, seminar_id)

    assert run["status"] == "success"
    after = stored_revisions(app, seminar_id)
    for revid in sandbox_revs:
        title, namespace_at_edit, _ = after[revid]
        assert title == sc.titles["published"]  # current title, by page id
        assert namespace_at_edit == 2  # still a sandbox edit when it was made
    with app.app_context():
        pages = db.session.scalars(sa.select(Page).where(Page.title == sc.titles["published"])).all()
        assert len(pages) == 1 and pages[0].namespace == 0


def test_deleted_page_is_flagged_and_its_revisions_kept(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)
    run_sync(app, seminar_id)
    doomed = {r for r, (title, _, _) in stored_revisions(app, seminar_id).items()
              if title == sc.titles["doomed"]}
    assert doomed

    wiki.delete(sc.titles["doomed"])
    run = run_sync(app, seminar_id)

    assert run["status"] == "success"
    after = stored_revisions(app, seminar_id)
    assert doomed <= set(after)
    assert all(after[r][2] for r in doomed)  # flagged deleted
    assert not any(deleted for r, (_, _, deleted) in after.items() if r not in doomed)
    with app.app_context():
        page = db.session.scalars(sa.select(Page).where(Page.title == sc.titles["doomed"])).one()
        assert page.deleted and page.deleted_detected_at is not None
    # A full rescan does not resurrect or drop anything either.
    run_sync(app, seminar_id, full=True)
    assert stored_revisions(app, seminar_id) == after


def test_renamed_account_is_followed_by_user_id(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)
    run_sync(app, seminar_id)
    expected = set(expected_revisions(wiki, sc))
    new_name = f"Bruno renamed {sc.tag}"
    uid = wiki.create_users([sc.user("bruno")])[sc.user("bruno")]
    wiki.php("eval.php", stdin=(
        "$dbw = wfGetDB(DB_PRIMARY);"
        f"$dbw->update('user', ['user_name' => '{new_name}'], ['user_id' => {uid}]);"
        f"$dbw->update('actor', ['actor_name' => '{new_name}'], ['actor_user' => {uid}]);"
    ))
    # An import is the only way to date an edit inside the seminar's past window; a real edit
    # would be dated now and seen by the next incremental run. --full rescans the window.
    wiki.import_pages([PageSpec(f"Après renommage {sc.tag}", [Rev(new_name, ts("2024-02-02"), "Nouveau texte.")])])

    run = run_sync(app, seminar_id, full=True)

    assert run["status"] == "success"
    with app.app_context():
        bruno = db.session.scalars(sa.select(Participant).where(Participant.wiki_user_id == uid)).one()
        assert bruno.wiki_username == new_name
        new_rev = db.session.scalars(sa.select(Revision).where(Revision.title == f"Après renommage {sc.tag}")).one()
        assert new_rev.user_id == uid
    assert set(stored_revisions(app, seminar_id)) == expected | {new_rev.rev_id}


def test_overlapping_run_is_skipped_and_says_so(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)
    with app.app_context():
        assert locking.acquire(db.session, seminar_id, "other-cron-run", ttl=600)
        slug = db.session.get(Seminar, seminar_id).slug

    result = app.test_cli_runner().invoke(args=["sync", slug])

    assert result.exit_code == 0, result.output
    assert "skipped, another sync of this seminar is running" in result.output
    assert stored_revisions(app, seminar_id) == {}
    with app.app_context():
        locking.release(db.session, seminar_id, "other-cron-run")
    result = app.test_cli_runner().invoke(args=["sync", slug])
    assert result.exit_code == 0 and "synced 1 seminar(s)" in result.output
    assert set(stored_revisions(app, seminar_id)) == set(expected_revisions(wiki, sc))


def test_expired_lock_of_a_crashed_run_is_taken_over(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)
    with app.app_context():
        assert locking.acquire(db.session, seminar_id, "dead-worker", ttl=-1)

    assert run_sync(app, seminar_id)["status"] == "success"


def test_wiki_going_away_mid_sync_fails_cleanly_and_rerun_completes(app: Flask, backend: str) -> None:
    own = LocalWiki(lang="fr")
    own.start()
    try:
        sc = new_scenario()
        import_seminar_edits(own, sc)
        seminar_id = make_seminar(app, own, sc)
        with app.app_context():
            client = client_for(own.api_url, app.config, sleep=lambda s: None)

        def stop_after_two(response, *args, **kwargs):  # type: ignore[no-untyped-def]
            if client.requests >= 2 and own.base:
                own.base = ""
                own.stop()  # the wiki goes away between two requests of the run

        client.site.connection.hooks["response"].append(stop_after_two)
        run = run_sync(app, seminar_id, client=client)

        assert run["status"] == "failed"
        assert "127.0.0.1" in run["error"] and "\n" not in run["error"]
        with app.app_context():
            assert db.session.get(Seminar, seminar_id).sync_lock_owner is None
            assert all(p.contribs_synced_until is None for p in db.session.scalars(sa.select(Participant)))

        own.start()
        rerun = run_sync(app, seminar_id)
        assert rerun["status"] == "success", rerun["error"]
        assert set(stored_revisions(app, seminar_id)) == set(expected_revisions(own, sc))
        with app.app_context():
            ids = db.session.scalars(sa.select(Revision.rev_id)).all()
            assert len(ids) == len(set(ids))
    finally:
        own.cleanup()


def test_page_check_reads_deletion_categories(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    # Someone tags the article for an admissibility check (a real edit: categories update).
    wiki.edit_as(sc.user("outsider"), sc.titles["article"],
                 "{{Admissibilité à vérifier}}\nLe travail du clic.\n\n"
                 "[[Catégorie:Admissibilité à vérifier]]\n[[Catégorie:Sociologie du travail]]",
                 "admissibilité")
    seminar_id = make_seminar(app, wiki, sc)

    assert run_sync(app, seminar_id)["status"] == "success"

    with app.app_context():
        page = db.session.scalars(sa.select(Page).where(Page.title == sc.titles["article"])).one()
        # Only the deletion categories are asked for, in the wiki's language.
        assert page.categories == ["Admissibilité à vérifier"]


def test_revision_deleted_on_the_wiki_is_flagged_not_dropped(app: Flask, wiki: LocalWiki) -> None:
    sc = new_scenario()
    import_seminar_edits(wiki, sc)
    seminar_id = make_seminar(app, wiki, sc)
    run_sync(app, seminar_id)
    sandbox = sorted(r for r, (title, _, _) in stored_revisions(app, seminar_id).items()
                     if title == sc.titles["sandbox"])
    site = wiki.admin()  # revision deletion needs the main account's rights, not a bot password
    site.api("revisiondelete", type="revision", target=sc.titles["sandbox"], ids=sandbox[0],
             hide="content|comment", token=site.get_token("csrf"))

    assert run_sync(app, seminar_id, full=True)["status"] == "success"

    with app.app_context():
        hidden = db.session.scalars(sa.select(Revision).where(Revision.rev_id == sandbox[0])).one()
        assert hidden.text_hidden and hidden.comment_hidden and not hidden.deleted
        # The text fetched before the deletion stays; the metrics computed from it too.
        assert db.session.get(RevisionText, (hidden.wiki_id, hidden.rev_id)).text
    assert set(stored_revisions(app, seminar_id)) == set(expected_revisions(wiki, sc))
