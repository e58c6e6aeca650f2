"""One-time links under parallel use and after newer links (SQLite and PostgreSQL)."""
import threading
import time

import pytest
from sqlalchemy import create_engine, select, text

from awards.enums import TokenPurpose
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.users import OneTimeToken
from awards.services import accounts, tokens
from tests import factories

RESET = TokenPurpose.RESET_PASSWORD


def _reason(**kw):
    with pytest.raises(tokens.TokenInvalid) as caught:
        tokens.consume(**kw)
    return caught.value.reason


def test_new_link_voids_older_of_same_purpose(app):
    user = factories.user(email="kim@example.org")
    first = tokens.issue(purpose=RESET, email=user.email, user=user)
    second = tokens.issue(purpose=RESET, email=user.email, user=user)
    assert _reason(purpose=RESET, token=first) == "replaced"
    assert tokens.consume(purpose=RESET, token=second).user_id == user.id


def test_older_reset_link_fails_after_newer_one_was_used(app, client):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    client.post("/konto/passwort-vergessen", data={"email": "kim@example.org"})
    client.post("/konto/passwort-vergessen", data={"email": "kim@example.org"})
    older, newer = [row for row in db.session.scalars(select(OneTimeToken).order_by(OneTimeToken.id))]
    assert (older.voided_at is not None, newer.voided_at) == (True, None)
    user_id = user.id
    db.session.expire_all()
    tokens_in_mails = _reset_tokens()
    response = client.post("/konto/passwort-neu", data={
        "token": tokens_in_mails[1], "password": "Neues-Passwort-11", "password_repeat": "Neues-Passwort-11"})
    assert response.headers["Location"] == "/konto/anmelden"
    response = client.post("/konto/passwort-neu", data={
        "token": tokens_in_mails[0], "password": "Altes-Passwort-22", "password_repeat": "Altes-Passwort-22"},
        follow_redirects=True)
    assert "Dieser Link gilt nicht mehr, weil ein neuerer angefordert wurde." in \
        response.get_data(as_text=True)
    db.session.expire_all()
    user = accounts.find_user("kim@example.org")
    assert user.id == user_id
    assert accounts.check_password(user, "Neues-Passwort-11")


def _reset_tokens():
    from awards.models.mail import OutboxMail

    bodies = db.session.scalars(select(OutboxMail.body_text).order_by(OutboxMail.id)).all()
    return [b.split("passwort-neu?token=", 1)[1].split()[0] for b in bodies]


def test_new_link_leaves_other_purposes_and_accounts_alone(app):
    kim = factories.user(email="kim@example.org")
    ali = factories.user(email="ali@example.org")
    magic = tokens.issue(purpose=TokenPurpose.MAGIC_LINK, email=kim.email, user=kim)
    ali_reset = tokens.issue(purpose=RESET, email=ali.email, user=ali)
    tokens.issue(purpose=RESET, email=kim.email, user=kim)
    assert tokens.consume(purpose=TokenPurpose.MAGIC_LINK, token=magic).user_id == kim.id
    assert tokens.consume(purpose=RESET, token=ali_reset).user_id == ali.id


def _wait_until_blocked_or_done(database_url, thread):
    """Until the other thread's UPDATE waits for our row lock (PostgreSQL), or it ended.
    Polls the server's own view of the wait; no fixed sleep decides anything."""
    if not database_url.startswith("postgresql"):
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            while thread.is_alive():
                waiting = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar()
                if waiting:
                    return
                time.sleep(0.01)
    finally:
        engine.dispose()


def test_consume_by_second_request_while_first_is_uncommitted_fails(app, database_url):
    """The second request reads the link as unused (the first has not committed), then its
    conditional UPDATE waits for the first and finds the link used."""
    user = factories.user(email="kim@example.org")
    token = tokens.issue(purpose=RESET, email=user.email, user=user)
    db.session.commit()
    assert tokens.consume(purpose=RESET, token=token).user_id == user.id  # not committed
    outcome = []

    def second():
        with app.app_context():
            try:
                tokens.peek(purpose=RESET, token=token)  # unused, as far as it can see
                tokens.consume(purpose=RESET, token=token)
                outcome.append("consumed")
            except tokens.TokenInvalid as exc:
                outcome.append(exc.reason)
            finally:
                db.session.rollback()
                db.session.remove()

    thread = threading.Thread(target=second)
    thread.start()
    _wait_until_blocked_or_done(database_url, thread)
    db.session.commit()
    thread.join()
    assert outcome == ["used"]


def test_magic_link_posted_in_parallel_logs_in_exactly_once(app):
    client = app.test_client()
    client.post("/konto/zugangslink", data={"magic-email": "neu@example.org"})
    row = db.session.scalars(select(OneTimeToken)).one()
    from awards.models.mail import OutboxMail

    body = db.session.scalars(select(OutboxMail.body_text)).one()
    token = body.split("zugang?token=", 1)[1].split()[0]
    assert tokens.peek(purpose=TokenPurpose.MAGIC_LINK, token=token).id == row.id
    db.session.commit()

    workers = 8
    barrier = threading.Barrier(workers)
    locations = []
    errors = []

    def use_link():
        try:
            own = app.test_client()
            barrier.wait()
            response = own.post("/konto/zugang", data={"token": token})
            locations.append(response.headers.get("Location"))
        except Exception as exc:  # reported below; a thread must not die silently
            errors.append(repr(exc))

    threads = [threading.Thread(target=use_link) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    logged_in = [loc for loc in locations if loc != "/konto/anmelden"]
    assert len(locations) == workers
    assert len(logged_in) == 1, locations
    db.session.expire_all()
    logins = db.session.scalars(select(AuditLog.action).where(AuditLog.action == "user.login")).all()
    assert logins == ["user.login"]
