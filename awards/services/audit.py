"""Write audit rows (who, what, when, old -> new), chained by SHA-256."""
import hashlib
import json
import logging

from sqlalchemy import select, text

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


# Any constant works; it only has to be the same in every process.
AUDIT_CHAIN_LOCK = 7_041_202_601


def _lock_chain():
    """Serialise appends to the chain until this transaction ends (PostgreSQL).

    `SELECT ... ORDER BY id DESC LIMIT 1 FOR UPDATE` is not enough: a waiting transaction
    gets the old last row back once the lock is released and forks the chain. A transaction
    advisory lock is taken first; the following SELECT then sees the newest committed row.
    SQLite serialises writers itself.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK})


def record(*, actor, action, obj=None, object_type=None, object_id=None, competition_id=None,
           old=None, new=None):
    """Add an audit row for a change of state and log it. Returns the row (flushed)."""
    if hasattr(obj, "_get_current_object"):  # current_user passed as obj
        obj = obj._get_current_object()
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
        if competition_id is None:
            competition_id = getattr(obj, "competition_id", None)
            if competition_id is None and type(obj).__name__ == "Competition":
                competition_id = obj.id
    _lock_chain()
    last = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).first()
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


BROKEN_LINK = "Verkettung unterbrochen: der vorherige Eintrag fehlt oder wurde verändert"
CHANGED = "Inhalt verändert: der gespeicherte Prüfwert passt nicht zum Inhalt"
ANCHOR_MISSING = "Zuletzt geprüfter Eintrag fehlt (gelöscht?)"
ANCHOR_CHANGED = "Zuletzt geprüfter Eintrag wurde verändert"


def verify_chain(*, anchor=None):
    """Return a list of (id, problem) for rows whose hash or link does not match.

    A deleted entry in the middle breaks the link of its successor; a changed entry no
    longer matches its own hash. Deleting the newest entries leaves no trace inside the
    table, so `anchor` (id, hash) of the head seen at the last check, kept outside the
    database, is checked too.
    """
    problems = []
    prev = ""
    seen_anchor = None
    for entry in db.session.scalars(select(AuditLog).order_by(AuditLog.id)).yield_per(500):
        if entry.prev_hash != prev:
            problems.append((entry.id, BROKEN_LINK))
        if entry_hash(entry) != entry.hash:
            problems.append((entry.id, CHANGED))
        if anchor and entry.id == anchor[0]:
            seen_anchor = entry.hash
        prev = entry.hash
    if anchor:
        if seen_anchor is None:
            problems.append((anchor[0], ANCHOR_MISSING))
        elif seen_anchor != anchor[1]:
            problems.append((anchor[0], ANCHOR_CHANGED))
    return problems


def chain_head():
    """(id, hash) of the newest entry, or None for an empty log."""
    last = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).first()
    return (last.id, last.hash) if last else None


def diff(obj, fields, values):
    """Old and new dicts for the fields that change when `values` are applied to obj."""
    old, new = {}, {}
    for field in fields:
        if field in values and getattr(obj, field) != values[field]:
            old[field] = getattr(obj, field)
            new[field] = values[field]
    return old, new
