"""The migrations build exactly the schema the models describe; production needs a secret."""
import logging
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from awards import create_app
from awards.config import DEFAULT_SECRET
from awards.extensions import db


def _keep_logging():
    """Alembic's env.py runs logging.fileConfig, which silences existing loggers."""
    root = logging.getLogger()
    return root.level, list(root.handlers)


def _restore_logging(saved):
    level, handlers = saved
    root = logging.getLogger()
    root.setLevel(level)
    root.handlers[:] = handlers
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database: a SQLite file, or `<name>_migcheck` next to TEST_DATABASE_URL."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migcheck.sqlite'}"
        return
    import psycopg

    base = make_url(url)
    name = f"{base.database}_migcheck"
    admin = psycopg.connect(host=base.host or "127.0.0.1", port=base.port or 5432,
                            user=base.username, password=base.password, dbname="postgres",
                            autocommit=True)
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_models_and_migrations_agree(fresh_database_url):
    from flask_migrate import upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_database_url)
    saved = _keep_logging()
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
            db.session.remove()
            db.engine.dispose()
    finally:
        _restore_logging(saved)
    assert differences == [], "run `flask db migrate` — models and migrations differ"


def test_migration_check_notices_a_missing_column(fresh_database_url):
    from flask_migrate import upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_database_url)
    saved = _keep_logging()
    try:
        with app.app_context():
            upgrade()
            table = db.metadata.tables["competitions"]
            extra = db.Column("not_in_migrations", db.Integer)
            table.append_column(extra)
            try:
                with db.engine.connect() as conn:
                    context = MigrationContext.configure(conn)
                    differences = compare_metadata(context, db.metadata)
            finally:
                table._columns.remove(extra)
            db.session.remove()
            db.engine.dispose()
    finally:
        _restore_logging(saved)
    added = [d[3].name for d in differences if d[0] == "add_column" and d[2] == "competitions"]
    assert added == ["not_in_migrations"]
    assert "not_in_migrations" not in db.metadata.tables["competitions"].c


@pytest.mark.parametrize("secret", [None, "", DEFAULT_SECRET, "kurz-und-unsicher"])
def test_production_refuses_default_missing_or_short_secret(monkeypatch, tmp_path, secret):
    monkeypatch.setenv("AWARDS_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    if secret is None:
        monkeypatch.delenv("AWARDS_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("AWARDS_SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="AWARDS_SECRET_KEY"):
        create_app("production")


def test_production_starts_with_long_random_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("AWARDS_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    for name, value in (("ALLOW_SQLITE", "true"), ("ALLOW_LOCAL_STORAGE", "true"),
                        ("SMTP_HOST", "smtp.example.org"),
                        ("BASE_URL", "https://integrationspreis.example")):
        monkeypatch.setenv(f"AWARDS_{name}", value)
    monkeypatch.setenv("AWARDS_SECRET_KEY", "x7" * 20)
    app = create_app("production")
    assert (app.config["ENV_NAME"], app.config["SESSION_COOKIE_SECURE"]) == ("production", True)
