"""Decisions: allocation modes, budget checks with confirmation, locking, release mails."""
import pytest
from sqlalchemy import select

from awards.enums import AllocationMode, ApplicationStatus, CompetitionStatus
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.decisions import Decision, DecisionRelease
from awards.models.mail import OutboxMail
from awards.services import decisions
from awards.services.jury import release
from awards.services.decisions import DecisionError, DecisionsLocked, NeedsConfirmation, StaleDecision
from tests import factories


def _actions():
    return [a.action for a in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]


def test_record_decision_ranked_takes_category_amount(app):
    staff = factories.staff()
    comp = factories.competition(status=CompetitionStatus.JURY)
    application = factories.submitted_application(comp)
    decision = factories.decide(application, category=comp.categories[1], actor=staff,
                         amount_cents=123)  # ignored in ranked mode
    assert decision.amount_cents == 300000
    assert decision.category.label == "2. Preis"
    assert decision.decided_by_id == staff.id
    assert decisions.budget_summary(comp).total_cents == 300000
    assert "decision.create" in _actions()


def test_record_decision_within_budget_needs_no_confirmation(app):
    comp = factories.competition(status=CompetitionStatus.JURY)  # 9.000 €: 4.000/3.000/2.000
    apps = [factories.submitted_application(comp) for _ in range(3)]
    for application, category in zip(apps, comp.categories):
        factories.decide(application, category=category)
    summary = decisions.budget_summary(comp)
    assert (summary.total_cents, summary.remaining_cents, summary.over_budget) == (900000, 0, False)


def test_record_decision_over_budget_requires_confirmation_with_reason(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    apps = [factories.submitted_application(comp) for _ in range(4)]
    for application, category in zip(apps, comp.categories):
        factories.decide(application, category=category)
    third = comp.categories[2]
    with pytest.raises(NeedsConfirmation) as info:
        factories.decide(apps[3], category=third)
    assert info.value.warnings == ["budget", "count"]
    assert (info.value.total_cents, info.value.budget_cents) == (1100000, 900000)
    with pytest.raises(NeedsConfirmation):
        factories.decide(apps[3], category=third, confirm_over_budget=True, over_budget_reason="kurz")
    assert db.session.scalar(select(Decision).where(Decision.application_id == apps[3].id)) is None

    decision = factories.decide(apps[3], category=third, confirm_over_budget=True,
                         over_budget_reason="Die Jury vergibt zwei dritte Preise.")
    assert decision.over_budget_reason == "Die Jury vergibt zwei dritte Preise."
    assert decisions.budget_summary(comp).total_cents == 1100000
    assert _actions()[-1] == "decision.deviation_confirmed"


def test_record_decision_free_mode_uses_entered_amount_and_checks_budget(app):
    comp = factories.competition(status=CompetitionStatus.JURY, allocation_mode=AllocationMode.FREE,
                                 budget_cents=600000, categories=[("Preis", 1, 0, 3)])
    a, b, c = (factories.submitted_application(comp) for _ in range(3))
    with pytest.raises(DecisionError) as info:
        factories.decide(a)
    assert info.value.field == "amount"
    assert factories.decide(a, amount_cents=250000).amount_cents == 250000
    assert factories.decide(b, amount_cents=250000).amount_cents == 250000
    with pytest.raises(NeedsConfirmation) as over:
        factories.decide(c, amount_cents=100001)
    assert over.value.warnings == ["budget"]
    assert factories.decide(c, amount_cents=100000).amount_cents == 100000
    assert decisions.budget_summary(comp).remaining_cents == 0


def test_record_decision_equal_mode_shares_budget_and_rebalances(app):
    comp = factories.competition(status=CompetitionStatus.JURY, allocation_mode=AllocationMode.EQUAL,
                                 budget_cents=600000, categories=[("Preis", 1, 150000, 4)])
    apps = [factories.submitted_application(comp) for _ in range(4)]
    first = factories.decide(apps[0])
    assert first.amount_cents == 600000
    factories.decide(apps[1])
    factories.decide(apps[2])
    assert [d.amount_cents for d in decisions.decisions_for(comp)] == [200000] * 3
    factories.decide(apps[3])
    assert [d.amount_cents for d in decisions.decisions_for(comp)] == [150000] * 4
    decisions.remove_decision(actor=None, decision=decisions.decision_for(apps[3]))
    assert [d.amount_cents for d in decisions.decisions_for(comp)] == [200000] * 3
    assert "decision.rebalance" in _actions()


def test_equal_share_rounds_down_to_whole_euros(app):
    assert decisions.equal_share(600000, 7) == 85700
    assert decisions.equal_share(600000, 0) == 0


def test_record_decision_stale_version_is_refused(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    application = factories.submitted_application(comp)
    decision = factories.decide(application)
    assert decision.version == 1
    factories.decide(application, category=comp.categories[1], expected_version=1)
    assert decision.version == 2
    with pytest.raises(StaleDecision):
        factories.decide(application, category=comp.categories[2], expected_version=1)
    assert decision.category.label == "2. Preis"


def test_record_decision_refuses_foreign_category_and_draft(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    other = factories.competition(status=CompetitionStatus.JURY)
    with pytest.raises(DecisionError) as info:
        factories.decide(factories.submitted_application(comp), category=other.categories[0])
    assert info.value.field == "category"
    draft = factories.application(competition=comp, status=ApplicationStatus.DRAFT)
    with pytest.raises(DecisionError):
        factories.decide(draft)


def test_record_decision_requires_rationale(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    with pytest.raises(DecisionError) as info:
        factories.decide(factories.submitted_application(comp), rationale="   ")
    assert info.value.field == "rationale"


def test_release_queues_congratulations_and_notices_together(app):
    staff = factories.staff()
    comp, winners, others = factories.released_competition(winners=2, others=2, staff=staff)
    mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert len(mails) == 4
    by_to = {m.to_addr: m for m in mails}
    congratulation = by_to[winners[0].email]
    assert congratulation.subject == f"Herzlichen Glückwunsch – „Testpreis BIP {comp.year}“"
    assert f"„{winners[0].project_title}“" in congratulation.body_text
    assert "Auszeichnung: 1. Preis" in congratulation.body_text
    assert "Preisgeld: 4.000 €" in congratulation.body_text
    # The factory's other applications were never scored: they get the "not scored" text,
    # which does not claim a jury decision (tests/unit/test_lifecycle.py covers every kind).
    notice = by_to[others[0].email]
    assert notice.subject == f"Ihre Bewerbung – „Testpreis BIP {comp.year}“"
    assert "nicht in die Bewertung der Jury gelangt" in notice.body_text
    assert "Die Jury" not in notice.body_text
    assert "Preisgeld" not in notice.body_text
    rel = db.session.scalar(select(DecisionRelease))
    assert (rel.winners_notified, rel.others_notified, rel.released_by_id) == (2, 2, staff.id)
    assert comp.status == CompetitionStatus.DECIDED
    assert "decision.release" in _actions()


def test_release_twice_is_refused_and_decisions_are_locked(app):
    comp, winners, others = factories.released_competition(winners=1, others=1)
    with pytest.raises(DecisionError):
        release.release_decisions(actor=None, competition=comp)
    with pytest.raises(DecisionsLocked):
        factories.decide(others[0], category=comp.categories[1])
    with pytest.raises(DecisionsLocked):
        decisions.remove_decision(actor=None, decision=decisions.decision_for(winners[0]))


def test_release_without_decisions_is_refused(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    factories.submitted_application(comp)
    with pytest.raises(DecisionError):
        release.release_decisions(actor=None, competition=comp)
    assert db.session.scalar(select(OutboxMail)) is None


def test_mail_template_edit_is_used_on_release(app):
    staff = factories.staff()
    comp = factories.competition(status=CompetitionStatus.JURY)
    winner = factories.submitted_application(comp, contact_name="Ayşe Demir")
    factories.decide(winner)
    release.save_template(actor=staff, competition=comp, kind="congratulation",
                          subject="Glückwunsch zum {{ kategorie }}",
                          body="Liebe {{ansprechperson}}, {{ betrag }} für „{{ projekt }}“.")
    release.release_decisions(actor=staff, competition=comp)
    mail = db.session.scalar(select(OutboxMail))
    assert mail.subject == "Glückwunsch zum 1. Preis"
    assert mail.body_text == (f"Liebe Ayşe Demir, 4.000 € für „{winner.project_title}“."
                              + release.why_line(comp))


def test_mail_template_unknown_placeholder_is_refused(app):
    comp = factories.competition()
    with pytest.raises(release.TemplateError) as info:
        release.save_template(actor=None, competition=comp, kind="notice", subject="Hallo",
                              body="{{ config.SECRET_KEY }} {{ ''.__class__ }}")
    assert info.value.field == "body"
    assert release.template_for(comp, "notice")[2] is True


def test_mail_template_fill_does_not_evaluate_expressions(app):
    assert release.fill("{{ projekt }} {{ projekt.__class__ }} {% if 1 %}x{% endif %}",
                        {"projekt": "P"}) == "P {{ projekt.__class__ }} {% if 1 %}x{% endif %}"


def test_mail_template_reset_restores_default(app):
    comp = factories.competition()
    release.save_template(actor=None, competition=comp, kind="notice", subject="S", body="B")
    assert release.template_for(comp, "notice") == ("S", "B", False)
    release.reset_template(actor=None, competition=comp, kind="notice")
    subject, _, is_default = release.template_for(comp, "notice")
    assert (subject, is_default) == ("Ihre Bewerbung – „{{ preis }} {{ jahr }}“", True)
