"""Aggregation and ranking of a round, computed in one pass over one query of scores.

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

from sqlalchemy import select

from awards.extensions import db
from awards.models.base import utcnow
from awards.models.jury import Conflict, RoundEntry, RoundStatus, Score, ScoreStatus, ScoreValue, TieBreak

# A difference of totals above this share of the possible range is flagged as disagreement.
DISAGREEMENT_SHARE = 0.3
DEFAULT_TOP_PLACES = 3
_PRECISION = 9


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
    a rank and the following rank is skipped; None (no scores) gets no rank."""
    ranked = sorted((k for k in keys.values() if k is not None), reverse=True)
    ranks = {}
    for item, key in keys.items():
        if key is None:
            ranks[item] = None
        else:
            ranks[item] = 1 + sum(1 for other in ranked if other > key)
    return ranks


def compute(round_, *, top_places=None):
    """The live ranking of a round as a JSON-able dict (a bounded number of queries)."""
    criteria = list(round_.criteria)
    weights = {c.id: c.weight for c in criteria}
    scale_min = float(sum(c.weight * c.scale_min for c in criteria))
    scale_max = float(sum(c.weight * c.scale_max for c in criteria))
    entries = db.session.execute(
        select(RoundEntry.id, RoundEntry.code, RoundEntry.application_id)
        .where(RoundEntry.round_id == round_.id).order_by(RoundEntry.code)).all()
    app_ids = select(RoundEntry.application_id).where(RoundEntry.round_id == round_.id)
    conflicts = set(db.session.execute(
        select(Conflict.application_id, Conflict.juror_id).where(Conflict.application_id.in_(app_ids))))
    rows = db.session.execute(
        select(Score.entry_id, Score.juror_id, ScoreValue.round_criterion_id, ScoreValue.value)
        .join(ScoreValue, ScoreValue.score_id == Score.id)
        .where(Score.round_id == round_.id, Score.status == ScoreStatus.FINAL)).all()
    chairs = set()
    if round_.tie_break == TieBreak.CHAIR:
        from awards.services.scoring import chair_ids

        chairs = chair_ids(round_.competition_id)
    if top_places is None:
        top_places = sum(c.count for c in round_.competition.categories) or DEFAULT_TOP_PLACES

    app_of = {e.id: e.application_id for e in entries}
    values = {}  # (entry_id, juror_id) -> {rc_id: value}
    for entry_id, juror_id, rc_id, value in rows:
        if (app_of.get(entry_id), juror_id) in conflicts:
            continue
        values.setdefault((entry_id, juror_id), {})[rc_id] = value
    totals_by_juror = {}
    for (entry_id, juror_id), vals in values.items():
        total = weighted_total(vals, weights)
        if total is not None:
            totals_by_juror.setdefault(juror_id, {})[entry_id] = total
    normalised = normalise(totals_by_juror, scale_min, scale_max)

    result_rows = {}
    for entry_id, code, application_id in entries:
        raw = sorted(t for j in totals_by_juror.values() for e, t in j.items() if e == entry_id)
        norm = [n for j in normalised.values() for e, n in j.items() if e == entry_id]
        stats = describe(raw)
        crit_means = {}
        for c in criteria:
            points = [vals[c.id] for (e, _j), vals in values.items()
                      if e == entry_id and vals.get(c.id) is not None
                      and weighted_total(vals, weights) is not None]
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


def ranking(round_):
    """What the ranking page and the exports show: the frozen snapshot once the round is
    closed, otherwise the live computation."""
    if round_.status == RoundStatus.CLOSED and round_.snapshot:
        return round_.snapshot
    return compute(round_)
