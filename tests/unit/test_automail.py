"""services/automail.py: each automatic mail goes to the right people at the right time, once,
and only where the competition switched it on; the switches are audited."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from awards.enums import ApplicationStatus, CompetitionStatus
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.models.messaging import AutoMailSent
from awards.services import automail, decisions
from awards.services.jury import release
from tests import factories


@pytest.fixture(autouse=True)
def request_ctx(app):
    with app.test_request_context():
        yield


def _mails():
    return [(m.to_addr, m.subject) for m in db.session.scalars(
        select(OutboxMail).order_by(OutboxMail.id))]


def _run(now=None):
    return dict(automail.run(now=now))


def _counts(**due):
    return {kind: due.get(kind, 0) for kind in automail.KINDS}


# --- drafts ----------------------------------------------------------------------------------

def test_draft_reminder_goes_to_each_active_owner_of_a_draft_once(app):
    now = utcnow()
    comp = factories.competition(deadline_at=now + timedelta(days=5), mail_draft_reminder=True,
                                 mail_draft_reminder_days=7)
    draft = factories.application(competition=comp, project_title="Sprachcafé")
    inactive = factories.application(competition=comp)
    inactive.owner.active = False
    factories.submitted_application(comp)
    factories.application(competition=comp, status=ApplicationStatus.WITHDRAWN)
    assert _run(now) == _counts(draft_reminder=1)
    (to, subject), = _mails()
    assert to == draft.owner.email
    assert subject.startswith("Bewerbungsschluss am ")
    assert subject.endswith(": Ihr Entwurf ist noch nicht abgesendet")
    assert db.session.scalars(select(AutoMailSent.key)).all() == [f"application {draft.id}"]
    assert _run(now + timedelta(hours=1)) == _counts()


def test_draft_reminder_waits_for_its_days_and_ends_with_the_call(app):
    now = utcnow()
    comp = factories.competition(deadline_at=now + timedelta(days=5), mail_draft_reminder=True,
                                 mail_draft_reminder_days=2)
    factories.application(competition=comp)
    assert _run(now) == _counts()                       # five days left, two asked for
    assert _run(comp.deadline_at + timedelta(minutes=1)) == _counts()   # too late
    assert _run(comp.deadline_at - timedelta(days=1)) == _counts(draft_reminder=1)


# --- jury ------------------------------------------------------------------------------------

def test_round_mails_go_to_assigned_active_jurors_and_before_the_end_to_those_with_open_sheets(app):
    now = utcnow()
    comp = factories.competition(prize_code="OBB", mail_round_opened=True,
                                 mail_round_closing=True, mail_round_closing_days=3)
    done = factories.juror(comp, name="Dora Fertig")
    busy = factories.juror(comp, name="Bodo Offen")
    gone = factories.juror(comp, name="Gina Weg")
    gone.active = False
    factories.juror(comp, name="Nina Nichtzugeteilt")
    application = factories.submitted_application(comp, admissible=True, org_name="Geheimverein e.V.")
    round_ = factories.open_round(competition=comp, jurors=[done, busy, gone],
                                  applications=[application], closes_at=now + timedelta(days=10))
    factories.score(round_=round_, entry=round_.entries[0], juror=done, values=(5, 5))
    assert _run(now) == _counts(round_opened=2)
    assert sorted(to for to, _ in _mails()) == sorted([done.email, busy.email])
    later = now + timedelta(days=8)
    assert _run(later) == _counts(round_closing=1)
    to, subject = _mails()[-1]
    assert (to, subject) == (busy.email, f"Die Bewertungsrunde „{round_.name}“ endet bald")
    body = db.session.scalars(select(OutboxMail.body_text).order_by(OutboxMail.id.desc())).first()
    assert "1 Bewertung ist bei Ihnen noch nicht abgeschlossen." in body
    assert "Geheimverein" not in body and application.reference not in body
    assert _run(later + timedelta(hours=1)) == _counts()
    # A round that no longer takes scores sends nothing, also to a juror added later.
    factories.assign_all(round_, [factories.juror(comp)])
    assert _run(round_.closes_at + timedelta(minutes=1)) == _counts()
    factories.force_status(round_, "closed")
    assert _run(later) == _counts()


def test_only_the_round_mails_switched_on_are_sent(app):
    now = utcnow()
    comp = factories.competition(mail_round_closing=True, mail_round_closing_days=3)
    juror = factories.juror(comp)
    factories.open_round(competition=comp, jurors=[juror], n=1, closes_at=now + timedelta(days=2))
    assert _run(now) == _counts(round_closing=1)


# --- ceremony --------------------------------------------------------------------------------

def test_ceremony_invitation_goes_to_winners_once_released_and_before_the_ceremony(app):
    now = utcnow()
    comp = factories.competition(status=CompetitionStatus.JURY, mail_ceremony_invitation=True,
                                 ceremony_at=now + timedelta(days=20), ceremony_place="Maximilianeum")
    winner = factories.submitted_application(comp, email="preis@verein.example")
    no_form_address = factories.submitted_application(comp, email="")
    revoked = factories.submitted_application(comp)
    loser = factories.submitted_application(comp)
    for application, category in zip((winner, no_form_address, revoked), comp.categories):
        factories.decide(application, category=category)
    assert _run(now) == _counts()       # not released yet
    release.release_decisions(actor=None, competition=comp)
    decisions.revoke(actor=factories.staff(), decision=decisions.decision_for(revoked),
                     reason="Angaben waren falsch.")
    assert _run(comp.ceremony_at + timedelta(minutes=1)) == _counts()  # after the ceremony
    assert _run(now) == _counts(ceremony_invitation=2)
    recipients = {to for to, subject in _mails() if subject.startswith("Einladung zur Preisverleihung")}
    assert recipients == {"preis@verein.example", no_form_address.owner.email}
    assert loser.email not in recipients and revoked.email not in recipients
    assert _run(now) == _counts()


# --- what is checked, the switches -----------------------------------------------------------

def test_only_switched_on_competitions_that_run_are_checked(app):
    on = factories.competition(mail_draft_reminder=True)
    factories.competition()
    factories.competition(status=CompetitionStatus.DRAFT, mail_round_opened=True)
    factories.competition(status=CompetitionStatus.ARCHIVED, mail_ceremony_invitation=True)
    jury = factories.competition(status=CompetitionStatus.JURY, mail_round_closing=True)
    assert automail.competitions_to_check() == [on, jury]


def test_switches_are_audited_with_what_changed_only(app):
    comp = factories.competition()
    staff = factories.staff()
    values = dict(mail_round_opened=False, mail_round_closing=False, mail_round_closing_days=3,
                  mail_draft_reminder=False, mail_draft_reminder_days=7,
                  mail_ceremony_invitation=False)
    automail.update_settings(actor=staff, competition=comp, values=values)
    assert db.session.scalars(select(AuditLog).where(
        AuditLog.action == "competition.auto_mails")).all() == []
    automail.update_settings(actor=staff, competition=comp,
                             values={**values, "mail_draft_reminder": True,
                                     "mail_draft_reminder_days": 5})
    (entry,) = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "competition.auto_mails")).all()
    assert (entry.old, entry.new) == (
        {"mail_draft_reminder": False, "mail_draft_reminder_days": 7},
        {"mail_draft_reminder": True, "mail_draft_reminder_days": 5})
    assert (comp.mail_draft_reminder, comp.mail_draft_reminder_days) == (True, 5)
