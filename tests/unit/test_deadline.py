"""The deadline is enforced at the exact instant in Europe/Berlin, across DST changes."""
from datetime import datetime, timedelta, timezone

import pytest

from awards.enums import ApplicationStatus, CompetitionStatus
from awards.services import applications as service
from awards.timeutil import from_berlin
from tests import factories
from tests.factories import complete_application


@pytest.fixture(autouse=True)
def request_ctx(app):
    with app.test_request_context():
        yield


def berlin(*args, microsecond=0):
    return from_berlin(datetime(*args, microsecond=microsecond))


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def _competition(deadline, **kw):
    return factories.competition(deadline_at=deadline, opens_at=deadline - timedelta(days=60), **kw)


def test_deadline_accepts_last_second_and_refuses_midnight(app):
    comp = _competition(berlin(2026, 2, 5, 23, 59, 59))
    assert [
        service.is_open_for_submission(comp, berlin(2026, 2, 5, 23, 59, 58)),
        service.is_open_for_submission(comp, berlin(2026, 2, 5, 23, 59, 59)),
        service.is_open_for_submission(comp, berlin(2026, 2, 5, 23, 59, 59, microsecond=999999)),
        service.is_open_for_submission(comp, berlin(2026, 2, 6, 0, 0, 0)),
    ] == [True, True, True, False]


def test_deadline_in_winter_is_utc_plus_one(app):
    comp = _competition(berlin(2026, 2, 5, 23, 59, 59))
    assert comp.deadline_at == utc(2026, 2, 5, 22, 59, 59)
    assert service.is_open_for_submission(comp, utc(2026, 2, 5, 23, 0, 0)) is False


def test_deadline_on_day_summer_time_starts(app):
    # 29 March 2026: clocks jump from 02:00 to 03:00; 23:59:59 CEST is 21:59:59 UTC.
    comp = _competition(berlin(2026, 3, 29, 23, 59, 59))
    assert comp.deadline_at == utc(2026, 3, 29, 21, 59, 59)
    assert [
        service.is_open_for_submission(comp, utc(2026, 3, 29, 21, 59, 59)),
        service.is_open_for_submission(comp, utc(2026, 3, 29, 22, 0, 0)),
        # What a winter-time offset would wrongly still accept:
        service.is_open_for_submission(comp, utc(2026, 3, 29, 22, 59, 59)),
    ] == [True, False, False]


def test_deadline_on_day_summer_time_ends(app):
    # 25 October 2026: clocks go back from 03:00 to 02:00; 23:59:59 CET is 22:59:59 UTC.
    comp = _competition(berlin(2026, 10, 25, 23, 59, 59))
    assert comp.deadline_at == utc(2026, 10, 25, 22, 59, 59)
    assert [
        service.is_open_for_submission(comp, utc(2026, 10, 25, 21, 59, 59)),
        service.is_open_for_submission(comp, utc(2026, 10, 25, 22, 59, 59)),
        service.is_open_for_submission(comp, utc(2026, 10, 25, 23, 0, 0)),
    ] == [True, True, False]


def test_submit_at_last_second_gets_reference(app):
    comp = _competition(berlin(2026, 3, 29, 23, 59, 59), prize_code="BIP", year=2026)
    application = complete_application(competition=comp)
    service.submit(actor=application.owner, application=application,
                   now=berlin(2026, 3, 29, 23, 59, 59, microsecond=500000))
    assert (application.status, application.reference, application.submitted_at) == (
        ApplicationStatus.SUBMITTED, "BIP-2026-0001", utc(2026, 3, 29, 21, 59, 59, ) +
        timedelta(microseconds=500000))


def test_submit_at_midnight_is_refused_and_draft_kept(app):
    comp = _competition(berlin(2026, 2, 5, 23, 59, 59))
    application = complete_application(competition=comp)
    with pytest.raises(service.DeadlinePassed):
        service.submit(actor=application.owner, application=application,
                       now=berlin(2026, 2, 6, 0, 0, 0))
    assert (application.status, application.reference) == (ApplicationStatus.DRAFT, None)


def test_submit_before_opening_is_refused(app):
    comp = factories.competition(opens_at=berlin(2026, 1, 7, 0, 0, 0),
                                 deadline_at=berlin(2026, 2, 5, 23, 59, 59))
    application = complete_application(competition=comp)
    with pytest.raises(service.DeadlinePassed):
        service.submit(actor=application.owner, application=application,
                       now=berlin(2026, 1, 6, 23, 59, 59))


def test_submit_to_closed_competition_is_refused(app):
    comp = factories.competition(status=CompetitionStatus.CLOSED)
    application = complete_application(competition=comp)
    with pytest.raises(service.DeadlinePassed):
        service.submit(actor=application.owner, application=application)


def test_reopened_application_may_be_resubmitted_after_deadline(app):
    deadline = berlin(2026, 2, 5, 23, 59, 59)
    comp = _competition(deadline)
    application = complete_application(competition=comp)
    service.submit(actor=application.owner, application=application,
                   now=berlin(2026, 2, 1, 10, 0, 0))
    service.reopen(actor=factories.staff(), application=application, reason="PLZ fehlt")
    service.submit(actor=application.owner, application=application,
                   now=berlin(2026, 2, 20, 9, 0, 0))
    assert (application.status, application.submitted_at, application.resubmitted_at,
            application.reference) == (ApplicationStatus.SUBMITTED, berlin(2026, 2, 1, 10, 0, 0),
                                       berlin(2026, 2, 20, 9, 0, 0), f"BIP-{comp.year}-0001")


def test_withdraw_after_deadline_is_refused(app):
    comp = _competition(berlin(2026, 2, 5, 23, 59, 59))
    application = complete_application(competition=comp)
    service.submit(actor=application.owner, application=application,
                   now=berlin(2026, 2, 1, 10, 0, 0))
    with pytest.raises(service.DeadlinePassed):
        service.withdraw(actor=application.owner, application=application,
                         now=berlin(2026, 2, 6, 0, 0, 0))
    service.withdraw(actor=application.owner, application=application,
                     now=berlin(2026, 2, 5, 23, 59, 59))
    assert application.status == ApplicationStatus.WITHDRAWN
