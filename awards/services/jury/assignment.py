"""Who scores which entry: balanced automatic assignment that respects conflicts, and
manual adjustment by staff."""
import random

from sqlalchemy import select

from awards.extensions import db
from awards.i18n import _l
from awards.models.jury import Assignment, Conflict, RoundEntry, RoundStatus, Score
from awards.services import audit
from awards.services.jury.members import competition_jurors
from awards.errors import DomainError


class AssignmentError(DomainError):
    """An assignment of jurors that is not possible; the message is for staff."""


def conflict_pairs(round_):
    """{(application_id, juror_id)} of every conflict touching this round's applications."""
    app_ids = select(RoundEntry.application_id).where(RoundEntry.round_id == round_.id)
    return set(db.session.execute(
        select(Conflict.application_id, Conflict.juror_id).where(Conflict.application_id.in_(app_ids))
    ).all())


def current(round_, entry_ids=None):
    """{entry_id: {juror_id}} of the round's assignments (only of `entry_ids` if given)."""
    result = {}
    query = select(Assignment.entry_id, Assignment.juror_id).where(Assignment.round_id == round_.id)
    if entry_ids is not None:
        query = query.where(Assignment.entry_id.in_(list(entry_ids) or [-1]))
    for entry_id, juror_id in db.session.execute(query):
        result.setdefault(entry_id, set()).add(juror_id)
    return result


def plan(*, entries, juror_ids, k, conflicts, existing, seed=None):
    """Pure planning step: returns {entry_id: [juror_id to add]} and the shortfall
    {entry_id: missing}. Each entry gets k jurors (all when k is None), never a conflicted
    one; jurors are balanced by load (fewest assignments first, random among equals)."""
    rng = random.Random(seed)
    load = {j: 0 for j in juror_ids}
    for jurors in existing.values():
        for j in jurors:
            if j in load:
                load[j] += 1
    want = len(juror_ids) if k is None else k

    def eligible(entry):
        return [j for j in juror_ids if (entry.application_id, j) not in conflicts]

    order = sorted(entries, key=lambda e: (len(eligible(e)), rng.random()))
    additions, shortfall = {}, {}
    for entry in order:
        have = {j for j in existing.get(entry.id, set()) if (entry.application_id, j) not in conflicts}
        # "All jurors" means all without a conflict; k is a fixed number.
        need = (len(eligible(entry)) if k is None else want) - len(have)
        if need <= 0:
            continue
        candidates = [j for j in eligible(entry) if j not in have]
        candidates.sort(key=lambda j: (load[j], rng.random()))
        chosen = candidates[:need]
        for j in chosen:
            load[j] += 1
        if chosen:
            additions[entry.id] = chosen
        if len(chosen) < need:
            shortfall[entry.id] = need - len(chosen)
    return additions, shortfall


def auto_assign(*, actor, round_, seed=None):
    """Fill every entry up to the round's number of jurors. Existing assignments stay.
    Returns (number added, {code: missing})."""
    if round_.status == RoundStatus.CLOSED:
        raise AssignmentError(_l("Die Runde ist abgeschlossen."))
    juror_ids = [u.id for u, _ in competition_jurors(round_.competition_id)]
    if not juror_ids:
        raise AssignmentError(_l("Der Wettbewerb hat noch keine Jurymitglieder."))
    additions, shortfall = plan(entries=round_.entries, juror_ids=juror_ids,
                                k=round_.jurors_per_application, conflicts=conflict_pairs(round_),
                                existing=current(round_), seed=seed)
    count = 0
    for entry_id, jurors in additions.items():
        for juror_id in jurors:
            db.session.add(Assignment(round_id=round_.id, entry_id=entry_id, juror_id=juror_id))
            count += 1
    db.session.flush()
    codes = {e.id: e.code for e in round_.entries}
    missing = {codes[e]: n for e, n in shortfall.items()}
    audit.record(actor=actor, action="jury.assignment.auto", obj=round_,
                 new={"added": count, "k": round_.jurors_per_application, "shortfall": missing})
    return count, missing


def add(*, actor, entry, juror):
    round_ = entry.round
    if round_.status == RoundStatus.CLOSED:
        raise AssignmentError(_l("Die Runde ist abgeschlossen."))
    if juror.id not in {u.id for u, _ in competition_jurors(round_.competition_id)}:
        raise AssignmentError(_l("Diese Person gehört nicht zur Jury dieses Wettbewerbs."))
    if (entry.application_id, juror.id) in conflict_pairs(round_):
        raise AssignmentError(_l("Für diese Bewerbung ist eine Befangenheit angezeigt."))
    exists = db.session.scalar(select(Assignment.id).where(
        Assignment.entry_id == entry.id, Assignment.juror_id == juror.id))
    if exists:
        raise AssignmentError(_l("Diese Zuordnung besteht bereits."))
    row = Assignment(round_id=round_.id, entry_id=entry.id, juror_id=juror.id, manual=True)
    db.session.add(row)
    db.session.flush()
    audit.record(actor=actor, action="jury.assignment.add", obj=row,
                 competition_id=round_.competition_id,
                 new={"code": entry.code, "juror": juror.email})
    return row


def remove(*, actor, entry, juror):
    round_ = entry.round
    if round_.status == RoundStatus.CLOSED:
        raise AssignmentError(_l("Die Runde ist abgeschlossen."))
    row = db.session.scalars(select(Assignment).where(
        Assignment.entry_id == entry.id, Assignment.juror_id == juror.id)).first()
    if row is None:
        raise AssignmentError(_l("Diese Zuordnung besteht nicht."))
    scored = db.session.scalar(select(Score.id).where(
        Score.entry_id == entry.id, Score.juror_id == juror.id))
    if scored:
        raise AssignmentError(_l("Das Jurymitglied hat diese Bewerbung bereits bewertet; die "
                                 "Zuordnung bleibt bestehen."))
    audit.record(actor=actor, action="jury.assignment.remove", obj=row,
                 competition_id=round_.competition_id,
                 old={"code": entry.code, "juror": juror.email})
    db.session.delete(row)
    db.session.flush()
