"""A whole prize year in the browser, in order, through every confirmation page (axe checks
each page the browser visits)."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from awards.adapters.storage import get_storage
from awards.enums import ApplicationStatus, CompetitionStatus, FormalCheck
from awards.extensions import db
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.competitions import Competition
from awards.models.jury import Round, RoundEntry, RoundStatus, Score, ScoreStatus
from awards.services import certificates
from tests import factories
from tests.factories import complete_application

pytestmark = pytest.mark.e2e

STAFF = "staff-bip@example.org"


def _make(e2e_app, fn):
    with e2e_app.app_context():
        result = fn()
        db.session.commit()
        return result


def _login(page, email):
    page.goto("/konto/anmelden")
    page.get_by_label("E-Mail-Adresse").first.fill(email)
    page.get_by_label("Passwort", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Geschäftsstelle")


def _status(page, text):
    expect(page.get_by_role("status").first).to_contain_text(text)


def _setup_year():
    now = utcnow()
    factories.staff(prize_code="BIP", email=STAFF)
    comp = factories.competition(prize_code="BIP", year=2040, status=CompetitionStatus.DRAFT,
                                 title="Bayerischer Integrationspreis",
                                 opens_at=now - timedelta(days=1),
                                 deadline_at=now + timedelta(days=40),
                                 ceremony_at=now + timedelta(days=90),
                                 ceremony_place="Maximilianeum, München")
    return comp.id


def _applications(comp_id):
    """Three submitted applications: one the jury will score, one inadmissible, one never
    checked. Returns their ids."""
    comp = db.session.get(Competition, comp_id)
    ids = []
    for n, (title, check) in enumerate((("Sprachcafé Giesing", FormalCheck.ADMISSIBLE),
                                        ("Nähwerkstatt Passau", FormalCheck.INADMISSIBLE),
                                        ("Chor der Kulturen", FormalCheck.PENDING)), start=1):
        application = factories.submitted_application(
            comp, complete=True, number=n, project_title=title, formal_check=check,
            formal_check_reason="Das Projekt läuft noch nicht." if check == FormalCheck.INADMISSIBLE else "",
            consent_publish_name=True, consent_publish_text=True)
        ids.append(application.id)
    return ids


def _open_round_with_scores(comp_id, scored_id):
    comp = db.session.get(Competition, comp_id)
    juror = factories.juror(comp)
    round_ = Round(competition_id=comp.id, name="Jurysitzung", position=1,
                   status=RoundStatus.OPEN, opened_at=utcnow(),
                   closes_at=utcnow() + timedelta(days=7))
    db.session.add(round_)
    db.session.flush()
    entry = RoundEntry(round_id=round_.id, application_id=scored_id, code="A-7Q4K")
    db.session.add(entry)
    db.session.flush()
    db.session.add(Score(round_id=round_.id, entry_id=entry.id, juror_id=juror.id,
                         status=ScoreStatus.FINAL, finalised_at=utcnow()))
    return round_.id


def _certificate_code(application_id):
    application = db.session.get(Application, application_id)
    certificate, _ = certificates.ensure_certificate(actor=None, application=application,
                                                     storage=get_storage())
    return certificate.code


def test_a_whole_year_in_order(page, e2e_app):
    comp_id = _make(e2e_app, _setup_year)
    call = "/ausschreibungen/BIP/2040"
    _login(page, STAFF)
    page.goto(f"/geschaeftsstelle/wettbewerbe/{comp_id}")
    expect(page.get_by_text("Stand: Entwurf")).to_be_visible()

    # Draft -> open: the call goes public with its apply button.
    page.get_by_role("button", name="Ausschreibung veröffentlichen").click()
    _status(page, "Neuer Stand: Offen für Bewerbungen")
    page.goto(call)
    expect(page.get_by_role("link", name="Jetzt bewerben oder Projekt vorschlagen")).to_be_visible()

    # The call edit form saves (motto changed through the rendered form).
    page.goto(f"/geschaeftsstelle/wettbewerbe/{comp_id}/bearbeiten")
    page.locator("#motto").fill("Sprache schafft Heimat")
    page.get_by_role("button", name="Speichern").click()
    _status(page, "Die Änderungen sind gespeichert.")
    expect(page.get_by_text("Motto: „Sprache schafft Heimat“")).to_be_visible()

    scored, inadmissible, unchecked = _make(e2e_app, lambda: _applications(comp_id))

    # End the application phase early: a confirmation page first.
    page.get_by_role("link", name="Bewerbungsphase vorzeitig beenden …").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewerbungsphase vorzeitig beenden?")
    expect(page.get_by_text("3 abgesendete Bewerbungen bleiben im Verfahren.")).to_be_visible()
    page.get_by_role("button", name="Bewerbungsphase vorzeitig beenden").click()
    expect(page.get_by_role("alert").first).to_contain_text("Bitte bestätigen Sie den Schritt.")
    page.get_by_label("Ich habe gelesen, was geschieht").check()
    page.get_by_role("button", name="Bewerbungsphase vorzeitig beenden").click()
    _status(page, "Neuer Stand: Bewerbungsschluss erreicht")
    page.goto(call)
    expect(page.get_by_text("Die Bewerbungsphase ist beendet. Bewerbungen sind nicht mehr möglich.")).to_be_visible()
    expect(page.get_by_role("link", name="Jetzt bewerben oder Projekt vorschlagen")).to_have_count(0)

    # Into the jury phase; close the round through its confirmation page.
    page.goto(f"/geschaeftsstelle/wettbewerbe/{comp_id}")
    page.get_by_role("button", name="Juryphase beginnen").click()
    _status(page, "Neuer Stand: In der Jury")
    round_id = _make(e2e_app, lambda: _open_round_with_scores(comp_id, scored))
    page.goto(f"/geschaeftsstelle/jury/runden/{round_id}")
    page.get_by_role("link", name="Runde abschließen …").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Runde „Jurysitzung“ abschließen?")
    page.get_by_label("Ich habe den Fortschritt geprüft.").check()
    page.get_by_role("button", name="Runde abschließen und Ergebnis einfrieren").click()
    _status(page, "Die Runde ist abgeschlossen")

    # Decisions: the scored application regularly, the unchecked one only with a reason.
    decisions = f"/geschaeftsstelle/entscheidungen/{comp_id}"
    page.goto(f"{decisions}/bewerbung/{scored}")
    page.get_by_label("Preiskategorie").select_option(label="1. Preis")
    page.get_by_label("Begründung der Jury").fill("Vorbildlich und nachhaltig.")
    page.get_by_role("button", name="Entscheidung speichern").click()
    _status(page, "Die Entscheidung ist gespeichert.")
    page.goto(f"{decisions}/bewerbung/{unchecked}")
    expect(page.get_by_role("heading", name=re.compile("Ausnahme: Diese Bewerbung ist von der Jury nicht bewertet"))).to_be_visible()
    page.get_by_label("Preiskategorie").select_option(label="3. Preis")
    page.get_by_label("Begründung der Jury").fill("Sonderwürdigung der Jury.")
    page.get_by_role("button", name="Entscheidung speichern").click()
    expect(page.get_by_role("alert").first).to_contain_text("Begründung für die Ausnahme")
    page.get_by_label("Begründung der Ausnahme").fill("Die Jury hat das Projekt in der Sitzung nachnominiert.")
    page.get_by_role("button", name="Entscheidung speichern").click()
    _status(page, "Die Entscheidung ist gespeichert.")
    expect(page.get_by_text("Ausnahme: Die Jury hat das Projekt in der Sitzung nachnominiert.")).to_be_visible()

    # Release through its confirmation page: each application's mail matches its journey.
    page.get_by_role("link", name="Entscheidungen freigeben und Nachrichten versenden").click()
    expect(page.get_by_role("heading", name="Nachricht an formal nicht zulässige Bewerbungen: 1")).to_be_visible()
    expect(page.get_by_text("Insgesamt gehen 3 Nachrichten hinaus.")).to_be_visible()
    page.get_by_label("Ich habe die Entscheidungen geprüft.").check()
    page.get_by_role("button", name="Jetzt freigeben und Nachrichten versenden").click()
    _status(page, "Die Entscheidungen sind freigegeben.")
    code = _make(e2e_app, lambda: _certificate_code(unchecked))

    # Publish now through its confirmation page.
    page.goto(f"{decisions}/veroeffentlichung")
    page.get_by_role("link", name="Jetzt veröffentlichen …").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jetzt veröffentlichen?")
    page.get_by_label("Ich habe geprüft, was öffentlich wird.").check()
    page.get_by_role("button", name="Jetzt veröffentlichen").click()
    _status(page, "Die Preisträgerinnen und Preisträger sind jetzt öffentlich.")

    # Revoke the exception award through its confirmation page.
    page.goto(decisions)
    page.get_by_role("link", name=re.compile("Auszeichnung aberkennen – BIP-2040-0003")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Auszeichnung aberkennen")
    page.get_by_label("Grund der Aberkennung").fill("Falsche Angaben zur Trägerschaft.")
    page.get_by_label("Ich habe verstanden").check()
    page.get_by_role("button", name="Auszeichnung endgültig aberkennen").click()
    _status(page, "Die Auszeichnung ist aberkannt.")
    expect(page.get_by_text("Grund: Falsche Angaben zur Trägerschaft.")).to_be_visible()
    page.goto(f"/urkunde/pruefen/{code}")
    expect(page.get_by_role("heading", name="Diese Auszeichnung wurde aberkannt.")).to_be_visible()
    page.goto("/preistraeger/BIP/2040")
    expect(page.get_by_text("Sprachcafé Giesing").first).to_be_visible()
    expect(page.get_by_text("Chor der Kulturen")).to_have_count(0)

    # Archive through its confirmation page; the call then links to its winners.
    page.goto(f"/geschaeftsstelle/wettbewerbe/{comp_id}")
    expect(page.get_by_text("Stand: Veröffentlicht")).to_be_visible()
    page.get_by_role("link", name="Archivieren …").click()
    page.get_by_label("Ich habe gelesen, was geschieht").check()
    page.get_by_role("button", name="Archivieren").click()
    _status(page, "Neuer Stand: Archiviert")
    page.goto(call)
    expect(page.get_by_text("Vergeben: 4.000 € an 1 Projekt.")).to_be_visible()
    page.get_by_role("link", name="Zu den Preisträgerinnen und Preisträgern 2040").click()
    expect(page).to_have_url(re.compile(r"/preistraeger/BIP/2040$"))


def test_back_to_draft_confirmation_page(page, e2e_app):
    def setup():
        now = utcnow()
        factories.staff(prize_code="BIP", email=STAFF)
        return factories.competition(prize_code="BIP", year=2041, status=CompetitionStatus.OPEN,
                                     opens_at=now + timedelta(days=5),
                                     deadline_at=now + timedelta(days=30)).id

    comp_id = _make(e2e_app, setup)
    page.goto("/ausschreibungen/BIP/2041")
    expect(page.get_by_text(re.compile(r"Bewerbung ab \d\d\.\d\d\.\d{4}"))).to_be_visible()
    expect(page.get_by_role("link", name="Jetzt bewerben oder Projekt vorschlagen")).to_have_count(0)
    _login(page, STAFF)
    page.goto(f"/geschaeftsstelle/wettbewerbe/{comp_id}")
    expect(page.get_by_text("Stand: Angekündigt")).to_be_visible()
    page.get_by_role("link", name="Zurück zu Entwurf …").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zurück zu Entwurf?")
    expect(page.get_by_text("Die öffentliche Seite der Ausschreibung verschwindet sofort")).to_be_visible()
    page.get_by_label("Ich habe gelesen, was geschieht").check()
    page.get_by_role("button", name="Zurück zu Entwurf").click()
    _status(page, "Neuer Stand: Entwurf")
    response = page.goto("/ausschreibungen/BIP/2041")
    assert response.status == 404
