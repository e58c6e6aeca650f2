"""Liveness (/livez), readiness (/readyz: this host's database) and the dependency report
(/healthz: readiness plus storage, Redis and SMTP, which never fail the check)."""
import socket

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from awards.extensions import db

ALL_LOCAL = {"storage": "ok", "rate_limits": "memory", "cache": "memory", "smtp": "not configured"}


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_all_reachable_returns_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "shared": ALL_LOCAL}
    assert response.headers["Cache-Control"] == "no-store"


def test_livez_and_readyz_all_reachable_return_ok(client):
    assert client.get("/livez").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"database": "ok"}


def test_healthz_sets_no_session_cookie(client):
    response = client.get("/healthz")
    assert response.headers.get_all("Set-Cookie") == []


def test_healthz_storage_unwritable_reported_but_ready(app, client, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    app.config["STORAGE_DIR"] = str(blocker / "files")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "shared": dict(ALL_LOCAL, storage="error")}


@pytest.fixture
def broken_database(app):
    def refuse(conn, cursor, statement, parameters, context, executemany):
        raise OperationalError(statement, parameters, Exception("connection refused"))

    event.listen(db.engine, "before_cursor_execute", refuse)
    yield
    event.remove(db.engine, "before_cursor_execute", refuse)


def test_healthz_database_down_returns_503(client, broken_database):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "error", "shared": ALL_LOCAL}


def test_readyz_database_down_returns_503_livez_still_ok(client, broken_database):
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json() == {"database": "error"}
    live = client.get("/livez")
    assert live.status_code == 200


def test_healthz_s3_unreachable_reported_host_stays_ready(app, client, monkeypatch):
    # A closed port on loopback: the S3 client has credentials but cannot connect. Every
    # host shares the store, so failing the check would drop all hosts at once.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    app.config.update(STORAGE="s3", S3_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}",
                      S3_BUCKET="health")
    try:
        response = client.get("/healthz")
        ready = client.get("/readyz")
    finally:
        app.config.update(STORAGE="local", S3_ENDPOINT_URL=None)
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "shared": dict(ALL_LOCAL, storage="error")}
    assert ready.status_code == 200


def test_healthz_redis_and_smtp_unreachable_reported_host_stays_ready(app, client):
    redis_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app.config.update(CACHE_URL=redis_url, SMTP_HOST="127.0.0.1", SMTP_PORT=_closed_port())
    try:
        response = client.get("/healthz")
    finally:
        app.config.update(CACHE_URL="memory", SMTP_HOST=None, SMTP_PORT=587)
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "shared": dict(
        ALL_LOCAL, cache="error", smtp="error")}


def test_healthz_rate_limit_redis_unreachable_reports_fallback(app, client):
    app.config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{_closed_port()}/0"
    try:
        response = client.get("/healthz")
    finally:
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "shared": dict(ALL_LOCAL, rate_limits="fallback")}
