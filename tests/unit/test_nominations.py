"""services/nominations.py: a nomination by a third party involves the nominee — their
own consents count, declining withdraws, the release gives them access."""
import pytest
from sqlalchemy import select

from awards.enums import ApplicationStatus, SubmissionKind, TokenPurpose
from awards.extensions import db
from awards.models.mail import OutboxMail
from awards.models.nominations import NomineeStatus
from awards.services import nominations, tokens
from tests import factories

CONSENTS = dict(consent_publish_name=True, consent_publish_text=True,
                consent_publish_photos=True)


@pytest.fixture
def nominated(app):
    """A submitted nomination (the nominator ticked every consent) and the nominee's link."""
    with app.test_request_context():
        application = factories.submitted_application(
            factories.competition(), nomination=True, email="Nominee@Example.org", **CONSENTS)
        nomination = application.nomination
        token = tokens.issue(purpose=TokenPurpose.NOMINEE, email=nomination.nominee_email,
                             payload={"nomination": nomination.id})
        yield application, nomination, token


def _mails_to(address):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == address)).all()


def test_submission_creates_the_nomination_and_tells_the_nominee(nominated):
    application, nomination, _token = nominated
    assert (nomination.nominee_email, nomination.status) == ("nominee@example.org",
                                                             NomineeStatus.PENDING)
    assert nomination.notified_at is not None
    assert len(_mails_to("nominee@example.org")) == 1
    # The nominator's ticks never count: no consent until the nominee answers.
    assert [getattr(application, n) for n in CONSENTS] == [False, False, False]


def test_a_self_application_has_no_nomination(app):
    with app.test_request_context():
        application = factories.submitted_application(factories.competition(), complete=True)
        assert application.kind == SubmissionKind.SELF
        assert nominations.on_submitted(actor=None, application=application) is None


def test_confirming_writes_the_nominees_own_consents(nominated, app):
    application, nomination, token = nominated
    with app.test_request_context():
        nominations.respond(token=token, confirm=True,
                            consents={"consent_publish_name": True})
    assert nomination.status == NomineeStatus.CONFIRMED
    assert [getattr(application, n) for n in CONSENTS] == [True, False, False]
    assert application.status == ApplicationStatus.SUBMITTED
    assert len(_mails_to(application.owner.email)) == 1  # the nominator hears the answer


def test_the_link_changes_the_answer_until_the_release(nominated, app):
    application, nomination, token = nominated
    with app.test_request_context():
        nominations.respond(token=token, confirm=True, consents=CONSENTS)
        assert nomination.status == NomineeStatus.CONFIRMED
        # The same link again: the nominee changes their mind (issue #15).
        nominations.respond(token=token, confirm=False)
    assert (nomination.status, application.status) == (NomineeStatus.DECLINED,
                                                       ApplicationStatus.WITHDRAWN)


def test_declining_withdraws_the_application_and_clears_the_consents(nominated, app):
    application, nomination, token = nominated
    with app.test_request_context():
        nominations.respond(token=token, confirm=False, consents=CONSENTS)
    assert (nomination.status, application.status) == (NomineeStatus.DECLINED,
                                                       ApplicationStatus.WITHDRAWN)
    assert [getattr(nomination, n) for n in CONSENTS] == [False, False, False]
    assert nominations.statuses([application.id]) == {application.id: NomineeStatus.DECLINED}


def test_a_withdrawn_nomination_cannot_be_answered(nominated, app):
    application, _nomination, token = nominated
    application.status = ApplicationStatus.WITHDRAWN
    with app.test_request_context():
        with pytest.raises(nominations.NominationError):
            nominations.respond(token=token, confirm=True)


def test_the_release_gives_the_nominee_access_once(nominated, app):
    application, nomination, _token = nominated
    with app.test_request_context():
        nominations.on_release(actor=None, competition=application.competition,
                               awarded_ids={application.id})
        nominee = nomination.nominee_user
        assert nominee is not None and nominee.email == "nominee@example.org"
        assert nominations.nominee_application_ids(nominee) == {application.id}
        mails = len(_mails_to("nominee@example.org"))
        nominations.on_release(actor=None, competition=application.competition,
                               awarded_ids={application.id})
        assert len(_mails_to("nominee@example.org")) == mails  # no second access link
