"""Browser test: from the public call to the receipt, step 1 by keyboard only; then the
applicant's dashboard and the staff intake list. axe checks every page on the way."""
import io
import subprocess
from datetime import timedelta

import pypdf
import pytest
from playwright.sync_api import expect

from awards.extensions import db
from awards.models.base import utcnow
from awards.reference_data import ensure_districts
from tests import factories
from tests.factories import image_bytes, minimal_pdf

pytestmark = pytest.mark.e2e

APPLICANT = "e2e-bewerbung@example.org"
TITLE = "Nachbarschaftsgarten International"


def tab_to(page, element_id, limit=60):
    """Press Tab until the element with this id has the focus."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} was not reached with the Tab key")


# Every navigating action first waits for the load event: navigating away earlier aborts the
# current page, and axe could never check it.
def test_apply_from_public_page_to_receipt(page, e2e_app, live_server, mail_links, screenshot,
                                           axe_check, tmp_path):
    with e2e_app.app_context():
        ensure_districts()
        comp = factories.competition(prize_code="BIP", year=utcnow().year,
                                     title="Bayerischer Integrationspreis",
                                     motto="Sprache schafft Heimat – Integration leben",
                                     deadline_at=utcnow() + timedelta(days=12, hours=1))
        staff = factories.staff(prize_code="BIP", email="e2e-staff@example.org")
        year, staff_email = comp.year, staff.email
        db.session.commit()

    # The public call and its button.
    page.goto(f"/ausschreibungen/BIP/{year}")
    page.wait_for_load_state()
    page.get_by_role("link", name="Jetzt bewerben oder Projekt vorschlagen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bewerbung: Bayerischer Integrationspreis")

    # No password: continue with a Zugangslink.
    page.wait_for_load_state()
    page.get_by_role("link", name="Mit Zugangslink per E-Mail fortfahren").click()
    page.locator("#magic-email").fill(APPLICANT)
    page.wait_for_load_state()
    page.get_by_role("button", name="Zugangslink senden").click()
    link = [u for u in mail_links(to=APPLICANT) if "/konto/zugang?token=" in u][-1]
    page.wait_for_load_state()
    page.goto(link)
    page.wait_for_load_state()
    page.locator("main").get_by_role("button").first.click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Bewerbung beginnen").click()
    expect(page.get_by_text("Schritt 1 von 5")).to_be_visible()

    # Step 1 with the keyboard only.
    tab_to(page, "kind-0")
    page.keyboard.press("Space")
    tab_to(page, "applicant_type")
    page.keyboard.type("Verein")
    for field_id, value in [("org_name", "Grüne Hände e.V. (erfunden)"),
                            ("contact_name", "Dana Beispiel"), ("street", "Gartenstraße 7"),
                            ("postcode", "80331"), ("city", "München")]:
        tab_to(page, field_id)
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
    tab_to(page, "district_id")
    # Type-ahead with ASCII only: Chromium inserts other characters as text into the last
    # text field. "M" selects the first district starting with M: München (Oberbayern).
    page.keyboard.type("M")
    expect(page.locator("[data-region-output]")).to_have_text("Oberbayern")
    tab_to(page, "email")
    page.keyboard.press("Control+A")
    page.keyboard.type("garten@example.org")
    screenshot(page, "apply-step1")
    tab_to(page, "website")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.value") == "next"
    page.wait_for_load_state()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Schritt 2 von 5")).to_be_visible()
    # The autosave script is deferred: typing before the page's load event would go unseen.
    page.wait_for_load_state()
    with e2e_app.app_context():
        from awards.models.applications import Application

        saved = db.session.query(Application).one()
        assert (saved.org_name, saved.city, saved.postcode, saved.district.label,
                saved.region.label, saved.applicant_type.value, saved.kind.value) == (
            "Grüne Hände e.V. (erfunden)", "München", "80331", "München (kreisfreie Stadt)",
            "Oberbayern", "verein", "self")

    # Step 2: the project; autosave shows the time. The character counter speaks the page's
    # language, its numbers too; the text and the numbers change as one types.
    summary = "Menschen aus zwölf Ländern gärtnern gemeinsam und sprechen dabei Deutsch."
    left = 2000 - len(summary)

    def german(n):
        return f"{n:,}".replace(",", ".")

    page.get_by_label("Name des Projekts").fill(TITLE)
    page.get_by_label("Kurzbeschreibung").fill(summary)
    counter = page.locator("#summary-counter")
    expect(counter).to_have_text(f"Noch {german(left)} von 2.000 Zeichen.")
    expect(page.locator("#autosave-status")).to_contain_text("Gespeichert um", timeout=15000)
    step2 = page.url.removeprefix(live_server)
    page.goto(f"/sprache/en?next={step2}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(counter).to_have_text(f"{left:,} of 2,000 characters left.")
    page.locator("#summary").press("End")
    page.keyboard.type("!")
    expect(counter).to_have_text(f"{left - 1:,} of 2,000 characters left.")
    expect(page.locator("#autosave-status")).to_contain_text("Saved at", timeout=15000)
    page.goto(f"/sprache/de?next={step2}")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(counter).to_have_text(f"Noch {german(left - 1)} von 2.000 Zeichen.")
    page.get_by_label("Ausführliche Projektbeschreibung").fill("Beete, Kochabende, Sprachrunden.")
    page.get_by_label("Ziele").fill("Begegnung und Sprache.")
    page.get_by_label("Zielgruppe").fill("Familien aus dem Viertel.")
    page.get_by_label("Bezug zum Jahresmotto").fill("Im Garten wird Deutsch gesprochen.")
    page.get_by_label("Projektbeginn").fill("2022-04-01")
    page.wait_for_load_state()
    page.get_by_role("button", name="Speichern und weiter").click()

    # Step 3: numbers.
    expect(page.get_by_text("Schritt 3 von 5")).to_be_visible()
    page.get_by_label("Anzahl ehrenamtlich Engagierter").fill("21")
    page.get_by_label("Anzahl hauptamtlich Beschäftigter").fill("0")
    page.wait_for_load_state()
    page.get_by_role("button", name="Speichern und weiter").click()

    # Step 4: attachments; photos need the image rights.
    expect(page.get_by_text("Schritt 4 von 5")).to_be_visible()
    photo, flyer = tmp_path / "Garten.png", tmp_path / "Flyer.pdf"
    photo.write_bytes(image_bytes("PNG", size=(320, 200)))
    flyer.write_bytes(minimal_pdf("Flyer"))
    page.get_by_label("Ich bestätige, dass ich die Rechte an den Fotos habe").check()
    page.get_by_label("Dateien auswählen").set_input_files([str(photo), str(flyer)])
    page.wait_for_load_state()
    page.get_by_role("button", name="Datei hochladen").click()
    expect(page.get_by_role("link", name="Garten.png")).to_be_visible()
    expect(page.get_by_role("link", name="Flyer.pdf")).to_be_visible()
    screenshot(page, "apply-step4")
    page.wait_for_load_state()
    page.get_by_role("button", name="Speichern und weiter").click()

    # Step 5: consents and submit.
    expect(page.get_by_text("Schritt 5 von 5")).to_be_visible()
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen.").check()
    page.get_by_label("Ich versichere, dass meine Angaben wahrheitsgemäß sind.").check()
    page.get_by_label("darf der Name der Organisation").check()
    page.wait_for_load_state()
    page.get_by_role("button", name="Bewerbung absenden").click()
    reference = f"BIP-{year}-0001"
    expect(page.get_by_text(f"Ihre Bewerbungsnummer: {reference}")).to_be_visible()

    # The receipt PDF.
    with page.expect_download() as download_info:
        page.wait_for_load_state()
        page.get_by_role("link", name="Eingangsbestätigung herunterladen (PDF)").click()
    pdf_path = tmp_path / "receipt.pdf"
    download_info.value.save_as(pdf_path)
    reader = pypdf.PdfReader(io.BytesIO(pdf_path.read_bytes()))
    receipt_text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert TITLE in receipt_text
    assert reference in receipt_text
    assert "Eingangsbestätigung" in receipt_text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_path),
                    str(tmp_path / "receipt-page")], check=True)
    docs_copy = tmp_path / "receipt-page-1.png"
    assert docs_copy.exists()

    # The dashboard.
    page.wait_for_load_state()
    page.goto("/bewerbung/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Bewerbungen")
    expect(page.get_by_role("row", name=TITLE)).to_contain_text("Eingereicht")
    screenshot(page, "applicant-dashboard")

    # Staff see it in the intake list.
    page.wait_for_load_state()
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_text("Sie haben sich abgemeldet.")).to_be_visible()
    page.wait_for_load_state()
    page.goto("/konto/anmelden")
    page.locator("#email").fill(staff_email)
    page.locator("#password").fill(factories.PASSWORD)
    page.wait_for_load_state()
    page.locator("main form").first.get_by_role("button", name="Anmelden").click()
    with e2e_app.app_context():
        from awards.models.competitions import Competition

        comp_id = db.session.query(Competition.id).filter_by(prize_code="BIP", year=year).scalar()
    page.wait_for_load_state()
    page.goto(f"/geschaeftsstelle/eingang/{comp_id}")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    screenshot(page, "intake-list")
    page.wait_for_load_state()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{reference}: {TITLE}")
