"""Staff intake: list, filters, paging, detail, files, formal check, reopening, exports."""
import csv
import io

import openpyxl
import pytest
from sqlalchemy import event, select

from awards.enums import ApplicantType, ApplicationStatus, FormalCheck, Region
from awards.extensions import db
from awards.models.applications import Application
from awards.models.audit import AuditLog
from awards.models.mail import OutboxMail
from awards.services import uploads
from tests import factories
from tests.factories import (complete_application, image_bytes, minimal_pdf,
                             submitted_application)


@pytest.fixture
def comp(app):
    return factories.competition(prize_code="BIP", year=2026, title="Bayerischer Integrationspreis")


@pytest.fixture
def bip_staff(app):
    return factories.staff(prize_code="BIP")


def text(response):
    return response.get_data(as_text=True)


def reload(application):
    db.session.expire_all()
    return db.session.get(Application, application.id)


# --- access -----------------------------------------------------------------------------

@pytest.mark.parametrize("who, expected", [
    ("anonymous", 302), ("applicant", 403), ("obb_staff", 403), ("juror", 403),
    ("bip_staff", 200), ("ministry", 200), ("admin", 200),
])
def test_intake_list_access(client, auth, comp, who, expected):
    users = {
        "applicant": lambda: factories.user(), "obb_staff": lambda: factories.staff(prize_code="OBB"),
        "juror": lambda: factories.juror(comp), "bip_staff": lambda: factories.staff(prize_code="BIP"),
        "ministry": lambda: factories.staff(prize_code=None), "admin": lambda: factories.admin(),
    }
    if who != "anonymous":
        auth.login(users[who]())
    assert client.get(f"/geschaeftsstelle/eingang/{comp.id}").status_code == expected


def test_regional_staff_never_see_other_regions_applications(client, auth, comp):
    obb = factories.competition(prize_code="OBB", year=2026)
    bip_application = submitted_application(complete=True, competition=comp)        # a project from Oberbayern, BIP
    obb_application = submitted_application(complete=True, competition=obb)
    auth.login(factories.staff(prize_code="OBB"))
    assert client.get(f"/geschaeftsstelle/bewerbungen/{bip_application.id}").status_code == 403
    assert client.get(f"/geschaeftsstelle/eingang/{comp.id}/export.csv").status_code == 403
    assert client.get(f"/geschaeftsstelle/bewerbungen/{obb_application.id}").status_code == 200
    index = text(client.get("/geschaeftsstelle/eingang"))
    assert "Testpreis OBB 2026" in index and "Bayerischer Integrationspreis" not in index


@pytest.mark.parametrize("method, path", [
    ("get", "/geschaeftsstelle/bewerbungen/{id}"),
    ("get", "/geschaeftsstelle/bewerbungen/{id}/eingangsbestaetigung"),
    ("post", "/geschaeftsstelle/bewerbungen/{id}/pruefung"),
    ("post", "/geschaeftsstelle/bewerbungen/{id}/korrektur"),
])
def test_other_prize_staff_refused_on_application_pages(client, auth, comp, method, path):
    application = submitted_application(complete=True, competition=comp)
    auth.login(factories.staff(prize_code="NDB"))
    response = getattr(client, method)(path.format(id=application.id),
                                       data={"result": "admissible", "reopen_reason": "x"})
    assert response.status_code == 403
    assert (reload(application).formal_check, reload(application).status) == (
        FormalCheck.PENDING, ApplicationStatus.SUBMITTED)


def test_drafts_are_not_visible_to_staff(client, auth, comp, bip_staff):
    draft = complete_application(competition=comp, project_title="Geheimer Entwurf")
    submitted_application(complete=True, competition=comp, project_title="Eingereichtes Projekt")
    auth.login(bip_staff)
    body = text(client.get(f"/geschaeftsstelle/eingang/{comp.id}"))
    assert "Eingereichtes Projekt" in body and "Geheimer Entwurf" not in body
    assert "1 Bewerbung gefunden." in body and "Dazu 1 Entwurf, der" in body
    assert client.get(f"/geschaeftsstelle/bewerbungen/{draft.id}").status_code == 404


# --- list: search, filters, paging ------------------------------------------------------

def test_search_and_filters(client, auth, comp, bip_staff):
    submitted_application(complete=True, competition=comp, org_name="Kulturbrücke Hof e.V.", project_title="Theater",
                  district_name="Hof", is_city=True)
    submitted_application(complete=True, competition=comp, org_name="Gemeinde Beispiel", project_title="Lotsen",
                  applicant_type=ApplicantType.KOMMUNE)
    withdrawn = submitted_application(complete=True, competition=comp, project_title="Zurückgezogenes Projekt")
    withdrawn.status = ApplicationStatus.WITHDRAWN
    auth.login(bip_staff)
    url = f"/geschaeftsstelle/eingang/{comp.id}"

    def titles(**params):
        body = text(client.get(url, query_string=params))
        return [t for t in ("Theater", "Lotsen", "Zurückgezogenes Projekt") if f">{t}<" in body]

    assert titles() == ["Theater", "Lotsen", "Zurückgezogenes Projekt"]
    assert titles(q="kulturbrücke") == ["Theater"]
    assert titles(q="BIP-2026-0002") == ["Lotsen"]
    assert titles(q="100%") == []
    assert titles(region="OFR") == ["Theater"]
    assert titles(applicant_type="kommune") == ["Lotsen"]
    assert titles(status="withdrawn") == ["Zurückgezogenes Projekt"]
    assert titles(status="unsinn") == ["Theater", "Lotsen", "Zurückgezogenes Projekt"]


def test_paging(client, auth, comp, bip_staff):
    for n in range(1, 28):
        submitted_application(complete=True, competition=comp, number=n, project_title=f"Projekt Nr {n:02d}")
    auth.login(bip_staff)
    page1 = text(client.get(f"/geschaeftsstelle/eingang/{comp.id}"))
    page2 = text(client.get(f"/geschaeftsstelle/eingang/{comp.id}?seite=2"))
    assert ("Projekt Nr 25" in page1, "Projekt Nr 26" in page1) == (True, False)
    assert ("Projekt Nr 26" in page2, "Projekt Nr 27" in page2, "Projekt Nr 01" in page2) == (
        True, True, False)
    assert "Seite 2 von 2" in page2
    assert "27 Bewerbungen gefunden." in page1
    assert f'href="/geschaeftsstelle/eingang/{comp.id}?seite=2"' in client.get(
        f"/geschaeftsstelle/eingang/{comp.id}").text
    # A page past the end shows the last page, nonsense the first.
    def table(page):
        return page.split("<table", 1)[1].split("</table>", 1)[0]

    assert table(text(client.get(f"/geschaeftsstelle/eingang/{comp.id}?seite=9"))) == table(page2)
    assert table(text(client.get(f"/geschaeftsstelle/eingang/{comp.id}?seite=x"))) == table(page1)


def _count_queries(client, url):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_list_query_count_does_not_grow_with_rows(client, auth, comp, bip_staff):
    auth.login(bip_staff)
    url = f"/geschaeftsstelle/eingang/{comp.id}"
    for _ in range(3):
        application = submitted_application(complete=True, competition=comp)
    db.session.commit()
    few = _count_queries(client, url)
    for _ in range(20):
        submitted_application(complete=True, competition=comp)
    db.session.commit()
    many = _count_queries(client, url)
    assert few == many


# --- detail and files -------------------------------------------------------------------

def test_detail_shows_every_field_and_file(client, auth, comp, bip_staff):
    application = complete_application(competition=comp, kind="nomination",
                                       nominator_name="Nora Nominiert",
                                       nominator_email="nora@example.org", website="https://x.example",
                                       partners="Stadtbibliothek", funding="Spenden")
    with client.application.test_request_context():
        uploads.add_attachment(actor=application.owner, application=application,
                               stream=io.BytesIO(minimal_pdf()), filename="Presse.pdf")
        from awards.services import applications as service

        service.submit(actor=application.owner, application=application)
    db.session.commit()
    auth.login(bip_staff)
    body = text(client.get(f"/geschaeftsstelle/bewerbungen/{application.id}"))
    for value in ("BIP-2026-0001", "Nora Nominiert", "Sprachbrücke Musterstadt e.V. (erfunden)",
                  "Lindenweg 3", "80331 München", "München (kreisfreie Stadt)", "Oberbayern",
                  "kontakt@sprachbruecke.example", "https://x.example", "Sprachcafé am Marktplatz",
                  "Jeden Mittwoch üben", "Sprache im Alltag", "Neuzugewanderte Erwachsene.",
                  "01.03.2021", "14", "Stadtbibliothek", "Spenden", "Presse.pdf",
                  application.attachments[0].sha256, "Datenschutzhinweise gelesen"):
        assert value in body, value


def test_districts_are_named_in_the_page_language(client, auth, comp, bip_staff):
    """The kind of district is translated, its name kept: on the detail page, in the list
    and in the form's choices."""
    from flask_babel import refresh

    application = complete_application(competition=comp)
    with client.application.test_request_context():
        from awards.services import applications as service

        service.submit(actor=application.owner, application=application)
    db.session.commit()
    auth.login(bip_staff)
    detail = f"/geschaeftsstelle/bewerbungen/{application.id}"
    listing = f"/geschaeftsstelle/eingang/{comp.id}"
    assert "München (kreisfreie Stadt)" in text(client.get(detail))
    assert "München (kreisfreie Stadt)" in text(client.get(listing))
    client.get("/sprache/en")
    refresh()
    for page in (detail, listing):
        body = text(client.get(page))
        assert "München (independent city)" in body and "kreisfreie" not in body, page
    draft = complete_application(competition=comp)
    db.session.commit()
    auth.login(draft.owner)
    form = client.get(f"/bewerbung/{draft.id}/schritt/1")
    assert form.status_code == 200
    assert ">Ebersberg (district)</option>" in form.text
    assert ">München (independent city)</option>" in form.text
    assert "Landkreis " not in form.text and "(kreisfreie Stadt)" not in form.text


def test_staff_download_attachment_and_receipt(client, auth, comp, bip_staff):
    application = complete_application(competition=comp, image_rights_confirmed=True)
    with client.application.test_request_context():
        attachment = uploads.add_attachment(actor=application.owner, application=application,
                                            stream=io.BytesIO(image_bytes("JPEG")),
                                            filename="Foto.jpg")
        from awards.services import applications as service

        service.submit(actor=application.owner, application=application)
    db.session.commit()
    auth.login(bip_staff)
    file_response = client.get(
        f"/geschaeftsstelle/bewerbungen/{application.id}/anlagen/{attachment.id}")
    receipt = client.get(f"/geschaeftsstelle/bewerbungen/{application.id}/eingangsbestaetigung")
    assert (file_response.status_code, file_response.data) == (200, image_bytes("JPEG"))
    assert (receipt.status_code, receipt.data[:5]) == (200, b"%PDF-")


def test_staff_attachment_id_of_other_application_is_404(client, auth, comp, bip_staff):
    one = submitted_application(complete=True, competition=comp)
    other = complete_application(competition=comp)
    with client.application.test_request_context():
        foreign = uploads.add_attachment(actor=other.owner, application=other,
                                         stream=io.BytesIO(minimal_pdf()), filename="x.pdf")
    auth.login(bip_staff)
    assert client.get(
        f"/geschaeftsstelle/bewerbungen/{one.id}/anlagen/{foreign.id}").status_code == 404


# --- formal check and reopening ---------------------------------------------------------

def test_formal_check_admissible(client, auth, comp, bip_staff):
    application = submitted_application(complete=True, competition=comp)
    auth.login(bip_staff)
    response = client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/pruefung",
                           data={"result": "admissible"})
    assert response.location == f"/geschaeftsstelle/bewerbungen/{application.id}"
    saved = reload(application)
    assert (saved.formal_check, saved.formal_checked_by_id) == (FormalCheck.ADMISSIBLE, bip_staff.id)
    audit = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (audit.action, audit.new) == ("application.formal_check",
                                         {"formal_check": "admissible", "reason": ""})


def test_formal_check_inadmissible_needs_reason(client, auth, comp, bip_staff):
    application = submitted_application(complete=True, competition=comp)
    auth.login(bip_staff)
    response = client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/pruefung",
                           data={"result": "inadmissible", "reason": ""})
    assert response.status_code == 422
    assert "Bitte geben Sie eine Begründung an." in text(response)
    assert reload(application).formal_check == FormalCheck.PENDING
    client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/pruefung",
                data={"result": "inadmissible", "reason": "Projekt außerhalb Bayerns"})
    saved = reload(application)
    assert (saved.formal_check, saved.formal_check_reason) == (
        FormalCheck.INADMISSIBLE, "Projekt außerhalb Bayerns")


def test_formal_check_no_longer_requests_documents_without_a_deadline(client, auth, comp,
                                                                       bip_staff):
    # A Nachforderung has its own form with a deadline (tests/web/test_document_requests.py).
    application = submitted_application(complete=True, competition=comp)
    auth.login(bip_staff)
    response = client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/pruefung",
                           data={"result": "request", "reason": "Bitte Finanzierungsplan nachreichen."})
    assert response.status_code == 422
    assert reload(application).formal_check == FormalCheck.PENDING
    assert db.session.scalars(select(OutboxMail)).all() == []


def test_formal_check_without_result_is_refused(client, auth, comp, bip_staff):
    application = submitted_application(complete=True, competition=comp)
    auth.login(bip_staff)
    response = client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/pruefung",
                           data={"result": "quatsch"})
    assert response.status_code == 422
    assert reload(application).formal_check == FormalCheck.PENDING


def test_reopen_for_correction_and_resubmit(client, auth, comp, bip_staff):
    application = submitted_application(via_service=True, competition=comp)
    db.session.commit()
    first_receipt = application.receipt_key
    auth.login(bip_staff)
    response = client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/korrektur",
                           data={"reopen_reason": "Die Postleitzahl fehlt."})
    assert response.location == f"/geschaeftsstelle/bewerbungen/{application.id}"
    saved = reload(application)
    assert (saved.status, saved.reopen_reason) == (ApplicationStatus.REOPENED,
                                                   "Die Postleitzahl fehlt.")
    mail = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    assert mail.subject == "Bitte korrigieren Sie Ihre Bewerbung BIP-2026-0001"
    assert "Die Postleitzahl fehlt." in mail.body_text

    auth.logout()
    auth.login(saved.owner)
    step = text(client.get(f"/bewerbung/{application.id}/schritt/1"))
    assert "Die Geschäftsstelle hat Ihre Bewerbung zur Korrektur geöffnet." in step
    client.post(f"/bewerbung/{application.id}/schritt/1", data={"action": "save", "postcode": "80333"})
    client.post(f"/bewerbung/{application.id}/schritt/5", data={
        "action": "submit", "consent_privacy": "y", "consent_truthful": "y"})
    saved = reload(application)
    assert (saved.status, saved.reference, saved.postcode, saved.resubmitted_at is not None) == (
        ApplicationStatus.SUBMITTED, "BIP-2026-0001", "80333", True)
    assert saved.receipt_key != first_receipt


def test_reopen_needs_reason(client, auth, comp, bip_staff):
    application = submitted_application(complete=True, competition=comp)
    auth.login(bip_staff)
    response = client.post(f"/geschaeftsstelle/bewerbungen/{application.id}/korrektur",
                           data={"reopen_reason": "  "})
    assert response.status_code == 422
    assert "Bitte geben Sie an, was korrigiert werden soll." in text(response)
    assert reload(application).status == ApplicationStatus.SUBMITTED


# --- exports ----------------------------------------------------------------------------

def test_csv_export(client, auth, comp, bip_staff):
    submitted_application(complete=True, competition=comp, org_name="=HYPERLINK(\"http://evil\")", project_title="Eins")
    submitted_application(complete=True, competition=comp, project_title="Zwei", district_name="Hof", is_city=True)
    complete_application(competition=comp, project_title="Entwurf")
    auth.login(bip_staff)
    response = client.get(f"/geschaeftsstelle/eingang/{comp.id}/export.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="Bewerbungen-BIP-2026-')
    content = response.data.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows[0][:3] == ["Bewerbungsnummer", "Status", "Formale Prüfung"]
    assert [(r[0], r[7], r[15]) for r in rows[1:]] == [
        ("BIP-2026-0001", "'=HYPERLINK(\"http://evil\")", "Eins"),
        ("BIP-2026-0002", "Sprachbrücke Musterstadt e.V. (erfunden)", "Zwei"),
    ]
    filtered = client.get(f"/geschaeftsstelle/eingang/{comp.id}/export.csv?region=OFR")
    assert len(list(csv.reader(io.StringIO(filtered.data.decode("utf-8-sig")), delimiter=";"))) == 2


def test_xlsx_export(client, auth, comp, bip_staff):
    submitted_application(complete=True, competition=comp, project_title="Eins", volunteers_count=7)
    auth.login(bip_staff)
    response = client.get(f"/geschaeftsstelle/eingang/{comp.id}/export.xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (sheet.title, len(rows)) == ("Bewerbungen", 2)
    assert (rows[1][0], rows[1][14], rows[1][15], rows[1][17]) == (
        "BIP-2026-0001", Region.OBB.label, "Eins", 7)


def test_reopen_after_the_applicant_deleted_the_account_mails_the_form_address(client, auth):
    from sqlalchemy import select

    from awards.enums import ApplicationStatus
    from awards.extensions import db
    from awards.models.mail import OutboxMail
    from awards.services import applications as service
    comp = factories.competition(prize_code="BIP", year=2051)
    application = factories.application(competition=comp, status=ApplicationStatus.SUBMITTED,
                                        email="verein@example.org")
    application.owner_id = None
    db.session.flush()
    db.session.expire(application, ["owner"])
    staff = factories.staff()
    service.reopen(actor=staff, application=application, reason="Bitte Foto ergänzen.")
    db.session.commit()
    mails = db.session.scalars(select(OutboxMail)).all()
    assert [m.to_addr for m in mails] == ["verein@example.org"]
