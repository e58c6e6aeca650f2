"""Release mails for applications that end without a decision: each gets the mail that
matches what happened to it, and an application with a decision cannot slip out of the
decided set by being reopened."""
from sqlalchemy import select

from awards.enums import ApplicationStatus, CompetitionStatus
from awards.extensions import db
from awards.models.applications import Application
from awards.models.audit import AuditLog
from awards.models.mail import OutboxMail
from awards.services.jury import release
from tests import factories
from tests.rendered_forms import rendered_form


def _jury_year_with_a_pending_correction():
    comp = factories.competition(status=CompetitionStatus.JURY)
    winner, reopened = factories.submitted_application(comp), factories.submitted_application(comp)
    factories.scored(comp, [winner])
    factories.decide(winner)
    reopened.status = ApplicationStatus.REOPENED
    reopened.reopen_reason = "Der Finanzierungsplan fehlt."
    withdrawn = factories.submitted_application(comp)
    withdrawn.status = ApplicationStatus.WITHDRAWN
    draft = factories.application(competition=comp)
    db.session.flush()
    return comp, winner, reopened, withdrawn, draft


def test_release_tells_an_application_left_open_for_correction_why_it_was_not_considered(app):
    comp, winner, reopened, withdrawn, draft = _jury_year_with_a_pending_correction()
    with app.test_request_context():
        rel = release.release_decisions(actor=None, competition=comp)
    mails = {m.to_addr: m for m in db.session.scalars(select(OutboxMail))}
    # The correction was asked of the account holder: the mail goes where the request went.
    assert sorted(mails) == sorted([winner.email, reopened.owner.email])
    text = mails[reopened.owner.email].body_text
    assert "zur Korrektur geöffnet. Sie wurde danach nicht erneut abgesendet." in text
    assert "Korrigiert werden sollte: Der Finanzierungsplan fehlt." in text
    assert "Jury hat" not in text
    assert (rel.winners_notified, rel.others_notified) == (1, 1)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "decision.release")).one()
    assert entry.new["mails"] == {"congratulation": 1, "not_resubmitted": 1}


def test_release_page_lists_the_correction_mail(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp, *_ = _jury_year_with_a_pending_correction()
    db.session.commit()
    auth.login(staff)
    html = client.get(f"/geschaeftsstelle/entscheidungen/{comp.id}/freigabe").get_data(as_text=True)
    assert "Insgesamt gehen 2 Nachrichten hinaus." in html
    assert ("Nachricht an zur Korrektur geöffnete, nicht erneut abgesendete Bewerbungen: 1"
            in html)


def test_correction_mail_template_is_editable(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp, *_ = _jury_year_with_a_pending_correction()
    db.session.commit()
    auth.login(staff)
    url = f"/geschaeftsstelle/entscheidungen/{comp.id}/vorlagen/not_resubmitted"
    page = client.get(url)
    assert page.status_code == 200
    form = rendered_form(page.get_data(as_text=True), action="")
    form.fill(subject="Ihre Bewerbung {{ referenz }}",
              body="Guten Tag {{ ansprechperson }}, offen blieb: {{ grund }}")
    assert client.post(url, data=form.data()).status_code == 302
    assert release.template_for(comp, "not_resubmitted")[:2] == (
        "Ihre Bewerbung {{ referenz }}", "Guten Tag {{ ansprechperson }}, offen blieb: {{ grund }}")


def test_reopen_refused_while_a_decision_stands(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp = factories.competition(status=CompetitionStatus.JURY)
    winner = factories.submitted_application(comp)
    factories.decide(winner)
    db.session.commit()
    auth.login(staff)
    url = f"/geschaeftsstelle/bewerbungen/{winner.id}"
    form = rendered_form(client.get(url).get_data(as_text=True), action=f"{url}/korrektur")
    form.fill(reopen_reason="Die Postleitzahl fehlt.")
    response = client.post(form.action, data=form.data())
    assert response.status_code == 422
    assert "Bitte entfernen Sie zuerst die Entscheidung" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, winner.id).status == ApplicationStatus.SUBMITTED


def test_correction_mail_of_a_nomination_goes_to_the_nominator_who_was_asked(app):
    comp, winner, reopened, *_ = _jury_year_with_a_pending_correction()
    nominator = factories.user(email="nominierende@example.org")
    reopened.owner = nominator
    reopened.email = "projekt@nominiert.example"
    db.session.flush()
    with app.test_request_context():
        release.release_decisions(actor=None, competition=comp)
    to = {m.to_addr for m in db.session.scalars(select(OutboxMail))
          if "nicht erneut abgesendet" in m.body_text}
    assert to == {"nominierende@example.org"}
