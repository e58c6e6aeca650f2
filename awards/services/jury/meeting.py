"""The jury meeting (Jurysitzung) led by the chair: the frozen ranking of a closed round with
the disagreement per application, attendance, and the chair's notes per application.

What a viewer sees of an application follows the one rule
(`permissions.identities_hidden_from`) through `services/jury/visibility.py`: a jury member
sees the round's code and the redacted title until staff reveal the names; nobody sees an
application they have a conflict for, nor writes a note on it.
"""
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from awards import permissions
from awards.extensions import db
from awards.i18n import _l
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.jury import Round, RoundEntry, RoundStatus
from awards.models.meeting import MeetingAttendance, MeetingNote
from awards.services import audit
from awards.services.jury import visibility as jury_visibility, ranking
from awards.services.decisions import DecisionError, decisions_for

log = logging.getLogger("awards.meeting")

NOTE_MAX = 5000


@dataclass(frozen=True)
class MeetingRow:
    """One application of the frozen ranking as the viewer may see it."""

    item: jury_visibility.ApplicationLabel
    rank: object
    tie: bool
    count: int
    mean: object
    sd: object
    low: object
    high: object
    disagreement: bool
    note: str
    decision: object  # the Decision or None


def closed_rounds(competition):
    """The closed rounds of a competition, latest first."""
    return db.session.scalars(
        select(Round).where(Round.competition_id == competition.id,
                            Round.status == RoundStatus.CLOSED)
        .order_by(Round.position.desc(), Round.id.desc())).all()


def notes_by_application(competition):
    return {n.application_id: n for n in db.session.scalars(
        select(MeetingNote).where(MeetingNote.competition_id == competition.id))}


def attendance_of(competition):
    """{juror id: present} as recorded, or None if attendance was never recorded."""
    rows = db.session.scalars(
        select(MeetingAttendance).where(MeetingAttendance.competition_id == competition.id)).all()
    if not rows:
        return None
    return {r.juror_id: r.present for r in rows}


def present_ids(competition, jury):
    """Ids of the jury members present: as recorded, else everyone (the minutes' default)."""
    recorded = attendance_of(competition)
    if recorded is None:
        return {u.id for u, _chair in jury}
    return {u.id for u, _chair in jury if recorded.get(u.id)}


def _round(value):
    return round(value, 2) if isinstance(value, float) else value


def meeting_rows(*, viewer, competition, round_):
    """The frozen ranking of a closed round as the viewer may see it.

    Returns (rows, hidden_by_conflict). Rows of applications the viewer has a conflict for
    are left out, as on the decision pages."""
    if round_ is None or round_.status != RoundStatus.CLOSED:
        return [], 0
    data = ranking.ranking(round_) or {}
    hidden = permissions.identities_hidden_from(viewer, competition)
    show_applicant = jury_visibility.shows_applicant(viewer, competition, hidden=hidden)
    conflicted = jury_visibility.conflicted_application_ids(viewer, competition)
    entries = {e.application_id: e for e in db.session.scalars(
        select(RoundEntry).where(RoundEntry.round_id == round_.id)
        .options(selectinload(RoundEntry.application), selectinload(RoundEntry.round)))}
    notes = notes_by_application(competition)
    decided = {d.application_id: d for d in decisions_for(competition)}
    rows, skipped = [], 0
    for row in data.get("rows", []):
        entry = entries.get(row.get("application_id"))
        if entry is None:
            continue
        if entry.application_id in conflicted:
            skipped += 1
            continue
        application = entry.application
        if hidden:
            item = jury_visibility.projected_label(application, entry)
        else:
            item = jury_visibility.plain_label(application, with_applicant=show_applicant)
        note = notes.get(application.id)
        rows.append(MeetingRow(
            item=item, rank=row.get("rank"), tie=bool(row.get("tie")),
            count=row.get("n") or 0, mean=_round(row.get("mean")), sd=_round(row.get("sd")),
            low=_round(row.get("min")), high=_round(row.get("max")),
            disagreement=bool(row.get("disagreement")), note=note.text if note else "",
            decision=decided.get(application.id)))
    return rows, skipped


def record_attendance(*, actor, competition, jury, present):
    """Store who attends the meeting; `jury`: [(user, is_chair)], `present`: ids."""
    present = set(present)
    known = {u.id for u, _chair in jury}
    unknown = present - known
    if unknown:
        raise DecisionError(_l("Bitte wählen Sie nur Mitglieder dieser Jury."), field="present")
    rows = {r.juror_id: r for r in db.session.scalars(
        select(MeetingAttendance).where(MeetingAttendance.competition_id == competition.id))}
    old = sorted(j for j, r in rows.items() if r.present) if rows else None
    now = utcnow()
    for juror_id in known:
        row = rows.get(juror_id)
        if row is None:
            row = MeetingAttendance(competition_id=competition.id, juror_id=juror_id)
            db.session.add(row)
        row.present = juror_id in present
        row.recorded_at = now
        row.recorded_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor=actor, action="jury.meeting.attendance", obj=competition,
                 old={"present": old}, new={"present": sorted(present)})
    log.info("attendance of the jury meeting of competition %s recorded", competition.id)


def save_note(*, actor, competition, application, text):
    """The chair's (or staff's) note on one application; an empty text removes it. Nobody
    writes a note on an application they have a conflict for."""
    if application.competition_id != competition.id:
        raise DecisionError(_l("Diese Bewerbung gehört nicht zu diesem Wettbewerb."))
    if permissions.has_conflict(actor, application):
        raise DecisionError(_l("Wegen Ihrer Befangenheit können Sie zu dieser Bewerbung "
                               "keine Notiz schreiben."))
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise DecisionError(_l("Bitte fassen Sie die Notiz in höchstens %(n)s Zeichen.",
                               n=NOTE_MAX), field="text")
    note = db.session.scalars(
        select(MeetingNote).where(MeetingNote.application_id == application.id)).first()
    old = note.text if note else ""
    if old == text:
        return note
    if note is None:
        note = MeetingNote(competition_id=competition.id, application_id=application.id)
        db.session.add(note)
    if text:
        note.text = text
        note.updated_by_id = getattr(actor, "id", None)
    else:
        db.session.delete(note)
    db.session.flush()
    audit.record(actor=actor, action="jury.meeting.note", object_type="Application",
                 object_id=application.id, competition_id=competition.id,
                 old={"text": old}, new={"text": text})
    log.info("meeting note on application %s saved", application.id)
    return note if text else None


def notes_for_minutes(competition, labeller):
    """[(label, text)] of every note of the competition, in the order of the labels."""
    notes = list(notes_by_application(competition).values())
    if not notes:
        return []
    applications = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_([n.application_id for n in notes])))}
    return sorted(((labeller(applications.get(n.application_id)), n.text) for n in notes),
                  key=lambda pair: pair[0])
