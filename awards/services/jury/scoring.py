"""Bewertungsbögen: the one access rule for jurors, saving and finalising scores,
conflicts of interest, progress and reminders."""
import logging
from functools import lru_cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from awards import permissions
from awards.extensions import db
from awards.i18n import _l
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.jury import (Assignment, Conflict, Round, RoundCriterion, RoundEntry,
                                RoundStatus, Score, ScoreStatus, ScoreValue)
from awards.models.users import User
from awards.services import audit, mail
from awards.services.jury.members import competition_jurors
from awards.errors import DomainError, StaleObjectError

log = logging.getLogger("awards.scoring")


class ScoringError(DomainError):
    """A score sheet that cannot be saved; `field_errors` maps criteria to their message."""

    def __init__(self, message, field_errors=None):
        super().__init__(message)
        self.field_errors = field_errors or {}


class StaleScore(StaleObjectError, ScoringError):
    pass


# --------------------------------------------------------------------------- access

def _judged_competitions(juror):
    """Ids of the competitions the juror judges, as a list for an expanding parameter."""
    return sorted(permissions.juror_competition_ids(juror) - {None})


@lru_cache(maxsize=None)
def _juror_rounds_statement():
    # Built once (see _scorable_statements); parameter: the competitions.
    return (select(Round).where(Round.competition_id.in_(bindparam("competitions",
                                                                   expanding=True)))
            # The lists name the competition only (its categories and criteria load when read).
            .options(joinedload(Round.competition))
            .order_by(Round.competition_id.desc(), Round.position))


def juror_rounds(juror):
    """Rounds of the competitions this user juries, newest first."""
    ids = _judged_competitions(juror)
    if not ids:
        return []
    return db.session.scalars(_juror_rounds_statement(), {"competitions": ids}).all()


def visible_entries_query(*, juror, round_, now=None):
    """The select of the entries the juror may load in this round (assigned, not
    conflicted, round open), ordered by code; None if there are none (for paging)."""
    if (round_.competition_id not in permissions.juror_competition_ids(juror)
            or not round_.accepts_scores(now)):
        return None
    conflicted = select(Conflict.id).where(Conflict.juror_id == juror.id,
                                           Conflict.application_id == RoundEntry.application_id)
    return (
        select(RoundEntry)
        .join(Assignment, Assignment.entry_id == RoundEntry.id)
        .where(RoundEntry.round_id == round_.id, Assignment.juror_id == juror.id,
               ~conflicted.exists())
        .options(selectinload(RoundEntry.application).selectinload(Application.attachments))
        .order_by(RoundEntry.code)
    )


def visible_entries(*, juror, round_, now=None):
    """Entries the juror may load in this round: assigned, not conflicted, round open."""
    query = visible_entries_query(juror=juror, round_=round_, now=now)
    return [] if query is None else db.session.scalars(query).all()


# The statements of a juror's own pages are built once (on first use, when every model is
# mapped) with their values as parameters: building a statement and its cache key costs
# SQLAlchemy more than running it, and these run on every score sheet.

@lru_cache(maxsize=None)
def _scorable_statements():
    """(entry with its round, entry with round and application, entry id only): the entry
    with the given code in a round of a competition the juror judges, assigned to the juror
    and without a declared conflict. Parameters: juror_id, round_id, code, competitions."""
    juror_id = bindparam("juror_id")
    conflicted = select(Conflict.id).where(Conflict.application_id == RoundEntry.application_id,
                                           Conflict.juror_id == juror_id)
    scorable = (
        select(RoundEntry)
        .join(Round, Round.id == RoundEntry.round_id)
        .join(Assignment, (Assignment.entry_id == RoundEntry.id) & (Assignment.juror_id == juror_id))
        .where(RoundEntry.round_id == bindparam("round_id"),
               Round.competition_id.in_(bindparam("competitions", expanding=True)),
               RoundEntry.code == bindparam("code"), ~conflicted.exists())
    )
    with_round = scorable.options(contains_eager(RoundEntry.round))
    # The attachments in the same statement: an application has a few, and a second
    # statement cost more than repeating the application's columns for each.
    with_application = with_round.options(
        joinedload(RoundEntry.application).joinedload(Application.attachments))
    return with_round, with_application, scorable.with_only_columns(RoundEntry.id).limit(1)


def _scorable_parameters(juror, round_id, code):
    """The parameters of the statements above; None if the juror judges no competition."""
    competitions = _judged_competitions(juror)
    if not competitions:
        return None
    return {"juror_id": juror.id, "round_id": round_id, "code": code,
            "competitions": competitions}


def _may_score(juror, entry, now=None):
    """Whether the juror may load and score the entry now (round open, assigned, no
    conflict declared): the rule of `juror_entry`, asked with one statement that loads
    nothing, for services that already hold the entry."""
    if not entry.round.accepts_scores(now):
        return False
    parameters = _scorable_parameters(juror, entry.round_id, entry.code)
    return parameters is not None and db.session.scalar(
        _scorable_statements()[2], parameters) is not None


def juror_entry(*, juror, round_id, code, now=None, with_application=True):
    """The entry with this code if the juror may load it now, else None (the view answers
    404 in every case, so nobody learns whether the entry exists). One statement, with its
    round and (unless `with_application` is false: saving a score does not show it) its
    application with its attachments."""
    parameters = _scorable_parameters(juror, round_id, code)
    if parameters is None:
        return None
    with_round, with_application_too, _ids = _scorable_statements()
    statement = with_application_too if with_application else with_round
    # All rows (one per attachment), so that the attachments are complete.
    entry = next(iter(db.session.scalars(statement, parameters).unique().all()), None)
    if entry is None or not entry.round.accepts_scores(now):
        return None
    return entry


@lru_cache(maxsize=None)
def _score_statement():
    return (select(Score).where(Score.entry_id == bindparam("entry_id"),
                                Score.juror_id == bindparam("juror_id"))
            .options(joinedload(Score.values)))


def score_of(*, juror, entry):
    return db.session.scalars(
        _score_statement(), {"entry_id": entry.id, "juror_id": juror.id}).unique().first()


# --------------------------------------------------------------------------- scores

def _values_snapshot(score, criteria):
    by_id = score.value_map()
    snap = {c.name: (by_id[c.id].value if c.id in by_id else None) for c in criteria}
    snap.update({f"{c.name} (Anmerkung)": by_id[c.id].comment for c in criteria
                 if c.id in by_id and by_id[c.id].comment})
    snap["Gesamtanmerkung"] = score.comment
    snap["Status"] = score.status.value
    return snap


def save_score(*, actor, entry, values, comment="", finalise=False, version=None, now=None):
    """Save a Bewertungsbogen. values: {round_criterion_id: (value or None, comment)}.

    Drafts may be incomplete; finalising needs a value for every criterion. A final score
    stays final and may still be changed until the round closes; every change is audited
    with old and new values. `version` is the version the juror saw (optimistic lock)."""
    round_ = entry.round
    if not round_.accepts_scores(now):
        raise ScoringError(_l("Die Runde ist geschlossen. Bewertungen können nicht mehr "
                              "geändert werden."))
    if not _may_score(actor, entry, now):
        raise ScoringError(_l("Sie können diese Bewerbung nicht bewerten."))
    criteria = round_.criteria
    errors = {}
    clean = {}
    for c in criteria:
        value, text = values.get(c.id, (None, ""))
        if value is not None and not (c.scale_min <= value <= c.scale_max):
            errors[c.id] = _l("Bitte wählen Sie einen Wert zwischen %(a)s und %(b)s.",
                              a=c.scale_min, b=c.scale_max)
        clean[c.id] = (value, (text or "").strip())
    score = score_of(juror=actor, entry=entry)
    was_final = score is not None and score.status == ScoreStatus.FINAL
    if finalise or was_final:
        for c in criteria:
            if clean[c.id][0] is None and c.id not in errors:
                errors[c.id] = _l("Bitte vergeben Sie Punkte für „%(name)s“.", name=c.name)
    if errors:
        raise ScoringError(_l("Die Bewertung ist unvollständig."), field_errors=errors)
    if score is not None and version is not None and int(version) != score.version:
        raise StaleScore(_l("Diese Bewertung wurde inzwischen an anderer Stelle geändert. Bitte "
                            "prüfen Sie die aktuellen Werte."))
    if score is None:
        score = Score(round_id=round_.id, entry_id=entry.id, juror_id=actor.id,
                      status=ScoreStatus.DRAFT, comment="")
        db.session.add(score)
        db.session.flush()
        old = None
    else:
        old = _values_snapshot(score, criteria)
    by_id = score.value_map()
    for c in criteria:
        value, text = clean[c.id]
        row = by_id.get(c.id)
        if row is None:
            row = ScoreValue(round_criterion_id=c.id)
            score.values.append(row)
        row.value = value
        row.comment = text
    score.comment = (comment or "").strip()
    if finalise and not was_final:
        score.status = ScoreStatus.FINAL
        score.finalised_at = utcnow()
    score.updated_at = utcnow()
    db.session.flush()
    new = _values_snapshot(score, criteria)
    if old != new:
        action = ("jury.score.change" if was_final else
                  "jury.score.finalise" if score.status == ScoreStatus.FINAL else "jury.score.draft")
        audit.record(actor=actor, action=action, obj=score, competition_id=round_.competition_id,
                     old=old, new=new | {"Kennung": entry.code})
    return score


def others_totals(*, juror, entry, own):
    """Other jurors' final weighted totals for an entry (no names), for rounds that allow
    jurors to see them after submitting their own. `own`: the juror's score (score_of),
    which the scoring form has loaded already, or None."""
    round_ = entry.round
    if not round_.show_others_after_submit:
        return None
    if own is None or own.status != ScoreStatus.FINAL:
        return None
    weights = {c.id: c.weight for c in round_.criteria}
    conflicted = select(Conflict.juror_id).where(Conflict.application_id == entry.application_id)
    rows = db.session.execute(
        select(Score.id, ScoreValue.round_criterion_id, ScoreValue.value)
        .join(ScoreValue, ScoreValue.score_id == Score.id)
        .where(Score.entry_id == entry.id, Score.juror_id != juror.id,
               Score.status == ScoreStatus.FINAL, Score.juror_id.not_in(conflicted))
    ).all()
    totals = {}
    for score_id, rc_id, value in rows:
        totals[score_id] = totals.get(score_id, 0) + weights.get(rc_id, 0) * (value or 0)
    return sorted(totals.values(), reverse=True)


# --------------------------------------------------------------------------- conflicts

def _record_conflict(*, actor, entry, juror, reason):
    reason = (reason or "").strip()
    if not reason:
        raise ScoringError(_l("Bitte nennen Sie kurz den Grund."), field_errors={"reason": True})
    existing = db.session.scalars(select(Conflict).where(
        Conflict.application_id == entry.application_id, Conflict.juror_id == juror.id)).first()
    if existing is not None:
        raise ScoringError(_l("Für diese Bewerbung ist bereits eine Befangenheit erfasst."))
    conflict = Conflict(application_id=entry.application_id, juror_id=juror.id,
                        round_id=entry.round_id, entry_id=entry.id, reason=reason,
                        declared_by_id=getattr(actor, "id", None))
    db.session.add(conflict)
    db.session.flush()
    audit.record(actor=actor, action="jury.conflict.declare", obj=conflict,
                 competition_id=entry.round.competition_id,
                 new={"code": entry.code, "juror": juror.email, "reason": reason,
                      "declared_by": "self" if actor is juror else getattr(actor, "email", None)})
    return conflict


def declare_conflict(*, actor, entry, reason, now=None):
    """The juror declares Befangenheit: afterwards they cannot see or score the entry and
    are left out of its aggregation."""
    if not _may_score(actor, entry, now):
        raise ScoringError(_l("Sie können für diese Bewerbung keine Befangenheit anzeigen."))
    return _record_conflict(actor=actor, entry=entry, juror=actor, reason=reason)


def set_conflict(*, actor, entry, juror, reason):
    """Staff record a conflict for a juror (e.g. known from the jury session)."""
    if entry.round.status == RoundStatus.CLOSED:
        raise ScoringError(_l("Die Runde ist abgeschlossen."))
    if entry.round.competition_id not in permissions.juror_competition_ids(juror):
        raise ScoringError(_l("Diese Person gehört nicht zur Jury dieses Wettbewerbs."))
    return _record_conflict(actor=actor, entry=entry, juror=juror, reason=reason)


def conflict_code(conflict, round_):
    """The code of the conflict's application in this round, or None if it is not in it."""
    return db.session.scalar(select(RoundEntry.code).where(
        RoundEntry.round_id == round_.id, RoundEntry.application_id == conflict.application_id))


def lift_conflict(*, actor, conflict, round_, code, reason):
    """Staff lift a conflict recorded by mistake (e.g. a juror declared it for the wrong
    application). The juror sees and may score the application again, and a final score
    they gave before counts again. Audited with the conflict as it was (`code`: its
    application's code in the round, from conflict_code) and the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ScoringError(_l("Bitte nennen Sie kurz den Grund."), field_errors={"reason": True})
    if round_.status == RoundStatus.CLOSED:
        raise ScoringError(_l("Die Runde ist abgeschlossen."))
    if actor is not None and getattr(actor, "id", None) == conflict.juror_id:
        # Staff who sit on the jury: a conflict must hold against its own holder.
        raise ScoringError(_l("Ihre eigene Befangenheit kann nur eine andere Person der "
                              "Geschäftsstelle aufheben."))
    audit.record(actor=actor, action="jury.conflict.lift", obj=conflict,
                 competition_id=round_.competition_id,
                 old={"code": code, "juror": conflict.juror.email, "reason": conflict.reason,
                      "application_id": conflict.application_id},
                 new={"lift_reason": reason})
    db.session.delete(conflict)
    db.session.flush()


def round_conflicts(round_):
    app_ids = select(RoundEntry.application_id).where(RoundEntry.round_id == round_.id)
    return db.session.scalars(
        select(Conflict).where(Conflict.application_id.in_(app_ids))
        .options(selectinload(Conflict.juror), selectinload(Conflict.declared_by))
        .order_by(Conflict.created_at)
    ).all()


# --------------------------------------------------------------------------- progress

@lru_cache(maxsize=None)
def _progress_statements():
    """(one round, several rounds grouped) of a juror's progress; parameters: juror_id and
    round_id or round_ids."""
    counted = (select(func.count(Assignment.id), func.count(Score.id))
               .select_from(Assignment)
               .outerjoin(Score, _final_score_of_assignment())
               .where(Assignment.juror_id == bindparam("juror_id"),
                      ~_conflicted_assignment(bindparam("juror_id"))))
    one = counted.where(Assignment.round_id == bindparam("round_id"))
    grouped = (counted.add_columns(Assignment.round_id)
               .where(Assignment.round_id.in_(bindparam("round_ids", expanding=True)))
               .group_by(Assignment.round_id))
    return one, grouped


def juror_progress(*, juror, round_):
    """(final, total): "7 von 12 bewertet" for one juror."""
    # One statement: the juror's assignments without a conflict, and the final score of
    # each where there is one (at most one score per juror and entry).
    total, done = db.session.execute(
        _progress_statements()[0], {"juror_id": juror.id, "round_id": round_.id}).one()
    return done or 0, total or 0


def _final_score_of_assignment():
    """The join of an assignment to its final score. The round is named although the entry
    implies it: the database then reads the juror's scores of that round only (index on
    juror and round), not those of every round."""
    return ((Score.entry_id == Assignment.entry_id) & (Score.juror_id == Assignment.juror_id)
            & (Score.round_id == Assignment.round_id) & (Score.status == ScoreStatus.FINAL))


def _conflicted_assignment(juror_id):
    """EXISTS: the juror declared a conflict for the application of the assignment's entry.
    Asked per assignment (a conflict is rare), rather than joining every assignment to its
    entry first: that join read all entries of the round and took three times as long."""
    return (select(Conflict.id)
            .join(RoundEntry, RoundEntry.application_id == Conflict.application_id)
            .where(Conflict.juror_id == juror_id, RoundEntry.id == Assignment.entry_id)
            .exists())


@lru_cache(maxsize=None)
def _sheet_statement():
    """The round's criteria, the juror's score of one entry with its values (or none) and
    the juror's progress in the round, in one statement: a row per criterion, each with
    the score's value for it; parameters: juror_id, round_id, entry_id."""
    progress = _progress_statements()[0].subquery()
    total, done = list(progress.c)
    return (select(RoundCriterion, Score, total, done).select_from(progress)
            .outerjoin(RoundCriterion, RoundCriterion.round_id == bindparam("round_id"))
            .outerjoin(Score, (Score.entry_id == bindparam("entry_id"))
                       & (Score.juror_id == bindparam("juror_id")))
            .outerjoin(ScoreValue, (ScoreValue.score_id == Score.id)
                       & (ScoreValue.round_criterion_id == RoundCriterion.id))
            .options(contains_eager(Score.values))
            .order_by(RoundCriterion.position, RoundCriterion.id))


def score_sheet(*, juror, entry):
    """(score_of, final, total of juror_progress) for the score sheet, in one statement
    that also loads the round's criteria into `entry.round.criteria`."""
    rows = db.session.execute(_sheet_statement(), {
        "juror_id": juror.id, "round_id": entry.round_id, "entry_id": entry.id}).unique().all()
    _criterion, score, total, done = rows[0]
    set_committed_value(entry.round, "criteria", [row[0] for row in rows if row[0] is not None])
    return score, done or 0, total or 0


def juror_progress_by_round(*, juror, rounds):
    """{round id: (final, total)} for many rounds in one grouped query (the dashboard)."""
    ids = [r.id for r in rounds]
    if not ids:
        return {}
    rows = db.session.execute(
        _progress_statements()[1], {"juror_id": juror.id, "round_ids": ids}).all()
    counts = {round_id: (done, total) for total, done, round_id in rows}
    return {i: counts.get(i, (0, 0)) for i in ids}


def progress(round_):
    """Progress per juror and per entry, from three queries.

    Returns (jurors, entries): jurors = [{"juror", "assigned", "final", "draft", "conflicts"}],
    entries = [{"entry", "assigned", "final", "conflicts"}]."""
    assignments = db.session.execute(
        select(Assignment.entry_id, Assignment.juror_id, RoundEntry.application_id)
        .join(RoundEntry, RoundEntry.id == Assignment.entry_id)
        .where(Assignment.round_id == round_.id)).all()
    scores = {(e, j): s for e, j, s in db.session.execute(
        select(Score.entry_id, Score.juror_id, Score.status).where(Score.round_id == round_.id))}
    app_ids = select(RoundEntry.application_id).where(RoundEntry.round_id == round_.id)
    conflicts = set(db.session.execute(
        select(Conflict.application_id, Conflict.juror_id).where(Conflict.application_id.in_(app_ids))))
    per_juror, per_entry = {}, {}
    for entry_id, juror_id, app_id in assignments:
        j = per_juror.setdefault(juror_id, {"assigned": 0, "final": 0, "draft": 0, "conflicts": 0})
        e = per_entry.setdefault(entry_id, {"assigned": 0, "final": 0, "conflicts": 0})
        if (app_id, juror_id) in conflicts:
            j["conflicts"] += 1
            e["conflicts"] += 1
            continue
        j["assigned"] += 1
        e["assigned"] += 1
        status = scores.get((entry_id, juror_id))
        if status == ScoreStatus.FINAL:
            j["final"] += 1
            e["final"] += 1
        elif status == ScoreStatus.DRAFT:
            j["draft"] += 1
    jurors = [{"juror": u, "is_chair": chair,
               **per_juror.get(u.id, {"assigned": 0, "final": 0, "draft": 0, "conflicts": 0})}
              for u, chair in competition_jurors(round_.competition_id)]
    entries = [{"entry": e, **per_entry.get(e.id, {"assigned": 0, "final": 0, "conflicts": 0})}
               for e in round_.entries]
    return jurors, entries


def send_reminders(*, actor, round_):
    """Mail every juror who still has open Bewertungsbögen in an open round."""
    if round_.status != RoundStatus.OPEN:
        raise ScoringError(_l("Erinnerungen sind nur in einer freigegebenen Runde möglich."))
    jurors, _ = progress(round_)
    sent = []
    for row in jurors:
        open_count = row["assigned"] - row["final"]
        if open_count > 0 and row["juror"].active:
            mail.enqueue(to=row["juror"].email, template="jury_reminder", user=row["juror"],
                         round=round_, competition=round_.competition, open_count=open_count,
                         done=row["final"], total=row["assigned"])
            sent.append(row["juror"].email)
    audit.record(actor=actor, action="jury.reminder.send", obj=round_, new={"to": sent})
    return sent


def juror_by_id(juror_id):
    return db.session.get(User, juror_id)
