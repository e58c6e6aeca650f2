"""Balanced automatic assignment that respects conflicts; manual adjustment."""
from collections import Counter
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.jury import Assignment, Conflict
from awards.services.jury import assignment, rounds
from tests import factories
from awards.services.jury import assignment, rounds


def _entries(n):
    return [SimpleNamespace(id=i, application_id=100 + i) for i in range(1, n + 1)]


def test_plan_gives_each_entry_k_jurors_and_balances_load():
    additions, shortfall = assignment.plan(entries=_entries(6), juror_ids=[1, 2, 3, 4], k=2,
                                           conflicts=set(), existing={}, seed=1)
    assert shortfall == {}
    assert all(len(j) == 2 and len(set(j)) == 2 for j in additions.values())
    load = Counter(j for js in additions.values() for j in js)
    assert sorted(load.values()) == [3, 3, 3, 3]


def test_plan_never_assigns_conflicted_juror():
    conflicts = {(101, 1), (102, 1), (101, 2)}
    additions, shortfall = assignment.plan(entries=_entries(4), juror_ids=[1, 2, 3], k=2,
                                           conflicts=conflicts, existing={}, seed=3)
    assert 1 not in additions[1] and 2 not in additions[1]
    assert 1 not in additions[2]
    assert shortfall == {1: 1}  # only juror 3 is free for entry 1
    load = Counter(j for js in additions.values() for j in js)
    assert max(load.values()) - min(load.values()) <= 1


def test_plan_all_jurors_when_k_is_none_and_keeps_existing():
    additions, shortfall = assignment.plan(entries=_entries(2), juror_ids=[1, 2, 3], k=None,
                                           conflicts={(102, 3)}, existing={1: {2}}, seed=0)
    assert sorted(additions[1]) == [1, 3]
    assert sorted(additions[2]) == [1, 2]
    assert shortfall == {}


def test_auto_assign_writes_rows_and_audit(app):
    comp = factories.competition()
    jurors = [factories.juror(comp) for _ in range(4)]
    round_ = factories.jury_round(competition=comp, k=2)
    for _ in range(6):
        factories.submitted_application(comp, admissible=True)
    rounds.populate_entries(actor=None, round_=round_)
    db.session.add(Conflict(application_id=round_.entries[0].application_id, juror_id=jurors[0].id,
                            reason="verwandt"))
    db.session.flush()
    added, missing = assignment.auto_assign(actor=None, round_=round_, seed=7)
    assert added == 12
    assert missing == {}
    rows = db.session.scalars(select(Assignment)).all()
    assert (round_.entries[0].id, jurors[0].id) not in {(r.entry_id, r.juror_id) for r in rows}
    assert sorted(Counter(r.juror_id for r in rows).values()) == [3, 3, 3, 3]
    assert db.session.scalars(select(AuditLog.action).where(
        AuditLog.action == "jury.assignment.auto")).all() == ["jury.assignment.auto"]
    # Running again adds nothing: every entry already has two jurors.
    assert assignment.auto_assign(actor=None, round_=round_, seed=8) == (0, {})


def test_manual_add_refuses_conflicted_juror(app):
    comp = factories.competition()
    juror = factories.juror(comp)
    round_ = factories.jury_round(competition=comp)
    factories.submitted_application(comp, admissible=True)
    rounds.populate_entries(actor=None, round_=round_)
    entry = round_.entries[0]
    db.session.add(Conflict(application_id=entry.application_id, juror_id=juror.id, reason="x"))
    db.session.flush()
    with pytest.raises(assignment.AssignmentError):
        assignment.add(actor=None, entry=entry, juror=juror)


def test_manual_add_refuses_person_outside_jury(app):
    comp = factories.competition()
    outsider = factories.juror(factories.competition())
    round_ = factories.jury_round(competition=comp)
    factories.submitted_application(comp, admissible=True)
    rounds.populate_entries(actor=None, round_=round_)
    with pytest.raises(assignment.AssignmentError):
        assignment.add(actor=None, entry=round_.entries[0], juror=outsider)


def test_manual_remove_refused_after_scoring(app):
    comp = factories.competition()
    juror = factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=[juror], n=1)
    entry = round_.entries[0]
    factories.score(round_=round_, entry=entry, juror=juror, values=(5, 5))
    with pytest.raises(assignment.AssignmentError):
        assignment.remove(actor=None, entry=entry, juror=juror)
    other = factories.juror(comp)
    assignment.add(actor=None, entry=entry, juror=other)
    assignment.remove(actor=None, entry=entry, juror=other)
    assert db.session.scalars(select(Assignment.juror_id).where(Assignment.entry_id == entry.id)).all() == [juror.id]
