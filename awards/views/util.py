"""Small helpers shared by the views."""
from functools import wraps
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user


def safe_next(target):
    """Only same-site relative paths are allowed as redirect targets (no open redirects)."""
    if not target or not isinstance(target, str):
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        # Flask-Login puts the full URL of the page into next=; same host only.
        from flask import has_request_context, request

        if (not has_request_context() or parts.scheme not in ("http", "https")
                or parts.netloc != request.host):
            return None
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    if not target.startswith("/") or target.startswith("//"):
        return None
    return target.rstrip("?") or "/"


def require(predicate, *args):
    """Abort with 403 (or send anonymous users to login) unless predicate(user, *args)."""
    if not current_user.is_authenticated:
        from flask import current_app

        abort(current_app.login_manager.unauthorized())
    if not predicate(current_user, *args):
        abort(403)


def login_required_403(view):
    """Like login_required; kept here so every audience uses one behaviour."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from flask import current_app

            return current_app.login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped


def stored_file_response(key, *, filename, content_type):
    """Stream a file from storage as a private download; 404 if it cannot be read."""
    from flask import Response

    from awards.adapters.storage import CHUNK, StorageError, get_storage

    try:
        stream = get_storage().open(key)
    except StorageError:
        abort(404)

    def chunks():
        try:
            while chunk := stream.read(CHUNK):
                yield chunk
        finally:
            stream.close()

    return Response(chunks(), mimetype=content_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    })


def juror_attachment_response(entry, number):
    """An attachment exactly as a juror downloads it: the stripped copy, renamed."""
    from awards.services import anonymisation

    found = anonymisation.juror_attachment(entry, number)
    if found is None:
        abort(404)
    key, name, content_type = found
    return stored_file_response(key, filename=name, content_type=content_type)
