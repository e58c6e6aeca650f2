"""Audit log viewer for administrators: who did what, when, old -> new; filters and pages."""
from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from awards import permissions
from awards.extensions import db
from awards.i18n import gettext as _
from awards.models.audit import AuditLog
from awards.models.users import User
from awards.timeutil import from_berlin
from awards.views import paging
from awards.views.converters import parse_id
from awards.views.util import require

bp = Blueprint("auditlog", __name__, url_prefix="/verwaltung/protokoll")

PER_PAGE = 50


def _int(value):
    value = (value or "").strip()
    return parse_id(value)


def _date(value):
    try:
        return datetime.strptime((value or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None


def read_filters(args):
    """The filters from the query string; invalid values are dropped and reported."""
    filters = {
        "action": (args.get("action") or "").strip()[:80],
        "actor": (args.get("actor") or "").strip()[:254],
        "object_type": (args.get("object_type") or "").strip()[:50],
        "object_id": _int(args.get("object_id")),
        "competition_id": _int(args.get("competition_id")),
        "date_from": _date(args.get("date_from")),
        "date_to": _date(args.get("date_to")),
        "order": "asc" if args.get("order") == "asc" else "desc",
    }
    errors = {}
    for key in ("object_id", "competition_id"):
        if args.get(key, "").strip() and filters[key] is None:
            errors[key] = _("Bitte geben Sie eine ganze Zahl ein.")
    for key in ("date_from", "date_to"):
        if args.get(key, "").strip() and filters[key] is None:
            errors[key] = _("Bitte geben Sie ein Datum im Format JJJJ-MM-TT ein.")
    return filters, errors


def build_query(filters):
    query = select(AuditLog)
    if filters["action"]:
        query = query.where(AuditLog.action.startswith(filters["action"], autoescape=True))
    if filters["actor"]:
        actor = filters["actor"]
        actor_ids = select(User.id).where(User.email.icontains(actor, autoescape=True)
                                          | User.name.icontains(actor, autoescape=True))
        query = query.where(AuditLog.actor_id.in_(actor_ids))
    if filters["object_type"]:
        query = query.where(AuditLog.object_type == filters["object_type"])
    if filters["object_id"] is not None:
        query = query.where(AuditLog.object_id == filters["object_id"])
    if filters["competition_id"] is not None:
        query = query.where(AuditLog.competition_id == filters["competition_id"])
    # Dates are Berlin calendar days.
    if filters["date_from"]:
        query = query.where(AuditLog.created_at >= from_berlin(datetime.combine(filters["date_from"], time.min)))
    if filters["date_to"]:
        end = datetime.combine(filters["date_to"] + timedelta(days=1), time.min)
        query = query.where(AuditLog.created_at < from_berlin(end))
    return query


def changes(entry):
    """[(field, old, new)] for display; keys from both sides, sorted."""
    old, new = entry.old or {}, entry.new or {}
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [("", old, new)]
    return [(key, old.get(key), new.get(key)) for key in sorted(set(old) | set(new))]


@bp.get("/")
def index():
    require(permissions.can_view_audit_log)
    filters, errors = read_filters(request.args)
    query = build_query(filters)
    order = AuditLog.id.asc() if filters["order"] == "asc" else AuditLog.id.desc()
    # "seite" as on every other list; "page" from links made before is still understood.
    number = paging.page_arg() if paging.PAGE_ARG in request.args else paging.page_arg("page")
    page = paging.paginate(query.options(selectinload(AuditLog.actor)).order_by(order),
                           page=number, per_page=PER_PAGE)
    object_types = db.session.scalars(
        select(AuditLog.object_type).distinct().order_by(AuditLog.object_type)).all()
    # Only the filters go into the pager's links (an unknown name such as "endpoint" would
    # collide with the macro's own arguments).
    args = {k: v for k, v in request.args.items() if k in filters and v}
    return render_template("auditlog/index.html", entries=page.items, filters=filters,
                           errors=errors, total=page.total, page=page, args=args,
                           object_types=[t for t in object_types if t], changes=changes)
