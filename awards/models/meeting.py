"""The jury meeting (Jurysitzung): who attends, and the chair's notes per application.

One competition has one meeting. Attendance is one row per jury member (present or not);
notes are one text per application, written by the chair (or staff) during the meeting.
Both go into the minutes (services/jury/minutes.py). Applications are referred to by id; every
page a jury member reaches names them only through the juror projection while the jury's
anonymity holds (services/jury/meeting.py).
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from awards.extensions import db
from awards.models.base import TimestampMixin, UTCDateTime, utcnow

__all__ = ["MeetingAttendance", "MeetingNote"]


class MeetingAttendance(db.Model):
    __tablename__ = "jury_meeting_attendance"
    __table_args__ = (
        UniqueConstraint("competition_id", "juror_id", name="uq_jury_meeting_attendance_competition_juror"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)

    juror = relationship("User", foreign_keys=[juror_id])


class MeetingNote(TimestampMixin, db.Model):
    __tablename__ = "jury_meeting_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
