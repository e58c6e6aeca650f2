"""The receipt (Eingangsbestätigung): a PDF listing everything submitted, the files with
their SHA-256 and the time of receipt in Berlin time, kept in storage."""
import io
import secrets

from flask import current_app

from awards.adapters.pdf import ARCHIVAL_ACCESSIBLE, render_pdf
from awards.adapters.storage import get_storage
from awards.timeutil import to_berlin


def render_receipt_html(*, application, received_at):
    template = current_app.jinja_env.get_template("pdf/receipt.html")
    return template.render(application=application, competition=application.competition,
                           received_at=received_at, received_local=to_berlin(received_at))


def create_receipt(*, application, received_at, storage=None):
    """Render and store the receipt; returns its storage key."""
    storage = storage or get_storage()
    html = render_receipt_html(application=application, received_at=received_at)
    pdf = render_pdf(html, static_dir=current_app.static_folder, storage=storage,
                     pdf_variant=ARCHIVAL_ACCESSIBLE)
    stamp = to_berlin(received_at).strftime("%Y%m%d-%H%M%S")
    # A random suffix: a correction resubmitted within the same second must never overwrite
    # the receipt of the first submission.
    key = (f"receipts/{application.competition_id}/{application.id}/"
           f"{application.reference}-{stamp}-{secrets.token_hex(4)}.pdf")
    storage.save(key, io.BytesIO(pdf), "application/pdf")
    return key
