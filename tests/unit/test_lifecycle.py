"""The prize year's state machine: every action in every state, through the services and
through the routes, against a table written here independently of the machine's own."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from awards.enums import (ApplicationStatus, CompetitionStatus, FormalCheck, SubmissionKind,
                          TokenPurpose)
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.decisions import Decision, DecisionRelease
from awards.models.jury import Assignment, RoundStatus
from awards.services import applications, competitions, decisions, lifecycle, nominations, publication, tokens
from awards.services.jury import anonymisation, release, rounds
from awards.services.lifecycle import YearState as S
from tests import factories
from tests.factories import complete_application
from tests.rendered_forms import rendered_form

ALL = frozenset(S)
EXPECTED = {
    "edit_call": {S.DRAFT, S.ANNOUNCED, S.OPEN, S.CLOSED, S.JURY, S.DECIDED},
    "edit_criteria": {S.DRAFT, S.ANNOUNCED, S.OPEN, S.CLOSED},
    "edit_categories": {S.DRAFT, S.ANNOUNCED, S.OPEN, S.CLOSED, S.JURY},
    "announce": {S.DRAFT},
    "back_to_draft": {S.ANNOUNCED, S.OPEN},
    "end_early": {S.OPEN},
    "reopen_call": {S.CLOSED},
    "start_jury": {S.CLOSED},
    "back_to_closed": {S.JURY},
    "finish_jury": {S.JURY},
    "back_to_jury": {S.DECIDED},
    "archive": {S.PUBLISHED},
    "apply": {S.OPEN},
    "submit": {S.OPEN},
    "resubmit": {S.OPEN, S.CLOSED, S.JURY},
    "withdraw": {S.OPEN},
    "nominee_confirm": {S.OPEN, S.CLOSED, S.JURY, S.DECIDED, S.RELEASED, S.PUBLISHED},
    "nominee_decline": {S.OPEN, S.CLOSED, S.JURY, S.DECIDED},
    "formal_check": {S.OPEN, S.CLOSED, S.JURY},
    "reopen": {S.OPEN, S.CLOSED, S.JURY},
    "open_round": {S.JURY},
    "close_round": {S.JURY},
    "record_decision": {S.JURY, S.DECIDED},
    "release": {S.JURY, S.DECIDED},
    "schedule_publication": {S.JURY, S.DECIDED, S.RELEASED},
    "publish": {S.RELEASED},
    "withdraw_publication": {S.RELEASED, S.PUBLISHED},
    "revoke": {S.RELEASED, S.PUBLISHED},
}
# What each action writes to the audit log when it is done.
AUDIT = {
    "edit_call": "competition.update", "edit_criteria": "competition.criterion_add",
    "edit_categories": "competition.category_add",
    **{name: "competition.status" for name in lifecycle.STAGE_ACTIONS},
    "apply": "application.start", "submit": "application.submit",
    "resubmit": "application.submit", "withdraw": "application.withdraw",
    "nominee_confirm": "nomination.confirm", "nominee_decline": "nomination.decline",
    "formal_check": "application.formal_check", "reopen": "application.reopen",
    "open_round": "jury.round.open", "close_round": "jury.round.close",
    "record_decision": "decision.create", "release": "decision.release",
    "schedule_publication": "publication.schedule", "publish": "publication.publish",
    "withdraw_publication": "publication.withdraw", "revoke": "decision.revoke",
}


def test_the_table_covers_every_action_of_the_machine():
    assert set(EXPECTED) == set(lifecycle.ACTIONS) == set(AUDIT)
    assert list(S) == [S.DRAFT, S.ANNOUNCED, S.OPEN, S.CLOSED, S.JURY, S.DECIDED, S.RELEASED,
                       S.PUBLISHED, S.ARCHIVED]


# --- a year in each state ---------------------------------------------------------------

def make_year(state, now):
    comp = factories.competition_in(state, now=now)
    assert lifecycle.state_of(comp, now) == state
    return comp


def _submitted(comp, owner, **kw):
    return factories.submitted_application(comp, owner=owner, complete=True, **kw)


def _decision(comp, application):
    decision = Decision(competition_id=comp.id, application_id=application.id,
                        category_id=comp.categories[0].id, amount_cents=400000,
                        rationale="Gut.", decided_at=utcnow())
    db.session.add(decision)
    db.session.flush()
    return decision


def _ready_round(comp, juror, *, status=RoundStatus.DRAFT):
    apps = [_submitted(comp, factories.user(), formal_check=FormalCheck.ADMISSIBLE)]
    round_ = rounds.create_round(actor=None, competition=comp, name="Jurysitzung",
                                 criteria=[(c, c.weight) for c in comp.criteria],
                                 closes_at=utcnow() + timedelta(days=14))
    rounds.populate_entries(actor=None, round_=round_)
    for entry in round_.entries:
        anonymisation.approve(actor=None, entry=entry)
        db.session.add(Assignment(round_id=round_.id, entry_id=entry.id, juror_id=juror.id))
    db.session.flush()
    if status != RoundStatus.DRAFT:
        round_.status = status
        round_.opened_at = utcnow()
        db.session.flush()
    return round_, apps


def prepare(action, comp, state):
    """Everything the action needs besides the year's state; returns a context dict."""
    ctx = {"staff": factories.staff(prize_code=comp.prize_code), "applicant": factories.user()}
    if action == "submit":
        ctx["application"] = complete_application(competition=comp, owner=ctx["applicant"])
    elif action == "resubmit":
        ctx["application"] = _submitted(comp, ctx["applicant"])
        ctx["application"].status = ApplicationStatus.REOPENED
    elif action in ("withdraw", "formal_check", "reopen"):
        ctx["application"] = _submitted(comp, ctx["applicant"])
    elif action in ("nominee_confirm", "nominee_decline"):
        ctx["application"] = _submitted(comp, ctx["applicant"], kind=SubmissionKind.NOMINATION,
                                        email="verein@nominiert.example")
        db.session.flush()  # the factory created the nominee's Nomination, as submission does
        ctx["token"] = tokens.issue(purpose=TokenPurpose.NOMINEE,
                                    email="verein@nominiert.example",
                                    payload={"nomination": ctx["application"].nomination.id})
    elif action in ("open_round", "close_round"):
        juror = factories.juror(comp)
        ctx["round"], _apps = _ready_round(
            comp, juror, status=RoundStatus.OPEN if action == "close_round" else RoundStatus.DRAFT)
    elif action == "record_decision":
        ctx["application"] = _submitted(comp, ctx["applicant"])
        factories.scored(comp, [ctx["application"]])
    elif action in ("release", "revoke"):
        ctx["application"] = _submitted(comp, ctx["applicant"])
        ctx["decision"] = _decision(comp, ctx["application"])
    elif action == "withdraw_publication" and comp.published_at is None:
        comp.publish_at = utcnow() + timedelta(days=30)
    db.session.flush()
    return ctx


def audit_count(name):
    return db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == name))


# --- through the services ---------------------------------------------------------------

def run_service(action, comp, ctx):
    staff, applicant = ctx["staff"], ctx["applicant"]
    if action == "edit_call":
        competitions.update(actor=staff, competition=comp, values={"motto": "Neues Motto"})
    elif action == "edit_criteria":
        competitions.add_criterion(actor=staff, competition=comp, values={
            "name": "Wirksamkeit", "description": "", "weight": 1, "scale_min": 0,
            "scale_max": 10, "anchors": {}})
    elif action == "edit_categories":
        competitions.add_category(actor=staff, competition=comp, values={
            "label": "Sonderpreis", "rank": 4, "amount_cents": 50000, "count": 1})
    elif action in lifecycle.STAGE_ACTIONS:
        competitions.take_stage_action(actor=staff, competition=comp, action=action)
    elif action == "apply":
        applications.start(actor=applicant, competition=comp)
    elif action in ("submit", "resubmit"):
        applications.submit(actor=applicant, application=ctx["application"])
    elif action == "withdraw":
        applications.withdraw(actor=applicant, application=ctx["application"])
    elif action in ("nominee_confirm", "nominee_decline"):
        nominations.respond(token=ctx["token"], confirm=action == "nominee_confirm",
                            consents={"consent_publish_name": True})
    elif action == "formal_check":
        applications.formal_check(actor=staff, application=ctx["application"],
                                  result=FormalCheck.ADMISSIBLE)
    elif action == "reopen":
        applications.reopen(actor=staff, application=ctx["application"],
                            reason="Bitte ergänzen Sie den Finanzierungsplan.")
    elif action == "open_round":
        rounds.open_round(actor=staff, round_=ctx["round"])
    elif action == "close_round":
        rounds.close_round(actor=staff, round_=ctx["round"])
    elif action == "record_decision":
        decisions.record_decision(actor=staff, application=ctx["application"],
                                  category=comp.categories[0], rationale="Vorbildlich.")
    elif action == "release":
        release.release_decisions(actor=staff, competition=comp)
    elif action == "schedule_publication":
        publication.schedule_publication(actor=staff, competition=comp,
                                         publish_at=utcnow() + timedelta(days=60))
    elif action == "publish":
        publication.publish_now(actor=staff, competition=comp)
    elif action == "withdraw_publication":
        publication.withdraw_publication(actor=staff, competition=comp)
    elif action == "revoke":
        decisions.revoke(actor=staff, decision=ctx["decision"], reason="Täuschung festgestellt.")
    else:  # pragma: no cover - the table test above keeps this complete
        raise AssertionError(action)


REFUSALS = (lifecycle.NotAllowed, competitions.CompetitionError, applications.ApplicationError,
            rounds.RoundError, decisions.DecisionError, nominations.NominationError)


@pytest.mark.parametrize("state", list(S), ids=[s.value for s in S])
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_every_action_in_every_state_through_the_services(app, action, state):
    now = utcnow()
    comp = make_year(state, now)
    ctx = prepare(action, comp, state)
    allowed = state in EXPECTED[action]
    assert lifecycle.allows(action, comp) is allowed
    before = audit_count(AUDIT[action])
    with app.test_request_context():
        if allowed:
            run_service(action, comp, ctx)
            assert audit_count(AUDIT[action]) > before
        else:
            with pytest.raises(REFUSALS):
                run_service(action, comp, ctx)
            db.session.rollback()
            assert audit_count(AUDIT[action]) == before


# --- through the routes -----------------------------------------------------------------

COMPETITION = "/geschaeftsstelle/wettbewerbe/{c}"
DECISIONS = "/geschaeftsstelle/entscheidungen/{c}"


def run_route(action, comp, ctx, client, auth):
    """The request a user makes for `action`, as the page for it offers it."""
    c = comp.id
    application = ctx.get("application")
    if action in ("nominee_confirm", "nominee_decline"):
        # The nominee needs no account: the page of the mail's link, its form as shown.
        page = client.get(f"/bewerbung/vorschlag?token={ctx['token']}")
        form = rendered_form(page.get_data(as_text=True), form_id="nominee-form") \
            if page.status_code == 200 and 'id="nominee-form"' in page.get_data(as_text=True) \
            else None
        if form is None or (action == "nominee_decline"
                            and "decline" not in form.checkboxes.get("response", [])):
            return page
        form.fill(response="confirm" if action == "nominee_confirm" else "decline",
                  consent_publish_name=True)
        return client.post(form.action, data=form.data())
    staff_actions = action not in ("apply", "submit", "resubmit", "withdraw")
    auth.login(ctx["staff"] if staff_actions else ctx["applicant"])
    if action == "edit_call":
        data = {"title": comp.title, "motto": "Neues Motto", "budget": "9.000",
                "allocation_mode": "ranked", "deadline_date": "2099-02-05", "deadline_time": "23:59"}
        return client.post(COMPETITION.format(c=c) + "/bearbeiten", data=data)
    if action == "edit_criteria":
        return client.post(COMPETITION.format(c=c) + "/kriterien/neu", data={
            "name": "Wirksamkeit", "weight": "1", "scale_min": "0", "scale_max": "10"})
    if action == "edit_categories":
        return client.post(COMPETITION.format(c=c) + "/preise/neu", data={
            "label": "Sonderpreis", "rank": "4", "amount": "500", "count": "1"})
    if action in lifecycle.STAGE_ACTIONS:
        return client.post(COMPETITION.format(c=c) + f"/stand/{action}", data={"confirm": "y"})
    if action == "apply":
        return client.post(f"/bewerbung/start/{c}")
    if action in ("submit", "resubmit"):
        return client.post(f"/bewerbung/{application.id}/schritt/5", data={
            "action": "submit", "consent_privacy": "y", "consent_truthful": "y"})
    if action == "withdraw":
        return client.post(f"/bewerbung/{application.id}/zurueckziehen")
    if action == "formal_check":
        return client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/pruefung",
                           data={"result": "admissible"})
    if action == "reopen":
        return client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/korrektur",
                           data={"reopen_reason": "Bitte ergänzen Sie den Finanzierungsplan."})
    if action == "open_round":
        return client.post(f"/geschaeftsstelle/jury/runden/{ctx['round'].id}/freigeben")
    if action == "close_round":
        return client.post(f"/geschaeftsstelle/jury/runden/{ctx['round'].id}/abschliessen",
                           data={"confirm": "y"})
    if action == "record_decision":
        return client.post(DECISIONS.format(c=c) + f"/bewerbung/{application.id}",
                           data={"category": comp.categories[0].id, "rationale": "Vorbildlich."})
    if action == "release":
        return client.post(DECISIONS.format(c=c) + "/freigabe", data={"confirm": "y"})
    if action == "schedule_publication":
        return client.post(DECISIONS.format(c=c) + "/veroeffentlichung", data={
            "action": "schedule", "publish_date": "2099-05-12", "publish_time": "18:00"})
    if action == "publish":
        return client.post(DECISIONS.format(c=c) + "/veroeffentlichung/jetzt",
                           data={"confirm": "y"})
    if action == "withdraw_publication":
        return client.post(DECISIONS.format(c=c) + "/veroeffentlichung",
                           data={"action": "withdraw"})
    if action == "revoke":
        return client.post(DECISIONS.format(c=c) + f"/bewerbung/{application.id}/aberkennen",
                           data={"reason": "Täuschung festgestellt.", "confirm": "y"})
    raise AssertionError(action)  # pragma: no cover


@pytest.mark.parametrize("state", list(S), ids=[s.value for s in S])
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_every_action_in_every_state_through_the_routes(app, client, auth, action, state):
    now = utcnow()
    comp = make_year(state, now)
    ctx = prepare(action, comp, state)
    db.session.commit()
    before = audit_count(AUDIT[action])
    response = run_route(action, comp, ctx, client, auth)
    # A positive control that the request reached its view: no 400 (bad form) or 405.
    assert response.status_code in (200, 302, 303, 404, 409, 422), response.status_code
    db.session.expire_all()
    done = audit_count(AUDIT[action]) > before
    assert done is (state in EXPECTED[action]), (response.status_code, response.location)


# --- the clock, settings and what pages show ----------------------------------------------

def test_the_call_closes_at_the_deadline_by_itself(app):
    now = utcnow().replace(microsecond=0)
    comp = factories.competition(status=CompetitionStatus.OPEN, opens_at=now - timedelta(days=3),
                                 deadline_at=now)
    assert lifecycle.state_of(comp, now + timedelta(microseconds=999999)) == S.OPEN
    assert lifecycle.state_of(comp, now + timedelta(seconds=1)) == S.CLOSED
    assert lifecycle.state_of(comp, now - timedelta(days=4)) == S.ANNOUNCED
    assert comp.status == CompetitionStatus.OPEN  # nothing was written


def test_publication_instant_publishes_by_itself(app):
    now = utcnow()
    comp = factories.competition(status=CompetitionStatus.DECIDED,
                                 publish_at=now + timedelta(hours=1))
    db.session.add(DecisionRelease(competition_id=comp.id, released_at=now - timedelta(days=1)))
    db.session.flush()
    assert lifecycle.state_of(comp, now) == S.RELEASED
    assert lifecycle.state_of(comp, now + timedelta(hours=1)) == S.PUBLISHED


@pytest.mark.parametrize("state", [S.ANNOUNCED, S.OPEN, S.CLOSED, S.JURY, S.DECIDED])
def test_preselection_rounds_during_the_call_only_when_set_up(app, state):
    comp = make_year(state, utcnow())
    expected = state == S.JURY
    assert lifecycle.allows("open_round", comp) is expected
    comp.preselection_during_call = True
    assert lifecycle.allows("open_round", comp) is (state in (S.OPEN, S.CLOSED, S.JURY))
    assert lifecycle.allows("close_round", comp) is (state in (S.OPEN, S.CLOSED, S.JURY))


def test_stored_published_status_of_older_versions_maps_to_the_facts(app):
    now = utcnow()
    comp = factories.competition(status=CompetitionStatus.PUBLISHED)
    assert lifecycle.state_of(comp, now) == S.DECIDED
    db.session.add(DecisionRelease(competition_id=comp.id, released_at=now - timedelta(days=2)))
    comp.published_at = now - timedelta(days=1)
    db.session.flush()
    assert lifecycle.state_of(comp, now) == S.PUBLISHED


def test_guards_explain_why_a_step_cannot_be_taken(app):
    now = utcnow()
    comp = make_year(S.OPEN, now)
    _submitted(comp, factories.user())
    with app.test_request_context():
        with pytest.raises(competitions.CompetitionError) as exc:
            competitions.take_stage_action(actor=None, competition=comp, action="back_to_draft")
        assert str(exc.value) == ("Es sind schon 1 Bewerbungen eingegangen. Der Wettbewerb kann "
                                  "nicht mehr zum Entwurf werden; beenden Sie stattdessen die "
                                  "Bewerbungsphase.")
    assert comp.status == CompetitionStatus.OPEN


def test_no_way_back_before_the_jury_once_decisions_exist(app):
    comp = make_year(S.JURY, utcnow())
    factories.decide(factories.submitted_application(comp))
    with app.test_request_context():
        assert competitions.stage_problems(comp, "back_to_closed") != []
        with pytest.raises(competitions.CompetitionError):
            competitions.take_stage_action(actor=None, competition=comp, action="back_to_closed")
    assert comp.status == CompetitionStatus.JURY
