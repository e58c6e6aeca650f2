"""Fixtures: an app on SQLite (a temp file) or on PostgreSQL when TEST_DATABASE_URL is set.

The schema is created once per session; after each test every table is emptied, so tests
never see each other's rows and run the same on both databases.
"""
import os

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, text

from awards import create_app
from awards.extensions import db


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """Argon2 at its production cost takes about 0.2 s per hash and per check, on purpose.
    The suite logs in some thousands of times; with the cost lowered for the tests it spends
    seconds instead of minutes on it. The algorithm and every code path stay the same, and
    tests/unit/test_password_cost.py checks that the app itself keeps the production cost."""
    from awards.services import accounts

    cheap = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    patch = pytest.MonkeyPatch()
    patch.setattr(accounts, "_hasher", cheap)
    patch.setattr(accounts, "_DUMMY_HASH", cheap.hash("not-a-real-password"))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def _sqlite_without_sync(dbapi_connection, _record):
    dbapi_connection.execute("PRAGMA synchronous = OFF")


@pytest.fixture(scope="session")
def _schema_app(database_url, tmp_path_factory):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                     STORAGE_DIR=str(tmp_path_factory.mktemp("files")))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # The test database is thrown away: no need to wait for the disk at each commit
            # (about a millisecond per commit, some ten thousand commits per run).
            event.listen(db.engine, "connect", _sqlite_without_sync)
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables():
    """Delete every row, children first, and start the ids at 1 again, as SQLite does for
    emptied tables. On PostgreSQL this is some 20 times faster than TRUNCATE, which makes
    new files for every table (about 130 ms per test); and all of it goes to the server as
    one string of statements, one round trip instead of one per table."""
    db.session.rollback()
    tables = list(reversed(db.metadata.sorted_tables))
    statements = [f'DELETE FROM "{table.name}"' for table in tables]
    if db.engine.dialect.name == "postgresql":
        restart = ", ".join(
            f"setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), 1, false)"
            for table in tables for column in table.primary_key.columns
            if column.autoincrement in (True, "auto"))
        with db.engine.begin() as conn:
            # Without parameters psycopg sends the string as one simple query.
            conn.exec_driver_sql("; ".join(statements + [f"SELECT {restart}"]))
    else:
        with db.engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)


@pytest.fixture
def app(_schema_app, tmp_path):
    app = _schema_app
    app.config.update(STORAGE_DIR=str(tmp_path / "files"), WTF_CSRF_ENABLED=False,
                      RATELIMIT_ENABLED=False)
    # The page cache is keyed by database state, which every test starts afresh.
    app.extensions.pop("awards_cache", None)
    from awards.services import publication_state

    publication_state.forget()
    ctx = app.app_context()
    ctx.push()
    try:
        yield app
    finally:
        db.session.remove()
        _empty_all_tables()
        ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user, password="Passwort-123456"):
        return self.client.post("/konto/anmelden", data={"email": user.email, "password": password})

    def logout(self):
        return self.client.post("/konto/abmelden")


@pytest.fixture
def auth(client):
    return AuthActions(client)


# Browser tests drive the app the way people do; what they check (pages, forms, scripts,
# accessibility) does not depend on the database underneath. .ci/run runs the suite twice,
# once per database, side by side on a machine with two cores, and gives each run one half of
# the browser tests: BROWSER_TESTS=crawl runs only the crawl of every page
# (tests/e2e/test_crawl.py), BROWSER_TESTS=flows every other browser test, BROWSER_TESTS=none
# none. Unset (as in `make test`), every browser test runs.
BROWSER_SCOPES = ("all", "crawl", "flows", "none")


def pytest_collection_modifyitems(config, items):
    scope = os.environ.get("BROWSER_TESTS", "all").strip() or "all"
    if scope not in BROWSER_SCOPES:
        raise pytest.UsageError(f"BROWSER_TESTS={scope!r}: use one of {', '.join(BROWSER_SCOPES)}")
    if scope == "all":
        return
    e2e_dir = os.path.join(os.path.dirname(__file__), "e2e")
    keep, drop = [], []
    for item in items:
        path = str(item.path)
        if not path.startswith(e2e_dir + os.sep):
            keep.append(item)
            continue
        is_crawl = os.path.basename(path) == "test_crawl.py"
        wanted = (scope == "crawl" and is_crawl) or (scope == "flows" and not is_crawl)
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
