"""The publication state moves with every change a public winners page could show, and only
then; its schedule tells to the second when an edition becomes public."""
from datetime import timedelta

from awards.adapters.storage import get_storage
from awards.enums import ApplicationStatus, CompetitionStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.services import publication, publication_state
from awards.timeutil import utc
from tests import factories

PUBLISH_AT = utc(2026, 5, 12, 16, 0, 0)


def version():
    db.session.commit()
    return publication_state.read(db.session)[0]


def test_no_state_yet_reads_as_version_zero(app):
    assert publication_state.read(db.session) == (0, [])


def test_decision_release_and_publication_each_move_the_version(app):
    comp = factories.competition(status=CompetitionStatus.JURY, year=2026)
    winner = factories.submitted_application(comp, consent_publish_name=True)
    before = version()
    factories.decide(winner)
    after_decision = version()
    assert after_decision > before
    from awards.services.jury import release

    release.release_decisions(actor=None, competition=comp)
    after_release = version()
    assert after_release > after_decision
    factories.publish(comp)
    assert version() > after_release


def test_withdrawn_consent_of_a_winner_moves_the_version(app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    before = version()
    winners[0].consent_publish_name = False
    assert version() == before + 1


def test_photo_added_to_a_submitted_application_moves_the_version(app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    before = version()
    factories.photo_attachment(winners[0], storage=get_storage())
    assert version() == before + 1


def test_edits_of_drafts_and_their_files_leave_the_version_alone(app):
    comp = factories.competition(status=CompetitionStatus.OPEN, year=2026)
    draft = factories.application(competition=comp, status=ApplicationStatus.DRAFT)
    before = version()
    draft.project_title = "Neuer Titel im Entwurf"
    draft.consent_publish_name = True
    db.session.flush()
    factories.photo_attachment(draft, storage=get_storage())
    assert version() == before


def test_unrelated_fields_of_a_submitted_application_leave_the_version_alone(app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    before = version()
    winners[0].description = "Eine längere Beschreibung, die öffentlich nie erscheint."
    assert version() == before


def test_schedule_holds_the_instant_an_edition_becomes_public(app):
    comp, _, _ = factories.released_competition(winners=1, others=0, year=2026, publish_at=PUBLISH_AT)
    from awards.services.decisions import release_of

    release_of(comp).released_at = PUBLISH_AT - timedelta(days=3)
    db.session.commit()
    _, schedule = publication_state.read(db.session)
    assert schedule == [(comp.id, PUBLISH_AT)]
    second = timedelta(seconds=1)
    before = publication_state.fingerprint(db.session, PUBLISH_AT - second)
    at = publication_state.fingerprint(db.session, PUBLISH_AT)
    assert before != at
    assert at == publication_state.fingerprint(db.session, PUBLISH_AT + second)


def test_schedule_takes_the_later_of_release_and_publication(app):
    comp, _, _ = factories.released_competition(winners=1, others=0, year=2026, publish_at=PUBLISH_AT)
    from awards.services.decisions import release_of

    late_release = PUBLISH_AT + timedelta(hours=2)
    release_of(comp).released_at = late_release
    db.session.commit()
    assert publication_state.read(db.session)[1] == [(comp.id, late_release)]


def test_withdrawn_publication_leaves_the_schedule(app):
    comp, _, _ = factories.released_competition(winners=1, others=0, year=2025)
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    db.session.commit()
    assert [cid for cid, _ in publication_state.read(db.session)[1]] == [comp.id]
    publication.withdraw_publication(actor=None, competition=comp)
    db.session.commit()
    assert publication_state.read(db.session)[1] == []


def test_read_inside_a_transaction_sees_its_own_change(app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    db.session.commit()
    committed = publication_state.read(db.session)[0]
    winners[0].city = "Passau"
    db.session.flush()
    assert publication_state.read(db.session)[0] == committed + 1
    db.session.rollback()
    assert publication_state.read(db.session)[0] == committed
