"""Certificates (Urkunden): tagged PDF/A-3a + PDF/UA-1 from templates/pdf/certificate.html, stored through the
storage adapter and re-rendered only when what they show (or the template) changes.

Each certificate carries a random verification code and a QR code pointing to the public
page /urkunde/pruefen/<code>. Logos are uploaded per competition (PNG or SVG) and loaded by
the PDF fetcher as /stored/<key>; the default is the neutral static/img/logo.svg.
"""
import base64
import hashlib
import io
import json
import logging
import re
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import dates as babel_dates
from flask import current_app
from sqlalchemy import select

from awards.adapters.pdf import ARCHIVAL_ACCESSIBLE, render_pdf
from awards.adapters.storage import NotFound
from awards.extensions import db
from awards.i18n import _l, format_money
from awards.models.base import utcnow
from awards.models.decisions import Certificate, CertificateSettings, Decision
from awards.services import audit
from awards.services.decisions import DecisionError, decision_for, decisions_for, release_of
from awards.services.publication import is_public, laureate_name
from awards.services.uploads import image_problem
from awards.timeutil import to_berlin
from awards.urls import public_base_url

log = logging.getLogger("awards.certificates")

TEMPLATE = "pdf/certificate.html"
DEFAULT_LOGO = "/static/img/logo.svg"
MAX_LOGO_BYTES = 1024 * 1024
MAX_SIGNATORIES = 3
_CODE_CHARS = re.compile(r"[^0-9A-Z]")


class CertificateError(DecisionError):
    pass


def german_date(value):
    """'5. Februar 2026': certificates and minutes are German documents in any UI language."""
    return babel_dates.format_date(value, "d. MMMM yyyy", locale="de") if value else ""


# --- settings and logo -----------------------------------------------------------------

def settings_for(competition):
    """The competition's settings row, or unsaved defaults."""
    row = db.session.scalars(
        select(CertificateSettings).where(CertificateSettings.competition_id == competition.id)
    ).first()
    return row or CertificateSettings(competition_id=competition.id, show_amount=True, place="",
                                      issue_date=None, tribute="")


def save_settings(*, actor, competition, show_amount, place, issue_date, tribute, signatories):
    """Save options; `signatories` is a list of {"name", "title"} (empty pairs dropped)."""
    cleaned = []
    for entry in signatories or []:
        name, title = (entry.get("name") or "").strip(), (entry.get("title") or "").strip()
        if name or title:
            if not name:
                raise CertificateError(_l("Bitte geben Sie zu jedem Titel auch einen Namen an."),
                                       "signatories")
            cleaned.append({"name": name, "title": title})
    if len(cleaned) > MAX_SIGNATORIES:
        raise CertificateError(_l("Höchstens %(n)d Unterschriften passen auf die Urkunde.",
                                  n=MAX_SIGNATORIES), "signatories")
    settings = settings_for(competition)
    old = {"show_amount": settings.show_amount, "place": settings.place,
           "issue_date": settings.issue_date, "tribute": settings.tribute,
           "signatories": competition.signatories}
    settings.show_amount = bool(show_amount)
    settings.place = (place or "").strip()[:120]
    settings.issue_date = issue_date
    settings.tribute = (tribute or "").strip()[:300]
    competition.signatories = cleaned
    if settings.id is None:
        db.session.add(settings)
    db.session.flush()
    audit.record(actor=actor, action="certificate.settings", obj=competition, old=old,
                 new={"show_amount": settings.show_amount, "place": settings.place,
                      "issue_date": settings.issue_date, "tribute": settings.tribute,
                      "signatories": cleaned})
    return settings


_SVG_FORBIDDEN = re.compile(
    rb"<!DOCTYPE|<!ENTITY|<script|<foreignObject|\son[a-z]+\s*=|(?:href|src)\s*=\s*[\"'](?!#|data:image/)",
    re.IGNORECASE,
)


def check_logo(data, filename=""):
    """Content type of a valid logo ('image/png' or 'image/svg+xml'); raises otherwise."""
    if not data:
        raise CertificateError(_l("Bitte wählen Sie eine Datei aus."), "logo")
    if len(data) > MAX_LOGO_BYTES:
        raise CertificateError(_l("Das Logo darf höchstens 1 MB groß sein."), "logo")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        # Decoded whole, within the pixel limit of uploads (verify() alone misses broken
        # image data and decompression bombs).
        if image_problem(io.BytesIO(data), "PNG"):
            raise CertificateError(_l("Die PNG-Datei ist beschädigt."), "logo")
        return "image/png"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096].lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        if _SVG_FORBIDDEN.search(data):
            raise CertificateError(_l("Die SVG-Datei enthält Skripte oder Verweise auf andere "
                                      "Dateien. Bitte speichern Sie das Logo als einfaches SVG "
                                      "oder als PNG."), "logo")
        import xml.etree.ElementTree as ET

        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            raise CertificateError(_l("Die SVG-Datei ist fehlerhaft."), "logo") from exc
        if not root.tag.endswith("svg"):
            raise CertificateError(_l("Die Datei ist kein SVG-Bild."), "logo")
        return "image/svg+xml"
    raise CertificateError(_l("Bitte laden Sie das Logo als PNG oder SVG hoch."), "logo")


def save_logo(*, actor, competition, data, storage):
    content_type = check_logo(data)
    ext = "png" if content_type == "image/png" else "svg"
    key = f"logos/{competition.id}/{uuid.uuid4().hex}.{ext}"
    storage.save(key, io.BytesIO(data), content_type=content_type)
    old = competition.logo_key
    competition.logo_key = key
    db.session.flush()
    audit.record(actor=actor, action="certificate.logo", obj=competition,
                 old={"logo_key": old}, new={"logo_key": key})
    return key


def remove_logo(*, actor, competition):
    old = competition.logo_key
    competition.logo_key = None
    db.session.flush()
    audit.record(actor=actor, action="certificate.logo", obj=competition,
                 old={"logo_key": old}, new={"logo_key": None})


# --- rendering -------------------------------------------------------------------------

def verification_url(code):
    return f"{public_base_url()}/urkunde/pruefen/{code}"


def qr_data_uri(text):
    """A QR code as an SVG data: URI (vector, so it prints sharp and adds no image codec).

    The mask pattern is fixed: every mask is valid, and choosing the "best" one costs
    about ten times the rest of the QR work. Dark modules are drawn as one path with a run
    per row.
    """
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=2)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
           f'shape-rendering="crispEdges"><path fill="#000" d="{"".join(parts)}"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@lru_cache(maxsize=8)
def _template_hash(path, mtime):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def template_hash():
    path = Path(current_app.template_folder) / TEMPLATE
    return _template_hash(str(path), path.stat().st_mtime_ns)


def certificate_data(*, competition, application, decision, settings, code):
    """Everything printed on one certificate, as plain JSON-able values."""
    ceremony = to_berlin(competition.ceremony_at)
    issue = settings.issue_date or (ceremony.date() if ceremony else None)
    return {
        "prize_title": competition.title,
        "year": competition.year,
        "motto": competition.motto or "",
        "laureate": laureate_name(application),
        "project": application.display_title,
        "category": decision.category.label,
        "amount": format_money(decision.amount_cents, "de") if settings.show_amount and decision.amount_cents else "",
        "tribute": settings.tribute or "",
        "place": settings.place or competition.ceremony_place or "",
        "date": german_date(issue),
        "signatories": [dict(s) for s in (competition.signatories or [])][:MAX_SIGNATORIES],
        "logo_url": f"/stored/{competition.logo_key}" if competition.logo_key else DEFAULT_LOGO,
        "code": code,
        "verify_url": verification_url(code),
        "sample": False,
    }


def data_hash(data):
    material = json.dumps({"data": data, "template": template_hash()}, sort_keys=True,
                          ensure_ascii=False, default=str)
    return hashlib.sha256(material.encode()).hexdigest()


FONT_DIR = "vendor/kern/fonts/fira-sans"
FONT_FILES = {"light": "FiraSans-Light", "regular": "FiraSans-Regular",
              "italic": "FiraSans-Italic", "semibold": "FiraSans-SemiBold"}
_font_cache = {}
_truetype_cache = {}


def font_urls(storage):
    """URLs of the Fira Sans faces the certificate uses, as TrueType kept in storage.

    The KERN package ships WOFF2; WeasyPrint would decompress every face on every render
    (about 0.5 s each). Each face is decompressed once per process and font version and
    stored once per storage.
    """
    urls = {}
    static = Path(current_app.static_folder) / FONT_DIR
    for face, stem in FONT_FILES.items():
        source = static / f"{stem}.woff2"
        stat = source.stat()
        # Where the storage keeps its files, not the object's id: an id can come back for
        # another storage once the first is gone.
        cache_id = (storage.location, str(source), stat.st_mtime_ns, stat.st_size)
        key = _font_cache.get(cache_id)
        if key is None:
            raw = source.read_bytes()
            key = f"cache/fonts/{stem}-{hashlib.sha256(raw).hexdigest()[:16]}.ttf"
            if not storage.exists(key):
                storage.save(key, io.BytesIO(_truetype(key, raw)), content_type="font/ttf")
            _font_cache[cache_id] = key
        urls[face] = f"/stored/{key}"
    return urls


def _truetype(key, raw):
    """The WOFF2 face decompressed, once per process and font version: every new storage
    (a new deployment's bucket, each test's directory) takes the bytes instead of paying
    the half second again."""
    ttf = _truetype_cache.get(key)
    if ttf is None:
        from fontTools.ttLib import woff2

        out = io.BytesIO()
        woff2.decompress(io.BytesIO(raw), out)
        ttf = _truetype_cache[key] = out.getvalue()
    return ttf


def render_html(data, *, fonts=None):
    """The certificate as HTML. Without `fonts` the shipped WOFF2 files are referenced."""
    if fonts is None:
        fonts = {face: f"/static/{FONT_DIR}/{stem}.woff2" for face, stem in FONT_FILES.items()}
    env = current_app.jinja_env
    return env.get_template(TEMPLATE).render(c=data, qr=qr_data_uri(data["verify_url"]),
                                             fonts=fonts)


def render_certificate_pdf(data, *, storage):
    html = render_html(data, fonts=font_urls(storage))
    return render_pdf(html, static_dir=current_app.static_folder, storage=storage,
                      pdf_variant=ARCHIVAL_ACCESSIBLE)


def sample_data(competition, settings):
    """Invented example data for the preview; marked as a sample on the page."""
    ceremony = to_berlin(competition.ceremony_at)
    category = competition.categories[0] if competition.categories else None
    return {
        "prize_title": competition.title,
        "year": competition.year,
        "motto": competition.motto or "",
        "laureate": "Musterverein Begegnung e. V.",
        "project": "Beispielprojekt: Sprachcafé für alle",
        "category": category.label if category else "1. Preis",
        "amount": format_money(category.amount_cents, "de") if settings.show_amount and category else "",
        "tribute": settings.tribute or "",
        "place": settings.place or competition.ceremony_place or "",
        "date": german_date(settings.issue_date or (ceremony.date() if ceremony else date.today())),
        "signatories": [dict(s) for s in (competition.signatories or [])][:MAX_SIGNATORIES],
        "logo_url": f"/stored/{competition.logo_key}" if competition.logo_key else DEFAULT_LOGO,
        "code": "MUST-ER00-0000",
        "verify_url": verification_url("MUST-ER00-0000"),
        "sample": True,
    }


def preview_pdf(*, competition, storage):
    return render_certificate_pdf(sample_data(competition, settings_for(competition)),
                                  storage=storage)


# --- stored certificates ---------------------------------------------------------------

def certificate_of(application):
    return db.session.scalars(
        select(Certificate).where(Certificate.application_id == application.id)
    ).first()


def storage_key_for(certificate, digest):
    return f"certificates/{certificate.competition_id}/{certificate.application_id}-{digest[:16]}.pdf"


def ensure_certificate(*, actor, application, storage, now=None):
    """The application's certificate, rendered and stored if missing or outdated.

    Returns (certificate, rendered: bool). Only for released decisions.
    """
    competition = application.competition
    decision = decision_for(application)
    if decision is None or release_of(competition) is None:
        raise CertificateError(_l("Für diese Bewerbung gibt es (noch) keine Urkunde."))
    if decision.revoked_at is not None:
        raise CertificateError(_l("Die Auszeichnung ist aberkannt; es gibt keine Urkunde mehr."))
    certificate = certificate_of(application)
    if certificate is None:
        certificate = Certificate(application_id=application.id, competition_id=competition.id)
        db.session.add(certificate)
        db.session.flush()
    data = certificate_data(competition=competition, application=application, decision=decision,
                            settings=settings_for(competition), code=certificate.code)
    digest = data_hash(data)
    if (certificate.data_hash == digest and certificate.storage_key
            and storage.exists(certificate.storage_key)):
        return certificate, False
    pdf = render_certificate_pdf(data, storage=storage)
    key = storage_key_for(certificate, digest)
    size, _ = storage.save(key, io.BytesIO(pdf), content_type="application/pdf")
    old = {"data_hash": certificate.data_hash, "storage_key": certificate.storage_key}
    if certificate.storage_key and certificate.storage_key != key:
        try:
            storage.delete(certificate.storage_key)
        except NotFound:
            pass
    certificate.storage_key, certificate.data_hash = key, digest
    certificate.size, certificate.generated_at = size, now or utcnow()
    db.session.flush()
    audit.record(actor=actor, action="certificate.generate", obj=certificate, old=old,
                 new={"data_hash": digest, "storage_key": key, "code": certificate.code})
    return certificate, True


def ensure_all(*, actor, competition, storage):
    """Every certificate of the competition, up to date. Returns [(certificate, application)]."""
    out = []
    for decision in decisions_for(competition):
        if decision.revoked_at is not None:
            continue
        certificate, _ = ensure_certificate(actor=actor, application=decision.application,
                                            storage=storage)
        out.append((certificate, decision.application))
    return out


def download_name(application, competition):
    base = re.sub(r"[^A-Za-z0-9-]+", "-", application.reference or f"bewerbung-{application.id}")
    return f"Urkunde-{competition.prize_code}-{competition.year}-{base.strip('-')}.pdf"


class _ZipSink:
    """A write-only file for zipfile that hands out what was written so far."""

    def __init__(self):
        self.parts = []
        self.offset = 0

    def write(self, data):
        self.parts.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self):
        return self.offset

    def flush(self):
        pass

    def drain(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_stream(entries, *, storage, chunk=256 * 1024):
    """Yield a ZIP of stored certificates piece by piece. `entries`: [(name, storage key)].

    PDFs are already compressed, so they are stored (not deflated): cheap and streamable.
    """
    sink = _ZipSink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for name, key in entries:
            with archive.open(zipfile.ZipInfo(name, date_time=time.localtime()[:6]), "w",
                              force_zip64=False) as target, storage.open(key) as source:
                while block := source.read(chunk):
                    target.write(block)
                    if sink.offset and len(sink.parts) > 8:
                        yield sink.drain()
            yield sink.drain()
    yield sink.drain()


# --- verification ----------------------------------------------------------------------

def normalise_code(raw):
    cleaned = _CODE_CHARS.sub("", (raw or "").upper())
    if len(cleaned) != 12:
        return None
    return f"{cleaned[0:4]}-{cleaned[4:8]}-{cleaned[8:12]}"


@dataclass
class Verification:
    status: str  # "genuine", "revoked", "embargo" or "unknown"
    laureate: str = ""
    project: str = ""
    category: str = ""
    prize_title: str = ""
    year: int | None = None
    code: str = ""


def verify(raw_code, *, now=None):
    """Check a code. Before the winners are public, a genuine code reveals nothing."""
    code = normalise_code(raw_code)
    if code is None:
        return Verification(status="unknown")
    certificate = db.session.scalars(select(Certificate).where(Certificate.code == code)).first()
    if certificate is None or certificate.storage_key is None:
        return Verification(status="unknown")
    application = certificate.application
    decision = db.session.scalars(
        select(Decision).where(Decision.application_id == application.id)).first()
    competition = certificate.competition
    if decision is None or release_of(competition) is None:
        return Verification(status="unknown")
    if not is_public(competition, now):
        return Verification(status="embargo", code=code)
    if decision.revoked_at is not None:
        # Said plainly, with what the certificate claims, so no one relies on it.
        return Verification(status="revoked", laureate=laureate_name(application),
                            project=application.display_title, category=decision.category.label,
                            prize_title=competition.title, year=competition.year, code=code)
    return Verification(status="genuine", laureate=laureate_name(application),
                        project=application.display_title, category=decision.category.label,
                        prize_title=competition.title, year=competition.year, code=code)
