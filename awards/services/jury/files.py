"""The files jurors get, and what the leak scan reads in them.

Every jury-visible upload gets a *rebuilt* copy (`Attachment.jury_storage_key`): a PDF with
only its pages' drawing, an image with only its pixels (awards/adapters/pdfrewrite.py).
A PDF is then *redacted* for each round entry (`RoundEntry.jury_files`), because staff
lift and add terms per entry: the identifiers the free-text redaction finds in a page's
text are blacked out by rendering that page with black boxes; jurors also get the page
texts with "[geschwärzt]" as an accessible text version.

This module does not decide what identifies an application: the caller (the
anonymisation service) passes the identifiers and its `find_hits` / `redact` functions.
Each redacted copy records the *basis* it was made from (the upload, the rebuilt copy and
the identifiers with the staff's terms), so a copy made before a change is recognised as
stale and never passes the leak scan.
"""
import dataclasses
import hashlib
import io
import json
import logging
import uuid

from sqlalchemy import select

from awards.adapters import pdfrewrite
from awards.adapters.storage import StorageError, get_storage
from awards.extensions import db
from awards.models.jury import RoundEntry
from awards.services.privacy import delete_files_after_commit
from awards.errors import DomainError

log = logging.getLogger("awards.jury_files")

PDF = "application/pdf"
IMAGE_TYPES = ("image/jpeg", "image/png")
EXTENSIONS = {PDF: "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Raise when the redaction of files changes, so that every copy is made again.
REDACTION_VERSION = 2
# Finding kinds that are patterns for anybody's contacts rather than this application's
# identifiers: searched in the text a juror reads, not in the bytes of objects and
# streams (an XMP namespace URL, a row of numbers or an "@" followed by letters in a
# content stream is no leak).
GENERIC_KINDS = {"email", "url", "phone", "street", "handle"}


class JuryFileError(DomainError):
    """An upload that cannot be read as the PDF or image it claims to be."""


# --------------------------------------------------------------------------- rebuilt copies

def rebuild(data, content_type):
    """The rebuilt bytes of an upload: page content or pixels only."""
    try:
        if content_type == PDF:
            return pdfrewrite.rebuild_pdf(data)
        if content_type in IMAGE_TYPES:
            return pdfrewrite.rebuild_image(data, content_type)
    except pdfrewrite.FileRewriteError as exc:
        raise JuryFileError(str(exc)) from exc
    raise JuryFileError(f"unsupported type {content_type}")


def _new_key(application_id, ext):
    return f"jury/{application_id}/{uuid.uuid4().hex}.{ext}"


def prepare_base(*, attachment, storage=None):
    """Write the rebuilt copy of one upload; returns its key."""
    storage = storage or get_storage()
    cleaned = rebuild(storage.read(attachment.storage_key), attachment.content_type)
    key = _new_key(attachment.application_id, EXTENSIONS[attachment.content_type])
    storage.save(key, io.BytesIO(cleaned), attachment.content_type)
    old = attachment.jury_storage_key
    attachment.jury_storage_key = key
    if old and old != key:
        try:
            storage.delete(old)
        except StorageError:
            log.warning("old jury copy %s not deleted", old)
    return key


# --------------------------------------------------------------------------- people in metadata

def people_in_uploads(application, storage=None):
    """Names of people in the metadata of every upload of the application (hidden ones too)."""
    storage = storage or get_storage()
    names, seen = [], set()
    for attachment in application.attachments:
        try:
            data = storage.read(attachment.storage_key)
        except StorageError:
            continue
        for name in pdfrewrite.metadata_people(data, attachment.content_type):
            if name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
    return names


def _uploads_signature(application):
    return sorted(a.sha256 for a in application.attachments)


def people_for(entry, application, storage=None):
    """The people of the uploads' metadata, as remembered for the entry when its uploads
    have not changed since (reading every upload again only when they have)."""
    remembered = state(entry)
    if remembered.get("people_of") == _uploads_signature(application):
        return list(remembered.get("people", []))
    return people_in_uploads(application, storage)


def with_people(ids, people):
    """The identifiers plus the people named in the uploads' metadata, as name parts
    (staff can lift a part that names nobody, as with the form's name parts). They are
    people's names: they match with their endings but form no compounds ("Peter" does not
    find "Petersilie")."""
    if not people:
        return ids
    known = {p.casefold() for p in ids.parts}
    extra = [p for p in people if p.casefold() not in known]
    return dataclasses.replace(ids, parts=sorted(ids.parts + extra, key=len, reverse=True),
                               person_parts=set(ids.person_parts) | {p.casefold() for p in extra})


# --------------------------------------------------------------------------- redacted copies

def _ids_material(ids):
    def default(value):
        if isinstance(value, (set, frozenset)):
            return sorted(value, key=str)
        return repr(value)
    return dataclasses.asdict(ids) if dataclasses.is_dataclass(ids) else repr(ids), default


def basis(attachment, ids):
    material, default = _ids_material(ids)
    blob = json.dumps({"v": REDACTION_VERSION, "upload": attachment.sha256,
                       "base": attachment.jury_storage_key, "ids": material},
                      sort_keys=True, ensure_ascii=False, default=default)
    return hashlib.sha256(blob.encode()).hexdigest()


def state(entry):
    return entry.jury_files or {}


def file_record(entry, attachment):
    return state(entry).get("files", {}).get(str(attachment.id))


def is_current(entry, attachment, ids):
    if attachment.content_type != PDF:
        return bool(attachment.jury_storage_key)
    record = file_record(entry, attachment)
    return bool(record and attachment.jury_storage_key and record["basis"] == basis(attachment, ids))


def _keys_of(record):
    return [k for k in (record.get("key"), record.get("text_key")) if k]


def _keys_in_use(application_id, except_entry_id):
    rows = db.session.scalars(select(RoundEntry).where(RoundEntry.application_id == application_id,
                                                       RoundEntry.id != except_entry_id)).all()
    return {k for e in rows for r in state(e).get("files", {}).values() for k in _keys_of(r)}


def refresh(*, entry, attachments, ids, find_hits, redact, storage=None):
    """Make the redacted copy of every jury-visible PDF of the entry that is missing or stale.

    `ids` are the entry's identifiers (with the people of the metadata), `find_hits(text,
    ids)` and `redact(text, ids)` the free-text redaction. Returns True if a copy was made,
    replaced or dropped."""
    storage = storage or get_storage()
    old = state(entry)
    old_files = old.get("files", {})
    files, replaced = {}, []
    for attachment in attachments:
        if attachment.content_type not in EXTENSIONS:
            continue
        if not attachment.jury_storage_key:
            prepare_base(attachment=attachment, storage=storage)
        if attachment.content_type != PDF:
            continue
        want = basis(attachment, ids)
        record = old_files.get(str(attachment.id))
        if record and record["basis"] == want:
            files[str(attachment.id)] = record
            continue
        if record:
            replaced += _keys_of(record)
        files[str(attachment.id)] = _redact_one(entry, attachment, ids, find_hits, redact, want,
                                                storage)
    replaced += [k for att_id, r in old_files.items() if att_id not in files for k in _keys_of(r)]
    new_state = {"files": files, "people": people_for(entry, entry.application, storage),
                 "people_of": _uploads_signature(entry.application)}
    if new_state != old:
        entry.jury_files = new_state
        in_use = _keys_in_use(entry.application_id, entry.id) if replaced else set()
        for key in replaced:
            if key not in in_use:
                delete_files_after_commit([key], storage)
        db.session.flush()
    return files != old_files


def _redact_one(entry, attachment, ids, find_hits, redact, want, storage):
    base = storage.read(attachment.jury_storage_key)

    def spans(text):
        return [(h.start, h.end) for h in find_hits(text, ids)]

    try:
        result = pdfrewrite.redact_pdf(base, spans)
    except pdfrewrite.FileRewriteError as exc:
        raise JuryFileError(str(exc)) from exc
    texts = [redact(page.text, ids) for page in result.pages]
    found = []
    for page in result.pages:
        hits = find_hits(page.text, ids) if page.spans else []
        for start, end in page.spans:
            kinds = [h.kind for h in hits if h.start < end and h.end > start]
            # A span that holds a whole value or a staff term cannot be lifted as a whole.
            kind = next((k for k in kinds if k in ("value", "extra")), kinds[0] if kinds else "value")
            found.append({"page": page.number, "term": " ".join(page.text[start:end].split()),
                          "kind": kind})
    key = _new_key(attachment.application_id, "pdf")
    storage.save(key, io.BytesIO(result.pdf), PDF)
    text_key = _new_key(attachment.application_id, "txt.json")
    storage.save(text_key, io.BytesIO(json.dumps(texts, ensure_ascii=False).encode()),
                 "application/json")
    return {"key": key, "text_key": text_key, "basis": want,
            "sha256": hashlib.sha256(result.pdf).hexdigest(), "pages": len(result.pages),
            "redacted_pages": sorted({p.number for p in result.pages if p.spans}),
            "found": found}


def juror_key(entry, attachment):
    """Storage key of the file a juror downloads for this attachment (None: not ready)."""
    if attachment.content_type == PDF:
        record = file_record(entry, attachment)
        return record["key"] if record else None
    return attachment.jury_storage_key


def fingerprint_material(entry, attachments):
    """What the approval of an entry covers of its files."""
    out = []
    for attachment in attachments:
        record = file_record(entry, attachment) if attachment.content_type == PDF else None
        out.append((attachment.sha256, attachment.jury_storage_key,
                    record["sha256"] if record else None, record["basis"] if record else None))
    return out


def text_version(entry, attachment, storage=None):
    """The redacted page texts of a PDF as jurors get them: [str per page], or None."""
    record = file_record(entry, attachment) if attachment.content_type == PDF else None
    if not record:
        return None
    storage = storage or get_storage()
    try:
        return json.loads(storage.read(record["text_key"]).decode("utf-8"))
    except (StorageError, ValueError):
        return None


def page_image(entry, attachment, number, storage=None):
    """Page `number` of the juror's copy as a PNG (the staff's juror's-eye preview)."""
    key = juror_key(entry, attachment)
    if not key or attachment.content_type != PDF:
        return None
    storage = storage or get_storage()
    return pdfrewrite.render_page_png(storage.read(key), number)


def found_terms(entry, attachments):
    """Distinct texts blacked out in the entry's PDFs: [(text, kind)]."""
    out = {}
    for attachment in attachments:
        record = file_record(entry, attachment)
        for item in (record or {}).get("found", []):
            out.setdefault(item["term"].casefold(), (item["term"], item.get("kind", "value")))
    return list(out.values())


# --------------------------------------------------------------------------- leak scan

def scan_bytes(data, content_type, *, ids, find_hits, where):
    """Findings of the identifiers in everything readable in one file:
    [{"where": ..., "term": ...}]. Used on jury copies (and, in tests, on originals)."""
    hits = []
    for place, text in pdfrewrite.readable_texts(data, content_type):
        in_text = place.startswith("Text")
        for h in find_hits(text, ids):
            if not in_text and h.kind in GENERIC_KINDS:
                continue
            term = " ".join(text[h.start:h.end].split())[:80]
            item = {"where": f"{where} ({place})", "term": term}
            if item not in hits:
                hits.append(item)
    # The whole file is read only for what no object holds: not the same finding twice.
    named = {h["term"].casefold() for h in hits if not h["where"].endswith("(Datei)")}
    return [h for h in hits if not h["where"].endswith("(Datei)") or h["term"].casefold() not in named]


# --------------------------------------------------------------------------- deletion

def discard(entry, storage=None):
    """Forget the entry's redacted copies and delete the files no other entry uses."""
    keys = [k for r in state(entry).get("files", {}).values() for k in _keys_of(r)]
    if keys:
        in_use = _keys_in_use(entry.application_id, entry.id)
        delete_files_after_commit([k for k in keys if k not in in_use], storage)
    entry.jury_files = {}


def keys_of_applications(application_ids):
    """Storage keys of every redacted copy made for the applications' round entries."""
    if not application_ids:
        return {}
    out = {}
    rows = db.session.execute(select(RoundEntry.application_id, RoundEntry.jury_files)
                              .where(RoundEntry.application_id.in_(application_ids))).all()
    for application_id, files in rows:
        for record in (files or {}).get("files", {}).values():
            out.setdefault(application_id, set()).update(_keys_of(record))
    return out


def forget_for_applications(application_ids):
    """Clear the records of redacted copies (their files are deleted by the caller)."""
    if application_ids:
        db.session.execute(RoundEntry.__table__.update()
                           .where(RoundEntry.application_id.in_(application_ids))
                           .values(jury_files={}))
