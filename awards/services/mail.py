"""Queue mails in the outbox (same transaction as the cause) and send them with retries.

Sending is safe with several senders at once (cron on two hosts, a manual run): a sender
first claims due mails — status SENDING, its own token and a lease, committed — and only
then sends them. A claim is one conditional UPDATE, so a mail is claimed by one sender only;
a sender that dies leaves its mails to be taken up again when the lease has run out. A mail
that cannot be built (e.g. a broken address) or whose sending raises anything unexpected is
marked failed with the reason; it never stops the others. Each mail's outcome is committed
on its own (`unit_of_work.Job`), so a mail whose outcome cannot be saved is rolled back
alone, then marked failed with the reason.
"""
import logging
import secrets
import sys
from collections import Counter
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import and_, or_, select, update

from awards import unit_of_work
from awards.adapters.mail import (MAX_SUBJECT, ConsoleTransport, MailBuildError, MailTransportError, build_message,
                                  new_message_id, single_line, transport_from_config)
from awards.enums import MailStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.urls import public_base_url

log = logging.getLogger("awards.mail")

# session.info key: ids of the mails queued in this session (for immediate delivery).
QUEUED_KEY = "awards_outbox_queued"


def render_mail(template, **context):
    """Render templates/emails/<template>.txt (and .html if present) -> (subject, text, html).

    The text template's first line is "Betreff: ..."; the subject is made single-line
    whatever the template or its data put into it.
    """
    env = current_app.jinja_env
    context.setdefault("base_url", public_base_url())
    # Mails are German whatever language the acting user chose (and they may be rendered
    # outside a request, e.g. by a flask command).
    with force_locale("de"):
        text = env.get_template(f"emails/{template}.txt").render(**context)
        first, _, body = text.partition("\n")
        subject = single_line(first.removeprefix("Betreff:"), MAX_SUBJECT)
        try:
            html_template = env.get_template(f"emails/{template}.html")
        except TemplateNotFound:  # the HTML part is optional
            html = ""
        else:
            html = html_template.render(subject=subject, **context)
    return subject, body.lstrip("\n"), html


def enqueue(*, to, template=None, subject=None, text=None, html="", list_unsubscribe="",
            **context):
    """Add a mail to the outbox (flushed, not committed). `list_unsubscribe`: the one-click
    unsubscribe address of a newsletter mail (sent as the List-Unsubscribe header)."""
    if template:
        subject, text, html = render_mail(template, **context)
    mail = OutboxMail(to_addr=(to or "").strip()[:254], subject=single_line(subject, MAX_SUBJECT),
                      body_text=text or "", body_html=html or "",
                      message_id=new_message_id(public_base_url()),
                      list_unsubscribe=single_line(list_unsubscribe)[:500])
    db.session.add(mail)
    db.session.flush()
    db.session.info.setdefault(QUEUED_KEY, []).append(mail.id)
    return mail


def backoff(attempts):
    """Wait before the next attempt: 1, 2, 4, ... minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _due(now):
    """Pending and due, or claimed by a sender whose lease has run out."""
    return or_(
        and_(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now),
        and_(OutboxMail.status == MailStatus.SENDING, OutboxMail.lease_until < now),
    )


def claim(*, session, token, now, limit=100, ids=None):
    """Claim up to `limit` due mails for the sender `token`; committed. Returns their ids.

    Each claim is a conditional UPDATE (still due?): of two senders that see the same mail,
    the second one's UPDATE matches no row. PostgreSQL skips rows another sender is
    claiming right now instead of waiting for it."""
    lease = timedelta(seconds=current_app.config.get("MAIL_LEASE_SECONDS", 600))
    query = select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.id).limit(limit)
    if ids is not None:
        query = query.where(OutboxMail.id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    with unit_of_work.transaction(session):
        for mail_id in session.scalars(query).all():
            result = session.execute(
                update(OutboxMail).where(OutboxMail.id == mail_id, _due(now))
                .values(status=MailStatus.SENDING, claimed_by=token, lease_until=now + lease)
                .execution_options(synchronize_session=False))
            if result.rowcount == 1:
                claimed.append(mail_id)
    return claimed


def _deliver(session, mail_id, *, token, transport, now, sender, base_url, max_attempts):
    """Send one claimed mail and record the outcome on it (the caller commits). Returns
    "sent" or "failed", or None when the mail is no longer this sender's."""
    mail = session.get(OutboxMail, mail_id, populate_existing=True)
    if mail is None or mail.claimed_by != token:
        return None
    mail.attempts += 1
    mail.lease_until = None
    try:
        message = build_message(sender=sender, to=mail.to_addr, subject=mail.subject,
                                text=mail.body_text, html=mail.body_html,
                                message_id=mail.message_id, base_url=base_url,
                                list_unsubscribe=mail.list_unsubscribe)
        transport.send(message)
    except MailTransportError as exc:
        mail.last_error = str(exc)[:2000]
        if mail.attempts >= max_attempts:
            mail.status = MailStatus.FAILED
        else:
            mail.status = MailStatus.PENDING
            mail.next_attempt_at = now + backoff(mail.attempts)
        log.warning("mail %s not sent (attempt %s): %s", mail.id, mail.attempts, exc)
        return "failed"
    except MailBuildError as exc:
        # Trying again would give the same result: failed for good, with the reason.
        mail.status = MailStatus.FAILED
        mail.last_error = str(exc)[:2000]
        log.error("mail %s cannot be built: %s", mail.id, exc)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - one broken mail must not stop the others
        mail.status = MailStatus.FAILED
        mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        log.exception("mail %s failed", mail.id)
        return "failed"
    mail.status = MailStatus.SENT
    mail.sent_at = utcnow()
    mail.last_error = ""
    return "sent"


def _record_failure(session, mail_id, *, token, reason):
    """After a mail's own transaction failed: mark it failed with the reason (not sent
    again, it may have gone out before the failure)."""
    session.execute(
        update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.claimed_by == token,
                                 OutboxMail.status == MailStatus.SENDING)
        .values(status=MailStatus.FAILED, lease_until=None, attempts=OutboxMail.attempts + 1,
                last_error=reason[:2000])
        .execution_options(synchronize_session=False))


def send_pending(*, transport=None, limit=100, now=None, session=None, ids=None):
    """Claim due mails, send them and record each outcome, each mail in a transaction of
    its own (unit_of_work.Job): a mail whose outcome cannot be saved is rolled back alone,
    marked failed with the reason, and the sender goes on with the next.

    Returns (sent, failed_this_run)."""
    session = session or db.session
    transport = transport or transport_from_config(current_app.config)
    now = now or utcnow()
    job = unit_of_work.Job("mail", session=session)
    options = dict(token=secrets.token_hex(16), transport=transport, now=now,
                   sender=current_app.config["MAIL_FROM"],
                   base_url=current_app.config.get("BASE_URL"),
                   max_attempts=current_app.config["MAIL_MAX_ATTEMPTS"])
    outcomes = Counter()
    for mail_id in claim(session=session, token=options["token"], now=now, limit=limit,
                         ids=ids):
        saved, outcome = job.run(f"mail {mail_id}", _deliver, session, mail_id, **options)
        if not saved:
            outcome = "failed"
            job.run(f"mail {mail_id}: recording the failure", _record_failure, session,
                    mail_id, token=options["token"], reason=job.failed[-1][1])
        outcomes[outcome] += 1
    purge_delivered(session=session, now=now)
    return outcomes["sent"], outcomes["failed"]


def purge_delivered(*, session=None, now=None):
    """Empty the bodies of mails delivered more than MAIL_KEEP_BODY_MINUTES ago; the rows
    (recipient, subject, times, Message-ID) stay. Returns the number purged (committed)."""
    now = now or utcnow()
    keep = timedelta(minutes=current_app.config.get("MAIL_KEEP_BODY_MINUTES", 60))
    with unit_of_work.transaction(session) as session:
        result = session.execute(
            update(OutboxMail)
            .where(OutboxMail.status == MailStatus.SENT, OutboxMail.purged_at.is_(None),
                   OutboxMail.sent_at <= now - keep)
            .values(body_text="", body_html="", purged_at=now)
            .execution_options(synchronize_session=False))
    return result.rowcount


def deliver_queued(*, ids):
    """Send the given freshly queued (and committed) mails at once, in a session of its own
    so that nothing else of the caller's is committed. Used in development."""
    from sqlalchemy.orm import Session

    transport = transport_from_config(current_app.config)
    if isinstance(transport, ConsoleTransport):
        # Straight to the terminal, whatever the logging configuration lets through.
        transport = ConsoleTransport(stream=sys.stderr)
    with Session(db.engine) as session:
        return send_pending(session=session, ids=list(ids), transport=transport)
