"""services/privacy.py: the DSGVO export holds the person's data (account, applications with
files and receipt, their actions, mails, Infobrief) and nobody else's; deleting the account
removes drafts, files, mails, tokens and subscriptions and empties the account, keeps
submitted applications without the link; withdrawn consents to publication."""
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from awards.adapters.storage import get_storage
from awards.enums import ApplicationStatus, Role, TokenPurpose
from awards.extensions import db
from awards.models.applications import Application, Attachment
from awards.models.audit import AuditLog
from awards.models.mail import OutboxMail
from awards.models.messaging import InfobriefSubscription
from awards.models.users import OneTimeToken
from awards.services import audit, infobrief, mail, privacy, publication, tokens
from tests import factories


@pytest.fixture(autouse=True)
def request_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def kim(app):
    """Kim: a draft with a file, a submitted application with a photo and a receipt, a mail,
    an action in the audit log, an Infobrief subscription and a login token. Alex, another
    applicant of the same competition, has an application and a mail too."""
    person = factories.user(name="Kim Beispiel", email="kim@example.org")
    comp = factories.competition(title="Bayerischer Integrationspreis", year=2034)
    draft = factories.application(competition=comp, owner=person, project_title="Sprachcafé")
    draft_file = factories.attachment(draft, filename="Konzept.pdf")
    sent = factories.application(competition=comp, owner=person, project_title="Lesepaten",
                                 org_name="Lesepaten Kim e.V.")
    factories.mark_submitted(sent, 7)
    photo = factories.attachment(sent, data=factories.PNG_BYTES, filename="Foto Fest.png")
    mail.enqueue(to=person.email, subject="Eingangsbestätigung", text="Danke für Ihre Bewerbung.")
    audit.record(actor=person, action="application.submit", obj=sent)
    infobrief.subscribe(email="Kim@Example.org", prize_codes=["BIP"], regions=["SCHW"])
    tokens.issue(purpose=TokenPurpose.MAGIC_LINK, email=person.email, user=person)
    alex = factories.user(name="Alex Anders", email="alex@example.org")
    other = factories.submitted_application(comp, owner=alex, org_name="Verein von Alex e.V.")
    mail.enqueue(to=alex.email, subject="Für Alex", text="Danke, Alex.")
    return person, draft, draft_file, sent, photo, other


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- export -------------------------------------------------------------------------------

def test_export_holds_the_account_applications_files_actions_mails_and_infobrief(kim):
    person, draft, draft_file, sent, photo, _other = kim
    data, files = privacy.collect(person)
    assert data["konto"]["email"] == "kim@example.org"
    assert data["konto"]["name"] == "Kim Beispiel"
    assert data["konto"]["passwort_gesetzt"] is True
    applications = {a["id"]: a for a in data["bewerbungen"]}
    assert set(applications) == {draft.id, sent.id}
    assert applications[sent.id]["org_name"] == "Lesepaten Kim e.V."
    assert applications[sent.id]["reference"] == sent.reference
    assert applications[sent.id]["status"] == "submitted"
    assert applications[sent.id]["wettbewerb"] == {"titel": "Bayerischer Integrationspreis",
                                                   "jahr": 2034, "status": "open"}
    assert "version" not in applications[sent.id]  # technical columns are left out
    (listed,) = applications[sent.id]["anlagen"]
    assert (listed["name"], listed["sha256"]) == ("Foto Fest.png", photo.sha256)
    folder = f"anlagen/{sent.reference}"
    assert listed["datei"] == f"{folder}/{photo.id}-Foto Fest.png"
    assert applications[sent.id]["eingangsbestaetigung"] == f"{folder}/eingangsbestaetigung.pdf"
    assert sorted(files) == sorted([
        (f"anlagen/entwurf-{draft.id}/{draft_file.id}-Konzept.pdf", draft_file.storage_key),
        (listed["datei"], photo.storage_key),
        (f"{folder}/eingangsbestaetigung.pdf", sent.receipt_key)])
    assert [(e["aktion"], e["objekt_id"]) for e in data["protokoll"]
            if e["aktion"] == "application.submit"] == [("application.submit", sent.id)]
    assert [(m["betreff"], m["text"]) for m in data["emails"]
            if m["betreff"] == "Eingangsbestätigung"] == [
        ("Eingangsbestätigung", "Danke für Ihre Bewerbung.")]
    assert [(s["preise"], s["regierungsbezirke"], s["bestaetigt"]) for s in data["infobrief"]] == [
        (["BIP"], ["SCHW"], None)]


def test_export_holds_nothing_of_another_person(kim):
    person, *_rest, other = kim
    data, files = privacy.collect(person)
    flat = json.dumps(data, ensure_ascii=False)
    assert "Verein von Alex e.V." not in flat and "alex@example.org" not in flat
    assert "Für Alex" not in flat
    assert other.id not in {a["id"] for a in data["bewerbungen"]}
    assert all(key.split("/")[1] != str(other.id) for _path, key in files)


def test_export_zip_has_the_json_and_every_file(kim):
    person, _draft, draft_file, sent, photo, _other = kim
    data, files = privacy.collect(person)
    storage = get_storage()
    storage.delete(draft_file.storage_key)  # one file gone: the rest still comes
    archive = zipfile.ZipFile(io.BytesIO(b"".join(privacy.stream_zip(data, files, storage))))
    assert json.loads(archive.read("daten.json"))["konto"]["email"] == "kim@example.org"
    folder = f"anlagen/{sent.reference}"
    assert archive.read(f"{folder}/{photo.id}-Foto Fest.png") == factories.PNG_BYTES
    assert archive.read(f"{folder}/eingangsbestaetigung.pdf") == storage.read(sent.receipt_key)
    missing = f"anlagen/entwurf-{_draft.id}/{draft_file.id}-Konzept.pdf.fehlt.txt"
    assert "nicht gelesen werden" in archive.read(missing).decode()


def test_export_is_audited_without_the_data(kim):
    person = kim[0]
    privacy.record_export(actor=person, user=person)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "privacy.export")).one()
    assert (entry.object_id, entry.new) == (person.id, None)


@pytest.mark.parametrize("name, safe", [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\kim\\Foto.jpg", "Foto.jpg"),
    ("Bericht\x00\x1b.pdf", "Bericht.pdf"), ("a<b>:c?.pdf", "a_b__c_.pdf"), ("...", "datei"),
    ("Übersicht Straße.pdf", "Übersicht Straße.pdf"), ("x" * 300, "x" * 150)])
def test_zip_names_cannot_leave_their_folder(name, safe):
    assert privacy.safe_zip_name(name) == safe


# --- deletion -----------------------------------------------------------------------------

def test_deleting_the_account_removes_the_persons_data(kim):
    person, draft, draft_file, sent, photo, other = kim
    draft_id, draft_key = draft.id, draft_file.storage_key
    result = privacy.delete_account(actor=person, user=person)
    assert result == {"drafts_deleted": 1, "files_deleted": 1, "applications_kept": 1,
                      "mails_deleted": 2, "infobrief_deleted": 1}
    assert person.email == f"konto-{person.id}@geloescht.invalid"
    assert (person.name, person.password_hash, person.email_verified_at, person.active) == (
        "", None, None, False)
    assert privacy.is_deleted(person)
    assert db.session.get(Application, draft_id) is None
    assert _count(Attachment, Attachment.application_id == draft_id) == 0
    assert _count(OutboxMail, OutboxMail.to_addr == "kim@example.org") == 0
    assert _count(OneTimeToken, OneTimeToken.email == "kim@example.org") == 0
    assert _count(InfobriefSubscription, InfobriefSubscription.email == "kim@example.org") == 0
    # The submitted application stays for the competition, without the account.
    assert (sent.status, sent.owner_id) == (ApplicationStatus.SUBMITTED, None)
    assert other.owner.email == "alex@example.org"
    # Nothing of the person is left to export; the audit entry holds counts only.
    data, files = privacy.collect(person)
    assert (data["konto"]["name"], data["bewerbungen"], data["emails"], data["infobrief"],
            files) == ("", [], [], [], [])
    entry = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "privacy.delete_account")).one()
    assert entry.new == result and "kim@example.org" not in json.dumps(entry.new)
    # The files go with the commit, not before.
    storage = get_storage()
    assert storage.exists(draft_key)
    db.session.commit()
    assert not storage.exists(draft_key)
    assert storage.exists(photo.storage_key)
    assert audit.verify_chain() == []


def test_a_rolled_back_deletion_keeps_the_files(kim):
    person, draft, draft_file, *_ = kim
    db.session.commit()
    key = draft_file.storage_key
    privacy.delete_account(actor=person, user=person)
    db.session.rollback()
    db.session.commit()  # a later commit must not delete what the rollback kept
    assert get_storage().exists(key)
    assert db.session.get(Application, draft.id) is not None


def test_only_applicant_accounts_delete_themselves(app):
    assert privacy.can_delete_account(factories.user()) is True
    assert privacy.can_delete_account(factories.user(role=Role.STAFF, prize_code="BIP")) is False
    assert privacy.can_delete_account(None) is False


# --- consent to publication ----------------------------------------------------------------

def test_withdrawing_a_consent_clears_it_once_with_an_audit_entry(kim):
    person, _draft, _file, sent, _photo, _other = kim
    sent.consent_publish_name = True
    assert privacy.withdraw_publication_consent(actor=person, application=sent, consent="name")
    assert sent.consent_publish_name is False
    assert privacy.withdraw_publication_consent(actor=person, application=sent,
                                                consent="name") is False
    (entry,) = db.session.scalars(select(AuditLog).where(
        AuditLog.action == "privacy.consent_withdraw")).all()
    assert (entry.old, entry.new) == ({"consent_publish_name": True},
                                      {"consent_publish_name": False})


def test_withdrawing_the_photo_consent_deletes_the_public_copies_after_commit(kim):
    person, _draft, _file, sent, photo, _other = kim
    sent.consent_publish_photos = True
    sent.image_rights_confirmed = True
    storage = get_storage()
    public_key = factories.stored_file(publication.stripped_photo_key(photo),
                                       factories.PNG_BYTES, "image/png")
    privacy.withdraw_publication_consent(actor=person, application=sent, consent="photos")
    assert storage.exists(public_key)
    db.session.commit()
    assert not storage.exists(public_key)
    assert storage.exists(photo.storage_key)  # the applicant's original stays


def test_withdrawing_refuses_drafts_and_unknown_consents(kim):
    person, draft, _file, sent, *_ = kim
    with pytest.raises(privacy.ConsentError):
        privacy.withdraw_publication_consent(actor=person, application=draft, consent="name")
    with pytest.raises(privacy.ConsentError):
        privacy.withdraw_publication_consent(actor=person, application=sent, consent="alles")
