"""HTTP caching for public pages: ETag with conditional 304 and a short public max-age.

Only anonymous GET requests to public blueprints qualify, and only when the response did
not touch the session (no per-user content such as a CSRF token or a flash message).
Everything else is marked private/no-store so that shared caches never keep it.
"""
from flask import request, session
from flask_login import current_user

PUBLIC_BLUEPRINTS = {"public", "winners", "api", "help"}
PUBLIC_MAX_AGE = 60


def register_caching(app):
    @app.after_request
    def cache_headers(response):
        if "Cache-Control" in response.headers and response.headers["Cache-Control"] != "no-cache":
            return response
        public = (
            request.method in ("GET", "HEAD")
            and request.blueprint in PUBLIC_BLUEPRINTS
            and response.status_code == 200
            and not current_user.is_authenticated
            and not session.modified
            and not response.direct_passthrough
        )
        if public:
            response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
            response.headers["Vary"] = "Cookie"
            response.add_etag()
            return response.make_conditional(request)
        response.headers["Cache-Control"] = "private, no-store"
        return response
