"""A storage failure while submitting leaves a consistent draft (no reference number, no
receipt, no mail, no audit of a submission) and tells the applicant what to do."""
from sqlalchemy import func, select

from awards.adapters.storage import LocalStorage, StorageError
from awards.enums import ApplicationStatus
from awards.extensions import db
from awards.models.applications import Application
from awards.models.audit import AuditLog
from awards.models.mail import OutboxMail
from tests import factories
from tests.factories import complete_application

SUBMIT = {"action": "submit", "consent_privacy": "y", "consent_truthful": "y"}


def test_storage_down_while_submitting_leaves_a_consistent_draft(app, client, auth,
                                                                 monkeypatch):
    competition = factories.competition(prize_code="BIP", year=2026)
    owner = factories.user(email="bea@example.org")
    application = complete_application(competition=competition, owner=owner,
                                       consent_privacy=False, consent_truthful=False)
    db.session.commit()
    auth.login(owner)
    original = LocalStorage.save

    def failing(self, key, fileobj, content_type="application/octet-stream"):
        if key.startswith("receipts/"):
            raise StorageError("Speicher nicht erreichbar")
        return original(self, key, fileobj, content_type)

    monkeypatch.setattr(LocalStorage, "save", failing)
    response = client.post(f"/bewerbung/{application.id}/schritt/5", data=SUBMIT)
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Ihre Bewerbung konnte gerade nicht abgesendet werden" in body
    assert "Bitte klicken Sie in einigen Minuten erneut auf „Bewerbung absenden“." in body
    db.session.expire_all()
    draft = db.session.get(Application, application.id)
    assert (draft.status, draft.number, draft.reference, draft.receipt_key, draft.submitted_at) \
        == (ApplicationStatus.DRAFT, None, None, None, None)
    # The consents ticked on the page were saved with the draft.
    assert (draft.consent_privacy, draft.consent_truthful) == (True, True)
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 0
    assert db.session.scalars(select(AuditLog.action).where(
        AuditLog.action == "application.submit")).all() == []

    # Storage is back: the next try submits with the first number of the competition.
    monkeypatch.setattr(LocalStorage, "save", original)
    response = client.post(f"/bewerbung/{application.id}/schritt/5", data=SUBMIT)
    assert response.status_code == 302
    db.session.expire_all()
    submitted = db.session.get(Application, application.id)
    assert (submitted.status, submitted.reference) == (ApplicationStatus.SUBMITTED, "BIP-2026-0001")
    assert submitted.receipt_key.startswith("receipts/")


def test_service_restores_the_draft_even_if_the_caller_commits(app, monkeypatch):
    from awards.services import applications as service
    from awards.services import receipts

    competition = factories.competition(prize_code="BIP", year=2026)
    owner = factories.user()
    application = complete_application(competition=competition, owner=owner)
    db.session.commit()

    def broken(**kwargs):
        raise StorageError("Speicher nicht erreichbar")

    monkeypatch.setattr(receipts, "create_receipt", broken)
    try:
        service.submit(actor=owner, application=application)
    except service.SubmissionFailed:
        pass
    else:
        raise AssertionError("SubmissionFailed expected")
    db.session.commit()
    db.session.expire_all()
    draft = db.session.get(Application, application.id)
    assert (draft.status, draft.number, draft.reference, draft.receipt_key) == (
        ApplicationStatus.DRAFT, None, None, None)
