"""Browser test: an administrator searches the user list and pages the audit log (every
page axe-checked)."""
import re

import pytest
from playwright.sync_api import expect

from awards.extensions import db
from awards.services import audit
from tests import factories

pytestmark = pytest.mark.e2e


def test_admin_searches_users_and_pages_the_audit_log(page, e2e_app, screenshot):
    with e2e_app.app_context():
        admin = factories.admin(email="admin-e2e@example.org", name="Andrea Admin")
        factories.staff(prize_code="OBB", email="obb@example.org", name="Olga Oberland")
        for n in range(55):
            factories.user(email=f"bewerbung{n:02d}@example.org")
        for n in range(60):
            audit.record(actor=admin, action="test.step", object_type="Thing", object_id=n)
        db.session.commit()

    page.goto("/konto/anmelden")
    page.locator("#email").fill("admin-e2e@example.org")
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()

    page.goto("/verwaltung/benutzer")
    expect(page.get_by_text("57 Benutzer gefunden.")).to_be_visible()
    page.get_by_role("navigation", name="Seiten der Benutzerliste").get_by_role(
        "link", name="Nächste Seite").click()
    expect(page.get_by_text("Seite 2 von 2").first).to_be_visible()
    page.get_by_label("Name oder E-Mail").fill("oberland")
    page.get_by_label("Rolle").select_option("staff")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_text("1 Benutzer gefunden.")).to_be_visible()
    expect(page.get_by_role("cell", name="obb@example.org")).to_be_visible()
    expect(page.get_by_label("Name oder E-Mail")).to_have_value("oberland")
    screenshot(page, "admin-users")

    page.goto("/verwaltung/protokoll/?action=test.")
    page.get_by_role("navigation", name="Seiten").get_by_role("link", name="Nächste Seite").click()
    expect(page).to_have_url(re.compile(r"[?&]seite=2"))
    expect(page.get_by_text("Seite 2 von 2").first).to_be_visible()
