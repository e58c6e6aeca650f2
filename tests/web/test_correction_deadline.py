"""A reopened application has a correction deadline: told by mail, shown to the applicant,
enforced on resubmission, and changeable by staff while the correction runs."""
from datetime import date, timedelta

from sqlalchemy import select

from awards.enums import ApplicationStatus
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.services import applications as service
from awards.timeutil import to_berlin
from tests.factories import submitted_application
from tests.web.test_intake import bip_staff, comp, reload  # noqa: F401  (fixtures)


def _reopen(client, application, **data):
    return client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/korrektur",
                       data={"reopen_reason": "Die Postleitzahl fehlt.", **data})


def _resubmit(client, application):
    return client.post(f"/bewerbung/{application.id}/schritt/5", data={
        "action": "submit", "consent_privacy": "y", "consent_truthful": "y"})


def _last_mail():
    return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()


def test_deadline_is_set_mailed_shown_and_audited(client, auth, comp, bip_staff):
    application = submitted_application(via_service=True, competition=comp)
    db.session.commit()
    due = to_berlin(utcnow()).date() + timedelta(days=10)
    auth.login(bip_staff)
    assert "Korrektur möglich bis einschließlich" in client.get(
        f"/geschaeftsstelle/bewerbungen/{application.id}").get_data(as_text=True)
    assert _reopen(client, application, correction_due=due.isoformat()).status_code == 302
    saved = reload(application)
    assert to_berlin(saved.correction_due_at).date() == due
    assert (to_berlin(saved.correction_due_at).hour, to_berlin(saved.correction_due_at).minute) == (23, 59)
    assert f"spätestens am {due.strftime('%d.%m.%Y')} um 23:59 Uhr" in _last_mail().body_text
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "application.reopen")).one()
    assert log.new["correction_due_at"] is not None
    auth.logout()
    auth.login(saved.owner)
    assert f"Korrektur bis {due.strftime('%d.%m.%Y')}" in client.get("/bewerbung/").get_data(as_text=True)
    assert "Frist:" in client.get(f"/bewerbung/{application.id}/schritt/1").get_data(as_text=True)


def test_resubmission_before_the_deadline_is_accepted(client, auth, comp, bip_staff):
    application = submitted_application(via_service=True, competition=comp)
    service.reopen(actor=bip_staff, application=application, reason="Bitte ergänzen.",
                   due=to_berlin(utcnow()).date() + timedelta(days=1))
    db.session.commit()
    auth.login(application.owner)
    _resubmit(client, application)
    assert reload(application).status == ApplicationStatus.SUBMITTED


def test_resubmission_after_the_deadline_is_refused_and_changes_are_kept(client, auth, comp, bip_staff):
    application = submitted_application(via_service=True, competition=comp)
    service.reopen(actor=bip_staff, application=application, reason="Bitte ergänzen.",
                   due=to_berlin(utcnow()).date() + timedelta(days=1))
    application.correction_due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    auth.login(application.owner)
    client.post(f"/bewerbung/{application.id}/schritt/1", data={"action": "save", "postcode": "80333"})
    response = _resubmit(client, application)
    assert "Die Frist für die Korrektur ist abgelaufen." in response.get_data(as_text=True)
    saved = reload(application)
    assert (saved.status, saved.postcode) == (ApplicationStatus.REOPENED, "80333")
    auth.logout()
    auth.login(bip_staff)
    detail = client.get(f"/geschaeftsstelle/bewerbungen/{application.id}").get_data(as_text=True)
    assert "abgelaufen, nicht erneut abgesendet" in detail


def test_deadline_in_the_past_is_refused_next_to_the_field(client, auth, comp, bip_staff):
    application = submitted_application(via_service=True, competition=comp)
    db.session.commit()
    auth.login(bip_staff)
    yesterday = to_berlin(utcnow()).date() - timedelta(days=1)
    response = _reopen(client, application, correction_due=yesterday.isoformat())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Die Frist für die Korrektur muss in der Zukunft liegen." in html
    assert 'aria-invalid="true"' in html.split('id="correction_due"')[0][-400:] + html.split('id="correction_due"')[1][:400]
    assert "Die Postleitzahl fehlt." in html  # what staff typed is kept
    assert reload(application).status == ApplicationStatus.SUBMITTED


def test_empty_deadline_means_none(client, auth, comp, bip_staff):
    application = submitted_application(via_service=True, competition=comp)
    db.session.commit()
    auth.login(bip_staff)
    assert _reopen(client, application, correction_due="").status_code == 302
    saved = reload(application)
    assert saved.status == ApplicationStatus.REOPENED and saved.correction_due_at is None
    assert "spätestens" not in _last_mail().body_text


def test_staff_extend_a_running_correction(client, auth, comp, bip_staff):
    application = submitted_application(via_service=True, competition=comp)
    service.reopen(actor=bip_staff, application=application, reason="Bitte ergänzen.",
                   due=to_berlin(utcnow()).date() + timedelta(days=1))
    db.session.commit()
    reopened_at = application.reopened_at
    auth.login(bip_staff)
    form = client.get(f"/geschaeftsstelle/bewerbungen/{application.id}").get_data(as_text=True)
    assert "Korrektur ändern" in form and "Bitte ergänzen." in form
    later = to_berlin(utcnow()).date() + timedelta(days=20)
    assert _reopen(client, application, correction_due=later.isoformat()).status_code == 302
    saved = reload(application)
    assert to_berlin(saved.correction_due_at).date() == later
    assert saved.reopened_at == reopened_at
    mail = _last_mail()
    assert mail.subject.startswith("Geänderte Korrektur") and later.strftime("%d.%m.%Y") in mail.body_text


def test_correction_deadline_is_the_end_of_the_berlin_day():
    # Summer time: 23:59:59 in Berlin is 21:59:59 UTC.
    due = service.correction_deadline(date(2026, 7, 1))
    assert (due.hour, due.minute, due.second, due.tzinfo is not None) == (21, 59, 59, True)
