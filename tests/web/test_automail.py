"""Automatic mails: switched per competition, sent by `flask auto-mails`, each only once."""
from datetime import timedelta

from sqlalchemy import select

from awards.enums import ApplicationStatus
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.models.messaging import AutoMailSent
from awards.services import automail
from tests import factories
from tests.rendered_forms import rendered_form


def _subjects(to):
    return [m.subject for m in db.session.scalars(
        select(OutboxMail).where(OutboxMail.to_addr == to).order_by(OutboxMail.id))]


def test_staff_switch_the_automatic_mails_with_an_audit_entry(client, auth):
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB")
    db.session.commit()
    auth.login(staff)
    url = f"/geschaeftsstelle/wettbewerbe/{comp.id}/automatische-mails"
    form = rendered_form(client.get(url).text, form_id="auto-mails")
    assert form.values["mail_draft_reminder_days"] == "7"
    form.fill(mail_draft_reminder=True, mail_draft_reminder_days="0")
    response = client.post(url, data=form.data())
    assert response.status_code == 422 and "Bitte geben Sie eine ganze Zahl von 1 bis 60 an." in response.text
    assert comp.mail_draft_reminder is False
    form.fill(mail_draft_reminder_days="5")
    assert client.post(url, data=form.data()).status_code == 302
    db.session.refresh(comp)
    assert (comp.mail_draft_reminder, comp.mail_draft_reminder_days) == (True, 5)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "competition.auto_mails")).one()
    assert entry.new == {"mail_draft_reminder": True, "mail_draft_reminder_days": 5}
    auth.logout()
    auth.login(factories.staff(prize_code="SCHW"))
    assert client.get(url).status_code == 403


def test_draft_reminder_goes_once_n_days_before_the_deadline(runner):
    now = utcnow()
    comp = factories.competition(deadline_at=now + timedelta(days=3), mail_draft_reminder=True,
                                 mail_draft_reminder_days=2)
    draft = factories.application(competition=comp, project_title="Sprachcafé")
    factories.submitted_application(comp, admissible=True)
    db.session.commit()
    assert automail.run()["draft_reminder"] == 0  # three days left, two asked for
    assert automail.run(now=now + timedelta(days=1, hours=1))["draft_reminder"] == 1
    assert automail.run(now=now + timedelta(days=1, hours=2))["draft_reminder"] == 0
    (subject,) = _subjects(draft.owner.email)
    assert subject.startswith("Bewerbungsschluss am ")
    mail = db.session.scalars(select(OutboxMail)).one()
    assert f"/bewerbung/{draft.id}/weiter" in mail.body_text
    assert "Sie erhalten diese E-Mail, weil Sie beim" in mail.body_text


def test_a_switched_off_competition_gets_no_automatic_mail(app):
    comp = factories.competition(deadline_at=utcnow() + timedelta(hours=5))
    factories.application(competition=comp)
    db.session.commit()
    assert sum(automail.run().values()) == 0


def test_jury_mails_when_a_round_opens_and_before_it_closes_name_no_applicant(app):
    comp = factories.competition(prize_code="OBB", mail_round_opened=True,
                                 mail_round_closing=True, mail_round_closing_days=3)
    juror = factories.juror(comp, name="Jana Jury")
    application = factories.submitted_application(comp, admissible=True, org_name="Verein Geheim e.V.",
                                           project_title="Geheimes Projekt")
    round_ = factories.open_round(competition=comp, jurors=[juror], applications=[application],
                           closes_at=utcnow() + timedelta(days=10))
    db.session.commit()
    counts = automail.run()
    assert (counts["round_opened"], counts["round_closing"]) == (1, 0)
    later = utcnow() + timedelta(days=8)
    counts = automail.run(now=later)
    assert (counts["round_opened"], counts["round_closing"]) == (0, 1)
    assert automail.run(now=later + timedelta(hours=1))["round_closing"] == 0
    assert _subjects(juror.email) == [f"Die Bewertungsrunde „{round_.name}“ ist für Sie freigegeben",
                                      f"Die Bewertungsrunde „{round_.name}“ endet bald"]
    for mail in db.session.scalars(select(OutboxMail)):
        assert "Geheim" not in mail.body_text + mail.subject
        assert application.reference not in mail.body_text


def test_ceremony_invitation_goes_to_winners_after_the_release(app):
    comp, winners, others = factories.released_competition(winners=1, others=1)
    comp.ceremony_at = utcnow() + timedelta(days=20)
    comp.ceremony_place = "Maximilianeum"
    comp.mail_ceremony_invitation = True
    db.session.commit()
    assert automail.run()["ceremony_invitation"] == 1
    assert automail.run()["ceremony_invitation"] == 0
    to = winners[0].email
    assert f"Einladung zur Preisverleihung – {comp.title} {comp.year}" in _subjects(to)
    assert not any("Einladung" in s for s in _subjects(others[0].email))


def test_a_key_taken_by_another_run_drops_the_mail(runner):
    """Two hosts at once: the second insert of the same key fails, its mail goes with it."""
    comp = factories.competition(deadline_at=utcnow() + timedelta(hours=5), mail_draft_reminder=True)
    draft = factories.application(competition=comp, status=ApplicationStatus.DRAFT)
    db.session.add(AutoMailSent(kind="draft_reminder", key=f"application {draft.id}",
                                competition_id=comp.id))
    db.session.commit()
    assert automail.run()["draft_reminder"] == 0
    assert _subjects(draft.owner.email) == []


def test_a_run_that_loses_the_race_rolls_back_only_its_own_mail(app, monkeypatch):
    """Another host committed the key after this run looked: the unique insert fails, the
    savepoint takes this mail back, the other mails of the run stay."""
    comp = factories.competition(deadline_at=utcnow() + timedelta(hours=5), mail_draft_reminder=True)
    lost = factories.application(competition=comp)
    won = factories.application(competition=comp)
    db.session.add(AutoMailSent(kind="draft_reminder", key=f"application {lost.id}",
                                competition_id=comp.id))
    db.session.commit()
    monkeypatch.setattr(automail, "_taken", lambda kind, key: False)
    assert automail.run()["draft_reminder"] == 1
    assert _subjects(lost.owner.email) == [] and len(_subjects(won.owner.email)) == 1


def test_the_command_reports_what_it_queued(runner):
    comp = factories.competition(deadline_at=utcnow() + timedelta(hours=5), mail_draft_reminder=True)
    factories.application(competition=comp)
    db.session.commit()
    result = runner.invoke(args=["auto-mails"])
    assert result.exit_code == 0, result.output
    assert "draft_reminder 1" in result.output and "Infobrief: Ausschreibung offen 0" in result.output
    result = runner.invoke(args=["auto-mails"])
    assert "draft_reminder 0" in result.output


def test_a_mail_that_cannot_be_queued_fails_alone_and_the_command_says_so(runner, monkeypatch):
    """Each mail is one transaction: one that fails (here its template) is rolled back with
    its once-only key, so the next run tries it again; the others are queued."""
    comp = factories.competition(deadline_at=utcnow() + timedelta(hours=5), mail_draft_reminder=True)
    broken = factories.application(competition=comp)
    fine = factories.application(competition=comp)
    db.session.commit()
    broken_to, fine_to = broken.owner.email, fine.owner.email
    enqueue = automail.mail.enqueue

    def failing_enqueue(*, to, **kw):
        if to == broken_to:
            raise RuntimeError("Vorlage defekt")
        return enqueue(to=to, **kw)

    monkeypatch.setattr(automail.mail, "enqueue", failing_enqueue)
    result = runner.invoke(args=["auto-mails"])
    assert result.exit_code == 1
    assert "draft_reminder 1" in result.output
    assert f"  - draft_reminder application {broken.id}: RuntimeError: Vorlage defekt" in result.output
    assert _subjects(broken_to) == [] and len(_subjects(fine_to)) == 1
    monkeypatch.setattr(automail.mail, "enqueue", enqueue)
    assert automail.run()["draft_reminder"] == 1
    assert len(_subjects(broken_to)) == 1
