"""Nominations involve the nominee: told by mail at submission, confirm or decline on the
linked page with their own publication consents, access to the application and certificate
in their own account after the release; the nominator is told too."""
import re

import lxml.html
import pytest
from sqlalchemy import select

from awards.enums import ApplicationStatus, CompetitionStatus, SubmissionKind
from awards.extensions import db
from awards.models.applications import Application
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.decisions import Decision
from awards.models.mail import OutboxMail
from awards.models.nominations import Nomination, NomineeStatus
from awards.services import nominations, publication
from awards.services.jury import release
from tests import factories
from tests.factories import complete_application
from tests.factories import decide
from tests.rendered_forms import rendered_form

NOMINEE = "schule@mainufer.example"


@pytest.fixture
def comp(app):
    return factories.competition(prize_code="BIP", year=2026, title="Bayerischer Integrationspreis")


@pytest.fixture
def nominator(app):
    return factories.user(email="eltern@example.org", name="Sami Schulz")


@pytest.fixture
def draft(comp, nominator):
    # The nominator ticked every publication consent while it was still a self-application:
    # for a nomination they must not count.
    return complete_application(
        competition=comp, owner=nominator, kind=SubmissionKind.NOMINATION,
        nominator_name="Sami Schulz", nominator_org="Elternbeirat", nominator_email="eltern@example.org",
        org_name="Grundschule am Mainufer", contact_name="Petra Beispiel", email=NOMINEE,
        consent_publish_name=True, consent_publish_text=True, consent_publish_photos=True,
        current_step=5)


def body(response):
    return response.get_data(as_text=True)


def mails_to(address):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == address)
                              .order_by(OutboxMail.id)).all()


def actions():
    return db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()


def submit_through_form(client, auth, draft):
    auth.login(draft.owner)
    page = client.get(f"/bewerbung/{draft.id}/schritt/5")
    form = rendered_form(body(page), form_id="application-form")
    assert "Die vorgeschlagene Person entscheidet selbst" in body(page)
    assert not {"consent_publish_name", "consent_publish_text", "consent_publish_photos"} & form.names
    form.fill(consent_privacy=True, consent_truthful=True)
    response = client.post(form.action, data=form.data(button="submit"))
    assert response.status_code == 302, body(response)
    auth.logout()
    db.session.expire_all()
    return db.session.get(Application, draft.id)


def nominee_link(mail):
    match = re.search(r"https?://[^\s]+(/bewerbung/vorschlag\?token=[^\s]+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


def nominee_answer(client, link, **values):
    page = client.get(link)
    assert page.status_code == 200
    form = rendered_form(body(page), form_id="nominee-form")
    form.fill(**values)
    return client.post(form.action, data=form.data())


def test_submitted_nomination_tells_the_nominee_and_clears_nominator_consents(client, auth, draft):
    application = submit_through_form(client, auth, draft)
    assert application.status == ApplicationStatus.SUBMITTED
    nomination = db.session.scalars(select(Nomination)).one()
    assert (nomination.application_id, nomination.nominee_email, nomination.status,
            nomination.notified_at is not None) == (
        application.id, NOMINEE, NomineeStatus.PENDING, True)
    assert (application.consent_publish_name, application.consent_publish_text,
            application.consent_publish_photos) == (False, False, False)
    [mail] = mails_to(NOMINEE)
    assert mail.subject == "Sie wurden für den Bayerischer Integrationspreis 2026 vorgeschlagen"
    assert "Sami Schulz (Elternbeirat) hat Ihr Projekt „Sprachcafé am Marktplatz“" in mail.body_text
    assert "Wie geht es weiter?" in mail.body_text
    assert nominee_link(mail).startswith("/bewerbung/vorschlag?token=")
    assert {"nomination.create", "nomination.notify"} <= set(actions())


def test_nominee_confirms_with_own_consents(client, auth, draft):
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    page = body(client.get(link))
    assert "Sami Schulz (Elternbeirat) hat das Projekt „Sprachcafé am Marktplatz“" in page
    response = nominee_answer(client, link, response="confirm", consent_publish_name=True,
                              consent_publish_text=True)
    assert response.status_code == 302
    assert "Sie haben den Vorschlag bestätigt." in body(client.get(response.location))
    db.session.expire_all()
    nomination = db.session.scalars(select(Nomination)).one()
    application = nomination.application
    assert (nomination.status, nomination.consent_publish_name, nomination.consent_publish_text,
            nomination.consent_publish_photos) == (NomineeStatus.CONFIRMED, True, True, False)
    assert (application.consent_publish_name, application.consent_publish_text,
            application.consent_publish_photos, application.status) == (
        True, True, False, ApplicationStatus.SUBMITTED)
    assert "nomination.confirm" in actions()
    [told] = mails_to("eltern@example.org")[-1:]
    assert told.subject == f"Ihr Vorschlag wurde bestätigt: {application.reference}"
    # The link stays valid to change the answer until the release; the page says what
    # was answered.
    again = client.get(link)
    assert again.status_code == 200
    assert "Sie haben den Vorschlag am " in body(again) and " bestätigt." in body(again)


def test_nominee_must_choose_an_answer(client, auth, draft):
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    response = nominee_answer(client, link, consent_publish_name=True)
    assert response.status_code == 422
    assert "Bitte wählen Sie eine Antwort aus." in body(response)
    assert db.session.scalars(select(Nomination.status)).one() == NomineeStatus.PENDING


def test_nominee_declines_and_the_nomination_is_withdrawn(client, auth, draft, app):
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    response = nominee_answer(client, link, response="decline", consent_publish_name=True)
    assert response.status_code == 302
    db.session.expire_all()
    nomination = db.session.scalars(select(Nomination)).one()
    application = nomination.application
    assert (nomination.status, application.status, application.withdrawn_at is not None,
            application.consent_publish_name) == (
        NomineeStatus.DECLINED, ApplicationStatus.WITHDRAWN, True, False)
    withdrawal = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "application.withdraw")).one()
    assert (withdrawal.object_id, withdrawal.old, withdrawal.new) == (
        application.id, {"status": "submitted"}, {"status": "withdrawn", "reason": "nominee_declined"})
    [told] = mails_to("eltern@example.org")[-1:]
    assert told.subject == f"Ihr Vorschlag wurde abgelehnt: {application.reference}"
    # Staff see the nominee's answer in the intake list and detail.
    auth.login(factories.staff(prize_code="BIP"))
    listing = body(client.get(f"/geschaeftsstelle/eingang/{application.competition_id}"))
    assert "Vorschlag durch Dritte: Von der vorgeschlagenen Person abgelehnt" in listing
    detail = body(client.get(f"/geschaeftsstelle/bewerbungen/{application.id}"))
    assert "Von der vorgeschlagenen Person abgelehnt" in detail


def test_staff_see_pending_nominee_in_intake(client, auth, draft):
    submit_through_form(client, auth, draft)
    auth.login(factories.staff(prize_code="BIP"))
    detail = body(client.get(f"/geschaeftsstelle/bewerbungen/{draft.id}"))
    assert "Noch keine Antwort der vorgeschlagenen Person" in detail
    assert f"an {NOMINEE}" in detail


def _decide_and_release(application, staff):
    competition = application.competition
    competition.status = CompetitionStatus.JURY
    db.session.flush()
    decide(application, actor=staff)
    release.release_decisions(actor=staff, competition=competition)
    db.session.commit()


def test_publication_uses_the_nominees_consents_not_the_nominators(client, auth, draft):
    submit_through_form(client, auth, draft)
    staff = factories.staff(prize_code="BIP")
    application = db.session.get(Application, draft.id)
    _decide_and_release(application, staff)
    publication.publish_now(actor=staff, competition=application.competition)
    db.session.commit()
    [winner] = publication.list_winners(now=utcnow())[0]
    # The nominator ticked everything; the nominee has not answered: nothing is published.
    assert (winner.name, winner.project_title, winner.summary) == (None, None, None)
    link = nominee_link(mails_to(NOMINEE)[0])
    nominee_answer(client, link, response="confirm", consent_publish_text=True)
    db.session.expire_all()
    [winner] = publication.list_winners(now=utcnow())[0]
    assert (winner.name, winner.project_title) == (None, "Sprachcafé am Marktplatz")


def test_release_gives_the_nominee_access_and_tells_the_nominator(client, auth, draft):
    submit_through_form(client, auth, draft)
    nominee_answer(client, nominee_link(mails_to(NOMINEE)[0]), response="confirm",
                   consent_publish_name=True)
    nominee_user = factories.user(email=NOMINEE)
    db.session.commit()
    # Before the release the nominee's account does not see the application.
    auth.login(nominee_user)
    assert client.get(f"/bewerbung/{draft.id}").status_code == 404
    assert "Sprachcafé am Marktplatz" not in body(client.get("/bewerbung/"))
    auth.logout()

    staff = factories.staff(prize_code="BIP")
    _decide_and_release(db.session.get(Application, draft.id), staff)
    nomination = db.session.scalars(select(Nomination)).one()
    assert (nomination.nominee_user_id, nomination.access_granted_at is not None) == (
        nominee_user.id, True)
    access = [m for m in mails_to(NOMINEE) if m.subject.startswith("Ihr Zugang zur Bewerbung")]
    assert len(access) == 1
    assert "/konto/zugang?token=" in access[0].body_text
    assert "und Ihre Urkunde" in access[0].body_text
    result = [m for m in mails_to("eltern@example.org") if m.subject.startswith("Ergebnis")]
    assert len(result) == 1 and "wird ausgezeichnet" in result[0].body_text

    auth.login(nominee_user)
    dashboard = body(client.get("/bewerbung/"))
    assert "Sprachcafé am Marktplatz" in dashboard
    assert "Sie wurden mit diesem Projekt vorgeschlagen." in dashboard
    assert f'href="/urkunde/{draft.id}"' in dashboard
    show = client.get(f"/bewerbung/{draft.id}")
    assert show.status_code == 200
    assert "ändern kann sie nur die vorschlagende Person" in body(show)
    assert "Für anderen Preis kopieren" not in body(show)
    # Read only: the nominee cannot edit, withdraw or copy.
    assert client.get(f"/bewerbung/{draft.id}/schritt/1").status_code == 404
    assert client.get(f"/bewerbung/{draft.id}/kopieren").status_code == 404
    certificate = client.get(f"/urkunde/{draft.id}")
    assert (certificate.status_code, certificate.mimetype) == (200, "application/pdf")


def test_access_link_logs_the_nominee_in_to_the_application(client, auth, draft):
    submit_through_form(client, auth, draft)
    staff = factories.staff(prize_code="BIP")
    _decide_and_release(db.session.get(Application, draft.id), staff)
    access = next(m for m in mails_to(NOMINEE) if m.subject.startswith("Ihr Zugang"))
    path = re.search(r"https?://[^\s]+(/konto/zugang\?token=[^\s]+)", access.body_text).group(1)
    page = client.get(path)
    # The token travels on in the body of a POST to an address without it.
    form = rendered_form(body(page), action="/konto/zugang")
    response = client.post("/konto/zugang", data=form.data())
    assert response.status_code == 302
    assert response.location.endswith(f"/bewerbung/{draft.id}")
    assert "Sprachcafé am Marktplatz" in body(client.get(f"/bewerbung/{draft.id}"))


# --- changing the answer until the release ------------------------------------------------

def _told(address="eltern@example.org"):
    return mails_to(address)[-1]


def test_nominee_confirms_after_declining_and_the_nomination_is_back(client, auth, draft):
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    nominee_answer(client, link, response="decline")
    page = client.get(link)
    assert "Sie haben den Vorschlag am " in body(page) and " abgelehnt." in body(page)
    form = rendered_form(body(page), form_id="nominee-form")
    assert form.values["response"] == "decline"  # the earlier answer, shown as chosen
    response = nominee_answer(client, link, response="confirm", consent_publish_photos=True)
    assert response.status_code == 302
    db.session.expire_all()
    nomination = db.session.scalars(select(Nomination)).one()
    application = nomination.application
    assert (nomination.status, application.status, application.withdrawn_at,
            application.consent_publish_photos, application.consent_publish_name) == (
        NomineeStatus.CONFIRMED, ApplicationStatus.SUBMITTED, None, True, False)
    restore = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "application.restore")).one()
    assert restore.new == {"status": "submitted", "reason": "nominee_confirmed"}
    told = _told()
    assert told.subject == f"Antwort auf Ihren Vorschlag geändert: {application.reference}"
    assert "Sie hat den Vorschlag jetzt bestätigt." in told.body_text


def test_nominee_declines_after_confirming_and_the_nominator_is_told(client, auth, draft):
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    nominee_answer(client, link, response="confirm", consent_publish_name=True)
    response = nominee_answer(client, link, response="decline")
    assert response.status_code == 302
    db.session.expire_all()
    nomination = db.session.scalars(select(Nomination)).one()
    assert (nomination.status, nomination.application.status,
            nomination.application.consent_publish_name) == (
        NomineeStatus.DECLINED, ApplicationStatus.WITHDRAWN, False)
    told = _told()
    assert told.subject.startswith("Antwort auf Ihren Vorschlag geändert")
    assert "Sie möchte jetzt nicht mehr teilnehmen." in told.body_text


def test_nominee_changes_only_consents_without_telling_the_nominator_again(client, auth, draft):
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    nominee_answer(client, link, response="confirm", consent_publish_name=True)
    sent = len(mails_to("eltern@example.org"))
    form = rendered_form(body(client.get(link)), form_id="nominee-form")
    assert form.values.get("consent_publish_name") == "y"  # the consents given, shown again
    nominee_answer(client, link, response="confirm", consent_publish_name=False,
                   consent_publish_text=True)
    db.session.expire_all()
    application = db.session.get(Application, draft.id)
    assert (application.consent_publish_name, application.consent_publish_text) == (False, True)
    assert len(mails_to("eltern@example.org")) == sent


def test_nominee_declining_takes_a_recorded_decision_with_the_nomination(client, auth, draft):
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    nominee_answer(client, link, response="confirm", consent_publish_name=True)
    application = db.session.get(Application, draft.id)
    decide(application)  # moves the year into the jury phase, as staff would
    db.session.commit()
    assert nominee_answer(client, link, response="decline").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Decision)).all() == []
    assert "decision.delete" in actions()
    assert db.session.get(Application, draft.id).status == ApplicationStatus.WITHDRAWN


def test_after_the_release_an_answer_no_longer_changes(client, auth, draft):
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    nominee_answer(client, link, response="confirm", consent_publish_name=True)
    _decide_and_release(db.session.get(Application, draft.id), factories.staff(prize_code="BIP"))
    page = body(client.get(link))
    assert "Ihre Antwort kann jetzt nicht mehr geändert werden." in page
    assert 'id="nominee-form"' not in page


def test_a_nominee_who_never_answered_may_only_confirm_after_the_release(client, auth, draft):
    submit_through_form(client, auth, draft)
    _decide_and_release(db.session.get(Application, draft.id), factories.staff(prize_code="BIP"))
    link = nominee_link(mails_to(NOMINEE)[0])
    form = rendered_form(body(client.get(link)), form_id="nominee-form")
    assert form.checkboxes["response"] == ["confirm"]
    assert nominee_answer(client, link, response="confirm").status_code == 302
    assert db.session.scalars(select(Nomination.status)).one() == NomineeStatus.CONFIRMED


def test_a_refused_answer_is_shown_beside_the_question_and_in_the_summary(client, auth, draft):
    # The page was opened before the release; the answer is sent after it. Declining is no
    # longer possible, confirming still is: the form comes back with the reason.
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    form = rendered_form(body(client.get(link)), form_id="nominee-form")
    assert form.checkboxes["response"] == ["confirm", "decline"]
    _decide_and_release(db.session.get(Application, draft.id), factories.staff(prize_code="BIP"))
    form.fill(response="decline", consent_publish_name=True, consent_publish_photos=True)
    response = client.post(form.action, data=form.data())
    assert response.status_code == 422
    doc = lxml.html.fromstring(body(response))
    nomination = db.session.scalars(select(Nomination)).one()
    message = str(nominations.answer_problem(nomination, confirm=False))
    beside = doc.xpath("//form[@id='nominee-form']//p[@id='response-error']")
    assert [" ".join(p.text_content().split()) for p in beside] == [message]
    summary = doc.xpath("//div[@id='error-summary']")[0]
    assert message in " ".join(summary.text_content().split())
    # Only the summary at the top and the field: no alert of its own.
    assert " ".join(doc.text_content().split()).count(message) == 2
    # What the nominee ticked is kept; nothing was saved.
    again = rendered_form(body(response), form_id="nominee-form")
    assert (again.values.get("consent_publish_name"), again.values.get("consent_publish_text"),
            again.values.get("consent_publish_photos")) == ("y", None, "y")
    assert nomination.status == NomineeStatus.PENDING


# --- the link: token in the query string, acted on by POST ----------------------------------

def test_old_path_link_redirects_to_a_page_that_keeps_the_token_out_of_links(client, auth, draft):
    submit_through_form(client, auth, draft)
    link = nominee_link(mails_to(NOMINEE)[0])
    token = link.split("token=", 1)[1]
    old = client.get(f"/bewerbung/vorschlag/{token}")
    assert (old.status_code, old.location) == (302, f"/bewerbung/vorschlag?token={token}")
    page = client.get(old.location)
    html = body(page)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]
    # Only the hidden field of the form carries it; no link, no form address.
    assert html.count(token) == 1
    assert re.search(r'<input[^>]*type="hidden"[^>]*value="' + re.escape(token), html) or \
        re.search(r'<input[^>]*value="' + re.escape(token) + r'"[^>]*type="hidden"', html)
    form = rendered_form(html, form_id="nominee-form")
    assert form.action == "/bewerbung/vorschlag"
    assert 'href="/sprache/en?next=/bewerbung/vorschlag"' in html


def test_nominee_page_without_or_with_unknown_token_says_the_link_is_invalid(client, app):
    for path in ("/bewerbung/vorschlag", "/bewerbung/vorschlag?token=unbekannt"):
        response = client.get(path)
        assert response.status_code == 410
        assert "Dieser Link gilt nicht mehr" in body(response)
