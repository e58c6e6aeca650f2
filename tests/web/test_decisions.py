"""Staff decision pages: recording, budget confirmation, release, templates, publication,
certificates (access: only the laureate's own account and staff of the prize), minutes."""
import io
import zipfile
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from awards.enums import CompetitionStatus
from awards.extensions import db
from awards.models.decisions import Decision, DecisionRelease
from awards.models.mail import OutboxMail
from awards.services import decisions, lifecycle
from awards.services.jury import release
from tests import factories


@pytest.fixture
def setup(app):
    comp = factories.competition(status=CompetitionStatus.JURY, year=2026)
    staff = factories.staff(prize_code="BIP")
    apps = [factories.submitted_application(comp) for _ in range(4)]
    factories.scored(comp, apps)  # the whole way: admissible and scored, so no exception is needed
    db.session.commit()
    return comp, staff, apps


def _url(comp, suffix=""):
    return f"/geschaeftsstelle/entscheidungen/{comp.id}{suffix}"


def test_index_lists_applications_and_budget(client, auth, setup):
    comp, staff, apps = setup
    auth.login(staff)
    html = client.get(_url(comp)).get_data(as_text=True)
    assert "Entscheidungen: Testpreis BIP 2026" in html
    assert apps[0].reference in html and apps[0].org_name in html
    assert "9.000 €" in html


@pytest.mark.parametrize("suffix", ["", "/freigabe", "/vorlagen/notice", "/veroeffentlichung",
                                    "/urkunden", "/urkunden/vorschau.pdf", "/niederschrift"])
def test_staff_pages_refuse_other_prize_staff_and_applicants(client, auth, setup, suffix):
    comp, staff, apps = setup
    other_staff = factories.staff(prize_code="OBB")
    db.session.commit()
    auth.login(other_staff)
    assert client.get(_url(comp, suffix)).status_code == 403
    auth.logout()
    auth.login(apps[0].owner)
    assert client.get(_url(comp, suffix)).status_code == 403


def test_anonymous_is_sent_to_login(client, setup):
    comp, staff, apps = setup
    response = client.get(_url(comp))
    assert response.status_code == 302
    assert "/konto/anmelden" in response.headers["Location"]


def test_record_decision_by_form(client, auth, setup):
    comp, staff, apps = setup
    auth.login(staff)
    response = client.post(_url(comp, f"/bewerbung/{apps[0].id}"),
                           data={"category": comp.categories[0].id, "rationale": "Vorbildlich."})
    assert response.status_code == 302
    decision = db.session.scalar(select(Decision))
    assert (decision.application_id, decision.amount_cents, decision.rationale) == (apps[0].id, 400000, "Vorbildlich.")


def test_record_decision_missing_rationale_keeps_input(client, auth, setup):
    comp, staff, apps = setup
    auth.login(staff)
    response = client.post(_url(comp, f"/bewerbung/{apps[0].id}"),
                           data={"category": comp.categories[1].id, "rationale": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte begründen Sie die Entscheidung." in html
    assert f'<option selected value="{comp.categories[1].id}">' in html
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_over_budget_needs_confirmation_in_form(client, auth, setup):
    comp, staff, apps = setup
    for application, category in zip(apps, comp.categories):
        factories.decide(application, category=category)
    db.session.commit()
    auth.login(staff)
    data = {"category": comp.categories[2].id, "rationale": "Zwei dritte Preise."}
    first = client.post(_url(comp, f"/bewerbung/{apps[3].id}"), data=data)
    html = first.get_data(as_text=True)
    assert first.status_code == 422
    assert "Abweichung bestätigen" in html
    assert "Summe mit dieser Entscheidung: 11.000 € (Budget 9.000 €)." in html
    assert "Zwei dritte Preise." in html  # what was typed is kept
    confirmed = client.post(_url(comp, f"/bewerbung/{apps[3].id}"),
                            data={**data, "confirm_over_budget": "y",
                                  "over_budget_reason": "Beschluss der Jury: zwei gleichwertige Projekte."})
    assert confirmed.status_code == 302
    assert decisions.budget_summary(comp).total_cents == 1100000


def test_stale_version_in_form_is_refused(client, auth, setup):
    comp, staff, apps = setup
    factories.decide(apps[0])
    factories.decide(apps[0], category=comp.categories[1])  # version 2 now
    db.session.commit()
    auth.login(staff)
    response = client.post(_url(comp, f"/bewerbung/{apps[0].id}"),
                           data={"category": comp.categories[2].id, "rationale": "x", "version": "1"})
    assert response.status_code == 422
    assert "inzwischen geändert" in response.get_data(as_text=True)
    assert decisions.decision_for(apps[0]).category.label == "2. Preis"


def test_jury_chair_may_record_but_not_release(client, auth, setup):
    comp, staff, apps = setup
    chair = factories.juror(comp, is_chair=True)
    member = factories.juror(comp)
    db.session.commit()
    auth.login(chair)
    index = client.get(_url(comp)).get_data(as_text=True)
    assert apps[0].display_title in index
    assert apps[0].org_name not in index  # no applicant identities for jurors
    assert client.post(_url(comp, f"/bewerbung/{apps[0].id}"),
                       data={"category": comp.categories[0].id, "rationale": "Einstimmig."}).status_code == 302
    assert client.get(_url(comp, "/freigabe")).status_code == 403
    assert client.post(_url(comp, "/freigabe"), data={"confirm": "y"}).status_code == 403
    auth.logout()
    auth.login(member)
    assert client.get(_url(comp)).status_code == 403
    assert client.post(_url(comp, f"/bewerbung/{apps[1].id}"),
                       data={"category": comp.categories[1].id, "rationale": "x"}).status_code == 403


def test_release_by_form_sends_all_mails_in_one_go(client, auth, setup):
    comp, staff, apps = setup
    factories.decide(apps[0])
    db.session.commit()
    auth.login(staff)
    page = client.get(_url(comp, "/freigabe")).get_data(as_text=True)
    assert "1 Glückwunsch" in page and "3 weitere Nachrichten" in page
    refused = client.post(_url(comp, "/freigabe"), data={})
    assert refused.status_code == 200
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 0
    response = client.post(_url(comp, "/freigabe"), data={"confirm": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 4
    assert db.session.scalar(select(DecisionRelease)).released_by_id == staff.id
    locked = client.get(_url(comp, f"/bewerbung/{apps[1].id}")).get_data(as_text=True)
    assert "können nicht mehr geändert werden" in locked


def test_mail_template_edit_and_reset(client, auth, setup):
    comp, staff, apps = setup
    auth.login(staff)
    bad = client.post(_url(comp, "/vorlagen/notice"),
                      data={"action": "save", "subject": "Hallo", "body": "{{ geheim }}"})
    assert bad.status_code == 200
    assert "Unbekannte Platzhalter" in bad.get_data(as_text=True)
    ok = client.post(_url(comp, "/vorlagen/notice"),
                     data={"action": "save", "subject": "Danke, {{ ansprechperson }}", "body": "Text {{ projekt }}"})
    assert ok.status_code == 302
    html = client.get(_url(comp, "/vorlagen/notice")).get_data(as_text=True)
    assert "Zurzeit gilt ein eigener Text" in html
    assert "Danke, [Name der Ansprechperson]" in html
    client.post(_url(comp, "/vorlagen/notice"), data={"action": "reset"})
    assert "Zurzeit gilt der Standardtext." in client.get(_url(comp, "/vorlagen/notice")).get_data(as_text=True)
    assert client.get(_url(comp, "/vorlagen/unbekannt")).status_code == 404


def test_mail_template_fields_are_german_on_an_english_page(client, auth, setup):
    """The release mails are sent in German: their fields say so to screen readers."""
    import re

    from flask_babel import refresh

    comp, staff, _apps = setup
    auth.login(staff)
    client.get("/sprache/en")
    refresh()
    html = client.get(_url(comp, "/vorlagen/notice")).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert 'lang="de"' in re.search(r'<input[^>]*name="subject"[^>]*>', html).group(0)
    assert 'lang="de"' in re.search(r'<textarea[^>]*name="body"[^>]*>', html).group(0)


def test_publication_schedule_in_berlin_time_and_publish_by_hand(client, auth, setup):
    comp, staff, apps = setup
    factories.decide(apps[0])
    release.release_decisions(actor=staff, competition=comp)
    db.session.commit()
    auth.login(staff)
    response = client.post(_url(comp, "/veroeffentlichung"),
                           data={"action": "schedule", "publish_date": "2036-05-12", "publish_time": "18:00"})
    assert response.status_code == 302
    db.session.refresh(comp)
    assert comp.publish_at.isoformat() == "2036-05-12T16:00:00+00:00"  # CEST = UTC+2
    assert lifecycle.state_of(comp) == lifecycle.YearState.RELEASED
    client.post(_url(comp, "/veroeffentlichung/jetzt"), data={"confirm": "y"})
    db.session.refresh(comp)
    assert comp.published_at is not None and lifecycle.state_of(comp) == lifecycle.YearState.PUBLISHED
    assert comp.status == CompetitionStatus.DECIDED  # the state comes from the facts
    client.post(_url(comp, "/veroeffentlichung"), data={"action": "withdraw"})
    db.session.refresh(comp)
    assert (comp.published_at, comp.publish_at) == (None, None)
    assert lifecycle.state_of(comp) == lifecycle.YearState.RELEASED


def test_publish_before_release_is_refused(client, auth, setup):
    comp, staff, apps = setup
    auth.login(staff)
    page = client.get(_url(comp, "/veroeffentlichung/jetzt")).get_data(as_text=True)
    assert "Veröffentlichen ist nur möglich, wenn die Entscheidungen freigegeben" in page
    assert 'name="confirm"' not in page
    html = client.post(_url(comp, "/veroeffentlichung/jetzt"), data={"confirm": "y"}).get_data(as_text=True)
    assert "Bitte geben Sie zuerst die Entscheidungen frei." in html
    db.session.refresh(comp)
    assert comp.published_at is None


# --- certificates -----------------------------------------------------------------------

@pytest.fixture
def released(app):
    staff = factories.staff(prize_code="BIP")
    comp, winners, others = factories.released_competition(winners=2, others=1, year=2026, staff=staff)
    db.session.commit()
    return comp, staff, winners, others


def test_laureate_downloads_own_certificate(client, auth, released):
    comp, staff, winners, others = released
    auth.login(winners[0].owner)
    response = client.get(f"/urkunde/{winners[0].id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f'filename="Urkunde-BIP-2026-{winners[0].reference}.pdf"' in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert winners[0].project_title in text


def test_certificate_refused_to_other_applicants_and_other_staff(client, auth, released):
    comp, staff, winners, others = released
    other_staff = factories.staff(prize_code="OBB")
    juror = factories.juror(comp, is_chair=True)
    db.session.commit()
    for user in (winners[1].owner, others[0].owner, other_staff, juror):
        auth.login(user)
        assert client.get(f"/urkunde/{winners[0].id}").status_code == 403, user.email
        auth.logout()
    anonymous = client.get(f"/urkunde/{winners[0].id}")
    assert anonymous.status_code == 302 and "/konto/anmelden" in anonymous.headers["Location"]


def test_certificate_of_non_winner_or_unreleased_is_404(client, auth, released, app):
    comp, staff, winners, others = released
    auth.login(others[0].owner)
    assert client.get(f"/urkunde/{others[0].id}").status_code == 404
    auth.logout()
    pending = factories.competition(status=CompetitionStatus.JURY)
    application = factories.submitted_application(pending)
    factories.decide(application)
    db.session.commit()
    auth.login(application.owner)
    assert client.get(f"/urkunde/{application.id}").status_code == 404


def test_staff_download_certificate_and_zip(client, auth, released):
    comp, staff, winners, others = released
    auth.login(staff)
    single = client.get(f"/urkunde/{winners[1].id}")
    assert single.status_code == 200 and single.data[:5] == b"%PDF-"
    response = client.get(_url(comp, "/urkunden/alle.zip"))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(f"Urkunde-BIP-2026-{w.reference}.pdf" for w in winners)


def test_repeated_download_is_served_from_storage(client, auth, released):
    from awards.models.audit import AuditLog

    comp, staff, winners, others = released
    auth.login(winners[0].owner)
    first = client.get(f"/urkunde/{winners[0].id}").data
    second = client.get(f"/urkunde/{winners[0].id}").data
    assert first == second
    generated = db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "certificate.generate"))
    assert generated == 1


def test_dashboard_section_lists_released_awards(client, auth, released, app):
    from flask import render_template_string
    from flask_login import login_user

    comp, staff, winners, others = released
    with app.test_request_context("/"):
        login_user(winners[0].owner)
        html = render_template_string('{% include "winners/_dashboard_certificates.html" %}')
    assert "Ihre Auszeichnungen" in html and f"/urkunde/{winners[0].id}" in html
    with app.test_request_context("/"):
        login_user(others[0].owner)
        assert render_template_string('{% include "winners/_dashboard_certificates.html" %}').strip() == ""


def test_certificate_settings_change_regenerates(client, auth, released):
    comp, staff, winners, others = released
    auth.login(staff)
    before = client.get(f"/urkunde/{winners[0].id}").data
    response = client.post(_url(comp, "/urkunden"), data={
        "place": "Nürnberg", "issue_date": "2026-05-12", "tribute": "",
        "sig1_name": "Dr. Neu Name", "sig1_title": "Präsidentin (Beispiel)"})
    assert response.status_code == 302
    after = client.get(f"/urkunde/{winners[0].id}").data
    assert before != after
    text = PdfReader(io.BytesIO(after)).pages[0].extract_text()
    assert "Nürnberg, 12. Mai 2026" in text and "Dr. Neu Name" in text
    assert "dotiert mit" not in text  # show_amount unticked


def test_logo_upload_refuses_script_svg_and_accepts_png(client, auth, released):
    from PIL import Image

    comp, staff, winners, others = released
    auth.login(staff)
    evil = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client.post(_url(comp, "/urkunden/logo"),
                           data={"action": "upload", "logo-logo": (io.BytesIO(evil), "logo.svg")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Skripte" in response.get_data(as_text=True)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    ok = client.post(_url(comp, "/urkunden/logo"),
                     data={"action": "upload", "logo-logo": (io.BytesIO(out.getvalue()), "logo.png")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    db.session.refresh(comp)
    assert comp.logo_key.endswith(".png")
    logo = client.get(_url(comp, "/urkunden/logo"))
    assert logo.mimetype == "image/png" and logo.data == out.getvalue()


def test_preview_pdf_and_minutes_pdf(client, auth, released):
    comp, staff, winners, others = released
    auth.login(staff)
    preview = client.get(_url(comp, "/urkunden/vorschau.pdf"))
    assert preview.mimetype == "application/pdf"
    assert "Musterverein" in PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()
    form = client.get(_url(comp, "/niederschrift"))
    assert "Niederschrift der Jurysitzung" in form.get_data(as_text=True)
    missing = client.post(_url(comp, "/niederschrift"), data={})
    assert missing.status_code == 422
    pdf = client.post(_url(comp, "/niederschrift"), data={"session_date": "2026-03-12", "recorder": "Kim"})
    assert pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "12. März 2026" in text and winners[0].project_title in text
