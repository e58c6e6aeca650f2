"""/healthz answers 200 when database and storage work, 503 otherwise."""
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from awards.extensions import db


def test_healthz_all_reachable_returns_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "storage": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_sets_no_session_cookie(client):
    response = client.get("/healthz")
    assert response.headers.get_all("Set-Cookie") == []


def test_healthz_storage_unwritable_returns_503(app, client, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    app.config["STORAGE_DIR"] = str(blocker / "files")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "ok", "storage": "error"}


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
    assert response.get_json() == {"database": "error", "storage": "ok"}


def test_healthz_s3_unreachable_returns_503(app, client, monkeypatch):
    # A closed port on loopback: the S3 client has credentials but cannot connect.
    import socket

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config.update(STORAGE="s3", S3_ENDPOINT_URL=f"http://127.0.0.1:{port}", S3_BUCKET="health")
    try:
        response = client.get("/healthz")
    finally:
        app.config.update(STORAGE="local", S3_ENDPOINT_URL=None)
    assert response.status_code == 503
    assert response.get_json() == {"database": "ok", "storage": "error"}
