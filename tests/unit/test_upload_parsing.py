"""Uploads are parsed as what they claim to be before they are stored; a refused upload
leaves no file behind — neither in storage nor as a temporary file."""
import io
import tempfile

import pikepdf
import pytest
from PIL import Image
from sqlalchemy import select

from awards.adapters.storage import LocalStorage
from awards.extensions import db
from awards.models.applications import Attachment
from awards.services.uploads import UploadRejected, add_attachment
from tests import factories
from tests.factories import image_bytes, minimal_pdf

NOT_OPENING = "lässt sich nicht öffnen"


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Temporary files of this test go to a directory of their own, to count them."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


@pytest.fixture
def application(app, scratch):
    with app.test_request_context():
        yield factories.application(competition=factories.competition())


def leftovers(app, scratch):
    """Every file in storage and in the temporary directory (hidden ones included)."""
    from pathlib import Path

    storage = Path(app.config["STORAGE_DIR"])
    stored = [p for p in storage.rglob("*") if p.is_file()] if storage.exists() else []
    return stored + [p for p in scratch.rglob("*") if p.is_file()]


def add(application, data, name):
    return add_attachment(actor=application.owner, application=application,
                          stream=io.BytesIO(data), filename=name)


def fake_pdf():
    """Looks like a PDF from both ends (header, startxref, %%EOF) but has no objects."""
    return b"%PDF-1.7\n" + b"Das ist keine PDF-Datei.\n" * 50 + b"startxref\n0\n%%EOF\n"


def encrypted_pdf():
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(minimal_pdf())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="geheim", user="geheim"))
    return out.getvalue()


def broken_png():
    data = image_bytes("PNG", size=(200, 200))
    # Keep signature, header chunk and the end marker; garble the image data between them.
    return data[:40] + bytes(b ^ 0x5A for b in data[40:-20]) + data[-20:]


def broken_jpeg():
    data = image_bytes("JPEG", size=(200, 200))
    return data[:200] + b"\x00" * (len(data) - 202) + b"\xff\xd9"


def png_bomb():
    """A tiny file that decodes to 81 million pixels."""
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("name, data", [
    ("kaputt.pdf", fake_pdf()),
    ("verschluesselt.pdf", encrypted_pdf()),
    ("kaputt.png", broken_png()),
    ("kaputt.jpg", broken_jpeg()),
    ("bombe.png", png_bomb()),
])
def test_file_that_does_not_parse_is_refused_and_nothing_kept(app, application, scratch, name,
                                                               data):
    with pytest.raises(UploadRejected) as exc:
        add(application, data, name)
    assert f"„{name}“ {NOT_OPENING}" in str(exc.value)
    assert application.attachments == []
    assert leftovers(app, scratch) == []


def test_valid_files_of_every_kind_are_stored(app, application, scratch):
    for name, data in (("a.pdf", minimal_pdf()), ("b.png", image_bytes("PNG")),
                       ("c.jpg", image_bytes("JPEG"))):
        add(application, data, name)
    assert [a.content_type for a in application.attachments] == [
        "application/pdf", "image/png", "image/jpeg"]
    stored = [p for p in leftovers(app, scratch) if p.is_relative_to(app.config["STORAGE_DIR"])]
    assert len(stored) == 3 and [p for p in leftovers(app, scratch) if p not in stored] == []


def test_oversize_upload_leaves_no_temporary_or_stored_file(app, application, scratch):
    app.config["MAX_FILE_MB"] = 1
    try:
        big = minimal_pdf()[:9] + b"%" + b"x" * (1024 * 1024 + 10) + b"\n" + minimal_pdf()[9:]
        with pytest.raises(UploadRejected):
            add(application, big, "gross.pdf")
    finally:
        app.config["MAX_FILE_MB"] = 10
    assert leftovers(app, scratch) == []


def test_local_storage_removes_its_partial_file_when_the_copy_stops(tmp_path):
    class Failing(io.BytesIO):
        def read(self, size=-1):
            if self.tell() >= 1024:
                raise RuntimeError("Verbindung abgebrochen")
            return super().read(1024)

    storage = LocalStorage(tmp_path / "files")
    with pytest.raises(RuntimeError):
        storage.save("applications/1/x.pdf", Failing(b"x" * 5000))
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []


def test_web_upload_of_unparsable_pdf_is_refused_with_message(app, client, auth, scratch):
    competition = factories.competition()
    owner = factories.user(email="bea@example.org")
    draft = factories.application(competition=competition, owner=owner, summary="Bleibt.")
    db.session.commit()
    auth.login(owner)
    response = client.post(f"/bewerbung/{draft.id}/schritt/4", data={
        "action": "upload", "file_description": "Konzept",
        "files": [(io.BytesIO(fake_pdf()), "Konzept.pdf")]}, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"„Konzept.pdf“ {NOT_OPENING}" in body
    assert 'value="Konzept"' in body
    assert db.session.scalar(select(Attachment.id)) is None
    assert leftovers(app, scratch) == []


@pytest.mark.parametrize("data", [broken_png(), png_bomb()])
def test_certificate_logo_png_must_decode_whole(app, data):
    from awards.services.certificates import CertificateError, check_logo

    with pytest.raises(CertificateError) as exc:
        check_logo(data)
    assert exc.value.args[0] == "Die PNG-Datei ist beschädigt."
    assert check_logo(image_bytes("PNG")) == "image/png"
