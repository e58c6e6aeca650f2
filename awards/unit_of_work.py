"""One unit of work per request, and per item of a background job.

A request commits once, at its end, when its view returned a response; any exception that
reaches Flask (a domain error the view did not handle, an abort(403/404), a fault of the
database or of another system) rolls back everything the request did. Services only flush;
views never commit. So a request is saved whole or not at all.

A view that catches a domain error and shows the form again calls `discard()` first (or
runs the service in a savepoint), so that nothing a service did before refusing is saved.

GET and HEAD requests only read. The few that keep something on purpose (documented caches
such as a stored PDF's key, the time of a download) say so with `allow_write(reason)`; any
other write in a read-only request is a bug: in testing it fails the request, elsewhere it is
logged and rolled back.

For background jobs, `with transaction():` commits one item or rolls it back, so that a
job can go on with the next. (The mail sender, retention and the automatic mails still
commit each item themselves; moving them onto this helper is open work.)
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
    """Forget what this request did so far (a refused form is shown again, nothing saved)."""
    db.session.rollback()  # the after_rollback listener forgets the writes too


@contextmanager
def transaction():
    """One item of a background job: committed when the block ends, rolled back on error."""
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


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
