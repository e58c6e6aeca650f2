"""Small helpers shared by the views."""
from functools import wraps
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user

from awards.filenames import content_disposition
from awards.adapters.storage import CHUNK, NotFound, StorageError, get_storage
from awards.services.jury import anonymisation


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


def stored_file_response(key, *, filename, content_type, size=None, inline=False):
    """A stored file as a private download: streamed through the app, or (AWARDS_DOWNLOADS
    = redirect, S3 only) a redirect to a short-lived presigned URL of the store.

    404 when the file is gone, 503 when the store cannot be reached."""
    from flask import Response, current_app, redirect

    storage = get_storage()
    if current_app.config.get("DOWNLOADS") == "redirect":
        url = storage.presigned_url(key, filename=filename, expires=60)
        if url:
            return redirect(url)
    try:
        stream = storage.open(key)
    except NotFound:
        abort(404)
    except StorageError:
        abort(503)

    def chunks():
        try:
            while chunk := stream.read(CHUNK):
                yield chunk
        finally:
            stream.close()

    response = Response(chunks(), mimetype=content_type, headers={
        "Content-Disposition": content_disposition(filename, inline=inline),
        "Cache-Control": "private, no-store",
    })
    if size is not None:
        response.headers["Content-Length"] = str(size)
    return response


def juror_attachment_response(entry, number):
    """An attachment exactly as a juror downloads it: the stripped copy, renamed."""
    found = anonymisation.juror_attachment(entry, number)
    if found is None:
        abort(404)
    key, name, content_type = found
    return stored_file_response(key, filename=name, content_type=content_type)
