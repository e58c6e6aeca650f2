"""Rate limits on login, password reset and Zugangslink: memory storage and Redis.

The limiter is one module-level object whose state init_app sets, so each test builds its
own app with limits switched on and puts the limiter back afterwards.
"""
import copy
import uuid

import pytest
import redis

from awards import create_app
from awards.extensions import db, limiter

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def limited_app_factory(database_url, tmp_path, app):
    # `app` is requested so that tables are emptied after the test.
    saved = copy.copy(limiter.__dict__)
    made = []

    def make(storage_uri="memory://", key_prefix=""):
        limiter._key_prefix = ""
        limited = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                             STORAGE_DIR=str(tmp_path), RATELIMIT_ENABLED=True,
                             RATELIMIT_STORAGE_URI=storage_uri, RATELIMIT_KEY_PREFIX=key_prefix)
        made.append(limited)
        return limited

    yield make
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)
    for limited in made:
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()


def _post_until_limited(client, path, data, tries):
    codes = []
    for _ in range(tries):
        codes.append(client.post(path, data=data).status_code)
    return codes


def test_login_memory_eleventh_attempt_in_a_minute_refused(limited_app_factory):
    limited = limited_app_factory()
    client = limited.test_client()
    codes = _post_until_limited(client, "/konto/anmelden",
                                {"email": "x@example.org", "password": "falsch-falsch"}, 11)
    assert codes == [200] * 10 + [429]
    response = client.post("/konto/anmelden", data={"email": "x@example.org", "password": "y"})
    assert response.status_code == 429
    assert "Zu viele Versuche" in response.get_data(as_text=True)


def test_login_memory_get_not_limited(limited_app_factory):
    client = limited_app_factory().test_client()
    assert {client.get("/konto/anmelden").status_code for _ in range(15)} == {200}


def test_password_reset_memory_sixth_request_refused(limited_app_factory):
    client = limited_app_factory().test_client()
    codes = _post_until_limited(client, "/konto/passwort-vergessen", {"email": "x@example.org"}, 6)
    assert codes == [200] * 5 + [429]


def test_magic_link_memory_sixth_request_refused(limited_app_factory):
    client = limited_app_factory().test_client()
    codes = _post_until_limited(client, "/konto/zugangslink", {"magic-email": "m@example.org"}, 6)
    assert codes == [200] * 5 + [429]


def test_limits_are_per_client_address(limited_app_factory):
    limited = limited_app_factory()
    client = limited.test_client()
    data = {"email": "x@example.org"}
    for _ in range(5):
        client.post("/konto/passwort-vergessen", data=data, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert client.post("/konto/passwort-vergessen", data=data,
                       environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert client.post("/konto/passwort-vergessen", data=data,
                       environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


@pytest.fixture
def redis_prefix():
    prefix = f"awards-test-{uuid.uuid4().hex}"
    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()  # fails loudly when Redis is not running: CI must start it
    yield prefix
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    connection.close()


def test_login_redis_limit_shared_between_two_apps(limited_app_factory, redis_prefix):
    # Two apps stand for two gunicorn workers (or hosts) sharing one Redis.
    first = limited_app_factory(REDIS_URL, redis_prefix)
    first_client = first.test_client()
    codes = _post_until_limited(first_client, "/konto/anmelden",
                                {"email": "r@example.org", "password": "falsch-falsch"}, 6)
    second = limited_app_factory(REDIS_URL, redis_prefix)
    second_client = second.test_client()
    codes += _post_until_limited(second_client, "/konto/anmelden",
                                 {"email": "r@example.org", "password": "falsch-falsch"}, 5)
    assert codes == [200] * 10 + [429]


def test_redis_keys_carry_the_prefix(limited_app_factory, redis_prefix):
    client = limited_app_factory(REDIS_URL, redis_prefix).test_client()
    client.post("/konto/passwort-vergessen", data={"email": "x@example.org"})
    connection = redis.Redis.from_url(REDIS_URL)
    keys = [k.decode() for k in connection.scan_iter(f"*{redis_prefix}*")]
    connection.close()
    assert len(keys) >= 1
    assert all(redis_prefix in k for k in keys)


def test_config_reads_storage_from_environment(monkeypatch):
    from awards.config import config_for

    monkeypatch.setenv("AWARDS_RATELIMIT_STORAGE", REDIS_URL)
    assert config_for("development").RATELIMIT_STORAGE_URI == REDIS_URL
    monkeypatch.delenv("AWARDS_RATELIMIT_STORAGE")
    assert config_for("development").RATELIMIT_STORAGE_URI == "memory://"


def _unreachable_redis():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{s.getsockname()[1]}/0"


def test_login_and_reset_redis_unreachable_fall_back_to_memory(limited_app_factory, caplog):
    # Redis down: no 500 on login or password reset; limits still count, in this worker.
    client = limited_app_factory(_unreachable_redis(), "fallback").test_client()
    codes = _post_until_limited(client, "/konto/anmelden",
                                {"email": "x@example.org", "password": "falsch-falsch"}, 11)
    assert codes == [200] * 10 + [429]
    codes = _post_until_limited(client, "/konto/passwort-vergessen", {"email": "x@example.org"}, 6)
    assert codes == [200] * 5 + [429]
    assert ("flask-limiter", "Rate limit storage unreachable - falling back to in-memory storage") in [
        (r.name, r.getMessage()) for r in caplog.records]
