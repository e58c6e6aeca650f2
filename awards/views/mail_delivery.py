"""Development: mails a request queued are sent right after it (to the console unless an
SMTP host is set), so that `make run` shows access links and invitations in the terminal.
Elsewhere mails wait in the outbox for `flask send-mail`."""
import logging

from flask import Blueprint, current_app

from awards.extensions import db
from awards.services import mail

log = logging.getLogger("awards.mail")

bp = Blueprint("mail_delivery", __name__)


@bp.after_app_request
def deliver_queued_mails(response):
    ids = db.session.info.pop(mail.QUEUED_KEY, None)
    if ids and current_app.config.get("MAIL_DELIVER_IMMEDIATELY"):
        try:
            mail.deliver_queued(ids=ids)
        except Exception:  # noqa: BLE001 - the mails stay in the outbox; the page is done
            log.exception("immediate delivery failed; the mails wait for `flask send-mail`")
    return response
