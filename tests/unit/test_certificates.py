"""Certificates: text read back from the PDF, PDF/A-3a metadata, embedded fonts, storage
reuse and regeneration, verification codes, logos and the ZIP (the minutes: test_minutes.py)."""
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from awards.adapters.storage import get_storage
from awards.enums import CompetitionStatus
from awards.models.audit import AuditLog
from awards.services import certificates
from awards.services.decisions import DecisionError, decision_for
from tests import factories



def _text(pdf):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(reader):
    """{font name: embedded?} over every page, descending into descendant fonts."""
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptors = [font]
            if "/DescendantFonts" in font:
                descriptors = [d.get_object() for d in font["/DescendantFonts"]]
            for d in descriptors:
                fd_ = d["/FontDescriptor"].get_object()
                found[str(d["/BaseFont"])] = any(k in fd_ for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


@pytest.fixture
def laureate(app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, prize_code="UFR", year=2025,
                                               title="Integrationspreis der Regierung von Unterfranken",
                                               motto="Integration vor Ort")
    application = winners[0]
    application.org_name = "Begegnungscafé Würzburg e. V."
    application.project_title = "Sprachbrücken am Main"
    certificates.save_settings(actor=None, competition=comp, show_amount=True, place="Würzburg",
                               issue_date=date(2025, 10, 17), tribute="",
                               signatories=[{"name": "Dr. Erika Beispiel", "title": "Regierungspräsidentin (Beispiel)"},
                                            {"name": "Max Muster", "title": "Integrationsbeauftragter (Beispiel)"}])
    return application


def test_certificate_pdf_shows_laureate_project_category_and_date(laureate):
    storage = get_storage()
    cert, rendered = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    assert rendered is True
    pdf = storage.read(cert.storage_key)
    text = re.sub(r"\s+", " ", _text(pdf))
    assert "URKUNDE" in text
    assert "Integrationspreis der Regierung von Unterfranken 2025" in text
    assert "Begegnungscafé Würzburg e. V." in text
    assert "„Sprachbrücken am Main“" in text
    assert "1. Preis" in text  # UFR default categories from the factory
    assert "dotiert mit 4.000 €" in text
    assert "Würzburg, 17. Oktober 2025" in text
    assert "Dr. Erika Beispiel" in text and "Regierungspräsidentin (Beispiel)" in text
    assert cert.code in text


def test_certificate_pdf_is_pdfa3a_with_all_fonts_embedded(laureate):
    storage = get_storage()
    cert, _ = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    reader = PdfReader(io.BytesIO(storage.read(cert.storage_key)))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(?:>|=\")3", xmp)
    assert re.search(r"pdfaid:conformance(?:>|=\")A", xmp)
    fonts = _fonts(reader)
    assert fonts, "no fonts found"
    assert all(fonts.values()), fonts
    assert {re.sub(r"^/[A-Z]{6}\+", "/", n) for n in fonts} == {
        "/Fira-Sans", "/Fira-Sans-Light", "/Fira-Sans-Semi-Bold", "/Fira-Sans-Italic"}


def test_certificate_page_renders_to_png(laureate, tmp_path):
    storage = get_storage()
    cert, _ = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    pdf_path = tmp_path / "urkunde.pdf"
    pdf_path.write_bytes(storage.read(cert.storage_key))
    assert shutil.which("pdftoppm"), "poppler-utils missing"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(pdf_path),
                    str(tmp_path / "urkunde")], check=True)
    png = (tmp_path / "urkunde.png").read_bytes()
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.size == (497, 702)  # A4 (210 × 297 mm) at 60 dpi, rounded up
    # Not blank: the frame and text give many distinct dark pixels.
    assert sum(1 for p in image.convert("L").get_flattened_data() if p < 128) > 2000
    # Kept for a human look (the e2e test saves docs/screenshots/certificate.png).
    shutil.copy(tmp_path / "urkunde.png", Path(tempfile.gettempdir()) / "urkunde-unit-test.png")


def test_certificate_is_reused_until_its_data_changes(laureate):
    storage = get_storage()
    first, rendered = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    key, code = first.storage_key, first.code
    again, rendered_again = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    assert (rendered_again, again.storage_key, again.code) == (False, key, code)

    laureate.project_title = "Sprachbrücken am Main und an der Saale"
    changed, rendered_changed = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    assert rendered_changed is True
    assert changed.code == code  # the code on paper stays valid
    assert changed.storage_key != key
    assert storage.exists(key) is False
    assert "Sprachbrücken am Main und an der Saale" in re.sub(r"\s+", " ", _text(storage.read(changed.storage_key)))
    actions = [a.action for a in select_actions()]
    assert actions.count("certificate.generate") == 2


def select_actions():
    from awards.extensions import db

    return db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()


def test_certificate_missing_file_is_rendered_again(laureate):
    storage = get_storage()
    cert, _ = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    storage.delete(cert.storage_key)
    _, rendered = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    assert rendered is True
    assert storage.exists(cert.storage_key)


def test_certificate_refused_before_release(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    application = factories.submitted_application(comp)
    factories.decide(application)
    with pytest.raises(DecisionError):
        certificates.ensure_certificate(actor=None, application=application, storage=get_storage())


def test_verification_code_format_and_uniqueness(app):
    from awards.models.decisions import new_verification_code

    codes = {new_verification_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", c) for c in codes)
    assert certificates.normalise_code(" k7qm 4xtp-9bhd ") == "K7QM-4XTP-9BHD"
    assert certificates.normalise_code("ABC") is None


def test_logo_png_and_svg_accepted_script_svg_refused(laureate):
    from PIL import Image

    comp = laureate.competition
    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 0)).save(out, format="PNG")
    key = certificates.save_logo(actor=None, competition=comp, data=out.getvalue(), storage=get_storage())
    assert key.endswith(".png") and comp.logo_key == key
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    assert certificates.check_logo(svg) == "image/svg+xml"
    for bad in (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><svg/>',
                b"GIF89a....", b""):
        with pytest.raises(DecisionError):
            certificates.check_logo(bad)


def test_certificate_uses_uploaded_logo(laureate):
    storage = get_storage()
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
           b'<rect width="10" height="10" fill="#c00"/></svg>')
    certificates.save_logo(actor=None, competition=laureate.competition, data=svg, storage=storage)
    cert, _ = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    html = certificates.render_html(certificates.certificate_data(
        competition=laureate.competition, application=laureate,
        decision=decision_for(laureate),
        settings=certificates.settings_for(laureate.competition), code=cert.code))
    assert f'src="/stored/{laureate.competition.logo_key}"' in html


def test_preview_uses_sample_data(app):
    comp = factories.competition(title="Bayerischer Integrationspreis", year=2026)
    text = re.sub(r"\s+", " ", _text(certificates.preview_pdf(competition=comp, storage=get_storage())))
    assert "Musterverein Begegnung e. V." in text
    assert "MUSTER" in text
    assert "Bayerischer Integrationspreis 2026" in text


def test_zip_stream_contains_every_certificate(app):
    storage = get_storage()
    comp, winners, _ = factories.released_competition(winners=3, others=0)
    entries = certificates.ensure_all(actor=None, competition=comp, storage=storage)
    files = [(certificates.download_name(a, comp), c.storage_key) for c, a in entries]
    data = b"".join(certificates.zip_stream(files, storage=storage))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted(n for n, _ in files)
    assert archive.read(files[0][0]) == storage.read(files[0][1])


def test_qr_code_svg_draws_exactly_the_qr_matrix(app):
    import base64

    import qrcode

    url = "https://integrationspreis.example/urkunde/pruefen/K7QM-4XTP-9BHD"
    svg = base64.b64decode(certificates.qr_data_uri(url).split(",", 1)[1]).decode()
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=2)
    qr.add_data(url)
    qr.make(fit=True)
    expected = qr.get_matrix()
    size = len(expected)
    drawn = [[False] * size for _ in range(size)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for dx in range(int(width)):
            drawn[int(y)][int(x) + dx] = True
    assert f'viewBox="0 0 {size} {size}"' in svg
    assert drawn == expected
    assert qr.data_list[0].data.decode() == url


def test_certificate_qr_points_to_verification_page(laureate):
    import base64

    cert, _ = certificates.ensure_certificate(actor=None, application=laureate, storage=get_storage())
    data = certificates.certificate_data(competition=laureate.competition, application=laureate,
                                         decision=decision_for(laureate),
                                         settings=certificates.settings_for(laureate.competition),
                                         code=cert.code)
    assert data["verify_url"] == f"{laureate_app_base()}/urkunde/pruefen/{cert.code}"
    html = certificates.render_html(data)
    uri = re.search(r'src="(data:image/svg\+xml;base64,[^"]+)"', html).group(1)
    assert uri == certificates.qr_data_uri(data["verify_url"])
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"<svg")


def laureate_app_base():
    from flask import current_app

    return current_app.config["BASE_URL"].rstrip("/")


def test_fonts_are_decompressed_once_per_process_and_stored_in_each_storage(app, tmp_path, monkeypatch):
    from fontTools.ttLib import woff2

    from awards.adapters.storage import LocalStorage

    calls = []
    original = woff2.decompress
    monkeypatch.setattr(woff2, "decompress", lambda *a: (calls.append(1), original(*a))[1])
    monkeypatch.setattr(certificates, "_truetype_cache", {})
    first, second = LocalStorage(tmp_path / "one"), LocalStorage(tmp_path / "two")
    urls = certificates.font_urls(first)
    assert len(calls) == len(certificates.FONT_FILES)
    assert certificates.font_urls(second) == urls
    # The second storage holds the same TrueType files, without decompressing them again.
    assert len(calls) == len(certificates.FONT_FILES)
    for url in urls.values():
        key = url.removeprefix("/stored/")
        assert second.exists(key)
        assert second.read(key)[:4] == b"\x00\x01\x00\x00"  # TrueType, not WOFF2
