"""A French seminar article whose talk-page rating changes during the seminar (quality tests)."""

from __future__ import annotations

from flask import Flask

from .localwiki import LocalWiki, PageSpec, Rev
from .scenarios import Scenario, make_seminar, new_scenario, run_sync, ts

STUB = "'''{title}''' est un quartier.\n\n{{{{Ébauche|géographie}}}}\n[[Catégorie:Quartier]]"


def grown_article(title: str, sections: int = 5, per_section: int = 3) -> str:
    """A sourced, sectioned article of about 1,500 words (a B-class shape)."""
    parts = [f"{{{{Infobox Quartier|nom={title}}}}}", f"'''{title}''' est un quartier ancien."]
    sentence = ("Les habitants du quartier ont transformé les anciennes halles en lieux de "
                "rencontre, de commerce et de fête au fil des décennies. ")
    ref = 0
    for s in range(sections):
        parts.append(f"== Partie {s + 1} ==")
        for _ in range(per_section):
            ref += 2
            parts.append(sentence * 5 + f"<ref>{{{{Ouvrage|titre=Étude {ref}|année=2001}}}}</ref>"
                         f"<ref>{{{{Lien web|titre=Archive {ref}|url=https://example.org/{ref}}}}}</ref>")
    parts += ["[[Fichier:Halles.jpg|vignette|Les halles]]", "== Notes et références ==",
              "<references />", "[[Catégorie:Quartier]]"]
    return "\n\n".join(parts)


def talk(level: str) -> str:
    return f"{{{{Wikiprojet\n|Géographie|faible\n|Urbanisme|moyenne\n|avancement={level}\n}}}}"


def halles(app: Flask, wiki: LocalWiki) -> tuple[Scenario, int, str, str, str]:
    """An old stub expanded during the seminar and reassessed on its talk page, plus a new article."""
    sc = new_scenario()
    e, b, o = sc.user("elodie"), sc.user("bruno"), sc.user("outsider")
    wiki.create_users([sc.user("chloe"), f"Évaluatrice {sc.tag}"])
    title = f"Quartier des Halles {sc.tag}"
    created = f"Marché couvert {sc.tag}"
    assessor = f"Évaluatrice {sc.tag}"
    wiki.import_pages([
        PageSpec(title, [
            Rev(o, ts("2023-05-02"), STUB.format(title=title), "création"),
            Rev(e, ts("2024-01-20"), grown_article(title, 3, 2), "plan et sources"),
            Rev(e, ts("2024-02-10"), grown_article(title), "développement"),
        ]),
        PageSpec(f"Discussion:{title}", [
            Rev(o, ts("2023-05-03"), talk("ébauche"), "évaluation"),
            Rev(b, ts("2024-01-25"), talk("ébauche") + "\n== Plan ==\nUne question. ~~~~", "question"),
            Rev(assessor, ts("2024-02-20"), talk("B") + "\n== Plan ==\nUne question.", "réévaluation"),
        ], ns=1),
        PageSpec(created, [Rev(b, ts("2024-02-01"), "Le '''marché couvert''' ouvre en 1850.", "création")]),
    ])
    seminar_id = make_seminar(app, wiki, sc)
    assert run_sync(app, seminar_id)["status"] == "success"
    return sc, seminar_id, title, created, assessor
