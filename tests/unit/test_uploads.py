"""Uploads: type from content, sanitised names, size limits, streaming to storage."""
import hashlib
import io

import pytest

from awards.adapters.storage import get_storage
from awards.services import uploads
from awards.services.uploads import UploadRejected, add_attachment, sanitise_filename, sniff
from tests import factories
from tests.factories import image_bytes, minimal_pdf

MB = 1024 * 1024


def padded_pdf(size):
    """A PDF of about `size` bytes: a long comment after the header, a proper end."""
    body = minimal_pdf()
    head, rest = body[:9], body[9:]
    padding = max(size - len(body) - 2, 0)
    return head + b"%" + b"x" * padding + b"\n" + rest


@pytest.fixture
def application(app):
    # Messages are translated, and the locale is chosen per request.
    with app.test_request_context():
        yield factories.application(competition=factories.competition())


def _add(application, data, name="datei.pdf", **kw):
    return add_attachment(actor=application.owner, application=application,
                          stream=io.BytesIO(data), filename=name, **kw)


def test_sniff_accepts_pdf_png_jpeg():
    assert [sniff(minimal_pdf()), sniff(image_bytes("PNG")), sniff(image_bytes("JPEG"))] == [
        "application/pdf", "image/png", "image/jpeg"]


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,          # Windows executable
    b"<html><script>alert(1)</script></html>",
    b"GIF89a" + b"\x00" * 50,
    b"",
])
def test_sniff_refuses_other_content(data):
    assert sniff(data) is None


def test_sniff_refuses_truncated_pdf():
    assert sniff(minimal_pdf()[:-40]) is None


def test_add_attachment_stores_file_with_sha256(application):
    data = minimal_pdf("Pressebericht")
    attachment = _add(application, data, name="Pressebericht Mai.pdf", description="SZ, 3.5.")
    assert (attachment.filename, attachment.content_type, attachment.size, attachment.sha256,
            attachment.description) == ("Pressebericht Mai.pdf", "application/pdf", len(data),
                                        hashlib.sha256(data).hexdigest(), "SZ, 3.5.")
    assert get_storage().read(attachment.storage_key) == data
    assert attachment.storage_key.startswith(f"applications/{application.id}/")


def test_add_attachment_rejects_exe_renamed_pdf(application):
    with pytest.raises(UploadRejected) as exc:
        _add(application, b"MZ\x90\x00" + b"\x00" * 500, name="bewerbung.pdf")
    assert "keine PDF-, JPEG- oder PNG-Datei" in str(exc.value)
    assert application.attachments == []


def test_add_attachment_rejects_truncated_pdf_and_removes_it(application, tmp_path):
    with pytest.raises(UploadRejected) as exc:
        _add(application, minimal_pdf()[:-30], name="kaputt.pdf")
    assert "unvollständig oder beschädigt" in str(exc.value)
    stored = list((tmp_path / "files").rglob("*.pdf")) if (tmp_path / "files").exists() else []
    assert (application.attachments, stored) == ([], [])


def test_add_attachment_rejects_oversize_file(app, application):
    app.config.update(MAX_FILE_MB=1)
    try:
        with pytest.raises(UploadRejected) as exc:
            _add(application, padded_pdf(MB + 10))
        assert "größer als 1 MB" in str(exc.value)
        assert application.attachments == []
        assert _add(application, padded_pdf(MB - 100)).size == MB - 100
    finally:
        app.config.update(MAX_FILE_MB=10)


def test_add_attachment_enforces_limit_per_application(app, application):
    app.config.update(MAX_FILE_MB=1, MAX_APPLICATION_MB=2)
    try:
        _add(application, padded_pdf(900 * 1024))
        _add(application, padded_pdf(900 * 1024))
        with pytest.raises(UploadRejected) as exc:
            _add(application, padded_pdf(300 * 1024))
        assert "zusammen dürfen höchstens 2 MB" in str(exc.value)
        assert len(application.attachments) == 2
    finally:
        app.config.update(MAX_FILE_MB=10, MAX_APPLICATION_MB=25)


def test_add_attachment_streams_in_chunks(application):
    class Recorder(io.BytesIO):
        sizes = []

        def read(self, size=-1):
            Recorder.sizes.append(size)
            return super().read(size)

    add_attachment(actor=application.owner, application=application,
                   stream=Recorder(padded_pdf(3 * MB)), filename="gross.pdf")
    assert -1 not in Recorder.sizes[1:] and max(Recorder.sizes) <= MB


def test_add_photo_requires_image_rights(application):
    with pytest.raises(UploadRejected) as exc:
        _add(application, image_bytes("JPEG"), name="foto.jpg", images_allowed=False)
    assert "Bildrechte" in str(exc.value)
    assert _add(application, minimal_pdf(), images_allowed=False).content_type == "application/pdf"


def test_remove_attachment_deletes_file(application):
    attachment = _add(application, image_bytes("PNG"), name="bild.png")
    key = attachment.storage_key
    uploads.remove_attachment(actor=application.owner, attachment=attachment)
    assert (get_storage().exists(key), application.attachments) == (False, [])


@pytest.mark.parametrize("name, content_type, expected", [
    ("../../etc/passwd", "application/pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32\\evil.pdf", "application/pdf", "evil.pdf"),
    ("/var/www/../foto.png", "image/png", "foto.png"),
    ("rechnung.exe", "application/pdf", "rechnung.pdf"),
    ("Übersicht Sprachcafé 2025.PDF", "application/pdf", "Übersicht Sprachcafé 2025.PDF"),
    ("bild.jpeg", "image/jpeg", "bild.jpeg"),
    ("a\x00b\r\nc<script>.png", "image/png", "abc_script.png"),
    ("...", "application/pdf", "Anlage.pdf"),
    ("", "image/png", "Anlage.png"),
    ("x" * 300 + ".pdf", "application/pdf", "x" * 115 + ".pdf"),
])
def test_sanitise_filename(name, content_type, expected):
    assert sanitise_filename(name, content_type) == expected
