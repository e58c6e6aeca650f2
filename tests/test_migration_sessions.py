"""The migration that makes unconfirmed passwords stop logging in also ends the sessions
that registering used to hand out (and only those)."""
from sqlalchemy import text

from awards import create_app
from awards.extensions import db
from tests.test_migrations import _keep_logging, _restore_logging, fresh_database_url  # noqa: F401

BEFORE = "c91f4baaf4b5"
THIS = "cafd89860036"


def test_migration_ends_sessions_of_unconfirmed_accounts_only(fresh_database_url):  # noqa: F811
    from flask_migrate import upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_database_url)
    saved = _keep_logging()
    try:
        with app.app_context():
            upgrade(revision=BEFORE)
            with db.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO users (id, email, name, active, session_id, email_verified_at, "
                    "created_at, updated_at) VALUES "
                    "(1, 'bestaetigt@example.org', '', true, 'alt-1', :now, :now, :now), "
                    "(2, 'offen@example.org', '', true, 'alt-2', NULL, :now, :now)"),
                    {"now": "2026-01-01 00:00:00+00:00"})
            upgrade(revision=THIS)
            with db.engine.connect() as conn:
                rows = dict(conn.execute(text("SELECT id, session_id FROM users")).all())
            db.session.remove()
            db.engine.dispose()
    finally:
        _restore_logging(saved)
    assert rows[1] == "alt-1"
    assert rows[2] != "alt-2" and len(rows[2]) >= 32
