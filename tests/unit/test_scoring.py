"""services/jury/scoring.py: who may score what, drafts and final scores, the optimistic lock,
conflicts of interest and progress."""
from datetime import timedelta

import pytest

from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.jury import RoundStatus, ScoreStatus
from awards.services.jury import rounds, scoring
from tests import factories


@pytest.fixture
def jury(app):
    comp = factories.competition(prize_code="OBB")
    juror, other = factories.juror(comp), factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=[juror, other], n=2)
    return comp, round_, juror, other


def _values(round_, *points):
    return {c.id: (p, "") for c, p in zip(round_.criteria, points)}


def test_a_draft_may_be_incomplete_but_finalising_needs_every_criterion(jury):
    _comp, round_, juror, _other = jury
    entry = round_.entries[0]
    draft = scoring.save_score(actor=juror, entry=entry, values=_values(round_, 7))
    assert draft.status == ScoreStatus.DRAFT
    with pytest.raises(scoring.ScoringError) as exc:
        scoring.save_score(actor=juror, entry=entry, values=_values(round_, 7), finalise=True)
    assert set(exc.value.field_errors) == {round_.criteria[1].id}
    final = scoring.save_score(actor=juror, entry=entry, values=_values(round_, 7, 4),
                               finalise=True)
    assert (final.id, final.status) == (draft.id, ScoreStatus.FINAL)
    assert final.finalised_at is not None


def test_points_outside_the_scale_are_refused_per_criterion(jury):
    _comp, round_, juror, _other = jury
    with pytest.raises(scoring.ScoringError) as exc:
        scoring.save_score(actor=juror, entry=round_.entries[0], values=_values(round_, 11, -1))
    assert set(exc.value.field_errors) == {c.id for c in round_.criteria}
    assert scoring.score_of(juror=juror, entry=round_.entries[0]) is None


def test_a_final_score_stays_final_and_a_change_is_audited(jury):
    _comp, round_, juror, _other = jury
    entry = round_.entries[0]
    scoring.save_score(actor=juror, entry=entry, values=_values(round_, 7, 4), finalise=True)
    with pytest.raises(scoring.ScoringError):  # emptying a criterion of a final score
        scoring.save_score(actor=juror, entry=entry, values=_values(round_, 7))
    changed = scoring.save_score(actor=juror, entry=entry, values=_values(round_, 8, 4))
    assert changed.status == ScoreStatus.FINAL
    row = AuditLog.query.filter_by(action="jury.score.change").one()
    assert (row.old["Strahlkraft"], row.new["Strahlkraft"]) == (7, 8)


def test_a_stale_version_is_refused(jury):
    _comp, round_, juror, _other = jury
    entry = round_.entries[0]
    score = scoring.save_score(actor=juror, entry=entry, values=_values(round_, 7))
    seen = score.version
    scoring.save_score(actor=juror, entry=entry, values=_values(round_, 6), version=seen)
    with pytest.raises(scoring.StaleScore):
        scoring.save_score(actor=juror, entry=entry, values=_values(round_, 5), version=seen)


def test_only_jurors_of_the_competition_may_score_and_only_while_open(jury):
    _comp, round_, juror, _other = jury
    outsider = factories.juror(factories.competition(prize_code="UFR"))
    with pytest.raises(scoring.ScoringError):
        scoring.save_score(actor=outsider, entry=round_.entries[0], values=_values(round_, 5, 5))
    round_.closes_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(scoring.ScoringError):
        scoring.save_score(actor=juror, entry=round_.entries[0], values=_values(round_, 5, 5))


def test_a_conflict_hides_the_entry_and_leaves_it_out_of_progress(jury):
    _comp, round_, juror, _other = jury
    first, second = round_.entries
    assert scoring.juror_progress(juror=juror, round_=round_) == (0, 2)
    scoring.declare_conflict(actor=juror, entry=first, reason="Mitglied im Verein")
    assert scoring.juror_entry(juror=juror, round_id=round_.id, code=first.code) is None
    assert [e.code for e in scoring.visible_entries(juror=juror, round_=round_)] == [second.code]
    assert scoring.juror_progress(juror=juror, round_=round_) == (0, 1)
    with pytest.raises(scoring.ScoringError):  # declared once only, and no longer visible
        scoring.declare_conflict(actor=juror, entry=first, reason="noch einmal")


def test_progress_counts_final_scores_and_leaves_out_only_the_jurors_own_conflicts(jury):
    _comp, round_, juror, other = jury
    first, second = round_.entries
    scoring.save_score(actor=juror, entry=first, values=_values(round_, 7, 4), finalise=True)
    scoring.save_score(actor=juror, entry=second, values=_values(round_, 5))  # a draft
    scoring.declare_conflict(actor=other, entry=second, reason="Nachbarin")
    assert scoring.juror_progress(juror=juror, round_=round_) == (1, 2)
    assert scoring.juror_progress(juror=other, round_=round_) == (0, 1)
    assert scoring.juror_progress_by_round(juror=juror, rounds=[round_]) == {round_.id: (1, 2)}
    assert scoring.juror_progress_by_round(juror=other, rounds=[round_]) == {round_.id: (0, 1)}
    scoring.declare_conflict(actor=juror, entry=first, reason="Vorstand")
    assert scoring.juror_progress(juror=juror, round_=round_) == (0, 1)
    assert scoring.juror_progress_by_round(juror=juror, rounds=[round_]) == {round_.id: (0, 1)}


def test_a_conflict_needs_a_reason(jury):
    _comp, round_, juror, _other = jury
    with pytest.raises(scoring.ScoringError) as exc:
        scoring.declare_conflict(actor=juror, entry=round_.entries[0], reason="  ")
    assert exc.value.field_errors == {"reason": True}


def test_lifting_a_conflict_gives_the_entry_back_but_not_by_its_holder(jury):
    comp, round_, juror, _other = jury
    staff = factories.staff(prize_code="OBB")
    entry = round_.entries[0]
    conflict = scoring.declare_conflict(actor=juror, entry=entry, reason="Irrtum")
    with pytest.raises(scoring.ScoringError):
        scoring.lift_conflict(actor=juror, conflict=conflict, round_=round_, code=entry.code,
                              reason="war falsch")
    scoring.lift_conflict(actor=staff, conflict=conflict, round_=round_, code=entry.code,
                          reason="Falsche Bewerbung gewählt")
    assert scoring.juror_entry(juror=juror, round_id=round_.id, code=entry.code) is not None
    assert scoring.round_conflicts(round_) == []


def test_staff_cannot_set_a_conflict_for_someone_outside_the_jury_or_in_a_closed_round(jury):
    comp, round_, juror, _other = jury
    staff = factories.staff(prize_code="OBB")
    with pytest.raises(scoring.ScoringError):
        scoring.set_conflict(actor=staff, entry=round_.entries[0], juror=factories.user(),
                             reason="Nachbar")
    rounds.close_round(actor=staff, round_=round_)
    assert round_.status == RoundStatus.CLOSED
    with pytest.raises(scoring.ScoringError):
        scoring.set_conflict(actor=staff, entry=round_.entries[0], juror=juror, reason="Nachbar")


def test_others_totals_only_after_the_own_final_score_and_without_conflicted(jury):
    comp, _round, juror, other = jury
    third = factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=[juror, other, third], n=1,
                                  name="Finale", show_others=True)
    entry = round_.entries[0]
    factories.score(round_=round_, entry=entry, juror=other, values=(5, 4))  # 2*5 + 1*4 = 14
    factories.score(round_=round_, entry=entry, juror=third, values=(1, 1))
    scoring._record_conflict(actor=None, entry=entry, juror=third, reason="befangen")
    own = scoring.save_score(actor=juror, entry=entry, values=_values(round_, 3))
    assert scoring.others_totals(juror=juror, entry=entry, own=own) is None  # a draft
    own = scoring.save_score(actor=juror, entry=entry, values=_values(round_, 3, 3),
                             finalise=True)
    assert scoring.others_totals(juror=juror, entry=entry, own=own) == [14]


def test_saving_checks_assignment_and_conflicts_again_without_loading_the_application(jury):
    comp, round_, juror, _other = jury
    first = round_.entries[0]
    scoring.declare_conflict(actor=juror, entry=first, reason="Mitglied im Verein")
    with pytest.raises(scoring.ScoringError):
        scoring.save_score(actor=juror, entry=first, values=_values(round_, 5, 5))
    unassigned = factories.juror(comp)  # judges the competition, but not this entry
    with pytest.raises(scoring.ScoringError):
        scoring.save_score(actor=unassigned, entry=first, values=_values(round_, 5, 5))
    assert scoring.score_of(juror=juror, entry=first) is None
    assert scoring.score_of(juror=unassigned, entry=first) is None


def test_progress_of_a_round_counts_only_that_rounds_scores(jury):
    comp, round_, juror, other = jury
    # A second round of the same competition: its entries are every admissible application,
    # the two of the first round among them.
    later = factories.open_round(competition=comp, jurors=[juror, other], n=3)
    total = len(later.entries)
    for entry in round_.entries:
        scoring.save_score(actor=juror, entry=entry, values=_values(round_, 7, 4), finalise=True)
    scoring.save_score(actor=juror, entry=later.entries[0], values=_values(later, 6, 6),
                       finalise=True)
    assert scoring.juror_progress(juror=juror, round_=round_) == (2, 2)
    assert total == 5
    assert scoring.juror_progress(juror=juror, round_=later) == (1, total)
    assert scoring.juror_progress_by_round(juror=juror, rounds=[round_, later]) == {
        round_.id: (2, 2), later.id: (1, total)}


def test_the_score_sheet_reads_score_and_progress_as_the_two_services_do(jury):
    """score_sheet answers what score_of and juror_progress answer, in every state: no
    score, a draft with its values, a final score, another juror's score, a conflict; and
    it loads the round's criteria in their order."""
    from sqlalchemy import inspect

    from awards.extensions import db

    _comp, round_, juror, other = jury
    first, second = round_.entries

    def both(who, entry):
        db.session.expire_all()
        answer = scoring.score_sheet(juror=who, entry=entry)
        loaded = inspect(entry.round).attrs.criteria.loaded_value  # without a statement
        assert [c.id for c in loaded] == [c.id for c in sorted(
            loaded, key=lambda c: (c.position, c.id))] and len(loaded) == 2
        expected = (scoring.score_of(juror=who, entry=entry),
                    *scoring.juror_progress(juror=who, round_=round_))
        assert answer == expected
        return answer

    assert both(juror, first) == (None, 0, 2)
    draft = scoring.save_score(actor=juror, entry=first, values=_values(round_, 7, 4))
    score, done, total = both(juror, first)
    assert score.id == draft.id and (done, total) == (0, 2)
    assert sorted(v.value for v in score.values) == [4, 7]  # every value, not the first row's
    scoring.save_score(actor=juror, entry=second, values=_values(round_, 5, 6), finalise=True)
    assert both(juror, second)[1:] == (1, 2)
    assert both(other, second) == (None, 0, 2)  # the other juror's own sheet and progress
    scoring.declare_conflict(actor=other, entry=first, reason="Nachbarin")
    assert both(other, second) == (None, 0, 1)


def test_the_entry_comes_with_every_attachment_of_its_application(jury):
    from awards.extensions import db

    _comp, round_, juror, _other = jury
    entry = round_.entries[0]
    for name in ("Konzept.pdf", "Flyer.pdf", "Bericht.pdf"):
        factories.attachment(entry.application, filename=name)
    db.session.commit()
    db.session.expire_all()  # the collection is filled from the statement's rows
    loaded = scoring.juror_entry(juror=juror, round_id=round_.id, code=entry.code)
    assert sorted(a.filename for a in loaded.application.attachments) == [
        "Bericht.pdf", "Flyer.pdf", "Konzept.pdf"]
    assert [a.id for a in loaded.application.attachments] == sorted(
        a.id for a in loaded.application.attachments)
