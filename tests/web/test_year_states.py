"""What the year's state machine means for users: revocation on every public surface,
release mails that match each application's journey, decisions outside the whole way,
truthful call pages and the confirmation pages."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from awards.adapters.storage import get_storage
from awards.enums import ApplicationStatus, CompetitionStatus, FormalCheck
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.decisions import Decision
from awards.models.jury import RoundStatus
from awards.models.mail import OutboxMail
from awards.services import applications, certificates, decisions, lifecycle
from awards.services.jury import release
from tests import factories
from tests.posted_fields import form_fields


def _published(year=2025, winners=2):
    comp, winner_apps, others = factories.released_competition(winners=winners, others=1, year=year,
                                                        title="Bayerischer Integrationspreis")
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    return comp, winner_apps, others


def _revoke(application, reason="Falsche Angaben zur Trägerschaft."):
    decision = decisions.decision_for(application)
    decisions.revoke(actor=None, decision=decision, reason=reason)
    return decision


# --- revocation ---------------------------------------------------------------------------

def test_certificate_check_says_the_award_was_revoked(client, app):
    comp, winners, _ = _published()
    cert, _ = certificates.ensure_certificate(actor=None, application=winners[0],
                                              storage=get_storage())
    db.session.commit()
    assert "Diese Urkunde ist echt." in client.get(f"/urkunde/pruefen/{cert.code}").get_data(as_text=True)
    _revoke(winners[0])
    db.session.commit()
    response = client.get(f"/urkunde/pruefen/{cert.code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Diese Auszeichnung wurde aberkannt." in html
    assert "Diese Urkunde ist echt." not in html
    assert "Die Urkunde ist nicht mehr gültig." in html


def test_revoked_award_leaves_the_winners_pages_and_the_api(client, app):
    comp, winners, _ = _published()
    revoked = decisions.decision_for(winners[0])
    kept = decisions.decision_for(winners[1])
    db.session.commit()
    before = client.get("/api/v1/preistraeger").get_json()
    assert sorted(item["id"] for item in before["data"]) == sorted([revoked.id, kept.id])
    _revoke(winners[0])
    db.session.commit()
    page = client.get(f"/preistraeger/BIP/{comp.year}").get_data(as_text=True)
    assert winners[0].project_title not in page and winners[1].project_title in page
    assert winners[0].project_title not in client.get("/preistraeger").get_data(as_text=True)
    assert client.get(f"/preistraeger/BIP/{comp.year}/{revoked.id}").status_code == 404
    after = client.get("/api/v1/preistraeger").get_json()
    assert [item["id"] for item in after["data"]] == [kept.id]
    assert after["meta"]["total"] == 1


def test_decisions_page_shows_revoked_award_and_stops_counting_its_money(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp, winners, _ = _published()
    db.session.commit()
    auth.login(staff)
    url = f"/geschaeftsstelle/entscheidungen/{comp.id}"
    assert "7.000 €" in client.get(url).get_data(as_text=True)  # 4.000 € + 3.000 €
    page = client.get(f"{url}/bewerbung/{winners[0].id}/aberkennen").get_data(as_text=True)
    assert "Die Aberkennung kann nicht rückgängig gemacht werden." in page
    data = form_fields(page, containing="reason")
    assert set(data) == {"reason"}  # the confirmation box starts unticked (no CSRF in tests)
    refused = client.post(f"{url}/bewerbung/{winners[0].id}/aberkennen",
                          data=dict(data, reason="Falsche Angaben zur Trägerschaft."))
    assert refused.status_code == 422
    assert "Bitte bestätigen Sie die Aberkennung." in refused.get_data(as_text=True)
    assert decisions.decision_for(winners[0]).revoked_at is None
    done = client.post(f"{url}/bewerbung/{winners[0].id}/aberkennen",
                       data=dict(data, reason="Falsche Angaben zur Trägerschaft.", confirm="y"))
    assert done.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Grund: Falsche Angaben zur Trägerschaft." in html
    assert "aberkannt am" in html
    assert decisions.budget_summary(comp).total_cents == 300000
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "decision.revoke")).one()
    assert entry.new["reason"] == "Falsche Angaben zur Trägerschaft."


def test_revoke_needs_a_reason_and_the_release(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    application = factories.submitted_application(comp)
    decision = factories.decide(application)
    with app.test_request_context():
        with pytest.raises(decisions.DecisionError):
            decisions.revoke(actor=None, decision=decision, reason="Falsche Angaben gemacht.")
        release.release_decisions(actor=None, competition=comp)
        with pytest.raises(decisions.DecisionError) as exc:
            decisions.revoke(actor=None, decision=decision, reason="kurz")
        assert exc.value.field == "reason"
    assert decision.revoked_at is None


def test_revoked_certificate_cannot_be_downloaded(client, auth, app):
    comp, winners, _ = _published()
    _revoke(winners[0])
    db.session.commit()
    auth.login(winners[0].owner)
    response = client.get(f"/urkunde/{winners[0].id}")
    assert response.status_code in (403, 404, 409)
    assert response.mimetype != "application/pdf"


def test_winner_cannot_withdraw_after_the_release(app):
    comp, winners, _ = factories.released_competition(winners=1, others=0)
    with app.test_request_context():
        with pytest.raises(applications.ApplicationError) as exc:
            applications.withdraw(actor=winners[0].owner, application=winners[0])
    assert "Die Entscheidungen sind freigegeben." in str(exc.value)
    assert winners[0].status == ApplicationStatus.SUBMITTED


# --- decisions and mails by journey -----------------------------------------------------------

def test_award_outside_the_whole_way_needs_a_recorded_reason(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    unchecked = factories.submitted_application(comp)
    with app.test_request_context():
        with pytest.raises(decisions.DecisionError) as exc:
            factories.decide(unchecked, exception_reason="")
    assert exc.value.field == "exception_reason"
    assert str(exc.value).startswith("Diese Bewerbung ist von der Jury nicht bewertet.")
    decision = factories.decide(unchecked, exception_reason="Nachnominierung in der Jurysitzung.")
    assert decision.exception_reason == "Nachnominierung in der Jurysitzung."
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "decision.exception")).one()
    assert entry.new == {"journey": "not_scored", "reason": "Nachnominierung in der Jurysitzung."}


def test_award_on_the_whole_way_needs_no_reason_and_stores_none(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    application = factories.submitted_application(comp)
    factories.scored(comp, [application])
    decision = factories.decide(application, exception_reason="wird nicht gespeichert")
    assert decision.exception_reason == ""
    assert decisions.journey_of(application) == decisions.COMPLETE


def test_scored_only_in_an_earlier_round_is_not_the_whole_way(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    early, final = factories.submitted_application(comp), factories.submitted_application(comp)
    factories.scored(comp, [early, final], name="Vorauswahl")
    factories.scored(comp, [final], name="Finale")
    assert decisions.journeys(comp) == {early.id: decisions.PARTLY_SCORED,
                                        final.id: decisions.COMPLETE}


def test_release_mail_matches_what_happened_to_each_application(app):
    comp = factories.competition(status=CompetitionStatus.JURY, year=2030)
    winner, scored, inadmissible, unchecked = (factories.submitted_application(comp) for _ in range(4))
    factories.scored(comp, [winner, scored])
    inadmissible.formal_check = FormalCheck.INADMISSIBLE
    inadmissible.formal_check_reason = "Das Projekt liegt nicht in Bayern."
    factories.decide(winner)
    with app.test_request_context():
        release.release_decisions(actor=None, competition=comp)
    mails = {m.to_addr: m.body_text for m in db.session.scalars(select(OutboxMail))}
    assert "Die Jury hat Ihr Projekt" in mails[winner.email]
    assert "Die Jury hat sich ihre Entscheidung nicht leicht gemacht" in mails[scored.email]
    assert "formalen Prüfung" in mails[inadmissible.email]
    assert "Begründung: Das Projekt liegt nicht in Bayern." in mails[inadmissible.email]
    assert "Jury hat" not in mails[inadmissible.email]
    assert "nicht in die Bewertung der Jury gelangt" in mails[unchecked.email]
    assert "Jury hat" not in mails[unchecked.email]
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "decision.release")).one()
    assert entry.new["mails"] == {"congratulation": 1, "notice": 1, "inadmissible": 1,
                                  "not_scored": 1}


def test_release_page_says_who_gets_which_mail(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp = factories.competition(status=CompetitionStatus.JURY)
    winner, unchecked = factories.submitted_application(comp), factories.submitted_application(comp)
    factories.scored(comp, [winner])
    factories.decide(winner)
    db.session.commit()
    auth.login(staff)
    html = client.get(f"/geschaeftsstelle/entscheidungen/{comp.id}/freigabe").get_data(as_text=True)
    assert "Insgesamt gehen 2 Nachrichten hinaus." in html
    assert "Nachricht an von der Jury nicht bewertete Bewerbungen: 1" in html
    assert "Das kann nicht rückgängig gemacht werden." in html


# --- call pages --------------------------------------------------------------------------------

APPLY = "Jetzt bewerben oder Projekt vorschlagen"


def test_call_page_announced_offers_no_apply_button(client, app):
    now = utcnow()
    factories.competition(year=2044, opens_at=now + timedelta(days=3),
                          deadline_at=now + timedelta(days=30))
    db.session.commit()
    html = client.get("/ausschreibungen/BIP/2044").get_data(as_text=True)
    assert "Bewerbung ab " in html and APPLY not in html


def test_call_page_after_the_deadline_says_when_it_was(client, app):
    now = utcnow()
    factories.competition(year=2044, opens_at=now - timedelta(days=30),
                          deadline_at=now - timedelta(seconds=1))
    db.session.commit()
    html = client.get("/ausschreibungen/BIP/2044").get_data(as_text=True)
    assert "Bewerbungsschluss war " in html and APPLY not in html
    listing = client.get("/ausschreibungen").get_data(as_text=True)
    assert "Bewerbungsschluss erreicht" in listing


@pytest.mark.parametrize("state", ["jury", "released"])
def test_call_page_never_offers_apply_once_the_jury_works(client, app, state):
    if state == "jury":
        factories.competition(year=2044, status=CompetitionStatus.JURY)
    else:
        factories.released_competition(year=2044)
    db.session.commit()
    html = client.get("/ausschreibungen/BIP/2044").get_data(as_text=True)
    assert APPLY not in html
    assert "Bewerbungen sind nicht mehr möglich." in html


def test_published_call_links_winners_and_shows_awarded_money(client, app):
    comp, winners, _ = _published(year=2044)
    _revoke(winners[1])
    comp.status = CompetitionStatus.ARCHIVED
    db.session.commit()
    html = client.get("/ausschreibungen/BIP/2044").get_data(as_text=True)
    assert 'href="/preistraeger/BIP/2044"' in html
    assert "Vergeben: 4.000 € an 1 Projekt." in html
    assert APPLY not in html


# --- confirmation pages and the staff page ------------------------------------------------

def test_far_reaching_stage_steps_never_happen_in_one_click(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp = factories.competition()
    db.session.commit()
    auth.login(staff)
    base = f"/geschaeftsstelle/wettbewerbe/{comp.id}"
    legacy = client.post(f"{base}/status", data={"status": "closed"})
    assert legacy.status_code == 303 and legacy.location == f"{base}/stand/end_early"
    bare = client.post(f"{base}/stand/end_early", data={})
    assert bare.status_code == 422
    db.session.refresh(comp)
    assert lifecycle.state_of(comp) == lifecycle.YearState.OPEN
    page = client.get(f"{base}/stand/end_early").get_data(as_text=True)
    assert "Die Bewerbungsphase endet sofort" in page
    assert client.post(f"{base}/stand/end_early", data=form_fields(page, containing="confirm")
                       | {"confirm": "y"}).status_code == 302
    db.session.refresh(comp)
    assert lifecycle.state_of(comp) == lifecycle.YearState.CLOSED


def test_close_round_bare_post_leads_to_the_confirmation_page(client, auth, app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    staff = factories.staff(prize_code="BIP")
    juror = factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=[juror], n=2)
    db.session.commit()
    auth.login(staff)
    url = f"/geschaeftsstelle/jury/runden/{round_.id}/abschliessen"
    response = client.post(url)
    assert response.status_code == 303 and response.location == url
    db.session.refresh(round_)
    assert round_.status == RoundStatus.OPEN
    page = client.get(url).get_data(as_text=True)
    assert "1 Jurymitglied hat noch nicht alles abgeschlossen." in page
    assert "Der Abschluss kann nicht rückgängig gemacht werden." in page


def test_staff_page_offers_only_the_steps_the_machine_allows(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp = factories.competition(status=CompetitionStatus.JURY)
    db.session.commit()
    auth.login(staff)
    html = client.get(f"/geschaeftsstelle/wettbewerbe/{comp.id}").get_data(as_text=True)
    assert "Stand: <strong>In der Jury</strong>" in html
    for label in ("Juryphase abschließen", "Zurück vor die Juryphase"):
        assert label in html
    for label in ("Ausschreibung veröffentlichen", "Bewerbungsphase vorzeitig beenden",
                  "Archivieren", "Zurück zu Entwurf"):
        assert label not in html
    assert "Kriterium hinzufügen" not in html and "Preis hinzufügen" in html


def test_decision_form_hidden_outside_the_jury_phase(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp = factories.competition()  # call still open
    application = factories.submitted_application(comp)
    db.session.commit()
    auth.login(staff)
    html = client.get(f"/geschaeftsstelle/entscheidungen/{comp.id}/bewerbung/{application.id}"
                      ).get_data(as_text=True)
    assert "Entscheidungen werden in der Juryphase eingetragen." in html
    assert 'name="rationale"' not in html
    assert db.session.scalars(select(Decision)).all() == []


def test_withdraw_button_gone_once_the_decisions_are_released(client, auth, app):
    comp, winners, _ = factories.released_competition(winners=1, others=0)
    db.session.commit()
    auth.login(winners[0].owner)
    html = client.get(f"/bewerbung/{winners[0].id}").get_data(as_text=True)
    assert "Bewerbung zurückziehen" not in html
    response = client.post(f"/bewerbung/{winners[0].id}/zurueckziehen")
    assert response.status_code == 422
    assert "Die Entscheidungen sind freigegeben." in response.get_data(as_text=True)


def test_intake_offers_the_formal_check_only_while_the_machine_allows_it(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp, winners, others = factories.released_competition(winners=1, others=1)
    db.session.commit()
    auth.login(staff)
    url = f"/geschaeftsstelle/bewerbungen/{others[0].id}"
    assert "Prüfergebnis speichern" not in client.get(url).get_data(as_text=True)
    comp.status = CompetitionStatus.JURY
    db.session.delete(decisions.release_of(comp))
    db.session.commit()
    assert "Prüfergebnis speichern" in client.get(url).get_data(as_text=True)
