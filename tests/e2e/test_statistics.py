"""Browser test: ministry staff filter the statistics by year without JavaScript-only
controls, read the charts' text alternatives, and the page fits a phone (axe-checked)."""
import pytest
from playwright.sync_api import expect

from awards.enums import ApplicantType, CompetitionStatus, FormalCheck
from awards.extensions import db
from tests import factories
from tests import factories
from tests import factories
from tests.e2e.test_phone_layout import OVERFLOW_SCRIPT, PHONE

pytestmark = pytest.mark.e2e


def test_staff_filter_the_statistics_and_read_them_on_a_phone(page, e2e_app, screenshot):
    with e2e_app.app_context():
        factories.staff(email="ministerium-e2e@example.org")
        districts = [factories.district("Rosenheim", False), factories.district("Nürnberg", True),
                     factories.district("Würzburg", True), factories.district("Neu-Ulm", False)]
        for year, count in ((2023, 6), (2024, 9), (2025, 12)):
            comp = factories.competition(prize_code="BIP", year=year, status=CompetitionStatus.JURY,
                                         title="Bayerischer Integrationspreis")
            apps = [factories.submitted_application(comp, district_id=districts[n % 4].id, region=districts[n % 4].region,
                                 applicant_type=list(ApplicantType)[n % 5], volunteers_count=3 + n,
                                 people_reached=None if n % 3 == 1 else 40 + 15 * n,
                                 formal_check=FormalCheck.INADMISSIBLE if n == 2 else FormalCheck.ADMISSIBLE)
                    for n in range(count)]
            for application, category in zip(apps, comp.categories):
                factories.decide(application, category=category)
        db.session.commit()

    page.goto("/konto/anmelden")
    page.locator("#email").fill("ministerium-e2e@example.org")
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("link", name="Statistik: Bewerbungen, Prüfung und Preisträger über die Jahre").click()
    expect(page.get_by_role("heading", name="Statistik", exact=True)).to_be_visible()

    page.get_by_label("Jahr", exact=True).select_option("2025")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_role("heading", name="Überblick: 2025, alle Preise")).to_be_visible()
    chart = page.get_by_role("img", name="Bewerbungen nach Regierungsbezirk")
    expect(chart).to_be_visible()
    assert region_counts(page) == {"Oberbayern": "3", "Mittelfranken": "3",
                                   "Unterfranken": "3", "Schwaben": "3"}
    expect(page.get_by_role("img", name="Bewerbungen und Preisträger je Jahr")).to_be_visible()
    screenshot(page, "staff-statistics")

    page.set_viewport_size(PHONE)
    page.reload()
    found = page.evaluate(OVERFLOW_SCRIPT)
    assert found["scrollWidth"] <= found["width"], found


def region_counts(page):
    table = page.get_by_role("table", name="Bewerbungen nach Regierungsbezirk")
    counts = {}
    for row in table.locator("tbody tr").all():
        label, count = row.locator("th").inner_text(), row.locator("td").inner_text()
        if count != "0":
            counts[label] = count
    return counts
