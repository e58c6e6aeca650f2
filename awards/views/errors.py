"""Error pages in the reader's language; database faults answer 503.

The handlers need not roll back: the unit of work (awards/unit_of_work.py) has rolled back
the whole request before Flask hands any exception to them."""
import logging

from flask import has_request_context, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError

from awards.i18n import _l, in_language, text
from awards.views.api import problem_response

log = logging.getLogger("awards.errors")

ERROR_TEXTS = {
    400: (_l("Ungültige Anfrage"), _l("Die Anfrage konnte nicht verarbeitet werden.")),
    403: (_l("Kein Zugriff"), _l("Sie haben keine Berechtigung für diese Seite. Bitte melden "
                                 "Sie sich mit einem passenden Konto an oder wenden Sie sich "
                                 "an die Geschäftsstelle.")),
    404: (_l("Seite nicht gefunden"), _l("Diese Seite gibt es nicht oder nicht mehr. Bitte "
                                         "prüfen Sie die Adresse.")),
    405: (_l("Nicht erlaubt"), _l("Diese Aktion ist auf dieser Seite nicht möglich.")),
    409: (_l("Änderung überschneidet sich"), _l("Jemand anderes hat diese Daten inzwischen "
                                                "geändert. Bitte laden Sie die Seite neu und "
                                                "prüfen Sie Ihre Änderung.")),
    413: (_l("Datei zu groß"), _l("Die gesendeten Dateien sind zu groß. Bitte verkleinern Sie "
                                  "die Dateien und versuchen Sie es erneut. Ihre bisherigen "
                                  "Eingaben sind gespeichert.")),
    429: (_l("Zu viele Versuche"), _l("Bitte warten Sie einige Minuten und versuchen Sie es "
                                      "dann erneut.")),
    500: (_l("Technischer Fehler"), _l("Es ist ein Fehler aufgetreten. Bitte versuchen Sie es "
                                       "später erneut.")),
    503: (_l("Vorübergehend nicht verfügbar"), _l("Der Dienst ist gerade nicht erreichbar. Es "
                                                  "wurde nichts gespeichert. Bitte versuchen "
                                                  "Sie es in einigen Minuten erneut.")),
}
CSRF_MESSAGE = _l("Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und senden Sie "
                  "es erneut.")


# Endpoints whose callers are scripts (fetch in applicant.js, the open-data API): their
# errors are JSON too, never an HTML page.
JSON_ENDPOINTS = {"applicant.autosave"}
JSON_PATH_PREFIXES = ("/api/",)
JSON_PATH_SUFFIXES = ("/autosave",)  # also when no endpoint matched (404, 405)


def wants_json():
    if not has_request_context():
        return False
    if request.endpoint in JSON_ENDPOINTS or request.path.startswith(JSON_PATH_PREFIXES) \
            or request.path.endswith(JSON_PATH_SUFFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def render_error(code, message=None):
    title, body = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if has_request_context() and request.path.startswith("/api/"):
        # The open-data API answers problem+json, also for addresses it does not know; its
        # contract is German whatever the browser session's language.
        with in_language("de"):
            return problem_response(code, text(message or body), text(title))
    if wants_json():
        response = jsonify(error=code, title=text(title), message=text(message or body))
        response.status_code = code
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("errors/error.html", code=code, title=title,
                           text=message or body), code


def register_error_handlers(app):
    for code in (400, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        # Say why in the log: behind a TLS proxy whose X-Forwarded-Proto/-Host the app does
        # not trust (AWARDS_PROXY_COUNT), every form post fails the Referer check.
        hint = ""
        if "referrer" in (exc.description or "").lower():
            hint = (" (the app sees scheme %s and host %s; behind a reverse proxy set "
                    "AWARDS_PROXY_COUNT)" % (request.scheme, request.host))
        log.warning("form post refused by the CSRF check: %s %s: %s%s", request.method,
                    request.path, exc.description, hint)
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(StaleDataError)
    def stale(exc):
        # Two people (or two tabs) saved the same row: the later save is refused whole.
        log.info("optimistic lock conflict: %s", exc)
        return render_error(409)

    @app.errorhandler(IntegrityError)
    def integrity(exc):
        # Typically a race on a unique value (e.g. two saves at once); nothing was stored.
        # Only the constraint: PostgreSQL's message quotes the values (e-mail addresses, names).
        diag = getattr(exc.orig, "diag", None)
        log.warning("integrity error: %s on %s", type(exc.orig).__name__,
                    getattr(diag, "constraint_name", None) or "unknown constraint")
        return render_error(409)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeoutError)
    def database_down(exc):
        # Connection lost, server gone, pool exhausted: say "try again later".
        log.exception("database unavailable")
        return render_error(503)

    @app.errorhandler(DBAPIError)
    def database_error(exc):
        log.exception("database error")
        return render_error(500)

    @app.errorhandler(500)
    def internal(exc):
        return render_error(500)
