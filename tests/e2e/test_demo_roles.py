"""Every demo role logs in and reaches its main page; axe checks each page it visits."""
import pytest

from awards import demo
from awards.extensions import db

ROLES = [
    # (demo account, expected heading on the landing page, screenshot name)
    ("admin", "Geschäftsstelle", "role-admin"),
    ("ministerium", "Geschäftsstelle", "role-ministry-staff"),
    ("regierung-obb", "Geschäftsstelle", "role-district-staff"),
    ("jury-vorsitz", "Jury", "role-jury-chair"),
    ("jury", "Jury", "role-juror"),
    ("bewerbung", "Meine Bewerbungen", "role-applicant"),
]


@pytest.mark.e2e
def test_every_demo_role_reaches_its_main_page(e2e_app, page, screenshot):
    with e2e_app.app_context():
        demo.load()
        db.session.commit()
    for account, heading, shot in ROLES:
        page.goto("/konto/anmelden")
        page.fill("#email", f"{account}@demo.integrationspreis.example")
        page.fill("#password", demo.DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden", exact=True).click()
        page.wait_for_load_state("domcontentloaded")
        assert heading in page.locator("h1").first.inner_text(), account
        screenshot(page, shot)
        page.get_by_role("button", name="Abmelden").click()
        page.wait_for_load_state("domcontentloaded")
