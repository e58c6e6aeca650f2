"""Logging: one format for every line (text or JSON), a request id, an access log line per
request, and no personal data or secrets in what is written.

Every record passes through `scrub()` after formatting, tracebacks included: e-mail
addresses, one-time tokens in URL paths or query strings and the values PostgreSQL quotes in
constraint errors ("Key (email)=(...)") are replaced. Query strings are never logged (the
admin's user search is personal data). The access log has no client address either: the
reverse proxy keeps that, for as long as its own policy allows.
"""
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request

ACCESS_LOG = logging.getLogger("awards.access")
_HANDLER_MARK = "_awards_handler"

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A path segment that looks like a generated secret (signed tokens, nonces): long, no spaces.
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-.]{32,}(?=[/?#\s\"']|$)")
_TOKEN_PARAM = re.compile(r"(?i)\b(token|code|key|signature|password|secret)=([^&\s\"']+)")
_PG_DETAIL = re.compile(r"\(([^()]*)\)=\((.*?)\)(?= already exists| is not present|\s|$)")
_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\n|$)", re.S)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def scrub(text):
    """The text with personal data and secrets replaced by placeholders."""
    text = _PARAMETERS.sub("[parameters hidden]", text)
    text = _PG_DETAIL.sub(lambda m: f"({m.group(1)})=([hidden])", text)
    text = _TOKEN_PARAM.sub(lambda m: f"{m.group(1)}=[hidden]", text)
    text = _EMAIL.sub("[email]", text)
    return _TOKEN_SEGMENT.sub("[token]", text)


def installed_handler():
    """The handler `configure` put on the root logger (None if none)."""
    return next((h for h in logging.getLogger().handlers if getattr(h, _HANDLER_MARK, False)), None)


def current_request_id():
    if has_request_context():
        return getattr(g, "request_id", None)
    return None


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record):
        return scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line; times in UTC (ISO 8601)."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", "-"),
        }
        for field in ("method", "path", "status", "duration_ms", "bytes"):
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(app):
    """Install the log handler and the request id / access log hooks of `app`."""
    configure_handler(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)


def configure_handler(app):
    """Install the one handler on the root logger (again, if another app was made before)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(JsonFormatter() if app.config.get("LOG_FORMAT") == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "info").upper())
    # Its "limit exceeded" lines name the client address; its warnings (Redis unreachable,
    # falling back to memory) stay.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)


def _start_request():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response):
    request_id = getattr(g, "request_id", None)
    if request_id is None:  # a request that failed before our before_request ran
        return response
    response.headers["X-Request-ID"] = request_id
    duration = round((time.perf_counter() - g.request_started) * 1000, 1)
    path = scrub(request.path)
    ACCESS_LOG.info("%s %s %s %sms", request.method, path, response.status_code, duration,
                    extra={"method": request.method, "path": path,
                           "status": response.status_code, "duration_ms": duration,
                           "bytes": response.content_length})
    return response
