"""services/jury/meeting.py: the chair's meeting page. The frozen ranking of a closed round as
each viewer may see it (codes and redacted titles for the jury, never a conflicted row),
attendance, and the notes per application."""
import pytest
from sqlalchemy import select

from awards.enums import CompetitionStatus
from awards.errors import DomainError
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.jury_reveal import JuryReveal
from awards.models.meeting import MeetingNote
from awards.services.decisions import DecisionError
from awards.services.jury import meeting, members, rounds, scoring
from awards.services.jury.anonymisation import REDACTED
from tests import factories


@pytest.fixture
def session(app):
    """A closed anonymised round of three scored by the chair and a member; the member
    declared a conflict for the third. The first project's title names its Verein."""
    comp = factories.competition(prize_code="OBB", status=CompetitionStatus.JURY)
    chair = factories.juror(comp, is_chair=True, name="Johanna Vorsitz")
    member = factories.juror(comp, name="Jonas Jury")
    staff = factories.staff(prize_code="OBB", name="Sina Stelle")
    apps = [factories.submitted_application(comp, admissible=True, org_name=org, project_title=title)
            for org, title in (("Quastwerk e.V.", "Nähstube im Quastwerk"),
                               ("Brückenbauer Passau e.V.", "Lesepaten"),
                               ("Kulturkreis Landshut", "Erzählcafé"))]
    round_ = factories.open_round(competition=comp, jurors=[chair, member], applications=apps)
    entries = [next(e for e in round_.entries if e.application_id == a.id) for a in apps]
    for entry, chair_points, member_points in zip(entries, ((9, 9), (5, 5), (7, 7)),
                                                  ((10, 10), (1, 1), None)):
        factories.score(round_=round_, entry=entry, juror=chair, values=chair_points)
        if member_points:
            factories.score(round_=round_, entry=entry, juror=member, values=member_points)
    scoring.declare_conflict(actor=member, entry=entries[2], reason="Vorstand im Kulturkreis")
    rounds.close_round(actor=None, round_=round_)
    return comp, round_, chair, member, staff, apps, entries


def test_closed_rounds_latest_first(session):
    comp, round_, *_ = session
    later = factories.jury_round(competition=comp, name="Finale", source="advanced")
    assert meeting.closed_rounds(comp) == [round_]
    factories.force_status(later, "closed")
    assert meeting.closed_rounds(comp) == [later, round_]


def test_the_chair_sees_codes_redacted_titles_and_the_spread(session):
    comp, round_, chair, _member, _staff, apps, entries = session
    rows, hidden = meeting.meeting_rows(viewer=chair, competition=comp, round_=round_)
    assert hidden == 0
    assert [(r.item.label, r.item.title, r.item.applicant, r.rank, r.count) for r in rows] == [
        (entries[0].code, f"Nähstube im {REDACTED}", None, 1, 2),
        (entries[2].code, "Erzählcafé", None, 2, 1),
        (entries[1].code, "Lesepaten", None, 3, 2)]
    first = rows[0]
    assert (first.mean, first.low, first.high) == (28.5, 27.0, 30.0)
    assert rows[2].disagreement is True and rows[0].disagreement is False
    for application in apps:
        assert application.reference not in repr(rows)
    assert "Quastwerk" not in repr(rows)


def test_a_conflicted_member_does_not_see_that_row(session):
    comp, round_, _chair, member, _staff, _apps, entries = session
    rows, hidden = meeting.meeting_rows(viewer=member, competition=comp, round_=round_)
    assert hidden == 1
    assert [r.item.label for r in rows] == [entries[0].code, entries[1].code]


def test_staff_and_the_chair_after_the_reveal_see_the_applications(session):
    comp, round_, chair, _member, staff, apps, _entries = session
    rows, _ = meeting.meeting_rows(viewer=staff, competition=comp, round_=round_)
    assert [(r.item.label, r.item.applicant) for r in rows] == [
        (apps[0].reference, "Quastwerk e.V."), (apps[2].reference, "Kulturkreis Landshut"),
        (apps[1].reference, "Brückenbauer Passau e.V.")]
    db.session.add(JuryReveal(competition_id=comp.id))
    db.session.flush()
    rows, _ = meeting.meeting_rows(viewer=chair, competition=comp, round_=round_)
    assert rows[0].item.title == "Nähstube im Quastwerk"
    assert rows[0].item.applicant == "Quastwerk e.V."


def test_a_round_that_is_not_closed_shows_nothing(app):
    comp = factories.competition()
    chair = factories.juror(comp, is_chair=True)
    round_ = factories.open_round(competition=comp, jurors=[chair], n=1)
    assert meeting.meeting_rows(viewer=chair, competition=comp, round_=round_) == ([], 0)
    assert meeting.meeting_rows(viewer=chair, competition=comp, round_=None) == ([], 0)


def test_attendance_is_recorded_changed_and_audited(session):
    comp, _round, chair, member, staff, _apps, _entries = session
    jury = members.competition_jurors(comp.id)
    assert meeting.attendance_of(comp) is None
    assert meeting.present_ids(comp, jury) == {chair.id, member.id}
    meeting.record_attendance(actor=staff, competition=comp, jury=jury, present=[chair.id])
    assert meeting.attendance_of(comp) == {chair.id: True, member.id: False}
    assert meeting.present_ids(comp, jury) == {chair.id}
    meeting.record_attendance(actor=staff, competition=comp, jury=jury,
                              present=[chair.id, member.id])
    assert meeting.present_ids(comp, jury) == {chair.id, member.id}
    entries = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "jury.meeting.attendance").order_by(AuditLog.id)).all()
    assert [(e.old, e.new) for e in entries] == [
        ({"present": None}, {"present": [chair.id]}),
        ({"present": [chair.id]}, {"present": sorted([chair.id, member.id])})]


def test_attendance_of_someone_outside_the_jury_is_refused(session):
    comp, _round, chair, _member, staff, _apps, _entries = session
    with pytest.raises(DecisionError) as refused:
        meeting.record_attendance(actor=staff, competition=comp,
                                  jury=members.competition_jurors(comp.id),
                                  present=[chair.id, staff.id])
    assert isinstance(refused.value, DomainError) and refused.value.field == "present"
    assert meeting.attendance_of(comp) is None


def test_notes_are_saved_changed_removed_and_shown_in_the_rows(session):
    comp, round_, chair, _member, _staff, apps, _entries = session
    note = meeting.save_note(actor=chair, competition=comp, application=apps[1],
                             text="  Knapp, aber überzeugend.  ")
    assert note.text == "Knapp, aber überzeugend."
    rows, _ = meeting.meeting_rows(viewer=chair, competition=comp, round_=round_)
    assert [r.note for r in rows] == ["", "", "Knapp, aber überzeugend."]
    meeting.save_note(actor=chair, competition=comp, application=apps[1], text="Einstimmig.")
    assert meeting.notes_by_application(comp)[apps[1].id].text == "Einstimmig."
    # The same text again changes nothing; an empty text removes the note.
    meeting.save_note(actor=chair, competition=comp, application=apps[1], text="Einstimmig.")
    assert meeting.save_note(actor=chair, competition=comp, application=apps[1], text=" ") is None
    assert db.session.scalars(select(MeetingNote)).all() == []
    entries = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "jury.meeting.note").order_by(AuditLog.id)).all()
    assert [(e.old["text"], e.new["text"]) for e in entries] == [
        ("", "Knapp, aber überzeugend."), ("Knapp, aber überzeugend.", "Einstimmig."),
        ("Einstimmig.", "")]


def test_notes_are_refused_when_conflicted_too_long_or_of_another_competition(session):
    comp, _round, _chair, member, staff, apps, _entries = session
    with pytest.raises(DecisionError):
        meeting.save_note(actor=member, competition=comp, application=apps[2], text="Gut.")
    with pytest.raises(DecisionError) as too_long:
        meeting.save_note(actor=staff, competition=comp, application=apps[0],
                          text="x" * (meeting.NOTE_MAX + 1))
    assert too_long.value.field == "text"
    elsewhere = factories.submitted_application(factories.competition(prize_code="SCHW"))
    with pytest.raises(DecisionError):
        meeting.save_note(actor=staff, competition=comp, application=elsewhere, text="Gut.")
    assert db.session.scalars(select(MeetingNote)).all() == []


def test_notes_for_the_minutes_are_ordered_by_their_labels(session):
    comp, _round, chair, _member, _staff, apps, _entries = session
    meeting.save_note(actor=chair, competition=comp, application=apps[1], text="Am Ende besprochen.")
    meeting.save_note(actor=chair, competition=comp, application=apps[0], text="Zuerst besprochen.")
    assert meeting.notes_for_minutes(comp, lambda a: a.reference) == [
        (apps[0].reference, "Zuerst besprochen."), (apps[1].reference, "Am Ende besprochen.")]
    assert meeting.notes_for_minutes(factories.competition(), str) == []


def test_decisions_appear_in_the_rows(session):
    comp, round_, _chair, _member, staff, apps, _entries = session
    decision = factories.decide(apps[0], actor=staff)
    rows, _ = meeting.meeting_rows(viewer=staff, competition=comp, round_=round_)
    assert [r.decision for r in rows] == [decision, None, None]
