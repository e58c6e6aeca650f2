"""Outbox: mails are written in the same transaction as the change that causes them."""
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from awards.enums import MailStatus
from awards.extensions import db
from awards.models.base import UTCDateTime, utcnow


class OutboxMail(db.Model):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    to_addr: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MailStatus] = mapped_column(
        db.Enum(MailStatus, native_enum=False, length=20), default=MailStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The Message-ID is fixed when the mail is queued, so a retry carries the same one.
    message_id: Mapped[str] = mapped_column(String(255), default="")
    # A sender claims a mail (status SENDING, its token, a lease) and commits before it
    # sends; another sender skips the mail until the lease has run out.
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bodies of delivered mails are emptied after a grace period; the row stays.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Unsubscribe address of a newsletter mail (the List-Unsubscribe header, RFC 2369).
    list_unsubscribe: Mapped[str] = mapped_column(String(500), default="")
