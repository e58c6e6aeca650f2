"""/healthz for load balancers: is the database reachable, is the storage writable?"""
import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from awards.adapters.storage import get_storage
from awards.extensions import db, limiter

log = logging.getLogger("awards.health")

bp = Blueprint("health", __name__)


def _check_database():
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        log.warning("health: database: %s", exc)
        db.session.rollback()
        return False


def _check_storage():
    try:
        return bool(get_storage().check())
    except Exception as exc:  # noqa: BLE001
        log.warning("health: storage: %s", exc)
        return False


@bp.get("/healthz")
@limiter.exempt
def healthz():
    checks = {
        "database": "ok" if _check_database() else "error",
        "storage": "ok" if _check_storage() else "error",
    }
    healthy = all(v == "ok" for v in checks.values())
    response = jsonify(checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
