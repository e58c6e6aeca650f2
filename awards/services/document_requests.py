"""Nachforderung: staff ask for missing documents with a deadline (Berlin time); the
applicant answers in the portal with text and files; staff see the answer in the intake.

The answer text can always be saved while the request is unanswered (nothing typed is
lost); sending the answer and adding files are refused after the deadline.
"""
import logging
from datetime import datetime, time
from functools import lru_cache

from sqlalchemy import select

from awards.enums import ApplicationStatus, FormalCheck
from awards.extensions import db
from awards.i18n import _l, format_berlin_datetime
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.document_requests import DocumentRequest, DocumentRequestFile
from awards.services import audit, mail, uploads
from awards.services.applications import ApplicationError
from awards.timeutil import from_berlin, to_berlin

log = logging.getLogger("awards.document_requests")

DEFAULT_DUE_TIME = time(23, 59)
MAX_MESSAGE = 3000
MAX_ANSWER = 5000


class RequestError(ApplicationError):
    """A rule of the Nachforderung was broken; `field` names the form field concerned."""

    def __init__(self, message, field=None):
        super().__init__(message, field=field)


class AnswerOverdue(RequestError):
    pass


def due_instant(day, at=None):
    """The deadline given as a Berlin calendar day and wall-clock time, as aware UTC.
    A whole minute counts: 23:59 accepts everything up to 23:59:59."""
    at = at or DEFAULT_DUE_TIME
    return from_berlin(datetime.combine(day, time(at.hour, at.minute, 59)))


def latest(application):
    requests = application.document_requests
    return requests[-1] if requests else None


def open_request(application):
    """The unanswered request of the application, or None."""
    row = latest(application)
    return row if row is not None and row.answered_at is None else None


def is_overdue(request, now=None):
    return request.answered_at is None and (now or utcnow()).replace(microsecond=0) > request.due_at


def request_documents(*, actor, application, message, due_at, now=None):
    """Ask for documents (or change the open request). Sets the formal check to
    "Nachforderung", writes an audit row and mails the applicant."""
    now = now or utcnow()
    message = (message or "").strip()
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED):
        raise RequestError(_l("Nachforderungen sind nur bei abgesendeten Bewerbungen möglich."))
    if not message:
        raise RequestError(_l("Bitte schreiben Sie, welche Unterlagen oder Angaben fehlen."),
                           "message")
    if len(message) > MAX_MESSAGE:
        raise RequestError(_l("Bitte kürzen Sie den Text auf höchstens %(max)d Zeichen.",
                             max=MAX_MESSAGE), "message")
    if due_at is None:
        raise RequestError(_l("Bitte geben Sie eine Frist an."), "due_date")
    if due_at <= now:
        raise RequestError(_l("Die Frist muss in der Zukunft liegen."), "due_date")
    row = open_request(application)
    again = row is not None
    old = {"message": row.message, "due_at": row.due_at} if again else None
    if row is None:
        row = DocumentRequest(application=application, requested_at=now)
        db.session.add(row)
    row.message = message
    row.due_at = due_at
    row.requested_by_id = getattr(actor, "id", None)
    old_check = {"formal_check": application.formal_check.value,
                 "reason": application.formal_check_reason}
    application.formal_check = FormalCheck.REQUEST
    application.formal_check_reason = message
    application.formal_checked_at = now
    application.formal_checked_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor=actor, action="document_request.change" if again else "document_request.create",
                 obj=row, old=old, new={"application": application.id, "message": message,
                                        "due_at": due_at})
    audit.record(actor=actor, action="application.formal_check", obj=application, old=old_check,
                 new={"formal_check": FormalCheck.REQUEST.value, "reason": message})
    recipient = application.owner.email if application.owner is not None else application.email
    if recipient:
        mail.enqueue(to=recipient, template="application_request", application=application,
                     reason=message, due_local=to_berlin(due_at), again=again)
    log.info("document request %s for application %s", row.id, application.id)
    return row


def _check_answerable(request, now):
    if request.answered_at is not None:
        raise RequestError(_l("Diese Nachforderung ist bereits beantwortet."))
    if request.application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED):
        raise RequestError(_l("Diese Bewerbung ist zurückgezogen; eine Antwort ist nicht mehr "
                             "möglich."))


def _overdue_error(request):
    return AnswerOverdue(_l("Die Frist für die Antwort ist am %(when)s abgelaufen. Ihr Text "
                           "bleibt gespeichert; bitte wenden Sie sich an die Geschäftsstelle.",
                           when=format_berlin_datetime(request.due_at, "at")))


def save_answer(*, actor, request, text, now=None):
    """Keep the answer text as a draft (also after the deadline, so nothing is lost)."""
    now = now or utcnow()
    _check_answerable(request, now)
    text = (text or "").strip()[:MAX_ANSWER]
    if text == request.answer_text:
        return False
    old = request.answer_text
    request.answer_text = text
    request.answer_saved_at = now
    db.session.flush()
    audit.record(actor=actor, action="document_request.save_answer", obj=request,
                 old={"answer_text": old}, new={"answer_text": text})
    return True


def add_file(*, actor, request, stream, filename, description="", images_allowed=False,
             now=None, storage=None):
    """One file of the answer, through the same checks as every attachment."""
    now = now or utcnow()
    _check_answerable(request, now)
    if is_overdue(request, now):
        raise _overdue_error(request)
    attachment = uploads.add_attachment(actor=actor, application=request.application,
                                        stream=stream, filename=filename,
                                        description=description, storage=storage,
                                        images_allowed=images_allowed)
    db.session.add(DocumentRequestFile(request=request, attachment=attachment))
    db.session.flush()
    audit.record(actor=actor, action="document_request.add_file", obj=request,
                 new={"attachment": attachment.id, "filename": attachment.filename})
    return attachment


def submit_answer(*, actor, request, text, now=None):
    """Send the answer to the Geschäftsstelle: refused after the deadline (the text stays
    saved) and when there is neither text nor a file."""
    now = now or utcnow()
    save_answer(actor=actor, request=request, text=text, now=now)
    if is_overdue(request, now):
        raise _overdue_error(request)
    if not request.answer_text and not request.files:
        raise RequestError(_l("Bitte schreiben Sie eine Antwort oder laden Sie eine Datei hoch."),
                           "answer_text")
    request.answered_at = now
    request.answered_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor=actor, action="document_request.answer", obj=request,
                 old={"answered_at": None},
                 new={"answered_at": now, "answer_text": request.answer_text,
                      "files": [f.attachment_id for f in request.files]})
    return request


@lru_cache(maxsize=None)
def latest_request_columns():
    """The answer time and the deadline of each application's latest request, as columns
    correlated to the application (the intake list reads them in its own statement). The
    same objects every time: the list keeps its statement built per set of columns."""
    def latest(column):
        return (select(column).where(DocumentRequest.application_id == Application.id)
                .correlate(Application).order_by(DocumentRequest.id.desc()).limit(1)
                .scalar_subquery())
    return latest(DocumentRequest.answered_at), latest(DocumentRequest.due_at)


def marker(answered_at, due_at, now=None):
    """What the intake list says of a request with these times: answered, open or overdue
    (None when there is no request: every request has a deadline)."""
    if due_at is None:
        return None
    if answered_at is not None:
        return "answered"
    if (now or utcnow()).replace(microsecond=0) > due_at:
        return "overdue"
    return "open"


def markers(application_ids, now=None):
    """{application id: marker} of the given applications that have a request, read
    through the same columns as the intake list."""
    if not application_ids:
        return {}
    now = now or utcnow()
    rows = db.session.execute(
        select(Application.id, *latest_request_columns())
        .where(Application.id.in_(list(application_ids)))).all()
    return {application_id: marker(answered_at, due_at, now)
            for application_id, answered_at, due_at in rows if due_at is not None}

