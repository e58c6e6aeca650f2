"""Staff lift a conflict of interest recorded by mistake: audited with a reason, the juror
sees the application again and their earlier final score counts again."""
from sqlalchemy import select

from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.jury import Conflict
from awards.services.jury import ranking, rounds, scoring
from tests import factories
from awards.services.jury import ranking, rounds, scoring

P = "/geschaeftsstelle/jury"


def _round_with_conflict():
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB")
    j1 = factories.juror(comp, name="Johanna Vorsitz")
    j2 = factories.juror(comp, name="Jonas Jury")
    round_ = factories.open_round(competition=comp, jurors=[j1, j2], n=1)
    entry = round_.entries[0]
    factories.score(round_=round_, entry=entry, juror=j1, values=(8, 8))
    factories.score(round_=round_, entry=entry, juror=j2, values=(2, 2))
    conflict = scoring.declare_conflict(actor=j2, entry=entry, reason="Falsche Bewerbung erwischt")
    db.session.commit()
    return round_, entry, staff, j2, conflict


def _lift_url(round_, conflict):
    return f"{P}/runden/{round_.id}/befangenheit/{conflict.id}/aufheben"


def test_lifted_conflict_is_audited_and_the_score_counts_again(app, client, auth):
    round_, entry, staff, juror, conflict = _round_with_conflict()
    assert ranking.compute(round_)["rows"][0]["n"] == 1
    assert scoring.juror_entry(juror=juror, round_id=round_.id, code=entry.code) is None
    auth.login(staff)
    page = client.get(f"{P}/runden/{round_.id}/befangenheit").text
    assert _lift_url(round_, conflict) in page
    form = client.get(_lift_url(round_, conflict)).text
    assert "Falsche Bewerbung erwischt" in form and "Jonas Jury" in form
    response = client.post(_lift_url(round_, conflict), data={"reason": "Irrtum des Jurymitglieds"})
    assert response.status_code == 302
    assert db.session.scalars(select(Conflict)).all() == []
    assert ranking.compute(round_)["rows"][0]["n"] == 2
    assert scoring.juror_entry(juror=juror, round_id=round_.id, code=entry.code) is not None
    entry_log = db.session.scalars(select(AuditLog).where(AuditLog.action == "jury.conflict.lift")).one()
    assert entry_log.actor_id == staff.id
    assert entry_log.old["reason"] == "Falsche Bewerbung erwischt"
    assert entry_log.new == {"lift_reason": "Irrtum des Jurymitglieds"}


def test_lifting_needs_a_reason_and_keeps_the_conflict(app, client, auth):
    round_, entry, staff, juror, conflict = _round_with_conflict()
    auth.login(staff)
    response = client.post(_lift_url(round_, conflict), data={"reason": "  "})
    assert response.status_code == 422
    assert "Bitte" in response.text
    assert db.session.scalars(select(Conflict)).one().id == conflict.id


def test_closed_round_cannot_lift(app, client, auth):
    round_, entry, staff, juror, conflict = _round_with_conflict()
    rounds.close_round(actor=None, round_=round_)
    db.session.commit()
    auth.login(staff)
    assert _lift_url(round_, conflict) not in client.get(f"{P}/runden/{round_.id}/befangenheit").text
    response = client.post(_lift_url(round_, conflict), data={"reason": "Irrtum"})
    assert response.status_code == 422 and "Die Runde ist abgeschlossen." in response.text
    assert db.session.scalars(select(Conflict)).one().id == conflict.id


def test_conflict_of_another_round_or_prize_is_not_found(app, client, auth):
    round_, entry, staff, juror, conflict = _round_with_conflict()
    other_comp = factories.competition(prize_code="OBB", year=round_.competition.year - 1)
    other_round = factories.open_round(competition=other_comp, jurors=[factories.juror(other_comp)], n=1)
    db.session.commit()
    auth.login(staff)
    assert client.get(_lift_url(other_round, conflict)).status_code == 404
    assert client.get(f"{P}/runden/{round_.id}/befangenheit/999999/aufheben").status_code == 404
    other_staff = factories.staff(prize_code="UFR")
    db.session.commit()
    auth.logout()
    auth.login(other_staff)
    assert client.post(_lift_url(round_, conflict), data={"reason": "x"}).status_code in (403, 404)
    assert db.session.scalars(select(Conflict)).one().id == conflict.id
