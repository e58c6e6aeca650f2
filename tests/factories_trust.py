"""Factories for the trust tests: stored files, decisions, certificates."""
import io

from awards.adapters.storage import get_storage
from awards.enums import ApplicationStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.services import uploads
from tests.factories_applications import image_bytes, minimal_pdf

# Real files: uploads are parsed before they are stored.
PDF_BYTES = minimal_pdf("Konzept")
PNG_BYTES = image_bytes("PNG", size=(8, 8))


def attachment(application, *, data=PDF_BYTES, filename="Konzept.pdf", actor=None):
    return uploads.add_attachment(actor=actor or application.owner, application=application,
                                  stream=io.BytesIO(data), filename=filename)


def stored_file(key, data=PDF_BYTES, content_type="application/pdf"):
    get_storage().save(key, io.BytesIO(data), content_type)
    return key


def submitted(application, number):
    application.status = ApplicationStatus.SUBMITTED
    application.number = number
    application.reference = f"{application.competition.reference_prefix}-{number:04d}"
    application.submitted_at = utcnow()
    application.receipt_key = stored_file(
        f"receipts/{application.competition_id}/{application.id}/{application.reference}.pdf")
    db.session.flush()
    return application


def decision(application, *, rank=1, rationale="Überzeugendes Projekt."):
    from awards.models.decisions import Decision

    category = next(c for c in application.competition.categories if c.rank == rank)
    row = Decision(competition_id=application.competition_id, application_id=application.id,
                   category_id=category.id, amount_cents=category.amount_cents,
                   rationale=rationale, decided_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def certificate(application):
    from awards.models.decisions import Certificate

    key = stored_file(f"certificates/{application.competition_id}/{application.id}.pdf")
    row = Certificate(application_id=application.id, competition_id=application.competition_id,
                      storage_key=key, size=len(PDF_BYTES), generated_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row
