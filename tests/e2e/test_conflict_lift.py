"""Browser test: staff lift a conflict of interest recorded by mistake (pages axe-checked)."""
import pytest
from playwright.sync_api import expect

from awards.extensions import db
from awards.services.jury import scoring
from tests import factories
from awards.services.jury import scoring

pytestmark = pytest.mark.e2e


def test_staff_lift_a_conflict_recorded_by_mistake(page, e2e_app, live_server):
    with e2e_app.app_context():
        comp = factories.competition(prize_code="NDB")
        factories.staff(prize_code="NDB", email="staff-ndb@example.org")
        juror = factories.juror(comp, name="Jonas Jury")
        round_ = factories.open_round(competition=comp, jurors=[juror], n=1)
        scoring.declare_conflict(actor=juror, entry=round_.entries[0], reason="Falsch geklickt")
        db.session.commit()
        round_id = round_.id

    page.goto("/konto/anmelden")
    page.locator("#email").fill("staff-ndb@example.org")
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.goto(f"/geschaeftsstelle/jury/runden/{round_id}/befangenheit")
    page.get_by_role("link", name="Aufheben").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Befangenheit aufheben")
    page.get_by_role("button", name="Befangenheit aufheben").click()
    expect(page.get_by_role("alert").first).to_be_visible()  # the reason is missing
    page.get_by_label("Grund für das Aufheben").fill("Irrtum des Jurymitglieds")
    page.get_by_role("button", name="Befangenheit aufheben").click()
    expect(page.get_by_text("Die Befangenheit ist aufgehoben.")).to_be_visible()
    expect(page.get_by_text("Keine Befangenheit angezeigt.")).to_be_visible()
