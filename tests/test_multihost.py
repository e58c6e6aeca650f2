"""Two app processes (as on two hosts) share one database and one S3 endpoint: a login
made on one is valid on the other, and a file uploaded through one downloads through the
other. Nothing is kept in a process or on its local disk."""
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from awards.extensions import db
from awards.models.applications import Attachment
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def _pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _pdf()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_endpoint(monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    import boto3

    boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1").create_bucket(
        Bucket="multihost", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    yield endpoint
    server.stop()


@pytest.fixture
def two_hosts(app, database_url, s3_endpoint, tmp_path):
    env = dict(os.environ, AWARDS_ENV="development", AWARDS_DATABASE_URL=database_url,
               AWARDS_SECRET_KEY="shared-secret-of-all-hosts-" + "x" * 20,
               AWARDS_STORAGE="s3", AWARDS_S3_BUCKET="multihost", AWARDS_S3_REGION="eu-central-1",
               AWARDS_S3_ENDPOINT_URL=s3_endpoint, AWARDS_RATELIMIT_ENABLED="false",
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    hosts, processes = [], []
    for index in range(2):
        port = _free_port()
        # Each host gets its own empty working directory for local files: none may be used.
        local_dir = tmp_path / f"host{index}"
        local_dir.mkdir()
        env_host = dict(env, AWARDS_STORAGE_DIR=str(local_dir))
        processes.append(subprocess.Popen(
            [gunicorn, "-w", "1", "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "wsgi:app"],
            env=env_host, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        hosts.append((f"http://127.0.0.1:{port}", local_dir))
    try:
        for base, _ in hosts:
            for _ in range(150):
                try:
                    requests.get(base + "/ping", timeout=5)
                    break
                except (requests.ConnectionError, requests.Timeout):
                    time.sleep(0.2)
            else:
                pytest.fail(f"{base} did not start")
        yield hosts
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


def _csrf(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_login_and_files_work_across_two_hosts(two_hosts):
    (host_a, dir_a), (host_b, dir_b) = two_hosts
    user = factories.user(email="mehrere-hosts@example.org")
    competition = factories.competition(prize_code="BIP", year=2045)
    application = factories.application(competition=competition, owner=user)
    db.session.commit()

    browser = requests.Session()
    page = browser.get(host_a + "/konto/anmelden").text
    login = browser.post(host_a + "/konto/anmelden", allow_redirects=False,
                         data={"csrf_token": _csrf(page), "email": user.email,
                               "password": factories.PASSWORD})
    assert login.status_code == 302

    # The session cookie made by host A is accepted by host B.
    dashboard = browser.get(host_b + "/bewerbung/")
    assert dashboard.status_code == 200
    assert "Meine Bewerbungen" in dashboard.text
    assert application.project_title in dashboard.text

    # Upload through host A ...
    step = browser.get(f"{host_a}/bewerbung/{application.id}/schritt/4").text
    version = re.search(r'name="version"[^>]*value="(\d+)"', step).group(1)
    upload = browser.post(
        f"{host_a}/bewerbung/{application.id}/schritt/4", allow_redirects=False,
        data={"csrf_token": _csrf(step), "version": version, "action": "upload",
              "file_description": "Projektbericht"},
        files={"files": ("bericht.pdf", io.BytesIO(PDF), "application/pdf")})
    assert upload.status_code == 302, re.findall(r'kern-error.*?<span class="kern-body">(.*?)</span>', upload.text, re.S)
    db.session.expire_all()
    attachment = db.session.scalars(
        select(Attachment).where(Attachment.application_id == application.id)).one()

    # ... and download through host B (streamed through the app from the shared store).
    download = browser.get(f"{host_b}/bewerbung/{application.id}/anlagen/{attachment.id}")
    assert download.status_code == 200
    assert download.content == PDF

    # Neither host wrote the file to its local disk.
    assert list(dir_a.rglob("*.pdf")) == []
    assert list(dir_b.rglob("*.pdf")) == []
