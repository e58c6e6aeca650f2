"""Staff jury pages: rounds, jury invitations, anonymisation review and release gate,
assignment, conflicts, progress and reminders, ranking, exports and advancing."""
import io

import pikepdf
import pytest
from sqlalchemy import event, select

from awards.enums import Role
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.jury import (Assignment, Conflict, RedactionState, Round, RoundEntry,
                                RoundStatus)
from awards.models.mail import OutboxMail
from awards.services.jury import ranking, rounds
from tests import factories
from awards.services.jury import ranking, rounds

P = "/geschaeftsstelle/jury"


@pytest.fixture
def world(app):
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB")
    j1 = factories.juror(comp, is_chair=True, name="Johanna Vorsitz")
    j2 = factories.juror(comp, name="Jonas Jury")
    db.session.commit()
    return {"comp": comp, "staff": staff, "j1": j1, "j2": j2}


def _draft_round_with_entries(world, n=2):
    round_ = factories.jury_round(competition=world["comp"])
    for _ in range(n):
        factories.submitted_application(world["comp"], admissible=True)
    rounds.populate_entries(actor=None, round_=round_)
    db.session.commit()
    return round_


def _round_urls(round_, entry):
    return [f"/runden/{round_.id}", f"/runden/{round_.id}/bearbeiten", f"/runden/{round_.id}/anonymisierung",
            f"/runden/{round_.id}/leckpruefung", f"/runden/{round_.id}/anonymisierung/{entry.id}",
            f"/runden/{round_.id}/zuteilung", f"/runden/{round_.id}/fortschritt",
            f"/runden/{round_.id}/befangenheit", f"/runden/{round_.id}/rangliste",
            f"/runden/{round_.id}/export/rangliste.csv", f"/runden/{round_.id}/export/bewertungen.xlsx"]


def test_staff_pages_render_for_staff_of_prize(world, client, auth):
    round_ = _draft_round_with_entries(world)
    auth.login(world["staff"])
    comp_id = world["comp"].id
    for url in [f"/wettbewerb/{comp_id}", f"/wettbewerb/{comp_id}/mitglieder",
                f"/wettbewerb/{comp_id}/runden/neu"] + _round_urls(round_, round_.entries[0]):
        assert client.get(P + url).status_code == 200, url


@pytest.mark.parametrize("who", ["other_staff", "juror", "applicant"])
def test_staff_pages_refuse_others(world, client, auth, who):
    round_ = _draft_round_with_entries(world)
    user = {"other_staff": lambda: factories.staff(prize_code="NDB"), "juror": lambda: world["j1"],
            "applicant": lambda: factories.user()}[who]()
    db.session.commit()
    auth.login(user)
    comp_id = world["comp"].id
    for url in [f"/wettbewerb/{comp_id}", f"/wettbewerb/{comp_id}/mitglieder"] + _round_urls(round_, round_.entries[0]):
        assert client.get(P + url).status_code == 403, url
    assert client.post(f"{P}/runden/{round_.id}/freigeben").status_code == 403
    assert client.post(f"{P}/runden/{round_.id}/zuteilung/automatisch").status_code == 403


def test_anonymous_is_sent_to_login(world, client):
    resp = client.get(f"{P}/wettbewerb/{world['comp'].id}")
    assert resp.status_code == 302 and "/konto/anmelden" in resp.headers["Location"]


def test_create_round_with_weights(world, client, auth):
    auth.login(world["staff"])
    c1, c2 = world["comp"].criteria
    resp = client.post(f"{P}/wettbewerb/{world['comp'].id}/runden/neu", data={
        "name": "Vorauswahl", "closes_at": "2099-05-01T18:00", "source": "admissible",
        "anonymised": "y", "jurors_mode": "k", "jurors_k": "2", "tie_break": "criterion",
        "tie_break_criterion": str(c2.id), f"use_{c1.id}": "y", f"weight_{c1.id}": "3",
        f"use_{c2.id}": "y", f"weight_{c2.id}": "1"})
    assert resp.status_code == 302
    round_ = db.session.scalars(select(Round)).one()
    assert (round_.name, round_.jurors_per_application, round_.anonymised) == ("Vorauswahl", 2, True)
    assert [(c.name, c.weight) for c in round_.criteria] == [("Strahlkraft", 3), ("Nachhaltigkeit", 1)]
    assert round_.tie_break_criterion_id == round_.criteria[1].id
    assert round_.closes_at.isoformat() == "2099-05-01T16:00:00+00:00"  # Berlin summer time


def test_create_round_errors_keep_input(world, client, auth):
    auth.login(world["staff"])
    c1, c2 = world["comp"].criteria
    resp = client.post(f"{P}/wettbewerb/{world['comp'].id}/runden/neu", data={
        "name": "Meine Runde", "source": "admissible", "jurors_mode": "k", "tie_break": "none",
        f"weight_{c1.id}": "2", f"weight_{c2.id}": "1"})
    assert resp.status_code == 422
    assert "Bitte geben Sie an, wann die Runde endet." in resp.text
    assert "Wählen Sie mindestens ein Kriterium." in resp.text
    assert 'value="Meine Runde"' in resp.text
    assert db.session.scalars(select(Round)).all() == []


def test_invite_juror_assigns_role_and_mails(world, client, auth):
    auth.login(world["staff"])
    resp = client.post(f"{P}/wettbewerb/{world['comp'].id}/mitglieder",
                       data={"name": "Nina Neu", "email": "nina@example.org", "is_chair": ""})
    assert resp.status_code == 302
    from awards.services.accounts import find_user

    nina = find_user("nina@example.org")
    assert [(r.role, r.competition_id, r.is_chair) for r in nina.roles] == [(Role.JUROR, world["comp"].id, False)]
    assert db.session.scalars(select(OutboxMail.to_addr)).all() == ["nina@example.org"]


def test_open_refused_until_anonymisation_approved_and_assigned(world, client, auth):
    round_ = _draft_round_with_entries(world)
    auth.login(world["staff"])
    resp = client.post(f"{P}/runden/{round_.id}/freigeben", follow_redirects=True)
    assert "Die Anonymisierung ist nicht (mehr) freigegeben." in resp.text
    assert "Kein Jurymitglied ist zugeordnet." in resp.text
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status == RoundStatus.DRAFT
    for entry in round_.entries:
        assert client.post(f"{P}/runden/{round_.id}/anonymisierung/{entry.id}/freigeben").status_code == 302
    assert client.post(f"{P}/runden/{round_.id}/zuteilung/automatisch").status_code == 302
    assert len(db.session.scalars(select(Assignment)).all()) == 4
    resp = client.post(f"{P}/runden/{round_.id}/freigeben")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status == RoundStatus.OPEN


def _pdf_with_font_named(font_name, text):
    """A PDF whose font carries a name: the text is clean, the font name is not."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name("/" + font_name)))
    content = f"BT /F1 12 Tf 40 150 Td ({text}) Tj ET".encode("latin-1")
    pdf.pages.append(pikepdf.Page(pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 300, 200],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_indirect(pikepdf.Stream(pdf, content))))))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_name_in_attachment_text_is_redacted_and_release_works(world, client, auth):
    round_ = _draft_round_with_entries(world, n=1)
    entry = round_.entries[0]
    application = entry.application
    factories.jury_attachment(application=application, content_type="application/pdf", filename="b.pdf",
                  data=factories.pdf_bytes(text=f"Bericht {application.contact_name}"))
    factories.approve_all(round_)
    factories.assign_all(round_, [world["j1"]])
    db.session.commit()
    auth.login(world["staff"])
    assert client.post(f"{P}/runden/{round_.id}/freigeben").status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status == RoundStatus.OPEN
    text = client.get(f"{P}/runden/{round_.id}/anonymisierung/{entry.id}/anlagen/1/text")
    assert text.status_code == 200
    assert "Bericht [geschwärzt]" in text.text
    assert application.contact_name not in text.text


def test_leak_left_in_attachment_blocks_release(world, client, auth):
    round_ = _draft_round_with_entries(world, n=1)
    entry = round_.entries[0]
    application = entry.application
    surname = application.contact_name.split()[-1]
    factories.jury_attachment(application=application, content_type="application/pdf", filename="b.pdf",
                  data=_pdf_with_font_named(f"{surname}-Sans", "Jahresbericht"))
    factories.approve_all(round_)
    factories.assign_all(round_, [world["j1"]])
    db.session.commit()
    auth.login(world["staff"])
    resp = client.post(f"{P}/runden/{round_.id}/freigeben", follow_redirects=True)
    assert "Die Leckprüfung hat 1 Fundstelle(n) gefunden." in resp.text
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status == RoundStatus.DRAFT
    assert db.session.get(RoundEntry, entry.id).leak_hits == [
        {"where": "Anlage 1.pdf (Objekte)", "term": surname}]
    # Staff hide the attachment from the jury; then the scan is clean.
    att = application.attachments[0]
    client.post(f"{P}/runden/{round_.id}/anonymisierung/{entry.id}/anlage",
                data={"attachment_id": att.id, "visible": "0"})
    client.post(f"{P}/runden/{round_.id}/anonymisierung/{entry.id}/freigeben")
    assert client.post(f"{P}/runden/{round_.id}/freigeben").status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, round_.id).status == RoundStatus.OPEN


def test_review_shows_preview_and_saves_terms(world, client, auth):
    round_ = _draft_round_with_entries(world, n=1)
    entry = round_.entries[0]
    entry.application.summary = f"{entry.application.org_name} trifft sich am Sonnenplatz."
    factories.approve_all(round_)
    db.session.commit()
    auth.login(world["staff"])
    resp = client.get(f"{P}/runden/{round_.id}/anonymisierung/{entry.id}")
    assert "[geschwärzt] trifft sich am Sonnenplatz." in resp.text
    assert f'<mark class="redacted-original">' in resp.text
    resp = client.post(f"{P}/runden/{round_.id}/anonymisierung/{entry.id}",
                       data={"extra_terms": "Sonnenplatz\n"})
    assert resp.status_code == 302
    db.session.expire_all()
    entry = db.session.get(RoundEntry, entry.id)
    assert entry.extra_terms == ["Sonnenplatz"]
    assert entry.redaction_state == RedactionState.PENDING
    resp = client.get(f"{P}/runden/{round_.id}/anonymisierung/{entry.id}")
    assert "[geschwärzt] trifft sich am [geschwärzt]." in resp.text


def test_manual_assignment_refuses_conflicted_juror(world, client, auth):
    round_ = _draft_round_with_entries(world, n=1)
    entry = round_.entries[0]
    db.session.add(Conflict(application_id=entry.application_id, juror_id=world["j2"].id, reason="x"))
    db.session.commit()
    auth.login(world["staff"])
    resp = client.post(f"{P}/runden/{round_.id}/zuteilung",
                       data={"juror_id": world["j2"].id, "entry_id": entry.id, "action": "add"})
    assert resp.status_code == 422
    assert "Befangenheit angezeigt" in resp.text
    assert db.session.scalars(select(Assignment)).all() == []


def test_staff_sets_conflict(world, client, auth):
    round_ = factories.open_round(competition=world["comp"], jurors=[world["j1"], world["j2"]], n=1)
    db.session.commit()
    auth.login(world["staff"])
    entry = round_.entries[0]
    resp = client.post(f"{P}/runden/{round_.id}/befangenheit",
                       data={"juror_id": world["j2"].id, "entry_id": entry.id, "reason": "Arbeitgeber"})
    assert resp.status_code == 302
    conflict = db.session.scalars(select(Conflict)).one()
    assert (conflict.juror_id, conflict.declared_by_id, conflict.reason) == (
        world["j2"].id, world["staff"].id, "Arbeitgeber")
    assert "Arbeitgeber" in client.get(f"{P}/runden/{round_.id}/befangenheit").text


def test_reminders_go_only_to_jurors_with_open_work(world, client, auth):
    round_ = factories.open_round(competition=world["comp"], jurors=[world["j1"], world["j2"]], n=1)
    factories.score(round_=round_, entry=round_.entries[0], juror=world["j1"], values=(5, 5))
    db.session.commit()
    auth.login(world["staff"])
    progress = client.get(f"{P}/runden/{round_.id}/fortschritt")
    assert "1 von 1 bewertet" in progress.text and "0 von 1 bewertet" in progress.text
    resp = client.post(f"{P}/runden/{round_.id}/erinnerung")
    assert resp.status_code == 302
    mails = db.session.scalars(select(OutboxMail)).all()
    assert [m.to_addr for m in mails] == [world["j2"].email]
    assert "0 von 1 Bewerbungen" in mails[0].body_text
    assert round_.entries[0].application.org_name not in mails[0].body_text


def _count_queries(client, url):
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        resp = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert resp.status_code == 200
    return len(statements)


def _scored_round(world, n):
    comp = factories.competition(prize_code="OBB")
    jurors = [factories.juror(comp) for _ in range(3 if n == 5 else 6)]
    round_ = factories.open_round(competition=comp, jurors=jurors, n=n)
    for entry in round_.entries:
        for j in jurors:
            factories.score(round_=round_, entry=entry, juror=j, values=(entry.id % 11, 5))
    db.session.commit()
    return round_


@pytest.mark.parametrize("close", [False, True])
def test_ranking_page_queries_do_not_grow(world, client, auth, close):
    auth.login(world["staff"])
    counts = []
    for n in (5, 50):
        round_ = _scored_round(world, n)
        if close:
            rounds.close_round(actor=None, round_=round_)
            db.session.commit()
        counts.append(_count_queries(client, f"{P}/runden/{round_.id}/rangliste"))
    assert counts[0] == counts[1]


def test_ranking_page_shows_stats_ties_and_chart(world, client, auth):
    round_ = factories.open_round(competition=world["comp"], jurors=[world["j1"], world["j2"]], n=2)
    a, b = round_.entries
    for e in (a, b):
        factories.score(round_=round_, entry=e, juror=world["j1"], values=(5, 5))
        factories.score(round_=round_, entry=e, juror=world["j2"], values=(7, 1))
    db.session.commit()
    auth.login(world["staff"])
    resp = client.get(f"{P}/runden/{round_.id}/rangliste")
    assert resp.text.count("Gleichstand</span>") == 2
    assert 'role="img"' in resp.text and "<title id=" in resp.text
    assert "Einzelwerte: 15,0 · 15,0; Mittelwert 15,0" in resp.text
    assert a.application.org_name not in resp.text


def test_exports_pseudonymised_while_running_identities_after_close(world, client, auth):
    round_ = factories.open_round(competition=world["comp"], jurors=[world["j1"]], n=1)
    entry = round_.entries[0]
    factories.score(round_=round_, entry=entry, juror=world["j1"], values=(8, 6), comment="=HYPERLINK(1)")
    db.session.commit()
    auth.login(world["staff"])
    running = client.get(f"{P}/runden/{round_.id}/export/bewertungen.csv").data.decode("utf-8-sig")
    assert running.splitlines()[1].startswith(f"{entry.code};Johanna Vorsitz;abgeschlossen;8;;6;;22,0;'=HYPERLINK(1)")
    assert entry.application.org_name not in running
    ranking_csv = client.get(f"{P}/runden/{round_.id}/export/rangliste.csv")
    assert "pseudonymisiert" in ranking_csv.headers["Content-Disposition"]
    assert entry.application.reference not in ranking_csv.data.decode()
    client.post(f"{P}/runden/{round_.id}/abschliessen", data={"confirm": "y"})
    closed = client.get(f"{P}/runden/{round_.id}/export/rangliste.csv").data.decode("utf-8-sig")
    assert closed.splitlines()[0].endswith("Bewerbungsnummer;Organisation;Projekttitel")
    assert entry.application.org_name in closed and entry.application.reference in closed
    xlsx = client.get(f"{P}/runden/{round_.id}/export/bewertungen.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.data)).active
    assert ws["A2"].value == entry.code and ws["H2"].value == 22


def test_close_then_advance_top_n(world, client, auth):
    round_ = factories.open_round(competition=world["comp"], jurors=[world["j1"]], n=3)
    for points, entry in zip((9, 5, 2), round_.entries):
        factories.score(round_=round_, entry=entry, juror=world["j1"], values=(points, points))
    final = factories.jury_round(competition=world["comp"], name="Finalrunde", source="advanced")
    db.session.commit()
    auth.login(world["staff"])
    assert client.post(f"{P}/runden/{round_.id}/abschliessen", data={"confirm": "y"}).status_code == 302
    db.session.expire_all()
    closed = db.session.get(Round, round_.id)
    assert closed.status == RoundStatus.CLOSED and closed.snapshot["rows"][0]["rank"] == 1
    resp = client.post(f"{P}/runden/{round_.id}/weiterleiten",
                       data={"target_id": final.id, "mode": "top", "top_n": "2"})
    assert resp.status_code == 302
    advanced = db.session.scalars(select(RoundEntry).where(RoundEntry.round_id == final.id)).all()
    best_two = {e.id for e in closed.entries if e.code in {r["code"] for r in closed.snapshot["rows"][:2]}}
    assert {e.advanced_from_id for e in advanced} == best_two
    assert all(e.code.startswith("B-") for e in advanced)
    assert all(e.redaction_state == RedactionState.APPROVED for e in advanced)
    assert db.session.scalars(select(AuditLog.action).where(AuditLog.action == "jury.round.advance")).all() == [
        "jury.round.advance"]


def _long_ranking(world, n=130, close=False):
    """n entries scored by both jurors; with ties (a total only depends on entry.id % 23)."""
    round_ = factories.open_round(competition=world["comp"], jurors=[world["j1"], world["j2"]], n=n)
    for entry in round_.entries:
        factories.score(round_=round_, entry=entry, juror=world["j1"], values=(entry.id % 11, 5))
        factories.score(round_=round_, entry=entry, juror=world["j2"], values=(entry.id % 23 // 3, 2))
    if close:
        rounds.close_round(actor=None, round_=round_)
    db.session.commit()
    return round_


def _table_codes(html):
    import re

    body = html.split('<tbody class="kern-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th class="kern-table__cell" scope="row">([^<]+)</th>', body)


def test_ranking_page_is_paged_by_100_places(world, client, auth):
    round_ = _long_ranking(world)
    rows = ranking.compute(round_)["rows"]
    auth.login(world["staff"])
    url = f"{P}/runden/{round_.id}/rangliste"

    first = client.get(url)
    assert first.status_code == 200
    assert _table_codes(first.text) == [r["code"] for r in rows[:100]]
    assert "Plätze 1–100 von 130" in first.text
    assert '<nav class="pager" aria-label="Seiten der Rangliste">' in first.text
    assert "Seite 1 von 2" in first.text and f'href="{url}?seite=2"' in first.text

    second = client.get(url + "?seite=2")
    assert second.status_code == 200
    assert _table_codes(second.text) == [r["code"] for r in rows[100:]]
    assert "Plätze 101–130 von 130" in second.text and "Seite 2 von 2" in second.text
    assert f'href="{url}?seite=1"' in second.text and 'rel="next"' not in second.text
    # The rank column continues the ranking: the first row shows the 101st entry's rank.
    assert rows[100]["rank"] > 1
    first_cell = second.text.split('<tbody class="kern-table__body">', 1)[1]
    assert f'kern-table__cell--numeric">{rows[100]["rank"]}</td>' in first_cell.split("</tr>", 1)[0]

    # Like the other lists: a page past the end shows the last page, nonsense the first.
    assert "Plätze 101–130 von 130" in client.get(url + "?seite=99").text
    assert "Plätze 1–100 von 130" in client.get(url + "?seite=abc").text
    assert "Plätze 1–100 von 130" in client.get(url + "?seite=0").text


def test_short_ranking_has_no_page_navigation(world, client, auth):
    round_ = _long_ranking(world, n=3)
    auth.login(world["staff"])
    resp = client.get(f"{P}/runden/{round_.id}/rangliste")
    assert len(_table_codes(resp.text)) == 3
    assert "Plätze 1–3 von 3" in resp.text and 'class="pager"' not in resp.text


def test_advance_by_hand_lists_the_page_but_accepts_the_whole_ranking(world, client, auth):
    round_ = _long_ranking(world, close=True)
    final = factories.jury_round(competition=world["comp"], name="Finalrunde", source="advanced")
    db.session.commit()
    rows = db.session.get(Round, round_.id).snapshot["rows"]
    auth.login(world["staff"])
    resp = client.get(f"{P}/runden/{round_.id}/rangliste?seite=2")
    assert resp.text.count('name="entries"') == 30
    assert f'value="{rows[100]["entry_id"]}"' in resp.text
    assert f'id="adv-{rows[0]["entry_id"]}"' not in resp.text
    assert "Hier stehen nur die Bewerbungen dieser Seite der Rangliste." in resp.text
    assert "Oder Auswahl von Hand (Plätze 101–130 von 130)" in resp.text

    # An entry from page 1 may be picked although page 2 was shown last.
    picked = [rows[0]["entry_id"], rows[120]["entry_id"]]
    resp = client.post(f"{P}/runden/{round_.id}/weiterleiten",
                       data={"target_id": final.id, "mode": "pick", "entries": picked})
    assert resp.status_code == 302
    advanced = db.session.scalars(select(RoundEntry.advanced_from_id)
                                  .where(RoundEntry.round_id == final.id)).all()
    assert sorted(advanced) == sorted(picked)


def test_advance_refuses_entries_outside_the_ranking(world, client, auth):
    round_ = _long_ranking(world, n=3, close=True)
    other = _long_ranking(world, n=1)
    final = factories.jury_round(competition=world["comp"], name="Finalrunde", source="advanced")
    db.session.commit()
    auth.login(world["staff"])
    resp = client.post(f"{P}/runden/{round_.id}/weiterleiten", follow_redirects=True,
                       data={"target_id": final.id, "mode": "pick",
                             "entries": [round_.entries[0].id, other.entries[0].id]})
    assert "Die Auswahl enthält eine Bewerbung, die nicht in dieser Rangliste steht." in resp.text
    assert db.session.scalars(select(RoundEntry).where(RoundEntry.round_id == final.id)).all() == []


def test_advance_top_n_uses_the_whole_ranking(world, client, auth):
    round_ = _long_ranking(world, close=True)
    final = factories.jury_round(competition=world["comp"], name="Finalrunde", source="advanced")
    db.session.commit()
    rows = db.session.get(Round, round_.id).snapshot["rows"]
    auth.login(world["staff"])
    client.get(f"{P}/runden/{round_.id}/rangliste?seite=2")
    resp = client.post(f"{P}/runden/{round_.id}/weiterleiten",
                       data={"target_id": final.id, "mode": "top", "top_n": "110"})
    assert resp.status_code == 302
    expected = {r["entry_id"] for r in rows if r["rank"] is not None and r["rank"] <= 110}
    assert len(expected) >= 110
    advanced = db.session.scalars(select(RoundEntry.advanced_from_id)
                                  .where(RoundEntry.round_id == final.id)).all()
    assert set(advanced) == expected
