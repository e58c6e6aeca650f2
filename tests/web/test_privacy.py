"""Meine Daten: download everything as a ZIP, delete the account and drafts."""
import io
import json
import zipfile

from sqlalchemy import func, select

from awards.adapters.storage import get_storage
from awards.enums import ApplicationStatus, CompetitionStatus
from awards.extensions import db
from awards.models.applications import Application, Attachment
from awards.models.audit import AuditLog
from awards.models.mail import OutboxMail
from awards.models.users import OneTimeToken, User
from awards.services import audit, mail, privacy
from tests import factories


def _applicant_with_data():
    user = factories.user(name="Kim Beispiel", email="kim@example.org")
    comp = factories.competition(title="Bayerischer Integrationspreis")
    draft = factories.application(competition=comp, owner=user, project_title="Sprachcafé")
    draft_file = factories.attachment(draft, filename="Konzept.pdf")
    sent = factories.application(competition=comp, owner=user, project_title="Lesepaten")
    factories.mark_submitted(sent, 7)
    sent_photo = factories.attachment(sent, data=factories.PNG_BYTES, filename="Foto Fest.png")
    mail.enqueue(to=user.email, subject="Eingangsbestätigung", text="Danke für Ihre Bewerbung.")
    audit.record(actor=user, action="application.submit", obj=sent)
    db.session.commit()
    return user, draft, draft_file, sent, sent_photo


def _zip(response):
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


# --- access -------------------------------------------------------------------------------

def test_privacy_pages_anonymous_sent_to_login(client):
    for path in ("/konto/meine-daten/", "/konto/meine-daten/export.zip",
                 "/konto/meine-daten/loeschen"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/konto/anmelden" in response.headers["Location"]


def test_privacy_delete_staff_account_refused(app, client, auth):
    staff = factories.staff()
    db.session.commit()
    auth.login(staff)
    assert client.get("/konto/meine-daten/loeschen").status_code == 403
    assert client.post("/konto/meine-daten/loeschen", data={"confirm": "y"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, staff.id).active is True


def test_privacy_overview_shows_counts_and_retention_note(app, client, auth):
    user, *_ = _applicant_with_data()
    auth.login(user)
    page = client.get("/konto/meine-daten/").get_data(as_text=True)
    assert "Alle meine Daten herunterladen (ZIP)" in page
    assert "bis zum Ende der Aufbewahrungsfrist: 12 Monate nach Abschluss des Wettbewerbs" in page
    assert "Lesepaten" in page
    assert 'href="/seite/datenschutz"' in page


# --- export -------------------------------------------------------------------------------

def test_export_zip_contains_json_and_every_file(app, client, auth):
    user, draft, draft_file, sent, sent_photo = _applicant_with_data()
    auth.login(user)
    response = client.get("/konto/meine-daten/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="meine-daten-')
    assert response.is_streamed
    archive = _zip(response)
    data = json.loads(archive.read("daten.json"))
    assert data["konto"]["email"] == "kim@example.org"
    assert data["konto"]["name"] == "Kim Beispiel"
    titles = [a["project_title"] for a in data["bewerbungen"]]
    assert titles == ["Sprachcafé", "Lesepaten"]
    assert data["bewerbungen"][1]["reference"] == sent.reference
    assert data["bewerbungen"][1]["org_name"] == sent.org_name
    assert [m["betreff"] for m in data["emails"]] == ["Eingangsbestätigung"]
    assert "application.submit" in [p["aktion"] for p in data["protokoll"]]
    names = sorted(archive.namelist())
    assert names == sorted([
        "daten.json",
        f"anlagen/entwurf-{draft.id}/{draft_file.id}-Konzept.pdf",
        f"anlagen/{sent.reference}/{sent_photo.id}-Foto Fest.png",
        f"anlagen/{sent.reference}/eingangsbestaetigung.pdf",
    ])
    assert archive.read(f"anlagen/entwurf-{draft.id}/{draft_file.id}-Konzept.pdf") == factories.PDF_BYTES
    assert archive.read(f"anlagen/{sent.reference}/{sent_photo.id}-Foto Fest.png") == factories.PNG_BYTES


def test_export_zip_contains_only_own_data(app, client, auth):
    user, *_ = _applicant_with_data()
    other = factories.user(email="other@example.org")
    comp = factories.competition()
    foreign = factories.application(competition=comp, owner=other, project_title="Fremd")
    factories.attachment(foreign)
    db.session.commit()
    auth.login(user)
    archive = _zip(client.get("/konto/meine-daten/export.zip"))
    data = json.loads(archive.read("daten.json"))
    assert "Fremd" not in [a["project_title"] for a in data["bewerbungen"]]
    assert not any(str(foreign.id) in n for n in archive.namelist() if n.startswith("anlagen/entwurf"))


def test_export_records_audit_entry(app, client, auth):
    user, *_ = _applicant_with_data()
    auth.login(user)
    client.get("/konto/meine-daten/export.zip").get_data()
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "privacy.export")).one()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (user.id, "User", user.id)


def test_export_missing_file_noted_rest_delivered(app, client, auth):
    user, draft, draft_file, sent, sent_photo = _applicant_with_data()
    get_storage().delete(draft_file.storage_key)
    auth.login(user)
    archive = _zip(client.get("/konto/meine-daten/export.zip"))
    names = archive.namelist()
    assert f"anlagen/entwurf-{draft.id}/{draft_file.id}-Konzept.pdf.fehlt.txt" in names
    assert f"anlagen/{sent.reference}/{sent_photo.id}-Foto Fest.png" in names


def test_stream_zip_yields_in_pieces_for_large_file(app):
    big = b"%PDF-" + bytes(range(256)) * 4096 * 3  # ~3 MB, not compressible much
    factories.stored_file("exports/big.pdf", data=big)
    pieces = list(privacy.stream_zip({"a": 1}, [("big.pdf", "exports/big.pdf")], get_storage()))
    assert len([p for p in pieces if p]) > 3
    assert max(len(p) for p in pieces) < 2 * privacy.ZIP_CHUNK + 4096
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert archive.read("big.pdf") == big


# --- deletion -----------------------------------------------------------------------------

def test_delete_without_confirmation_shows_error_and_deletes_nothing(app, client, auth):
    user, draft, *_ = _applicant_with_data()
    auth.login(user)
    response = client.post("/konto/meine-daten/loeschen", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten." in page
    db.session.expire_all()
    assert db.session.get(Application, draft.id) is not None
    assert db.session.get(User, user.id).active is True


def test_delete_page_says_submitted_applications_are_kept(app, client, auth):
    user, draft, draft_file, sent, _ = _applicant_with_data()
    auth.login(user)
    page = client.get("/konto/meine-daten/loeschen").get_data(as_text=True)
    assert "1 Entwurf mit allen Dateien" in page
    assert "Sprachcafé" in page
    assert "Eingereichte Bewerbungen eines laufenden Wettbewerbs" in page
    assert sent.reference in page


def test_delete_account_removes_drafts_files_and_personal_data(app, client, auth):
    user, draft, draft_file, sent, sent_photo = _applicant_with_data()
    user_id, draft_id, sent_id = user.id, draft.id, sent.id
    draft_key, photo_key = draft_file.storage_key, sent_photo.storage_key
    db.session.add(OneTimeToken(nonce_hash="x" * 64, purpose="magic", user_id=user.id,
                                email=user.email, expires_at=factories.utcnow()))
    db.session.commit()
    auth.login(user)
    response = client.post("/konto/meine-daten/loeschen", data={"confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    db.session.expire_all()
    gone = db.session.get(User, user_id)
    assert gone.email == f"konto-{user_id}@geloescht.invalid"
    assert (gone.name, gone.password_hash, gone.active) == ("", None, False)
    assert db.session.get(Application, draft_id) is None
    assert db.session.scalar(select(func.count(Attachment.id)).where(
        Attachment.application_id == draft_id)) == 0
    storage = get_storage()
    assert storage.exists(draft_key) is False
    # The submitted application stays (without the account) until retention.
    kept = db.session.get(Application, sent_id)
    assert kept.status == ApplicationStatus.SUBMITTED
    assert kept.owner_id is None
    assert storage.exists(photo_key) is True
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.to_addr == "kim@example.org")) == 0
    assert db.session.scalar(select(func.count(OneTimeToken.id)).where(
        OneTimeToken.user_id == user_id)) == 0
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "privacy.delete_account")).one()
    assert entry.new == {"drafts_deleted": 1, "files_deleted": 1, "applications_kept": 1,
                         "mails_deleted": 1, "infobrief_deleted": 0}
    assert audit.verify_chain() == []


def test_delete_account_logs_out_and_old_password_fails(app, client, auth):
    user, *_ = _applicant_with_data()
    auth.login(user)
    client.post("/konto/meine-daten/loeschen", data={"confirm": "y"})
    from flask import g

    g.pop("_login_user", None)
    assert client.get("/konto/meine-daten/").status_code == 302
    response = client.post("/konto/anmelden", data={"email": "kim@example.org",
                                                    "password": factories.PASSWORD})
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)


def test_delete_account_email_can_register_again(app, client, auth):
    user, *_ = _applicant_with_data()
    auth.login(user)
    client.post("/konto/meine-daten/loeschen", data={"confirm": "y"})
    from flask import g

    g.pop("_login_user", None)
    response = client.post("/konto/registrieren", data={
        "email": "kim@example.org", "name": "Kim Neu", "password": "Neues-Passwort-1",
        "password_repeat": "Neues-Passwort-1"})
    assert response.status_code == 200
    assert "Bitte sehen Sie in Ihr E-Mail-Postfach" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "kim@example.org")) == 1


def test_delete_account_failed_commit_keeps_files(app, monkeypatch):
    user, draft, draft_file, *_ = _applicant_with_data()
    key = draft_file.storage_key
    privacy.delete_account(actor=user, user=user)
    db.session.rollback()  # e.g. the database went away before the commit
    assert get_storage().exists(key) is True
    db.session.expire_all()
    assert db.session.get(Application, draft.id) is not None


def test_delete_account_archived_competition_draft_also_deleted(app):
    user = factories.user()
    comp = factories.competition(status=CompetitionStatus.ARCHIVED)
    draft = factories.application(competition=comp, owner=user)
    db.session.commit()
    result = privacy.delete_account(actor=user, user=user)
    db.session.commit()
    assert result["drafts_deleted"] == 1
    assert db.session.get(Application, draft.id) is None
