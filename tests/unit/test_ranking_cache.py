"""The live ranking is computed once per change of what it depends on, and never served
stale: a changed or new final score, a conflict, a reopened score or new settings all
give a fresh computation."""
import pytest

from awards.extensions import db
from awards.models.jury import Conflict, ScoreStatus, TieBreak
from awards.services.jury import ranking, scoring
from tests import factories
from tests.unit.test_ranking import _build, _rows


@pytest.fixture
def computations(monkeypatch):
    calls = []
    real = ranking.compute

    def counting(round_, **kwargs):
        calls.append(round_.id)
        return real(round_, **kwargs)

    monkeypatch.setattr(ranking, "compute", counting)
    return calls


def test_unchanged_round_is_computed_once(app, computations):
    round_, entries, _ = _build()
    db.session.commit()
    first = ranking.ranking(round_)
    second = ranking.ranking(round_)
    assert len(computations) == 1
    assert second == first
    assert "juror_totals" not in first


def test_changed_final_score_gives_a_fresh_ranking(app, computations):
    round_, entries, jurors = _build()
    db.session.commit()
    before = _rows(ranking.ranking(round_), entries)["E4"]["mean"]
    c1, c2 = round_.criteria
    scoring.save_score(actor=jurors["J1"], entry=entries["E4"],
                       values={c1.id: (10, ""), c2.id: (10, "")})
    db.session.commit()
    after = _rows(ranking.ranking(round_), entries)["E4"]
    assert len(computations) == 2
    assert after["mean"] != before and after["totals"] == [6.0, 30.0]


def test_finalised_draft_gives_a_fresh_ranking(app, computations):
    round_, entries, jurors = _build()
    db.session.commit()
    assert _rows(ranking.ranking(round_), entries)["E4"]["n"] == 2
    c1, c2 = round_.criteria
    scoring.save_score(actor=jurors["J2"], entry=entries["E4"],
                       values={c1.id: (10, ""), c2.id: (10, "")}, finalise=True)
    db.session.commit()
    assert _rows(ranking.ranking(round_), entries)["E4"]["n"] == 3


def test_new_conflict_gives_a_fresh_ranking(app, computations):
    round_, entries, jurors = _build()
    db.session.commit()
    assert _rows(ranking.ranking(round_), entries)["E2"]["n"] == 3
    db.session.add(Conflict(application_id=entries["E2"].application_id,
                            juror_id=jurors["J3"].id, reason="Nachbar",
                            declared_by_id=jurors["J3"].id))
    db.session.commit()
    assert _rows(ranking.ranking(round_), entries)["E2"]["n"] == 2


def test_reopened_score_gives_a_fresh_ranking(app, computations):
    round_, entries, jurors = _build()
    db.session.commit()
    assert _rows(ranking.ranking(round_), entries)["E3"]["n"] == 3
    from awards.services.jury.scoring import score_of

    score = score_of(juror=jurors["J3"], entry=entries["E3"])
    score.status = ScoreStatus.DRAFT
    db.session.commit()
    assert _rows(ranking.ranking(round_), entries)["E3"]["n"] == 2


def test_other_settings_give_a_fresh_ranking(app, computations):
    round_, entries, _ = _build()
    db.session.commit()
    assert ranking.ranking(round_)["basis"] == "raw"
    round_.rank_by_normalised = True
    round_.tie_break = TieBreak.MEDIAN
    db.session.commit()
    data = ranking.ranking(round_)
    assert (data["basis"], data["tie_break"]) == ("normalised", "median")
    assert len(computations) == 2


def test_new_chair_gives_a_fresh_ranking_when_the_chair_breaks_ties(app, computations):
    round_, entries, jurors = _build(tie_break=TieBreak.CHAIR)
    db.session.commit()
    ranking.ranking(round_)
    factories.juror(round_.competition, is_chair=True)
    db.session.commit()
    ranking.ranking(round_)
    assert len(computations) == 2


def test_frozen_ranking_is_read_once_and_served_from_the_cache(app, computations):
    from sqlalchemy import event

    from awards.models.jury import Round
    from awards.services.jury import rounds

    round_, entries, _ = _build()
    rounds.close_round(actor=None, round_=round_)
    db.session.commit()
    snapshot = {k: v for k, v in round_.snapshot.items() if k != "juror_totals"}
    computed = len(computations)  # closing computes the frozen ranking once
    db.session.expire_all()
    round_ = db.session.get(Round, round_.id)
    first = ranking.ranking(round_)
    assert first == snapshot and "juror_totals" not in first
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        db.session.expire_all()
        round_ = db.session.get(Round, round_.id)
        statements.clear()
        again = ranking.ranking(round_)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert again == snapshot
    assert statements == []  # the deferred snapshot column was not loaded again
    assert len(computations) == computed


def test_a_changed_weight_gives_a_fresh_ranking_read_with_the_fingerprint(app, computations):
    """The fingerprint reads the round's criteria in its own statement (one row each) and
    leaves them loaded: a weight changed by anyone is seen at the next view."""
    from sqlalchemy import event, inspect

    round_, entries, _ = _build()
    db.session.commit()
    ranking.ranking(round_)
    first, second = round_.criteria
    first.weight += 2
    db.session.commit()
    db.session.expire_all()
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        ranking.fingerprint(round_)
        loaded = inspect(round_).attrs.criteria.loaded_value
        assert [(c.id, c.weight) for c in loaded] == [(first.id, first.weight),
                                                      (second.id, second.weight)]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2  # the round's own row (expired) and the fingerprint
    ranking.ranking(round_)
    assert len(computations) == 2
