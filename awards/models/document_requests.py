"""A request for missing documents (Nachforderung): staff ask, the applicant answers in the
portal with text and files until the deadline."""
from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from awards.extensions import db
from awards.models.base import TimestampMixin, UTCDateTime


class DocumentRequest(TimestampMixin, db.Model):
    __tablename__ = "document_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    # What staff ask for, and the last instant an answer is taken (aware UTC).
    message: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The applicant's answer: saved as a draft until answered_at is set.
    answer_text: Mapped[str] = mapped_column(Text, default="")
    answer_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    application = relationship(
        "Application",
        backref=backref("document_requests", order_by="DocumentRequest.id",
                        cascade="all, delete-orphan", passive_deletes=True),
    )
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    files: Mapped[list["DocumentRequestFile"]] = relationship(
        back_populates="request", cascade="all, delete-orphan",
        order_by="DocumentRequestFile.id")

    @property
    def is_answered(self):
        return self.answered_at is not None


class DocumentRequestFile(db.Model):
    """An attachment of the application that came in as part of an answer."""

    __tablename__ = "document_request_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("document_requests.id", ondelete="CASCADE"), index=True
    )
    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), unique=True
    )

    request: Mapped[DocumentRequest] = relationship(back_populates="files")
    attachment = relationship(
        "Attachment", backref=backref("document_request_file", uselist=False,
                                      cascade="all, delete-orphan", passive_deletes=True))
