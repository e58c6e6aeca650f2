"""services/publication.py: when winners become public (release AND a publication instant
reached), and what of a winner is shown (only what they consented to)."""
from datetime import timedelta

import pytest

from awards.adapters.storage import get_storage
from awards.enums import ApplicantType, CompetitionStatus
from awards.models.base import utcnow
from awards.services import publication
from awards.services.decisions import DecisionError, decision_for
from tests import factories


@pytest.fixture
def released(app):
    """A released competition, publication planned in a week; (competition, winners)."""
    comp, winners, _others = factories.released_competition(
        winners=2, others=1, year=2031, publish_at=utcnow() + timedelta(days=7))
    return comp, winners


def test_winners_become_public_exactly_at_the_planned_instant(released):
    comp, _winners = released
    at = comp.publish_at
    assert publication.publication_state(comp, at - timedelta(seconds=1)) == "scheduled"
    assert publication.list_winners(now=at - timedelta(seconds=1)) == ([], 0)
    assert publication.publication_state(comp, at) == "public"
    winners, total = publication.list_winners(now=at)
    assert total == 2 and [w.rank for w in winners] == [1, 2]


def test_nothing_is_public_before_the_release_whatever_the_time(app):
    comp = factories.competition(status=CompetitionStatus.JURY,
                                 publish_at=utcnow() - timedelta(days=1))
    factories.decide(factories.submitted_application(comp))
    assert publication.publication_state(comp) == "unreleased"
    assert publication.competition_winners(now=utcnow(), prize_code=comp.prize_code,
                                           year=comp.year) == (None, [])
    with pytest.raises(DecisionError):
        publication.publish_now(actor=None, competition=comp)


def test_publish_now_and_withdraw(released):
    comp, winners = released
    publication.publish_now(actor=None, competition=comp)
    assert publication.is_public(comp)
    publication.withdraw_publication(actor=None, competition=comp)
    assert (comp.published_at, comp.publish_at) == (None, None)
    assert publication.publication_state(comp) == "unscheduled"
    assert publication.public_winner(now=utcnow(), decision_id=decision_for(winners[0]).id) is None


def test_scheduling_needs_an_aware_time(released):
    comp, _winners = released
    with pytest.raises(ValueError):
        publication.schedule_publication(actor=None, competition=comp,
                                         publish_at=utcnow().replace(tzinfo=None))
    publication.schedule_publication(actor=None, competition=comp, publish_at=None)
    assert publication.publication_state(comp) == "unscheduled"


def test_a_winner_shows_only_what_they_consented_to(app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, consent=False)
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    application = winners[0]
    factories.photo_attachment(application, storage=get_storage())
    decision_id = decision_for(application).id
    shown = publication.public_winner(now=utcnow(), decision_id=decision_id)
    assert (shown.name, shown.place, shown.project_title, shown.summary, shown.photo_ids) == (
        None, None, None, None, [])
    application.consent_publish_name = True
    application.consent_publish_text = True
    application.consent_publish_photos = True  # photos need the image rights, too
    shown = publication.public_winner(now=utcnow(), decision_id=decision_id)
    assert (shown.name, shown.project_title, shown.photo_ids) == (
        application.org_name, application.project_title, [])
    application.image_rights_confirmed = True
    assert len(publication.public_winner(now=utcnow(), decision_id=decision_id).photo_ids) == 1


def test_a_person_is_named_by_the_contact_an_organisation_by_its_name(app):
    application = factories.application(competition=factories.competition(),
                                        applicant_type=ApplicantType.PERSON,
                                        org_name="", contact_name="Aylin Beispiel")
    assert publication.laureate_name(application) == "Aylin Beispiel"
    application.applicant_type = ApplicantType.VEREIN
    application.org_name = "Sprachbrücke e.V."
    assert publication.laureate_name(application) == "Sprachbrücke e.V."


def test_a_revoked_decision_is_no_longer_public(released):
    comp, winners = released
    factories.publish(comp, at=utcnow() - timedelta(hours=1))
    decision = decision_for(winners[0])
    decision.revoked_at = utcnow()
    assert publication.public_winner(now=utcnow(), decision_id=decision.id) is None
    assert publication.list_winners(now=utcnow())[1] == 1


def test_filters_by_year_prize_and_region(released):
    comp, _winners = released
    factories.publish(comp, at=utcnow() - timedelta(hours=1))
    other, _w, _o = factories.released_competition(winners=1, others=0, prize_code="UFR",
                                                   year=2030)
    factories.publish(other, at=utcnow() - timedelta(hours=1))
    now = utcnow()
    assert publication.list_winners(now=now)[1] == 3
    assert publication.list_winners(now=now, year=2030)[1] == 1
    assert publication.list_winners(now=now, prize_code="BIP")[1] == 2
    assert [w.prize_code for w in publication.list_winners(now=now, region="UFR")[0]] == ["UFR"]
