"""Signed, expiring, single-use links (e-mail verification, reset, Zugangslink, invitation).

The link carries a signed nonce; the server keeps only its hash with the expiry and the
time of use, so a link works once, on any host, and can be revoked.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from awards.extensions import db
from awards.models.base import utcnow
from awards.models.users import OneTimeToken


class TokenInvalid(Exception):
    """The link is forged, expired or already used."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "used"


def _serializer(purpose):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"awards-{purpose.value}")


def _hash(nonce):
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue(*, purpose, email, user=None, payload=None, max_age_hours=None):
    """Create a token row and return the string to put into the link."""
    hours = max_age_hours or current_app.config["TOKEN_MAX_AGE_HOURS"]
    nonce = secrets.token_urlsafe(24)
    db.session.add(
        OneTimeToken(
            nonce_hash=_hash(nonce),
            purpose=purpose,
            user_id=user.id if user is not None else None,
            email=email.lower(),
            expires_at=utcnow() + timedelta(hours=hours),
            payload=payload or {},
        )
    )
    db.session.flush()
    return _serializer(purpose).dumps(nonce)


def peek(*, purpose, token):
    """Return the token row if the link is valid now, without using it up."""
    try:
        nonce = _serializer(purpose).loads(token, max_age=None)
    except SignatureExpired:
        raise TokenInvalid("expired") from None
    except BadSignature:
        raise TokenInvalid("invalid") from None
    row = db.session.scalars(
        select(OneTimeToken).where(
            OneTimeToken.nonce_hash == _hash(nonce), OneTimeToken.purpose == purpose
        )
    ).first()
    if row is None:
        raise TokenInvalid("invalid")
    if row.used_at is not None:
        raise TokenInvalid("used")
    if row.expires_at <= utcnow():
        raise TokenInvalid("expired")
    return row


def consume(*, purpose, token):
    """Validate and mark the link as used; returns the token row."""
    row = peek(purpose=purpose, token=token)
    row.used_at = utcnow()
    db.session.flush()
    return row
