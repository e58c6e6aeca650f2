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
import time
from datetime import datetime
from itertools import chain

from sqlalchemy import event, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session

from awards import fields
from awards.cachekeys import CacheInputs
from awards.enums import ApplicationStatus
from awards.models.applications import Application, Attachment
from awards.models.competitions import Competition
from awards.models.decisions import DecisionRelease
from awards.models.press import PublicText  # noqa: F401  (its table is declared below)
from awards.models.base import utcnow
from awards.models.publication import PublicationState

PUBLIC_STATE_FIELDS = frozenset({
    "status", "competition_id", "applicant_type", "region", "consent_publish_name",
    "consent_publish_text", "consent_publish_photos", "image_rights_confirmed",
})
# What the public winners pages and the open-data API read: every column of the editions,
# categories, criteria, decisions, releases and (photos) attachments of submitted
# applications; of an application only the fields a public page may show (after the
# consents). A flush that changes any of it moves the version (touches_public_pages reads
# this declaration; tests/unit/test_cache_inputs.py holds the pages' queries to it).
PUBLIC_DATA = CacheInputs(
    "public-data",
    tables={
        "competitions": {"*"},
        "prize_categories": {"*"},
        "criteria": {"*"},  # loaded with every edition (Competition.criteria is eager)
        "decisions": {"*"},
        "decision_releases": {"*"},
        "attachments": {"*"},
        "public_texts": {"*"},  # the texts staff wrote and the winners approved
        # The columns that decide whether and how an application is shown, and the
        # registry's public fields (awards.fields).
        "applications": {"id", *PUBLIC_STATE_FIELDS, *fields.names(fields.PUBLIC)},
    },
    fixed={"applications.id"},
    context=(),
)
PUBLIC_FIELDS = frozenset(PUBLIC_DATA.tables["applications"]) - {"id"}
# Tables whose every change counts (attachments count only for submitted applications).
_WHOLE_TABLES = frozenset(name for name, columns in PUBLIC_DATA.tables.items()
                          if columns == {"*"})
ALWAYS_RELEVANT_TABLES = _WHOLE_TABLES - {"attachments"}


def public_fields():
    """Fields of an application that a public page may show (after the consents)."""
    return PUBLIC_FIELDS
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
    return any(state.attrs[name].history.has_changes() for name in public_fields())


def _attachment_relevant(session, attachment):
    application = attachment.__dict__.get("application")
    if application is not None:
        return _was_or_is_submitted(application)
    status = session.connection().execute(
        select(Application.__table__.c.status).where(
            Application.__table__.c.id == attachment.application_id)).scalar()
    # A missing application (deleted in this flush) counts: better one bump too many.
    return status is None or status != ApplicationStatus.DRAFT


def _table_of(obj):
    table = getattr(type(obj), "__table__", None)
    return table.name if table is not None else None


def touches_public_pages(session):
    for obj in chain(session.new, session.dirty, session.deleted):
        if _table_of(obj) in ALWAYS_RELEVANT_TABLES:
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
    changed_at = utcnow()
    result = connection.execute(update(table).where(table.c.id == STATE_ID)
                                .values(version=table.c.version + 1, changed_at=changed_at))
    if result.rowcount == 0:
        try:
            with connection.begin_nested():
                connection.execute(table.insert().values(id=STATE_ID, version=1, schedule=[],
                                                         changed_at=changed_at))
        except IntegrityError:
            connection.execute(update(table).where(table.c.id == STATE_ID)
                               .values(version=table.c.version + 1, changed_at=changed_at))
    connection.execute(update(table).where(table.c.id == STATE_ID)
                       .values(schedule=compute_schedule(connection)))


_BUMPED = "awards_publication_state_bumped"


def _after_flush(session, flush_context):
    if touches_public_pages(session):
        bump(session.connection())
        session.info[_BUMPED] = True


def _after_commit(session):
    if session.info.pop(_BUMPED, False):
        forget()  # this process sees its own change at once


def _after_rollback(session):
    session.info.pop(_BUMPED, None)


def install():
    """Listen to every ORM session's flushes and commits (once per process)."""
    for name, listener in (("after_flush", _after_flush), ("after_commit", _after_commit),
                           ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# The state as last read outside a transaction, kept for a tenth of a second per process:
# under load the pages read it a few times a second instead of at every request. A change
# made in this process clears it at commit; other processes and hosts see it within
# MEMO_SECONDS. Publication times need no read at all: they are in the schedule, compared
# with the clock on every request.
MEMO_SECONDS = 0.1
_memo = {}
_monotonic = time.monotonic


def forget():
    _memo.clear()


_reader_engines = {}
_QUERY = (select(PublicationState.__table__.c.version, PublicationState.__table__.c.schedule,
                 PublicationState.__table__.c.changed_at)
          .where(PublicationState.__table__.c.id == STATE_ID))


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


def _read_outside_transaction(engine):
    from sqlalchemy.exc import DBAPIError

    reader = _reader_engine(engine)
    if reader is None:
        with engine.connect() as conn:
            return conn.execution_options(isolation_level="AUTOCOMMIT").execute(_QUERY).first()
    try:
        with reader.connect() as conn:
            return conn.execute(_QUERY).first()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        # A connection that died while idle (a database restart): the pool is renewed,
        # and the read is tried once more — what the ping would have done first.
        with reader.connect() as conn:
            return conn.execute(_QUERY).first()


def _parse(row):
    if row is None:
        return 0, [], None
    version, schedule, changed_at = row
    return version, [(cid, datetime.fromisoformat(at)) for cid, at in schedule or []], changed_at


def read(session):
    """(version, [(competition_id, aware datetime)]) of the state; (0, []) if none yet."""
    return read_state(session)[:2]


def last_modified(session, now):
    """When what the public may see last changed: the latest change of the data or the
    latest instant an edition became public, whichever came last (None if unknown)."""
    _version, schedule, changed_at = read_state(session)
    times = [at for _cid, at in schedule if at <= now]
    if changed_at is not None:
        times.append(changed_at)
    return max(times) if times else None


def read_state(session):
    """(version, [(competition_id, aware datetime)], changed_at) of the state.

    Read outside the session's transaction, on an autocommit connection: a cached page
    then costs one statement, without BEGIN and ROLLBACK around it, and at most one every
    MEMO_SECONDS per process (see `forget`), kept already parsed.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        return _parse(session.execute(_QUERY).first())  # this transaction's own changes
    engine = session.get_bind()
    memo = _memo.get(engine)
    if memo is None or memo[0] <= _monotonic():
        memo = _memo[engine] = (_monotonic() + MEMO_SECONDS,
                                _parse(_read_outside_transaction(engine)))
    return memo[1]


def fingerprint(session, now):
    """Changes with every relevant change and whenever an edition becomes public."""
    version, schedule = read(session)
    public = [str(cid) for cid, at in schedule if at <= now]
    return f"{version}:{','.join(public)}"
