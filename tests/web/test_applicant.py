"""The applicant's side: start, five steps with drafts, attachments, submission, dashboard."""
import hashlib
import io
import re
import threading
from datetime import timedelta

import lxml.html
import pypdf
import pytest
from sqlalchemy import select

from awards.adapters.storage import get_storage
from awards.enums import ApplicationStatus, CompetitionStatus, Region, SubmissionKind
from awards.extensions import db
from awards.models.applications import Application, Attachment, FormStash
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from tests import factories
from tests.factories import (complete_application, district, image_bytes,
                             minimal_pdf, submitted_application)
from tests.rendered_forms import rendered_form


@pytest.fixture
def comp(app):
    return factories.competition(prize_code="BIP", year=2026, title="Bayerischer Integrationspreis",
                                 motto="Sprache schafft Heimat")


@pytest.fixture
def applicant(app):
    return factories.user(email="bewerberin@example.org", name="Bea Bewerberin")


@pytest.fixture
def draft(comp, applicant):
    return factories.application(competition=comp, owner=applicant, project_title="Sprachcafé")


def text(response):
    return response.get_data(as_text=True)


def step_url(application, step):
    return f"/bewerbung/{application.id}/schritt/{step}"


def reload(application):
    db.session.expire_all()
    return db.session.get(Application, application.id)


STEP1 = {
    "kind": "self", "applicant_type": "verein", "org_name": "Brückenbauer e.V. (erfunden)",
    "contact_name": "Max Beispiel", "street": "Ringstraße 5", "postcode": "86150",
    "city": "Augsburg", "email": "info@brueckenbauer.example", "phone": "0821 1234",
    "website": "www.brueckenbauer.example",
}


# --- start ------------------------------------------------------------------------------

def test_start_offers_zugangslink_to_anonymous_visitor(client, comp):
    body = text(client.get(f"/bewerbung/start/{comp.id}"))
    assert "Mit Zugangslink per E-Mail fortfahren" in body
    assert f'href="/konto/anmelden?next=/bewerbung/start/{comp.id}#magic-heading"' in body


def test_public_competition_page_links_to_start(client, comp):
    body = text(client.get("/ausschreibungen/BIP/2026"))
    assert f'href="/bewerbung/start/{comp.id}"' in body


def test_start_post_anonymous_redirects_to_login(client, comp):
    response = client.post(f"/bewerbung/start/{comp.id}")
    assert (response.status_code, response.location) == (
        302, f"/konto/anmelden?next=/bewerbung/start/{comp.id}")
    assert db.session.scalar(select(Application.id)) is None


def test_start_creates_draft_and_opens_step_one(client, auth, comp, applicant):
    auth.login(applicant)
    response = client.post(f"/bewerbung/start/{comp.id}")
    application = db.session.scalars(select(Application)).one()
    assert response.location == step_url(application, 1)
    assert (application.status, application.owner_id, application.email) == (
        ApplicationStatus.DRAFT, applicant.id, "bewerberin@example.org")
    assert db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()[-1] == "application.start"


def test_start_refused_after_deadline(client, auth, applicant):
    comp = factories.competition(deadline_at=utcnow() - timedelta(seconds=1))
    auth.login(applicant)
    body = text(client.get(f"/bewerbung/start/{comp.id}"))
    assert "Für diesen Preis ist derzeit keine Bewerbung möglich" in body
    client.post(f"/bewerbung/start/{comp.id}")
    assert db.session.scalar(select(Application.id)) is None


def test_start_for_draft_competition_is_404(client):
    comp = factories.competition(status=CompetitionStatus.DRAFT)
    assert client.get(f"/bewerbung/start/{comp.id}").status_code == 404


# --- steps and drafts -------------------------------------------------------------------

@pytest.mark.parametrize("step, title", [(1, "Bewerber/Organisation und Kontakt"), (2, "Projekt"),
                                         (3, "Zahlen und Partner"), (4, "Anlagen"),
                                         (5, "Einwilligungen und Absenden")])
def test_step_shows_progress(client, auth, draft, step, title):
    auth.login(draft.owner)
    body = text(client.get(step_url(draft, step)))
    assert f"Schritt {step} von 5" in body
    assert f'<span aria-current="step">{step}. {title}</span>' in body


def test_unknown_step_is_404(client, auth, draft):
    auth.login(draft.owner)
    assert client.get(step_url(draft, 6)).status_code == 404


def test_step_next_with_missing_fields_keeps_and_saves_input(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(step_url(draft, 1), data={"action": "next", "org_name": "Nur Name e.V.",
                                                     "city": "Passau", "contact_name": ""})
    body = text(response)
    assert response.status_code == 422
    assert 'value="Nur Name e.V."' in body
    assert "Ansprechperson: Bitte füllen Sie dieses Feld aus." in body
    saved = reload(draft)
    assert (saved.org_name, saved.city, saved.current_step) == ("Nur Name e.V.", "Passau", 1)


def test_step_next_complete_goes_to_step_two_and_sets_region(client, auth, draft):
    auth.login(draft.owner)
    augsburg = district("Augsburg", True)
    response = client.post(step_url(draft, 1),
                           data=dict(STEP1, action="next", district_id=str(augsburg.id)))
    assert response.location == step_url(draft, 2)
    saved = reload(draft)
    assert (saved.district_id, saved.region, saved.current_step, saved.website) == (
        augsburg.id, Region.SCHW, 2, "https://www.brueckenbauer.example")


def test_step_invalid_email_is_not_stored_but_rest_is(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(step_url(draft, 1), data={"action": "save", "email": "kein-at-zeichen",
                                                     "org_name": "Verein X"})
    assert response.status_code == 422
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in text(response)
    assert 'value="kein-at-zeichen"' in text(response)
    saved = reload(draft)
    assert (saved.org_name, saved.email) == ("Verein X", draft.email)


def test_nomination_requires_nominator(client, auth, draft):
    auth.login(draft.owner)
    munich = district()
    response = client.post(step_url(draft, 1), data=dict(
        STEP1, kind="nomination", action="next", district_id=str(munich.id)))
    body = text(response)
    assert response.status_code == 422
    assert "Ihr Name (vorschlagende Person): Bitte füllen Sie dieses Feld aus." in body
    assert reload(draft).kind == SubmissionKind.NOMINATION


def test_regional_prize_refuses_other_region_naming_right_prize(client, auth, applicant):
    obb = factories.competition(prize_code="OBB", year=2026,
                                title="Integrationspreis der Regierung von Oberbayern")
    factories.competition(prize_code="SCHW", year=2026,
                          title="Integrationspreis der Regierung von Schwaben")
    application = factories.application(competition=obb, owner=applicant)
    auth.login(applicant)
    augsburg = district("Augsburg", True)
    body = text(client.post(step_url(application, 1), data=dict(
        STEP1, action="next", district_id=str(augsburg.id))))
    assert ("Ihr Projekt liegt im Regierungsbezirk Schwaben. Dieser Preis nimmt nur Projekte aus "
            "Oberbayern an. Bitte bewerben Sie sich beim „Integrationspreis der Regierung von "
            "Schwaben“") in body


def test_save_draft_button_flashes_time_and_stays(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(step_url(draft, 2), data={"action": "save", "project_title": "Neu"},
                           follow_redirects=True)
    assert re.search(r"Entwurf gespeichert um \d\d:\d\d Uhr", text(response))
    assert (reload(draft).project_title, reload(draft).current_step) == ("Neu", 2)


def test_resume_goes_to_last_step(client, auth, draft):
    auth.login(draft.owner)
    client.post(step_url(draft, 3), data={"action": "save", "volunteers_count": "12"})
    assert client.get(f"/bewerbung/{draft.id}/weiter").location == step_url(draft, 3)


def test_step_three_rejects_wrong_number_types(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(step_url(draft, 3), data={"action": "next", "volunteers_count": "viele",
                                                     "staff_count": "-2", "funding": "Spenden"})
    body = text(response)
    assert response.status_code == 422
    assert body.count("Bitte geben Sie eine ganze Zahl ab 0 an") == 4  # beside field + summary
    saved = reload(draft)
    assert (saved.volunteers_count, saved.staff_count, saved.funding) == (None, None, "Spenden")


def test_step_three_as_rendered_stores_the_people_reached(client, auth, draft):
    auth.login(draft.owner)
    html = text(client.get(step_url(draft, 3)))
    assert ('<label class="kern-label" for="people_reached">Anzahl erreichter Menschen '
            '(ungefähr) <span class="kern-label__optional">– optional</span></label>') in html
    assert "Eine Schätzung genügt" in html
    form = rendered_form(html, form_id="application-form").fill(
        volunteers_count="12", staff_count="1", people_reached="250")
    response = client.post(step_url(draft, 3), data=form.data(button="next"))
    assert (response.status_code, response.location) == (302, step_url(draft, 4))
    saved = reload(draft)
    assert (saved.volunteers_count, saved.people_reached) == (12, 250)
    # Optional: emptied again, the draft keeps no number and the step still goes on.
    form = rendered_form(text(client.get(step_url(draft, 3))), form_id="application-form")
    assert form.values["people_reached"] == "250"
    response = client.post(step_url(draft, 3), data=form.fill(people_reached="").data(button="next"))
    assert (response.status_code, reload(draft).people_reached) == (302, None)


@pytest.mark.parametrize("typed, message", [
    ("ungefähr 200", "Bitte geben Sie eine ganze Zahl ab 0 an, z. B. 12."),
    ("-5", "Bitte geben Sie eine ganze Zahl ab 0 an, z. B. 12."),
    ("2000000", "Bitte geben Sie eine Zahl bis höchstens 1.000.000 an."),
])
def test_step_three_refuses_a_wrong_people_reached_and_keeps_the_input(client, auth, draft,
                                                                       typed, message):
    auth.login(draft.owner)
    form = rendered_form(text(client.get(step_url(draft, 3))), form_id="application-form")
    response = client.post(step_url(draft, 3), data=form.fill(
        volunteers_count="12", people_reached=typed).data(button="next"))
    body = text(response)
    assert response.status_code == 422
    assert ('<p class="kern-error" id="people_reached-error"><span class="kern-icon '
            'kern-icon--danger kern-icon--default" aria-hidden="true"></span><span '
            f'class="kern-body">{message}</span></p>') in body
    assert 'href="#people_reached"' in body  # in the summary at the top
    assert rendered_form(body, form_id="application-form").values["people_reached"] == typed
    saved = reload(draft)
    assert (saved.volunteers_count, saved.people_reached) == (12, None)


def test_summary_longer_than_2000_characters_is_refused(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(step_url(draft, 2), data={"action": "save", "summary": "a" * 2001})
    assert response.status_code == 422
    assert "höchstens 2000 Zeichen" in text(response)
    assert reload(draft).summary == "Kurzbeschreibung des Projekts."


def test_project_start_must_be_a_date(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(step_url(draft, 2), data={"action": "save", "project_start": "gestern"})
    assert "Bitte geben Sie ein Datum an" in text(response)


def test_stale_version_is_a_conflict(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(step_url(draft, 2), data={"action": "save", "project_title": "A",
                                                     "version": str(draft.version - 1 or 99)})
    assert response.status_code == 409
    assert "inzwischen an anderer Stelle geändert" in text(response)


# --- autosave ---------------------------------------------------------------------------

def test_autosave_saves_and_returns_version(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(f"/bewerbung/{draft.id}/autosave",
                           data={"step": "2", "project_title": "Automatisch", "version": str(draft.version)})
    saved = reload(draft)
    assert response.status_code == 200
    assert response.json["version"] == saved.version
    assert re.fullmatch(r"Gespeichert um \d\d:\d\d Uhr", response.json["message"])
    assert saved.project_title == "Automatisch"


def test_autosave_requires_csrf_header(app, client, auth, draft):
    auth.login(draft.owner)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          text(client.get(step_url(draft, 2)))).group(1)
        refused = client.post(f"/bewerbung/{draft.id}/autosave", data={"step": "2", "goals": "x"})
        accepted = client.post(f"/bewerbung/{draft.id}/autosave", data={"step": "2", "goals": "y"},
                               headers={"X-CSRFToken": token})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert (refused.status_code, accepted.status_code, reload(draft).goals) == (400, 200, "y")


def test_autosave_anonymous_gets_401_json(client, draft):
    response = client.post(f"/bewerbung/{draft.id}/autosave", data={"step": "2"})
    assert (response.status_code, response.json["error"]) == (401, "login")


def test_autosave_stale_version_is_409(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(f"/bewerbung/{draft.id}/autosave",
                           data={"step": "2", "project_title": "x", "version": "999"})
    assert (response.status_code, response.json["error"]) == (409, "conflict")


# --- expired login ----------------------------------------------------------------------

def test_expired_login_keeps_posted_data_until_login(client, auth, draft):
    # The login has expired (no session), the applicant posts step 2.
    response = client.post(step_url(draft, 2), data={"action": "next", "project_title": "Gerettet",
                                                     "summary": "Langer Text " * 50})
    assert response.location == f"/konto/anmelden?next=/bewerbung/{draft.id}/schritt/2"
    assert reload(draft).project_title == "Sprachcafé"
    auth.login(draft.owner)
    body = text(client.get(step_url(draft, 2)))
    assert "Ihre Eingaben von vor der Anmeldung sind wiederhergestellt und gespeichert." in body
    saved = reload(draft)
    assert (saved.project_title, saved.summary) == ("Gerettet", ("Langer Text " * 50).strip())
    assert db.session.scalar(select(FormStash.id)) is None


def test_stash_cannot_be_used_by_another_user(client, auth, draft):
    client.post(step_url(draft, 2), data={"action": "next", "project_title": "Fremd"})
    other = factories.user()
    auth.login(other)
    assert client.get(step_url(draft, 2)).status_code == 404
    assert reload(draft).project_title == "Sprachcafé"


# --- attachments ------------------------------------------------------------------------

def upload(client, application, *files, **fields):
    data = {"action": "upload", **fields,
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(step_url(application, 4), data=data, content_type="multipart/form-data")


def test_upload_pdf_stores_attachment(client, auth, draft):
    auth.login(draft.owner)
    pdf = minimal_pdf()
    response = upload(client, draft, ("../../etc/Presse bericht.pdf", pdf),
                      file_description="Artikel")
    assert response.location == step_url(draft, 4) + "#anlagen"
    attachment = db.session.scalars(select(Attachment)).one()
    assert (attachment.filename, attachment.sha256, attachment.description) == (
        "Presse bericht.pdf", hashlib.sha256(pdf).hexdigest(), "Artikel")
    assert "Presse bericht.pdf" in text(client.get(step_url(draft, 4)))


def test_upload_exe_renamed_pdf_is_refused(client, auth, draft):
    auth.login(draft.owner)
    response = upload(client, draft, ("bewerbung.pdf", b"MZ\x90\x00" + b"\x00" * 400))
    assert response.status_code == 422
    assert "„bewerbung.pdf“ ist keine PDF-, JPEG- oder PNG-Datei" in text(response)
    assert db.session.scalar(select(Attachment.id)) is None


def test_upload_truncated_pdf_is_refused(client, auth, draft):
    auth.login(draft.owner)
    response = upload(client, draft, ("halb.pdf", minimal_pdf()[:-50]))
    assert "„halb.pdf“ ist unvollständig oder beschädigt" in text(response)


def test_upload_photo_needs_image_rights(client, auth, draft):
    auth.login(draft.owner)
    refused = upload(client, draft, ("foto.jpg", image_bytes("JPEG")))
    assert "bestätigen Sie bitte zuerst die Bildrechte" in text(refused)
    accepted = upload(client, draft, ("foto.jpg", image_bytes("JPEG")), image_rights_confirmed="y")
    assert accepted.status_code == 302
    assert (reload(draft).image_rights_confirmed,
            db.session.scalars(select(Attachment.content_type)).all()) == (True, ["image/jpeg"])


def test_upload_oversize_file_is_refused_and_text_kept(app, client, auth, draft):
    auth.login(draft.owner)
    app.config["MAX_FILE_MB"] = 1
    try:
        big = minimal_pdf()[:9] + b"%" + b"x" * (1024 * 1024) + b"\n" + minimal_pdf()[9:]
        response = upload(client, draft, ("gross.pdf", big), file_description="zu groß")
    finally:
        app.config["MAX_FILE_MB"] = 10
    assert response.status_code == 422
    assert "„gross.pdf“ ist größer als 1 MB" in text(response)
    assert 'value="zu groß"' in text(response)


def test_too_large_request_gets_friendly_413_and_draft_survives(app, client, auth, draft):
    auth.login(draft.owner)
    client.post(step_url(draft, 2), data={"action": "save", "summary": "Mein Text bleibt."})
    app.config["MAX_CONTENT_LENGTH"] = 20000
    try:
        response = upload(client, draft, ("riesig.pdf", b"%PDF-" + b"x" * 30000))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = (25 + 1) * 1024 * 1024
    body = text(response)
    assert response.status_code == 413
    assert "Die Datei ist zu groß" in body
    assert f'href="/bewerbung/{draft.id}/schritt/4"' in body
    assert reload(draft).summary == "Mein Text bleibt."


def test_delete_attachment(client, auth, draft):
    auth.login(draft.owner)
    upload(client, draft, ("a.pdf", minimal_pdf()))
    attachment = db.session.scalars(select(Attachment)).one()
    key = attachment.storage_key
    client.post(f"/bewerbung/{draft.id}/anlagen/{attachment.id}/loeschen")
    assert (db.session.scalar(select(Attachment.id)), get_storage().exists(key)) == (None, False)


def test_download_own_attachment(client, auth, draft):
    auth.login(draft.owner)
    upload(client, draft, ("bild.png", image_bytes("PNG")), image_rights_confirmed="y")
    attachment = db.session.scalars(select(Attachment)).one()
    response = client.get(f"/bewerbung/{draft.id}/anlagen/{attachment.id}")
    assert (response.status_code, response.mimetype, response.data) == (
        200, "image/png", image_bytes("PNG"))
    assert response.headers["Content-Disposition"] == 'attachment; filename="bild.png"'


# --- submission -------------------------------------------------------------------------

def test_submit_complete_application(client, auth, comp, applicant):
    application = complete_application(competition=comp, owner=applicant, consent_privacy=False,
                                       consent_truthful=False)
    auth.login(applicant)
    upload(client, application, ("Flyer.pdf", minimal_pdf("Flyer")))
    response = client.post(step_url(application, 5), data={
        "action": "submit", "consent_privacy": "y", "consent_truthful": "y",
        "consent_publish_name": "y"})
    assert response.location == f"/bewerbung/{application.id}"
    saved = reload(application)
    assert (saved.status, saved.reference, saved.number, saved.consent_publish_name,
            saved.consent_publish_photos) == (ApplicationStatus.SUBMITTED, "BIP-2026-0001", 1,
                                              True, False)
    assert "Ihre Bewerbung ist eingegangen" in text(client.get(response.location))

    receipt = client.get(f"/bewerbung/{application.id}/eingangsbestaetigung")
    assert (receipt.status_code, receipt.mimetype) == (200, "application/pdf")
    pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(receipt.data)).pages)
    flat = " ".join(pdf_text.split())
    assert "Eingangsbestätigung" in flat
    assert "BIP-2026-0001" in flat
    assert "Sprachcafé am Marktplatz" in flat
    assert "Flyer.pdf" in flat
    assert hashlib.sha256(minimal_pdf("Flyer")).hexdigest()[:16] in flat.replace(" ", "")

    mail = db.session.scalars(select(OutboxMail)).one()
    assert (mail.to_addr, mail.subject) == (
        "bewerberin@example.org",
        "Eingangsbestätigung BIP-2026-0001 – Bayerischer Integrationspreis 2026")
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-1] == "application.submit"


def test_submit_with_missing_fields_lists_them_with_links(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(step_url(draft, 5), data={"action": "submit", "consent_privacy": "y"})
    body = text(response)
    assert response.status_code == 422
    assert "Diese Angaben fehlen noch" in body
    assert f'href="/bewerbung/{draft.id}/schritt/1#district_id">Landkreis oder kreisfreie Stadt</a>' in body
    assert f'href="/bewerbung/{draft.id}/schritt/5#consent_truthful">' in body
    saved = reload(draft)
    assert (saved.status, saved.reference, saved.consent_privacy) == (
        ApplicationStatus.DRAFT, None, True)


def test_submit_with_photo_needs_image_rights(client, auth, comp, applicant):
    application = complete_application(competition=comp, owner=applicant,
                                       image_rights_confirmed=True)
    auth.login(applicant)
    upload(client, application, ("foto.png", image_bytes()), image_rights_confirmed="y")
    client.post(step_url(application, 4), data={"action": "save"})  # unticks the box
    response = client.post(step_url(application, 5), data={
        "action": "submit", "consent_privacy": "y", "consent_truthful": "y"})
    assert "Sie haben Fotos angehängt. Bitte bestätigen Sie die Bildrechte" in text(response)
    assert reload(application).status == ApplicationStatus.DRAFT


def test_submit_after_deadline_is_refused(client, auth, applicant):
    comp = factories.competition(deadline_at=utcnow() - timedelta(seconds=1))
    application = complete_application(competition=comp, owner=applicant)
    auth.login(applicant)
    response = client.post(step_url(application, 5), data={
        "action": "submit", "consent_privacy": "y", "consent_truthful": "y"})
    assert response.status_code == 422
    assert "Der Bewerbungsschluss ist vorbei" in text(response)
    assert reload(application).status == ApplicationStatus.DRAFT


def test_submitted_application_is_frozen(client, auth, comp, applicant):
    application = submitted_application(via_service=True, competition=comp, owner=applicant)
    db.session.commit()
    auth.login(applicant)
    assert client.get(step_url(application, 2)).location == f"/bewerbung/{application.id}"
    client.post(step_url(application, 2), data={"action": "save", "project_title": "Geändert"})
    response = client.post(f"/bewerbung/{application.id}/autosave",
                           data={"step": "2", "project_title": "Geändert"})
    assert response.status_code == 409
    assert reload(application).project_title == "Sprachcafé am Marktplatz"


def test_reference_numbers_count_per_competition(app, comp, applicant):
    obb = factories.competition(prize_code="OBB", year=2026)
    with app.test_request_context():
        refs = [submitted_application(via_service=True, competition=c, owner=applicant).reference
                for c in (comp, comp, obb)]
    assert refs == ["BIP-2026-0001", "BIP-2026-0002", "OBB-2026-0001"]


def test_concurrent_submissions_get_distinct_numbers(app, comp):
    ids = [complete_application(competition=comp).id for _ in range(3)]
    db.session.commit()
    results, errors = [], []

    def submit(application_id):
        # SQLite allows one writer at a time and may answer "database is locked"; the user
        # would simply send again, so the thread retries. PostgreSQL waits on the row lock.
        from sqlalchemy.exc import OperationalError

        from awards.services import applications as service

        with app.test_request_context():
            for _attempt in range(10):
                try:
                    application = db.session.get(Application, application_id)
                    service.submit(actor=application.owner, application=application)
                    db.session.commit()
                    results.append(application.reference)
                    break
                except OperationalError:
                    db.session.rollback()
                except Exception as exc:  # noqa: BLE001 - reported below
                    db.session.rollback()
                    errors.append(repr(exc))
                    break
            db.session.remove()

    threads = [threading.Thread(target=submit, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == ["BIP-2026-0001", "BIP-2026-0002", "BIP-2026-0003"]


# --- dashboard, withdraw, copy ----------------------------------------------------------

def test_dashboard_lists_only_own_applications(client, auth, comp, applicant):
    application = submitted_application(via_service=True, competition=comp, owner=applicant)
    factories.application(competition=comp, project_title="Fremdes Projekt")
    db.session.commit()
    auth.login(applicant)
    body = text(client.get("/bewerbung/"))
    assert "Sprachcafé am Marktplatz" in body and "BIP-2026-0001" in body
    assert "Fremdes Projekt" not in body
    assert f'href="/bewerbung/{application.id}/eingangsbestaetigung"' in body
    assert "Eingereicht" in body


def test_dashboard_anonymous_redirects_to_login(client):
    assert client.get("/bewerbung/").location == "/konto/anmelden?next=/bewerbung/"


def test_withdraw_before_deadline(client, auth, comp, applicant):
    application = submitted_application(via_service=True, competition=comp, owner=applicant)
    db.session.commit()
    auth.login(applicant)
    response = client.post(f"/bewerbung/{application.id}/zurueckziehen")
    assert response.location == "/bewerbung/"
    saved = reload(application)
    assert (saved.status, saved.withdrawn_at is not None) == (ApplicationStatus.WITHDRAWN, True)


def test_withdraw_after_deadline_is_refused(client, auth, comp, applicant):
    application = submitted_application(via_service=True, competition=comp, owner=applicant)
    comp.deadline_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    auth.login(applicant)
    response = client.post(f"/bewerbung/{application.id}/zurueckziehen")
    assert response.status_code == 422
    assert "Nach dem Bewerbungsschluss" in text(response)
    assert reload(application).status == ApplicationStatus.SUBMITTED
    doc = lxml.html.fromstring(response.get_data(as_text=True))
    # The page has no field of its own: the reason is in the summary at the top, and only
    # there; the button stays for another try.
    [summary] = doc.xpath("//div[@id='error-summary']")
    [reason] = [" ".join(li.text_content().split()) for li in summary.xpath(".//li")]
    assert reason.startswith("Nach dem Bewerbungsschluss")
    assert " ".join(doc.text_content().split()).count(reason) == 1
    assert doc.xpath("//h1")[0].getnext() is summary
    assert "Ja, zurückziehen" in [" ".join(b.text_content().split())
                                  for b in doc.xpath("//form//button[@type='submit']")]


def test_copy_into_other_open_competition(client, auth, comp, applicant):
    obb = factories.competition(prize_code="OBB", year=2026)
    source = complete_application(competition=comp, owner=applicant)
    auth.login(applicant)
    upload(client, source, ("Flyer.pdf", minimal_pdf()))
    response = client.post(f"/bewerbung/{source.id}/kopieren", data={"competition_id": str(obb.id)})
    copy = db.session.scalars(select(Application).where(Application.competition_id == obb.id)).one()
    assert response.location == step_url(copy, 1)
    assert (copy.project_title, copy.summary, copy.region, copy.consent_privacy,
            copy.copied_from_id, copy.status) == (source.project_title, source.summary, Region.OBB,
                                                  False, source.id, ApplicationStatus.DRAFT)
    original, copied = source.attachments[0], copy.attachments[0]
    assert (copied.sha256, copied.filename) == (original.sha256, original.filename)
    assert copied.storage_key != original.storage_key
    assert get_storage().read(copied.storage_key) == minimal_pdf()


def test_copy_into_wrong_region_is_refused(client, auth, comp, applicant):
    schw = factories.competition(prize_code="SCHW", year=2026)
    source = complete_application(competition=comp, owner=applicant)  # München, Oberbayern
    auth.login(applicant)
    response = client.post(f"/bewerbung/{source.id}/kopieren",
                           data={"competition_id": str(schw.id)})
    assert response.status_code == 422
    assert "Ihr Projekt liegt im Regierungsbezirk Oberbayern" in text(response)
    assert db.session.scalar(select(Application.id).where(
        Application.competition_id == schw.id)) is None


# --- someone else's application ---------------------------------------------------------

FOREIGN_URLS = [
    ("get", "/bewerbung/{id}"), ("get", "/bewerbung/{id}/schritt/1"),
    ("post", "/bewerbung/{id}/schritt/2"), ("post", "/bewerbung/{id}/autosave"),
    ("get", "/bewerbung/{id}/eingangsbestaetigung"), ("get", "/bewerbung/{id}/weiter"),
    ("post", "/bewerbung/{id}/zurueckziehen"), ("post", "/bewerbung/{id}/kopieren"),
    ("get", "/bewerbung/{id}/anlagen/{att}"), ("post", "/bewerbung/{id}/anlagen/{att}/loeschen"),
]


@pytest.mark.parametrize("method, url", FOREIGN_URLS)
def test_someone_elses_application_is_404(client, auth, comp, method, url):
    victim = complete_application(competition=comp)
    with client.application.test_request_context():
        from awards.services import uploads

        attachment = uploads.add_attachment(actor=victim.owner, application=victim,
                                            stream=io.BytesIO(minimal_pdf()), filename="x.pdf")
    db.session.commit()
    auth.login(factories.user())
    response = getattr(client, method)(url.format(id=victim.id, att=attachment.id),
                                       data={"step": "2", "project_title": "gehackt"})
    assert response.status_code == 404
    saved = reload(victim)
    assert (saved.project_title, saved.status, len(saved.attachments)) == (
        "Sprachcafé am Marktplatz", ApplicationStatus.DRAFT, 1)


def test_staff_cannot_use_applicant_urls(client, auth, comp):
    application = complete_application(competition=comp)
    auth.login(factories.staff(prize_code="BIP"))
    assert client.get(step_url(application, 1)).status_code == 404


def test_attachment_of_other_application_is_404(client, auth, comp, applicant):
    own = complete_application(competition=comp, owner=applicant)
    other = complete_application(competition=comp)
    with client.application.test_request_context():
        from awards.services import uploads

        foreign = uploads.add_attachment(actor=other.owner, application=other,
                                         stream=io.BytesIO(minimal_pdf()), filename="x.pdf")
    db.session.commit()
    auth.login(applicant)
    assert client.get(f"/bewerbung/{own.id}/anlagen/{foreign.id}").status_code == 404


# --- demo -------------------------------------------------------------------------------

def test_demo_applications_load_idempotent(app):
    from awards.demo import applications as demo_applications
    from awards.demo import base

    base.load()
    demo_applications.load()
    first = db.session.scalars(select(Application.status).order_by(Application.id)).all()
    demo_applications.load()
    assert db.session.scalars(select(Application.status).order_by(Application.id)).all() == first
    assert sorted(s.value for s in first) == ["draft", "draft", "submitted", "submitted", "submitted"]
    submitted = db.session.scalars(select(Application).where(
        Application.status == ApplicationStatus.SUBMITTED).order_by(Application.number)).all()
    year = submitted[0].competition.year
    assert [a.reference for a in submitted] == [f"BIP-{year}-000{n}" for n in (1, 2, 3)]
    assert all(get_storage().exists(a.receipt_key) for a in submitted)
    assert "(erfunden)" in submitted[0].org_name


def test_withdrawn_application_cannot_be_withdrawn_again(client, auth, comp, applicant):
    application = complete_application(competition=comp, owner=applicant,
                                       status=ApplicationStatus.WITHDRAWN)
    auth.login(applicant)
    assert client.post(f"/bewerbung/{application.id}/zurueckziehen").status_code == 403


def test_start_page_lists_existing_applications_of_logged_in_user(client, auth, draft):
    auth.login(draft.owner)
    body = text(client.get(f"/bewerbung/start/{draft.competition_id}"))
    assert "Ihre Bewerbungen für diesen Preis" in body
    assert f'href="/bewerbung/{draft.id}/weiter"' in body
    assert "Neue Bewerbung beginnen" in body
