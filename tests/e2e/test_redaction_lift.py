"""Browser test: staff lift one over-redacted "Fürth" in the review page; the juror's-eye
preview shows it while the other occurrences stay blacked out. axe checks every page."""
import re

import pytest
from playwright.sync_api import expect

from awards.extensions import db
from awards.services.jury import rounds
from tests import factories
from awards.services.jury import rounds

pytestmark = pytest.mark.e2e

SUMMARY = ("Das Quastwerk trifft sich in Fürth. Kurse gibt die Volkshochschule Fürth, "
           "und Fürther Familien kommen.")


def test_staff_lift_one_occurrence_in_the_browser(page, e2e_app, live_server, screenshot, axe_check):
    with e2e_app.app_context():
        comp = factories.competition(prize_code="OBB", title="Integrationspreis Oberbayern")
        staff = factories.staff(prize_code="OBB", email="gs-lift@example.org")
        factories.submitted_application(comp, admissible=True, org_name="Quastwerk e.V.", city="Fürth",
                                 street="Schwabacher Straße 5", postcode="90762",
                                 email="info@quastwerk.de", phone="0911 4480 1234",
                                 project_title="Nähstube für alle", summary=SUMMARY)
        round_ = factories.jury_round(competition=comp)
        rounds.populate_entries(actor=None, round_=round_)
        db.session.commit()
        url = f"/geschaeftsstelle/jury/runden/{round_.id}/anonymisierung/{round_.entries[0].id}"

    page.goto("/konto/anmelden")
    page.locator("#email").fill("gs-lift@example.org")
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_load_state("load")
    page.goto(url)
    preview = page.locator("section[aria-labelledby='h-preview']")
    expect(preview).to_contain_text("Das [geschwärzt] trifft sich in [geschwärzt]. Kurse gibt die "
                                    "Volkshochschule [geschwärzt], und [geschwärzt] Familien kommen.")
    group = page.get_by_role("group", name="Einzelne Stellen nicht schwärzen")
    boxes = group.get_by_role("checkbox")
    expect(boxes).to_have_count(4)
    group.get_by_label(re.compile(r"Volkshochschule »Fürth«, und Fürther Familien kommen")).check()
    page.get_by_role("button", name="Schwärzung speichern").click()
    expect(page.get_by_text("Die Schwärzung ist gespeichert.")).to_be_visible()
    expect(preview).to_contain_text("Das [geschwärzt] trifft sich in [geschwärzt]. Kurse gibt die "
                                    "Volkshochschule Fürth, und [geschwärzt] Familien kommen.")
    expect(page.locator("mark.lifted-original")).to_have_count(1)
    expect(page.locator("mark.lifted-original")).to_contain_text("Fürth")
    expect(boxes.nth(2)).to_be_checked()
    axe_check(page)
    screenshot(page, "staff-redaction-lift")
