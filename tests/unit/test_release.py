"""services/jury/release.py: the mail wording staff may edit (placeholders, never code) and
the release of the decisions (one fitting mail per application, once)."""
import pytest
from sqlalchemy import select

from awards.enums import CompetitionStatus, FormalCheck
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.decisions import DecisionRelease
from awards.models.mail import OutboxMail
from awards.services.jury import release
from awards.services.decisions import DecisionError
from tests import factories


@pytest.fixture
def comp(app):
    return factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.JURY,
                                 title="Integrationspreis Oberbayern")


def _mails():
    return {m.to_addr: m.subject for m in db.session.scalars(select(OutboxMail))}


def test_fill_replaces_known_placeholders_and_runs_no_code():
    text = "{{ organisation }} / {{projekt}} / {{ config }} / {{ 7*7 }}"
    assert release.fill(text, {"organisation": "Verein", "projekt": "Sprachcafé"}) == (
        "Verein / Sprachcafé / {{ config }} / {{ 7*7 }}")
    assert release.unknown_placeholders(text) == ["7*7", "config"]


@pytest.mark.parametrize("subject, body, field", [
    ("", "Text", "subject"),
    ("Zwei\nZeilen", "Text", "subject"),
    ("x" * (release.MAX_SUBJECT + 1), "Text", "subject"),
    ("Betreff", "  ", "body"),
    ("Betreff", "Hallo {{ geheim }}", "body"),
    ("Für {{ config }}", "Text", "subject"),
])
def test_save_template_refuses_bad_input_naming_the_field(comp, subject, body, field):
    with pytest.raises(release.TemplateError) as exc:
        release.save_template(actor=None, competition=comp, kind="notice", subject=subject,
                              body=body)
    assert exc.value.field == field
    assert release.template_for(comp, "notice")[0] == release.default_template("notice")[0]


def test_a_saved_template_is_used_audited_and_reset_to_the_default(comp):
    default_subject = release.template_for(comp, "notice")[0]
    release.save_template(actor=None, competition=comp, kind="notice",
                          subject="Ihre Bewerbung {{ referenz }}", body="Danke, {{ ansprechperson }}.")
    assert release.template_for(comp, "notice")[:2] == ("Ihre Bewerbung {{ referenz }}",
                                                        "Danke, {{ ansprechperson }}.")
    row = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "decision.mail_template.update")).one()
    assert row.old["subject"] == default_subject
    release.reset_template(actor=None, competition=comp, kind="notice")
    assert release.template_for(comp, "notice")[0] == default_subject


def test_release_sends_each_applicant_the_mail_of_their_journey(comp):
    winner = factories.submitted_application(comp, email="sieger@example.org")
    scored = factories.submitted_application(comp, email="bewertet@example.org")
    inadmissible = factories.submitted_application(
        comp, email="unzulaessig@example.org", formal_check=FormalCheck.INADMISSIBLE,
        formal_check_reason="Das Projekt läuft noch nicht.")
    factories.submitted_application(comp, email="offen@example.org")
    factories.scored(comp, [winner, scored])
    factories.decide(winner, exception_reason="")
    assert {a.email: kind for a, kind in release.planned_mails(comp)} == {
        "sieger@example.org": "congratulation", "bewertet@example.org": "notice",
        "unzulaessig@example.org": "inadmissible", "offen@example.org": "not_scored"}
    row = release.release_decisions(actor=None, competition=comp)
    assert (row.winners_notified, row.others_notified) == (1, 3)
    mails = _mails()
    assert mails["sieger@example.org"] == "Herzlichen Glückwunsch – „Integrationspreis Oberbayern 2031“"
    assert sorted(mails) == ["bewertet@example.org", "offen@example.org", "sieger@example.org",
                             "unzulaessig@example.org"]
    body = db.session.scalars(select(OutboxMail).where(
        OutboxMail.to_addr == inadmissible.email)).one().body_text
    assert "Das Projekt läuft noch nicht." in body
    assert comp.status == CompetitionStatus.DECIDED


def test_release_happens_once_and_needs_a_decision(comp):
    application = factories.submitted_application(comp)
    with pytest.raises(DecisionError):
        release.release_decisions(actor=None, competition=comp)
    assert db.session.scalars(select(DecisionRelease)).all() == []
    factories.decide(application)
    release.release_decisions(actor=None, competition=comp)
    count = len(_mails())
    with pytest.raises(DecisionError):
        release.release_decisions(actor=None, competition=comp)
    assert len(_mails()) == count


def test_release_is_refused_outside_the_jury_phase(app):
    comp = factories.competition(status=CompetitionStatus.OPEN)
    factories.decision(factories.submitted_application(comp))
    with pytest.raises(DecisionError):
        release.release_decisions(actor=None, competition=comp)
    assert _mails() == {}
