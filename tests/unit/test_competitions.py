"""services/competitions.py: one edition per prize and year, the guards of the stage
actions, what may still be edited in which state, the copy to the next year."""
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from awards.enums import CompetitionStatus, Level, Region
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.services import competitions, lifecycle
from awards.services.lifecycle import YearState as S
from awards.timeutil import utc
from tests import factories


@pytest.fixture
def request_ctx(app):
    # The messages are lazy translations: rendered within a request (German by default).
    with app.test_request_context():
        yield


def test_create_sets_level_and_region_from_the_prize_and_keeps_only_editable_fields(app):
    comp = competitions.create(actor=None, prize_code="MFR", year=2031,
                               values={"title": "Integrationspreis Mittelfranken",
                                       "motto": "Integration vor Ort",
                                       "status": CompetitionStatus.OPEN, "year": 1999})
    assert (comp.level, comp.region, comp.status, comp.year, comp.title) == (
        Level.REGIONAL, Region.MFR, CompetitionStatus.DRAFT, 2031,
        "Integrationspreis Mittelfranken")
    assert competitions.level_and_region("BIP") == (Level.STATE, None)


def test_one_edition_per_prize_and_year(app, request_ctx):
    values = {"title": "Bayerischer Integrationspreis", "motto": "Sprache schafft Heimat"}
    competitions.create(actor=None, prize_code="BIP", year=2031, values=values)
    with pytest.raises(competitions.CompetitionError) as exc:
        competitions.create(actor=None, prize_code="BIP", year=2031, values=values)
    assert str(exc.value) == "Für diesen Preis gibt es im Jahr 2031 schon einen Wettbewerb."
    competitions.create(actor=None, prize_code="OBB", year=2031, values=values)  # another prize


def test_update_audits_only_what_changed(app):
    comp = factories.competition(title="Alt", motto="Gleich")
    competitions.update(actor=None, competition=comp, values={"title": "Neu", "motto": "Gleich"})
    row = db.session.scalars(select(AuditLog).where(AuditLog.action == "competition.update")).one()
    assert (row.old, row.new) == ({"title": "Alt"}, {"title": "Neu"})
    competitions.update(actor=None, competition=comp, values={"title": "Neu"})
    assert len(db.session.scalars(select(AuditLog).where(
        AuditLog.action == "competition.update")).all()) == 1


def test_announcing_needs_a_future_deadline_a_prize_and_a_criterion(app, request_ctx):
    comp = factories.competition_in(S.DRAFT, criteria=[("Wirkung", 1)])
    comp.criteria.clear()
    db.session.flush()
    problems = competitions.stage_problems(comp, "announce")
    assert [str(p) for p in problems] == [
        "Bevor die Ausschreibung öffnet, braucht der Wettbewerb einen Bewerbungsschluss, "
        "mindestens einen Preis und ein Kriterium."]
    with pytest.raises(competitions.CompetitionError):
        competitions.take_stage_action(actor=None, competition=comp, action="announce")
    assert comp.status == CompetitionStatus.DRAFT
    competitions.add_criterion(actor=None, competition=comp,
                               values={"name": "Wirkung", "weight": 1, "scale_min": 0,
                                       "scale_max": 10})
    competitions.take_stage_action(actor=None, competition=comp, action="announce")
    assert comp.status == CompetitionStatus.OPEN


def test_a_call_with_applications_cannot_go_back_to_draft(app, request_ctx):
    comp = factories.competition_in(S.OPEN)
    factories.submitted_application(comp)
    with pytest.raises(competitions.CompetitionError) as exc:
        competitions.take_stage_action(actor=None, competition=comp, action="back_to_draft")
    assert "Es sind schon 1 Bewerbungen eingegangen." in str(exc.value)


def test_the_jury_cannot_finish_while_a_round_is_open(app):
    comp = factories.competition_in(S.JURY)
    factories.open_round(competition=comp, jurors=[factories.juror(comp)], n=1)
    assert len(competitions.stage_problems(comp, "finish_jury")) == 1
    with pytest.raises(competitions.CompetitionError):
        competitions.take_stage_action(actor=None, competition=comp, action="finish_jury")


def test_a_stage_action_in_the_wrong_state_is_not_allowed(app):
    comp = factories.competition_in(S.OPEN)
    with pytest.raises(lifecycle.NotAllowed):
        competitions.take_stage_action(actor=None, competition=comp, action="archive")
    with pytest.raises(competitions.CompetitionError):
        competitions.change_status(actor=None, competition=comp,
                                   status=CompetitionStatus.ARCHIVED)


def test_archiving_records_the_instant(app):
    comp = factories.competition_in(S.PUBLISHED)
    now = utcnow()
    competitions.take_stage_action(actor=None, competition=comp, action="archive", now=now)
    assert (comp.status, comp.archived_at) == (CompetitionStatus.ARCHIVED, now)


def test_criteria_are_fixed_from_the_jury_on_prizes_once_decided(app, request_ctx):
    comp = factories.competition_in(S.JURY)
    with pytest.raises(competitions.CompetitionError) as exc:
        competitions.update_criterion(actor=None, criterion=comp.criteria[0], values={"weight": 5})
    assert str(exc.value).startswith("Kriterien können in diesem Stand")
    competitions.update_category(actor=None, category=comp.categories[0],
                                 values={"amount_cents": 450000})
    assert comp.categories[0].amount_cents == 450000
    decided = factories.competition_in(S.RELEASED)
    with pytest.raises(competitions.CompetitionError):
        competitions.delete_category(actor=None, category=decided.categories[0])


def test_new_criteria_go_to_the_end(app):
    comp = factories.competition()
    criterion = competitions.add_criterion(actor=None, competition=comp, values={
        "name": "Ehrenamt", "weight": 1, "scale_min": 0, "scale_max": 10})
    assert [c.name for c in sorted(comp.criteria, key=lambda c: c.position)][-1] == "Ehrenamt"
    assert criterion.position == 2


def test_copy_to_next_year_is_a_draft_with_the_same_wall_clock_times(app, request_ctx):
    # 29 February 2028, 23:59 in Berlin (winter time: 22:59 UTC).
    comp = factories.competition(year=2028, deadline_at=utc(2028, 2, 29, 22, 59),
                                 opens_at=utc(2028, 1, 10, 8, 0), ceremony_place="Ansbach",
                                 signatories=[{"name": "A", "title": "B"}])
    copy = competitions.copy_to_next_year(actor=None, competition=comp)
    assert (copy.year, copy.status, copy.copied_from_id) == (2029, CompetitionStatus.DRAFT, comp.id)
    assert competitions.berlin_parts(copy.deadline_at) == (datetime(2029, 2, 28).date(),
                                                           time(23, 59))
    assert [(c.label, c.amount_cents) for c in copy.categories] == [
        (c.label, c.amount_cents) for c in comp.categories]
    assert [(c.name, c.weight) for c in copy.criteria] == [(c.name, c.weight) for c in comp.criteria]
    assert copy.signatories == comp.signatories and copy.signatories is not comp.signatories
    with pytest.raises(competitions.CompetitionError):
        competitions.copy_to_next_year(actor=None, competition=comp)


def test_berlin_parts_round_trip_across_the_clock_change(app):
    summer = competitions.from_berlin_parts(datetime(2031, 7, 1).date(), time(12, 0))
    assert summer == utc(2031, 7, 1, 10, 0)
    assert competitions.berlin_parts(summer) == (datetime(2031, 7, 1).date(), time(12, 0))
    assert competitions.from_berlin_parts(None, time(12, 0)) is None
    assert competitions.shift_one_year(utc(2031, 3, 1)) - utc(2031, 3, 1) == timedelta(days=366)
