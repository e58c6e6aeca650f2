"""Browser test at phone width: the laureate approves the public text staff put to them;
staff see the state on the press kit page. Every page is axe-checked by the `page` fixture
and must fit 390 px without horizontal scrolling."""
import re

import pytest
from playwright.sync_api import expect

from awards.extensions import db
from awards.services import decisions, press
from tests import factories
from tests import factories
from tests.e2e.test_phone_layout import OVERFLOW_SCRIPT, PHONE

pytestmark = pytest.mark.e2e


def _login(page, email):
    page.goto("/konto/anmelden")
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_load_state("load")


def _fits(page):
    found = page.evaluate(OVERFLOW_SCRIPT)
    assert found["scrollWidth"] <= PHONE["width"], (page.url, found)


def test_laureate_approves_the_public_text_on_a_phone(page, e2e_app, live_server):
    with e2e_app.app_context():
        staff = factories.staff(prize_code="UFR", email="presse-ufr@example.org")
        comp, winners, _ = factories.released_competition(
            winners=1, others=0, prize_code="UFR", year=2026, staff=staff,
            title="Integrationspreis der Regierung von Unterfranken")
        decision = decisions.decision_for(winners[0])
        press.save_public_text(actor=staff, decision=decision, title="Sprachbrücken am Main",
                               text="Ehrenamtliche üben jede Woche mit Neuzugewanderten Deutsch.",
                               propose=True)
        press.save_press_release(actor=staff, competition=comp, headline="Vier Projekte ausgezeichnet",
                                 release_text="Würzburg. Heute …", press_contact="")
        db.session.commit()
        comp_id, decision_id, owner_email = comp.id, decision.id, winners[0].owner.email

    page.set_viewport_size(PHONE)
    _login(page, owner_email)
    page.goto("/bewerbung/")
    page.get_by_role("link", name=re.compile("Text ansehen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Text für die Veröffentlichung")
    expect(page.get_by_text("Ehrenamtliche üben jede Woche mit Neuzugewanderten Deutsch.")).to_be_visible()
    _fits(page)
    page.get_by_role("button", name="Text freigeben").click()
    expect(page.get_by_text("Vielen Dank: Sie haben den Text freigegeben.")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state("load")

    _login(page, "presse-ufr@example.org")
    page.goto(f"/geschaeftsstelle/entscheidungen/{comp_id}/pressemappe")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pressemappe")
    expect(page.get_by_role("cell", name="Freigegeben")).to_be_visible()
    expect(page.get_by_label("Überschrift")).to_have_value("Vier Projekte ausgezeichnet")
    _fits(page)
    page.goto(f"/geschaeftsstelle/entscheidungen/{comp_id}/pressemappe/text/{decision_id}")
    expect(page.get_by_role("heading", name="Zuletzt freigegebener Text (öffentlich)")).to_be_visible()
    _fits(page)
