"""Mail: single-line headers, one bad mail never blocks the others, claims with a lease so
that two senders never send one mail twice, Date and Message-ID, purged bodies."""
import threading
from datetime import timedelta
from email import message_from_bytes

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from awards.adapters.mail import MailTransportError, build_message, single_line
from awards.enums import MailStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.services import mail
from awards.services.jury import release
from tests import factories
from tests.factories import decide, submitted_application


class RecordingTransport:
    def __init__(self, fail_for=(), explode_for=()):
        self.sent = []
        self.fail_for = set(fail_for)
        self.explode_for = set(explode_for)
        self.lock = threading.Lock()

    def send(self, message):
        if message["To"] in self.fail_for:
            raise MailTransportError("421 Dienst nicht verfügbar")
        if message["To"] in self.explode_for:
            raise UnicodeEncodeError("ascii", "ü", 0, 1, "kein SMTPUTF8")
        with self.lock:
            self.sent.append(message)


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def test_single_line_removes_every_line_break_and_control_character():
    assert single_line("Verein\r\nBcc: x@example.org\tund\x00 Co.\u2028") == \
        "Verein Bcc: x@example.org und Co."


def test_enqueue_subject_with_line_break_is_stored_on_one_line(app):
    mail.enqueue(to="a@example.org", subject="Glückwunsch\r\nBcc: spion@example.org", text="T")
    db.session.commit()
    assert rows()[0].subject == "Glückwunsch Bcc: spion@example.org"


def test_build_message_subject_from_any_source_is_one_header(app):
    message = build_message(sender="Integrationspreis <noreply@integrationspreis.example>",
                            to="a@example.org", subject="Hallo\nBcc: spion@example.org\r\nX: y",
                            text="T")
    parsed = message_from_bytes(message.as_bytes())
    assert parsed["Subject"] == "Hallo Bcc: spion@example.org X: y"
    assert parsed["Bcc"] is None and parsed["X"] is None


def test_decision_mail_with_line_break_in_organisation_reaches_everyone(app):
    """The issue's case: an organisation name with a line break in a decision mail's subject
    used to stop the sender for good, and every later mail (access links too) waited."""
    staff = factories.staff()
    competition = factories.competition(status=factories.CompetitionStatus.JURY)
    broken = submitted_application(competition, org_name="Verein\r\nBcc: spion@example.org")
    other = submitted_application(competition, org_name="Nachbarschaftshilfe e. V.")
    decide(broken, category=competition.categories[0], actor=staff)
    release.save_template(actor=staff, competition=competition, kind="congratulation",
                          subject="Glückwunsch, {{ organisation }}!",
                          body="Guten Tag {{ ansprechperson }}, herzlichen Glückwunsch.")
    release.release_decisions(actor=staff, competition=competition)
    mail.enqueue(to="neu@example.org", template="magic_link", user=None, token="ZUGANG")
    db.session.commit()

    transport = RecordingTransport()
    assert mail.send_pending(transport=transport) == (3, 0)
    subjects = sorted(str(m["Subject"]) for m in transport.sent)
    assert subjects == sorted([
        "Glückwunsch, Verein Bcc: spion@example.org!",
        f"Ihre Bewerbung – „{competition.title} {competition.year}“",
        "Ihr Zugangslink zum Integrationspreis",
    ])
    assert all(m["Bcc"] is None for m in transport.sent)
    assert sorted(str(m["To"]) for m in transport.sent) == sorted(
        [release.recipient(broken), release.recipient(other), "neu@example.org"])
    assert [r.status for r in rows()] == [MailStatus.SENT] * 3


@pytest.mark.parametrize("address", ["kaputt", "a@example.org\r\nBcc: spion@example.org",
                                     "a@example.org, b@example.org", ""])
def test_mail_that_cannot_be_built_is_failed_with_reason_and_others_go(app, address):
    mail.enqueue(to="vorher@example.org", subject="Eins", text="T")
    bad = mail.enqueue(to=address, subject="Zwei", text="T")
    mail.enqueue(to="nachher@example.org", subject="Drei", text="T")
    db.session.commit()
    transport = RecordingTransport()
    assert mail.send_pending(transport=transport) == (2, 1)
    assert [str(m["To"]) for m in transport.sent] == ["vorher@example.org", "nachher@example.org"]
    failed = db.session.get(OutboxMail, bad.id, populate_existing=True)
    assert failed.status == MailStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error.startswith("Empfänger: ")
    # Failed for good: a later run does not try it again and sends nothing.
    assert mail.send_pending(transport=transport, now=utcnow() + timedelta(days=1)) == (0, 0)


def test_unexpected_error_while_sending_fails_that_mail_only(app):
    mail.enqueue(to="a@example.org", subject="Eins", text="T")
    mail.enqueue(to="b@example.org", subject="Zwei", text="T")
    mail.enqueue(to="c@example.org", subject="Drei", text="T")
    db.session.commit()
    transport = RecordingTransport(explode_for={"b@example.org"})
    assert mail.send_pending(transport=transport) == (2, 1)
    assert [(r.to_addr, r.status) for r in rows()] == [
        ("a@example.org", MailStatus.SENT), ("b@example.org", MailStatus.FAILED),
        ("c@example.org", MailStatus.SENT)]
    assert rows()[1].last_error.startswith("UnicodeEncodeError: ")


def test_mail_whose_outcome_cannot_be_saved_is_rolled_back_alone_and_the_others_go(app):
    """Each mail is one transaction: when saving one mail's outcome fails, only that mail is
    rolled back; it is marked failed with the reason, and the mails before and after it
    stay sent."""
    for address in ("a@example.org", "b@example.org", "c@example.org"):
        mail.enqueue(to=address, subject="Hallo", text="T")
    db.session.commit()

    def refuse(session, flush_context, instances):
        if any(isinstance(o, OutboxMail) and o.to_addr == "b@example.org"
               and o.status == MailStatus.SENT for o in session.dirty):
            raise RuntimeError("Verbindung zur Datenbank verloren")

    event.listen(db.session, "before_flush", refuse)
    try:
        transport = RecordingTransport()
        assert mail.send_pending(transport=transport) == (2, 1)
    finally:
        event.remove(db.session, "before_flush", refuse)
    assert [(r.to_addr, r.status, r.attempts) for r in rows()] == [
        ("a@example.org", MailStatus.SENT, 1), ("b@example.org", MailStatus.FAILED, 1),
        ("c@example.org", MailStatus.SENT, 1)]
    assert rows()[1].last_error == "RuntimeError: Verbindung zur Datenbank verloren"
    assert rows()[1].lease_until is None
    # Not sent again (it may have gone out before its outcome was lost).
    assert mail.send_pending(transport=transport, now=utcnow() + timedelta(days=1)) == (0, 0)


def test_every_mail_has_date_and_message_id_of_the_base_url_domain(app):
    app.config["BASE_URL"] = "https://integrationspreis.bayern.example/"
    try:
        queued = mail.enqueue(to="a@example.org", subject="Hallo", text="T")
        db.session.commit()
        transport = RecordingTransport(fail_for={"a@example.org"})
        before = utcnow().replace(microsecond=0)
        assert mail.send_pending(transport=transport) == (0, 1)
        transport.fail_for = set()
        assert mail.send_pending(transport=transport, now=utcnow() + timedelta(minutes=2)) == (1, 0)
    finally:
        app.config["BASE_URL"] = "http://127.0.0.1:5000"
    [message] = transport.sent
    assert message["Message-ID"] == queued.message_id
    assert message["Message-ID"].endswith("@integrationspreis.bayern.example>")
    assert message["Date"].datetime >= before


def test_delivered_bodies_are_purged_after_the_grace_period_rows_kept(app):
    app.config["MAIL_KEEP_BODY_MINUTES"] = 60
    mail.enqueue(to="a@example.org", subject="Zugangslink", text="Link: /konto/zugang/GEHEIM",
                 html="<p>GEHEIM</p>")
    failing = mail.enqueue(to="b@example.org", subject="Bleibt", text="Text bleibt")
    db.session.commit()
    transport = RecordingTransport(fail_for={"b@example.org"})
    now = utcnow()
    mail.send_pending(transport=transport, now=now)
    assert rows()[0].body_text == "Link: /konto/zugang/GEHEIM"  # within the grace period
    assert mail.purge_delivered(now=now + timedelta(minutes=59)) == 0
    assert mail.purge_delivered(now=now + timedelta(minutes=61)) == 1
    sent, kept = rows()
    assert (sent.status, sent.to_addr, sent.subject, sent.body_text, sent.body_html) == (
        MailStatus.SENT, "a@example.org", "Zugangslink", "", "")
    assert sent.purged_at is not None and sent.sent_at is not None
    assert (kept.id, kept.body_text, kept.purged_at) == (failing.id, "Text bleibt", None)


def test_send_mail_command_purges_old_bodies(app, runner):
    mail.enqueue(to="a@example.org", subject="Alt", text="GEHEIM")
    db.session.commit()
    mail.send_pending(transport=RecordingTransport())
    row = rows()[0]
    row.sent_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert (result.exit_code, result.output) == (
        0, "0 versendet, 0 fehlgeschlagen (werden später erneut versucht).\n")
    assert (rows()[0].body_text, rows()[0].status) == ("", MailStatus.SENT)


def test_send_mail_command_exits_non_zero_when_a_mail_failed(app, runner):
    mail.enqueue(to="kaputt", subject="S", text="T")
    mail.enqueue(to="a@example.org", subject="S", text="T")
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert result.output == "1 versendet, 1 fehlgeschlagen (werden später erneut versucht).\n"


# --- two senders at once ------------------------------------------------------------------

def test_mail_claimed_by_one_sender_is_not_sent_by_another(app):
    """Sender A has claimed the mail (committed) and is talking to the mail server when
    sender B starts: B must not send it too."""
    mail.enqueue(to="a@example.org", subject="Einmal", text="T")
    db.session.commit()
    second = RecordingTransport()

    class SlowTransport(RecordingTransport):
        def send(self, message):
            with Session(db.engine) as other:
                self.during = mail.send_pending(transport=second, session=other)
            super().send(message)

    first = SlowTransport()
    assert mail.send_pending(transport=first) == (1, 0)
    assert first.during == (0, 0)
    assert (len(first.sent), second.sent) == (1, [])


def test_claim_of_a_crashed_sender_is_taken_up_after_its_lease(app):
    mail.enqueue(to="a@example.org", subject="S", text="T")
    db.session.commit()
    now = utcnow()
    assert mail.claim(session=db.session, token="abgestuerzt", now=now) == [1]
    transport = RecordingTransport()
    lease = timedelta(seconds=app.config["MAIL_LEASE_SECONDS"])
    assert mail.send_pending(transport=transport, now=now + lease - timedelta(seconds=1)) == (0, 0)
    assert mail.send_pending(transport=transport, now=now + lease + timedelta(seconds=1)) == (1, 0)
    assert [str(m["To"]) for m in transport.sent] == ["a@example.org"]


@pytest.mark.parametrize("senders", [2, 4])
def test_parallel_senders_send_every_mail_exactly_once(app, senders):
    count = 40
    for n in range(count):
        mail.enqueue(to=f"person{n}@example.org", subject=f"Mail {n}", text="T")
    db.session.commit()
    transport = RecordingTransport()
    start = threading.Barrier(senders)
    errors = []

    def sender():
        try:
            with app.app_context(), Session(db.engine) as session:
                start.wait()
                # Small batches make the senders compete for the same rows many times.
                while mail.send_pending(transport=transport, session=session, limit=3) != (0, 0):
                    pass
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    delivered = sorted(str(m["To"]) for m in transport.sent)
    assert delivered == sorted(f"person{n}@example.org" for n in range(count))
    assert {r.status for r in rows()} == {MailStatus.SENT}
    assert {r.attempts for r in rows()} == {1}
