"""Browser tests: staff write to the applicants through the composer, a visitor subscribes to
the Infobrief and unsubscribes (every page axe-checked by the harness)."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from awards.extensions import db
from awards.models.mail import OutboxMail
from awards.models.base import utcnow
from awards.models.messaging import InfobriefSubscription
from tests import factories

pytestmark = pytest.mark.e2e


def test_staff_preview_and_send_a_message_to_the_applicants(page, e2e_app, live_server, screenshot):
    with e2e_app.app_context():
        comp = factories.competition(prize_code="MFR", title="Integrationspreis Mittelfranken",
                                     year=utcnow().year)
        factories.staff(prize_code="MFR", email="staff-mfr@example.org", name="Martina Mittel")
        factories.submitted_application(comp, admissible=True, contact_name="Maria Muster",
                                        email="maria@example.org", project_title="Sprachcafé am Markt")
        factories.submitted_application(comp, admissible=True, contact_name="Ali Beispiel",
                                        email="ali@example.org", project_title="Theater ohne Grenzen")
        db.session.commit()
        comp_id = comp.id

    page.goto("/konto/anmelden")
    page.locator("#email").fill("staff-mfr@example.org")
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.goto(f"/geschaeftsstelle/wettbewerbe/{comp_id}")
    page.get_by_role("link", name="Nachricht schreiben").click()
    page.get_by_label("Betreff").fill("Termin")
    page.get_by_label("Text").fill(
        "{anrede},\n\nvielen Dank für Ihre Bewerbung mit {projekt}. Nach dem Bewerbungsschluss "
        "am {frist} prüfen wir alle Bewerbungen und melden uns dann bei Ihnen.\n\n"
        "Mit freundlichen Grüßen\nIhre Geschäftsstelle")
    page.get_by_text("Welche Platzhalter gibt es?").click()
    expect(page.get_by_text("{anrede}", exact=True)).to_be_visible()
    screenshot(page, "staff-composer")
    page.get_by_label("Text").fill("{anrede},\n\nwir melden uns zu {projektt}.")
    page.get_by_role("button", name="Vorschau ansehen").click()
    expect(page.locator("#body-error")).to_contain_text("Unbekannter Platzhalter {projektt}.")
    page.get_by_label("Text").fill("{anrede},\n\nwir melden uns zu {projekt}.")
    page.get_by_role("button", name="Vorschau ansehen").click()
    expect(page.get_by_text("Empfängerin oder Empfänger 1 von 2")).to_be_visible()
    expect(page.locator(".mail-text")).to_contain_text("Guten Tag Maria Muster")
    # The address stays on one line (the card once squeezed it into a narrow column).
    address = page.locator(".mail-preview dd").first
    expect(address).to_have_text("maria@example.org")
    # Measured once the page's style sheets have all arrived (on a loaded machine the
    # preview can be laid out before app.css is in); waits with the default timeout.
    page.wait_for_load_state("load")
    page.wait_for_function("dd => { const r = document.createRange(); r.selectNodeContents(dd);"
                           " return r.getClientRects().length === 1; }", arg=address.element_handle())
    page.get_by_role("button", name="Nächste Person").click()
    expect(page.locator(".mail-text")).to_contain_text("Guten Tag Ali Beispiel")
    page.get_by_role("button", name="Weiter zum Senden").click()
    expect(page.get_by_text("2 Personen erhalten je eine eigene E-Mail.")).to_be_visible()
    page.get_by_label("Ja, diese Nachricht jetzt senden").check()
    page.get_by_role("button", name="An 2 Personen senden").click()
    expect(page.get_by_text("Die Nachricht ist an 2 Empfängerinnen und Empfänger unterwegs.")).to_be_visible()
    with e2e_app.app_context():
        assert sorted(db.session.scalars(select(OutboxMail.to_addr).where(
            OutboxMail.subject == "Termin"))) == ["ali@example.org", "maria@example.org"]
    # The settings of the automatic mails and the Infobrief counts (axe-checked as well).
    page.get_by_role("link", name="Automatische E-Mails").click()
    page.get_by_label("Bewerbende mit nicht abgesendetem Entwurf vor dem Bewerbungsschluss "
                      "erinnern").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Einstellungen der automatischen E-Mails sind gespeichert.")).to_be_visible()
    page.goto("/geschaeftsstelle/")
    page.get_by_role("link", name="Infobrief: Abonnements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Infobrief: Abonnements")


def test_a_visitor_subscribes_confirms_and_unsubscribes(page, e2e_app, live_server, mail_links,
                                                        screenshot):
    page.goto("/")
    page.get_by_role("link", name="Infobrief abonnieren").click()
    page.get_by_label("E-Mail-Adresse").fill("lea@example.org")
    page.get_by_label("Integrationspreis der Regierung von Schwaben").check()
    screenshot(page, "infobrief-subscribe")
    page.get_by_role("button", name="Infobrief abonnieren").click()
    expect(page.locator("#privacy-error")).to_be_visible()
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen", exact=False).check()
    page.get_by_role("button", name="Infobrief abonnieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte bestätigen Sie Ihre Adresse")
    confirm = next(link for link in mail_links("lea@example.org") if "/infobrief/bestaetigen" in link)
    page.goto(confirm)
    page.get_by_role("button", name="Abonnement bestätigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Infobrief abonniert")
    page.get_by_role("link", name="Jetzt abbestellen").click()
    page.get_by_role("button", name="Infobrief abbestellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Infobrief abbestellt")
    with e2e_app.app_context():
        assert db.session.scalars(select(InfobriefSubscription)).all() == []
