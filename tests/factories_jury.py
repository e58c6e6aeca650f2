"""Factories for the jury area: rounds, entries, scores, attachments with metadata."""
import io
import itertools
from datetime import timedelta

from awards.adapters.storage import get_storage
from awards.enums import ApplicationStatus, FormalCheck
from awards.extensions import db
from awards.models.applications import Attachment
from awards.models.base import utcnow
from awards.models.jury import Assignment, RoundStatus, Score, ScoreStatus, ScoreValue, TieBreak
from awards.services.jury import anonymisation, rounds
from tests import factories

_seq = itertools.count(1)


def submitted_application(competition, **kw):
    n = next(_seq)
    kw.setdefault("reference", f"{competition.prize_code}-{competition.year}-{n:04d}")
    kw.setdefault("number", n)
    kw.setdefault("submitted_at", utcnow())
    return factories.application(competition=competition, status=ApplicationStatus.SUBMITTED,
                                 formal_check=FormalCheck.ADMISSIBLE, **kw)


def jury_round(*, competition, name="Vorauswahl", opens_at=None, closes_at=None, k=None,
               anonymised=True, tie_break=TieBreak.NONE, tie_break_position=None,
               rank_by_normalised=False, show_others=False, source="admissible", weights=None):
    crits = [(c, (weights or {}).get(c.name, c.weight)) for c in competition.criteria]
    # The factory's competitions keep their call open: the rounds run as a pre-selection,
    # which the year's state machine allows only when the competition is set up for it.
    competition.preselection_during_call = True
    return rounds.create_round(
        actor=None, competition=competition, name=name, criteria=crits, opens_at=opens_at,
        closes_at=closes_at or utcnow() + timedelta(days=14), anonymised=anonymised,
        jurors_per_application=k, tie_break=tie_break, tie_break_position=tie_break_position,
        rank_by_normalised=rank_by_normalised, show_others_after_submit=show_others, source=source)


def approve_all(round_):
    for entry in round_.entries:
        anonymisation.approve(actor=None, entry=entry)


def assign_all(round_, jurors):
    for entry in round_.entries:
        for juror in jurors:
            db.session.add(Assignment(round_id=round_.id, entry_id=entry.id, juror_id=juror.id))
    db.session.flush()


def open_round(*, competition=None, round_=None, jurors=(), applications=None, n=3, **kw):
    """A released round with n submitted applications, every juror assigned to every entry."""
    if round_ is None:
        round_ = jury_round(competition=competition, **kw)
    competition = round_.competition
    if applications is None:
        applications = [submitted_application(competition) for _ in range(n)]
    rounds.populate_entries(actor=None, round_=round_)
    approve_all(round_)
    assign_all(round_, jurors)
    rounds.open_round(actor=None, round_=round_)
    return round_


def force_status(round_, status):
    round_.status = RoundStatus(status)
    db.session.flush()


def score(*, round_, entry, juror, values, final=True, comment=""):
    """values: list of points in the order of the round's criteria."""
    s = Score(round_id=round_.id, entry_id=entry.id, juror_id=juror.id, comment=comment,
              status=ScoreStatus.FINAL if final else ScoreStatus.DRAFT,
              finalised_at=utcnow() if final else None)
    for c, v in zip(round_.criteria, values):
        s.values.append(ScoreValue(round_criterion_id=c.id, value=v))
    db.session.add(s)
    db.session.flush()
    return s


def pdf_bytes(*, text="Jahresbericht des Projekts", author=None, title=None, subject=None,
              creator=None, xmp=None):
    """A one-page PDF with real text and the given document info (and XMP packet)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    content = f"BT /F1 12 Tf 40 150 Td ({text}) Tj ET".encode("latin-1")
    writer = PdfWriter()
    page = writer.add_blank_page(300, 200)
    from pypdf.generic import DictionaryObject

    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    meta = {}
    if author:
        meta["/Author"] = author
    if title:
        meta["/Title"] = title
    if subject:
        meta["/Subject"] = subject
    if creator:
        meta["/Creator"] = creator
    if meta:
        writer.add_metadata(meta)
    if xmp:
        xmp_stream = DecodedStreamObject()
        xmp_stream.set_data(xmp.encode("utf-8"))
        xmp_stream[NameObject("/Type")] = NameObject("/Metadata")
        xmp_stream[NameObject("/Subtype")] = NameObject("/XML")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp_stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg_bytes(*, artist=None, description=None, gps=True):
    """A small JPEG with EXIF artist/description and a GPS position."""
    from PIL import Image

    img = Image.new("RGB", (32, 24), (200, 120, 40))
    exif = Image.Exif()
    if artist:
        exif[0x013B] = artist  # Artist
    if description:
        exif[0x010E] = description  # ImageDescription
    if gps:
        exif[0x8825] = {1: "N", 2: (48.0, 8.0, 0.0), 3: "E", 4: (11.0, 34.0, 0.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes(), comment=(artist or "").encode())
    return out.getvalue()


def attachment(*, application, data, content_type, filename, jury_visible=True, description=""):
    n = next(_seq)
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    key = f"applications/{application.id}/test-{n}.{ext}"
    size, digest = get_storage().save(key, io.BytesIO(data), content_type)
    att = Attachment(application=application, storage_key=key, filename=filename,
                     content_type=content_type, size=size, sha256=digest,
                     description=description, jury_visible=jury_visible)
    db.session.add(att)
    db.session.flush()
    if jury_visible:
        anonymisation.prepare_jury_copy(attachment=att)
        db.session.flush()
    return att

