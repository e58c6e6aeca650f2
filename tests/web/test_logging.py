"""Logs: one format (text or JSON) with a request id and an access line per request; no
e-mail addresses, one-time tokens, query strings or SQL values; a clear line when the CSRF
or Referer check refuses a post."""
import io
import json
import logging
import re

import pytest
from sqlalchemy.exc import IntegrityError

from awards import logsetup
from awards.extensions import db
from awards.logsetup import JsonFormatter, TextFormatter, scrub
from tests import factories

TOKEN = "ImFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MTIzNDU2Ig.Z2x1.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


@pytest.mark.parametrize("raw, clean", [
    ("login failed for anna.muster@example.org", "login failed for [email]"),
    (f"GET /konto/passwort-neu/{TOKEN} 200", "GET /konto/passwort-neu/[token] 200"),
    (f"/konto/zugang/{TOKEN}/weiter", "/konto/zugang/[token]/weiter"),
    ("url /x?token=abc123&next=/y", "url /x?token=[hidden]&next=/y"),
    ('DETAIL:  Key (email)=(ayse@example.org) already exists.',
     "DETAIL:  Key (email)=([hidden]) already exists."),
    ("[SQL: INSERT INTO users (email) VALUES (%(email)s)]\n[parameters: {'email': 'kim'}]",
     "[SQL: INSERT INTO users (email) VALUES (%(email)s)]\n[parameters hidden]"),
    ("GET /bewerbung/42/schritt/3 200", "GET /bewerbung/42/schritt/3 200"),
])
def test_scrub_removes_personal_data_and_secrets(raw, clean):
    assert scrub(raw) == clean


def _record(message, *args, exc_info=None):
    record = logging.LogRecord("awards.test", logging.WARNING, __file__, 1, message, args, exc_info)
    record.request_id = "req-1"
    return record


def test_text_format_one_line_with_request_id():
    line = TextFormatter().format(_record("mail to %s failed", "kim@example.org"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING awards\.test \[req-1\] "
                        r"mail to \[email\] failed", line), line


def test_json_format_scrubs_message_and_traceback():
    try:
        raise ValueError("duplicate kim@example.org")
    except ValueError:
        import sys

        record = _record("could not save %s", "kim@example.org", exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["level"], entry["logger"], entry["message"], entry["request_id"]) == (
        "WARNING", "awards.test", "could not save [email]", "req-1")
    assert "ValueError: duplicate [email]" in entry["exception"]
    assert "@" not in json.dumps(entry)


@pytest.fixture
def log_output(app):
    """What the app's own handler writes (stderr in production)."""
    stream = io.StringIO()
    previous = logsetup.installed_handler().setStream(stream)
    yield stream
    logsetup.installed_handler().setStream(previous)


@pytest.fixture
def json_logs(app, log_output):
    app.config["LOG_FORMAT"] = "json"
    logsetup.configure_handler(app)
    logsetup.installed_handler().setStream(log_output)
    yield log_output
    app.config["LOG_FORMAT"] = "text"
    logsetup.configure_handler(app)


def _json_lines(captured):
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_access_log_json_echoes_request_id_without_query(client, json_logs):
    response = client.get("/verwaltung/benutzer?q=anna.muster@example.org",
                          headers={"X-Request-ID": "lb-1234"})
    assert response.headers["X-Request-ID"] == "lb-1234"
    lines = [e for e in _json_lines(json_logs.getvalue()) if e["logger"] == "awards.access"]
    assert len(lines) == 1
    entry = lines[0]
    assert (entry["request_id"], entry["method"], entry["path"], entry["status"]) == (
        "lb-1234", "GET", "/verwaltung/benutzer", response.status_code)
    assert "anna" not in json.dumps(entry)


def test_request_id_generated_when_missing_or_malformed(client):
    generated = client.get("/ping").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    injected = client.get("/ping", headers={"X-Request-ID": "x\" injected=1"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", injected)


def test_access_log_token_in_path_hidden(client, log_output):
    client.get(f"/konto/passwort-neu/{TOKEN}")
    err = log_output.getvalue()
    assert TOKEN not in err
    assert "GET /konto/passwort-neu/[token] " in err


def test_integrity_error_logged_without_values(app, caplog, log_output):

    factories.user(email="ayse.yilmaz@example.org")
    db.session.commit()
    from awards.models.users import User

    db.session.add(User(email="ayse.yilmaz@example.org", name="Ayşe Yılmaz"))
    with pytest.raises(IntegrityError) as caught:
        db.session.flush()
    handler = app.error_handler_spec[None][None][IntegrityError]
    with app.test_request_context("/"):
        body, status = handler(caught.value)
    assert status == 409
    messages = [r.getMessage() for r in caplog.records if r.name == "awards.errors"]
    assert len(messages) == 1 and messages[0].startswith("integrity error: ")
    assert "ayse" not in messages[0].lower() and "Yılmaz" not in messages[0]
    assert "ayse" not in log_output.getvalue().lower()


def test_csrf_refusal_logged_with_reason(app, client, caplog):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/konto/anmelden", data={"email": "a@example.org", "password": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    messages = [r.getMessage() for r in caplog.records if r.name == "awards.errors"]
    assert messages == ["form post refused by the CSRF check: POST /konto/anmelden: "
                        "The CSRF token is missing."]


def test_referer_refusal_over_https_logged_with_proxy_hint(app, client, caplog):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/konto/anmelden", base_url="https://awards.example").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = client.post("/konto/anmelden", base_url="https://awards.example",
                               data={"csrf_token": token, "email": "a@example.org", "password": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    messages = [r.getMessage() for r in caplog.records if r.name == "awards.errors"]
    assert messages == ["form post refused by the CSRF check: POST /konto/anmelden: The referrer "
                        "header is missing. (the app sees scheme https and host awards.example; "
                        "behind a reverse proxy set AWARDS_PROXY_COUNT)"]
