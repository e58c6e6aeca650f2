"""Health checks for load balancers and monitoring.

- `/livez`: liveness — the process answers (no dependency is touched).
- `/readyz`: readiness — this host can serve: its database answers. 503 otherwise.
- `/healthz`: readiness as above (same status), plus a report of the dependencies every host
  shares (object storage, Redis for rate limits and cache, SMTP relay). A shared dependency
  that is down is reported in the body and logged, but never fails the check: it would fail
  on every host at once and the load balancer would drop them all, although most pages
  still work.
"""
import logging
import smtplib
import socket

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from awards.adapters.storage import get_storage
from awards import unit_of_work
from awards.extensions import db, limiter

log = logging.getLogger("awards.health")

bp = Blueprint("health", __name__)
PROBE_TIMEOUT = 3  # seconds; a check must answer well within a load balancer's timeout


def _check_database():
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        log.warning("health: database: %s", exc)
        unit_of_work.discard()
        return False


def _check_storage():
    try:
        return "ok" if get_storage().check() else "error"
    except Exception as exc:  # noqa: BLE001
        log.warning("health: storage: %s", exc)
        return "error"


def _check_redis(url):
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=PROBE_TIMEOUT,
                                      socket_connect_timeout=PROBE_TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("health: redis: %s", exc)
        return "error"


def _check_rate_limits():
    url = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return "memory"
    status = _check_redis(url)
    if status != "ok" and limiter.enabled:
        return "fallback"  # counted in each worker's memory until Redis is back
    return status


def _check_cache():
    url = current_app.config.get("CACHE_URL") or "memory"
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return url
    return _check_redis(url)


def _check_smtp():
    host = current_app.config.get("SMTP_HOST")
    if not host:
        return "not configured"
    try:
        with smtplib.SMTP(host, current_app.config["SMTP_PORT"], timeout=PROBE_TIMEOUT) as smtp:
            smtp.noop()
        return "ok"
    except (OSError, smtplib.SMTPException, socket.timeout) as exc:
        log.warning("health: smtp: %s", exc)
        return "error"


def _readiness():
    ready = _check_database()
    return ready, {"database": "ok" if ready else "error"}


def _answer(body, status):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/livez")
@limiter.exempt
def livez():
    return _answer({"status": "ok"}, 200)


@bp.get("/readyz")
@limiter.exempt
def readyz():
    ready, checks = _readiness()
    return _answer(checks, 200 if ready else 503)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    ready, checks = _readiness()
    checks["shared"] = {
        "storage": _check_storage(),
        "rate_limits": _check_rate_limits(),
        "cache": _check_cache(),
        "smtp": _check_smtp(),
    }
    return _answer(checks, 200 if ready else 503)
