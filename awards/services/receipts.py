"""The receipt (Eingangsbestätigung): a PDF listing everything submitted, the files with
their SHA-256 and the time of receipt in Berlin time, kept in storage."""
import io
import secrets

from flask import current_app

from awards.adapters.pdf import ARCHIVAL_ACCESSIBLE, render_pdf
from awards.adapters.storage import get_storage
from awards.services.certificates import FONT_DIR, FONT_FILES, font_urls
from awards.timeutil import to_berlin


def render_receipt_html(*, application, received_at, fonts=None):
    """The receipt as HTML. Without `fonts` the shipped WOFF2 files are referenced."""
    if fonts is None:
        fonts = {face: f"/static/{FONT_DIR}/{stem}.woff2" for face, stem in FONT_FILES.items()}
    template = current_app.jinja_env.get_template("pdf/receipt.html")
    return template.render(application=application, competition=application.competition,
                           received_at=received_at, received_local=to_berlin(received_at),
                           fonts=fonts)


def create_receipt(*, application, received_at, storage=None):
    """Render and store the receipt; returns its storage key."""
    storage = storage or get_storage()
    # The fonts as TrueType kept in storage, as for certificates and minutes: WeasyPrint
    # does not load the WOFF2 files the KERN package ships.
    html = render_receipt_html(application=application, received_at=received_at,
                               fonts=font_urls(storage))
    pdf = render_pdf(html, static_dir=current_app.static_folder, storage=storage,
                     pdf_variant=ARCHIVAL_ACCESSIBLE)
    stamp = to_berlin(received_at).strftime("%Y%m%d-%H%M%S")
    # A random suffix: a correction resubmitted within the same second must never overwrite
    # the receipt of the first submission.
    key = (f"receipts/{application.competition_id}/{application.id}/"
           f"{application.reference}-{stamp}-{secrets.token_hex(4)}.pdf")
    storage.save(key, io.BytesIO(pdf), "application/pdf")
    return key
