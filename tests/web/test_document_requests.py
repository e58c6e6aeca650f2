"""Nachforderung in the portal: staff ask what and by when, the applicant answers on the
application page (text and files), staff see the answer in the intake. Every post goes
through the form as the page renders it."""
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from awards.enums import FormalCheck
from awards.extensions import db
from awards.models.applications import Application, Attachment
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.document_requests import DocumentRequest
from awards.models.mail import OutboxMail
from awards.services import document_requests
from awards.timeutil import from_berlin, to_berlin
from tests import factories
from tests.factories import image_bytes, minimal_pdf, submitted_application
from tests.rendered_forms import rendered_form


@pytest.fixture
def comp(app):
    return factories.competition(prize_code="BIP", year=2026, title="Bayerischer Integrationspreis")


@pytest.fixture
def staff(app):
    return factories.staff(prize_code="BIP")


@pytest.fixture
def application(comp):
    owner = factories.user(email="verein@example.org")
    return submitted_application(complete=True, competition=comp, owner=owner, project_title="Sprachcafé")


def body(response):
    return response.get_data(as_text=True)


def detail_url(application):
    return f"/geschaeftsstelle/bewerbungen/{application.id}"


def show_url(application):
    return f"/bewerbung/{application.id}"


def reload_request():
    db.session.expire_all()
    return db.session.scalars(select(DocumentRequest)).one()


def actions():
    return db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()


def ask(client, application, message="Bitte reichen Sie den Finanzierungsplan 2025 nach.",
        due_date=None, due_time="18:00"):
    """Staff fill in the Nachforderung form on the intake detail page and send it."""
    page = client.get(detail_url(application))
    assert page.status_code == 200
    form = rendered_form(body(page), form_id="request-form")
    due_date = due_date or (to_berlin(utcnow()).date() + timedelta(days=7))
    form.fill(message=message, due_date=due_date.isoformat(), due_time=due_time)
    return client.post(form.action, data=form.data())


def answer_form(client, application):
    page = client.get(show_url(application))
    assert page.status_code == 200
    return rendered_form(body(page), form_id="answer-form")


def test_staff_request_with_berlin_deadline_is_stored_audited_and_mailed(client, auth,
                                                                          application, staff):
    auth.login(staff)
    day = to_berlin(utcnow()).date() + timedelta(days=7)
    response = ask(client, application, due_date=day, due_time="18:00")
    assert response.status_code == 302
    assert response.location == detail_url(application) + "#nachforderung"
    row = reload_request()
    assert (row.message, row.due_at, row.requested_by_id, row.answered_at) == (
        "Bitte reichen Sie den Finanzierungsplan 2025 nach.",
        from_berlin(datetime(day.year, day.month, day.day, 18, 0, 59)), staff.id, None)
    saved = db.session.get(Application, application.id)
    assert (saved.formal_check, saved.formal_check_reason) == (
        FormalCheck.REQUEST, "Bitte reichen Sie den Finanzierungsplan 2025 nach.")
    assert actions()[-2:] == ["document_request.create", "application.formal_check"]
    mail = db.session.scalars(select(OutboxMail)).one()
    assert (mail.to_addr, mail.subject) == ("verein@example.org",
                                            "Nachforderung zu Ihrer Bewerbung BIP-2026-0001")
    assert f"Bitte antworten Sie bis spätestens {day:%d.%m.%Y} um 18:00 Uhr." in mail.body_text
    assert f"/bewerbung/{application.id}#nachforderung" in mail.body_text


def test_staff_request_with_past_deadline_is_refused_and_text_kept(client, auth, application,
                                                                   staff):
    auth.login(staff)
    yesterday = to_berlin(utcnow()).date() - timedelta(days=1)
    response = ask(client, application, message="Bitte Satzung nachreichen.", due_date=yesterday)
    assert response.status_code == 422
    page = body(response)
    assert "Die Frist muss in der Zukunft liegen." in page
    assert 'href="#due_date"' in page  # the summary at the top links to the field
    assert rendered_form(page, form_id="request-form").values["message"] == \
        "Bitte Satzung nachreichen."
    assert db.session.scalars(select(DocumentRequest)).all() == []
    assert db.session.scalars(select(OutboxMail)).all() == []


def test_staff_request_without_text_is_refused(client, auth, application, staff):
    auth.login(staff)
    response = ask(client, application, message="")
    assert response.status_code == 422
    assert "Bitte schreiben Sie, welche Unterlagen oder Angaben fehlen." in body(response)
    assert db.session.scalars(select(DocumentRequest)).all() == []


def test_applicant_answers_with_text_and_file_and_staff_see_it(client, auth, application, staff):
    auth.login(staff)
    ask(client, application)
    auth.logout()

    auth.login(application.owner)
    dashboard = body(client.get("/bewerbung/"))
    assert "Nachforderung beantworten" in dashboard
    row = reload_request()
    assert f"Antwort bis {to_berlin(row.due_at):%d.%m.%Y, %H:%M} Uhr" in dashboard
    page = body(client.get(show_url(application)))
    assert "Bitte reichen Sie den Finanzierungsplan 2025 nach." in page
    form = answer_form(client, application)
    assert {("action", "submit"), ("action", "upload"), ("action", "save")} <= set(form.buttons)
    form.fill(answer_text="Anbei der Plan.", files=(io.BytesIO(minimal_pdf()), "Plan 2025.pdf"),
              file_description="Finanzierungsplan")
    response = client.post(form.action, data=form.data(button="submit"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.location == show_url(application) + "#nachforderung"
    row = reload_request()
    attachment = db.session.scalars(select(Attachment)).one()
    assert (row.answer_text, row.answered_at is not None, row.answered_by_id,
            [f.attachment_id for f in row.files]) == (
        "Anbei der Plan.", True, application.owner_id, [attachment.id])
    assert (attachment.filename, attachment.description) == ("Plan 2025.pdf", "Finanzierungsplan")
    assert "document_request.answer" in actions()
    after = body(client.get(show_url(application)))
    assert "Ihre Antwort ist bei der Geschäftsstelle eingegangen." in after
    assert 'id="answer-form"' not in after
    auth.logout()

    auth.login(staff)
    listing = body(client.get(f"/geschaeftsstelle/eingang/{application.competition_id}"))
    assert "Antwort eingegangen" in listing
    detail = body(client.get(detail_url(application)))
    assert "Anbei der Plan." in detail
    assert f"/geschaeftsstelle/bewerbungen/{application.id}/anlagen/{attachment.id}" in detail


def test_intake_list_marks_pending_and_overdue_requests(client, auth, comp, staff):
    waiting = submitted_application(complete=True, competition=comp, project_title="Wartet")
    late = submitted_application(complete=True, competition=comp, project_title="Verspätet")
    for row in (waiting, late):
        document_requests.request_documents(actor=staff, application=row, message="Satzung",
                                            due_at=utcnow() + timedelta(days=3))
    db.session.scalars(select(DocumentRequest).where(
        DocumentRequest.application_id == late.id)).one().due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    auth.login(staff)
    listing = body(client.get(f"/geschaeftsstelle/eingang/{comp.id}"))
    assert listing.count("Antwort ausstehend") == 1
    assert listing.count("Frist abgelaufen, keine Antwort") == 1


def test_answer_after_deadline_is_refused_and_text_kept(client, auth, application, staff):
    document_requests.request_documents(actor=staff, application=application,
                                        message="Satzung bitte", due_at=utcnow() + timedelta(days=2))
    db.session.commit()
    auth.login(application.owner)
    form = answer_form(client, application)
    row = reload_request()
    row.due_at = utcnow() - timedelta(minutes=1)   # the deadline passes while the page is open
    db.session.commit()
    form.fill(answer_text="Zu spät, aber wichtig.")
    response = client.post(form.action, data=form.data(button="submit"),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    page = body(response)
    assert "Die Frist für die Antwort ist am" in page and "Ihr Text bleibt gespeichert" in page
    row = reload_request()
    assert (row.answer_text, row.answered_at) == ("Zu spät, aber wichtig.", None)
    assert rendered_form(page, form_id="answer-form").values["answer_text"] == \
        "Zu spät, aber wichtig."


def test_file_after_deadline_is_refused(client, auth, application, staff):
    document_requests.request_documents(actor=staff, application=application,
                                        message="Satzung bitte", due_at=utcnow() + timedelta(days=2))
    reload_request().due_at = utcnow() - timedelta(seconds=5)
    db.session.commit()
    auth.login(application.owner)
    form = answer_form(client, application)
    form.fill(files=(io.BytesIO(minimal_pdf()), "Satzung.pdf"))
    response = client.post(form.action, data=form.data(button="upload"),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Die Frist für die Antwort ist am" in body(response)
    assert db.session.scalars(select(Attachment)).all() == []


def test_saving_keeps_the_text_without_sending(client, auth, application, staff):
    document_requests.request_documents(actor=staff, application=application,
                                        message="Satzung bitte", due_at=utcnow() + timedelta(days=2))
    db.session.commit()
    auth.login(application.owner)
    form = answer_form(client, application).fill(answer_text="Entwurf meiner Antwort")
    response = client.post(form.action, data=form.data(button="save"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    row = reload_request()
    assert (row.answer_text, row.answered_at) == ("Entwurf meiner Antwort", None)
    assert answer_form(client, application).values["answer_text"] == "Entwurf meiner Antwort"
    assert "document_request.save_answer" in actions()


def test_empty_answer_is_refused(client, auth, application, staff):
    document_requests.request_documents(actor=staff, application=application,
                                        message="Satzung bitte", due_at=utcnow() + timedelta(days=2))
    db.session.commit()
    auth.login(application.owner)
    form = answer_form(client, application)
    response = client.post(form.action, data=form.data(button="submit"),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Bitte schreiben Sie eine Antwort oder laden Sie eine Datei hoch." in body(response)
    assert reload_request().answered_at is None


def test_answer_files_go_through_the_upload_checks(client, auth, application, staff):
    document_requests.request_documents(actor=staff, application=application,
                                        message="Fotos bitte", due_at=utcnow() + timedelta(days=2))
    db.session.commit()
    auth.login(application.owner)
    form = answer_form(client, application)
    form.fill(answer_text="Hier die Fotos", files=(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 64),
                                                     "foto.pdf"))
    response = client.post(form.action, data=form.data(button="submit"),
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "„foto.pdf“ ist keine PDF-, JPEG- oder PNG-Datei" in body(response)
    row = reload_request()
    assert (row.answer_text, row.answered_at, row.files) == ("Hier die Fotos", None, [])
    # A photo needs the image rights, confirmed in the same form.
    form = answer_form(client, application)
    form.fill(files=(io.BytesIO(image_bytes("JPEG")), "fest.jpg"), image_rights_confirmed=True)
    response = client.post(form.action, data=form.data(button="upload"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert [f.attachment.filename for f in reload_request().files] == ["fest.jpg"]


def test_other_users_cannot_see_or_answer_a_request(client, auth, application, staff):
    document_requests.request_documents(actor=staff, application=application,
                                        message="Satzung bitte", due_at=utcnow() + timedelta(days=2))
    db.session.commit()
    row = reload_request()
    auth.login(factories.user(email="fremd@example.org"))
    assert client.get(show_url(application)).status_code == 404
    response = client.post(f"/bewerbung/{application.id}/nachforderung/{row.id}",
                           data={"answer_text": "Fremd", "action": "submit"})
    assert response.status_code == 404
    assert reload_request().answer_text == ""


def test_other_prize_staff_cannot_request_documents(client, auth, application):
    auth.login(factories.staff(prize_code="OBB"))
    response = client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/nachforderung",
                           data={"message": "x", "due_date": "2099-01-01", "due_time": "12:00"})
    assert response.status_code == 403
    assert db.session.scalars(select(DocumentRequest)).all() == []


def test_intake_list_marks_the_latest_request_of_an_application(client, auth, comp, staff):
    application = submitted_application(complete=True, competition=comp, project_title="Zweimal")
    document_requests.request_documents(actor=staff, application=application, message="Satzung",
                                        due_at=utcnow() + timedelta(days=3))
    first = db.session.scalars(select(DocumentRequest).where(
        DocumentRequest.application_id == application.id)).one()
    first.answered_at = utcnow()
    db.session.commit()
    document_requests.request_documents(actor=staff, application=application,
                                        message="Haushaltsplan", due_at=utcnow() + timedelta(days=3))
    db.session.commit()
    auth.login(staff)
    listing = body(client.get(f"/geschaeftsstelle/eingang/{comp.id}"))
    assert listing.count("Antwort ausstehend") == 1
    assert "Antwort eingegangen" not in listing
