"""services/document_requests.py: the Nachforderung — a deadline in Berlin time, one open
request per application, answers kept after the deadline but not sent."""
import io
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from awards.enums import ApplicationStatus, FormalCheck
from awards.extensions import db
from awards.models.mail import OutboxMail
from awards.models.base import utcnow
from awards.services import document_requests as service
from awards.timeutil import utc
from tests import factories


@pytest.fixture
def application(app):
    with app.test_request_context():  # messages and mails are rendered in a request
        yield factories.submitted_application(factories.competition(), complete=True)


def _ask(application, *, due_in=timedelta(days=7), message="Bitte den Finanzplan ergänzen."):
    return service.request_documents(actor=None, application=application, message=message,
                                     due_at=utcnow() + due_in)


def test_a_whole_berlin_minute_counts_in_summer_and_winter():
    assert service.due_instant(date(2031, 7, 15)) == utc(2031, 7, 15, 21, 59, 59)
    assert service.due_instant(date(2031, 1, 15), time(12, 0)) == utc(2031, 1, 15, 11, 0, 59)


def test_asking_sets_the_formal_check_and_mails_the_owner(application):
    row = _ask(application)
    assert (application.formal_check, application.formal_check_reason) == (
        FormalCheck.REQUEST, "Bitte den Finanzplan ergänzen.")
    assert service.open_request(application) is row
    mails = db.session.scalars(select(OutboxMail)).all()
    assert [m.to_addr for m in mails][-1] == application.owner.email


def test_asking_again_changes_the_open_request_instead_of_adding_one(application):
    first = _ask(application)
    second = _ask(application, message="Bitte auch die Satzung.", due_in=timedelta(days=10))
    assert second is first and len(application.document_requests) == 1
    assert first.message == "Bitte auch die Satzung."


@pytest.mark.parametrize("message, due_in, field", [
    ("", timedelta(days=1), "message"),
    ("x" * (service.MAX_MESSAGE + 1), timedelta(days=1), "message"),
    ("Finanzplan", timedelta(seconds=-1), "due_date"),
])
def test_bad_requests_name_the_field(application, message, due_in, field):
    with pytest.raises(service.RequestError) as exc:
        _ask(application, message=message, due_in=due_in)
    assert exc.value.field == field
    assert application.document_requests == []


def test_only_submitted_applications_can_be_asked(app):
    with app.test_request_context():
        draft = factories.complete_application(competition=factories.competition())
        with pytest.raises(service.RequestError):
            _ask(draft)


def test_after_the_deadline_the_text_is_kept_but_not_sent(application):
    row = _ask(application, due_in=timedelta(hours=1))
    late = row.due_at + timedelta(seconds=1)
    assert service.save_answer(actor=None, request=row, text="Anbei der Plan.", now=late) is True
    with pytest.raises(service.AnswerOverdue):
        service.submit_answer(actor=None, request=row, text="Anbei der Plan.", now=late)
    assert (row.answer_text, row.answered_at) == ("Anbei der Plan.", None)
    with pytest.raises(service.AnswerOverdue):
        service.add_file(actor=application.owner, request=row, now=late, filename="Plan.pdf",
                         stream=io.BytesIO(factories.PDF_BYTES))
    assert service.markers([application.id], now=late) == {application.id: "overdue"}


def test_an_answer_needs_text_or_a_file_and_is_sent_once(application):
    row = _ask(application)
    with pytest.raises(service.RequestError) as exc:
        service.submit_answer(actor=None, request=row, text="  ")
    assert exc.value.field == "answer_text"
    service.add_file(actor=application.owner, request=row, filename="Plan.pdf",
                     stream=io.BytesIO(factories.PDF_BYTES))
    service.submit_answer(actor=None, request=row, text="")
    assert row.answered_at is not None and [f.attachment.filename for f in row.files] == ["Plan.pdf"]
    assert service.open_request(application) is None
    assert service.markers([application.id]) == {application.id: "answered"}
    with pytest.raises(service.RequestError):
        service.save_answer(actor=None, request=row, text="Nachtrag")


def test_a_withdrawn_application_cannot_answer(application):
    row = _ask(application)
    application.status = ApplicationStatus.WITHDRAWN
    with pytest.raises(service.RequestError):
        service.save_answer(actor=None, request=row, text="Doch noch")
    assert service.markers([]) == {}
