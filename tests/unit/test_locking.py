"""Optimistic locking (version column) on applications, scores and decisions.

Two people (or two tabs) save the same row: the second save is refused with a clear
message, the first change stays, and the second person's input is shown again.
"""
import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from awards.extensions import db
from awards.models.applications import Application
from awards.models.decisions import Decision
from awards.models.jury import Score
from awards.services import applications as application_service
from awards.services import decisions as decision_service
from awards.services.jury import scoring
from tests import factories

STEP2 = {"action": "save", "summary": "S", "description": "D", "goals": "", "target_group": "",
         "motto_relation": "", "project_start": ""}


def _two_sessions_save(model, row_id, field, first_value, second_value):
    """Load the same row in two sessions, change it in both, commit both."""
    first = Session(bind=db.engine)
    second = Session(bind=db.engine)
    try:
        a = first.get(model, row_id)
        b = second.get(model, row_id)
        setattr(a, field, first_value)
        setattr(b, field, second_value)
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    finally:
        first.close()
        second.close()
    db.session.expire_all()
    return getattr(db.session.get(model, row_id), field)


def test_application_two_sessions_second_save_refused_first_kept(app):
    draft = factories.application(competition=factories.competition())
    db.session.commit()
    assert _two_sessions_save(Application, draft.id, "project_title", "Tab A", "Tab B") == "Tab A"
    assert db.session.get(Application, draft.id).version == 2


def test_score_two_sessions_second_save_refused_first_kept(app):
    comp = factories.competition()
    juror = factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=[juror], n=1)
    score = factories.score(round_=round_, entry=round_.entries[0], juror=juror, values=[5, 5])
    db.session.commit()
    assert _two_sessions_save(Score, score.id, "comment", "Erste Meinung", "Zweite") == "Erste Meinung"


def test_decision_two_sessions_second_save_refused_first_kept(app):
    comp = factories.competition()
    application = factories.submitted_application(comp)
    decision = factories.decide(application)
    db.session.commit()
    assert _two_sessions_save(Decision, decision.id, "rationale", "Begründung A",
                              "Begründung B") == "Begründung A"


def test_application_service_stale_version_raises_conflict(app):
    draft = factories.application(competition=factories.competition())
    db.session.commit()
    seen = draft.version
    application_service.save_draft(actor=draft.owner, application=draft, step=2,
                                   values={"project_title": "A"}, expected_version=seen)
    db.session.commit()
    # The service builds its message with gettext, which needs a request (see the report).
    with app.test_request_context(), pytest.raises(application_service.Conflict):
        application_service.save_draft(actor=draft.owner, application=draft, step=2,
                                       values={"project_title": "B"}, expected_version=seen)


def test_score_service_stale_version_raises(app):
    comp = factories.competition()
    juror = factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=[juror], n=1)
    entry = round_.entries[0]
    crit = [c.id for c in round_.criteria]
    first = scoring.save_score(actor=juror, entry=entry, values={c: (5, "") for c in crit})
    db.session.commit()
    seen = first.version
    scoring.save_score(actor=juror, entry=entry, values={c: (6, "") for c in crit}, version=seen)
    db.session.commit()
    with pytest.raises(scoring.StaleScore):
        scoring.save_score(actor=juror, entry=entry, values={c: (7, "") for c in crit},
                           version=seen)


def test_decision_service_stale_version_raises(app):
    comp = factories.competition()
    application = factories.submitted_application(comp)
    decision = factories.decide(application)
    db.session.commit()
    seen = decision.version
    factories.decide(application, rationale="Neu", expected_version=seen)
    db.session.commit()
    with pytest.raises(decision_service.StaleDecision):
        factories.decide(application, rationale="Noch neuer", expected_version=seen)


# --- views --------------------------------------------------------------------------------

def test_application_two_tabs_second_gets_message_and_keeps_typed_text(app, client, auth):
    owner = factories.user()
    draft = factories.application(competition=factories.competition(), owner=owner)
    db.session.commit()
    auth.login(owner)
    seen = str(draft.version)  # both tabs loaded the form at this version
    url = f"/bewerbung/{draft.id}/schritt/2"
    tab_a = client.post(url, data={**STEP2, "version": seen, "project_title": "Titel aus Tab A"})
    assert tab_a.status_code == 302
    tab_b = client.post(url, data={**STEP2, "version": seen, "project_title": "Titel aus Tab B"})
    page = tab_b.get_data(as_text=True)
    assert tab_b.status_code == 409
    assert "Diese Bewerbung wurde inzwischen an anderer Stelle geändert" in page
    assert 'value="Titel aus Tab B"' in page
    db.session.expire_all()
    assert db.session.get(Application, draft.id).project_title == "Titel aus Tab A"


@pytest.fixture
def concurrent_writer(app):
    """Just before the request's UPDATE of a table, another connection commits a change."""
    armed = {}

    def listener(conn, cursor, statement, parameters, context, executemany):
        target = armed.pop("table", None)
        if target and statement.lstrip().upper().startswith(f"UPDATE {target.upper()}"):
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
                other.execute(text(armed.pop("sql")), armed.pop("params"))
        elif target:
            armed["table"] = target

    event.listen(db.engine, "before_cursor_execute", listener)

    def arm(table, sql, **params):
        armed.update(table=table, sql=sql, params=params)

    yield arm
    event.remove(db.engine, "before_cursor_execute", listener)


def test_application_race_past_the_version_check_gets_409_page(app, client, auth,
                                                                concurrent_writer):
    owner = factories.user()
    draft = factories.application(competition=factories.competition(), owner=owner,
                                  project_title="Start")
    db.session.commit()
    auth.login(owner)
    # Both saves pass the version check; the other one reaches the database first.
    concurrent_writer("applications",
                      "UPDATE applications SET project_title = 'Von nebenan', "
                      "version = version + 1 WHERE id = :id", id=draft.id)
    response = client.post(f"/bewerbung/{draft.id}/schritt/2",
                           data={**STEP2, "version": str(draft.version), "project_title": "Meins"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Änderung überschneidet sich" in page
    assert "Jemand anderes hat diese Daten inzwischen geändert." in page
    db.session.expire_all()
    assert db.session.get(Application, draft.id).project_title == "Von nebenan"


def test_score_two_tabs_second_gets_message_and_keeps_values(app, client, auth):
    comp = factories.competition()
    juror = factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=[juror], n=1)
    entry = round_.entries[0]
    crit = [c.id for c in round_.criteria]
    first = scoring.save_score(actor=juror, entry=entry, values={c: (5, "") for c in crit})
    db.session.commit()
    seen = str(first.version)
    auth.login(juror)
    url = f"/jury/runden/{round_.id}/{entry.code}"

    def form(points, comment):
        data = {"version": seen, "comment": comment, "action": "draft"}
        data.update({f"c{c}": str(points) for c in crit})
        return data

    assert client.post(url, data=form(8, "Aus Tab A")).status_code == 302
    tab_b = client.post(url, data=form(2, "Aus Tab B"))
    page = tab_b.get_data(as_text=True)
    assert tab_b.status_code == 422
    assert "Diese Bewertung wurde inzwischen an anderer Stelle geändert." in page
    assert "Aus Tab B" in page
    db.session.expire_all()
    assert db.session.get(Score, first.id).comment == "Aus Tab A"


def test_decision_two_tabs_second_gets_message(app, client, auth):
    comp = factories.competition()
    staff = factories.staff()
    application = factories.submitted_application(comp)
    factories.scored(comp, [application])  # the whole way: the form needs no exception reason
    decision = factories.decide(application)
    db.session.commit()
    seen = str(decision.version)
    auth.login(staff)
    url = f"/geschaeftsstelle/entscheidungen/{comp.id}/bewerbung/{application.id}"
    category = comp.categories[0].id

    def form(rationale):
        return {"category": str(category), "amount": "4000", "rationale": rationale,
                "version": seen}

    assert client.post(url, data=form("Begründung aus Tab A")).status_code == 302
    tab_b = client.post(url, data=form("Begründung aus Tab B"))
    page = tab_b.get_data(as_text=True)
    assert tab_b.status_code == 422
    assert "Jemand anderes hat diese Entscheidung inzwischen geändert." in page
    assert "Begründung aus Tab B" in page
    db.session.expire_all()
    assert db.session.get(Decision, decision.id).rationale == "Begründung aus Tab A"
