"""Browser test: staff review a PDF with its black boxes (page images rendered on the server),
lift one term and add another, approve; a juror opens the redacted copy and its text version.
axe checks every page visited."""
import re

import pytest
import weasyprint
from playwright.sync_api import expect

from awards.adapters import pdfrewrite
from awards.extensions import db
from awards.models.jury import Assignment
from awards.services.jury import rounds
from tests import factories
from awards.services.jury import rounds

pytestmark = pytest.mark.e2e

REPORT = ("Der Verein Quastwerk e.V. näht mit Familien aus Dachau. Es leitet Mirela.",
          "Ergebnisse: 40 Teilnehmende, 12 Ehrenamtliche.")


def _login(page, email):
    page.goto("/konto/anmelden")
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_load_state("load")


def test_staff_review_pdf_with_boxes_and_juror_opens_redacted_copy(page, e2e_app, live_server,
                                                                   screenshot):
    html = "".join(f'<section style="page-break-after: always"><p>{p}</p></section>' for p in REPORT)
    report = weasyprint.HTML(string=f"<html><head><title>Bericht Quastwerk</title></head>"
                                    f"<body>{html}</body></html>").write_pdf()
    with e2e_app.app_context():
        comp = factories.competition(prize_code="OBB", title="Integrationspreis Oberbayern")
        staff = factories.staff(prize_code="OBB", email="gs@example.org")
        juror = factories.juror(comp, email="mitglied@example.org", name="Jonas Jury")
        round_ = factories.jury_round(competition=comp)
        application = factories.submitted_application(
            comp, admissible=True, org_name="Quastwerk e.V.", contact_name="Mirela Quandt", city="Dachau",
            project_title="Nähcafé für alle")
        factories.submitted_application(comp, admissible=True, project_title="Theater ohne Grenzen")
        factories.jury_attachment(application=application, content_type="application/pdf",
                      filename="Jahresbericht.pdf", data=report)
        rounds.populate_entries(actor=None, round_=round_)
        for entry in round_.entries:
            db.session.add(Assignment(round_id=round_.id, entry_id=entry.id, juror_id=juror.id))
        db.session.commit()
        round_id = round_.id
        code = next(e.code for e in round_.entries if e.application_id == application.id)

    _login(page, "gs@example.org")
    page.goto(f"/geschaeftsstelle/jury/runden/{round_id}/anonymisierung")
    review_links = page.locator("table.kern-table tbody a.kern-link")
    hrefs = [review_links.nth(i).get_attribute("href") for i in range(review_links.count())]
    assert len(hrefs) == 2
    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name="PDF-Anlagen, wie die Jury sie erhält")).to_be_visible()
    files = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Anlage 1.pdf")))
    expect(files.locator("li", has_text="Seite 1:")).to_have_text(
        ["Seite 1: Quastwerk e.V.", "Seite 1: Dachau", "Seite 1: Mirela"])
    images = files.locator("img")
    expect(images).to_have_count(2)
    expect(images.first).to_have_attribute("alt", "Seite 1 von Anlage 1.pdf, wie die Jury sie sieht, mit Schwärzungen")
    for i in range(2):
        images.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth === 800",
                               arg=images.nth(i).element_handle())
    screenshot(page, "jury-pdf-review")

    # Lift "Mirela" (offered from the PDF) and add "Familien".
    page.get_by_label("Mirela", exact=True).check()
    page.get_by_label("Zusätzlich schwärzen").fill("Familien")
    page.get_by_role("button", name="Schwärzung speichern").click()
    expect(page.get_by_text("Die Schwärzung ist gespeichert.")).to_be_visible()
    page.get_by_role("link", name="Textfassung von Anlage 1.pdf").first.click()
    expect(page.get_by_role("heading", name="Seite 1 von 2")).to_be_visible()
    expect(page.locator(".attachment-text-page").first).to_contain_text(
        "Der Verein [geschwärzt] näht mit [geschwärzt] aus [geschwärzt]. Es leitet Mirela.")
    page.get_by_role("link", name=f"Zurück zur Anonymisierung von {code}").click()
    for href in hrefs:
        page.goto(href)
        page.get_by_role("button", name="Anonymisierung freigeben").click()
        expect(page.get_by_text(re.compile("Die Anonymisierung von .* ist freigegeben."))).to_be_visible()
    page.goto(f"/geschaeftsstelle/jury/runden/{round_id}")
    page.get_by_role("button", name="Runde freigeben").click()
    expect(page.get_by_text("Die Runde ist freigegeben.")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state("load")

    _login(page, "mitglied@example.org")
    page.goto(f"/jury/runden/{round_id}/{code}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Anlage 1.pdf", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "Anlage 1.pdf"
    data = open(download.path(), "rb").read()
    assert b"Quastwerk" not in data and b"Familien" not in data
    # Page 1 is a picture with the boxes burnt in; page 2 keeps its text.
    assert pdfrewrite.page_texts(data) == ["", REPORT[1]]
    page.get_by_role("link", name="Textfassung von Anlage 1.pdf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Textfassung von Anlage 1.pdf")
    expect(page.locator(".attachment-text-page").first).to_contain_text(
        "Der Verein [geschwärzt] näht mit [geschwärzt] aus [geschwärzt]. Es leitet Mirela.")
    expect(page.locator(".attachment-text-page").nth(1)).to_contain_text(REPORT[1])
    expect(page.get_by_text("Quastwerk")).to_have_count(0)
    screenshot(page, "jury-pdf-text")
