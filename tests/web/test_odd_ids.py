"""Out-of-range, negative and non-numeric ids and page numbers answer 404 (or the documented
clamp of page numbers to the first or last page), never 500 — on every route of
app.url_map, for anonymous visitors and for a user holding every role."""
import re

import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter

from awards import create_app
from awards.enums import CompetitionStatus, Role
from awards.extensions import db
from awards.models.users import User
from awards.services import accounts
from tests import factories

_rules_app = create_app("testing")
RULES = sorted(_rules_app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
ROUTES = [r for r in RULES if r.endpoint != "static"]

# Not numbers, below 1, or beyond any id the database can hold.
BAD_INTS = ["99999999999999999999", "2147483648", "-1", "-99999999999999999999", "abc", "1.5"]
# Numbers the database can hold, for which no row exists: the view itself must say 404.
MISSING_INTS = ["2147483647"]
BAD_STRINGS = ["%00", "x" * 300, "%C3%28"]
BAD_PAGES = ["99999999999999999999", "-5", "abc", "%00", "%C2%B2"]


def method_of(rule):
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def fill(rule, value_for):
    def replace(match):
        name = match.group(1).split(":")[-1].split("(")[0]
        if ":" in match.group(1):
            name = match.group(1).rsplit(":", 1)[1]
        return value_for(name, rule._converters[name])
    return re.sub(r"<([^>]+)>", replace, rule.rule)


def good_value(ids):
    def value(name, converter):
        if isinstance(converter, IntegerConverter):
            return str(ids.get(name, 1))
        if isinstance(converter, AnyConverter):
            return sorted(converter.items)[0]
        return {"prize_code": "OBB", "slug": "impressum", "fmt": "csv", "lang": "de",
                "audience": "bewerbende", "kind": "congratulation", "filename": "css/app.css"
                }.get(name, "x")
    return value


@pytest.fixture
def world(app):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.OPEN)
    everyone = factories.admin(email="alle-rollen@example.org")
    accounts.assign_role(actor=None, user=everyone, role=Role.STAFF, prize_code=None)
    accounts.assign_role(actor=None, user=everyone, role=Role.JUROR, competition=comp,
                         is_chair=True)
    application = factories.application(competition=comp, owner=everyone)
    db.session.commit()
    return {"competition_id": comp.id, "application_id": application.id, "user_id": everyone.id,
            "year": 2031, "step": 1}, everyone


def _open(client, rule, url):
    method = method_of(rule)
    return client.open(url, method=method, data={} if method != "GET" else None)


def _int_rules():
    return [r for r in ROUTES if any(isinstance(c, IntegerConverter)
                                     for c in r._converters.values())]


@pytest.mark.parametrize("rule", _int_rules(), ids=lambda r: f"{r.endpoint} {r.rule}")
def test_bad_ids_answer_404_and_missing_ids_reach_the_view(app, client, auth, world, rule):
    ids, everyone = world
    auth.login(everyone)
    reached = []
    view = app.view_functions[rule.endpoint]

    def spy(**kwargs):
        reached.append(kwargs)
        return view(**kwargs)

    app.view_functions[rule.endpoint] = spy
    try:
        for name, converter in rule._converters.items():
            if not isinstance(converter, IntegerConverter):
                continue
            before = len(reached)
            for bad in BAD_INTS:
                url = fill(rule, lambda n, c: bad if n == name else good_value(ids)(n, c))
                response = _open(client, rule, url)
                assert response.status_code == 404, (url, response.status_code)
            assert len(reached) == before  # refused by the route itself
            for missing in MISSING_INTS:
                url = fill(rule, lambda n, c: missing if n == name else good_value(ids)(n, c))
                response = _open(client, rule, url)
                assert response.status_code in (302, 303, 400, 403, 404, 422), \
                    (url, response.status_code)
                assert response.status_code != 500
    finally:
        app.view_functions[rule.endpoint] = view
    # Positive control: the in-range ids really were loaded by the view.
    assert len(reached) >= len(MISSING_INTS)


@pytest.mark.parametrize("rule", _int_rules(), ids=lambda r: f"{r.endpoint} {r.rule}")
def test_bad_ids_answer_404_for_anonymous_visitors(client, rule):
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            for bad in BAD_INTS + MISSING_INTS:
                url = fill(rule, lambda n, c: bad if n == name else good_value({})(n, c))
                response = _open(client, rule, url)
                assert response.status_code in (302, 401, 403, 404), (url, response.status_code)
                if response.status_code == 302:
                    assert response.location.startswith("/konto/anmelden"), url


def _string_rules():
    return [r for r in ROUTES if any(not isinstance(c, (IntegerConverter, AnyConverter,
                                                        PathConverter))
                                     for c in r._converters.values())]


@pytest.mark.parametrize("rule", _string_rules(), ids=lambda r: f"{r.endpoint} {r.rule}")
def test_odd_strings_in_paths_never_give_a_server_error(app, client, auth, world, rule):
    ids, everyone = world
    for logged_in in (False, True):
        if logged_in:
            auth.login(everyone)
        for name, converter in rule._converters.items():
            if isinstance(converter, (IntegerConverter, AnyConverter, PathConverter)):
                continue
            for bad in BAD_STRINGS:
                url = fill(rule, lambda n, c: bad if n == name else good_value(ids)(n, c))
                response = _open(client, rule, url)
                assert response.status_code < 500, (url, response.status_code)
                if bad == "%00":
                    assert response.status_code == 404, url


def _get_rules():
    return [r for r in ROUTES if "GET" in r.methods]


@pytest.mark.parametrize("rule", _get_rules(), ids=lambda r: f"{r.endpoint} {r.rule}")
def test_odd_page_numbers_never_give_a_server_error(app, client, auth, world, rule):
    ids, everyone = world
    auth.login(everyone)
    url = fill(rule, good_value(ids))
    plain = client.get(url)
    assert plain.status_code < 500, url
    for name in ("seite", "page", "per_page", "jahr", "object_id", "competition_id"):
        for bad in BAD_PAGES:
            response = client.get(f"{url}?{name}={bad}")
            assert response.status_code < 500, (url, name, bad, response.status_code)
            # Invalid page numbers show the first (or last) page: the same answer as without.
            if name == "seite" and plain.status_code == 200 and response.status_code != 304:
                assert response.status_code == 200, (url, bad, response.status_code)


def test_walk_covers_the_routes_with_ids():
    names = {r.endpoint for r in _int_rules()}
    assert len(names) > 50
    assert {"applicant.step", "applicant.autosave", "winners.project", "staff.competition"} <= names


@pytest.mark.parametrize("version", ["²", "99999999999999999999", "-1", "abc"])
def test_odd_version_numbers_in_decision_forms_never_give_a_server_error(app, client, auth,
                                                                          version):
    comp = factories.competition(status=CompetitionStatus.JURY, year=2026)
    staff = factories.staff(prize_code="BIP")
    application = factories.submitted_application(comp)
    factories.decide(application)
    db.session.commit()
    auth.login(staff)
    base = f"/geschaeftsstelle/entscheidungen/{comp.id}/bewerbung/{application.id}"
    recorded = client.post(base, data={"category": comp.categories[1].id, "rationale": "x",
                                       "version": version})
    assert recorded.status_code in (302, 422), recorded.status_code
    removed = client.post(f"{base}/entfernen", data={"version": version})
    assert removed.status_code in (302, 422), removed.status_code
