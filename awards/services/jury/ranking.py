"""Aggregation and ranking of a round: one GROUP BY query gives the weighted total and the
points per criterion of every sheet; everything else is one linear pass over those rows.

Per juror and entry the weighted total is Σ weight × points (the Gesamtpunktzahl).
Per entry: number of scores, mean, median, sample standard deviation, min and max of the
totals of FINAL scores by jurors without a conflict for that application.

Optional per-juror z-score normalisation: z = (total − juror mean) / juror SD (population),
rescaled to the scale as overall mean + z × overall SD (population) and clipped to the
possible range; a juror with fewer than two scores or no spread maps to the overall mean.

Ties are ties: entries with equal values (after the tie-break rule configured before the
round opened) share a rank, the next rank is skipped ("1, 2, 2, 4").
"""
import math
import statistics
from bisect import bisect_right
from functools import lru_cache

from sqlalchemy import bindparam, case, func, select, true
from sqlalchemy.orm.attributes import set_committed_value

from awards.adapters.cache import get_cache
from awards.cachekeys import CacheInputs
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.competitions import PrizeCategory
from awards.models.jury import (Conflict, RoundCriterion, RoundEntry, RoundStatus, Score,
                                ScoreStatus, ScoreValue, TieBreak)
from awards.services.jury.members import chair_ids

# A difference of totals above this share of the possible range is flagged as disagreement.
DISAGREEMENT_SHARE = 0.3
DEFAULT_TOP_PLACES = 3
_PRECISION = 9

# What the live ranking reads (tests/unit/test_cache_inputs.py holds compute() to it and
# changes each column to see `fingerprint` move). Ids, foreign keys and entry codes are
# never changed in place: a new or deleted row is the change, seen by counts and newest ids.
INPUTS = CacheInputs(
    "ranking",
    tables={
        "jury_rounds": {"id", "competition_id", "status", "tie_break", "tie_break_criterion_id",
                        "rank_by_normalised"},
        "jury_round_criteria": {"id", "round_id", "position", "name", "weight", "scale_min",
                                "scale_max"},
        "jury_round_entries": {"id", "round_id", "application_id", "code"},
        "jury_scores": {"id", "round_id", "entry_id", "juror_id", "status", "version"},
        "jury_score_values": {"score_id", "round_criterion_id", "value"},
        "jury_conflicts": {"id", "application_id", "juror_id"},
        "competitions": {"id"},
        "prize_categories": {"competition_id", "rank", "count"},
        "criteria": {"competition_id", "position"},
        "role_assignments": {"user_id", "role", "competition_id", "is_chair"},
    },
    fixed={"jury_rounds.id", "jury_rounds.competition_id", "jury_round_criteria.id",
           "jury_round_criteria.round_id", "jury_round_entries.id", "jury_round_entries.round_id",
           "jury_round_entries.application_id", "jury_round_entries.code", "jury_scores.id",
           "jury_scores.round_id", "jury_scores.entry_id", "jury_scores.juror_id",
           "jury_score_values.score_id", "jury_score_values.round_criterion_id",
           "jury_conflicts.id", "jury_conflicts.application_id", "jury_conflicts.juror_id",
           "competitions.id", "prize_categories.competition_id", "criteria.competition_id",
           "role_assignments.user_id", "role_assignments.role", "role_assignments.competition_id"},
    # Order only: the categories' rank and the competition's criteria order what is loaded,
    # never what is computed.
    order_only={"prize_categories.rank", "criteria.position"},
    # Every save of a score's values raises the score's version (optimistic lock).
    witnesses={"jury_score_values.value": "jury_scores.version"},
    context=("source", "format"),
)


def _r(x):
    return None if x is None else round(x, _PRECISION)


def weighted_total(values, weights):
    """values: {rc_id: points}; weights: {rc_id: weight} -> Σ w × v (None if incomplete)."""
    if any(values.get(rc) is None for rc in weights):
        return None
    return float(sum(weights[rc] * values[rc] for rc in weights))


def describe(totals):
    """n, mean, median, sample SD (None below two values), min, max."""
    n = len(totals)
    if n == 0:
        return {"n": 0, "mean": None, "median": None, "sd": None, "min": None, "max": None}
    return {
        "n": n,
        "mean": statistics.fmean(totals),
        "median": float(statistics.median(totals)),
        "sd": statistics.stdev(totals) if n >= 2 else None,
        "min": min(totals),
        "max": max(totals),
    }


def normalise(totals_by_juror, scale_min, scale_max):
    """{juror_id: {entry_id: total}} -> {juror_id: {entry_id: normalised total}}."""
    everything = [t for by_entry in totals_by_juror.values() for t in by_entry.values()]
    if not everything:
        return {}
    grand_mean = statistics.fmean(everything)
    grand_sd = statistics.pstdev(everything) if len(everything) > 1 else 0.0
    result = {}
    for juror_id, by_entry in totals_by_juror.items():
        values = list(by_entry.values())
        mu = statistics.fmean(values)
        sd = statistics.pstdev(values) if len(values) > 1 else 0.0
        result[juror_id] = {}
        for entry_id, total in by_entry.items():
            z = (total - mu) / sd if sd > 0 else 0.0
            result[juror_id][entry_id] = min(scale_max, max(scale_min, grand_mean + z * grand_sd))
    return result


def assign_ranks(keys):
    """keys: {item: comparable tuple or None} -> {item: rank or None}; equal keys share
    a rank and the following rank is skipped; None (no scores) gets no rank.

    The rank is 1 + the number of strictly greater keys, found by bisecting the sorted keys
    (n log n instead of comparing every pair)."""
    ranked = sorted(k for k in keys.values() if k is not None)
    n = len(ranked)
    return {item: None if key is None else 1 + n - bisect_right(ranked, key)
            for item, key in keys.items()}


def _complete_sheets(round_, criteria):
    """[(entry_id, juror_id, weighted total, [points per criterion])] of the complete FINAL
    sheets of jurors without a conflict for the entry's application: one GROUP BY query,
    one row per sheet.

    Totals are sums of integer weight × integer points, so the database sum is exact and
    equal to the sum in Python. A sheet is complete when every criterion of the round has
    points; values for criteria of other rounds are ignored. The points per criterion come
    as one column per criterion (at most one value per sheet and criterion)."""
    counted = case((RoundCriterion.id.is_not(None) & ScoreValue.value.is_not(None), 1))
    per_criterion = [func.max(case((ScoreValue.round_criterion_id == c.id, ScoreValue.value)))
                     for c in criteria]
    rows = db.session.execute(
        select(Score.entry_id, Score.juror_id,
               func.sum(RoundCriterion.weight * ScoreValue.value), func.count(counted),
               *per_criterion)
        .join(ScoreValue, ScoreValue.score_id == Score.id)
        .outerjoin(RoundCriterion, (RoundCriterion.id == ScoreValue.round_criterion_id)
                   & (RoundCriterion.round_id == round_.id))
        .where(Score.round_id == round_.id, Score.status == ScoreStatus.FINAL,
               ~_conflicted(Score))
        .group_by(Score.entry_id, Score.juror_id)).all()
    return [(entry_id, juror_id, float(total or 0), points)
            for entry_id, juror_id, total, count, *points in rows if count == len(criteria)]


def _conflicted(score):
    """SQL condition: the juror of `score` has a conflict for the entry's application."""
    return (select(Conflict.id)
            .join(RoundEntry, RoundEntry.application_id == Conflict.application_id)
            .where(RoundEntry.id == score.entry_id, Conflict.juror_id == score.juror_id)
            .exists())


def compute(round_, *, top_places=None):
    """The live ranking of a round as a JSON-able dict.

    A constant number of queries, and linear work in the number of sheets and entries
    (n log n for the ranks): the weighted total and the points per criterion of each sheet
    are aggregated in SQL; criterion means, spread, medians and normalisation (no portable
    SQL for the latter) are computed here from those rows, grouped once by entry."""
    criteria = list(round_.criteria)
    scale_min = float(sum(c.weight * c.scale_min for c in criteria))
    scale_max = float(sum(c.weight * c.scale_max for c in criteria))
    entries = db.session.execute(
        select(RoundEntry.id, RoundEntry.code, RoundEntry.application_id)
        .where(RoundEntry.round_id == round_.id).order_by(RoundEntry.code)).all()
    sheets = _complete_sheets(round_, criteria)
    chairs = set()
    if round_.tie_break == TieBreak.CHAIR:
        chairs = chair_ids(round_.competition_id)
    if top_places is None:
        top_places = sum(c.count for c in round_.competition.categories) or DEFAULT_TOP_PLACES

    totals_by_juror = {}
    points_by_entry = {}  # entry_id -> [number of sheets, [sum of points per criterion]]
    for entry_id, juror_id, total, points in sheets:
        totals_by_juror.setdefault(juror_id, {})[entry_id] = total
        acc = points_by_entry.setdefault(entry_id, [0, [0] * len(criteria)])
        acc[0] += 1
        acc[1] = [a + p for a, p in zip(acc[1], points)]
    normalised = normalise(totals_by_juror, scale_min, scale_max)
    raw_by_entry, norm_by_entry = {}, {}
    for juror_id, by_entry in totals_by_juror.items():
        for entry_id, total in by_entry.items():
            raw_by_entry.setdefault(entry_id, []).append(total)
            norm_by_entry.setdefault(entry_id, []).append(normalised[juror_id][entry_id])

    span = scale_max - scale_min
    result_rows = {}
    for entry_id, code, application_id in entries:
        raw = sorted(raw_by_entry.get(entry_id, ()))
        norm = norm_by_entry.get(entry_id, [])
        stats = describe(raw)
        # statistics.fmean of integer points is their exact sum / count.
        count, sums = points_by_entry.get(entry_id, (0, [None] * len(criteria)))
        crit_means = {str(c.id): float(sums[i]) / count if count else None
                      for i, c in enumerate(criteria)}
        chair_total = None
        for juror_id in chairs:
            if entry_id in totals_by_juror.get(juror_id, {}):
                chair_total = totals_by_juror[juror_id][entry_id]
        result_rows[entry_id] = {
            "entry_id": entry_id, "application_id": application_id, "code": code,
            "totals": raw, **stats,
            "norm_mean": statistics.fmean(norm) if norm else None,
            "norm_median": float(statistics.median(norm)) if norm else None,
            "criterion_means": crit_means,
            "chair_total": chair_total,
            "disagreement": bool(stats["n"] >= 2 and span > 0
                                 and (stats["max"] - stats["min"]) >= DISAGREEMENT_SHARE * span),
        }

    def tie_value(row, basis):
        rule = round_.tie_break
        if rule == TieBreak.MEDIAN:
            return _r(row["norm_median"] if basis == "normalised" else row["median"])
        if rule == TieBreak.CRITERION:
            value = row["criterion_means"].get(str(round_.tie_break_criterion_id))
            return _r(value) if value is not None else -math.inf
        if rule == TieBreak.CHAIR:
            return _r(row["chair_total"]) if row["chair_total"] is not None else -math.inf
        return 0

    def keys(basis):
        field = "norm_mean" if basis == "normalised" else "mean"
        return {eid: (None if row[field] is None else (_r(row[field]), tie_value(row, basis)))
                for eid, row in result_rows.items()}

    raw_ranks = assign_ranks(keys("raw"))
    norm_ranks = assign_ranks(keys("normalised"))
    basis = "normalised" if round_.rank_by_normalised else "raw"
    ranks = norm_ranks if basis == "normalised" else raw_ranks
    rank_counts = {}
    for r in ranks.values():
        if r is not None:
            rank_counts[r] = rank_counts.get(r, 0) + 1
    for eid, row in result_rows.items():
        row["raw_rank"] = raw_ranks[eid]
        row["norm_rank"] = norm_ranks[eid]
        row["rank"] = ranks[eid]
        row["tie"] = row["rank"] is not None and rank_counts[row["rank"]] > 1
    top_changed = any(
        row["raw_rank"] != row["norm_rank"]
        for row in result_rows.values()
        if (row["raw_rank"] is not None and row["raw_rank"] <= top_places)
        or (row["norm_rank"] is not None and row["norm_rank"] <= top_places)
    )
    ordered = sorted(result_rows.values(),
                     key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    juror_totals = [
        {"entry_id": e, "juror_id": j, "raw": t, "normalised": normalised[j][e]}
        for j, by_entry in totals_by_juror.items() for e, t in by_entry.items()
    ]
    return {
        "round_id": round_.id,
        "basis": basis,
        "tie_break": round_.tie_break.value,
        "scale": [scale_min, scale_max],
        "top_places": top_places,
        "top_changed": top_changed,
        "rows": ordered,
        "juror_totals": sorted(juror_totals, key=lambda r: (r["entry_id"], r["juror_id"])),
        "criteria": [{"id": c.id, "name": c.name, "weight": c.weight,
                      "scale_min": c.scale_min, "scale_max": c.scale_max} for c in criteria],
        "computed_at": utcnow().isoformat(),
    }


def _jsonable(data):
    """Infinity is not JSON: tie-break placeholders are only used while ranking."""
    if isinstance(data, float) and math.isinf(data):
        return None
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_jsonable(v) for v in data]
    return data


def freeze(round_):
    """The snapshot stored when the round closes."""
    snapshot = compute(round_)
    snapshot["frozen_at"] = utcnow().isoformat()
    return _jsonable(snapshot)


@lru_cache(maxsize=None)
def _fingerprint_statement():
    """The aggregates of the fingerprint; parameters round_id and competition_id. Built
    once: it runs on every view of a live ranking, and building it cost more than running
    it."""
    round_id = bindparam("round_id")
    app_ids = select(RoundEntry.application_id).where(RoundEntry.round_id == round_id)
    # One pass over each table: all aggregates of a table come from the same scan.
    scores = select(func.count(Score.id).label("scores"),
                    func.coalesce(func.sum(Score.version), 0).label("versions"),
                    func.max(Score.id).label("newest_score")) \
        .where(Score.round_id == round_id, Score.status == ScoreStatus.FINAL).subquery()
    conflicts = select(func.count(Conflict.id).label("conflicts"),
                       func.max(Conflict.id).label("newest_conflict")) \
        .where(Conflict.application_id.in_(app_ids)).subquery()
    entries = select(func.count(RoundEntry.id).label("entries"),
                     func.max(RoundEntry.id).label("newest_entry")) \
        .where(RoundEntry.round_id == round_id).subquery()
    # The places the prize categories award (the only thing of them the ranking reads).
    places = select(func.coalesce(func.sum(PrizeCategory.count), 0).label("places")) \
        .where(PrizeCategory.competition_id == bindparam("competition_id")).subquery()
    # Each is one row: joined on TRUE (a cross join, written out so it is not taken for a
    # forgotten join condition). The round's criteria come along, one row each (the
    # aggregates repeated), so that reading them costs no statement of their own.
    return (select(RoundCriterion, scores, conflicts, entries, places)
            .select_from(scores.join(conflicts, true()).join(entries, true())
                         .join(places, true())
                         .outerjoin(RoundCriterion, RoundCriterion.round_id == round_id))
            .order_by(RoundCriterion.position, RoundCriterion.id))


def fingerprint(round_):
    """Everything the live ranking depends on, in one statement (one scan of each table)
    plus the round's own rows.

    Final scores: their number, the sum of their versions (every save of a score raises its
    version, so any change moves the sum) and the newest id; conflicts and entries: number
    and newest id (neither is ever edited in place); the places of the prize categories;
    the criteria and settings of the round as loaded; the chairs when they break ties.
    """
    rows = db.session.execute(_fingerprint_statement(), {
        "round_id": round_.id, "competition_id": round_.competition_id}).all()
    row = rows[0][1:]
    set_committed_value(round_, "criteria", [r[0] for r in rows if r[0] is not None])
    settings = (round_.id, round_.status.value, round_.tie_break.value,
                round_.tie_break_criterion_id, round_.rank_by_normalised,
                [(c.id, c.position, c.name, c.weight, c.scale_min, c.scale_max)
                 for c in round_.criteria])
    chairs = ()
    if round_.tie_break == TieBreak.CHAIR:
        chairs = sorted(chair_ids(round_.competition_id))
    return repr((tuple(row), settings, chairs))


LIVE_TTL = 3600


def _cache_key(key):
    """The stored entry's name: `key` (from INPUTS) plus a part (head, a page of rows)."""
    import hashlib

    return "ranking:" + hashlib.sha256(key.encode()).hexdigest()


def _load(key):
    import marshal

    cached = get_cache().get(_cache_key(key))
    if cached is None:
        return None
    try:
        return marshal.loads(cached)
    except (EOFError, ValueError, TypeError):
        return None  # a damaged entry counts as none


def _store(key, data, ttl):
    import marshal

    get_cache().set(_cache_key(key), marshal.dumps(data), ttl=ttl)


def _cached(key, make, ttl):
    data = _load(key)
    if data is not None:
        return data
    data = make()
    if data:
        _store(key, data, ttl)
    return data


def _for_views(data):
    """Each juror's totals belong in the frozen record; the views never show them, and
    they are most of the weight (one item per score sheet)."""
    return {k: v for k, v in data.items() if k != "juror_totals"} if data else data


def _sources(round_):
    """(cache key, computation) of the ranking the views show, in order of preference: the
    frozen snapshot once the round is closed (under the round and the instant it was
    closed; it never changes after), then the live computation under the round's
    fingerprint, so it is computed once per change of the scores, not once per view. The
    fingerprint is only read when there is no snapshot."""
    import marshal

    # marshal: plain dicts, lists and numbers, loaded several times faster than JSON and
    # without pickle's power to run code; its format is part of every key.
    if round_.status == RoundStatus.CLOSED:
        closed = round_.closed_at.isoformat() if round_.closed_at else ""
        yield (INPUTS.key(source="snapshot", format=marshal.version, data=(round_.id, closed)),
               lambda: _for_views(round_.snapshot))
    yield (INPUTS.key(source="live", format=marshal.version, data=fingerprint(round_)),
           lambda: _for_views(compute(round_)))


def ranking(round_):
    """The whole ranking (snapshot or live), for the exports, the minutes and advancing."""
    for key, make in _sources(round_):
        data = _cached(key, make, ttl=LIVE_TTL)
        if data:
            return data


class RankingPage:
    """One page of the ranking table: `key` names the ranking (it changes with every change
    of the ranking), `head` its summary (everything but the rows, plus `total`), `number`
    the page shown, `index` the page's rows as (entry id, code, application id), and
    `rows()` the rows themselves, read from the cache only when asked for (the rendered
    rows are usually kept, and a page of rows is some 70 kB to load)."""

    __slots__ = ("key", "head", "number", "index", "_rows", "_load_rows")

    def __init__(self, key, head, number, index, rows=None, load_rows=None):
        self.key, self.head, self.number, self.index = key, head, number, index
        self._rows, self._load_rows = rows, load_rows

    def rows(self):
        if self._rows is None:
            self._rows = self._load_rows()
        return self._rows


def _page_index(rows):
    return [(r["entry_id"], r["code"], r["application_id"]) for r in rows]


def ranking_page_index(round_, number, per_page):
    """The RankingPage `number` (past the end: the last page) of `per_page` rows.

    The cache keeps the summary, and for each page its rows and its index, as entries of
    their own beside the whole ranking, so a view loads one page's index, not 3,000 rows."""
    def clamp(total):
        return min(max(number, 1), max(1, math.ceil(total / per_page)))

    for key, make in _sources(round_):
        head = _load(f"{key}:head")
        if head is not None:
            n = clamp(head["total"])
            index = _load(f"{key}:index:{per_page}:{n}")
            if index is not None:
                def load_rows(key=key, make=make, n=n):
                    rows = _load(f"{key}:rows:{per_page}:{n}")
                    if rows is None:  # gone from the cache since: from the whole ranking
                        whole = _cached(key, make, ttl=LIVE_TTL) or {}
                        rows = whole.get("rows", [])[(n - 1) * per_page:n * per_page]
                    return rows

                return RankingPage(key, head, n, [tuple(i) for i in index],
                                   load_rows=load_rows)
        data = _cached(key, make, ttl=LIVE_TTL)
        if not data:
            continue
        rows = data["rows"]
        pages = max(1, math.ceil(len(rows) / per_page))
        for page in range(1, pages + 1):
            chunk = rows[(page - 1) * per_page:page * per_page]
            _store(f"{key}:rows:{per_page}:{page}", chunk, LIVE_TTL)
            _store(f"{key}:index:{per_page}:{page}", _page_index(chunk), LIVE_TTL)
        head = {k: v for k, v in data.items() if k != "rows"}
        head["total"] = len(rows)
        _store(f"{key}:head", head, LIVE_TTL)
        n = clamp(len(rows))
        chunk = rows[(n - 1) * per_page:n * per_page]
        return RankingPage(key, head, n, _page_index(chunk), rows=chunk)
