"""Downloads: streamed through the app by default (the public need not reach the object
store), a presigned redirect only when AWARDS_DOWNLOADS=redirect; every file name, "Ayşe",
quotes and line breaks included, arrives as RFC 6266 / RFC 5987 Content-Disposition."""
import threading
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from awards.enums import ApplicationStatus, Role
from awards.extensions import db
from awards.filenames import content_disposition
from tests import factories
from tests.factories import attachment as stored_attachment

AYSE = "Ayşe Yılmaz Bericht.pdf"
AYSE_HEADER = ("attachment; filename=\"Ayse Y_lmaz Bericht.pdf\"; "
               "filename*=UTF-8''Ay%C5%9Fe%20Y%C4%B1lmaz%20Bericht.pdf")


@pytest.mark.parametrize("name, header", [
    ("Bericht.pdf", 'attachment; filename="Bericht.pdf"'),
    (AYSE, AYSE_HEADER),
    ('Der "beste" Plan.pdf',
     "attachment; filename=\"Der _beste_ Plan.pdf\"; filename*=UTF-8''Der%20%22beste%22%20Plan.pdf"),
    ("Zeile\r\nSet-Cookie: x=1.pdf",
     "attachment; filename=\"Zeile Set-Cookie_ x=1.pdf\"; "
     "filename*=UTF-8''Zeile%20Set-Cookie%3A%20x%3D1.pdf"),
    ("Straße.csv", "attachment; filename=\"Strasse.csv\"; filename*=UTF-8''Stra%C3%9Fe.csv"),
    ("../../etc/passwd", 'attachment; filename="_.._etc_passwd"'),
    ("", 'attachment; filename="download"'),
])
def test_content_disposition_any_name_ascii_header(name, header):
    value = content_disposition(name)
    assert value == header
    assert value.isascii() and "\r" not in value and "\n" not in value


def test_content_disposition_inline():
    assert content_disposition("Vorschau.pdf", inline=True) == 'inline; filename="Vorschau.pdf"'


@pytest.fixture
def owned_attachment(app):
    comp = factories.competition(prize_code="OBB", year=2041)
    application = factories.application(competition=comp)
    row = stored_attachment(application, filename=AYSE)
    db.session.commit()
    return application, row


def test_applicant_download_non_latin1_name_streams(client, auth, owned_attachment):
    from tests.factories import PDF_BYTES

    application, row = owned_attachment
    assert row.filename == AYSE
    auth.login(application.owner)
    response = client.get(f"/bewerbung/{application.id}/anlagen/{row.id}")
    assert (response.status_code, response.data) == (200, PDF_BYTES)
    assert response.headers["Content-Disposition"] == AYSE_HEADER


def test_staff_download_hostile_stored_name_streams(client, auth, owned_attachment):
    application, row = owned_attachment
    row.filename = 'Ayşe "x"\r\n.pdf'  # as an older row (before upload names were cleaned) may hold
    application.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    staff = factories.user(role=Role.STAFF, prize_code="OBB")
    db.session.commit()
    auth.login(staff)
    response = client.get(f"/geschaeftsstelle/bewerbungen/{application.id}/anlagen/{row.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Ayse _x_ .pdf\"; filename*=UTF-8''Ay%C5%9Fe%20%22x%22%20.pdf")


@pytest.fixture
def s3_storage(app, monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        import boto3

        boto3.client("s3", region_name="eu-central-1").create_bucket(
            Bucket="downloads", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        app.config.update(STORAGE="s3", S3_BUCKET="downloads", S3_ENDPOINT_URL=None,
                          S3_REGION="eu-central-1")
        try:
            yield
        finally:
            app.config.update(STORAGE="local", S3_BUCKET="awards", DOWNLOADS="stream")
            app.extensions.pop("awards_storage", None)


def test_s3_download_streams_by_default(app, client, auth, s3_storage, owned_attachment):
    from tests.factories import PDF_BYTES

    application, row = owned_attachment
    auth.login(application.owner)
    response = client.get(f"/bewerbung/{application.id}/anlagen/{row.id}")
    assert (response.status_code, response.data) == (200, PDF_BYTES)
    assert response.headers["Content-Disposition"] == AYSE_HEADER
    assert response.headers["Cache-Control"] == "private, no-store"


def test_s3_download_redirect_setting_presigned_with_encoded_name(app, client, auth, s3_storage,
                                                                  owned_attachment):
    application, row = owned_attachment
    app.config["DOWNLOADS"] = "redirect"
    auth.login(application.owner)
    response = client.get(f"/bewerbung/{application.id}/anlagen/{row.id}")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["response-content-disposition"] == [AYSE_HEADER]


def test_download_through_a_real_server_non_latin1_name_completes(app, auth, owned_attachment):
    """What hung before: a WSGI server must send the header; the body arrives whole."""
    from tests.factories import PDF_BYTES

    application, row = owned_attachment
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        session = requests.Session()
        from tests.test_multihost import _csrf

        page = session.get(base + "/konto/anmelden", timeout=30).text
        session.post(base + "/konto/anmelden", timeout=30, data={
            "csrf_token": _csrf(page) if "csrf_token" in page else "",
            "email": application.owner.email, "password": factories.PASSWORD})
        response = session.get(f"{base}/bewerbung/{application.id}/anlagen/{row.id}", timeout=30)
    finally:
        server.shutdown()
        thread.join()
    assert (response.status_code, response.content) == (200, PDF_BYTES)
    assert unquote(response.headers["Content-Disposition"].split("UTF-8''")[1]) == AYSE


def test_safety_net_rewrites_raw_non_ascii_header(database_url, tmp_path):
    from flask import Response

    from awards import create_app

    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, STORAGE_DIR=str(tmp_path))

    @fresh.get("/_test/raw-download")
    def raw_download():
        return Response(b"x", headers={"Content-Disposition": f'attachment; filename="{AYSE}"'})

    response = fresh.test_client().get("/_test/raw-download")
    assert response.headers["Content-Disposition"] == AYSE_HEADER
    with fresh.app_context():
        db.engine.dispose()
