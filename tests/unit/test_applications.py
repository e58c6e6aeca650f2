"""Applications: drafts saved step by step, the required fields as DomainErrors per field,
submission with number, receipt and mail, stale versions, withdrawal, copies, the staff's
formal check and reopening, the intake list and the stash of posted form data.

The deadline's exact instant is tested in test_deadline.py, the version column's race in
test_locking.py."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from awards.adapters.storage import get_storage
from awards.enums import (ApplicantType, ApplicationStatus, CompetitionStatus, FormalCheck, Region,
                          SubmissionKind)
from awards.errors import DomainError, StaleObjectError
from awards.extensions import db
from awards.models.applications import FormStash
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.services import applications as service
from tests import factories


@pytest.fixture(autouse=True)
def request_ctx(app):
    # Mails and the receipt are rendered with the request's locale.
    with app.test_request_context():
        yield


def _audit(action):
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action)
                              .order_by(AuditLog.id)).all()


def _mails(to):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == to)).all()


# --- drafts -------------------------------------------------------------------------------

def test_start_makes_a_draft_of_the_actor_with_their_address(app):
    comp = factories.competition()
    person = factories.user(name="Kim Beispiel", email="kim@example.org")
    draft = service.start(actor=person, competition=comp)
    assert (draft.status, draft.owner, draft.email, draft.contact_name, draft.number) == (
        ApplicationStatus.DRAFT, person, "kim@example.org", "Kim Beispiel", None)
    assert [a.new for a in _audit("application.start")] == [{"competition": comp.id}]


def test_start_in_a_closed_call_is_refused(app):
    comp = factories.competition(status=CompetitionStatus.CLOSED)
    with pytest.raises(service.DeadlinePassed) as refused:
        service.start(actor=factories.user(), competition=comp)
    assert isinstance(refused.value, DomainError)
    assert str(refused.value) == "Für diesen Preis ist keine Bewerbung (mehr) möglich."


def test_save_draft_stores_the_steps_fields_only_and_says_what_changed(app):
    comp = factories.competition()
    draft = factories.application(competition=comp, project_title="Alt", summary="Alt.")
    changed = service.save_draft(actor=draft.owner, application=draft, step=2, next_step=3,
                                 values={"project_title": "  Lesepaten  ", "summary": "Alt.",
                                         "org_name": "Fremder Schritt e.V.", "status": "submitted",
                                         "unknown": "x"})
    assert changed == ["project_title"]
    assert draft.project_title == "Lesepaten"  # stripped
    assert draft.org_name != "Fremder Schritt e.V."  # a field of step 1, not of step 2
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.current_step == 3 and draft.autosaved_at is not None
    assert [a.new for a in _audit("application.save_draft")] == [
        {"step": 2, "fields": ["project_title"]}]
    # The same values again change nothing and write no audit row.
    assert service.save_draft(actor=draft.owner, application=draft, step=2,
                              values={"project_title": "Lesepaten"}) == []
    assert len(_audit("application.save_draft")) == 1


def test_save_draft_takes_the_region_from_the_district(app):
    comp = factories.competition()
    draft = factories.application(competition=comp, region=None)
    nuremberg = factories.district("Nürnberg")
    changed = service.save_draft(actor=draft.owner, application=draft, step=1,
                                 values={"district_id": nuremberg.id})
    assert changed == ["district_id"]
    assert (draft.district_id, draft.region) == (nuremberg.id, Region.MFR)
    service.save_draft(actor=draft.owner, application=draft, step=1, values={"district_id": ""})
    assert (draft.district_id, draft.region) == (None, None)


def test_save_draft_with_a_stale_version_is_refused_and_saves_nothing(app):
    comp = factories.competition()
    draft = factories.application(competition=comp, project_title="Erste Fassung")
    loaded = draft.version
    service.save_draft(actor=draft.owner, application=draft, step=2,
                       values={"project_title": "Zweites Fenster"}, expected_version=loaded)
    assert draft.version == loaded + 1
    with pytest.raises(service.Conflict) as stale:
        service.save_draft(actor=draft.owner, application=draft, step=2,
                           values={"project_title": "Erstes Fenster"}, expected_version=loaded)
    assert isinstance(stale.value, StaleObjectError)
    assert draft.project_title == "Zweites Fenster"


def test_save_draft_of_a_submitted_application_is_refused(app):
    comp = factories.competition()
    sent = factories.submitted_application(comp)
    with pytest.raises(service.NotEditable):
        service.save_draft(actor=sent.owner, application=sent, step=2,
                           values={"project_title": "Nachträglich"})
    assert sent.project_title != "Nachträglich"


# --- required fields ------------------------------------------------------------------------

def test_missing_fields_names_each_empty_required_field_with_its_message(app):
    comp = factories.competition(motto="Sprache schafft Heimat")
    draft = service.start(actor=factories.user(), competition=comp)
    errors = service.missing_fields(draft)
    assert errors["org_name"] == "Bitte füllen Sie dieses Feld aus."
    assert errors["applicant_type"] == "Bitte wählen Sie eine Antwort aus."
    assert errors["district_id"] == "Bitte wählen Sie eine Antwort aus."
    assert errors["consent_privacy"] == ("Bitte bestätigen Sie dies, sonst können wir Ihre "
                                         "Bewerbung nicht annehmen.")
    assert errors["motto_relation"] == "Bitte füllen Sie dieses Feld aus."
    # Optional fields and those of nominations are not asked for.
    assert not {"website", "partners", "nominator_name", "consent_publish_name"} & set(errors)
    assert "email" not in errors  # taken from the account
    # Without a motto, no relation to it is asked for.
    comp.motto = ""
    assert "motto_relation" not in service.missing_fields(draft)
    assert service.missing_fields(factories.complete_application(competition=comp)) == {}


def test_a_nomination_needs_the_nominators_name_and_address(app):
    comp = factories.competition()
    draft = factories.complete_application(competition=comp, kind=SubmissionKind.NOMINATION)
    assert set(service.missing_fields(draft)) == {"nominator_name", "nominator_email"}
    # Within a step the fields required always come first, then those of this case.
    draft.org_name = ""
    assert list(service.missing_fields(draft)) == ["org_name", "nominator_name", "nominator_email"]


def test_photos_need_the_image_rights_confirmed(app):
    comp = factories.competition()
    draft = factories.complete_application(competition=comp)
    factories.attachment(draft, data=factories.PNG_BYTES, filename="Fest.png")
    assert service.missing_fields(draft, steps=[4]) == {
        "image_rights_confirmed": "Sie haben Fotos angehängt. Bitte bestätigen Sie die Bildrechte "
                                  "oder entfernen Sie die Fotos."}
    draft.image_rights_confirmed = True
    assert service.missing_fields(draft) == {}


def test_a_regional_prize_refuses_a_district_of_another_region(app):
    comp = factories.competition(prize_code="SCHW")
    draft = factories.complete_application(competition=comp, district_name="Nürnberg")
    errors = service.missing_fields(draft)
    assert list(errors) == ["district_id"]
    assert "Regierungsbezirk Mittelfranken" in errors["district_id"]
    assert "nur Projekte aus Schwaben" in errors["district_id"]


def test_submit_of_an_incomplete_draft_raises_errors_per_field_and_keeps_the_draft(app):
    comp = factories.competition()
    draft = factories.complete_application(competition=comp, summary="  ", consent_truthful=False)
    with pytest.raises(service.SubmissionInvalid) as refused:
        service.submit(actor=draft.owner, application=draft)
    error = refused.value
    assert isinstance(error, DomainError)
    assert str(error) == "Die Bewerbung ist noch nicht vollständig."
    assert error.field_errors == {
        "summary": "Bitte füllen Sie dieses Feld aus.",
        "consent_truthful": "Bitte bestätigen Sie dies, sonst können wir Ihre Bewerbung nicht "
                            "annehmen."}
    assert (draft.status, draft.number, draft.reference, draft.receipt_key) == (
        ApplicationStatus.DRAFT, None, None, None)
    assert _mails(draft.owner.email) == []


# --- submission -----------------------------------------------------------------------------

def test_submit_numbers_stores_the_receipt_mails_and_audits(app):
    comp = factories.competition(year=2031)
    first = factories.complete_application(competition=comp, **factories.NOMINATOR)
    second = factories.complete_application(competition=comp)
    service.submit(actor=first.owner, application=first)
    service.submit(actor=second.owner, application=second, expected_version=second.version)
    assert [(a.status, a.number, a.reference) for a in (first, second)] == [
        (ApplicationStatus.SUBMITTED, 1, "BIP-2031-0001"),
        (ApplicationStatus.SUBMITTED, 2, "BIP-2031-0002")]
    assert first.submitted_at is not None
    assert get_storage().read(first.receipt_key).startswith(b"%PDF-")
    # A self-application keeps nothing of a nominator typed in before.
    assert (first.nominator_name, first.nominator_email) == ("", "")
    (mail,) = _mails(first.owner.email)
    assert "BIP-2031-0001" in mail.body_text
    (entry,) = [a for a in _audit("application.submit") if a.object_id == first.id]
    assert entry.old == {"status": "draft"}
    assert entry.new == {"status": "submitted", "reference": "BIP-2031-0001",
                         "receipt": first.receipt_key}


def test_submit_with_a_stale_version_is_refused(app):
    comp = factories.competition()
    draft = factories.complete_application(competition=comp)
    with pytest.raises(service.Conflict):
        service.submit(actor=draft.owner, application=draft, expected_version=draft.version - 1)
    assert (draft.status, draft.number) == (ApplicationStatus.DRAFT, None)


def test_submit_twice_is_refused(app):
    comp = factories.competition()
    sent = factories.submitted_application(comp, complete=True)
    with pytest.raises(service.NotEditable):
        service.submit(actor=sent.owner, application=sent)


class _BrokenStorage:
    def save(self, key, fileobj, content_type="application/octet-stream"):
        raise OSError("disk full")

    def __getattr__(self, name):
        return getattr(get_storage(), name)


def test_a_receipt_that_cannot_be_stored_leaves_the_draft_as_it_was(app):
    comp = factories.competition()
    draft = factories.complete_application(competition=comp)
    with pytest.raises(service.SubmissionFailed):
        service.submit(actor=draft.owner, application=draft, storage=_BrokenStorage())
    assert (draft.status, draft.number, draft.reference, draft.submitted_at,
            draft.receipt_key) == (ApplicationStatus.DRAFT, None, None, None, None)
    assert _mails(draft.owner.email) == [] and _audit("application.submit") == []


def test_resubmission_after_the_correction_deadline_is_refused(app):
    comp = factories.competition()
    sent = factories.submitted_application(comp, complete=True)
    staff = factories.staff()
    service.reopen(actor=staff, application=sent, reason="Bitte Ziele ergänzen.",
                   due=date.today() + timedelta(days=3))
    assert service.correction_overdue(sent, utcnow() + timedelta(days=2)) is False
    later = utcnow() + timedelta(days=5)
    assert service.correction_overdue(sent, later) is True
    with pytest.raises(service.DeadlinePassed):
        service.submit(actor=sent.owner, application=sent, now=later)
    assert sent.status == ApplicationStatus.REOPENED


def test_resubmission_keeps_the_number_and_starts_the_formal_check_again(app):
    comp = factories.competition()
    sent = factories.submitted_application(comp, complete=True, admissible=True, number=4)
    first_received = sent.submitted_at
    service.reopen(actor=factories.staff(), application=sent, reason="Bitte Ziele ergänzen.")
    service.submit(actor=sent.owner, application=sent)
    assert (sent.status, sent.number, sent.formal_check) == (
        ApplicationStatus.SUBMITTED, 4, FormalCheck.PENDING)
    assert sent.submitted_at == first_received and sent.resubmitted_at is not None


# --- withdrawal and copies -----------------------------------------------------------------

def test_withdraw_once(app):
    comp = factories.competition()
    sent = factories.submitted_application(comp)
    service.withdraw(actor=sent.owner, application=sent)
    assert sent.status == ApplicationStatus.WITHDRAWN and sent.withdrawn_at is not None
    with pytest.raises(service.ApplicationError) as again:
        service.withdraw(actor=sent.owner, application=sent)
    assert str(again.value) == "Diese Bewerbung ist bereits zurückgezogen."


def test_copy_takes_texts_and_files_but_not_the_consents(app):
    source_comp = factories.competition(prize_code="OBB")
    target = factories.competition()
    source = factories.submitted_application(source_comp, complete=True,
                                             consent_publish_name=True)
    factories.attachment(source, filename="Konzept.pdf")
    copy = service.copy_to(actor=source.owner, source=source, competition=target)
    assert (copy.status, copy.competition, copy.copied_from_id) == (
        ApplicationStatus.DRAFT, target, source.id)
    assert (copy.org_name, copy.project_title, copy.volunteers_count) == (
        source.org_name, source.project_title, source.volunteers_count)
    assert (copy.consent_privacy, copy.consent_publish_name) == (False, False)
    assert [a.filename for a in copy.attachments] == ["Konzept.pdf"]
    assert copy.attachments[0].storage_key != source.attachments[0].storage_key


def test_copy_into_the_same_or_a_wrong_regional_prize_is_refused(app):
    obb = factories.competition(prize_code="OBB")
    schw = factories.competition(prize_code="SCHW")
    source = factories.submitted_application(obb, complete=True)
    with pytest.raises(service.ApplicationError) as same:
        service.copy_to(actor=source.owner, source=source, competition=obb)
    assert str(same.value) == "Bitte wählen Sie einen anderen Preis aus."
    with pytest.raises(service.RegionMismatch):
        service.copy_to(actor=source.owner, source=source, competition=schw)


# --- staff ---------------------------------------------------------------------------------

def test_formal_check_records_the_result_and_needs_a_reason_to_refuse(app):
    comp = factories.competition()
    sent = factories.submitted_application(comp)
    staff = factories.staff()
    with pytest.raises(service.ApplicationError) as no_reason:
        service.formal_check(actor=staff, application=sent, result=FormalCheck.INADMISSIBLE,
                             reason="  ")
    assert str(no_reason.value) == "Bitte geben Sie eine Begründung an."
    with pytest.raises(service.ApplicationError):
        service.formal_check(actor=staff, application=sent, result=FormalCheck.REQUEST)
    assert sent.formal_check == FormalCheck.PENDING
    service.formal_check(actor=staff, application=sent, result="inadmissible",
                         reason="Projekt außerhalb Bayerns.")
    assert (sent.formal_check, sent.formal_check_reason, sent.formal_checked_by_id) == (
        FormalCheck.INADMISSIBLE, "Projekt außerhalb Bayerns.", staff.id)
    service.formal_check(actor=staff, application=sent, result=FormalCheck.ADMISSIBLE,
                         reason="wird verworfen")
    assert (sent.formal_check, sent.formal_check_reason) == (FormalCheck.ADMISSIBLE, "")
    assert [a.new["formal_check"] for a in _audit("application.formal_check")] == [
        "inadmissible", "admissible"]


def test_formal_check_of_a_draft_is_refused(app):
    draft = factories.application(competition=factories.competition())
    with pytest.raises(service.ApplicationError):
        service.formal_check(actor=factories.staff(), application=draft,
                             result=FormalCheck.ADMISSIBLE)


def test_reopen_needs_a_reason_and_a_future_deadline_and_tells_the_applicant(app):
    comp = factories.competition()
    sent = factories.submitted_application(comp, current_step=5)
    staff = factories.staff()
    with pytest.raises(service.ApplicationError):
        service.reopen(actor=staff, application=sent, reason=" ")
    with pytest.raises(service.CorrectionDueInvalid):
        service.reopen(actor=staff, application=sent, reason="Ziele fehlen.",
                       due=date.today() - timedelta(days=1))
    assert sent.status == ApplicationStatus.SUBMITTED
    service.reopen(actor=staff, application=sent, reason="Ziele fehlen.",
                   due=date.today() + timedelta(days=7))
    assert (sent.status, sent.reopen_reason, sent.current_step) == (
        ApplicationStatus.REOPENED, "Ziele fehlen.", 1)
    assert sent.correction_due_at == service.correction_deadline(date.today() + timedelta(days=7))
    (mail,) = _mails(sent.owner.email)
    assert "Ziele fehlen." in mail.body_text


def test_reopen_is_refused_while_a_decision_stands(app):
    comp = factories.competition()
    sent = factories.submitted_application(comp)
    factories.decision(sent)
    with pytest.raises(service.ApplicationError) as refused:
        service.reopen(actor=factories.staff(), application=sent, reason="Ziele fehlen.")
    assert "Entscheidung eingetragen" in str(refused.value)
    assert sent.status == ApplicationStatus.SUBMITTED


def test_intake_lists_no_drafts_and_searches_literally(app):
    comp = factories.competition()
    factories.application(competition=comp, org_name="Entwurf 100% e.V.")
    hundred = factories.submitted_application(comp, org_name="Hilfe 100% e.V.")
    other = factories.submitted_application(comp, org_name="Hilfe 1000 e.V.",
                                            applicant_type=ApplicantType.KOMMUNE)
    withdrawn = factories.submitted_application(comp, status=ApplicationStatus.WITHDRAWN)
    factories.submitted_application(factories.competition(), org_name="Hilfe 100% anderswo")

    def found(**filters):
        return set(db.session.scalars(service.intake_query(competition=comp, **filters)))

    assert found() == {hundred, other, withdrawn}
    assert found(search="100%") == {hundred}  # "%" is no wildcard
    assert found(search="hilfe") == {hundred, other}
    assert found(applicant_type=ApplicantType.KOMMUNE) == {other}
    assert found(status=ApplicationStatus.WITHDRAWN) == {withdrawn}


def test_intake_page_counts_files_and_clamps_the_page(app):
    comp = factories.competition()
    apps = [factories.submitted_application(comp) for _ in range(3)]
    factories.attachment(apps[2])
    factories.application(competition=comp)  # a draft: counted apart, never listed
    rows, total, drafts, page = service.intake_page(competition=comp, page=9, per_page=2)
    assert (total, drafts, page) == (3, 1, 2)
    assert rows == [(apps[2], 1)]
    rows, _, _, page = service.intake_page(competition=comp, page=0, per_page=2)
    assert (page, rows) == (1, [(apps[0], 0), (apps[1], 0)])
    # The drafts are counted whatever the filters; the matching ones follow them.
    assert service.intake_counts(competition=comp, status=ApplicationStatus.WITHDRAWN) == (0, 1)
    assert service.intake_counts(competition=comp) == (3, 1)


# --- stash --------------------------------------------------------------------------------

def test_stash_keeps_one_value_of_the_steps_fields_until_taken(app):
    draft = factories.application(competition=factories.competition())
    token = service.stash_form(application=draft, step=2, client="198.51.100.7",
                               data={"project_title": ["Lesepaten", "zweiter Wert"],
                                     "org_name": ["anderer Schritt"], "version": ["3"]})
    assert service.take_stash(token=token, application=draft, step=3) is None
    stash = service.take_stash(token=token, application=draft, step=2)
    assert stash.data == {"project_title": ["Lesepaten"], "version": ["3"]}
    assert "198.51.100.7" not in stash.client_key  # only a keyed hash of the address
    assert service.take_stash(token=token, application=draft, step=2) is None  # read once


def test_stash_refuses_too_much_and_expires(app):
    draft = factories.application(competition=factories.competition())
    too_long = "x" * (service.STASH_MAX_FIELD_CHARS + 1)
    with pytest.raises(service.StashRefused):
        service.stash_form(application=draft, step=2, client="a",
                           data={"description": [too_long]})
    with pytest.raises(service.StashRefused):
        service.stash_form(application=draft, step=2, client="a", data={"unknown": ["x"]})
    old = utcnow() - service.STASH_MAX_AGE - timedelta(minutes=1)
    token = service.stash_form(application=draft, step=2, client="a",
                               data={"goals": ["Ziele"]}, now=old)
    assert service.take_stash(token=token, application=draft, step=2) is None


def test_stash_keeps_the_newest_per_client(app):
    draft = factories.application(competition=factories.competition())
    tokens = [service.stash_form(application=draft, step=2, client="203.0.113.9",
                                 data={"goals": [f"Fassung {i}"]},
                                 now=utcnow() + timedelta(seconds=i))
              for i in range(service.STASH_MAX_PER_CLIENT + 1)]
    assert db.session.scalar(select(func.count(FormStash.id))) == service.STASH_MAX_PER_CLIENT
    assert service.take_stash(token=tokens[0], application=draft, step=2) is None
    assert service.take_stash(token=tokens[-1], application=draft, step=2).data == {
        "goals": [f"Fassung {service.STASH_MAX_PER_CLIENT}"]}


def test_stash_of_a_submitted_application_is_refused(app):
    sent = factories.submitted_application(factories.competition())
    with pytest.raises(service.StashRefused):
        service.stash_form(application=sent, step=2, client="a", data={"goals": ["x"]})

