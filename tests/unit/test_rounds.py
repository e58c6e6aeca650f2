"""services/jury/rounds.py: set-up, participants, the release gate, opening, closing, advancing."""
import re
from datetime import timedelta

import pytest

from awards.enums import FormalCheck
from awards.models.base import utcnow
from awards.models.jury import RedactionState, RoundStatus
from awards.services.jury import anonymisation, rounds
from tests import factories


@pytest.fixture
def comp(app):
    return factories.competition(prize_code="OBB")


def _criteria(comp):
    return [(c, c.weight) for c in comp.criteria]


def test_create_round_copies_the_criteria_with_the_given_weights(comp):
    strahlkraft, nachhaltigkeit = comp.criteria
    round_ = rounds.create_round(actor=None, competition=comp, name="Vorauswahl",
                                 criteria=[(strahlkraft, 5), (nachhaltigkeit, 1)])
    assert [(c.name, c.weight, c.position) for c in round_.criteria] == [
        ("Strahlkraft", 5, 0), ("Nachhaltigkeit", 1, 1)]
    assert strahlkraft.weight == 2  # the competition's own weight is unchanged


def test_rounds_are_numbered_and_lettered_in_order(comp):
    first = rounds.create_round(actor=None, competition=comp, name="1", criteria=_criteria(comp))
    second = rounds.create_round(actor=None, competition=comp, name="2", criteria=_criteria(comp))
    assert (first.position, first.code_prefix, second.position, second.code_prefix) == (
        1, "A", 2, "B")


def test_create_round_refuses_an_end_before_the_start_and_no_criteria(comp):
    now = utcnow()
    with pytest.raises(rounds.RoundError) as exc:
        rounds.create_round(actor=None, competition=comp, name="x", criteria=_criteria(comp),
                            opens_at=now, closes_at=now - timedelta(hours=1))
    assert str(exc.value) == "Das Ende der Runde muss nach ihrem Beginn liegen."
    with pytest.raises(rounds.RoundError) as exc:
        rounds.create_round(actor=None, competition=comp, name="x", criteria=[])
    assert str(exc.value) == "Wählen Sie mindestens ein Kriterium."


def test_populate_takes_only_admissible_submitted_applications_once(comp):
    admitted = [factories.submitted_application(comp, admissible=True) for _ in range(2)]
    factories.submitted_application(comp, formal_check=FormalCheck.INADMISSIBLE)
    factories.submitted_application(comp)  # not yet checked
    factories.application(competition=comp, formal_check=FormalCheck.ADMISSIBLE)  # a draft
    round_ = factories.jury_round(competition=comp)
    added = rounds.populate_entries(actor=None, round_=round_)
    assert sorted(e.application_id for e in added) == sorted(a.id for a in admitted)
    codes = [e.code for e in round_.entries]
    assert len(set(codes)) == 2 and all(re.fullmatch(r"A-[2-9A-HJ-NP-Z]{4}", c) for c in codes)
    assert rounds.populate_entries(actor=None, round_=round_) == []  # nothing twice


def test_a_round_of_advanced_applications_cannot_be_populated(comp):
    round_ = factories.jury_round(competition=comp, source="advanced")
    with pytest.raises(rounds.RoundError):
        rounds.populate_entries(actor=None, round_=round_)


def test_release_problems_name_each_missing_step(comp):
    factories.submitted_application(comp, admissible=True)
    round_ = factories.jury_round(competition=comp)
    rounds.populate_entries(actor=None, round_=round_)
    code = round_.entries[0].code
    assert [str(p) for p in rounds.release_problems(round_, scan=False)] == [
        f"{code}: Die Anonymisierung ist nicht (mehr) freigegeben.",
        f"{code}: Kein Jurymitglied ist zugeordnet."]
    factories.approve_all(round_)
    factories.assign_all(round_, [factories.juror(comp)])
    assert rounds.release_problems(round_, scan=False) == []
    round_.closes_at = utcnow() - timedelta(minutes=1)
    assert [str(p) for p in rounds.release_problems(round_, scan=False)] == [
        "Das Ende der Runde liegt in der Vergangenheit."]


def test_open_round_refuses_while_problems_remain(comp):
    round_ = factories.jury_round(competition=comp)
    with pytest.raises(rounds.RoundError) as exc:
        rounds.open_round(actor=None, round_=round_)
    assert "Die Runde enthält noch keine Bewerbungen." in str(exc.value)
    assert round_.status == RoundStatus.DRAFT


def test_settings_are_fixed_once_the_round_is_open(comp):
    round_ = factories.open_round(competition=comp, jurors=[factories.juror(comp)], n=1)
    assert round_.status == RoundStatus.OPEN and round_.opened_at is not None
    with pytest.raises(rounds.RoundError):
        rounds.update_round(actor=None, round_=round_, name="Anders")
    with pytest.raises(rounds.RoundError):
        rounds.populate_entries(actor=None, round_=round_)


def test_switching_anonymisation_withdraws_the_approvals(comp):
    factories.submitted_application(comp, admissible=True)
    round_ = factories.jury_round(competition=comp)
    rounds.populate_entries(actor=None, round_=round_)
    factories.approve_all(round_)
    assert anonymisation.is_approved(round_.entries[0])
    rounds.update_round(actor=None, round_=round_, anonymised=False)
    entry = round_.entries[0]
    assert (entry.redaction_state, entry.approved_hash) == (RedactionState.PENDING, None)


def test_only_an_open_round_closes_and_closing_freezes_the_ranking(comp):
    juror = factories.juror(comp)
    draft = factories.jury_round(competition=comp)
    with pytest.raises(rounds.RoundError):
        rounds.close_round(actor=None, round_=draft)
    round_ = factories.open_round(competition=comp, jurors=[juror], n=2)
    for entry in round_.entries:
        factories.score(round_=round_, entry=entry, juror=juror, values=(5, 5))
    rounds.close_round(actor=None, round_=round_)
    assert round_.status == RoundStatus.CLOSED
    assert sorted(row["code"] for row in round_.snapshot["rows"]) == sorted(
        e.code for e in round_.entries)


def test_advance_gives_new_codes_and_keeps_the_approval(comp):
    juror = factories.juror(comp)
    first = factories.open_round(competition=comp, jurors=[juror], n=2)
    final = factories.jury_round(competition=comp, name="Finale", source="advanced")
    with pytest.raises(rounds.RoundError):  # not closed yet
        rounds.advance(actor=None, round_=first, entries=list(first.entries), target=final)
    rounds.close_round(actor=None, round_=first)
    chosen = first.entries[0]
    added = rounds.advance(actor=None, round_=first, entries=[chosen], target=final)
    assert [e.application_id for e in added] == [chosen.application_id]
    assert added[0].code.startswith("B-") and added[0].code != chosen.code
    assert added[0].advanced_from_id == chosen.id
    assert anonymisation.is_approved(added[0])
    # Taken again: nothing is added twice.
    assert rounds.advance(actor=None, round_=first, entries=[chosen], target=final) == []


def test_advance_refuses_an_earlier_or_open_target(comp):
    juror = factories.juror(comp)
    first = factories.open_round(competition=comp, jurors=[juror], n=1)
    rounds.close_round(actor=None, round_=first)
    with pytest.raises(rounds.RoundError) as exc:
        rounds.advance(actor=None, round_=first, entries=list(first.entries), target=first)
    assert str(exc.value) == "Die Zielrunde muss eine spätere Runde in Vorbereitung sein."
