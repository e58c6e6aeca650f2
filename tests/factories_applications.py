"""Factories for the applications area: complete applications, small valid files."""
import io
from datetime import date

from PIL import Image

from awards.enums import ApplicantType, ApplicationStatus, SubmissionKind
from awards.extensions import db
from awards.models.reference import District
from awards.reference_data import ensure_districts
from tests import factories


def minimal_pdf(text="Anlage"):
    """A small, valid one-page PDF with a correct xref table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1")
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def image_bytes(fmt="PNG", size=(40, 30), color=(30, 110, 160)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def district(name="München", is_city=True):
    ensure_districts()
    return db.session.query(District).filter_by(name=name, is_city=is_city).one()


COMPLETE = dict(
    kind=SubmissionKind.SELF, applicant_type=ApplicantType.VEREIN,
    org_name="Sprachbrücke Musterstadt e.V. (erfunden)", contact_name="Aylin Beispiel",
    street="Lindenweg 3", postcode="80331", city="München", email="kontakt@sprachbruecke.example",
    phone="089 1234567", project_title="Sprachcafé am Marktplatz",
    summary="Jeden Mittwoch üben Neuzugewanderte und Einheimische gemeinsam Deutsch.",
    description="Ehrenamtliche moderieren kleine Gesprächsrunden zu Alltagsthemen.",
    goals="Sprache im Alltag, Kontakte, Orientierung.", target_group="Neuzugewanderte Erwachsene.",
    motto_relation="Sprache schafft Heimat: Wer spricht, gehört dazu.",
    project_start=date(2021, 3, 1), volunteers_count=14, staff_count=0,
    consent_privacy=True, consent_truthful=True,
)


def complete_application(*, competition, owner=None, status=ApplicationStatus.DRAFT,
                         district_name="München", is_city=True, **kw):
    d = district(district_name, is_city)
    values = dict(COMPLETE, district_id=d.id, region=d.region)
    values.update(kw)
    return factories.application(competition=competition, owner=owner, status=status, **values)


def submitted_application(*, competition, owner=None, **kw):
    """A submitted application made through the service (reference, receipt, mail)."""
    from flask import current_app, has_request_context

    from awards.services import applications as service

    application = complete_application(competition=competition, owner=owner, **kw)
    if has_request_context():
        service.submit(actor=application.owner, application=application)
    else:
        # Translated messages need a request (the locale is chosen per request).
        with current_app.test_request_context():
            service.submit(actor=application.owner, application=application)
    db.session.flush()
    return application


def submitted_row(*, competition, number=None, owner=None, **kw):
    """A submitted application written directly (no receipt PDF): for lists and filters."""
    from awards.models.applications import Application
    from awards.models.base import utcnow
    from sqlalchemy import func, select

    if number is None:
        number = (db.session.scalar(select(func.max(Application.number)).where(
            Application.competition_id == competition.id)) or 0) + 1
    kw.setdefault("submitted_at", utcnow())
    return complete_application(competition=competition, owner=owner,
                                status=ApplicationStatus.SUBMITTED, number=number,
                                reference=f"{competition.reference_prefix}-{number:04d}", **kw)
