"""A nomination by a third party (Vorschlag durch Dritte) as the nominee sees it: told at
submission, confirms or declines, gives their own publication consents, and receives access
to the application in their own account once the decisions are released."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from awards.enums import LabelledEnum
from awards.extensions import db
from awards.i18n import _l
from awards.models.base import TimestampMixin, UTCDateTime


class NomineeStatus(LabelledEnum):
    PENDING = "pending", _l("Noch keine Antwort der vorgeschlagenen Person")
    CONFIRMED = "confirmed", _l("Von der vorgeschlagenen Person bestätigt")
    DECLINED = "declined", _l("Von der vorgeschlagenen Person abgelehnt")


class Nomination(TimestampMixin, db.Model):
    __tablename__ = "nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    nominee_email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[NomineeStatus] = mapped_column(
        db.Enum(NomineeStatus, native_enum=False, length=20),
        default=NomineeStatus.PENDING, index=True,
    )
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The nominee's own consents (copied onto the application, which publication reads).
    consent_publish_name: Mapped[bool] = mapped_column(default=False)
    consent_publish_text: Mapped[bool] = mapped_column(default=False)
    consent_publish_photos: Mapped[bool] = mapped_column(default=False)
    # The nominee's account, linked when the decisions are released.
    nominee_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    access_granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application = relationship(
        "Application",
        backref=backref("nomination", uselist=False, cascade="all, delete-orphan",
                        passive_deletes=True),
    )
    nominee_user = relationship("User", foreign_keys=[nominee_user_id])
