"""Data subject rights: an applicant's data as a ZIP (Art. 15/20 DSGVO) and deletion of the
account and drafts (Art. 17 DSGVO).

Submitted applications of a running competition are not deleted on request: the
competition needs them until its retention period ends (awards.services.retention).
Files are deleted from storage only after the transaction commits, so a failed commit
never leaves rows that point at missing files.
"""
import io
import json
import logging
import re
import unicodedata
import zipfile
from datetime import date, datetime

from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from awards.enums import ApplicationStatus, TokenPurpose  # noqa: F401  (TokenPurpose: docs)
from awards.extensions import db
from awards.models.applications import Application
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.models.users import OneTimeToken, User, new_session_id
from awards.services import audit, infobrief, lifecycle
from awards.adapters.storage import get_storage
from awards.services import publication
from awards.errors import DomainError

log = logging.getLogger("awards.privacy")

DELETABLE_STATUSES = (ApplicationStatus.DRAFT,)
DELETED_EMAIL_DOMAIN = "geloescht.invalid"
ZIP_CHUNK = 256 * 1024

# Columns of an application that are technical, not data the applicant gave us.
_SKIP_COLUMNS = {"version", "current_step", "copied_from_id", "formal_checked_by_id"}


# --- files are deleted after commit -------------------------------------------------------

_PENDING_KEY = "awards_delete_after_commit"


def delete_files_after_commit(keys, storage=None):
    """Remember storage keys to delete once the current transaction has committed."""
    keys = [k for k in keys if k]
    if not keys:
        return
    storage = storage or get_storage()
    db.session.info.setdefault(_PENDING_KEY, []).append((storage, keys))


@event.listens_for(Session, "after_commit")
def _delete_pending_files(session):
    pending = session.info.pop(_PENDING_KEY, [])
    for storage, keys in pending:
        for key in keys:
            try:
                storage.delete(key)
            except Exception:  # noqa: BLE001 - a left-over file is logged, never fatal
                log.warning("could not delete stored file %s", key)


@event.listens_for(Session, "after_rollback")
def _forget_pending_files(session):
    session.info.pop(_PENDING_KEY, None)


def delete_with_dependents(table, ids):
    """DELETE rows of `table` by id, first applying every ON DELETE rule that points at it.

    PostgreSQL would cascade by itself; SQLite (foreign keys off) would leave orphans. Doing
    it here gives both the same result. RESTRICT and plain foreign keys are left alone, so
    the database still refuses what it should. Returns the number of deleted rows.
    """
    ids = sorted(set(ids))
    if not ids:
        return 0
    for other in db.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is not table:
                continue
            column = fk.parent
            rule = (fk.ondelete or "").upper()
            if rule == "SET NULL":
                db.session.execute(other.update().where(column.in_(ids)).values({column.key: None}))
            elif rule == "CASCADE" and "id" in other.c:
                dependent = db.session.execute(select(other.c.id).where(column.in_(ids))).scalars().all()
                if other is table:
                    dependent = [d for d in dependent if d not in ids]
                delete_with_dependents(other, dependent)
    return db.session.execute(table.delete().where(table.c.id.in_(ids))).rowcount


def _forget(objects):
    """Take rows deleted with Core out of the session so that nothing flushes them again."""
    for obj in objects:
        if obj in db.session:
            db.session.expunge(obj)


# --- what we hold about a person ----------------------------------------------------------

def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value"), str):
        return value.value
    return value


def _row_dict(row, skip=()):
    return {
        column.key: _plain(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in skip
    }


def applications_of(user):
    return db.session.scalars(
        select(Application).where(Application.owner_id == user.id).order_by(Application.id)
    ).all()


def summary(user):
    """What the overview page shows: drafts that a deletion removes and what is kept."""
    apps = applications_of(user)
    drafts = [a for a in apps if a.status in DELETABLE_STATUSES]
    kept = [a for a in apps if a.status not in DELETABLE_STATUSES]
    files = sum(len(a.attachments) for a in apps)
    return {"applications": apps, "drafts": drafts, "kept": kept, "files": files}


def can_delete_account(user):
    """Only applicant accounts delete themselves; staff and jurors are managed by admins."""
    return user is not None and user.is_authenticated and not user.roles


def safe_zip_name(name):
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w .()+,-]", "_", name).strip(" .") or "datei"
    return name[:150]


def collect(user):
    """Everything about `user` as (data dict, [(zip path, storage key)])."""
    files = []
    applications = []
    apps = applications_of(user)
    states = lifecycle.states_of(list({app.competition for app in apps}))
    for app in apps:
        entry = _row_dict(app, skip=_SKIP_COLUMNS)
        entry["wettbewerb"] = {
            "titel": app.competition.title, "jahr": app.competition.year,
            "status": states[app.competition.id].value,
        }
        folder = f"anlagen/{safe_zip_name(app.reference or f'entwurf-{app.id}')}"
        entry["anlagen"] = []
        for att in app.attachments:
            path = f"{folder}/{att.id}-{safe_zip_name(att.filename)}"
            entry["anlagen"].append({
                "datei": path, "name": att.filename, "typ": att.content_type,
                "groesse": att.size, "sha256": att.sha256, "beschreibung": att.description,
                "hochgeladen": _plain(att.created_at),
            })
            files.append((path, att.storage_key))
        receipt = getattr(app, "receipt_key", None)
        if receipt:
            path = f"{folder}/eingangsbestaetigung.pdf"
            entry["eingangsbestaetigung"] = path
            files.append((path, receipt))
        applications.append(entry)

    activity = db.session.scalars(
        select(AuditLog).where(AuditLog.actor_id == user.id).order_by(AuditLog.id)
    ).all()
    mails = db.session.scalars(
        select(OutboxMail).where(OutboxMail.to_addr == user.email).order_by(OutboxMail.id)
    ).all()
    data = {
        "erstellt": utcnow().isoformat(),
        "hinweis": (
            "Auskunft nach Art. 15 DSGVO: Ihr Konto, Ihre Bewerbungen mit Anlagen, das "
            "Protokoll Ihrer Aktionen und die E-Mails, die wir Ihnen geschickt haben."
        ),
        "konto": {
            "email": user.email, "name": user.name,
            "angelegt": _plain(user.created_at),
            "email_bestaetigt": _plain(user.email_verified_at),
            "letzte_anmeldung": _plain(user.last_login_at),
            "passwort_gesetzt": bool(user.password_hash),
            "rollen": [
                {"rolle": _plain(r.role), "preis": r.prize_code, "wettbewerb": r.competition_id}
                for r in user.roles
            ],
        },
        "bewerbungen": applications,
        "protokoll": [
            {"zeit": _plain(e.created_at), "aktion": e.action, "objekt": e.object_type,
             "objekt_id": e.object_id}
            for e in activity
        ],
        "emails": [
            {"erstellt": _plain(m.created_at), "betreff": m.subject, "status": _plain(m.status),
             "text": m.body_text}
            for m in mails
        ],
        # Infobrief subscriptions of the account's address (they need no account).
        "infobrief": infobrief.export(user.email),
    }
    return data, files


class _Sink(io.RawIOBase):
    """A write-only stream whose written bytes are collected and handed out in pieces."""

    def __init__(self):
        self.chunks = []

    def writable(self):
        return True

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def stream_zip(data, files, storage):
    """Yield a ZIP (daten.json plus the files) piece by piece; files are never held whole.

    Needs no app context: `storage` is passed in, `data` is already collected.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("daten.json", json.dumps(data, ensure_ascii=False, indent=2))
        yield sink.take()
        for path, key in files:
            try:
                source = storage.open(key)
            except Exception as exc:  # noqa: BLE001 - one missing file must not stop the rest
                log.warning("export: file %s not readable: %s", key, exc)
                archive.writestr(f"{path}.fehlt.txt",
                                 "Diese Datei konnte nicht gelesen werden. Bitte wenden Sie "
                                 "sich an die Geschäftsstelle.")
                yield sink.take()
                continue
            try:
                with archive.open(path, mode="w", force_zip64=True) as target:
                    while chunk := source.read(ZIP_CHUNK):
                        target.write(chunk)
                        yield sink.take()
            finally:
                source.close()
            yield sink.take()
    yield sink.take()


def record_export(*, actor, user):
    """Audit that a copy of the data left the system (who, for whom)."""
    audit.record(actor=actor, action="privacy.export", obj=user)


# --- deletion ---------------------------------------------------------------------------

def delete_account(*, actor, user):
    """Delete drafts (with files) and the account's personal data.

    Submitted applications stay (without a link to the account) until retention. The user
    row itself stays, emptied and deactivated: audit entries refer to it and are chained by
    hash, so removing it would break the chain. Returns a summary dict.
    """
    deleted_files = kept = 0
    keys, drafts = [], []
    for app in applications_of(user):
        if app.status in DELETABLE_STATUSES:
            for att in app.attachments:
                keys += [att.storage_key, att.jury_storage_key]
            keys.append(getattr(app, "receipt_key", None))
            deleted_files += len(app.attachments)
            drafts.append(app)
        else:
            app.owner_id = None
            kept += 1
    db.session.flush()
    delete_with_dependents(Application.__table__, [a.id for a in drafts])
    _forget([att for a in drafts for att in a.attachments] + drafts)
    old_email = user.email
    db.session.execute(
        OneTimeToken.__table__.delete().where(
            or_(OneTimeToken.user_id == user.id, OneTimeToken.email == old_email)
        )
    )
    mails = db.session.execute(
        OutboxMail.__table__.delete().where(OutboxMail.to_addr == old_email)
    ).rowcount
    subscriptions = infobrief.delete_address(old_email)
    user.email = f"konto-{user.id}@{DELETED_EMAIL_DOMAIN}"
    user.name = ""
    user.password_hash = None
    user.email_verified_at = None
    user.last_login_at = None
    user.active = False
    user.session_id = new_session_id()
    db.session.flush()
    result = {"drafts_deleted": len(drafts), "files_deleted": deleted_files,
              "applications_kept": kept, "mails_deleted": mails,
              "infobrief_deleted": subscriptions}
    # The audit entry holds counts only, not the e-mail address that was just removed.
    audit.record(actor=actor, action="privacy.delete_account", obj=user, new=result)
    delete_files_after_commit(keys)
    return result


def is_deleted(user):
    return isinstance(user, User) and user.email.endswith("@" + DELETED_EMAIL_DOMAIN)


# --- withdrawing a consent to publication (Art. 7 Abs. 3 DSGVO) ---------------------------

# What each consent covers, by the short name used in forms and the audit log.
PUBLICATION_CONSENTS = {
    "name": "consent_publish_name",
    "text": "consent_publish_text",
    "photos": "consent_publish_photos",
}


class ConsentError(DomainError):
    pass


def withdraw_publication_consent(*, actor, application, consent):
    """Withdraw one consent to publication of a submitted application, at once.

    The public winners pages follow the consents on every request (and their cache is keyed
    by awards.services.publication_state, which this change moves), so the item disappears
    with the next page view. For photos, the metadata-free copies made for the public pages
    are deleted from storage after the commit. Granting a consent again is a matter for the
    Geschäftsstelle (photos need the image rights confirmed as well).
    """
    field = PUBLICATION_CONSENTS.get(consent)
    if field is None:
        raise ConsentError("unknown consent")
    if application.status == ApplicationStatus.DRAFT:
        raise ConsentError("drafts change their consents in the form")
    if not getattr(application, field):
        return False
    setattr(application, field, False)
    db.session.flush()
    audit.record(actor=actor, action="privacy.consent_withdraw", obj=application,
                 competition_id=application.competition_id,
                 old={field: True}, new={field: False})
    if consent == "photos":
        delete_files_after_commit([publication.stripped_photo_key(a)
                                   for a in application.attachments if a.is_image])
    return True
