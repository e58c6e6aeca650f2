"""Every route is refused to those who must not use it (generic over app.url_map).

New routes are covered automatically. A route that anonymous visitors may use must be
listed in PUBLIC_ENDPOINTS (or belong to a public blueprint); add yours there with a reason.
"""
import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from awards import create_app
from awards.enums import CompetitionStatus
from awards.extensions import db
from tests import factories

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
}
# Prefixes of pages only staff and administrators may use.
STAFF_PREFIXES = ("/geschaeftsstelle", "/verwaltung")
ADMIN_PREFIXES = ("/verwaltung",)
REFUSED = {401, 403, 404, 405}

_rules_app = create_app("testing")
RULES = sorted(_rules_app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def is_public(endpoint):
    return endpoint in PUBLIC_ENDPOINTS or endpoint.split(".")[0] in PUBLIC_BLUEPRINTS


def method_of(rule):
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


STRING_VALUES = {"prize_code": "OBB", "slug": "impressum", "fmt": "csv", "year": 2031}


def build_url(rule, ids):
    """Fill the URL arguments: ints with the id of a real row (1 for unknown kinds) or
    999999, strings with a plausible value."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = ids.get(name, 1) if ids is not None else 999999
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = STRING_VALUES.get(name, "x")
    return rule.build(values, append_unknown=False)[1]


def request(client, rule, url):
    method = method_of(rule)
    return client.open(url, method=method, data={} if method != "GET" else None)


def protected_rules():
    return [r for r in RULES if not is_public(r.endpoint)]


def test_public_list_names_existing_endpoints():
    endpoints = {r.endpoint for r in RULES}
    assert sorted(PUBLIC_ENDPOINTS - endpoints) == []


def anonymous_refused(response):
    if response.status_code == 302:
        return response.headers["Location"].startswith("/konto/anmelden")
    return response.status_code in REFUSED


@pytest.mark.parametrize("rule", protected_rules(), ids=lambda r: f"{r.endpoint} {r.rule}")
def test_anonymous_is_refused_on_protected_route(client, rule):
    for ids in (None, {}):  # an unknown id and a plausible one
        url = build_url(rule, ids)
        response = request(client, rule, url)
        assert anonymous_refused(response), (url, response.status_code)


def test_check_notices_unprotected_route(app):
    # The generic check itself: an open page or a redirect elsewhere counts as a leak.
    leaky = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    leaky.add_url_rule("/geschaeftsstelle/offen", "leak", lambda: "geheim")
    leaky.add_url_rule("/geschaeftsstelle/weg", "away", lambda: ("", 302, {"Location": "/"}))
    client = leaky.test_client()
    assert anonymous_refused(client.get("/geschaeftsstelle/offen")) is False
    assert anonymous_refused(client.get("/geschaeftsstelle/weg")) is False
    assert anonymous_refused(client.get("/geschaeftsstelle/")) is True


@pytest.fixture
def world():
    """An OBB competition with an application, and users who must not see it."""
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.OPEN)
    other = factories.competition(prize_code="UFR", year=2031)
    owner = factories.user()
    application = factories.application(competition=comp, owner=owner)
    people = {
        "applicant": factories.user(),
        "juror-of-other-competition": factories.juror(other),
        "staff-of-other-prize": factories.staff(prize_code="UFR"),
    }
    db.session.commit()
    ids = {"competition_id": comp.id, "application_id": application.id, "user_id": owner.id}
    return ids, people


def _staff_rules():
    return [r for r in RULES if r.rule.startswith(STAFF_PREFIXES)]


@pytest.mark.parametrize("rule", _staff_rules(), ids=lambda r: f"{r.endpoint} {r.rule}")
def test_users_without_staff_role_are_refused_on_staff_routes(app, client, auth, world, rule):
    ids, people = world
    url = build_url(rule, ids)
    for who in ("applicant", "juror-of-other-competition"):
        auth.login(people[who])
        response = request(client, rule, url)
        assert response.status_code in REFUSED, (who, url, response.status_code)
        auth.logout()


def _scoped_rules():
    """Staff/admin routes about one competition or application, or admin-only routes."""
    return [r for r in _staff_rules()
            if r.rule.startswith(ADMIN_PREFIXES)
            or {"competition_id", "application_id"} & set(r._converters)]


@pytest.mark.parametrize("rule", _scoped_rules(), ids=lambda r: f"{r.endpoint} {r.rule}")
def test_staff_of_other_prize_is_refused(app, client, auth, world, rule):
    ids, people = world
    url = build_url(rule, ids)
    auth.login(people["staff-of-other-prize"])
    response = request(client, rule, url)
    assert response.status_code in REFUSED, (url, response.status_code)
