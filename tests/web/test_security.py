"""Security: CSRF on every state-changing route, headers, cookies, sessions, redirects, escaping."""
import re
import uuid
from pathlib import Path

import pytest
from werkzeug.routing import IntegerConverter, UUIDConverter

from awards import create_app
from awards.config import ROOT
from awards.extensions import csrf, db
from awards.views.security import sanitize_html
from tests import factories

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Routes that may take a state-changing request without a CSRF token. Keep it empty; an
# entry needs a reason (e.g. a webhook with its own signature check).
CSRF_EXEMPT_RULES = set()
CSRF_MESSAGE = "Das Formular ist abgelaufen."


def _sample_values(rule):
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.uuid4()
        elif hasattr(converter, "items"):  # AnyConverter
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "x"
    return values


def _state_changing_rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            yield rule, method


def test_csrf_every_state_changing_route_without_token_refused(app, client, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    admin = factories.admin()
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    auth.login(admin)  # logged in: a session exists, only the token is missing
    app.config["WTF_CSRF_ENABLED"] = True
    adapter = app.url_map.bind("localhost")
    checked, accepted = [], []
    for rule, method in _state_changing_rules(app):
        if rule.rule in CSRF_EXEMPT_RULES:
            continue
        url = adapter.build(rule.endpoint, _sample_values(rule), method=method)
        response = client.open(url, method=method, data={"x": "1"})
        checked.append(rule.rule)
        if response.status_code != 400 or CSRF_MESSAGE not in response.get_data(as_text=True):
            accepted.append((method, rule.rule, response.status_code))
    assert accepted == []
    # The walk really covered the app's forms (login, logout, language, ... and every area).
    assert {"/konto/anmelden", "/konto/abmelden", "/konto/meine-daten/loeschen"} <= set(checked)


def test_csrf_no_view_or_blueprint_is_exempt(app):
    assert CSRF_EXEMPT_RULES == set()
    assert set(csrf._exempt_views) == set()
    assert set(csrf._exempt_blueprints) == set()


def test_csrf_with_valid_token_accepted(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/konto/anmelden").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    response = client.post("/konto/anmelden", data={"email": "niemand@example.org",
                                                    "password": "falsch-falsch",
                                                    "csrf_token": token.group(1)})
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)


# --- headers -------------------------------------------------------------------------------

def _csp(response):
    return {
        part.split()[0]: part.split()[1:]
        for part in (p.strip() for p in response.headers["Content-Security-Policy"].split(";"))
        if part
    }


@pytest.mark.parametrize("path", ["/", "/konto/anmelden", "/seite/datenschutz", "/healthz",
                                  "/gibt-es-nicht", "/static/css/app.css"])
def test_headers_on_every_kind_of_response(client, path):
    response = client.get(path)
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers


@pytest.fixture
def production_app(database_url, tmp_path):
    app = create_app("production", SECRET_KEY="p" * 40, SQLALCHEMY_DATABASE_URI=database_url,
                     STORAGE_DIR=str(tmp_path), WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                     ALLOW_SQLITE=True, ALLOW_LOCAL_STORAGE=True, SMTP_HOST="smtp.example.org",
                     BASE_URL="https://integrationspreis.example")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_headers_production_sends_hsts(production_app):
    response = production_app.test_client().get("/seite/impressum")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_production_refuses_default_secret(database_url):
    with pytest.raises(RuntimeError):
        create_app("production", SECRET_KEY="dev-only-not-secret", SQLALCHEMY_DATABASE_URI=database_url)


TEMPLATE_DIR = ROOT / "templates"


def _templates():
    return sorted(p for p in TEMPLATE_DIR.rglob("*.html") if "pdf" not in p.relative_to(TEMPLATE_DIR).parts[:1])


def test_templates_have_no_inline_script_style_or_handlers():
    offenders = []
    for path in _templates():
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", source):
            offenders.append((str(path.relative_to(ROOT)), match.group(0)))
        for match in re.finditer(r"""\sstyle\s*=\s*["']""", source):
            offenders.append((str(path.relative_to(ROOT)), "style="))
        for match in re.finditer(r"""<[^>]*\son[a-z]+\s*=\s*["']""", source):
            offenders.append((str(path.relative_to(ROOT)), match.group(0)[:60]))
        for match in re.finditer(r"<style[\s>]", source):
            offenders.append((str(path.relative_to(ROOT)), "<style>"))
    assert offenders == []


def test_templates_mark_nothing_safe_except_through_nh3():
    # |safe and Markup() bypass escaping; rich text must go through |rich (nh3) instead.
    offenders = []
    for path in list(TEMPLATE_DIR.rglob("*.html")) + list(TEMPLATE_DIR.rglob("*.txt")):
        if "pdf" in path.relative_to(TEMPLATE_DIR).parts[:1]:
            continue
        if re.search(r"\|\s*safe\b", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    for path in (ROOT / "awards").rglob("*.py"):
        if path.name == "security.py":
            continue
        if re.search(r"\bMarkup\(", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_sanitize_html_keeps_simple_markup_drops_scripts_and_handlers():
    dirty = ('<p onclick="steal()">Hallo <strong>Welt</strong></p><script>alert(1)</script>'
             '<a href="javascript:alert(2)">x</a><a href="https://example.org">ok</a>'
             '<img src=x onerror=alert(3)>')
    assert str(sanitize_html(dirty)) == (
        '<p>Hallo <strong>Welt</strong></p><a rel="noopener noreferrer nofollow">x</a>'
        '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>')


def test_rich_filter_registered_and_sanitises(app):
    rendered = app.jinja_env.from_string("{{ v|rich }}").render(v="<b>fett</b><script>x</script>")
    assert rendered == "<b>fett</b>"


# --- cookies and sessions -----------------------------------------------------------------

def _cookie(response, name):
    for header in response.headers.get_all("Set-Cookie"):
        if header.startswith(name + "="):
            return {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")}
    return None


def test_session_cookie_httponly_samesite_lax_not_secure_in_development(app, client, auth):
    user = factories.user()
    db.session.commit()
    cookie = _cookie(auth.login(user), "session")
    assert "httponly" in cookie
    assert cookie["samesite"] == "SameSite=Lax"
    assert "secure" not in cookie


def test_session_cookie_secure_in_production(production_app):
    client = production_app.test_client()
    response = client.get("/sprache/en", base_url="https://localhost")
    cookie = _cookie(response, "session")
    assert "secure" in cookie
    assert "httponly" in cookie
    assert cookie["samesite"] == "SameSite=Lax"
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True


def _forget_cached_user():
    # The `app` fixture keeps one app context pushed for the whole test, so flask.g (and
    # Flask-Login's cached user in it) would carry over from the victim's request to the
    # attacker's. A real server starts every request with a fresh g.
    from flask import g

    g.pop("_login_user", None)


def _session_cookie_value(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_session_fixation_planted_cookie_not_authenticated_after_login(app, client, auth):
    user = factories.staff()
    db.session.commit()
    client.get("/sprache/de")  # the victim's pre-login session
    planted = _session_cookie_value(client)
    assert planted is not None
    auth.login(user)
    assert _session_cookie_value(client) != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    _forget_cached_user()
    response = attacker.get("/geschaeftsstelle/")
    assert response.status_code == 302
    assert "/konto/anmelden" in response.headers["Location"]


def test_logout_invalidates_copied_session_cookie(app, client, auth):
    user = factories.staff()
    db.session.commit()
    auth.login(user)
    assert client.get("/geschaeftsstelle/").status_code == 200
    stolen = _session_cookie_value(client)
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    _forget_cached_user()
    response = thief.get("/geschaeftsstelle/")
    assert response.status_code == 302
    assert "/konto/anmelden" in response.headers["Location"]


# --- redirects and escaping ---------------------------------------------------------------

EVIL_TARGETS = ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
                "javascript:alert(1)", "http:/evil.example", " //evil.example", "/\t/evil.example",
                "https:evil.example"]


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_login_next_external_target_not_followed(app, client, target):
    user = factories.user()
    db.session.commit()
    response = client.post("/konto/anmelden", query_string={"next": target},
                           data={"email": user.email, "password": factories.PASSWORD,
                                 "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "evil" not in location and "javascript" not in location


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_language_switch_next_external_target_not_followed(client, target):
    response = client.get("/sprache/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_next_local_path_followed(app, client):
    user = factories.staff()
    db.session.commit()
    response = client.post("/konto/anmelden",
                           data={"email": user.email, "password": factories.PASSWORD,
                                 "next": "/seite/impressum"})
    assert response.headers["Location"] == "/seite/impressum"


def test_user_text_escaped_in_competition_title(app, client):
    marker = '<script>alert("xss")</script>'
    comp = factories.competition(title=f"Preis {marker}", motto=f'"><img src=x onerror=alert(1)>')
    db.session.commit()
    page = client.get(f"/ausschreibungen/{comp.prize_code}/{comp.year}").get_data(as_text=True)
    assert marker not in page
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_user_text_escaped_in_staff_overview(app, client, auth):
    staff = factories.staff()
    factories.competition(title='Preis <script>alert("s")</script>')
    db.session.commit()
    auth.login(staff)
    page = client.get("/geschaeftsstelle/").get_data(as_text=True)
    assert '<script>alert("s")</script>' not in page
    assert "&lt;script&gt;" in page


def test_user_name_escaped_in_header(app, client, auth):
    user = factories.user(name="<b onmouseover=x>Name</b>")
    db.session.commit()
    auth.login(user)
    page = client.get("/").get_data(as_text=True)
    assert "<b onmouseover=x>" not in page
    assert "&lt;b onmouseover=x&gt;Name&lt;/b&gt;" in page


def test_max_content_length_refuses_oversized_request(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/konto/anmelden", data={"email": "x" * 4096})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = (app.config["MAX_APPLICATION_MB"] + 1) * 1024 * 1024
    assert response.status_code == 413


def test_storage_refuses_user_controlled_paths(tmp_path):
    from awards.adapters.storage import LocalStorage

    storage = LocalStorage(tmp_path)
    for key in ("../etc/passwd", "/etc/passwd", "a/../../b", "a\\b", ""):
        with pytest.raises(ValueError):
            storage.save(key, Path(__file__).open("rb"))
