"""Browser tests of the foundation: login, logout, password reset, competition pages."""
import re

import pytest
from playwright.sync_api import expect

from awards.enums import CompetitionStatus
from awards.extensions import db
from tests import factories

pytestmark = pytest.mark.e2e


def _make(e2e_app, fn):
    with e2e_app.app_context():
        result = fn()
        db.session.commit()
        return result


def _login(page, email, password=factories.PASSWORD):
    page.goto("/konto/anmelden")
    page.get_by_label("E-Mail-Adresse").first.fill(email)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()


def test_login_page_shows_both_ways_in(page, live_server, axe_check, screenshot):
    page.goto("/konto/anmelden")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    expect(page.get_by_role("heading", name="Ohne Passwort: Zugangslink per E-Mail")).to_be_visible()
    axe_check(page)
    screenshot(page, "login")


def test_login_error_and_logout(page, e2e_app):
    _make(e2e_app, lambda: factories.staff(prize_code="OBB", email="obb@example.org",
                                           name="Otto Oberbayern"))
    _login(page, "obb@example.org", "falsches-passwort")
    expect(page.get_by_role("alert")).to_contain_text("E-Mail-Adresse oder Passwort ist falsch.")
    expect(page.get_by_label("E-Mail-Adresse").first).to_have_value("obb@example.org")
    page.get_by_label("Passwort", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Geschäftsstelle")
    expect(page.get_by_text("Otto Oberbayern")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("status")).to_contain_text("Sie haben sich abgemeldet.")
    page.goto("/geschaeftsstelle/")
    expect(page).to_have_url(re.compile(r"/konto/anmelden\?next="))


def test_password_reset_by_mail_link(page, e2e_app, mail_links):
    _make(e2e_app, lambda: factories.user(email="kim@example.org"))
    page.goto("/konto/anmelden")
    page.get_by_role("link", name="Passwort vergessen?").click()
    page.get_by_label("E-Mail-Adresse").fill("kim@example.org")
    page.get_by_role("button").filter(has_text=re.compile("Link|senden|anfordern")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte sehen Sie in Ihr E-Mail-Postfach")
    [link] = mail_links("kim@example.org")
    page.goto(link)
    page.get_by_label("Neues Passwort", exact=True).fill("Ganz-neues-Passwort-1")
    page.get_by_label("Neues Passwort wiederholen").fill("Ganz-neues-Passwort-1")
    page.get_by_role("button", name="Passwort speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Ihr Passwort ist geändert.")
    _login(page, "kim@example.org", "Ganz-neues-Passwort-1")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    # The link works only once.
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("Dieser Link wurde bereits verwendet.")


def test_public_competition_pages(page, e2e_app, screenshot):
    _make(e2e_app, lambda: factories.competition(
        prize_code="BIP", year=2031, title="Bayerischer Integrationspreis",
        motto="Sprache schafft Heimat – Integration leben", description="Der Preis würdigt …",
        eligibility="Einzelpersonen, Vereine und Initiativen in Bayern."))
    page.goto("/ausschreibungen")
    page.get_by_role("row", name=re.compile("2031")).get_by_role(
        "link", name="Bayerischer Integrationspreis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bayerischer Integrationspreis 2031")
    expect(page.get_by_text("Sprache schafft Heimat – Integration leben")).to_be_visible()
    expect(page.get_by_text("Einzelpersonen, Vereine und Initiativen in Bayern.")).to_be_visible()
    screenshot(page, "competition")


def test_staff_competition_page_and_new_prize(page, e2e_app, screenshot):
    comp_id = _make(e2e_app, lambda: (
        factories.staff(prize_code="OBB", email="obb@example.org"),
        factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT,
                              title="Integrationspreis der Regierung von Oberbayern",
                              motto="Integration vor Ort"),
    )[1].id)
    _login(page, "obb@example.org")
    page.get_by_role("link", name="Integrationspreis der Regierung von Oberbayern").click()
    expect(page).to_have_url(re.compile(f"/geschaeftsstelle/wettbewerbe/{comp_id}$"))
    page.get_by_role("link", name="Preis hinzufügen").click()
    page.get_by_label("Bezeichnung", exact=True).fill("Sonderpreis")
    page.get_by_label("Rang").fill("4")
    page.get_by_label("Betrag je Preis (Euro)").fill("500")
    page.get_by_label("Anzahl").fill("1")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Der Preis ist gespeichert.")
    expect(page.get_by_role("row", name=re.compile("Sonderpreis"))).to_contain_text("500 €")
    page.get_by_role("button", name="Ausschreibung veröffentlichen").click()
    expect(page.get_by_role("status")).to_have_text("Neuer Stand: Offen für Bewerbungen")
    screenshot(page, "staff-competition")
