"""Every route is refused to those who must not use it, and opens for those who may
(generic over app.url_map).

The data hold every kind of object (an open call with a draft, a year in the jury with an
open anonymised round, a draft round, scores, conflicts, a decision, a document request, a
nomination, attachments; a released and published year with a certificate, a photo and the
names revealed), built ONCE for this module. Every URL is filled with the ids of real rows,
so that a refusal is a refusal and not a 404 for a missing row:

- refused means 401, 403 or a redirect to the login page. 404 and 405 do not count — with
  one documented exception: an applicant's own pages answer 404 to everybody else (so that
  numbers do not reveal which applications exist); those endpoints are listed in
  HIDDEN_AS_404, and the positive control proves that the same URL opens for its owner.
- the positive control: every GET route has an entry in ALLOWED naming the rightful person
  and the status they get (200, or the documented redirect); a new route without an entry
  fails `test_every_get_route_has_a_positive_control`.
"""
import re
from datetime import date, timedelta

import pytest
from flask import url_for
from werkzeug.routing import AnyConverter

from awards import create_app
from awards.adapters.storage import get_storage
from awards.enums import CompetitionStatus, Role, TokenPurpose
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.models.messaging import InfobriefSubscription
from awards.services import (accounts, certificates, document_requests, infobrief, press,
                             publication_state, tokens)
from sqlalchemy import select
from awards.services.jury import visibility as jury_visibility, release, rounds, scoring
from tests import factories
from tests.conftest import _empty_all_tables

PUBLIC_BLUEPRINTS = {"public", "auth", "api"}  # api: open data, public by nature
# Endpoints open to anonymous visitors outside those blueprints. Others may extend this list.
PUBLIC_ENDPOINTS = {
    "static",
    "health.healthz", "health.readyz", "health.livez",  # load balancer probes
    "help.index", "help.audience",  # help pages
    "winners.overview", "winners.competition", "winners.project", "winners.photo",  # published
    "winners.verify_form", "winners.verify",  # certificate check by its code
    # The nominee answers a nomination by the link in the mail, without an account: the page
    # (token in the query string), its POST (token in the body) and older path-token links.
    "applicant.nominee", "applicant.nominee_answer", "applicant.nominee_legacy",
    "applicant.nominee_done",
    "press.public_zip",  # the press kit of published winners (404 under embargo)
    # The Infobrief needs no account: subscribe, confirm and unsubscribe by the mailed link.
    "infobrief.subscribe", "infobrief.confirm_page", "infobrief.confirm",
    "infobrief.unsubscribe_page", "infobrief.unsubscribe",
    # The start page of a call says how to apply; starting (POST) needs an account.
    "applicant.start",
}
# Prefixes of pages only staff and administrators may use.
STAFF_PREFIXES = ("/geschaeftsstelle", "/verwaltung")
ADMIN_PREFIXES = ("/verwaltung",)
# The only answers that count as a refusal.
REFUSED = {401, 403}
LOGIN = "/konto/anmelden"
# An applicant's pages answer 404 to anybody but the owner (views/applicant.py
# `_own_application`): the number of an application is not revealed.
HIDDEN_AS_404 = {"applicant.attachment", "applicant.copy", "applicant.receipt",
                 "applicant.resume", "applicant.show", "applicant.step", "applicant.withdraw",
                 "applicant.autosave", "applicant.delete_attachment", "applicant.answer_request",
                 "privacy.withdraw_consent"}
# A jury member sees the rounds of their own competition only; another round answers 404
# (views/jury.py), for jurors of other competitions. The same URLs open for the round's jury.
JURY_HIDDEN_AS_404 = {"jury.round_view", "jury.scoresheet", "jury.attachment",
                      "jury.attachment_text", "jury.conflict", "jury.own_export"}

_rules_app = create_app("testing")
RULES = sorted(_rules_app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
GET_ENDPOINTS = sorted({r.endpoint for r in RULES if "GET" in r.methods})

# The positive control: endpoint -> (who may use it, the status they get). Everything not
# named here is refused to that person's peers (see the tests below).
ALLOWED = {
    # Public pages and the open-data API.
    "static": ("anonymous", 200),
    "public.index": ("anonymous", 200), "public.competitions": ("anonymous", 200),
    "public.competition": ("anonymous", 200), "public.page": ("anonymous", 200),
    "public.ping": ("anonymous", 200),
    "public.set_language": ("anonymous", 302),  # back to where the visitor came from
    "health.healthz": ("anonymous", 200), "health.livez": ("anonymous", 200),
    "health.readyz": ("anonymous", 200),
    "help.index": ("anonymous", 200), "help.audience": ("anonymous", 200),
    "api.openapi": ("anonymous", 200), "api.catalogue": ("anonymous", 200),
    "api.calls": ("anonymous", 200), "api.calls_csv": ("anonymous", 200),
    "api.call": ("anonymous", 200), "api.call_winners": ("anonymous", 200),
    "api.winners": ("anonymous", 200), "api.winners_csv": ("anonymous", 200),
    "api.winner": ("anonymous", 200),
    "api.statistics": ("anonymous", 200), "api.statistics_csv": ("anonymous", 200),
    "winners.overview": ("anonymous", 200), "winners.competition": ("anonymous", 200),
    "winners.project": ("anonymous", 200), "winners.photo": ("anonymous", 200),
    "winners.verify_form": ("anonymous", 200), "winners.verify": ("anonymous", 200),
    # Accounts: forms, and the links of the mails (a real token each).
    "auth.login": ("anonymous", 200), "auth.register": ("anonymous", 200),
    "auth.request_reset": ("anonymous", 200), "auth.reset": ("anonymous", 200),
    "auth.verify": ("anonymous", 200), "auth.magic_link": ("anonymous", 200),
    "auth.accept_invitation": ("anonymous", 200),
    "auth.change_password": ("applicant", 200),
    "applicant.nominee": ("anonymous", 200), "applicant.nominee_done": ("anonymous", 200),
    # The applicant's own pages.
    "applicant.dashboard": ("applicant", 200), "applicant.start": ("applicant", 200),
    "applicant.show": ("applicant", 200), "applicant.step": ("applicant", 200),
    "applicant.resume": ("applicant", 302),  # to the step where the draft left off
    "applicant.attachment": ("applicant", 200), "applicant.receipt": ("applicant", 200),
    "applicant.withdraw": ("applicant", 200), "applicant.copy": ("applicant", 200),
    "privacy.overview": ("applicant", 200), "privacy.export": ("applicant", 200),
    "privacy.delete": ("applicant", 200),
    "winners.certificate": ("laureate", 200),
    # The jury.
    "jury.dashboard": ("juror", 200), "jury.round_view": ("juror", 200),
    "jury.scoresheet": ("juror", 200), "jury.conflict": ("juror", 200),
    "jury.attachment": ("juror", 200), "jury.attachment_text": ("juror", 200),
    "jury.own_export": ("juror", 200),
    # Staff of the prize.
    "staff.index": ("staff", 200), "staff.competition": ("staff", 200),
    "staff.create_competition": ("staff", 200), "staff.edit_competition": ("staff", 200),
    "staff.criterion": ("staff", 200), "staff.category": ("staff", 200),
    "staff.stage": ("staff", 200),
    "intake.index": ("staff", 200), "intake.applications": ("staff", 200),
    "intake.detail": ("staff", 200), "intake.attachment": ("staff", 200),
    "intake.receipt": ("staff", 200), "intake.export_csv": ("staff", 200),
    "intake.export_xlsx": ("staff", 200),
    "staffjury.rounds": ("staff", 200), "staffjury.new_round": ("staff", 200),
    "staffjury.members": ("staff", 200), "staffjury.round_overview": ("staff", 200),
    "staffjury.edit_round": ("staff", 200), "staffjury.anonymisation_list": ("staff", 200),
    "staffjury.review": ("staff", 200), "staffjury.preview_attachment": ("staff", 200),
    "staffjury.preview_attachment_text": ("staff", 200), "staffjury.preview_page": ("staff", 200),
    "staffjury.leak_scan": ("staff", 200), "staffjury.assignments": ("staff", 200),
    "staffjury.progress": ("staff", 200), "staffjury.conflicts": ("staff", 200),
    "staffjury.lift_conflict": ("staff", 200), "staffjury.close_round": ("staff", 200),
    "staffjury.ranking_view": ("staff", 200), "staffjury.export": ("staff", 200),
    "decisions.index": ("staff", 200), "decisions.decide": ("staff", 200),
    "decisions.revoke": ("staff", 200), "decisions.release_view": ("staff", 200),
    "decisions.publication_view": ("staff", 200), "decisions.publish_now": ("staff", 200),
    "decisions.mail_template": ("staff", 200), "decisions.minutes_view": ("staff", 200),
    "decisions.certificate_settings": ("staff", 200), "decisions.preview": ("staff", 200),
    "decisions.certificates_zip": ("staff", 200),
    "decisions.logo": ("staff", 302),  # no logo uploaded: the neutral placeholder
    # Administrators.
    "admin.users": ("admin", 200), "admin.user": ("admin", 200), "admin.invite": ("admin", 200),
    "auditlog.index": ("admin", 200),
    # Later features: nominee links of older mails, the Infobrief, the organisers' tools.
    "applicant.nominee_legacy": ("anonymous", 302),  # on to the page with the token in the query
    "infobrief.subscribe": ("anonymous", 200), "infobrief.confirm_page": ("anonymous", 200),
    "infobrief.unsubscribe_page": ("anonymous", 200),
    "messaging.compose": ("staff", 200), "messaging.auto_mails": ("staff", 200),
    "messaging.infobrief_counts": ("staff", 200),
    "statistics.index": ("staff", 200), "statistics.export_xlsx": ("staff", 200),
    "decisions.meeting_view": ("staff", 200),
    "press.kit": ("staff", 200), "press.edit_text": ("staff", 200),
    "press.staff_zip": ("staff", 200), "press.public_zip": ("anonymous", 200),
    "press.applicant_text": ("laureate", 200),
}
# URL values per endpoint where the default filling (DEFAULTS in _values) is not the one
# the page is about: {endpoint: {argument: scene key or literal}}.
OVERRIDES = {
    "winners.photo": {"attachment_id": "photo"},
    "applicant.step": {"application_id": "draft"}, "applicant.resume": {"application_id": "draft"},
    "applicant.withdraw": {"application_id": "open_submitted"},
    "applicant.copy": {"application_id": "earlier"},
    "applicant.start": {"competition_id": "open_call"},
    "winners.certificate": {"application_id": "winner"},
    "winners.competition": {"year": "published_year"}, "public.competition": {"year": "open_year"},
    "winners.project": {"year": "published_year", "decision_id": "published_decision"},
    "api.call": {"id": "published"}, "api.call_winners": {"id": "published"},
    "api.winner": {"id": "published_decision"},
    "decisions.revoke": {"competition_id": "published", "application_id": "winner"},
    "decisions.publication_view": {"competition_id": "published"},
    "decisions.publish_now": {"competition_id": "published_unpublished"},
    "decisions.release_view": {"competition_id": "jury"},
    "decisions.certificates_zip": {"competition_id": "published"},
    "decisions.logo": {"competition_id": "published"},
    "decisions.preview": {"competition_id": "published"},
    "decisions.certificate_settings": {"competition_id": "published"},
    "staff.stage": {"competition_id": "open_call", "action": "end_early"},
    "staffjury.edit_round": {"round_id": "draft_round"},
    "staffjury.anonymisation_list": {"round_id": "draft_round"},
    "staffjury.leak_scan": {"round_id": "draft_round"},
    "staffjury.review": {"round_id": "draft_round", "entry_id": "draft_entry"},
    "staffjury.preview_attachment": {"round_id": "draft_round", "entry_id": "draft_entry"},
    "staffjury.preview_attachment_text": {"round_id": "draft_round", "entry_id": "draft_entry"},
    "staffjury.preview_page": {"round_id": "draft_round", "entry_id": "draft_entry"},
    "press.kit": {"competition_id": "published"}, "press.staff_zip": {"competition_id": "published"},
    "press.edit_text": {"competition_id": "published", "decision_id": "published_decision"},
    "press.public_zip": {"year": "published_year"},
    "press.applicant_text": {"application_id": "winner"},
}


def is_public(endpoint):
    return endpoint in PUBLIC_ENDPOINTS or endpoint.split(".")[0] in PUBLIC_BLUEPRINTS


def method_of(rule):
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


# --------------------------------------------------------------------------- the data

def _scene():
    """Three years of the OBB prize (an open call; a year in the jury; a released and
    published year), and the people around them."""
    now = utcnow()
    admin = factories.admin(name="Ada Admin")
    staff = factories.staff(prize_code="OBB", name="Sina Geschäftsstelle")
    applicant = factories.user(name="Alex Antrag")
    laureate = factories.user(name="Lia Preis")
    outsider = factories.user(name="Otto Außen")
    other = factories.competition(prize_code="UFR", year=2031)
    people = dict(admin=admin, staff=staff, applicant=applicant, laureate=laureate,
                  outsider=outsider, juror_elsewhere=factories.juror(other, name="Jan Fremd"),
                  staff_elsewhere=factories.staff(prize_code="UFR", name="Ute Fremd"))

    # An open call: the applicant's draft and a submitted application, an earlier one to copy.
    open_call = factories.competition(prize_code="OBB", year=2032)
    draft = factories.complete_application(competition=open_call, owner=applicant)
    factories.attachment(draft)
    open_submitted = factories.submitted_application(open_call, owner=applicant,
                                                     via_service=True, attachments=1)
    earlier_year = factories.competition(prize_code="OBB", year=2029,
                                         status=CompetitionStatus.ARCHIVED)
    earlier = factories.submitted_application(earlier_year, owner=applicant, complete=True)

    # A year in the jury: a nomination, a document request, an anonymised open round with
    # scores and conflicts, a draft round to prepare, a decision.
    jury = factories.competition(prize_code="OBB", year=2031)
    chair = factories.juror(jury, is_chair=True, name="Vera Vorsitz")
    juror = factories.juror(jury, name="Jonas Jury")
    people.update(chair=chair, juror=juror)
    applications = [factories.submitted_application(jury, owner=applicant, admissible=True,
                                                    complete=True, receipt=True),
                    factories.submitted_application(jury, admissible=True, nomination=True),
                    factories.submitted_application(jury, admissible=True)]
    for application in applications:
        factories.jury_attachment(application=application, content_type="application/pdf",
                                  filename="Jahresbericht.pdf",
                                  data=factories.pdf_bytes(text="Jahresbericht 2030"))
    round_ = factories.open_round(competition=jury, jurors=[chair, juror],
                                  applications=applications)
    entries = list(round_.entries)
    for entry, points in zip(entries, ((8, 7), (6, 6))):
        factories.score(round_=round_, entry=entry, juror=chair, values=points, comment="stark")
        factories.score(round_=round_, entry=entry, juror=juror, values=points, final=False)
    conflict = scoring.declare_conflict(actor=chair, entry=entries[2], reason="Nachbarschaft")
    draft_round = factories.jury_round(competition=jury, name="Finalrunde")
    rounds.populate_entries(actor=staff, round_=draft_round)
    # Asked for after the rounds took the application in (it is no longer admissible then).
    request = document_requests.request_documents(
        actor=staff, application=applications[0], message="Bitte den Finanzplan ergänzen.",
        due_at=now + timedelta(days=14))
    jury.status = CompetitionStatus.JURY
    decision = factories.decide(applications[0], actor=staff)

    # A released and published year: a laureate with a certificate and a public photo, the
    # names revealed to the jury; and a released year not yet published.
    published = factories.competition(prize_code="OBB", year=2030,
                                      status=CompetitionStatus.JURY,
                                      signatories=[{"name": "Dr. Erika Beispiel",
                                                    "title": "Regierungspräsidentin"}])
    consents = dict(consent_publish_name=True, consent_publish_text=True,
                    consent_publish_photos=True, image_rights_confirmed=True)
    winner = factories.submitted_application(published, owner=laureate, complete=True,
                                             **consents)
    photo = factories.photo_attachment(winner, storage=get_storage())
    published_round = factories.scored(published, [winner], juror=chair)
    published_decision = factories.decide(winner, actor=staff, exception_reason="")
    release.release_decisions(actor=staff, competition=published)
    factories.publish(published, at=now - timedelta(days=1), actor=staff)
    certificate, _rendered = certificates.ensure_certificate(actor=staff, application=winner,
                                                             storage=get_storage())
    jury_visibility.reveal_names(actor=staff, competition=published)
    published_unpublished, _winners, _others = factories.released_competition(
        prize_code="OBB", year=2028, winners=1, others=0, staff=staff,
        publish_at=now + timedelta(days=30))

    nomination = applications[1].nomination
    db.session.commit()
    token = {purpose: tokens.issue(purpose=purpose, email=applicant.email, user=applicant)
             for purpose in (TokenPurpose.VERIFY_EMAIL, TokenPurpose.RESET_PASSWORD,
                             TokenPurpose.MAGIC_LINK)}
    invited = accounts.invite(actor=admin, email="ina.eingeladen@example.org",
                              name="Ina Eingeladen", role=Role.JUROR, competition=jury)
    token[TokenPurpose.INVITATION] = tokens.issue(purpose=TokenPurpose.INVITATION,
                                                  email=invited.email, user=invited)
    token[TokenPurpose.NOMINEE] = tokens.issue(purpose=TokenPurpose.NOMINEE,
                                               email=nomination.nominee_email,
                                               payload={"nomination": nomination.id})
    # The Infobrief's links: a confirmation (its token only travels in the mail) and an
    # unsubscribe key; a proposed public text for the laureate to approve.
    infobrief.subscribe(email="ina.info@example.org", prize_codes=["OBB"], regions=[])
    confirm_mail = db.session.scalars(select(OutboxMail).where(
        OutboxMail.to_addr == "ina.info@example.org")).one()
    token["infobrief_confirm"] = re.search(r"bestaetigen\?token=([\w-]+)",
                                           confirm_mail.body_text).group(1)
    subscription = infobrief.subscribe(email="uwe.info@example.org", prize_codes=["OBB"],
                                       regions=[]) or db.session.scalars(
        select(InfobriefSubscription).where(
            InfobriefSubscription.email == "uwe.info@example.org")).one()
    token["infobrief_unsubscribe"] = subscription.unsubscribe_key
    press.save_public_text(actor=staff, decision=published_decision, title="Gärten für alle",
                           text="Ein Garten, viele Sprachen.", propose=True)
    db.session.commit()
    values = dict(
        open_call=open_call.id, open_year=open_call.year, draft=draft.id,
        open_submitted=open_submitted.id, earlier=earlier.id, jury=jury.id,
        application=applications[0].id, attachment=applications[0].attachments[0].id,
        request=request.id, round=round_.id, entry=entries[0].id, code=entries[0].code,
        conflict=conflict.id, draft_round=draft_round.id,
        draft_entry=draft_round.entries[0].id, decision=decision.id,
        criterion=jury.criteria[0].id, category=jury.categories[0].id,
        published=published.id, published_year=published.year, winner=winner.id,
        published_decision=published_decision.id, photo=photo.id,
        certificate_code=certificate.code, published_round=published_round.id,
        published_unpublished=published_unpublished.id, user=applicant.id,
        assignment=juror.roles[0].id,
        token=token,
    )
    return values, {k: v.id for k, v in people.items()}


@pytest.fixture(scope="module")
def scene(_schema_app, tmp_path_factory):
    app = _schema_app
    app.config.update(STORAGE_DIR=str(tmp_path_factory.mktemp("sweep-files")),
                      WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    app.extensions.pop("awards_cache", None)
    publication_state.forget()
    with app.app_context():
        with app.test_request_context():
            values, people = _scene()
        db.session.remove()
    yield values, people
    with app.app_context():
        db.session.remove()
        _empty_all_tables()


@pytest.fixture
def app(_schema_app, scene):
    """This module's app: the scene stays for all its tests (built once, emptied at the end)."""
    with _schema_app.app_context():
        yield _schema_app
        db.session.remove()


def _values(rule, values):
    """Fill the URL arguments of a rule from the scene (the page's own rows)."""
    defaults = {
        "competition_id": "jury", "application_id": "application", "attachment_id": "attachment",
        "request_id": "request", "round_id": "round", "entry_id": "entry", "code": "code",
        "conflict_id": "conflict", "decision_id": "decision", "criterion_id": "criterion",
        "category_id": "category", "user_id": "user", "assignment_id": "assignment",
        "year": "published_year", "id": "published",
    }
    literals = {"prize_code": "OBB", "slug": "impressum", "fmt": "csv", "lang": "en",
                "audience": "jury", "kind": "rangliste", "number": 1, "step": 1, "page": 1,
                "action": "end_early", "filename": "css/app.css", "token": "x"}
    out = {}
    override = OVERRIDES.get(rule.endpoint, {})
    for name, converter in rule._converters.items():
        if name == "token":
            out[name] = values["token"].get(TOKEN_OF.get(rule.endpoint), "x")
            continue
        if name == "code" and rule.endpoint.startswith("winners."):
            out[name] = values["certificate_code"]
            continue
        key = override.get(name, defaults.get(name))
        if key is not None and key in values:
            out[name] = values[key]
        elif name in override:
            out[name] = override[name]
        elif isinstance(converter, AnyConverter):
            out[name] = sorted(converter.items)[0]
        else:
            out[name] = literals.get(name, 1)
    if rule.endpoint == "staffjury.export":
        out.update(kind="bewertungen", fmt="csv")
    if rule.endpoint == "decisions.mail_template":
        out["kind"] = "congratulation"
    if rule.endpoint == "help.audience":
        out["audience"] = "bewerbende"
    return out


# Query strings a page needs to be the page (not part of the rule).
QUERY = {"applicant.nominee_done": {"result": "confirm"}}


TOKEN_OF = {"auth.verify": TokenPurpose.VERIFY_EMAIL, "auth.reset": TokenPurpose.RESET_PASSWORD,
            "auth.magic_link": TokenPurpose.MAGIC_LINK,
            "auth.accept_invitation": TokenPurpose.INVITATION,
            "applicant.nominee": TokenPurpose.NOMINEE,
            "infobrief.confirm_page": "infobrief_confirm",
            "infobrief.unsubscribe_page": "infobrief_unsubscribe"}


def url_of(app, rule, values):
    query = dict(QUERY.get(rule.endpoint, {}))
    if rule.endpoint in TOKEN_OF and "token" not in rule.arguments and "GET" in rule.methods:
        # The links of the mails carry their token in the query string.
        query["token"] = values["token"][TOKEN_OF[rule.endpoint]]
    with app.test_request_context():
        return url_for(rule.endpoint, **_values(rule, values), **query)


def request(client, rule, url):
    method = method_of(rule)
    return client.open(url, method=method, data={} if method != "GET" else None)


def refused(response):
    if response.status_code in (301, 302, 303, 307, 308):
        return response.headers["Location"].startswith(LOGIN)
    return response.status_code in REFUSED


def _login(client, user_id):
    from awards.models.users import User

    user = db.session.get(User, user_id)
    response = client.post(LOGIN, data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, "login failed"



def _client_as(app, people, who):
    client = app.test_client()
    if who != "anonymous":
        _login(client, people[who])
    return client


# --------------------------------------------------------------------------- the tables

def test_every_get_route_has_a_positive_control():
    """A new GET route needs an entry in ALLOWED (who may use it, with what answer)."""
    assert sorted(set(GET_ENDPOINTS) - set(ALLOWED)) == []
    assert sorted(set(ALLOWED) - set(GET_ENDPOINTS)) == []


def test_the_lists_name_existing_endpoints():
    endpoints = {r.endpoint for r in RULES}
    for listed in (PUBLIC_ENDPOINTS, HIDDEN_AS_404, JURY_HIDDEN_AS_404, set(OVERRIDES),
                   set(QUERY)):
        assert sorted(listed - endpoints) == []


def test_check_notices_unprotected_route(app):
    # The generic check itself: an open page, a redirect elsewhere, a 404 and a 405 are not
    # refusals.
    leaky = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    leaky.add_url_rule("/geschaeftsstelle/offen", "leak", lambda: "geheim")
    leaky.add_url_rule("/geschaeftsstelle/weg", "away", lambda: ("", 302, {"Location": "/"}))
    leaky.add_url_rule("/geschaeftsstelle/fehlt", "gone", lambda: ("", 404))
    client = leaky.test_client()
    assert refused(client.get("/geschaeftsstelle/offen")) is False
    assert refused(client.get("/geschaeftsstelle/weg")) is False
    assert refused(client.get("/geschaeftsstelle/fehlt")) is False
    assert refused(client.post("/geschaeftsstelle/offen")) is False  # 405
    assert refused(client.get("/geschaeftsstelle/")) is True


# --------------------------------------------------------------------------- the positive control

@pytest.fixture(scope="module")
def clients():
    """One logged-in test client per person, for the whole module (a login costs a hash)."""
    return {}


def _cached_client(app, people, clients, who):
    if who not in clients:
        clients[who] = _client_as(app, people, who)
    return clients[who]


def _get_rules():
    return [r for r in RULES if "GET" in r.methods]


@pytest.mark.parametrize("rule", _get_rules(), ids=lambda r: f"{r.endpoint} {r.rule}")
def test_the_rightful_person_gets_the_page(app, scene, clients, rule):
    values, people = scene
    who, expected = ALLOWED[rule.endpoint]
    client = _cached_client(app, people, clients, who)
    url = url_of(app, rule, values)
    response = client.get(url)
    assert (url, response.status_code) == (url, expected)
    if expected in (301, 302, 303):
        assert not response.headers["Location"].startswith(LOGIN)


def test_the_positive_control_reaches_the_pages_of_every_object(app, scene):
    """The control loads the pages of rounds, scores, conflicts, decisions, document
    requests, nominations, certificates and revealed years — not only lists."""
    values, people = scene
    # A fresh app context per person: Flask-Login keeps the user of a request in `g`.
    with app.app_context():
        juror = _client_as(app, people, "juror")
        assert values["code"] in juror.get(f"/jury/runden/{values['round']}").text
    with app.app_context():
        staff = _client_as(app, people, "staff")
        assert "Nachbarschaft" in staff.get(
            f"/geschaeftsstelle/jury/runden/{values['round']}/befangenheit").text
        assert "Bitte den Finanzplan ergänzen." in staff.get(
            f"/geschaeftsstelle/bewerbungen/{values['application']}").text
    with app.app_context():
        page = app.test_client().get(f"/urkunde/pruefen/{values['certificate_code']}").text
        assert "Diese Urkunde ist echt." in page


# --------------------------------------------------------------------------- refusals

def protected_rules():
    return [r for r in RULES if not is_public(r.endpoint)]


@pytest.mark.parametrize("rule", protected_rules(), ids=lambda r: f"{r.endpoint} {r.rule}")
def test_anonymous_is_refused_on_protected_route(app, scene, rule):
    values, _people = scene
    url = url_of(app, rule, values)
    response = request(app.test_client(), rule, url)
    assert refused(response), (url, response.status_code)


def _staff_rules():
    return [r for r in RULES if r.rule.startswith(STAFF_PREFIXES)]


def _scoped_rules():
    """Staff/admin routes about one competition, round or application, or admin-only routes."""
    return [r for r in _staff_rules()
            if r.rule.startswith(ADMIN_PREFIXES)
            or {"competition_id", "application_id", "round_id"} & set(r._converters)]


# The chair may see the decision pages and the minutes of their competition.
# (Removing a decision is theirs too: not sent here, it would remove the scene's decision.)
CHAIR_MAY = {"decisions.index", "decisions.decide", "decisions.minutes_view", "decisions.remove",
             # The chair leads the jury meeting: its page, attendance and notes.
             "decisions.meeting_view", "decisions.meeting_attendance",
             "decisions.meeting_note"}

REFUSALS = [
    ("applicant", _staff_rules), ("juror", _staff_rules), ("juror_elsewhere", _staff_rules),
    ("chair", lambda: [r for r in _staff_rules() if r.endpoint not in CHAIR_MAY]),
    ("staff_elsewhere", _scoped_rules),
    ("staff", lambda: [r for r in _staff_rules() if r.rule.startswith(ADMIN_PREFIXES)]),
    ("applicant", lambda: [r for r in RULES if r.rule.startswith("/jury")
                           and r.endpoint != "jury.dashboard"]),
    ("staff_elsewhere", lambda: [r for r in RULES if r.rule.startswith("/jury")]),
    # A certificate is its laureate's (and staff's).
    ("outsider", lambda: [r for r in RULES if r.endpoint == "winners.certificate"]),
]


@pytest.mark.parametrize("who, rules", REFUSALS, ids=[f"{w}-{r.__name__}" if r.__name__ != "<lambda>"
                                                      else f"{w}-{i}" for i, (w, r)
                                                      in enumerate(REFUSALS)])
def test_people_without_the_role_are_refused(app, scene, who, rules):
    values, people = scene
    client = _client_as(app, people, who)
    failures = []
    for rule in rules():
        url = url_of(app, rule, values)
        response = request(client, rule, url)
        if not refused(response):
            failures.append((rule.endpoint, url, response.status_code))
    assert failures == []


@pytest.mark.parametrize("who", ["outsider", "juror", "staff_elsewhere"])
def test_pages_of_an_application_are_hidden_from_everybody_but_its_owner(app, scene, who):
    """404, not 403: the number of an application is not revealed. The owner opens the same
    GET URLs (see the positive control)."""
    values, people = scene
    client = _client_as(app, people, who)
    rules = [r for r in RULES if r.endpoint in HIDDEN_AS_404]
    answers = {(r.endpoint, method_of(r)): request(client, r, url_of(app, r, values)).status_code
               for r in rules}
    assert answers == {key: 404 for key in answers}


def test_rounds_of_another_competition_are_hidden_from_its_jurors(app, scene):
    values, people = scene
    client = _client_as(app, people, "juror_elsewhere")
    rules = [r for r in RULES if r.endpoint in JURY_HIDDEN_AS_404]
    answers = {r.endpoint: request(client, r, url_of(app, r, values)).status_code for r in rules}
    assert answers == {endpoint: 404 for endpoint in JURY_HIDDEN_AS_404}
