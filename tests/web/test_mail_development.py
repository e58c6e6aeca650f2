"""Where mails go: development delivers at once to the console with links to the served
address; testing and production keep them in the outbox with AWARDS_BASE_URL."""
import re

import pytest
from sqlalchemy import select

from awards import config as configs
from awards.enums import MailStatus
from awards.extensions import db
from awards.models.mail import OutboxMail
from awards.services import certificates
from tests import factories


@pytest.fixture
def development_mail(app):
    saved = {k: app.config[k] for k in ("MAIL_DELIVER_IMMEDIATELY", "BASE_URL_FROM_REQUEST")}
    app.config.update(MAIL_DELIVER_IMMEDIATELY=True, BASE_URL_FROM_REQUEST=True)
    yield app
    app.config.update(saved)


def _outbox():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def test_configs_say_where_mails_go(monkeypatch):
    monkeypatch.delenv("AWARDS_BASE_URL", raising=False)
    monkeypatch.delenv("AWARDS_MAIL_DELIVER_IMMEDIATELY", raising=False)
    development, testing, production = (configs.DevelopmentConfig(), configs.TestingConfig(),
                                         configs.ProductionConfig())
    assert (development.MAIL_DELIVER_IMMEDIATELY, development.BASE_URL_FROM_REQUEST) == (True, True)
    assert (testing.MAIL_DELIVER_IMMEDIATELY, testing.BASE_URL_FROM_REQUEST) == (False, False)
    assert (production.MAIL_DELIVER_IMMEDIATELY, production.BASE_URL_FROM_REQUEST) == (False, False)
    # A base URL named explicitly is kept in development too.
    monkeypatch.setenv("AWARDS_BASE_URL", "http://dev.example:8000")
    assert configs.DevelopmentConfig().BASE_URL_FROM_REQUEST is False


def test_development_access_link_appears_in_console_with_served_address(
        development_mail, client, capsys):
    user = factories.user(email="kim@example.org")
    db.session.commit()
    response = client.post("/konto/zugangslink", data={"magic-email": user.email},
                           base_url="http://192.168.178.20:8080")
    assert response.status_code == 200
    [row] = _outbox()
    assert (row.to_addr, row.status) == ("kim@example.org", MailStatus.SENT)
    console = capsys.readouterr().err
    assert "--- Mail an kim@example.org: Ihr Zugangslink zum Integrationspreis" in console
    links = re.findall(r"https?://\S+/konto/zugang\?token=\S+", console)
    assert len(links) == 1 and links[0].startswith("http://192.168.178.20:8080/konto/zugang?token=")


def test_testing_and_production_keep_mail_in_outbox_with_base_url(app, client):
    assert app.config["MAIL_DELIVER_IMMEDIATELY"] is False
    user = factories.user(email="kim@example.org")
    db.session.commit()
    client.post("/konto/zugangslink", data={"magic-email": user.email},
                base_url="http://angreifer.example")
    [row] = _outbox()
    assert row.status == MailStatus.PENDING
    assert "http://127.0.0.1:5000/konto/zugang?token=" in row.body_text
    assert "angreifer.example" not in row.body_text


def test_certificate_qr_link_follows_served_address_only_in_development(app):
    with app.test_request_context("/", base_url="http://localhost:8123"):
        assert certificates.verification_url("ABCD") == "http://127.0.0.1:5000/urkunde/pruefen/ABCD"
        app.config["BASE_URL_FROM_REQUEST"] = True
        try:
            assert certificates.verification_url("ABCD") == "http://localhost:8123/urkunde/pruefen/ABCD"
        finally:
            app.config["BASE_URL_FROM_REQUEST"] = False
