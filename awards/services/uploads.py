"""Attachments: the type is sniffed from the content, names are sanitised, sizes limited,
and files are streamed to storage without being held whole in memory."""
import logging
import re
import tempfile
import unicodedata
import uuid

from flask import current_app
from sqlalchemy import func, select

from awards.adapters.storage import StorageError, get_storage
from awards.extensions import db
from awards.i18n import _l
from awards.models.applications import Attachment
from awards.services import audit
from awards.errors import DomainError

log = logging.getLogger("awards.uploads")

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TAIL_BYTES = 2048
MAX_NAME_LENGTH = 120
MAX_FILES = 20
CHUNK = 1024 * 1024


class UploadRejected(DomainError):
    """The file is refused; the message is shown to the applicant."""


class _TooLarge(Exception):
    pass


def sniff_head(head):
    """The content type announced by the first bytes, or None for anything we do not take."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(PNG_SIGNATURE):
        return PNG
    return None


def tail_is_complete(content_type, tail):
    """A file that was cut off during upload or saving lacks its closing marker."""
    if content_type == PDF:
        # The last %%EOF must follow a startxref; trailing whitespace is allowed.
        end = tail.rfind(b"%%EOF")
        return end != -1 and tail.rfind(b"startxref", 0, end) != -1 and not tail[end + 5:].strip()
    if content_type == JPEG:
        return tail.rstrip(b"\x00").endswith(b"\xff\xd9")
    if content_type == PNG:
        return b"IEND" in tail[-16:]
    return False


def sniff(data):
    """Content type of a complete file given as bytes (None if refused)."""
    content_type = sniff_head(data[:16])
    if content_type and tail_is_complete(content_type, data[-TAIL_BYTES:]):
        return content_type
    return None


def sanitise_filename(name, content_type=None):
    """A safe display name: no directories, control or odd characters; the extension matches
    the sniffed type."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C",))
    name = re.sub(r"[^\w .()+,-]", "_", name)
    name = re.sub(r"\s+", " ", name).strip(" ._-")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem.strip(" ._-")[:MAX_NAME_LENGTH - 5] or "Anlage"
    if content_type in EXTENSIONS:
        wanted = EXTENSIONS[content_type]
        if ext.lower() not in ((wanted, "jpeg") if wanted == "jpg" else (wanted,)):
            ext = wanted
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:5]
    return f"{stem}.{ext}" if ext else stem


class _LimitedReader:
    """Passes reads through, keeps the first bytes already read and the last TAIL_BYTES,
    and stops with _TooLarge once more than `limit` bytes came through."""

    def __init__(self, head, stream, limit):
        self.pending = head
        self.stream = stream
        self.limit = limit
        self.size = 0
        self.tail = b""

    def read(self, size=-1):
        if self.pending:
            chunk, self.pending = self.pending, b""
        else:
            chunk = self.stream.read(size if size and size > 0 else 1024 * 1024)
        self.size += len(chunk)
        if self.size > self.limit:
            raise _TooLarge()
        self.tail = (self.tail + chunk)[-TAIL_BYTES:]
        return chunk


def limits():
    mb = 1024 * 1024
    return current_app.config["MAX_FILE_MB"] * mb, current_app.config["MAX_APPLICATION_MB"] * mb


def used_bytes(application):
    return db.session.scalar(
        select(func.coalesce(func.sum(Attachment.size), 0)).where(
            Attachment.application_id == application.id)
    ) or 0


def add_attachment(*, actor, application, stream, filename, description="", storage=None,
                   images_allowed=True):
    """Check and store one uploaded file; returns the Attachment (flushed).

    The file is first copied to an anonymous temporary file (no name on disk, gone when
    closed) while its size is counted, then parsed as what its first bytes claim — a PDF
    must open with pikepdf, an image must decode whole with Pillow within a pixel limit —
    and only then stored. Raises UploadRejected with a message for the applicant; nothing is
    kept then, neither in storage nor on disk.
    """
    storage = storage or get_storage()
    file_limit, application_limit = limits()
    if len(application.attachments) >= MAX_FILES:
        raise UploadRejected(_l("Sie können höchstens %(n)s Dateien anhängen.", n=MAX_FILES))
    shown = sanitise_filename(filename)
    head = stream.read(16)
    content_type = sniff_head(head)
    if content_type is None:
        raise UploadRejected(_l("„%(name)s“ ist keine PDF-, JPEG- oder PNG-Datei. Bitte laden Sie "
                               "nur diese Dateitypen hoch.", name=shown))
    if content_type in (JPEG, PNG) and not images_allowed:
        raise UploadRejected(_l("Für Fotos bestätigen Sie bitte zuerst die Bildrechte (Kästchen "
                               "oberhalb der Dateiauswahl). „%(name)s“ wurde nicht gespeichert.",
                               name=shown))
    remaining = application_limit - used_bytes(application)
    limit = min(file_limit, remaining)
    reader = _LimitedReader(head, stream, limit)
    with tempfile.TemporaryFile(prefix="awards-upload-") as spool:
        try:
            while chunk := reader.read(CHUNK):
                spool.write(chunk)
        except _TooLarge:
            if reader.size > file_limit:
                raise UploadRejected(_l("„%(name)s“ ist größer als %(mb)s MB. Bitte verkleinern "
                                       "Sie die Datei.", name=shown,
                                       mb=current_app.config["MAX_FILE_MB"])) from None
            raise UploadRejected(_l("Alle Anlagen zusammen dürfen höchstens %(mb)s MB groß sein. "
                                   "Bitte entfernen oder verkleinern Sie Dateien.",
                                   mb=current_app.config["MAX_APPLICATION_MB"])) from None
        if not tail_is_complete(content_type, reader.tail):
            raise UploadRejected(_l("„%(name)s“ ist unvollständig oder beschädigt. Bitte speichern "
                                   "Sie die Datei neu und laden Sie sie erneut hoch.", name=shown))
        spool.seek(0)
        problem = parse_problem(spool, content_type)
        if problem:
            log.info("upload %r refused: %s", shown, problem)
            raise UploadRejected(_l("„%(name)s“ lässt sich nicht öffnen: Die Datei ist beschädigt, "
                                   "verschlüsselt oder kein gültiges %(kind)s. Bitte speichern Sie "
                                   "sie neu (z. B. „Als PDF drucken“) und laden Sie sie erneut "
                                   "hoch.", name=shown, kind=KIND_NAMES[content_type]))
        spool.seek(0)
        key = f"applications/{application.id}/{uuid.uuid4().hex}.{EXTENSIONS[content_type]}"
        try:
            size, sha256 = storage.save(key, spool, content_type)
        except StorageError:
            log.exception("storing attachment failed")
            _discard(storage, key)
            raise UploadRejected(_l("Die Datei konnte gerade nicht gespeichert werden. Bitte "
                                   "versuchen Sie es in einigen Minuten erneut.")) from None
    attachment = Attachment(
        application=application, storage_key=key,
        filename=sanitise_filename(filename, content_type), content_type=content_type,
        size=size, sha256=sha256, description=(description or "").strip()[:300],
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(actor=actor, action="application.attachment_add", obj=application,
                 new={"attachment": attachment.id, "filename": attachment.filename,
                      "size": size, "sha256": sha256})
    return attachment


KIND_NAMES = {PDF: "PDF", JPEG: _l("JPEG-Bild"), PNG: _l("PNG-Bild")}
# Decoded images may not be larger than this (a 10 MB PNG can unpack to gigabytes).
MAX_IMAGE_PIXELS = 60_000_000


def parse_problem(fileobj, content_type):
    """None if the file opens as `content_type`; otherwise a short reason (for the log)."""
    if content_type == PDF:
        return _pdf_problem(fileobj)
    return image_problem(fileobj, "JPEG" if content_type == JPEG else "PNG")


def _pdf_problem(fileobj):
    import pikepdf

    try:
        with pikepdf.open(fileobj) as pdf:
            if len(pdf.pages) < 1:
                return "no pages"
            for page in pdf.pages:
                page.mediabox  # noqa: B018 - every page must be readable
    except pikepdf.PasswordError:
        return "encrypted"
    except Exception as exc:  # noqa: BLE001 - any parser error means an unusable file
        return f"{type(exc).__name__}: {exc}"
    return None


def image_problem(fileobj, expected_format, max_pixels=MAX_IMAGE_PIXELS):
    """None if the image is a whole `expected_format` image of at most `max_pixels`."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fileobj) as image:
                if image.format != expected_format:
                    return f"format {image.format}"
                if image.width * image.height > max_pixels:
                    return f"{image.width}x{image.height} pixels"
                image.verify()
            fileobj.seek(0)
            with Image.open(fileobj) as image:
                image.load()
    except Exception as exc:  # noqa: BLE001 - any decoder error means a broken file
        return f"{type(exc).__name__}: {exc}"
    return None


def remove_attachment(*, actor, attachment, storage=None):
    storage = storage or get_storage()
    application = attachment.application
    audit.record(actor=actor, action="application.attachment_remove", obj=application,
                 old={"attachment": attachment.id, "filename": attachment.filename,
                      "sha256": attachment.sha256})
    key = attachment.storage_key
    application.attachments.remove(attachment)
    db.session.flush()
    _discard(storage, key)


def copy_attachments(*, source, target, storage=None):
    """Copy every file of `source` into `target` (new storage keys)."""
    storage = storage or get_storage()
    for original in source.attachments:
        key = f"applications/{target.id}/{uuid.uuid4().hex}.{EXTENSIONS.get(original.content_type, 'bin')}"
        storage.copy(original.storage_key, key)
        target.attachments.append(Attachment(
            storage_key=key, filename=original.filename, content_type=original.content_type,
            size=original.size, sha256=original.sha256, description=original.description,
        ))
    db.session.flush()


def _discard(storage, key):
    try:
        storage.delete(key)
    except StorageError:
        log.warning("could not delete %s", key)
