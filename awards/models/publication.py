"""The version of everything the public winners pages show (one row, id 1).

`version` grows with every committed change that could alter a public winners page;
`schedule` lists, per edition with released decisions, the instant its winners become
public ([[competition_id, ISO instant], ...]), so a reader can tell which editions are
public at any moment without another query; `changed_at` is when the version last grew
(the open-data API's Last-Modified). Kept up to date by
awards.services.publication_state from the ORM's flushes.
"""
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from awards.extensions import db
from awards.models.base import UTCDateTime


class PublicationState(db.Model):
    __tablename__ = "publication_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0, nullable=False)
    schedule: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
