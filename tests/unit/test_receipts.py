"""The receipt (Eingangsbestätigung): what it lists, where it is stored, and that two
receipts of one application in the same second are two files."""
import hashlib
import re
from datetime import datetime, timezone

import pytest
from flask import current_app

from awards.adapters.storage import get_storage
from awards.services import receipts
from tests import factories

# 10:15:30 UTC on a winter day is 11:15:30 in Berlin (CET).
RECEIVED = datetime(2026, 2, 3, 10, 15, 30, tzinfo=timezone.utc)


@pytest.fixture
def submitted(app):
    comp = factories.competition(title="Bayerischer Integrationspreis", year=2026,
                                 motto="Sprache schafft Heimat")
    application = factories.complete_application(competition=comp)
    attachment = factories.attachment(application, data=factories.pdf_bytes(text="Konzept"),
                                      filename="Konzept 2026.pdf")
    factories.mark_submitted(application, 12, receipt=False)
    return application, attachment


def _create(application, **kw):
    with current_app.test_request_context():
        return receipts.create_receipt(application=application, received_at=RECEIVED, **kw)


def test_receipt_lists_reference_fields_files_and_berlin_time(submitted):
    application, attachment = submitted
    key = _create(application)
    data = get_storage().read(key)
    assert data.startswith(b"%PDF-")
    text = factories.pdf_text(data)
    assert "Eingangsbestätigung" in text
    assert "Bayerischer Integrationspreis 2026 – „Sprache schafft Heimat“" in text
    assert f"Bewerbungsnummer: {application.reference}" in text
    assert "Projekt: Sprachcafé am Marktplatz" in text
    assert "Eingegangen am: 03.02.2026 um 11:15:30 Uhr (CET, Europe/Berlin)" in text
    # The applicant's own data and the project, as submitted.
    for value in ("Sprachbrücke Musterstadt e.V. (erfunden)", "Aylin Beispiel", "Lindenweg 3",
                  "80331 München", "kontakt@sprachbruecke.example",
                  "Jeden Mittwoch üben Neuzugewanderte und Einheimische gemeinsam Deutsch."):
        assert value in text
    # Each file with its checksum (the PDF may break the long hash across lines).
    assert "Konzept 2026.pdf" in text
    digest = hashlib.sha256(get_storage().read(attachment.storage_key)).hexdigest()
    assert digest == attachment.sha256
    assert digest in text.replace(" ", "")


def test_receipt_is_stored_under_the_applications_reference_and_time(submitted):
    application, _ = submitted
    key = _create(application)
    prefix = f"receipts/{application.competition_id}/{application.id}/{application.reference}-"
    assert key.startswith(prefix)
    assert re.fullmatch(r"20260203-111530-[0-9a-f]{8}\.pdf", key.removeprefix(prefix))
    assert get_storage().exists(key)


def test_two_receipts_in_the_same_second_are_two_files(submitted):
    application, _ = submitted
    storage = get_storage()
    first = _create(application, storage=storage)
    first_bytes = storage.read(first)
    application.project_title = "Sprachcafé am Marktplatz (korrigiert)"
    second = _create(application, storage=storage)
    assert second != first
    assert storage.read(first) == first_bytes
    assert "(korrigiert)" not in factories.pdf_text(first_bytes)
    assert "Sprachcafé am Marktplatz (korrigiert)" in factories.pdf_text(storage.read(second))


def test_receipt_html_shows_a_nomination_with_the_nominator(app):
    comp = factories.competition()
    application = factories.complete_application(competition=comp, **factories.NOMINATOR,
                                                 kind=factories.SubmissionKind.NOMINATION)
    factories.mark_submitted(application, receipt=False)
    with current_app.test_request_context():
        html = receipts.render_receipt_html(application=application, received_at=RECEIVED)
    assert "Paula Vorschlag" in html and "paula.vorschlag@example.org" in html
    own = factories.complete_application(competition=comp)
    factories.mark_submitted(own, receipt=False)
    with current_app.test_request_context():
        html = receipts.render_receipt_html(application=own, received_at=RECEIVED)
    assert "Vorschlagende Person" not in html
