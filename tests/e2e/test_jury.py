"""Browser test: staff set up a round, two jurors score (one declares a conflict), staff see
the ranking. axe checks every page visited."""
import re

import pytest
from playwright.sync_api import expect

from awards.extensions import db
from awards.enums import CompetitionStatus
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


def _score_all_open(page, round_url, points, conflict_first=False):
    page.goto(round_url)
    codes = page.locator("table.kern-table tbody a.kern-link").all_inner_texts()
    for index, code in enumerate(codes):
        page.goto(f"{round_url}/{code}")
        if conflict_first and index == 0:
            page.get_by_role("link", name="Befangenheit anzeigen").click()
            page.get_by_label("Grund der Befangenheit").fill("Ich bin im Vorstand des Trägers.")
            page.get_by_role("button", name="Befangenheit anzeigen").click()
            expect(page.get_by_text("Ihre Befangenheit ist vermerkt.")).to_be_visible()
            continue
        sheets = page.locator("fieldset.jury-criterion")
        for i in range(sheets.count()):
            sheets.nth(i).locator(f"input[type=radio][value='{points[(index + i) % len(points)]}']").check()
        page.get_by_role("button", name="Bewertung abschließen").click()
        expect(page.get_by_text("Ihre Bewertung ist abgeschlossen und gespeichert.")).to_be_visible()
    return codes


def test_staff_round_two_jurors_and_ranking(page, e2e_app, live_server, screenshot):
    with e2e_app.app_context():
        comp = factories.competition(prize_code="OBB", title="Integrationspreis Oberbayern",
                                     status=CompetitionStatus.JURY)
        staff = factories.staff(prize_code="OBB", email="gs@example.org")
        j1 = factories.juror(comp, is_chair=True, email="vorsitz@example.org", name="Johanna Vorsitz")
        j2 = factories.juror(comp, email="mitglied@example.org", name="Jonas Jury")
        for title in ("Sprachcafé am Markt", "Theater ohne Grenzen", "Garten der Kulturen"):
            factories.submitted_application(comp, admissible=True, project_title=title,
                                     summary=f"{title}: ein Projekt für Begegnung im Alltag.")
        db.session.commit()
        comp_id = comp.id
        staff_email, j1_email, j2_email = staff.email, j1.email, j2.email

    _login(page, staff_email)
    page.goto(f"/geschaeftsstelle/jury/wettbewerb/{comp_id}")
    page.get_by_role("link", name="Neue Runde anlegen").click()
    page.get_by_label("Name der Runde").fill("Vorauswahl")
    page.locator("#closes_at").fill("2099-05-01T18:00")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorauswahl")
    page.get_by_role("button", name="Zugelassene Bewerbungen übernehmen").click()
    expect(page.get_by_text("3 Bewerbung(en) übernommen.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Anonymisierung freigegeben: 0 von 3")).click()
    review_links = page.locator("table.kern-table tbody a.kern-link")
    hrefs = [review_links.nth(i).get_attribute("href") for i in range(review_links.count())]
    for href in hrefs:
        page.goto(href)
        page.get_by_role("button", name="Anonymisierung freigeben").click()
        expect(page.get_by_text(re.compile("Die Anonymisierung von .* ist freigegeben."))).to_be_visible()
    page.get_by_role("link", name="Zuteilung").click()
    page.get_by_role("button", name="Automatisch zuteilen").click()
    expect(page.get_by_text("6 Zuordnung(en) ergänzt.")).to_be_visible()
    page.get_by_role("link", name="Übersicht").click()
    page.get_by_role("button", name="Runde freigeben").click()
    expect(page.get_by_text("Die Runde ist freigegeben.")).to_be_visible()
    round_path = re.search(r"/runden/(\d+)", page.url).group(1)
    _logout(page)

    _login(page, j1_email)
    page.goto("/jury/")
    expect(page.get_by_text("0 von 3 bewertet")).to_be_visible()
    screenshot(page, "jury-dashboard")
    round_url = f"/jury/runden/{round_path}"
    page.goto(round_url)
    first = page.locator("table.kern-table tbody a.kern-link").first.inner_text()
    page.goto(f"{round_url}/{first}")
    expect(page.get_by_role("heading", name="Bewertungsbogen")).to_be_visible()
    screenshot(page, "jury-scoresheet")
    _score_all_open(page, round_url, points=[8, 6, 9])
    page.goto("/jury/")
    expect(page.get_by_text("3 von 3 bewertet")).to_be_visible()
    _logout(page)

    _login(page, j2_email)
    codes = _score_all_open(page, round_url, points=[5, 7, 4], conflict_first=True)
    page.goto("/jury/")
    expect(page.get_by_text("2 von 2 bewertet")).to_be_visible()
    page.goto(f"{round_url}/{codes[0]}")
    expect(page.get_by_role("heading", name="Seite nicht gefunden")).to_be_visible()
    _logout(page)

    _login(page, staff_email)
    page.goto(f"/geschaeftsstelle/jury/runden/{round_path}/rangliste")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rangliste")
    rows = page.locator("table.kern-table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("svg.dist-chart")).to_have_count(3)
    screenshot(page, "staff-ranking")
    page.get_by_role("link", name="Befangenheit").click()
    expect(page.get_by_text("Ich bin im Vorstand des Trägers.")).to_be_visible()
