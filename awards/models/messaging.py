"""Writing to people: automatic mails sent once, and the news subscription (Infobrief).

`AutoMailSent` records every automatic mail per recipient under a unique key, so that a
scheduled job run twice, or on two hosts at once, sends each mail only once: the second
insert of the same key fails and its mail is dropped with it.

An `InfobriefSubscription` is one request to receive the Infobrief. It counts only once the
address is confirmed (double opt-in); an unconfirmed one expires. Confirming a newer request
replaces the older rows of the same address.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from awards.extensions import db
from awards.models.base import UTCDateTime, utcnow


class AutoMailSent(db.Model):
    __tablename__ = "auto_mails_sent"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_auto_mails_sent_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "round_opened", "round_closing", "draft_reminder", "ceremony_invitation"
    kind: Mapped[str] = mapped_column(String(40))
    # What was mailed to whom, e.g. "round 7 user 12" or "application 42".
    key: Mapped[str] = mapped_column(String(120))
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InfobriefSubscription(db.Model):
    __tablename__ = "infobrief_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    # Prize codes ("BIP", "OBB", ...) and region codes ("OBB", ...) chosen.
    prize_codes: Mapped[list] = mapped_column(db.JSON, default=list)
    regions: Mapped[list] = mapped_column(db.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # SHA-256 of the confirmation token; emptied once confirmed.
    confirm_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The one-click unsubscribe link carries this random key (no account, no login).
    unsubscribe_key: Mapped[str] = mapped_column(String(64), unique=True)


class InfobriefIssue(db.Model):
    """One Infobrief sent about a competition ("call_open" or "winners"); unique, so it is
    sent once even when the job runs on several hosts."""

    __tablename__ = "infobrief_issues"
    __table_args__ = (UniqueConstraint("competition_id", "kind", name="uq_infobrief_issues_competition_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
