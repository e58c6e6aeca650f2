"""Queue mails in the outbox (same transaction as the cause) and send them with retries."""
import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import select

from awards.adapters.mail import MailTransportError, build_message, transport_from_config
from awards.enums import MailStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.mail import OutboxMail

log = logging.getLogger("awards.mail")


def render_mail(template, **context):
    """Render templates/emails/<template>.txt (and .html if present) -> (subject, text, html).

    The text template's first line is "Betreff: ...".
    """
    env = current_app.jinja_env
    context.setdefault("base_url", current_app.config["BASE_URL"])
    # Mails are German whatever language the acting user chose (and they may be rendered
    # outside a request, e.g. by a flask command).
    with force_locale("de"):
        text = env.get_template(f"emails/{template}.txt").render(**context)
        first, _, body = text.partition("\n")
        subject = first.removeprefix("Betreff:").strip()
        try:
            html_template = env.get_template(f"emails/{template}.html")
        except TemplateNotFound:  # the HTML part is optional
            html = ""
        else:
            html = html_template.render(subject=subject, **context)
    return subject, body.lstrip("\n"), html


def enqueue(*, to, template=None, subject=None, text=None, html="", **context):
    """Add a mail to the outbox (flushed, not committed)."""
    if template:
        subject, text, html = render_mail(template, **context)
    mail = OutboxMail(to_addr=to, subject=subject, body_text=text, body_html=html)
    db.session.add(mail)
    db.session.flush()
    return mail


def backoff(attempts):
    """Wait before the next attempt: 1, 2, 4, ... minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def send_pending(*, transport=None, limit=100, now=None):
    """Send due mails. Commits after each mail so a crash never sends twice.

    Returns (sent, failed_this_run).
    """
    transport = transport or transport_from_config(current_app.config)
    now = now or utcnow()
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    sender = current_app.config["MAIL_FROM"]
    query = (
        select(OutboxMail)
        .where(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    sent = failed = 0
    for mail in db.session.scalars(query).all():
        message = build_message(
            sender=sender, to=mail.to_addr, subject=mail.subject, text=mail.body_text,
            html=mail.body_html,
        )
        mail.attempts += 1
        try:
            transport.send(message)
        except MailTransportError as exc:
            failed += 1
            mail.last_error = str(exc)[:2000]
            if mail.attempts >= max_attempts:
                mail.status = MailStatus.FAILED
            else:
                mail.next_attempt_at = now + backoff(mail.attempts)
            log.warning("mail %s not sent (attempt %s): %s", mail.id, mail.attempts, exc)
        else:
            sent += 1
            mail.status = MailStatus.SENT
            mail.sent_at = utcnow()
            mail.last_error = ""
        db.session.commit()
    return sent, failed
