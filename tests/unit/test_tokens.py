"""Signed, expiring, single-use links."""
from datetime import timedelta

import pytest

from awards.enums import TokenPurpose
from awards.extensions import db
from awards.models.base import utcnow
from awards.services import tokens
from tests import factories


def _reason(**kw):
    with pytest.raises(tokens.TokenInvalid) as caught:
        tokens.consume(**kw)
    return caught.value.reason


def test_token_consumed_returns_row_with_payload(app):
    user = factories.user(email="kim@example.org")
    token = tokens.issue(purpose=TokenPurpose.MAGIC_LINK, email="Kim@Example.org", user=user,
                         payload={"next": "/x"})
    row = tokens.consume(purpose=TokenPurpose.MAGIC_LINK, token=token)
    assert (row.user_id, row.email, row.payload, row.used_at is not None) == (
        user.id, "kim@example.org", {"next": "/x"}, True)


def test_token_used_twice_fails(app):
    token = tokens.issue(purpose=TokenPurpose.RESET_PASSWORD, email="a@example.org")
    tokens.consume(purpose=TokenPurpose.RESET_PASSWORD, token=token)
    assert _reason(purpose=TokenPurpose.RESET_PASSWORD, token=token) == "used"


def test_token_expired_fails(app):
    token = tokens.issue(purpose=TokenPurpose.RESET_PASSWORD, email="a@example.org",
                         max_age_hours=2)
    row = tokens.peek(purpose=TokenPurpose.RESET_PASSWORD, token=token)
    assert timedelta(hours=1, minutes=59) < row.expires_at - utcnow() <= timedelta(hours=2)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert _reason(purpose=TokenPurpose.RESET_PASSWORD, token=token) == "expired"


def test_token_forged_fails(app):
    token = tokens.issue(purpose=TokenPurpose.RESET_PASSWORD, email="a@example.org")
    # Not the last character: its lowest bits are base64 padding, and two letters that
    # differ only there decode to the same signature.
    i = len(token) - 3
    tampered = token[:i] + ("A" if token[i] != "A" else "Q") + token[i + 1:]
    assert _reason(purpose=TokenPurpose.RESET_PASSWORD, token=tampered) == "invalid"
    assert _reason(purpose=TokenPurpose.RESET_PASSWORD, token="nonsense") == "invalid"


def test_token_signed_with_other_secret_fails(app):
    token = tokens.issue(purpose=TokenPurpose.RESET_PASSWORD, email="a@example.org")
    app.config["SECRET_KEY"] = "another-secret"
    try:
        assert _reason(purpose=TokenPurpose.RESET_PASSWORD, token=token) == "invalid"
    finally:
        app.config["SECRET_KEY"] = "testing-secret"


def test_token_for_other_purpose_fails(app):
    token = tokens.issue(purpose=TokenPurpose.MAGIC_LINK, email="a@example.org")
    assert _reason(purpose=TokenPurpose.RESET_PASSWORD, token=token) == "invalid"
    assert tokens.consume(purpose=TokenPurpose.MAGIC_LINK, token=token).email == "a@example.org"


def test_token_stores_only_hash_of_nonce(app):
    from awards.models.users import OneTimeToken

    token = tokens.issue(purpose=TokenPurpose.VERIFY_EMAIL, email="a@example.org")
    row = db.session.scalars(db.select(OneTimeToken)).one()
    assert len(row.nonce_hash) == 64
    assert row.nonce_hash not in token
