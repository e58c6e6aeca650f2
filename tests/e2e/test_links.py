"""One-time links in the browser: registration with confirmation, and a Zugangslink used
without JavaScript. The token never appears in a path the browser requests."""
import re

import pytest
from playwright.sync_api import expect

from awards.extensions import db
from tests import factories

pytestmark = pytest.mark.e2e

PASSWORD = "Mein-neues-Passwort-7"


def test_register_confirm_then_log_in(page, mail_links):
    page.goto("/konto/registrieren")
    page.get_by_label("Ihr Name").fill("Kim Muster")
    page.get_by_label("E-Mail-Adresse").fill("kim@example.org")
    page.get_by_label("Neues Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Neues Passwort wiederholen").fill(PASSWORD)
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte sehen Sie in Ihr E-Mail-Postfach")
    expect(page.get_by_role("button", name="Abmelden")).to_have_count(0)

    # Before the confirmation the password does not log in.
    page.goto("/konto/anmelden")
    page.get_by_label("E-Mail-Adresse").first.fill("kim@example.org")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Ihre E-Mail-Adresse ist noch nicht bestätigt.")

    [link] = mail_links("kim@example.org")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/konto/bestaetigen\?token=[\w.-]+", link)
    requested = []
    page.on("request", lambda r: requested.append((r.method, r.url)))
    page.goto(link)
    page.get_by_role("button", name="E-Mail-Adresse bestätigen").click()
    expect(page.get_by_role("status")).to_contain_text("Ihre E-Mail-Adresse ist bestätigt.")
    posts = [url for method, url in requested if method == "POST"]
    assert [url.split("//", 1)[1].split("/", 1)[1] for url in posts] == ["konto/bestaetigen"]

    page.get_by_label("E-Mail-Adresse").first.fill("kim@example.org")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def test_access_link_works_without_javascript(_browser, e2e_app, live_server, mail_links):
    with e2e_app.app_context():
        factories.competition(prize_code="BIP", year=2031)
        db.session.commit()
    context = _browser.new_context(base_url=live_server, locale="de-DE",
                                   java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/konto/anmelden")
        page.locator("#magic-email").fill("neu@example.org")
        page.get_by_role("button", name="Zugangslink senden").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bitte sehen Sie in Ihr E-Mail-Postfach")
        [link] = mail_links("neu@example.org")
        assert "/konto/zugang?token=" in link
        page.goto(link)
        page.get_by_role("button", name="Weiter").click()
        expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/bewerbung/$"))
        # The link is used up: opening it again says so.
        page.goto(link)
        expect(page.get_by_role("alert")).to_contain_text("Dieser Link wurde bereits verwendet.")
    finally:
        context.close()
