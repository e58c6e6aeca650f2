"""Mail transports: console (default) or SMTP when AWARDS_SMTP_HOST is set."""
import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

log = logging.getLogger("awards.mail")


class MailTransportError(Exception):
    """The transport could not deliver; the mail stays in the outbox for a retry."""


def build_message(*, sender, to, subject, text, html=""):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="integrationspreis.example")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
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
