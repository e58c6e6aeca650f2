"""Demo jury meeting: this year's Mittelfranken prize after its scoring round, ready for the
Jurysitzung. The anonymised round is closed, its ranking frozen with final scores by four
jurors (two applications far apart, one declared conflict), and no decision is recorded yet:
the demo jury chair, who chairs this jury too, leads the meeting from "Jury" → "Jurysitzung
leiten". Attendance and notes are left for her to fill in.

Idempotent: nothing happens once the competition has a round. All names are INVENTED.
"""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from awards.demo import decisions as demo_decisions
from awards.demo import jury as demo_jury
from awards.demo.base import DEMO_DOMAIN, ensure_user, this_year_competitions
from awards.enums import Role
from awards.extensions import db
from awards.models.jury import Round
from awards.services import accounts, competitions
from awards.services.jury import rounds, scoring

PRIZE = "MFR"
APPLICATIONS = 6
# Jury members besides the demo chair (no login of their own): (key, name).
MEMBERS = [("jury-mfr-franke", "Dr. Katrin Franke"), ("jury-mfr-demir", "Yusuf Demir"),
           ("jury-mfr-lehner", "Sabine Lehner")]
# Points per criterion (weights 3, 2, 2, 1, 2 on a scale of 0 to 10) for each application in
# order, one row per juror: the chair, then MEMBERS. None: the juror declared a conflict.
# Applications 2 and 4 are scored far apart ("Hohe Streuung"); the others agree.
POINTS = [
    [(9, 9, 8, 8, 9), (8, 9, 9, 7, 8), (9, 8, 8, 9, 9), (8, 8, 9, 8, 8)],
    [(9, 8, 9, 7, 9), (4, 5, 3, 6, 4), (8, 7, 8, 8, 8), (5, 4, 5, 6, 5)],
    [(7, 7, 6, 8, 7), (7, 8, 7, 6, 7), None, (6, 7, 7, 7, 6)],
    [(5, 6, 5, 4, 6), (8, 8, 9, 7, 8), (4, 5, 4, 5, 4), (6, 6, 7, 5, 6)],
    [(6, 5, 6, 5, 6), (5, 6, 5, 5, 5), (6, 6, 5, 6, 6), (5, 5, 6, 4, 5)],
    [(4, 4, 5, 3, 4), (5, 4, 4, 4, 5), (4, 5, 4, 3, 4), (3, 4, 4, 4, 3)],
]
COMMENTS = ("Überzeugt durch viele Ehrenamtliche und einen klaren Plan für die nächsten Jahre.",
            "Gute Idee, aber die Finanzierung ist nur für ein Jahr gesichert.",
            "Wirkt im Stadtteil, ist aber außerhalb kaum bekannt.",
            "Solide Arbeit; der Bezug zum Motto könnte deutlicher sein.")
CONFLICT = "Ich berate den Träger des Projekts beruflich."


def _move_to_jury_phase(comp, now, actor):
    """The call ended a month ago; the office started the jury phase."""
    comp.opens_at = now - timedelta(days=90)
    comp.deadline_at = now - timedelta(days=30)
    comp.ceremony_at = (now + timedelta(days=45)).replace(hour=17, minute=0, second=0, microsecond=0)
    comp.ceremony_place = "Regierung von Mittelfranken, Ansbach"
    db.session.flush()
    competitions.take_stage_action(actor=actor, competition=comp, action="start_jury")


def load():
    now = datetime.now(timezone.utc)
    comp = this_year_competitions(now)[PRIZE]
    if db.session.scalars(select(Round).where(Round.competition_id == comp.id)).first():
        return []
    actor = demo_decisions._demo_staff()
    _move_to_jury_phase(comp, now, actor)
    applications = [demo_decisions._ensure_application(comp, number)
                    for number in range(1, APPLICATIONS + 1)]
    jurors = [ensure_user("jury-vorsitz", "Johanna Vorsitz")] + [
        accounts.get_or_create_user(email=f"{key}@{DEMO_DOMAIN}", name=name)
        for key, name in MEMBERS]
    for index, juror in enumerate(jurors):
        accounts.assign_role(actor=actor, user=juror, role=Role.JUROR, competition=comp,
                             is_chair=index == 0)
    round_, entry_of = demo_jury.open_round(
        actor=actor, competition=comp, name="Bewertungsrunde",
        opens_at=now - timedelta(days=21), closes_at=now + timedelta(days=1))
    criteria = round_.criteria
    for application, rows in zip(applications, POINTS):
        entry = entry_of[application.id]
        for index, (juror, points) in enumerate(zip(jurors, rows)):
            if points is None:
                scoring.declare_conflict(actor=juror, entry=entry, reason=CONFLICT)
                continue
            values = {c.id: (p, "") for c, p in zip(criteria, points)}
            scoring.save_score(actor=juror, entry=entry, values=values,
                               comment=COMMENTS[(application.number + index) % len(COMMENTS)],
                               finalise=True)
    # The office closed the round after every sheet was in: the ranking is frozen.
    rounds.close_round(actor=actor, round_=round_)
    db.session.flush()
    return []
