"""services/jury/visibility.py: how jury members see applications outside the juror pages
(codes while the anonymity holds, never a conflicted one) and revealing the names."""
import pytest

from awards.enums import CompetitionStatus
from awards.services.jury import visibility, release, rounds, scoring
from awards.services.decisions import DecisionError
from tests import factories


@pytest.fixture
def scene(app):
    """An anonymised round of three (one left out by the chair's conflict) plus one
    application that never went to the jury."""
    comp = factories.competition(prize_code="OBB", status=CompetitionStatus.JURY)
    chair = factories.juror(comp, is_chair=True)
    staff = factories.staff(prize_code="OBB")
    round_ = factories.open_round(competition=comp, jurors=[chair], n=3)
    entries = {e.application_id: e for e in round_.entries}
    conflicted = round_.entries[2]
    scoring.declare_conflict(actor=chair, entry=conflicted, reason="Nachbarschaft")
    outside = factories.submitted_application(comp)
    applications = [e.application for e in round_.entries] + [outside]
    return comp, chair, staff, round_, entries, conflicted, applications


def test_the_chair_sees_codes_and_no_conflicted_or_unjuried_application(scene):
    comp, chair, _staff, _round, entries, conflicted, applications = scene
    rows, hidden_by_conflict = visibility.decision_rows(
        viewer=chair, competition=comp, applications=applications, decisions_by_app={})
    expected = sorted(e.code for a, e in entries.items() if e is not conflicted)
    assert [r.item.label for r in rows] == expected
    assert all(r.item.anonymous and r.item.applicant is None for r in rows)
    assert hidden_by_conflict == 1
    assert visibility.decision_item(viewer=chair, application=conflicted.application) is None
    assert visibility.decision_item(viewer=chair, application=applications[-1]) is None


def test_staff_see_references_titles_and_applicants(scene):
    comp, _chair, staff, _round, _entries, _conflicted, applications = scene
    rows, hidden_by_conflict = visibility.decision_rows(
        viewer=staff, competition=comp, applications=applications, decisions_by_app={})
    assert [r.item.label for r in rows] == [a.reference for a in applications]
    assert [r.item.applicant for r in rows] == [a.org_name for a in applications]
    assert hidden_by_conflict == 0


def test_the_latest_anonymised_round_gives_the_code(scene):
    comp, _chair, staff, first, entries, _conflicted, applications = scene
    rounds.close_round(actor=staff, round_=first)
    final = factories.jury_round(competition=comp, name="Finale", source="advanced")
    advanced = rounds.advance(actor=staff, round_=first, entries=[first.entries[0]],
                              target=final)
    latest = visibility.latest_entries(comp)
    assert latest[advanced[0].application_id].code == advanced[0].code
    assert latest[first.entries[1].application_id].code == first.entries[1].code


def test_names_are_revealed_only_after_the_release_and_only_once(scene):
    comp, chair, staff, first, _entries, _conflicted, applications = scene
    with pytest.raises(DecisionError):
        visibility.reveal_names(actor=staff, competition=comp)
    rounds.close_round(actor=staff, round_=first)
    factories.decide(applications[0], actor=staff)
    release.release_decisions(actor=staff, competition=comp)
    assert visibility.shows_applicant(chair, comp) is False
    visibility.reveal_names(actor=staff, competition=comp)
    assert visibility.reveal_of(comp) is not None
    item = visibility.decision_item(viewer=chair, application=applications[0])
    assert (item.label, item.applicant) == (applications[0].reference, applications[0].org_name)
    with pytest.raises(DecisionError):  # the anonymity no longer holds
        visibility.reveal_names(actor=staff, competition=comp)


def test_a_hidden_laureate_is_not_named():
    assert visibility.hidden_laureate(None, hidden=True) == "(Name wird nach der Aufdeckung ergänzt)"
