"""Aggregation and ranking against hand-computed values (ties included)."""
import math

import pytest
from sqlalchemy import event

from awards.extensions import db
from awards.models.jury import Conflict, ScoreValue, TieBreak
from awards.services.jury import ranking, rounds
from tests import factories

# Criteria of the factory competition: Strahlkraft (weight 2), Nachhaltigkeit (weight 1),
# both 0..10, so a juror's weighted total lies between 0 and 30.
#
#            J1 (chair)      J2               J3
#   E1   (8,6) = 22     (9,9) = 27      conflict (its final (0,0) must be ignored)
#   E2   (5,5) = 15     (6,3) = 15      (10,10) = 30
#   E3   (7,8) = 22     (9,9) = 27      (4,3) = 11
#   E4   (2,2) =  6     draft (ignored) (3,0) = 6
SHEET = {
    "E1": {"J1": (8, 6), "J2": (9, 9), "J3": (0, 0)},
    "E2": {"J1": (5, 5), "J2": (6, 3), "J3": (10, 10)},
    "E3": {"J1": (7, 8), "J2": (9, 9), "J3": (4, 3)},
    "E4": {"J1": (2, 2), "J3": (3, 0)},
}


def _build(tie_break=TieBreak.NONE, normalised=False):
    comp = factories.competition(prize_code="OBB")
    j1 = factories.juror(comp, is_chair=True)
    j2 = factories.juror(comp)
    j3 = factories.juror(comp)
    jurors = {"J1": j1, "J2": j2, "J3": j3}
    round_ = factories.jury_round(competition=comp, tie_break=tie_break, rank_by_normalised=normalised,
                           tie_break_position=0 if tie_break == TieBreak.CRITERION else None)
    factories.open_round(round_=round_, jurors=[j1, j2, j3], n=4)
    entries = dict(zip(["E1", "E2", "E3", "E4"], sorted(round_.entries, key=lambda e: e.id)))
    for name, by_juror in SHEET.items():
        for jname, values in by_juror.items():
            factories.score(round_=round_, entry=entries[name], juror=jurors[jname], values=values)
    factories.score(round_=round_, entry=entries["E4"], juror=j2, values=(10, 10), final=False)
    db.session.add(Conflict(application_id=entries["E1"].application_id, juror_id=j3.id,
                            reason="Vorstandsmitglied", declared_by_id=j3.id))
    db.session.flush()
    return round_, entries, jurors


def _rows(result, entries):
    by_id = {r["entry_id"]: r for r in result["rows"]}
    return {name: by_id[e.id] for name, e in entries.items()}


def test_weighted_total_sums_weight_times_points():
    assert ranking.weighted_total({1: 8, 2: 6}, {1: 2, 2: 1}) == 22.0
    assert ranking.weighted_total({1: 8}, {1: 2, 2: 1}) is None


def test_assign_ranks_shares_rank_on_tie_and_skips_the_next():
    ranks = ranking.assign_ranks({"a": (5.0, 0), "b": (5.0, 0), "c": (3.0, 0), "d": (7.0, 0), "e": None})
    assert ranks == {"d": 1, "a": 2, "b": 2, "c": 4, "e": None}


def test_describe_single_value_has_no_standard_deviation():
    assert ranking.describe([12.0]) == {"n": 1, "mean": 12.0, "median": 12.0, "sd": None,
                                        "min": 12.0, "max": 12.0}


def test_ranking_statistics_match_hand_computed_values(app):
    round_, entries, _ = _build()
    rows = _rows(ranking.compute(round_), entries)
    assert rows["E1"]["totals"] == [22.0, 27.0]          # J3's score is left out (conflict)
    assert rows["E1"]["n"] == 2
    assert rows["E1"]["mean"] == 24.5
    assert rows["E1"]["median"] == 24.5
    assert rows["E1"]["sd"] == pytest.approx(math.sqrt(12.5))
    assert (rows["E1"]["min"], rows["E1"]["max"]) == (22.0, 27.0)
    assert rows["E2"]["totals"] == [15.0, 15.0, 30.0]
    assert rows["E2"]["mean"] == 20.0
    assert rows["E2"]["median"] == 15.0
    assert rows["E2"]["sd"] == pytest.approx(math.sqrt(75))
    assert rows["E3"]["totals"] == [11.0, 22.0, 27.0]
    assert rows["E3"]["mean"] == 20.0
    assert rows["E3"]["median"] == 22.0
    assert rows["E3"]["sd"] == pytest.approx(math.sqrt(67))
    assert rows["E4"]["totals"] == [6.0, 6.0]              # J2's draft does not count
    assert rows["E4"]["sd"] == 0.0
    assert rows["E2"]["criterion_means"][str(round_.criteria[0].id)] == pytest.approx(7.0)


def test_ranking_without_tie_break_shows_tie_as_same_rank(app):
    round_, entries, _ = _build()
    result = ranking.compute(round_)
    rows = _rows(result, entries)
    assert {n: r["rank"] for n, r in rows.items()} == {"E1": 1, "E2": 2, "E3": 2, "E4": 4}
    assert rows["E2"]["tie"] is True and rows["E3"]["tie"] is True
    assert rows["E1"]["tie"] is False
    assert [r["code"] for r in result["rows"]][0] == entries["E1"].code


@pytest.mark.parametrize("rule, expected", [
    (TieBreak.MEDIAN, {"E1": 1, "E3": 2, "E2": 3, "E4": 4}),      # median 22 beats 15
    (TieBreak.CRITERION, {"E1": 1, "E2": 2, "E3": 3, "E4": 4}),   # Strahlkraft mean 7 vs 6.67
    (TieBreak.CHAIR, {"E1": 1, "E3": 2, "E2": 3, "E4": 4}),       # chair J1: 22 vs 15
])
def test_ranking_tie_break_rule_decides_tie(app, rule, expected):
    round_, entries, _ = _build(tie_break=rule)
    rows = _rows(ranking.compute(round_), entries)
    assert {n: r["rank"] for n, r in rows.items()} == expected
    assert not any(r["tie"] for r in rows.values())


def test_ranking_normalisation_matches_hand_computed_values(app):
    # Overall: 10 totals, mean 18.1, population SD sqrt(69.29). J2: mean 23, SD sqrt(32).
    # J2/E2: z = (15 - 23) / sqrt(32) = -1.41421 -> 18.1 - 1.41421 * 8.32406 = 6.3280.
    round_, entries, jurors = _build()
    result = ranking.compute(round_)
    per = {(r["juror_id"], r["entry_id"]): r["normalised"] for r in result["juror_totals"]}
    assert per[(jurors["J2"].id, entries["E2"].id)] == pytest.approx(6.3280, abs=1e-4)
    assert per[(jurors["J1"].id, entries["E1"].id)] == pytest.approx(25.3832, abs=1e-4)
    rows = _rows(result, entries)
    assert rows["E1"]["norm_mean"] == pytest.approx(24.6846, abs=1e-4)
    assert rows["E2"]["norm_mean"] == pytest.approx(17.4950, abs=1e-4)
    assert rows["E3"]["norm_mean"] == pytest.approx(21.2373, abs=1e-4)
    assert {n: r["norm_rank"] for n, r in rows.items()} == {"E1": 1, "E3": 2, "E2": 3, "E4": 4}
    assert result["top_places"] == 3
    assert result["top_changed"] is True


def test_ranking_by_normalised_uses_normalised_ranks(app):
    round_, entries, _ = _build(normalised=True)
    result = ranking.compute(round_)
    rows = _rows(result, entries)
    assert result["basis"] == "normalised"
    assert {n: r["rank"] for n, r in rows.items()} == {"E1": 1, "E3": 2, "E2": 3, "E4": 4}
    assert rows["E2"]["raw_rank"] == 2


def test_normalise_clips_to_the_scale_and_maps_flat_juror_to_mean():
    result = ranking.normalise({1: {"a": 0.0, "b": 10.0}, 2: {"a": 5.0, "b": 5.0}}, 0, 10)
    # overall mean 5, population SD sqrt(12.5); juror 1: z = -1 / +1.
    assert result[1]["a"] == pytest.approx(5 - math.sqrt(12.5))
    assert result[1]["b"] == pytest.approx(5 + math.sqrt(12.5))
    assert result[2] == {"a": 5.0, "b": 5.0}
    clipped = ranking.normalise({1: {"a": 0.0, "b": 10.0}, 2: {"a": 10.0, "b": 10.0, "c": 10.0}}, 0, 10)
    assert max(clipped[1].values()) <= 10


def test_disagreement_flag_when_range_is_30_percent_of_scale(app):
    round_, entries, _ = _build()
    rows = _rows(ranking.compute(round_), entries)
    # E2 range 15 and E3 range 16 are >= 9 (30 % of 30); E1 range 5, E4 range 0.
    assert {n: r["disagreement"] for n, r in rows.items()} == {
        "E1": False, "E2": True, "E3": True, "E4": False}


def test_snapshot_is_frozen_when_round_closes(app):
    round_, entries, _ = _build()
    rounds.close_round(actor=None, round_=round_)
    before = ranking.ranking(round_)
    value = db.session.scalars(db.select(ScoreValue)).first()
    value.value = 0
    db.session.flush()
    after = ranking.ranking(round_)
    assert after == before
    assert _rows(after, entries)["E1"]["mean"] == 24.5
    assert ranking.compute(round_) != before  # the live numbers did change


def _count_queries(fn):
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def _round_with(n):
    comp = factories.competition()
    jurors = [factories.juror(comp) for _ in range(3)]
    round_ = factories.open_round(competition=comp, jurors=jurors, n=n)
    for entry in round_.entries:
        for j in jurors:
            factories.score(round_=round_, entry=entry, juror=j, values=(entry.id % 10, 5))
    db.session.commit()
    return round_.id


def test_compute_issues_same_number_of_queries_for_5_and_50_applications(app):
    from awards.models.jury import Round

    small, large = _round_with(5), _round_with(50)
    counts = []
    for round_id in (small, large):
        db.session.expire_all()
        counts.append(_count_queries(lambda: ranking.compute(db.session.get(Round, round_id))))
    assert counts[0] == counts[1]
    assert counts[0] <= 8


# --------------------------------------------------------------------------- larger rankings
#
# The reference below is the straightforward (quadratic) algorithm `compute` used before it
# was made linear: one query of every point, conflicts filtered in Python, and per entry a
# scan of all totals and all sheets. The linear version must give exactly the same dict.

def _reference_ranks(keys):
    ranked = sorted((k for k in keys.values() if k is not None), reverse=True)
    return {item: None if key is None else 1 + sum(1 for other in ranked if other > key)
            for item, key in keys.items()}


def _reference_compute(round_):
    import statistics

    from sqlalchemy import select

    from awards.models.jury import RoundEntry, Score, ScoreStatus
    from awards.services.jury.members import chair_ids

    criteria = list(round_.criteria)
    weights = {c.id: c.weight for c in criteria}
    scale_min = float(sum(c.weight * c.scale_min for c in criteria))
    scale_max = float(sum(c.weight * c.scale_max for c in criteria))
    entries = db.session.execute(
        select(RoundEntry.id, RoundEntry.code, RoundEntry.application_id)
        .where(RoundEntry.round_id == round_.id).order_by(RoundEntry.code)).all()
    conflicts = set(db.session.execute(select(Conflict.application_id, Conflict.juror_id)))
    rows = db.session.execute(
        select(Score.entry_id, Score.juror_id, ScoreValue.round_criterion_id, ScoreValue.value)
        .join(ScoreValue, ScoreValue.score_id == Score.id)
        .where(Score.round_id == round_.id, Score.status == ScoreStatus.FINAL)).all()
    chairs = chair_ids(round_.competition_id) if round_.tie_break == TieBreak.CHAIR else set()
    top_places = sum(c.count for c in round_.competition.categories) or ranking.DEFAULT_TOP_PLACES
    app_of = {e.id: e.application_id for e in entries}
    values = {}
    for entry_id, juror_id, rc_id, value in rows:
        if (app_of.get(entry_id), juror_id) not in conflicts:
            values.setdefault((entry_id, juror_id), {})[rc_id] = value
    totals_by_juror = {}
    for (entry_id, juror_id), vals in values.items():
        total = ranking.weighted_total(vals, weights)
        if total is not None:
            totals_by_juror.setdefault(juror_id, {})[entry_id] = total
    normalised = ranking.normalise(totals_by_juror, scale_min, scale_max)
    result_rows = {}
    for entry_id, code, application_id in entries:
        raw = sorted(t for j in totals_by_juror.values() for e, t in j.items() if e == entry_id)
        norm = [n for j in normalised.values() for e, n in j.items() if e == entry_id]
        stats = ranking.describe(raw)
        crit_means = {}
        for c in criteria:
            points = [vals[c.id] for (e, _j), vals in values.items()
                      if e == entry_id and vals.get(c.id) is not None
                      and ranking.weighted_total(vals, weights) is not None]
            crit_means[str(c.id)] = statistics.fmean(points) if points else None
        chair_total = None
        for juror_id in chairs:
            if entry_id in totals_by_juror.get(juror_id, {}):
                chair_total = totals_by_juror[juror_id][entry_id]
        span = scale_max - scale_min
        result_rows[entry_id] = {
            "entry_id": entry_id, "application_id": application_id, "code": code,
            "totals": raw, **stats,
            "norm_mean": statistics.fmean(norm) if norm else None,
            "norm_median": float(statistics.median(norm)) if norm else None,
            "criterion_means": crit_means, "chair_total": chair_total,
            "disagreement": bool(stats["n"] >= 2 and span > 0 and (stats["max"] - stats["min"])
                                 >= ranking.DISAGREEMENT_SHARE * span),
        }

    def tie_value(row, basis):
        rule = round_.tie_break
        if rule == TieBreak.MEDIAN:
            return ranking._r(row["norm_median"] if basis == "normalised" else row["median"])
        if rule == TieBreak.CRITERION:
            value = row["criterion_means"].get(str(round_.tie_break_criterion_id))
            return ranking._r(value) if value is not None else -math.inf
        if rule == TieBreak.CHAIR:
            return ranking._r(row["chair_total"]) if row["chair_total"] is not None else -math.inf
        return 0

    def keys(basis):
        field = "norm_mean" if basis == "normalised" else "mean"
        return {eid: None if row[field] is None else (ranking._r(row[field]), tie_value(row, basis))
                for eid, row in result_rows.items()}

    raw_ranks, norm_ranks = _reference_ranks(keys("raw")), _reference_ranks(keys("normalised"))
    basis = "normalised" if round_.rank_by_normalised else "raw"
    ranks = norm_ranks if basis == "normalised" else raw_ranks
    counts = {}
    for r in ranks.values():
        counts[r] = counts.get(r, 0) + 1
    for eid, row in result_rows.items():
        row.update(raw_rank=raw_ranks[eid], norm_rank=norm_ranks[eid], rank=ranks[eid],
                   tie=ranks[eid] is not None and counts[ranks[eid]] > 1)
    top_changed = any(
        row["raw_rank"] != row["norm_rank"] for row in result_rows.values()
        if (row["raw_rank"] is not None and row["raw_rank"] <= top_places)
        or (row["norm_rank"] is not None and row["norm_rank"] <= top_places))
    return {
        "round_id": round_.id, "basis": basis, "tie_break": round_.tie_break.value,
        "scale": [scale_min, scale_max], "top_places": top_places, "top_changed": top_changed,
        "rows": sorted(result_rows.values(), key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"])),
        "juror_totals": sorted(
            ({"entry_id": e, "juror_id": j, "raw": t, "normalised": normalised[j][e]}
             for j, by_entry in totals_by_juror.items() for e, t in by_entry.items()),
            key=lambda r: (r["entry_id"], r["juror_id"])),
        "criteria": [{"id": c.id, "name": c.name, "weight": c.weight,
                      "scale_min": c.scale_min, "scale_max": c.scale_max} for c in criteria],
    }


def _large_round(n_entries=300, n_jurors=6, seed=20261126):
    """n_entries × n_jurors sheets with coarse points (many ties), and the cases the ranking
    must leave out or treat specially: drafts, incomplete sheets, conflicts (with a final
    sheet of the conflicted juror), entries without any score, a juror with one score only
    and a juror who gives everybody the same points."""
    import random

    from awards.models.jury import Score, ScoreStatus

    rng = random.Random(seed)
    comp = factories.competition(prize_code="OBB")
    jurors = [factories.juror(comp, is_chair=i in (0, 3)) for i in range(n_jurors)]
    lone, flat = factories.juror(comp), factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=jurors + [lone, flat], n=n_entries)
    criteria = list(round_.criteria)
    entries = sorted(round_.entries, key=lambda e: e.id)
    unscored = set(rng.sample(range(n_entries), 7))
    for i, entry in enumerate(entries):
        if i in unscored:
            continue
        for j, juror in enumerate(jurors):
            if rng.random() < 0.15:
                continue  # not scored by this juror
            # Coarse points around an entry-specific level, so means tie often.
            level = 2 + (i * 7) % 7
            points = [min(10, max(0, level + rng.choice((-1, 0, 0, 1)) + j % 2)) for _ in criteria]
            status = ScoreStatus.FINAL
            if rng.random() < 0.05:
                status = ScoreStatus.DRAFT
            elif rng.random() < 0.04:
                points[rng.randrange(len(points))] = None  # incomplete: not counted
            score = Score(round_id=round_.id, entry_id=entry.id, juror_id=juror.id, status=status)
            score.values = [ScoreValue(round_criterion_id=c.id, value=p)
                            for c, p in zip(criteria, points)]
            db.session.add(score)
        db.session.add(Score(round_id=round_.id, entry_id=entry.id, juror_id=flat.id,
                             status=ScoreStatus.FINAL,
                             values=[ScoreValue(round_criterion_id=c.id, value=6) for c in criteria]))
        if i % 37 == 5:
            db.session.add(Conflict(application_id=entry.application_id, juror_id=jurors[1].id,
                                    reason="Mitglied im Verein", declared_by_id=jurors[1].id))
    db.session.add(Score(round_id=round_.id, entry_id=entries[1].id, juror_id=lone.id,
                         status=ScoreStatus.FINAL,
                         values=[ScoreValue(round_criterion_id=c.id, value=9) for c in criteria]))
    db.session.flush()
    return round_


def _without_timestamp(result):
    return {k: v for k, v in result.items() if k != "computed_at"}


def test_large_ranking_equals_the_straightforward_computation(app):
    round_ = _large_round()
    for rule in (TieBreak.NONE, TieBreak.MEDIAN, TieBreak.CRITERION, TieBreak.CHAIR):
        for normalised in (False, True):
            round_.tie_break, round_.rank_by_normalised = rule, normalised
            round_.tie_break_criterion_id = (round_.criteria[1].id if rule == TieBreak.CRITERION
                                             else None)
            expected = _reference_compute(round_)
            result = _without_timestamp(ranking.compute(round_))
            assert result == expected, (rule, normalised)
            # Exactly equal floats, not merely close ones.
            assert repr(result["rows"]) == repr(expected["rows"]), (rule, normalised)
            ranks = [r["rank"] for r in result["rows"]]
            assert ranks.count(None) >= 7
            if rule == TieBreak.NONE:
                assert any(r["tie"] for r in result["rows"])  # the data does produce ties
    assert any(r["raw_rank"] != r["norm_rank"] for r in result["rows"])


def test_assign_ranks_equals_the_pairwise_count():
    import random

    rng = random.Random(7)
    for _ in range(50):
        keys = {i: None if rng.random() < 0.1 else
                (float(rng.randint(0, 5)), rng.choice((0, -math.inf, float(rng.randint(0, 3)))))
                for i in range(rng.randint(0, 80))}
        assert ranking.assign_ranks(keys) == _reference_ranks(keys)
