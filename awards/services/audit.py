"""Write audit rows (who, what, when, old -> new), chained by SHA-256."""
import hashlib
import json
import logging

from sqlalchemy import select

from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow

log = logging.getLogger("awards.audit")


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return str(value)


def entry_hash(entry):
    material = json.dumps(
        {
            "prev": entry.prev_hash,
            "at": entry.created_at.isoformat(),
            "actor": entry.actor_id,
            "action": entry.action,
            "type": entry.object_type,
            "id": entry.object_id,
            "competition": entry.competition_id,
            "old": entry.old,
            "new": entry.new,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def record(*, actor, action, obj=None, object_type=None, object_id=None, competition_id=None,
           old=None, new=None):
    """Add an audit row for a change of state and log it. Returns the row (flushed)."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
        if competition_id is None:
            competition_id = getattr(obj, "competition_id", None)
            if competition_id is None and type(obj).__name__ == "Competition":
                competition_id = obj.id
    # Serialise chain order: the newest row is locked (PostgreSQL) while we append.
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(1)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update()
    last = db.session.scalars(query).first()
    entry = AuditLog(
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        competition_id=competition_id,
        old=_jsonable(old),
        new=_jsonable(new),
        prev_hash=last.hash if last else "",
    )
    entry.hash = entry_hash(entry)
    db.session.add(entry)
    db.session.flush()
    log.info("%s %s#%s by %s", action, entry.object_type, object_id, entry.actor_id)
    return entry


def verify_chain():
    """Return a list of (id, problem) for rows whose hash or link does not match."""
    problems = []
    prev = ""
    for entry in db.session.scalars(select(AuditLog).order_by(AuditLog.id)).yield_per(500):
        if entry.prev_hash != prev:
            problems.append((entry.id, "Verkettung unterbrochen (Eintrag fehlt oder wurde verändert)"))
        if entry_hash(entry) != entry.hash:
            problems.append((entry.id, "Inhalt verändert"))
        prev = entry.hash
    return problems


def diff(obj, fields, values):
    """Old and new dicts for the fields that change when `values` are applied to obj."""
    old, new = {}, {}
    for field in fields:
        if field in values and getattr(obj, field) != values[field]:
            old[field] = getattr(obj, field)
            new[field] = values[field]
    return old, new
