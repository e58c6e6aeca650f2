"""Browser test: the jury chair leads the meeting — notes and attendance, by codes only
(every page axe-checked by the harness)."""
import pytest
from playwright.sync_api import expect

from awards.extensions import db
from awards.models.base import utcnow
from awards.services.jury import rounds
from tests import factories

pytestmark = pytest.mark.e2e


def test_chair_writes_a_note_and_records_attendance(page, e2e_app, live_server, axe_check,
                                                    screenshot):
    with e2e_app.app_context():
        comp = factories.competition(prize_code="MFR", title="Integrationspreis Mittelfranken",
                                     year=utcnow().year)
        chair = factories.juror(comp, is_chair=True, name="Vera Vorsitz",
                                email="vorsitz-mfr@example.org")
        member = factories.juror(comp, name="Jonas Jury")
        application = factories.submitted_application(
            comp, admissible=True, org_name="Verein Verborgen",
            project_title="Sprachpatenschaften im Stadtteil")
        agreed = factories.submitted_application(
            comp, admissible=True, org_name="Initiative Unbekannt",
            project_title="Gemeinsam kochen, gemeinsam lernen")
        round_ = factories.open_round(competition=comp, jurors=[chair, member],
                                      applications=[application, agreed])
        entry = next(e for e in round_.entries if e.application_id == application.id)
        other = next(e for e in round_.entries if e.application_id == agreed.id)
        factories.score(round_=round_, entry=entry, juror=chair, values=(10, 10))
        factories.score(round_=round_, entry=entry, juror=member, values=(0, 1))
        factories.score(round_=round_, entry=other, juror=chair, values=(6, 7))
        factories.score(round_=round_, entry=other, juror=member, values=(7, 6))
        rounds.close_round(actor=None, round_=round_)
        db.session.commit()
        comp_id, code, member_name = comp.id, entry.code, member.display_name
        application_id, other_code = application.id, other.code

    page.goto("/konto/anmelden")
    page.locator("#email").fill("vorsitz-mfr@example.org")
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.goto("/jury/")
    page.get_by_role("link", name="Jurysitzung leiten").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jurysitzung")
    expect(page.locator(f"#bewerbung-{application_id} h3")).to_contain_text(code)
    expect(page.get_by_role("heading", level=3)).to_have_count(2)
    expect(page.get_by_role("heading", level=3).first).to_contain_text(f"Rang 1: {other_code}")
    # Only the application scored far apart is flagged.
    expect(page.get_by_text("Hohe Streuung", exact=True)).to_have_count(1)
    expect(page.locator(f"#bewerbung-{application_id}")).to_contain_text("Hohe Streuung")
    expect(page.get_by_text("Verein Verborgen")).to_have_count(0)
    # The note buttons carry the code for screen readers only and keep their visible width.
    save_note = page.get_by_role("button", name=f"Notiz speichern – {code}")
    page.wait_for_load_state("load")  # measured with every style sheet in
    page.wait_for_function("b => b.scrollWidth <= b.clientWidth && b.clientWidth > 48",
                           arg=save_note.element_handle())
    page.get_by_label(f"Notiz zu {code}").fill("Wirkung im Viertel überzeugt.")
    page.get_by_role("button", name=f"Notiz speichern – {code}").click()
    expect(page.get_by_text("Die Notiz ist gespeichert.")).to_be_visible()
    expect(page.get_by_label(f"Notiz zu {code}")).to_have_value("Wirkung im Viertel überzeugt.")
    page.get_by_label(member_name).uncheck()
    page.get_by_role("button", name="Anwesenheit speichern").click()
    expect(page.get_by_text("Die Anwesenheit ist gespeichert.")).to_be_visible()
    expect(page.get_by_label(member_name)).not_to_be_checked()
    axe_check(page)
    screenshot(page, "jury-meeting")
