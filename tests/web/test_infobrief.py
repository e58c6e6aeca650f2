"""The Infobrief: double opt-in, the same answer for everyone, one-click unsubscribe,
counts for staff, and the mails when a call opens and when winners are published."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from awards.adapters.mail import build_message
from awards.enums import CompetitionStatus
from awards.extensions import db, limiter
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.models.messaging import InfobriefSubscription
from awards.services import infobrief
from tests import factories
from tests.rendered_forms import rendered_form


def _subscribe(client, email, prizes="BIP", regions=None):
    form = rendered_form(client.get("/infobrief/").text, form_id="subscribe")
    values = {"email": email, "privacy": True}
    if prizes:
        values["prizes"] = prizes
    if regions:
        values["regions"] = regions
    form.fill(**values)
    return client.post("/infobrief/", data=form.data())


def _mails(to):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == to)
                              .order_by(OutboxMail.id)).all()


def _link(mail, path):
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\?token=[^\s]+)", mail.body_text).group(1)


def _confirmed(client, email, **kw):
    _subscribe(client, email, **kw)
    confirm_url = _link(_mails(email)[-1], "/infobrief/bestaetigen")
    page = client.get(confirm_url)
    form = rendered_form(page.text, action="/infobrief/bestaetigen")
    return client.post("/infobrief/bestaetigen", data=form.data())


def test_subscription_needs_the_confirmation_link(client):
    response = _subscribe(client, "lea@example.org", prizes="BIP", regions="SCHW")
    assert response.status_code == 200 and "Bitte bestätigen Sie Ihre Adresse" in response.text
    row = db.session.scalars(select(InfobriefSubscription)).one()
    assert row.confirmed_at is None and row.prize_codes == ["BIP"] and row.regions == ["SCHW"]
    assert infobrief.counts()["total"] == 0
    (mail,) = _mails("lea@example.org")
    assert "Bayerischer Integrationspreis" in mail.body_text
    assert "alles zum Regierungsbezirk Schwaben" in mail.body_text
    assert "Sie erhalten diese E-Mail, weil Ihre Adresse" in mail.body_text
    url = _link(mail, "/infobrief/bestaetigen")
    # The link only shows a button: a mail scanner following it confirms nothing.
    page = client.get(url)
    assert page.status_code == 200 and "Abonnement bestätigen" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert db.session.scalars(select(InfobriefSubscription)).one().confirmed_at is None
    form = rendered_form(page.text, action="/infobrief/bestaetigen")
    response = client.post("/infobrief/bestaetigen", data=form.data())
    assert response.status_code == 200 and "Infobrief abonniert" in response.text
    assert infobrief.counts()["total"] == 1
    # The link works once.
    assert client.post("/infobrief/bestaetigen", data=form.data()).status_code == 410
    assert client.get(url).status_code == 410


def test_subscribe_answers_the_same_whether_subscribed_or_not(client):
    _confirmed(client, "known@example.org")
    known = _subscribe(client, "known@example.org", prizes="OBB")
    unknown = _subscribe(client, "new@example.org", prizes="OBB")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("known@", "X@") == unknown.text.replace("new@", "X@")
    # The confirmed choice stays until the new request is confirmed.
    row = db.session.scalars(select(InfobriefSubscription).where(
        InfobriefSubscription.email == "known@example.org",
        InfobriefSubscription.confirmed_at.is_not(None))).one()
    assert row.prize_codes == ["BIP"]


def test_subscribe_refuses_without_a_choice_and_keeps_the_address(client):
    response = _subscribe(client, "lea@example.org", prizes=None)
    assert response.status_code == 422
    assert "Bitte wählen Sie mindestens einen Preis oder einen Regierungsbezirk." in response.text
    assert 'value="lea@example.org"' in response.text
    assert db.session.scalar(select(func.count(InfobriefSubscription.id))) == 0


def test_a_second_request_within_minutes_sends_no_second_link(client):
    _subscribe(client, "lea@example.org")
    _subscribe(client, "lea@example.org")
    assert len(_mails("lea@example.org")) == 1


def test_subscribe_is_rate_limited(app, client):
    app.config["RATELIMIT_ENABLED"] = True
    limiter.reset()
    try:
        codes = [client.post("/infobrief/", data={"email": f"x{i}@example.org", "prizes": "BIP",
                                                  "privacy": "y"}).status_code for i in range(7)]
    finally:
        app.config["RATELIMIT_ENABLED"] = False
        limiter.reset()
    assert codes[:5] == [200] * 5 and codes[5] == 429


def test_unconfirmed_requests_expire(client):
    _subscribe(client, "lea@example.org")
    assert infobrief.purge_expired(now=utcnow() + timedelta(hours=47)) == 0
    assert infobrief.purge_expired(now=utcnow() + timedelta(hours=49)) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count(InfobriefSubscription.id))) == 0


def test_call_opening_and_winners_reach_matching_subscribers_once(app, client):
    _confirmed(client, "bip@example.org", prizes="BIP")
    _confirmed(client, "schwaben@example.org", prizes=None, regions="SCHW")
    _confirmed(client, "obb@example.org", prizes="OBB")
    bip = factories.competition(prize_code="BIP", title="Bayerischer Integrationspreis")
    schw = factories.competition(prize_code="SCHW", status=CompetitionStatus.DRAFT)
    db.session.commit()
    assert infobrief.run() == {"call_open": 2, "winners": 0}
    assert infobrief.run() == {"call_open": 0, "winners": 0}  # once only
    (mail,) = [m for m in _mails("bip@example.org") if m.subject.startswith("Infobrief")]
    assert mail.subject == f"Infobrief: Bewerbung jetzt möglich – Bayerischer Integrationspreis {bip.year}"
    unsubscribe = _link(mail, "/infobrief/abbestellen")
    assert mail.list_unsubscribe.endswith(unsubscribe)
    message = build_message(sender="a@example.org", to=mail.to_addr, subject=mail.subject,
                            text=mail.body_text, list_unsubscribe=mail.list_unsubscribe)
    assert message["List-Unsubscribe"] == f"<{mail.list_unsubscribe}>"
    assert [m.subject for m in _mails("obb@example.org") if m.subject.startswith("Infobrief")] == []
    # A draft is not public: nothing until the call opens.
    schw.status = CompetitionStatus.OPEN
    db.session.commit()
    assert infobrief.run() == {"call_open": 1, "winners": 0}
    # Winners published.
    released, _winners, _others = factories.released_competition(prize_code="OBB")
    factories.publish(released)
    db.session.commit()
    assert infobrief.run()["winners"] == 1
    (winners,) = [m for m in _mails("obb@example.org") if m.subject.startswith("Infobrief")]
    assert "Preisträger" in winners.subject and "Abbestellen mit einem Klick" in winners.body_text


def test_one_click_unsubscribe_deletes_the_address(client):
    _confirmed(client, "lea@example.org")
    row = db.session.scalars(select(InfobriefSubscription)).one()
    url = f"/infobrief/abbestellen?token={row.unsubscribe_key}"
    page = client.get(url)
    assert page.status_code == 200 and "Infobrief abbestellen" in page.text
    assert db.session.scalar(select(func.count(InfobriefSubscription.id))) == 1
    form = rendered_form(page.text, action="/infobrief/abbestellen")
    response = client.post("/infobrief/abbestellen", data=form.data())
    assert response.status_code == 200 and "Ihre Adresse und Ihre Auswahl sind gelöscht" in response.text
    assert db.session.scalar(select(func.count(InfobriefSubscription.id))) == 0
    again = client.post("/infobrief/abbestellen", data=form.data())
    assert again.status_code == 200 and "kein Abonnement (mehr)" in again.text
    assert client.get(url).status_code == 404


def test_staff_see_counts_never_addresses(client, auth):
    _confirmed(client, "lea@example.org", prizes="BIP", regions="OBB")
    _confirmed(client, "max@example.org", prizes="OBB")
    _subscribe(client, "pending@example.org")
    admin_staff = factories.staff()
    district = factories.staff(prize_code="OBB")
    db.session.commit()
    auth.login(admin_staff)
    page = client.get("/geschaeftsstelle/infobrief").text
    assert "Insgesamt: 2 bestätigt, 1 noch nicht bestätigt." in page
    assert "lea@example.org" not in page and "max@" not in page
    auth.logout()
    auth.login(district)
    page = client.get("/geschaeftsstelle/infobrief").text
    assert "Integrationspreis der Regierung von Oberbayern" in page
    assert "Bayerischer Integrationspreis" not in page and "Insgesamt" not in page
    auth.logout()
    auth.login(factories.user())
    assert client.get("/geschaeftsstelle/infobrief").status_code == 403


def test_english_subscription_names_the_prizes_in_english_and_the_mail_stays_german(client):
    from flask_babel import refresh

    html = client.get("/infobrief/").text
    assert "Integrationspreis der Regierung der Oberpfalz" in html
    assert "Integrationspreis der Regierung von Schwaben" in html
    client.get("/sprache/en")
    refresh()
    html = client.get("/infobrief/").text
    for name in ("Bavarian Integration Prize", "Integration Prize of the Government of Oberpfalz",
                 "Integration Prize of the Government of Schwaben"):
        assert name in html
    assert "Integrationspreis" not in html
    email = "en@example.org"
    _subscribe(client, email, prizes="BIP", regions="SCHW")
    (mail,) = _mails(email)
    assert "Bayerischer Integrationspreis" in mail.body_text
    assert "alles zum Regierungsbezirk Schwaben" in mail.body_text
    page = client.get(_link(mail, "/infobrief/bestaetigen"))
    form = rendered_form(page.text, action="/infobrief/bestaetigen")
    confirmed = client.post("/infobrief/bestaetigen", data=form.data()).text
    assert "everything about the administrative region of Schwaben" in confirmed
    assert "Bavarian Integration Prize" in confirmed
