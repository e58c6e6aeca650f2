"""services/jury/minutes.py: the Niederschrift of the jury. What it lists (attendance, rounds
with their ranking, conflicts declared and lifted, decisions with amounts, the chair's
notes), that it names applications only by code and redacted title while the jury's
anonymity holds, and the PDF read back as text."""
from datetime import date, timedelta

import pytest

from awards.adapters.storage import get_storage
from awards.enums import CompetitionStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.jury import Conflict, Round, RoundEntry, RoundStatus
from awards.services.jury import meeting, minutes, release, rounds, scoring
from awards.services.jury import visibility as jury_visibility
from awards.services.jury.anonymisation import REDACTED
from tests import factories

HIDDEN_NAME = "(Name wird nach der Aufdeckung ergänzt)"


@pytest.fixture
def year(app):
    """A released year (two winners, one other) whose anonymised round the chair scored
    and closed before the decisions; the second member declared a conflict for the other
    application, a third member is absent."""
    comp = factories.competition(prize_code="OBB", status=CompetitionStatus.JURY,
                                 ceremony_at=utcnow() + timedelta(days=30),
                                 ceremony_place="Residenz München")
    chair = factories.juror(comp, is_chair=True, name="Zora Vorsitz")
    member = factories.juror(comp, name="Jonas Jury")
    absent = factories.juror(comp, name="Paula Fehlt")
    winners = [factories.submitted_application(comp, admissible=True, org_name="Quastwerk e.V.",
                                               project_title="Nähstube im Quastwerk"),
               factories.submitted_application(comp, admissible=True)]
    others = [factories.submitted_application(comp, admissible=True)]
    apps = winners + others
    round_ = factories.jury_round(competition=comp, name="Finalrunde")
    factories.open_round(round_=round_, jurors=[chair, member], applications=apps)
    entries = {e.application_id: e for e in round_.entries}
    for application, points in zip(winners, ((9, 9), (7, 7))):
        factories.score(round_=round_, entry=entries[application.id], juror=chair, values=points)
    scoring.declare_conflict(actor=member, entry=entries[others[0].id],
                             reason="Mitglied im Trägerverein")
    rounds.close_round(actor=None, round_=round_)
    for application, category in zip(winners, comp.categories):
        factories.decide(application, category=category)
    release.release_decisions(actor=None, competition=comp)
    return comp, winners, others, (chair, member, absent), round_, entries


def test_attendance_is_taken_from_the_meeting_else_everyone(year):
    comp, _winners, _others, (chair, member, absent), _round, _entries = year
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12))
    # The chair first, then by name.
    assert data["present"] == [("Zora Vorsitz", True), ("Jonas Jury", False),
                               ("Paula Fehlt", False)]
    assert data["absent"] == []
    meeting.record_attendance(actor=None, competition=comp, jury=minutes.jurors_of(comp),
                              present=[chair.id, member.id])
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12),
                                guests=" Miriam Ministerium \n\nDr. Gast ", recorder="M. Protokoll")
    assert data["present"] == [("Zora Vorsitz", True), ("Jonas Jury", False)]
    assert data["absent"] == ["Paula Fehlt"]
    assert data["guests"] == ["Miriam Ministerium", "Dr. Gast"]
    assert (data["chair"], data["recorder"], data["session_date"]) == (
        "Zora Vorsitz", "M. Protokoll", "12. März 2026")
    # A choice made on the minutes form overrides the meeting's record.
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12),
                                present_ids=[absent.id])
    assert data["present"] == [("Paula Fehlt", False)]


def test_under_anonymity_decisions_and_conflicts_name_codes_and_no_laureate(year):
    comp, winners, others, _jurors, _round, entries = year
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12))
    assert data["anonymised"] is True
    first, second = data["decisions"]
    assert first[:4] == (1, "1. Preis", HIDDEN_NAME,
                         f"{entries[winners[0].id].code} – Nähstube im {REDACTED}")
    assert (first[4], second[4]) == (400000, 300000)
    assert (data["total_cents"], data["budget_cents"]) == (700000, 900000)
    assert data["released_at"] is not None
    (conflict,) = data["conflicts"]
    assert conflict[:3] == ("Jonas Jury",
                            f"{entries[others[0].id].code} – {others[0].project_title}",
                            "Mitglied im Trägerverein")
    (summary,) = data["rounds"]
    labels = [row.label for row in summary.ranking]
    assert labels[0] == f"{entries[winners[0].id].code} – Nähstube im {REDACTED}"
    flat = repr(data)
    for application in winners + others:
        assert application.reference not in flat
    assert "Quastwerk" not in flat


def test_with_identities_the_minutes_name_references_and_laureates(year):
    comp, winners, others, _jurors, _round, _entries = year
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12), identities=True)
    assert data["anonymised"] is False
    first, _second = data["decisions"]
    assert first[2:4] == ("Quastwerk e.V.", f"{winners[0].reference} – Nähstube im Quastwerk")
    assert data["conflicts"][0][1] == f"{others[0].reference} – {others[0].project_title}"
    # Revealing the names to the jury has the same effect on the default.
    jury_visibility.reveal_names(actor=None, competition=comp)
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12))
    assert data["anonymised"] is False and data["decisions"][0][2] == "Quastwerk e.V."


def test_round_summary_shows_the_frozen_ranking(year):
    comp, winners, others, _jurors, round_, entries = year
    (summary,) = minutes.round_summaries(comp, hidden=False)
    assert (summary.name, summary.status, summary.entries, summary.frozen) == (
        "Finalrunde", "Abgeschlossen", 3, True)
    assert summary.criteria == [("Strahlkraft", 2), ("Nachhaltigkeit", 1)]
    assert [(r.rank, r.label, r.score, r.count) for r in summary.ranking] == [
        (1, f"{winners[0].reference} – Nähstube im Quastwerk", 27.0, 1),
        (2, f"{winners[1].reference} – {winners[1].project_title}", 21.0, 1),
        (None, f"{others[0].reference} – {others[0].project_title}", None, 0)]


def test_lifted_conflicts_come_from_the_audit_trail_with_the_reason(app):
    comp = factories.competition(prize_code="OBB")
    member = factories.juror(comp, name="Jonas Jury")
    staff = factories.staff(prize_code="OBB", name="Sina Stelle")
    round_ = factories.open_round(competition=comp, jurors=[member], n=1)
    (entry,) = round_.entries
    conflict = scoring.declare_conflict(actor=member, entry=entry, reason="Falsch angeklickt")
    scoring.lift_conflict(actor=staff, conflict=conflict, round_=round_, code=entry.code,
                          reason="Versehen des Jurymitglieds")
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12))
    assert data["conflicts"] == []
    (lifted,) = data["lifted_conflicts"]
    assert (lifted.juror, lifted.reason, lifted.lift_reason, lifted.lifted_by) == (
        "Jonas Jury", "Falsch angeklickt", "Versehen des Jurymitglieds", "Sina Stelle")
    assert lifted.application.startswith(f"{entry.code} – ")


def test_the_chairs_notes_are_in_the_minutes(year):
    comp, winners, _others, (chair, _member, _absent), _round, entries = year
    meeting.save_note(actor=chair, competition=comp, application=winners[1],
                      text="Einstimmig für den zweiten Platz.")
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12))
    assert data["meeting_notes"] == [
        (f"{entries[winners[1].id].code} – {winners[1].project_title}",
         "Einstimmig für den zweiten Platz.")]


def test_ranking_rows_read_every_shape_of_snapshot(app):
    comp = factories.competition()
    application = factories.submitted_application(comp, project_title="Lesepaten", number=3)
    snapshot = {"basis": "normalised", "rows": [
        {"application_id": application.id, "rank": 1, "mean": 20.0, "norm_mean": 1.23456, "n": 3,
         "tie": True, "disagreement": True},
        {"entry_id": 77, "rank": 2, "total": 12, "scores": 2},
        {"code": "X-0001", "rank": 3},
        "not a row"]}
    rows = minutes.ranking_rows(snapshot, {application.id: application}, {77: application.id})
    assert [(r.rank, r.label, r.score, r.count, r.note) for r in rows] == [
        (1, f"{application.reference} – Lesepaten", 1.23, 3, "Gleichstand, hohe Streuung"),
        (2, f"{application.reference} – Lesepaten", 12, 2, ""),
        (3, "X-0001", None, None, "")]
    assert minutes.ranking_rows(None) == []
    assert [r.label for r in minutes.ranking_rows([{"label": "frei", "rank": 1}])] == ["frei"]


def test_minutes_pdf_lists_members_conflicts_and_decisions(app):
    comp, winners, others = factories.released_competition(winners=2, others=1)
    chair = factories.juror(comp, is_chair=True, name="Johanna Vorsitz")
    member = factories.juror(comp, name="Jonas Jury")
    factories.juror(comp, name="Paula Fehlt")
    rnd = Round(competition_id=comp.id, name="Finalrunde", position=1, status=RoundStatus.CLOSED,
                snapshot={"rows": [{"application_id": winners[0].id, "rank": 1, "mean": 8.75, "n": 3},
                                   {"application_id": winners[1].id, "rank": 2, "mean": 7.5, "n": 3, "tie": True}]})
    db.session.add(rnd)
    db.session.flush()
    db.session.add(RoundEntry(round_id=rnd.id, application_id=winners[0].id, code="A-1111"))
    db.session.add(Conflict(application_id=others[0].id, juror_id=member.id, round_id=rnd.id,
                            reason="Mitglied im Trägerverein", declared_by_id=member.id))
    db.session.flush()

    def minutes_text():
        data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12),
                                    place="München", present_ids=[chair.id, member.id],
                                    recorder="Miriam Ministerium")
        return factories.pdf_text(minutes.render_minutes_pdf(data, storage=get_storage()))

    # While the anonymised round's names are not revealed, the minutes name codes only.
    hidden = minutes_text()
    assert winners[0].reference not in hidden and winners[0].org_name not in hidden
    assert "A-1111 – Projekt" in hidden
    jury_visibility.reveal_names(actor=factories.staff(prize_code="BIP"), competition=comp)
    db.session.flush()
    text = minutes_text()
    assert "Niederschrift der Jurysitzung" in text
    assert "12. März 2026" in text
    assert "Johanna Vorsitz (Vorsitz)" in text and "Jonas Jury" in text
    assert "Entschuldigt: Paula Fehlt" in text
    assert "Finalrunde (festgeschriebener Stand)" in text and "8,75" in text  # German document
    assert "Gleichstand" in text
    assert "Mitglied im Trägerverein" in text
    assert f"{winners[0].reference} – {winners[0].project_title}" in text
    assert "4.000 €" in text and "7.000 €" in text  # 1st prize and the sum
    assert "Protokoll" in text


def test_minutes_pdf_shows_guests_notes_and_lifted_conflicts(year):
    comp, winners, _others, (chair, member, _absent), _round, _entries = year
    meeting.record_attendance(actor=None, competition=comp, jury=minutes.jurors_of(comp),
                              present=[chair.id])
    meeting.save_note(actor=chair, competition=comp, application=winners[0],
                      text="Besonders nachhaltig.")
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12),
                                guests="Miriam Ministerium", notes="Sitzung um 16 Uhr beendet.",
                                identities=True)
    text = factories.pdf_text(minutes.render_minutes_pdf(data, storage=get_storage()))
    assert "Anwesende Jurymitglieder (1): Zora Vorsitz (Vorsitz)" in text
    assert "Entschuldigt: Jonas Jury; Paula Fehlt" in text
    assert "Weitere Anwesende: Miriam Ministerium" in text
    assert "Besonders nachhaltig." in text and "Sitzung um 16 Uhr beendet." in text
    assert "Quastwerk e.V." in text
    assert "noch nicht aufgedeckt" not in text
