"""services/messaging.py: the groups staff may write to, who is in each, the placeholders
(only the listed ones, never code), the refusals with their field, and that the jury never
reads an applicant's name while its anonymity holds."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from awards.enums import ApplicationStatus, CompetitionStatus
from awards.errors import DomainError
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.jury_reveal import JuryReveal
from awards.models.mail import OutboxMail
from awards.services import messaging
from tests import factories


@pytest.fixture(autouse=True)
def request_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def scene(app):
    """An Oberbayern competition: two submitted applications (one reopened), a draft, a
    withdrawn one, a decided winner, a nomination, two jurors (and an inactive one) and an
    anonymised round of the two admissible applications for one of them."""
    comp = factories.competition(prize_code="OBB", title="Integrationspreis Oberbayern",
                                 year=2036, status=CompetitionStatus.JURY,
                                 deadline_at=datetime(2036, 7, 31, 21, 59, tzinfo=timezone.utc),
                                 ceremony_at=datetime(2036, 10, 9, 16, 0, tzinfo=timezone.utc),
                                 ceremony_place="Residenz München")
    staff = factories.staff(prize_code="OBB")
    maria = factories.submitted_application(comp, admissible=True, contact_name="Maria Muster",
                                            email="maria@example.org", project_title="Sprachcafé",
                                            org_name="Sprachcafé Haidhausen e.V.")
    ali = factories.submitted_application(comp, admissible=True, contact_name="Ali Beispiel",
                                          email="ali@example.org",
                                          project_title="Nähwerkstatt",
                                          status=ApplicationStatus.REOPENED)
    draft = factories.application(competition=comp, project_title="Entwurf")
    factories.submitted_application(comp, email="weg@example.org",
                                    status=ApplicationStatus.WITHDRAWN)
    nominated = factories.submitted_application(comp, nomination=True, email="nominee@example.org")
    factories.decision(maria)
    chair = factories.juror(comp, is_chair=True, name="Johanna Vorsitz")
    member = factories.juror(comp, name="Jonas Jury")
    inactive = factories.juror(comp, name="Ina Aktivnicht")
    inactive.active = False
    round_ = factories.open_round(competition=comp, name="Vorauswahl", jurors=[member],
                                  applications=[maria, ali])
    return comp, staff, maria, ali, draft, nominated, (chair, member), round_


def _group(comp, key, actor):
    return messaging.group_by_key(comp, key, actor=actor)


def _to(comp, key, actor):
    return [r.to for r in messaging.recipients(comp, _group(comp, key, actor))]


def test_staff_get_every_group_a_juror_on_staff_only_the_jury(scene):
    comp, staff, *_rest, (chair, _member), round_ = scene
    assert [g.key for g in messaging.groups(comp, actor=staff)] == [
        "applicants", "drafts", "winners", "nominees", "jurors", f"round-{round_.id}"]
    # A staff member on the jury of a competition whose anonymity holds sees no applicant.
    factories.staff(prize_code="OBB", email=chair.email)
    assert [g.key for g in messaging.groups(comp, actor=chair)] == ["jurors", f"round-{round_.id}"]
    with pytest.raises(messaging.ComposeError) as refused:
        messaging.group_by_key(comp, "applicants", actor=chair)
    assert refused.value.field == "group"


def test_each_group_reaches_its_people(scene):
    comp, staff, maria, ali, draft, nominated, (chair, member), _round = scene
    assert _to(comp, "applicants", staff) == ["maria@example.org", "ali@example.org",
                                              "nominee@example.org"]
    assert _to(comp, "drafts", staff) == [draft.owner.email]
    assert _to(comp, "winners", staff) == ["maria@example.org"]
    assert _to(comp, "nominees", staff) == [nominated.nomination.nominee_email]
    assert _to(comp, "jurors", staff) == [chair.email, member.email]  # not the inactive one
    assert _to(comp, messaging.groups(comp, actor=staff)[-1].key, staff) == [member.email]


def test_one_mail_per_address_and_application(scene):
    comp, staff, maria, *_ = scene
    factories.submitted_application(comp, email="MARIA@example.org", project_title="Sprachcafé")
    factories.submitted_application(comp, email="maria@example.org", project_title="Zweites Projekt")
    assert [to.lower() for to in _to(comp, "applicants", staff)].count("maria@example.org") == 2


def test_placeholders_are_filled_per_recipient(scene):
    comp, staff, *_ = scene
    group = _group(comp, "applicants", staff)
    maria = messaging.recipients(comp, group)[0]
    subject, text = messaging.render(group, maria, subject="Ihr Projekt {projekt}",
                                     body="{anrede},\n{ name } – {wettbewerb}; Frist {frist}; "
                                          "Feier {verleihung}. {{ config }} {unbekannt")
    assert subject == "Ihr Projekt Sprachcafé"
    assert text.startswith("Guten Tag Maria Muster,\nMaria Muster – Integrationspreis "
                           "Oberbayern 2036; Frist 31.07.2036, 23:59 Uhr; Feier 09.10.2036, "
                           "18:00 Uhr, Residenz München. {{ config }} {unbekannt")
    assert text.endswith("Sie erhalten diese E-Mail, weil Sie sich beim Integrationspreis "
                         "Oberbayern 2036 beworben haben.\nBei Fragen antworten Sie bitte nicht "
                         "auf diese E-Mail, sondern wenden Sie sich an die Geschäftsstelle.")


def test_jury_groups_offer_no_project_and_rounds_their_name(scene):
    comp, staff, *_rest, round_ = scene
    assert "projekt" not in messaging.allowed_placeholders(_group(comp, "jurors", staff))
    assert "runde" not in messaging.allowed_placeholders(_group(comp, "jurors", staff))
    assert "runde" in messaging.allowed_placeholders(_group(comp, f"round-{round_.id}", staff))
    assert "projekt" in messaging.allowed_placeholders(_group(comp, "applicants", staff))
    with pytest.raises(messaging.ComposeError) as refused:
        messaging.check(competition=comp, group=_group(comp, "jurors", staff),
                        subject="Hallo", body="Zum Projekt {projekt} und {runde}.")
    assert refused.value.field == "body"
    assert str(refused.value) == ("Unbekannter Platzhalter {projekt}, {runde}. Für diese Gruppe "
                                  "möglich sind: {anrede}, {name}, {wettbewerb}, {frist}, "
                                  "{verleihung}.")


@pytest.mark.parametrize("subject, body, field", [
    ("", "Text", "subject"), ("x" * 201, "Text", "subject"), ("Betreff", "  ", "body"),
    ("Betreff", "x" * 20001, "body"), ("{Name}", "Text", "subject"),
])
def test_the_composer_refuses_with_the_field(scene, subject, body, field):
    comp, staff, *_ = scene
    with pytest.raises(messaging.ComposeError) as refused:
        messaging.check(competition=comp, group=_group(comp, "applicants", staff),
                        subject=subject, body=body)
    assert isinstance(refused.value, DomainError) and refused.value.field == field


def test_the_jury_reads_no_applicants_name_while_anonymous(scene):
    comp, staff, maria, ali, *_ = scene
    jurors = _group(comp, "jurors", staff)
    for named in ("Sprachcafé Haidhausen e.V.", ali.reference, "Nähwerkstatt"):
        with pytest.raises(messaging.ComposeError) as refused:
            messaging.check(competition=comp, group=jurors, subject="Sitzung",
                            body=f"Bitte bewerten Sie zuerst {named}.")
        assert refused.value.field == "body" and named in str(refused.value)
    # The office's own address or a draft's title is no leak; nor is anything after the reveal.
    messaging.check(competition=comp, group=jurors, subject="Sitzung",
                    body="Fragen an info@integrationspreis.example. Entwurf folgt.")
    applicants = _group(comp, "applicants", staff)
    messaging.check(competition=comp, group=applicants, subject="Sprachcafé", body="Nähwerkstatt")
    db.session.add(JuryReveal(competition_id=comp.id))
    db.session.flush()
    assert messaging.anonymity_problem(comp, jurors, "Sprachcafé Haidhausen e.V.") is None


def test_send_queues_one_mail_each_and_audits_the_count(scene):
    comp, staff, *_ = scene
    group = _group(comp, "winners", staff)
    assert messaging.send(actor=staff, competition=comp, group=group, subject=" Glückwunsch ",
                          body="{anrede}, herzlichen Glückwunsch!") == 1
    (mail,) = db.session.scalars(select(OutboxMail).where(OutboxMail.subject == "Glückwunsch")).all()
    assert mail.to_addr == "maria@example.org"
    assert mail.body_text.startswith("Guten Tag Maria Muster, herzlichen Glückwunsch!")
    (entry,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "message.send")).all()
    assert entry.new == {"group": "winners", "count": 1, "subject": "Glückwunsch"}


def test_send_to_an_empty_group_is_refused(app):
    comp = factories.competition()
    staff = factories.staff()
    with pytest.raises(messaging.ComposeError) as refused:
        messaging.send(actor=staff, competition=comp, group=_group(comp, "winners", staff),
                       subject="Hallo", body="Text")
    assert refused.value.field == "group"
    assert db.session.scalars(select(OutboxMail)).all() == []
