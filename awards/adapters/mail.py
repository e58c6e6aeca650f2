"""Mail transports: console (default) or SMTP when AWARDS_SMTP_HOST is set.

`build_message` makes every header single-line by construction: whatever a template or a
record puts into a subject or a display name, line breaks and other control characters
never reach a header; an address that carries them is refused (MailBuildError).
"""
import logging
import re
import smtplib
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from urllib.parse import urlsplit

log = logging.getLogger("awards.mail")

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
MAX_SUBJECT = 300


class MailTransportError(Exception):
    """The transport could not deliver; the mail stays in the outbox for a retry."""


class MailBuildError(ValueError):
    """The mail cannot be built (e.g. an invalid address); it is marked failed, not retried."""


def single_line(value, limit=None):
    """A header value on one line: control characters (CR, LF, TAB, NUL ...) become one
    space, runs of spaces shrink to one, the ends are trimmed."""
    value = re.sub(r" {2,}", " ", _CONTROL.sub(" ", str(value or ""))).strip()
    return value[:limit].rstrip() if limit else value


def message_id_domain(base_url):
    """The host of the public address, e.g. 'integrationspreis.bayern.de'."""
    host = urlsplit(base_url or "").hostname or ""
    return host or "localhost"


def new_message_id(base_url):
    return make_msgid(domain=message_id_domain(base_url))


def _address(value, *, what):
    """One mailbox ("Name <a@b>" or "a@b") as an Address; refused if it is not exactly one
    address or carries control characters (a header injection attempt or a broken record)."""
    raw = str(value or "")
    if _CONTROL.search(raw):
        raise MailBuildError(f"{what}: Steuerzeichen in der Adresse {raw!r}")
    parsed = getaddresses([raw])
    if len(parsed) != 1 or not parsed[0][1] or parsed[0][1].count("@") != 1:
        raise MailBuildError(f"{what}: ungültige Adresse {raw!r}")
    name, addr = parsed[0]
    local, _, domain = addr.partition("@")
    if not local or not domain:
        raise MailBuildError(f"{what}: ungültige Adresse {raw!r}")
    try:
        return Address(display_name=single_line(name), username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise MailBuildError(f"{what}: ungültige Adresse {raw!r}: {exc}") from exc


def build_message(*, sender, to, subject, text, html="", message_id=None, base_url=None,
                  date=None, list_unsubscribe=""):
    """The MIME message. Raises MailBuildError when it cannot be built."""
    message = EmailMessage()
    try:
        message["From"] = _address(sender, what="Absender")
        message["To"] = _address(to, what="Empfänger")
        message["Subject"] = single_line(subject, MAX_SUBJECT)
        message["Date"] = format_datetime(date or datetime.now(timezone.utc))
        message["Message-ID"] = single_line(message_id) or new_message_id(base_url)
        unsubscribe = single_line(list_unsubscribe)
        if unsubscribe:
            # RFC 2369: mail programs offer an unsubscribe button that opens the link. No
            # RFC 8058 one-click POST: every POST of the app carries a CSRF token.
            message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message.set_content(text or "")
        if html:
            message.add_alternative(html, subtype="html")
    except MailBuildError:
        raise
    except (ValueError, TypeError, LookupError) as exc:
        raise MailBuildError(f"Mail kann nicht erstellt werden: {exc}") from exc
    return message


class ConsoleTransport:
    name = "console"

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, message):
        text = message.get_body(("plain",)).get_content()
        out = f"--- Mail an {message['To']}: {message['Subject']}\n{text}\n---"
        if self.stream is not None:
            self.stream.write(out + "\n")
        else:
            log.info(out)


class SmtpTransport:
    name = "smtp"

    def __init__(self, *, host, port, user=None, password=None, starttls=True, timeout=15):
        self.host, self.port = host, port
        self.user, self.password = user, password
        self.starttls, self.timeout = starttls, timeout

    def send(self, message):
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailTransportError(f"SMTP {self.host}:{self.port}: {exc}") from exc


def transport_from_config(config):
    if config.get("SMTP_HOST"):
        return SmtpTransport(
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            user=config.get("SMTP_USER"),
            password=config.get("SMTP_PASSWORD"),
            starttls=config.get("SMTP_STARTTLS", True),
        )
    return ConsoleTransport()
