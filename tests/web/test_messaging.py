"""The composer: write, preview per recipient, confirm the count, send through the outbox."""
from flask_babel import refresh
from sqlalchemy import select

from awards.enums import ApplicationStatus, Role
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.mail import OutboxMail
from awards.services import accounts
from tests import factories
from tests.rendered_forms import rendered_form


def _url(comp):
    return f"/geschaeftsstelle/wettbewerbe/{comp.id}/nachricht"


def _write(client, comp, **values):
    form = rendered_form(client.get(_url(comp)).text, form_id="compose")
    form.fill(**values)
    return client.post(_url(comp), data=form.data(button=("step", "preview")))


def _outbox():
    return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def _scene(prize_code="OBB"):
    comp = factories.competition(prize_code=prize_code, title="Integrationspreis Oberbayern",
                                 ceremony_place="Residenz München")
    staff = factories.staff(prize_code=prize_code)
    first = factories.submitted_application(comp, admissible=True, contact_name="Maria Muster", email="maria@example.org",
                                  project_title="Sprachcafé")
    second = factories.submitted_application(comp, admissible=True, contact_name="Ali Beispiel", email="ali@example.org",
                                   project_title="Nähwerkstatt")
    draft = factories.application(competition=comp, status=ApplicationStatus.DRAFT,
                                  project_title="Entwurf")
    db.session.commit()
    return comp, staff, first, second, draft


def test_composer_previews_each_recipient_and_sends_after_confirming_the_count(client, auth):
    comp, staff, first, second, _draft = _scene()
    auth.login(staff)
    response = _write(client, comp, group="applicants", subject="Hinweis zu {projekt}",
                      body="{anrede},\n\nIhr Projekt {projekt} beim {wettbewerb}.")
    assert response.status_code == 200
    assert "Empfängerin oder Empfänger 1 von 2" in response.text
    assert "Guten Tag Maria Muster" in response.text and "Hinweis zu Sprachcafé" in response.text
    assert "Sie erhalten diese E-Mail, weil Sie sich beim Integrationspreis Oberbayern" in response.text
    # Page to the second recipient without JavaScript: a button of the pager form.
    pager = rendered_form(response.text, form_id="pager")
    response = client.post(_url(comp), data=pager.data(button=("n", "2")))
    assert "Empfängerin oder Empfänger 2 von 2" in response.text
    assert "Guten Tag Ali Beispiel" in response.text and "ali@example.org" in response.text
    assert _outbox() == []  # nothing goes out before the confirmation

    actions = rendered_form(response.text, form_id="preview-actions")
    response = client.post(_url(comp), data=actions.data(button=("step", "confirm")))
    assert "2 Personen erhalten je eine eigene E-Mail." in response.text
    send = rendered_form(response.text, form_id="send")
    refused = client.post(_url(comp), data=send.data(button=("step", "send")))
    assert refused.status_code == 422
    assert "Bitte bestätigen Sie, dass die Nachricht gesendet werden soll." in refused.text
    assert _outbox() == []

    send.fill(confirm=True)
    response = client.post(_url(comp), data=send.data(button=("step", "send")))
    assert response.status_code == 302
    mails = _outbox()
    assert [(m.to_addr, m.subject) for m in mails] == [
        ("maria@example.org", "Hinweis zu Sprachcafé"), ("ali@example.org", "Hinweis zu Nähwerkstatt")]
    assert mails[0].body_text.startswith("Guten Tag Maria Muster,\n\nIhr Projekt Sprachcafé beim "
                                         f"Integrationspreis Oberbayern {comp.year}.")
    assert "Sie erhalten diese E-Mail, weil" in mails[1].body_text
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "message.send")).one()
    assert entry.actor_id == staff.id
    assert entry.new == {"group": "applicants", "count": 2, "subject": "Hinweis zu {projekt}"}


def test_composer_refuses_an_unknown_placeholder_next_to_the_field(client, auth):
    comp, staff, *_ = _scene()
    auth.login(staff)
    response = _write(client, comp, group="applicants", subject="Hallo",
                      body="{anrede}, Ihre {fristt} läuft.")
    assert response.status_code == 422
    assert "Unbekannter Platzhalter {fristt}." in response.text
    assert 'id="body-error"' in response.text and 'id="error-summary"' in response.text
    # The text box keeps its own class (room to write) next to the error class.
    assert 'class="kern-form-input__input mail-body kern-form-input__input--error"' in response.text
    # What was typed stays.
    assert rendered_form(response.text, form_id="compose").values["body"] == "{anrede}, Ihre {fristt} läuft."
    assert _outbox() == []


def test_composer_writes_to_drafts_winners_and_a_round(client, auth):
    comp, staff, first, _second, draft = _scene()
    juror = factories.juror(comp, name="Jana Jury")
    round_ = factories.open_round(competition=comp, jurors=[juror], applications=[first])
    factories.decide(first, actor=staff)
    db.session.commit()
    auth.login(staff)
    response = _write(client, comp, group="drafts", subject="Frist", body="Noch bis {frist}.")
    assert draft.owner.email in response.text and "1 von 1" in response.text
    response = _write(client, comp, group="winners", subject="Verleihung",
                      body="{anrede}: {verleihung}")
    assert "maria@example.org" in response.text and "Residenz München" in response.text
    response = _write(client, comp, group=f"round-{round_.id}", subject="Runde",
                      body="{anrede}, die Runde {runde} läuft.")
    assert "Guten Tag Jana Jury, die Runde Vorauswahl läuft." in response.text


def test_jury_groups_reach_active_accounts_only(client, auth):
    comp, staff, first, _second, _draft = _scene()
    juror = factories.juror(comp, name="Jana Jury", email="jana@example.org")
    gone = factories.juror(comp, name="Gerd Gegangen", email="gerd@example.org")
    round_ = factories.open_round(competition=comp, jurors=[juror, gone], applications=[first])
    gone.active = False
    db.session.commit()
    auth.login(staff)
    for group in ("jurors", f"round-{round_.id}"):
        response = _write(client, comp, group=group, subject="Hinweis", body="{anrede}")
        assert "jana@example.org" in response.text and "1 von 1" in response.text
        assert "gerd@example.org" not in response.text


def test_composer_never_lets_applicants_reach_the_jury_while_anonymous(client, auth):
    comp, staff, first, _second, _draft = _scene()
    juror = factories.juror(comp)
    factories.open_round(competition=comp, jurors=[juror], applications=[first])
    db.session.commit()
    auth.login(staff)
    response = _write(client, comp, group="jurors", subject="Hinweis", body="Bitte {projekt} lesen.")
    assert response.status_code == 422 and "Unbekannter Platzhalter {projekt}." in response.text
    response = _write(client, comp, group="jurors", subject="Hinweis",
                      body="Bitte lesen Sie besonders das Sprachcafé von Maria Muster.")
    assert response.status_code == 422
    assert "Die Jury bewertet anonym" in response.text
    assert _outbox() == []


def test_staff_on_the_jury_may_write_to_jury_groups_only(client, auth):
    comp, _staff, first, _second, _draft = _scene()
    staff_juror = factories.staff(prize_code="OBB")
    accounts.assign_role(actor=None, user=staff_juror, role=Role.JUROR, competition=comp)
    factories.open_round(competition=comp, jurors=[staff_juror], applications=[first])
    db.session.commit()
    auth.login(staff_juror)
    form = rendered_form(client.get(_url(comp)).text, form_id="compose")
    assert "applicants" not in form.selects["group"] and "jurors" in form.selects["group"]
    response = client.post(_url(comp), data={"group": "applicants", "subject": "x", "body": "y",
                                             "step": "preview"})
    assert response.status_code == 422 and "maria@example.org" not in response.text


def test_district_staff_cannot_write_for_another_prize(client, auth):
    comp, *_ = _scene(prize_code="OBB")
    other = factories.staff(prize_code="SCHW")
    db.session.commit()
    auth.login(other)
    assert client.get(_url(comp)).status_code == 403
    assert client.post(_url(comp), data={"group": "applicants", "subject": "x", "body": "y",
                                         "step": "send", "confirm": "y", "count": "2"}).status_code == 403
    assert _outbox() == []


def test_sending_refuses_when_the_count_changed_since_the_confirmation(client, auth):
    comp, staff, *_ = _scene()
    auth.login(staff)
    response = _write(client, comp, group="applicants", subject="Hallo", body="Text")
    actions = rendered_form(response.text, form_id="preview-actions")
    send = rendered_form(client.post(_url(comp), data=actions.data(button=("step", "confirm"))).text,
                         form_id="send")
    factories.application(competition=comp, status=ApplicationStatus.SUBMITTED)
    db.session.commit()
    send.fill(confirm=True)
    response = client.post(_url(comp), data=send.data(button=("step", "send")))
    assert response.status_code == 422 and "jetzt 3" in response.text
    assert _outbox() == []


def test_composer_in_english_still_mails_in_german(client, auth):
    comp, staff, *_ = _scene()
    auth.login(staff)
    client.get("/sprache/en")
    refresh()  # Flask-Babel caches the locale on the test's app context
    page = client.get(_url(comp)).text
    assert "Write a message" in page and "All applicants (submitted applications)" in page
    response = client.post(_url(comp), data={"group": "applicants", "subject": "Hallo",
                                             "body": "{anrede}", "step": "preview"})
    assert "Recipient 1 of 2" in response.text
    assert "Sie erhalten diese E-Mail, weil Sie sich beim Integrationspreis Oberbayern" in response.text
    assert "Unbekannter" not in client.post(_url(comp), data={
        "group": "applicants", "subject": "x", "body": "{y}", "step": "preview"}).text


def test_composer_limit_reads_as_a_grouped_number_in_each_language(client, auth):
    comp, staff, *_ = _scene()
    auth.login(staff)
    too_long = "x" * 20001
    response = _write(client, comp, group="applicants", subject="Hallo", body=too_long)
    assert response.status_code == 422
    assert "höchstens 20.000 Zeichen" in response.text
    client.get("/sprache/en")
    refresh()
    response = _write(client, comp, group="applicants", subject="Hallo", body=too_long)
    assert response.status_code == 422
    assert "20,000 characters" in response.text and "20000" not in response.text.replace(too_long, "")
    assert _outbox() == []
