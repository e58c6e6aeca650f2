"""One unit of work per request, and per item of a background job.

A request commits once, at its end, when its view returned a response; any exception that
reaches Flask (a domain error the view did not handle, an abort(403/404), a fault of the
database or of another system) rolls back everything the request did. Services only flush;
views never commit. So a request is saved whole or not at all.

A view that catches a domain error and shows the form again (or flashes it) calls
`discard()` first, so that nothing a service did before refusing is saved. Views never call
`db.session.rollback()` themselves; the error handlers need not either, because an exception
that reaches Flask has rolled back the request before they answer.

GET and HEAD requests only read. The few that keep something on purpose (documented caches
such as a stored PDF's key, the time of a download) say so with `allow_write(reason)`; any
other write in a read-only request is a bug: in testing it fails the request, elsewhere it is
logged and rolled back.

Outside a request (a `flask` command, a cron job) work is saved with `transaction()`: the
block is committed when it ends and rolled back when it raises. A job that works through
items (mails, competitions) makes each item one transaction through a `Job`: an item that
fails is rolled back alone, logged and listed in `job.failed`, and the job goes on with the
next; the command then reports the failures and exits with status 1. The items:

- the mail sender (`services.mail`): its claim, each mail, and the purge of old bodies;
- the automatic mails (`services.automail`): each mail with its once-only key;
- the Infobrief (`services.infobrief`): each issue, i.e. one competition's mails of a kind;
- retention (`services.retention`): each competition, because its anonymous statistics
  count what was deleted and mark it done: a competition is purged whole or not at all;
- the other `flask` commands (`awards/cli.py`, `awards/commands`): each command's work is
  one transaction (districts, demo data, benchmark data, an administrator, an archive).

Nothing else commits or rolls back. The documented exceptions: this module (the request's
commit, `discard()`, `transaction()`); `scripts/loadtest.py`, outside the app, commits the
data it builds once. `tests/unit/test_structure.py` fails on a `commit()` or `rollback()` of
its own in a module of `awards/views`, `awards/services`, `awards/commands`, `awards/demo` or
`awards/cli.py`.
"""
import logging
from contextlib import contextmanager

from flask import current_app, has_request_context, request
from sqlalchemy import event

from awards.extensions import db

log = logging.getLogger(__name__)

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WROTE = "awards.unit_of_work.wrote"


class WriteInReadOnlyRequest(RuntimeError):
    """A GET or HEAD request changed the database without declaring why."""


def _state():
    """This request's bookkeeping. Kept in the WSGI environ, not in `g`: a test that holds
    an app context open shares `g` with every request it makes."""
    return request.environ.setdefault("awards.unit_of_work", {})


def allow_write(reason):
    """Declare that this read-only request writes on purpose (a documented cache)."""
    if has_request_context():
        _state()["write_reason"] = reason


def discard():
    """Forget what this request did so far: a refused form is shown again (or the refusal
    flashed) with nothing saved; a failed statement leaves the session usable again."""
    db.session.rollback()  # the after_rollback listener forgets the writes too


@contextmanager
def transaction(session=None):
    """Work outside a request: committed when the block ends, rolled back (and the error
    raised on) when it fails. `session`: a session of its own instead of the app's."""
    session = session or db.session
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


class ItemSkipped(Exception):
    """Raised by an item's work to leave the item undone without it being a failure (e.g.
    another run did it first): rolled back, logged, not listed in `Job.failed`."""


class Job:
    """A background job that works through items, each committed on its own.

    `job.run(label, work, ...)` does one item in a `transaction()`. An item that fails is
    rolled back alone (what earlier items did stays saved), logged with its label and listed
    in `failed` as (label, reason); the job goes on with the next item."""

    def __init__(self, name, *, session=None):
        self.name = name
        self.session = session
        self.done = 0
        self.failed = []

    def run(self, label, work, *args, **kwargs):
        """Do `work(*args, **kwargs)` as one item. Returns (True, its result) once committed,
        or (False, None) when it failed and was rolled back."""
        result = None
        try:
            with transaction(self.session):
                result = work(*args, **kwargs)
        except ItemSkipped as exc:
            log.info("%s: %s skipped: %s", self.name, label, exc)
            return False, None
        except Exception as exc:  # noqa: BLE001 - one item must not stop the others
            self.failed.append((label, f"{type(exc).__name__}: {exc}"))
            log.exception("%s: %s failed and was rolled back; going on with the next",
                          self.name, label)
            return False, None
        self.done += 1
        return True, result


def _mark_flush(session, flush_context):
    if session.new or session.dirty or session.deleted:
        session.info[_WROTE] = True


def _mark_statement(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _forget_writes(session):
    session.info.pop(_WROTE, None)


def _wrote():
    return bool(db.session.info.get(_WROTE)) or bool(
        db.session.new or db.session.dirty or db.session.deleted)


def _start_of_request():
    # In production every request starts with a fresh session. A test that shares its
    # session with the requests it makes may have left changes pending: not this request's.
    _state()["inherited"] = _wrote()
    db.session.info.pop(_WROTE, None)


def _end_of_request(response):
    state = _state()
    if state.get("rolled_back"):
        return response
    if (request.method in READ_ONLY_METHODS and not state.get("inherited")
            and _wrote() and not state.get("write_reason")):
        changed = sorted({type(o).__name__ for o in [*db.session.new, *db.session.dirty,
                                                     *db.session.deleted]})
        discard()
        message = (f"{request.method} {request.endpoint} changed the database without "
                   f"declaring why ({', '.join(changed) or 'flushed or executed'})")
        if current_app.testing:
            raise WriteInReadOnlyRequest(message)
        log.error("%s; the change was rolled back", message)
        return response
    try:
        _commit_keeping_loaded()
    except Exception as exc:  # noqa: BLE001 - answered by the app's error handlers
        # The request is lost as a whole: nothing of it was saved. handle_user_exception
        # (wrapped in init_app) rolls back, then the app's error handlers answer (e.g. 409
        # for a concurrent change, 503 when the database is away); an exception without a
        # handler becomes the 500 page.
        return current_app.make_response(current_app.handle_user_exception(exc))
    return response


def _commit_keeping_loaded():
    """Commit without expiring what the session holds: the response is rendered, and the
    after-request hooks that run later (cache headers read the user, for one) would
    otherwise load every object they touch again, on a second connection from the pool.
    What they read is what this commit wrote; the session ends with the request."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def _rolled_back():
    discard()
    if has_request_context():
        _state()["rolled_back"] = True


def init_app(app):
    # db.session is one for every app in the process (tests build several): listen once.
    for name, listener in (("after_flush", _mark_flush), ("do_orm_execute", _mark_statement),
                           ("after_commit", _forget_writes), ("after_rollback", _forget_writes)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)

    handle_user_exception = app.handle_user_exception
    handle_exception = app.handle_exception

    def on_user_exception(exc):
        _rolled_back()
        return handle_user_exception(exc)

    def on_exception(exc):
        _rolled_back()
        return handle_exception(exc)

    app.handle_user_exception = on_user_exception
    app.handle_exception = on_exception
    app.before_request(_start_of_request)
    # Call this after every blueprint is registered: after_request functions run in reverse
    # order, so the commit comes first and the others (e.g. the immediate mail delivery of
    # development) see the request's work committed.
    app.after_request(_end_of_request)
