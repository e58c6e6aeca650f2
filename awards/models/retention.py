"""Anonymous statistics kept after the retention period has removed personal data."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from awards.extensions import db
from awards.models.base import UTCDateTime, utcnow


class RetentionStatistics(db.Model):
    """One row per competition whose applications went through retention.

    Holds counts only (no names, no texts, no ids of applications), so that reports on
    earlier years still work after the personal data is gone. Its existence also marks the
    competition as done, which makes `flask retention` idempotent.
    """

    __tablename__ = "retention_statistics"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competitions.id", ondelete="SET NULL"), unique=True
    )
    prize_code: Mapped[str] = mapped_column(String(10), index=True)
    year: Mapped[int] = mapped_column(index=True)
    applications_total: Mapped[int] = mapped_column(default=0)
    submitted_total: Mapped[int] = mapped_column(default=0)
    winners_total: Mapped[int] = mapped_column(default=0)
    # {"verein": 12, "person": 3, ...}; {"OBB": 4, ...}; {"self": 10, "nomination": 5}
    by_applicant_type: Mapped[dict] = mapped_column(db.JSON, default=dict)
    by_region: Mapped[dict] = mapped_column(db.JSON, default=dict)
    by_kind: Mapped[dict] = mapped_column(db.JSON, default=dict)
    deleted_applications: Mapped[int] = mapped_column(default=0)
    reduced_applications: Mapped[int] = mapped_column(default=0)
    deleted_files: Mapped[int] = mapped_column(default=0)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
