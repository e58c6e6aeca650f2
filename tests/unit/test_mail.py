"""Outbox: mails are written in the cause's transaction and sent with retries."""
from datetime import timedelta

from sqlalchemy import select

from awards.adapters.mail import MailTransportError
from awards.enums import MailStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.services import mail
from tests import factories


class FakeTransport:
    def __init__(self, fail=False):
        self.fail = fail
        self.sent = []

    def send(self, message):
        if self.fail:
            raise MailTransportError("Verbindung abgelehnt")
        self.sent.append(message)


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def test_enqueue_is_part_of_the_transaction(app):
    mail.enqueue(to="a@example.org", subject="Betreff", text="Text")
    db.session.rollback()
    assert rows() == []
    mail.enqueue(to="a@example.org", subject="Betreff", text="Text")
    db.session.commit()
    assert [(m.to_addr, m.status) for m in rows()] == [("a@example.org", MailStatus.PENDING)]


def test_enqueue_renders_text_and_html_template(app):
    user = factories.user(name="Kim Muster")
    mail.enqueue(to=user.email, template="reset_password", user=user, token="TOKEN123")
    row = rows()[0]
    assert row.subject == "Neues Passwort festlegen"
    assert row.body_text.startswith("Guten Tag Kim Muster,")
    assert "http://127.0.0.1:5000/konto/passwort-neu?token=TOKEN123" in row.body_text
    assert '<a href="http://127.0.0.1:5000/konto/passwort-neu?token=TOKEN123">' in row.body_html
    assert "<title>Neues Passwort festlegen</title>" in row.body_html


def test_send_pending_sends_and_marks_sent(app):
    mail.enqueue(to="a@example.org", subject="Hallo", text="Text", html="<p>Text</p>")
    db.session.commit()
    transport = FakeTransport()
    assert mail.send_pending(transport=transport) == (1, 0)
    [message] = transport.sent
    assert (message["To"], message["Subject"]) == ("a@example.org", "Hallo")
    assert message.get_body(("html",)).get_content().strip() == "<p>Text</p>"
    row = rows()[0]
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 1, "")
    assert row.sent_at is not None
    assert mail.send_pending(transport=transport) == (0, 0)  # never twice


def test_failed_send_is_retried_with_backoff_then_given_up(app):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    try:
        mail.enqueue(to="a@example.org", subject="Hallo", text="Text")
        db.session.commit()
        transport = FakeTransport(fail=True)
        now = utcnow()
        assert mail.send_pending(transport=transport, now=now) == (0, 1)
        row = rows()[0]
        assert (row.status, row.attempts, row.last_error) == (
            MailStatus.PENDING, 1, "Verbindung abgelehnt")
        assert row.next_attempt_at == now + timedelta(minutes=1)
        # Not due yet: nothing happens.
        assert mail.send_pending(transport=transport, now=now + timedelta(seconds=30)) == (0, 0)
        later = now + timedelta(minutes=1)
        assert mail.send_pending(transport=transport, now=later) == (0, 1)
        row = rows()[0]
        assert (row.status, row.attempts, row.next_attempt_at) == (
            MailStatus.PENDING, 2, later + timedelta(minutes=2))
        assert mail.send_pending(transport=transport, now=later + timedelta(minutes=2)) == (0, 1)
        row = rows()[0]
        assert (row.status, row.attempts) == (MailStatus.FAILED, 3)
        assert mail.send_pending(transport=FakeTransport(),
                                 now=later + timedelta(days=1)) == (0, 0)
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 8


def test_backoff_grows_and_is_capped():
    assert [mail.backoff(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert mail.backoff(20) == timedelta(hours=6)


def test_send_mail_command_sends_pending_mail_to_console(app, runner):
    mail.enqueue(to="a@example.org", subject="Hallo", text="Text")
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "1 versendet, 0 fehlgeschlagen" in result.output
    assert rows()[0].status == MailStatus.SENT


def test_send_mail_command_reports_failures(app, runner):
    mail.enqueue(to="a@example.org", subject="Hallo", text="Text")
    db.session.commit()
    # An SMTP server that does not exist: the mail stays for a retry.
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9)
    try:
        result = runner.invoke(args=["send-mail"])
    finally:
        app.config.update(SMTP_HOST=None, SMTP_PORT=587)
    assert result.exit_code == 1
    assert "0 versendet, 1 fehlgeschlagen" in result.output
    row = rows()[0]
    assert (row.status, row.attempts) == (MailStatus.PENDING, 1)
    assert row.last_error.startswith("SMTP 127.0.0.1:9:")
