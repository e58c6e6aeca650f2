"""Conflicts hold on every path: a jury member with a declared or staff-recorded conflict
can neither see, score, export, nor record, change or withdraw a decision for that
application — the chair included — and the minutes record conflicts and their lifting."""

import pytest
from sqlalchemy import select

from awards.enums import Role
from awards.extensions import db
from awards.models.decisions import Decision
from awards.models.jury import Conflict, Score
from awards.services import accounts, decisions
from awards.services.jury import scoring
from tests import factories

D = "/geschaeftsstelle/entscheidungen"


def _scene(*, staff_recorded=False):
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB")
    chair = factories.juror(comp, is_chair=True, name="Vera Vorsitz")
    juror = factories.juror(comp, name="Jonas Jury")
    applications = [factories.submitted_application(comp, admissible=True, project_title=f"Projekt Nummer {i}")
                    for i in range(3)]
    factories.jury_attachment(application=applications[0], content_type="application/pdf",
                  filename="bericht.pdf", data=factories.pdf_bytes(text="Bericht"))
    round_ = factories.open_round(competition=comp, jurors=[chair, juror], applications=applications)
    entries = {e.application_id: e for e in round_.entries}
    conflicted, other = applications[0], applications[1]
    if staff_recorded:
        scoring.set_conflict(actor=staff, entry=entries[conflicted.id], juror=chair,
                             reason="Vorstand im Verein")
    else:
        scoring.declare_conflict(actor=chair, entry=entries[conflicted.id], reason="Vorstand im Verein")
    db.session.commit()
    return dict(comp=comp, staff=staff, chair=chair, juror=juror, round=round_, entries=entries,
                conflicted=conflicted, other=other)


@pytest.mark.parametrize("staff_recorded", [False, True])
def test_chair_with_conflict_neither_sees_nor_records_a_decision(client, auth, staff_recorded):
    s = _scene(staff_recorded=staff_recorded)
    comp, chair = s["comp"], s["chair"]
    conflicted_code = s["entries"][s["conflicted"].id].code
    other_code = s["entries"][s["other"].id].code
    auth.login(chair)
    index = client.get(f"{D}/{comp.id}").text
    assert other_code in index  # positive control: the list shows the others by code
    assert conflicted_code not in index
    assert f"{D}/{comp.id}/bewerbung/{s['conflicted'].id}" not in index
    assert "1 Bewerbung ist wegen Ihrer Befangenheit ausgeblendet" in index

    url = f"{D}/{comp.id}/bewerbung/{s['conflicted'].id}"
    assert client.get(f"{D}/{comp.id}/bewerbung/{s['other'].id}").status_code == 200
    assert client.get(url).status_code == 404
    response = client.post(url, data={"category": str(comp.categories[0].id),
                                      "rationale": "Sehr überzeugend."})
    assert response.status_code == 404
    assert db.session.scalars(select(Decision)).all() == []


def test_chair_with_conflict_cannot_change_or_withdraw_a_staff_decision(client, auth):
    s = _scene()
    comp = s["comp"]
    decision = factories.decide(s["conflicted"], actor=s["staff"], rationale="Beschluss der Sitzung.")
    db.session.commit()
    auth.login(s["chair"])
    url = f"{D}/{comp.id}/bewerbung/{s['conflicted'].id}"
    response = client.post(url, data={"category": str(comp.categories[1].id),
                                      "rationale": "Doch lieber Platz zwei.",
                                      "version": str(decision.version)})
    assert response.status_code == 404
    response = client.post(f"{url}/entfernen", data={"version": str(decision.version)})
    assert response.status_code == 404
    db.session.expire_all()
    stored = db.session.scalars(select(Decision)).one()
    assert (stored.category_id, stored.rationale) == (comp.categories[0].id, "Beschluss der Sitzung.")


def test_the_decision_service_refuses_a_conflicted_actor(app):
    s = _scene()
    with pytest.raises(decisions.DecisionError) as refused:
        factories.decide(s["conflicted"], actor=s["chair"])
    assert refused.value.message == decisions.CONFLICT_MESSAGE
    decision = factories.decide(s["conflicted"], actor=s["staff"])
    with pytest.raises(decisions.DecisionError):
        decisions.remove_decision(actor=s["chair"], decision=decision)
    assert db.session.get(Decision, decision.id) is not None


def test_conflicted_juror_can_neither_score_nor_load_attachments(client, auth):
    s = _scene()
    round_, entry = s["round"], s["entries"][s["conflicted"].id]
    base = f"/jury/runden/{round_.id}/{entry.code}"
    # Positive control: the other juror (no conflict) loads the sheet and the attachment.
    auth.login(s["juror"])
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/anlagen/1").status_code == 200
    auth.logout()
    auth.login(s["chair"])
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/anlagen/1").status_code == 404
    assert client.get(f"{base}/befangenheit").status_code == 404
    values = {f"c{c.id}": "7" for c in round_.criteria}
    assert client.post(base, data=values | {"action": "final"}).status_code == 404
    assert db.session.scalars(select(Score).where(Score.juror_id == s["chair"].id)).all() == []
    with pytest.raises(scoring.ScoringError):
        scoring.save_score(actor=s["chair"], entry=entry,
                           values={c.id: (7, "") for c in round_.criteria}, finalise=True)


def test_exports_leave_out_the_conflicted_application(client, auth):
    s = _scene()
    round_ = s["round"]
    conflicted = s["entries"][s["conflicted"].id]
    other = s["entries"][s["other"].id]
    # The chair also works for the Geschäftsstelle of the prize: the staff exports too.
    accounts.assign_role(actor=None, user=s["chair"], role=Role.STAFF, prize_code="OBB")
    for entry in round_.entries:
        factories.score(round_=round_, entry=entry, juror=s["juror"], values=(5, 5))
    factories.score(round_=round_, entry=other, juror=s["chair"], values=(6, 6))
    db.session.commit()
    auth.login(s["chair"])
    own = client.get(f"/jury/runden/{round_.id}/meine-bewertungen.csv").text
    assert other.code in own and conflicted.code not in own
    for kind in ("bewertungen", "rangliste"):
        body = client.get(f"/geschaeftsstelle/jury/runden/{round_.id}/export/{kind}.csv").text
        assert other.code in body and conflicted.code not in body, kind
    # Staff who are not on the jury get every row.
    auth.logout()
    auth.login(s["staff"])
    body = client.get(f"/geschaeftsstelle/jury/runden/{round_.id}/export/bewertungen.csv").text
    assert other.code in body and conflicted.code in body


def _minutes_text(client, comp, chair):
    response = client.post(f"{D}/{comp.id}/niederschrift",
                           data={"session_date": "2026-05-12", "present": [str(chair.id)]})
    assert response.status_code == 200
    return factories.pdf_text(response.data)


def test_minutes_record_conflicts_and_lifted_conflicts_with_their_reasons(client, auth):
    s = _scene()
    round_, comp = s["round"], s["comp"]
    other = s["entries"][s["other"].id]
    mistaken = scoring.declare_conflict(actor=s["juror"], entry=other, reason="Versehentlich")
    scoring.lift_conflict(actor=s["staff"], conflict=mistaken, round_=round_, code=other.code,
                          reason="Das Jurymitglied hat sich in der Zeile geirrt")
    db.session.commit()
    auth.login(s["staff"])
    text = _minutes_text(client, comp, s["chair"])
    conflicted_code = s["entries"][s["conflicted"].id].code
    declared = text.split("4. Angezeigte Befangenheit", 1)[1].split("Aufgehobene Befangenheit", 1)[0]
    lifted = text.split("Aufgehobene Befangenheit", 1)[1].split("5. Beschlüsse", 1)[0]
    # Table cells wrap in the PDF's text: each value is looked for on its own.
    for value in ("Vera Vorsitz", f"{conflicted_code} – Projekt Nummer 0", "Vorstand im Verein"):
        assert value in declared
    assert "Jonas Jury" not in declared  # the lifted conflict no longer stands
    for value in ("Jonas Jury", f"{other.code} – Projekt Nummer 1", "Versehentlich",
                  "Das Jurymitglied hat sich in der Zeile geirrt", s["staff"].display_name):
        assert value in lifted
    assert s["conflicted"].reference not in text  # the jury's anonymity holds


def test_staff_on_the_jury_cannot_lift_their_own_conflict(client, auth):
    s = _scene()
    accounts.assign_role(actor=None, user=s["chair"], role=Role.STAFF, prize_code="OBB")
    db.session.commit()
    conflict = db.session.scalars(select(Conflict)).one()
    url = f"/geschaeftsstelle/jury/runden/{s['round'].id}/befangenheit/{conflict.id}/aufheben"
    auth.login(s["chair"])
    response = client.post(url, data={"reason": "Ich war doch nicht befangen"})
    assert response.status_code == 422
    assert "Ihre eigene Befangenheit kann nur eine andere Person" in response.text
    assert db.session.scalars(select(Conflict)).one().id == conflict.id
    auth.logout()
    auth.login(s["staff"])  # another member of the office may
    assert client.post(url, data={"reason": "Irrtum bestätigt"}).status_code == 302
    assert db.session.scalars(select(Conflict)).all() == []
