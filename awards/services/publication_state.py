"""Keeps the publication state (awards.models.publication) in step with the data.

Every ORM flush is inspected: if it adds, changes or removes anything a public winners page
could show — an edition, a prize category, a decision, a release, a public field or consent
of a submitted application, a photo of one — the state's version grows by one and the
publication schedule is recomputed, in the same transaction. Drafts being edited by
applicants (the bulk of all writes) never touch the state, so it is no point of contention.

Readers (the public page cache in awards.views.winners) read the one row and learn which
editions are public at any instant from the schedule: no further query, yet a publication
time passing changes what they see to the second.
"""
from datetime import datetime
from itertools import chain

from sqlalchemy import event, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session

from awards.enums import ApplicationStatus
from awards.models.applications import Application, Attachment
from awards.models.competitions import Competition, PrizeCategory
from awards.models.decisions import Decision, DecisionRelease
from awards.models.publication import PublicationState

# Fields of an application that a public page may show (after the consents).
PUBLIC_FIELDS = frozenset({
    "status", "competition_id", "applicant_type", "org_name", "contact_name", "city",
    "project_title", "summary", "region", "consent_publish_name", "consent_publish_text",
    "consent_publish_photos", "image_rights_confirmed",
})
ALWAYS_RELEVANT = (Competition, PrizeCategory, Decision, DecisionRelease)
STATE_ID = 1


def _was_or_is_submitted(application):
    """True unless the application is a draft and was one before this flush."""
    history = inspect(application).attrs.status.history
    statuses = [s for s in chain(history.added, history.unchanged, history.deleted) if s is not None]
    return any(s != ApplicationStatus.DRAFT for s in statuses)


def _application_relevant(session, application):
    if application in session.new:
        return False  # a new application has no decision yet
    if not _was_or_is_submitted(application):
        return False
    if application in session.deleted:
        return True
    state = inspect(application)
    return any(state.attrs[name].history.has_changes() for name in PUBLIC_FIELDS)


def _attachment_relevant(session, attachment):
    application = attachment.__dict__.get("application")
    if application is not None:
        return _was_or_is_submitted(application)
    status = session.connection().execute(
        select(Application.__table__.c.status).where(
            Application.__table__.c.id == attachment.application_id)).scalar()
    # A missing application (deleted in this flush) counts: better one bump too many.
    return status is None or status != ApplicationStatus.DRAFT


def touches_public_pages(session):
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, ALWAYS_RELEVANT):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            return True
        if isinstance(obj, Application) and _application_relevant(session, obj):
            return True
        if isinstance(obj, Attachment) and _attachment_relevant(session, obj):
            return True
    return False


def compute_schedule(connection):
    """[[competition_id, ISO instant its winners become public], ...] for released editions."""
    c, r = Competition.__table__.c, DecisionRelease.__table__.c
    # Columns of the tables carry the UTCDateTime type: the values come back aware.
    rows = connection.execute(
        select(c.id, r.released_at, c.published_at, c.publish_at)
        .join_from(Competition.__table__, DecisionRelease.__table__, r.competition_id == c.id)
        .order_by(c.id)).all()
    schedule = []
    for competition_id, released_at, published_at, publish_at in rows:
        times = [t for t in (published_at, publish_at) if t is not None]
        if released_at is None or not times:
            continue
        schedule.append([competition_id, max(released_at, min(times)).isoformat()])
    return schedule


def bump(connection):
    """Version + 1 and a fresh schedule, inside the caller's transaction."""
    table = PublicationState.__table__
    # Lock the row first, then read the schedule: a concurrent writer that committed
    # meanwhile is then part of what we read (PostgreSQL, read committed).
    result = connection.execute(update(table).where(table.c.id == STATE_ID)
                                .values(version=table.c.version + 1))
    if result.rowcount == 0:
        try:
            with connection.begin_nested():
                connection.execute(table.insert().values(id=STATE_ID, version=1, schedule=[]))
        except IntegrityError:
            connection.execute(update(table).where(table.c.id == STATE_ID)
                               .values(version=table.c.version + 1))
    connection.execute(update(table).where(table.c.id == STATE_ID)
                       .values(schedule=compute_schedule(connection)))


def _after_flush(session, flush_context):
    if touches_public_pages(session):
        bump(session.connection())


def install():
    """Listen to every ORM session's flushes (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


_parsed = {}
_reader_engines = {}


def _reader_engine(engine):
    """A small autocommit pool beside the app's own (PostgreSQL), without the ping before
    each checkout: one statement, one round trip. Other databases use the app's engine (an
    in-memory SQLite exists only in its own connection)."""
    if engine.dialect.name != "postgresql":
        return None
    reader = _reader_engines.get(engine)
    if reader is None:
        from sqlalchemy import create_engine

        reader = _reader_engines[engine] = create_engine(
            engine.url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=4,
            pool_recycle=3600)
    return reader


def _read_outside_transaction(engine, query):
    from sqlalchemy.exc import DBAPIError

    reader = _reader_engine(engine)
    if reader is None:
        with engine.connect() as conn:
            return conn.execution_options(isolation_level="AUTOCOMMIT").execute(query).first()
    # Plain SQL on this hot path (every cached page): the driver decodes the JSON column.
    sql = f"SELECT version, schedule FROM {PublicationState.__tablename__} WHERE id = {STATE_ID}"
    try:
        with reader.connect() as conn:
            return conn.exec_driver_sql(sql).first()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        # A connection that died while idle (a database restart): the pool is renewed,
        # and the read is tried once more — what the ping would have done first.
        with reader.connect() as conn:
            return conn.exec_driver_sql(sql).first()


def read(session):
    """(version, [(competition_id, aware datetime)]) of the state; (0, []) if none yet.

    Read outside the session's transaction, on an autocommit connection: a cached page
    then costs one statement, without BEGIN and ROLLBACK around it.
    """
    if isinstance(session, scoped_session):
        session = session()
    table = PublicationState.__table__
    query = select(table.c.version, table.c.schedule).where(table.c.id == STATE_ID)
    if session.in_transaction():
        row = session.execute(query).first()  # see this transaction's own changes
    else:
        row = _read_outside_transaction(session.get_bind(), query)
    if row is None:
        return 0, []
    version, schedule = row
    parsed = _parsed.get(version)
    if parsed is None or parsed[0] != schedule:
        parsed = (schedule, [(cid, datetime.fromisoformat(at)) for cid, at in schedule or []])
        if len(_parsed) > 64:
            _parsed.clear()
        _parsed[version] = parsed
    return version, parsed[1]


def fingerprint(session, now):
    """Changes with every relevant change and whenever an edition becomes public."""
    version, schedule = read(session)
    public = [str(cid) for cid, at in schedule if at <= now]
    return f"{version}:{','.join(public)}"
