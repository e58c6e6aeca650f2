"""Faults: storage gone during upload, SMTP refusing, database failing mid-request."""
import io
import socket
import socketserver
import threading
from datetime import timedelta

import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from awards.adapters.mail import SmtpTransport
from awards.enums import MailStatus
from awards.extensions import db
from awards.models.applications import Application, Attachment
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.services import mail
from tests import factories


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# A complete step-2 form as the browser sends it.
STEP2 = {"action": "save", "summary": "S", "description": "D", "goals": "", "target_group": "",
         "motto_relation": "", "project_start": ""}


# --- storage ------------------------------------------------------------------------------

@pytest.fixture
def s3_server(app, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # us-east-1: ensure_bucket() sends no LocationConstraint (see the report).
    app.config.update(STORAGE="s3", S3_ENDPOINT_URL=f"http://127.0.0.1:{port}",
                      S3_BUCKET=f"faults-{port}", S3_REGION="us-east-1")
    from awards.adapters.storage import get_storage

    get_storage().ensure_bucket()
    state = {"running": True}

    def stop():
        if state["running"]:
            server.stop()
            state["running"] = False

    yield stop
    stop()
    app.config.update(STORAGE="local", S3_ENDPOINT_URL=None, S3_BUCKET="awards",
                      S3_REGION="eu-central-1")


def _upload(client, application, data, filename, description):
    return client.post(
        f"/bewerbung/{application.id}/schritt/4",
        data={"action": "upload", "version": str(application.version),
              "file_description": description,
              "files": [(io.BytesIO(data), filename)]},
        content_type="multipart/form-data",
    )


def test_upload_storage_stopped_clear_message_draft_kept(app, client, auth, s3_server):
    owner = factories.user()
    comp = factories.competition()
    draft = factories.application(competition=comp, owner=owner, project_title="Sprachcafé",
                                  summary="Wir treffen uns jeden Dienstag.")
    db.session.commit()
    auth.login(owner)
    ok = _upload(client, draft, factories.PDF_BYTES, "Konzept.pdf", "Erste Datei")
    assert ok.status_code == 302, ok.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    assert [a.filename for a in db.session.get(Application, draft.id).attachments] == ["Konzept.pdf"]

    s3_server()  # the object storage goes away mid-session
    failed = _upload(client, db.session.get(Application, draft.id), factories.PDF_BYTES, "Flyer.pdf",
                     "Unser Flyer vom Sommerfest")
    page = failed.get_data(as_text=True)
    assert failed.status_code == 422
    assert "Die Datei konnte gerade nicht gespeichert werden. Bitte versuchen Sie es in einigen " \
           "Minuten erneut." in page
    assert 'value="Unser Flyer vom Sommerfest"' in page  # what was typed is still in the form
    db.session.expire_all()
    kept = db.session.get(Application, draft.id)
    assert (kept.project_title, kept.summary) == ("Sprachcafé", "Wir treffen uns jeden Dienstag.")
    assert [a.filename for a in kept.attachments] == ["Konzept.pdf"]
    assert db.session.scalar(select(func.count(Attachment.id))) == 1


def test_upload_storage_stopped_other_steps_still_save(app, client, auth, s3_server):
    owner = factories.user()
    draft = factories.application(competition=factories.competition(), owner=owner)
    db.session.commit()
    auth.login(owner)
    s3_server()
    response = client.post(f"/bewerbung/{draft.id}/schritt/2", data={
        **STEP2, "version": str(draft.version), "project_title": "Neuer Titel"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, draft.id).project_title == "Neuer Titel"


# --- SMTP ---------------------------------------------------------------------------------

class _SmtpHandler(socketserver.StreamRequestHandler):
    """A tiny SMTP server: refuses with 554 (refuse=True) or accepts every mail."""

    def _send(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        if self.server.refuse:
            self._send("554 5.3.2 Service not available")
            return
        self._send("220 test ESMTP")
        in_data = False
        lines = []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if in_data:
                if line == ".":
                    in_data = False
                    self.server.received.append("\n".join(lines))
                    lines = []
                    self._send("250 2.0.0 queued")
                else:
                    lines.append(line)
                continue
            verb = line.split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self._send("250 test")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self._send("250 2.1.0 ok")
            elif verb == "DATA":
                in_data = True
                self._send("354 go ahead")
            elif verb == "QUIT":
                self._send("221 bye")
                return
            else:
                self._send("502 not implemented")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.refuse = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _transport(port):
    return SmtpTransport(host="127.0.0.1", port=port, starttls=False, timeout=5)


def _queue_two():
    mail.enqueue(to="a@example.org", subject="Eingangsbestätigung", text="Danke.")
    mail.enqueue(to="b@example.org", subject="Einladung", text="Willkommen.")
    db.session.commit()


def test_smtp_refusing_554_mails_stay_with_backoff(app, smtp_server):
    _queue_two()
    now = utcnow()
    sent, failed = mail.send_pending(transport=_transport(smtp_server.server_address[1]), now=now)
    assert (sent, failed) == (0, 2)
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [r.status for r in rows] == [MailStatus.PENDING, MailStatus.PENDING]
    assert [r.attempts for r in rows] == [1, 1]
    assert all("554" in r.last_error for r in rows)
    assert [r.next_attempt_at for r in rows] == [now + timedelta(minutes=1)] * 2


def test_smtp_closed_port_mails_stay_and_are_retried_with_growing_backoff(app):
    _queue_two()
    transport = _transport(_free_port())  # nobody listens: connection refused
    now = utcnow()
    assert mail.send_pending(transport=transport, now=now) == (0, 2)
    # Not due yet: nothing is tried again within the backoff.
    assert mail.send_pending(transport=transport, now=now + timedelta(seconds=30)) == (0, 0)
    assert mail.send_pending(transport=transport, now=now + timedelta(minutes=1)) == (0, 2)
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [r.attempts for r in rows] == [2, 2]
    assert [r.next_attempt_at - (now + timedelta(minutes=1)) for r in rows] == [timedelta(minutes=2)] * 2


def test_smtp_back_again_every_mail_delivered_once(app, smtp_server):
    _queue_two()
    port = smtp_server.server_address[1]
    now = utcnow()
    assert mail.send_pending(transport=_transport(port), now=now) == (0, 2)
    smtp_server.refuse = False  # the mail server is back
    assert mail.send_pending(transport=_transport(port), now=now + timedelta(minutes=1)) == (2, 0)
    assert mail.send_pending(transport=_transport(port), now=now + timedelta(hours=1)) == (0, 0)
    assert len(smtp_server.received) == 2
    assert "Subject: Eingangsbestätigung" in smtp_server.received[0] or \
        "Subject: =?utf-8?" in smtp_server.received[0]
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [r.status for r in rows] == [MailStatus.SENT, MailStatus.SENT]
    assert [r.last_error for r in rows] == ["", ""]


def test_smtp_gives_up_after_max_attempts_but_keeps_the_mail(app):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    try:
        mail.enqueue(to="a@example.org", subject="S", text="T")
        db.session.commit()
        transport = _transport(_free_port())
        now = utcnow()
        for hours in range(3):
            mail.send_pending(transport=transport, now=now + timedelta(hours=hours * 7))
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 8
    row = db.session.scalars(select(OutboxMail)).one()
    assert (row.status, row.attempts) == (MailStatus.FAILED, 3)
    assert row.body_text == "T"


def test_send_mail_command_smtp_down_reports_and_keeps(app, runner):
    _queue_two()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port(), SMTP_STARTTLS=False)
    try:
        result = runner.invoke(args=["send-mail"])
    finally:
        app.config.update(SMTP_HOST=None, SMTP_PORT=587, SMTP_STARTTLS=True)
    assert result.output == "0 versendet, 2 fehlgeschlagen (werden später erneut versucht).\n"
    assert result.exit_code == 1
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.status == MailStatus.PENDING)) == 2


# --- database -----------------------------------------------------------------------------

@pytest.fixture
def break_once(app):
    """Make the next statement that starts with `prefix` fail like a dropped connection."""
    armed = {}

    def listener(conn, cursor, statement, parameters, context, executemany):
        prefix = armed.get("prefix")
        if prefix and statement.lstrip().upper().startswith(prefix):
            armed.clear()
            # What SQLAlchemy raises when the driver reports a dropped connection.
            raise OperationalError(statement, parameters, db.engine.dialect.dbapi.OperationalError(
                "server closed the connection unexpectedly"), connection_invalidated=True)

    event.listen(db.engine, "before_cursor_execute", listener)

    def arm(prefix):
        armed["prefix"] = prefix.upper()

    yield arm
    event.remove(db.engine, "before_cursor_execute", listener)


def test_database_error_mid_request_rolls_back_and_shows_503(app, client, auth, break_once):
    owner = factories.user()
    draft = factories.application(competition=factories.competition(), owner=owner,
                                  project_title="Alter Titel")
    db.session.commit()
    auth.login(owner)
    audit_before = db.session.scalar(select(func.count(AuditLog.id)))
    # The UPDATE of the application runs, then the audit INSERT fails: both must be undone.
    break_once("INSERT INTO audit_log")
    response = client.post(f"/bewerbung/{draft.id}/schritt/2", data={
        **STEP2, "version": str(draft.version), "project_title": "Neuer Titel"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Vorübergehend nicht verfügbar" in page
    assert "Es wurde nichts gespeichert." in page
    db.session.expire_all()
    assert db.session.get(Application, draft.id).project_title == "Alter Titel"
    assert db.session.scalar(select(func.count(AuditLog.id))) == audit_before
    # The next request works again on a fresh transaction.
    again = client.post(f"/bewerbung/{draft.id}/schritt/2", data={
        **STEP2, "version": str(draft.version), "project_title": "Neuer Titel"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, draft.id).project_title == "Neuer Titel"


def test_database_error_on_read_shows_503(app, client, break_once):
    break_once("SELECT")
    response = client.get("/ausschreibungen")
    assert response.status_code == 503
    assert "Der Dienst ist gerade nicht erreichbar." in response.get_data(as_text=True)
    assert client.get("/ausschreibungen").status_code == 200
