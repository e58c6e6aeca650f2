"""Juror pages: access only to assigned, unconflicted entries of open rounds (404
otherwise), Bewertungsbogen, Befangenheit, progress and own export."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.jury import Conflict, Score, ScoreStatus
from awards.services.jury import rounds
from tests import factories
from awards.services.jury import rounds


@pytest.fixture
def setup(app):
    comp = factories.competition(prize_code="OBB")
    juror = factories.juror(comp)
    other = factories.juror(comp)
    round_ = factories.jury_round(competition=comp)
    for _ in range(3):
        factories.submitted_application(comp, admissible=True)
    rounds.populate_entries(actor=None, round_=round_)
    factories.approve_all(round_)
    a, b, c = round_.entries
    factories.assign_all(round_, [other])
    from awards.models.jury import Assignment

    for e in (a, b):
        db.session.add(Assignment(round_id=round_.id, entry_id=e.id, juror_id=juror.id))
    db.session.flush()
    rounds.open_round(actor=None, round_=round_)
    db.session.commit()
    return {"comp": comp, "juror": juror, "other": other, "round": round_, "a": a, "b": b, "c": c}


def _url(s, entry, suffix=""):
    return f"/jury/runden/{s['round'].id}/{entry.code}{suffix}"


def _values(round_, a=7, b=5):
    c1, c2 = round_.criteria
    return {f"c{c1.id}": str(a), f"c{c2.id}": str(b)}


def test_dashboard_shows_progress(setup, client, auth):
    auth.login(setup["juror"])
    resp = client.get("/jury/")
    assert resp.status_code == 200
    assert "0 von 2 bewertet" in resp.text


def test_dashboard_refuses_non_juror(setup, client, auth):
    auth.login(factories.user())
    assert client.get("/jury/").status_code == 403


def test_dashboard_sends_anonymous_to_login(setup, client):
    resp = client.get("/jury/")
    assert resp.status_code == 302
    assert "/konto/anmelden" in resp.headers["Location"]


def test_round_page_lists_only_assigned_entries(setup, client, auth):
    auth.login(setup["juror"])
    resp = client.get(f"/jury/runden/{setup['round'].id}")
    assert resp.status_code == 200
    assert setup["a"].code in resp.text and setup["b"].code in resp.text
    assert setup["c"].code not in resp.text


def test_scoresheet_shows_projection_and_anchors(setup, client, auth):
    auth.login(setup["juror"])
    resp = client.get(_url(setup, setup["a"]))
    assert resp.status_code == 200
    app_ = setup["a"].application
    assert setup["a"].code in resp.text
    assert app_.summary in resp.text
    assert "gar nicht" in resp.text and "voll" in resp.text  # anchor texts
    assert "Bewertung zwischenspeichern" in resp.text and "Bewertung abschließen" in resp.text
    for secret in (app_.org_name, app_.contact_name, app_.email, app_.reference):
        assert secret not in resp.text


def test_entry_not_assigned_is_404(setup, client, auth):
    auth.login(setup["juror"])
    assert client.get(_url(setup, setup["c"])).status_code == 404
    assert client.post(_url(setup, setup["c"]), data=_values(setup["round"])).status_code == 404
    assert client.get(_url(setup, setup["c"], "/anlagen/1")).status_code == 404
    assert client.get(_url(setup, setup["c"], "/befangenheit")).status_code == 404


@pytest.mark.parametrize("code", ["A-ZZZZ", "X-0000", "1", "a-abcd", "../1"])
def test_guessed_code_is_404(setup, client, auth, code):
    auth.login(setup["juror"])
    assert client.get(f"/jury/runden/{setup['round'].id}/{code}").status_code == 404


def test_guessed_round_id_is_404(setup, client, auth):
    auth.login(setup["juror"])
    assert client.get(f"/jury/runden/{setup['round'].id + 99}/{setup['a'].code}").status_code == 404
    assert client.get(f"/jury/runden/{setup['round'].id + 99}").status_code == 404


def test_juror_of_other_competition_gets_404(setup, client, auth):
    stranger = factories.juror(factories.competition(prize_code="NDB"))
    db.session.commit()
    auth.login(stranger)
    assert client.get(_url(setup, setup["a"])).status_code == 404
    assert client.get(f"/jury/runden/{setup['round'].id}").status_code == 404


def test_round_not_yet_open_is_404(setup, client, auth):
    setup["round"].opens_at = utcnow() + timedelta(days=2)
    db.session.commit()
    auth.login(setup["juror"])
    assert client.get(_url(setup, setup["a"])).status_code == 404
    assert setup["a"].code not in client.get(f"/jury/runden/{setup['round'].id}").text


def test_draft_round_is_404(app, client, auth):
    comp = factories.competition()
    juror = factories.juror(comp)
    round_ = factories.jury_round(competition=comp)
    factories.submitted_application(comp, admissible=True)
    rounds.populate_entries(actor=None, round_=round_)
    factories.assign_all(round_, [juror])
    db.session.commit()
    auth.login(juror)
    assert client.get(f"/jury/runden/{round_.id}/{round_.entries[0].code}").status_code == 404


def test_closed_round_is_404_and_score_cannot_change(setup, client, auth):
    rounds.close_round(actor=None, round_=setup["round"])
    db.session.commit()
    auth.login(setup["juror"])
    assert client.get(_url(setup, setup["a"])).status_code == 404
    resp = client.post(_url(setup, setup["a"]), data={**_values(setup["round"]), "action": "final"})
    assert resp.status_code == 404
    assert db.session.scalars(select(Score)).all() == []


def test_round_past_close_time_refuses_scores(setup, client, auth):
    setup["round"].closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    auth.login(setup["juror"])
    assert client.post(_url(setup, setup["a"]), data={**_values(setup["round"]), "action": "draft"}).status_code == 404


def test_save_draft_then_finalise(setup, client, auth):
    auth.login(setup["juror"])
    round_ = setup["round"]
    c1, c2 = round_.criteria
    resp = client.post(_url(setup, setup["a"]), data={f"c{c1.id}": "6", "action": "draft",
                                                     "comment": "Guter Ansatz"})
    assert resp.status_code == 302
    score = db.session.scalars(select(Score)).one()
    assert score.status == ScoreStatus.DRAFT
    assert {v.round_criterion_id: v.value for v in score.values} == {c1.id: 6, c2.id: None}
    resp = client.post(_url(setup, setup["a"]), data={f"c{c1.id}": "6", "action": "final",
                                                     "version": str(score.version)})
    assert resp.status_code == 422
    assert "Bitte vergeben Sie Punkte für „Nachhaltigkeit“" in resp.text
    db.session.expire_all()
    assert db.session.scalars(select(Score)).one().status == ScoreStatus.DRAFT
    resp = client.post(_url(setup, setup["a"]), data={**_values(round_, 6, 4), "action": "final",
                                                     "note" + str(c2.id): "solide",
                                                     "version": str(score.version)})
    assert resp.status_code == 302
    db.session.expire_all()
    score = db.session.scalars(select(Score)).one()
    assert score.status == ScoreStatus.FINAL
    assert {v.round_criterion_id: (v.value, v.comment) for v in score.values} == {
        c1.id: (6, ""), c2.id: (4, "solide")}
    assert "1 von 2 bewertet" in client.get("/jury/").text


def test_change_after_finalising_is_audited_with_old_and_new(setup, client, auth):
    auth.login(setup["juror"])
    round_ = setup["round"]
    client.post(_url(setup, setup["a"]), data={**_values(round_, 6, 4), "action": "final"})
    version = db.session.scalars(select(Score)).one().version
    resp = client.post(_url(setup, setup["a"]), data={**_values(round_, 8, 4), "action": "final",
                                                     "version": str(version)})
    assert resp.status_code == 302
    row = db.session.scalars(select(AuditLog).where(AuditLog.action == "jury.score.change")).one()
    assert row.old["Strahlkraft"] == 6 and row.new["Strahlkraft"] == 8
    assert row.new["Status"] == "final"


def test_stale_version_is_refused_and_input_kept(setup, client, auth):
    auth.login(setup["juror"])
    round_ = setup["round"]
    client.post(_url(setup, setup["a"]), data={**_values(round_, 6, 4), "action": "draft"})
    resp = client.post(_url(setup, setup["a"]), data={**_values(round_, 9, 9), "action": "draft",
                                                     "comment": "mein Text", "version": "99"})
    assert resp.status_code == 422
    assert "inzwischen an anderer Stelle geändert" in resp.text
    assert "mein Text" in resp.text
    db.session.expire_all()
    assert sorted(v.value for v in db.session.scalars(select(Score)).one().values) == [4, 6]


def test_out_of_scale_value_is_refused(setup, client, auth):
    auth.login(setup["juror"])
    c1, c2 = setup["round"].criteria
    resp = client.post(_url(setup, setup["a"]), data={f"c{c1.id}": "11", f"c{c2.id}": "5", "action": "final"})
    assert resp.status_code == 422
    assert db.session.scalars(select(Score)).all() == []


def test_declare_conflict_hides_entry(setup, client, auth):
    auth.login(setup["juror"])
    resp = client.post(_url(setup, setup["a"], "/befangenheit"), data={"reason": "Ich bin im Vorstand."})
    assert resp.status_code == 302
    conflict = db.session.scalars(select(Conflict)).one()
    assert (conflict.juror_id, conflict.application_id, conflict.declared_by_id) == (
        setup["juror"].id, setup["a"].application_id, setup["juror"].id)
    assert conflict.reason == "Ich bin im Vorstand."
    assert db.session.scalars(select(AuditLog.action).where(
        AuditLog.action == "jury.conflict.declare")).all() == ["jury.conflict.declare"]
    assert client.get(_url(setup, setup["a"])).status_code == 404
    assert "0 von 1 bewertet" in client.get("/jury/").text


def test_declare_conflict_requires_reason(setup, client, auth):
    auth.login(setup["juror"])
    resp = client.post(_url(setup, setup["a"], "/befangenheit"), data={"reason": "  "})
    assert resp.status_code == 422
    assert db.session.scalars(select(Conflict)).all() == []


def test_others_scores_shown_only_after_own_final_when_enabled(setup, client, auth):
    round_ = setup["round"]
    round_.show_others_after_submit = True
    factories.score(round_=round_, entry=setup["a"], juror=setup["other"], values=(9, 3))
    db.session.commit()
    auth.login(setup["juror"])
    assert "Gesamtpunktzahlen der anderen" not in client.get(_url(setup, setup["a"])).text
    client.post(_url(setup, setup["a"]), data={**_values(round_, 5, 5), "action": "final"})
    resp = client.get(_url(setup, setup["a"]))
    assert "Gesamtpunktzahlen der anderen" in resp.text
    assert "21,0" in resp.text


def test_own_export_has_codes_only(setup, client, auth):
    auth.login(setup["juror"])
    client.post(_url(setup, setup["a"]), data={**_values(setup["round"], 5, 5), "action": "final"})
    resp = client.get(f"/jury/runden/{setup['round'].id}/meine-bewertungen.csv")
    assert resp.status_code == 200
    lines = resp.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Kennung;Projekttitel;Status")
    assert len(lines) == 3
    assert setup["a"].application.org_name not in resp.data.decode()
    assert setup["c"].code not in resp.data.decode()
