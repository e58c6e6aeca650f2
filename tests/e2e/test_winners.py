"""Browser test: staff release recorded decisions and publish by hand; the public sees the
winners pages (axe-checked), verifies the certificate, and the laureate downloads it."""
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from awards.enums import CompetitionStatus
from awards.extensions import db
from tests import factories

pytestmark = pytest.mark.e2e


def _login(page, email):
    page.goto("/konto/anmelden")
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_load_state("load")


def _logout(page):
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state("load")


def test_from_released_decisions_to_public_page_and_certificate(page, e2e_app, live_server,
                                                               axe_check, screenshot, tmp_path):
    with e2e_app.app_context():
        staff = factories.staff(prize_code="UFR", email="staff-ufr@example.org")
        comp = factories.competition(
            prize_code="UFR", year=2025, status=CompetitionStatus.JURY,
            title="Integrationspreis der Regierung von Unterfranken", motto="Integration vor Ort",
            categories=[("1. Preis", 1, 250000, 1), ("2. Preis", 2, 200000, 1), ("Sonderpreis", 3, 50000, 1)],
            budget_cents=600000, ceremony_place="Regierung von Unterfranken, Würzburg",
            signatories=[{"name": "Dr. Erika Beispiel", "title": "Regierungspräsidentin (Beispiel)"}])
        consents = dict(consent_publish_name=True, consent_publish_text=True)
        first = factories.submitted_application(comp, org_name="Begegnungscafé Würzburg e. V. (erfunden)",
                             project_title="Sprachbrücken am Main", city="Würzburg",
                             summary="Ehrenamtliche üben jede Woche mit Neuzugewanderten Deutsch.",
                             email="laureate@example.org", **consents)
        second = factories.submitted_application(comp, org_name="Kickers International (erfunden)",
                              project_title="Fußball verbindet", city="Schweinfurt", **consents)
        factories.submitted_application(comp, project_title="Nicht ausgezeichnet", **consents)
        factories.decide(first, category=comp.categories[0], actor=staff)
        factories.decide(second, category=comp.categories[2], actor=staff)
        db.session.commit()
        comp_id, first_id, owner_email = comp.id, first.id, first.owner.email

    # Before the release nothing is public.
    page.goto("/preistraeger/UFR/2025")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")

    _login(page, "staff-ufr@example.org")
    page.goto(f"/geschaeftsstelle/entscheidungen/{comp_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Entscheidungen")
    page.get_by_role("link", name="Entscheidungen freigeben und Nachrichten versenden").click()
    page.get_by_label(re.compile("Ich habe die Entscheidungen geprüft")).check()
    page.get_by_role("button", name="Jetzt freigeben und Nachrichten versenden").click()
    expect(page.get_by_text(re.compile("2 Glückwünsche und 1 Nachrichten"))).to_be_visible()
    page.goto(f"/geschaeftsstelle/entscheidungen/{comp_id}/veroeffentlichung")
    page.get_by_role("link", name="Jetzt veröffentlichen …").click()
    page.get_by_label(re.compile("Ich habe geprüft, was öffentlich wird")).check()
    page.get_by_role("button", name="Jetzt veröffentlichen").click()
    expect(page.get_by_text("Die Preisträgerinnen und Preisträger sind jetzt öffentlich.")).to_be_visible()
    _logout(page)

    # The public pages (axe runs on every page the browser leaves and at the end).
    page.goto("/preistraeger")
    expect(page.get_by_role("heading", level=1)).to_have_text("Preisträgerinnen und Preisträger")
    expect(page.get_by_role("link", name="Sprachbrücken am Main")).to_be_visible()
    page.get_by_label("Regierungsbezirk").select_option("UFR")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_role("heading", name="2 ausgezeichnete Projekte")).to_be_visible()
    axe_check(page)
    screenshot(page, "winners-overview")

    page.get_by_role("link", name="Sprachbrücken am Main").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprachbrücken am Main")
    expect(page.get_by_text("Begegnungscafé Würzburg e. V. (erfunden)")).to_be_visible()
    axe_check(page)
    screenshot(page, "winner-project")

    page.get_by_role("link", name="Integrationspreis der Regierung von Unterfranken 2025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preisträgerinnen und Preisträger 2025")
    expect(page.get_by_role("heading", name="Sonderpreis")).to_be_visible()
    axe_check(page)

    # The laureate downloads the certificate.
    _login(page, owner_email)
    response = page.request.get(f"/urkunde/{first_id}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    text = factories.pdf_text(pdf)
    assert "Begegnungscafé Würzburg e. V. (erfunden)" in text
    assert "Sprachbrücken am Main" in text and "1. Preis" in text
    code = re.search(r"Prüfcode: ([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})", text).group(1)
    pdf_path = tmp_path / "urkunde.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf_path),
                    str(tmp_path / "certificate")], check=True)
    from tests.e2e.conftest import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "certificate.png", SCREENSHOT_DIR / "certificate.png")
    _logout(page)

    # Anyone can check the code; a forged one is refused.
    page.goto("/urkunde/pruefen")
    page.get_by_label("Prüfcode").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Prüfen").click()
    expect(page.get_by_role("heading", name="Diese Urkunde ist echt.")).to_be_visible()
    expect(page.get_by_text("Integrationspreis der Regierung von Unterfranken 2025")).to_be_visible()
    axe_check(page)
    page.goto("/urkunde/pruefen/2222-3333-4444")
    expect(page.get_by_role("heading", name="Zu diesem Prüfcode gibt es keine Urkunde.")).to_be_visible()
    # Someone else's account gets no certificate.
    with e2e_app.app_context():
        stranger = factories.user(email="stranger@example.org")
        db.session.commit()
    _login(page, "stranger@example.org")
    assert page.request.get(f"/urkunde/{first_id}").status == 403


def test_laureate_withdraws_consent_to_publish_the_name(page, e2e_app, live_server):
    from datetime import timedelta

    from awards.models.base import utcnow
    from awards.services.decisions import decision_for

    with e2e_app.app_context():
        comp, winners, _ = factories.released_competition(winners=1, others=0, prize_code="SCHW",
                                                   year=2024)
        winner = winners[0]
        winner.org_name = "Nachbarschaftsgarten Augsburg (erfunden)"
        factories.publish(comp, at=utcnow() - timedelta(days=1))
        db.session.commit()
        url = f"/preistraeger/SCHW/2024/{decision_for(winner).id}"
        owner_email, title = winner.owner.email, winner.project_title

    page.goto(url)
    expect(page.get_by_text("Nachbarschaftsgarten Augsburg (erfunden)")).to_be_visible()
    _login(page, owner_email)
    page.goto("/konto/meine-daten/")
    expect(page.get_by_role("heading", name="Einwilligungen zur Veröffentlichung")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Einwilligung widerrufen\s*: Name und Ort")).click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("status").first).to_contain_text("Ihr Widerruf ist gespeichert")
    _logout(page)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_text("Nachbarschaftsgarten Augsburg (erfunden)")).to_have_count(0)
