"""PDFs are redacted, not hidden: staff review them with the boxes, lift or add terms and
approve; jurors download the redacted copy and read its text version."""
import io
import re

import pikepdf
import pytest
import weasyprint
from PIL import Image

from awards.adapters import pdfrewrite
from awards.adapters.storage import get_storage
from awards.extensions import db
from awards.models.jury import Assignment, RoundEntry, RoundStatus
from awards.services.jury import anonymisation, rounds
from tests import factories
from awards.services.jury import anonymisation, rounds

P = "/geschaeftsstelle/jury"
REDACTED = anonymisation.REDACTED


def _report(*pages):
    html = "".join(f'<section style="page-break-after: always"><p>{p}</p></section>' for p in pages)
    return weasyprint.HTML(string=f"<html><head><title>Bericht Quastwerk</title>"
                                  f"<meta name='author' content='Henrike Bolzmann'></head>"
                                  f"<body>{html}</body></html>").write_pdf()


@pytest.fixture
def world(app):
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB")
    juror = factories.juror(comp, name="Jonas Jury")
    other = factories.juror(comp, name="Olga Andere")
    round_ = factories.jury_round(competition=comp)
    application = factories.submitted_application(
        comp, admissible=True, org_name="Quastwerk e.V.", contact_name="Mirela Quandt", city="Dachau",
        summary="Nähen und Reden im Landkreis.")
    factories.submitted_application(comp, admissible=True)
    factories.jury_attachment(application=application, content_type="application/pdf", filename="Bericht.pdf",
                  data=_report("Der Verein Quastwerk e.V. näht mit Familien aus Dachau. Es leitet Mirela.",
                               "Ergebnisse: 40 Teilnehmende, 12 Ehrenamtliche."))
    rounds.populate_entries(actor=None, round_=round_)
    entry = next(e for e in round_.entries if e.application_id == application.id)
    db.session.commit()
    return {"comp": comp, "staff": staff, "juror": juror, "other": other, "round": round_,
            "entry": entry, "application": application}


def _review_url(w):
    return f"{P}/runden/{w['round'].id}/anonymisierung/{w['entry'].id}"


def test_review_shows_the_pages_with_boxes_and_what_is_blacked_out(world, client, auth):
    auth.login(world["staff"])
    resp = client.get(_review_url(world))
    assert resp.status_code == 200
    assert "PDF-Anlagen, wie die Jury sie erhält" in resp.text
    assert '<li>Seite 1: <mark class="redacted-original">Quastwerk e.V.</mark></li>' in resp.text
    assert '<li>Seite 1: <mark class="redacted-original">Dachau</mark></li>' in resp.text
    assert "Seite 2:" not in resp.text
    assert 'alt="Seite 1 von Anlage 1.pdf, wie die Jury sie sieht, mit Schwärzungen"' in resp.text
    assert 'alt="Seite 2 von Anlage 1.pdf, wie die Jury sie sieht"' in resp.text
    page = client.get(f"{_review_url(world)}/anlagen/1/seite-1.png")
    assert page.status_code == 200 and page.mimetype == "image/png"
    assert Image.open(io.BytesIO(page.data)).size[0] == 800
    assert client.get(f"{_review_url(world)}/anlagen/1/seite-3.png").status_code == 404
    text = client.get(f"{_review_url(world)}/anlagen/1/text")
    assert f"Der Verein {REDACTED} näht mit Familien aus {REDACTED}. Es leitet {REDACTED}." in text.text
    assert "Ergebnisse: 40 Teilnehmende, 12 Ehrenamtliche." in text.text
    # The file a juror would download: page 1 a picture (no text under the box), page 2 text.
    copy = client.get(f"{_review_url(world)}/anlagen/1")
    assert pdfrewrite.page_texts(copy.data) == ["", "Ergebnisse: 40 Teilnehmende, 12 Ehrenamtliche."]


def test_lifting_a_term_uncovers_it_in_the_pdf_and_voids_the_approval(world, client, auth):
    auth.login(world["staff"])
    client.get(_review_url(world))
    assert client.post(f"{_review_url(world)}/freigeben").status_code == 302
    entry = db.session.get(RoundEntry, world["entry"].id)
    assert anonymisation.is_approved(entry)
    first_copy = anonymisation.juror_attachment(entry, 1)[0]
    form = client.get(_review_url(world)).text
    # Offered from the PDF only (the form's texts hold neither); whole values never are.
    assert re.findall(r'name="kept" id="kept-\d+" value="([^"]+)"', form) == ["Mirela"]
    assert 'value="Dachau"' not in form  # a whole identifying value is never offered
    resp = client.post(_review_url(world), data={"kept": ["Mirela"], "extra_terms": "Familien"})
    assert resp.status_code == 302
    db.session.expire_all()
    entry = db.session.get(RoundEntry, world["entry"].id)
    assert not anonymisation.is_approved(entry)
    name, pages = anonymisation.juror_text_version(entry, 1)
    assert pages[0] == f"Der Verein {REDACTED} näht mit {REDACTED} aus {REDACTED}. Es leitet Mirela."
    assert anonymisation.juror_attachment(entry, 1)[0] != first_copy
    # The old copy is gone once the change is committed.
    assert not get_storage().exists(first_copy)


def test_people_in_the_uploads_metadata_are_redacted_and_searched(world, client, auth):
    application = world["application"]
    application.description = "Frau Henrike Bolzmann hat das Projekt gegründet."
    factories.jury_attachment(application=application, content_type="application/pdf", filename="Notiz.pdf",
                  data=_report("Ansprechpartnerin: Henrike Bolzmann"), jury_visible=True)
    db.session.commit()
    entry = db.session.get(RoundEntry, world["entry"].id)
    hits = anonymisation.scan_entry(entry=entry)
    # The form never names her; the upload's metadata (Author) does.
    assert {"where": "Ausführliche Projektbeschreibung", "term": "Henrike Bolzmann"} in hits
    assert [h for h in hits if h["where"].startswith("Anlage")] == []
    assert anonymisation.juror_text_version(entry, 2)[1] == [f"Ansprechpartnerin: {REDACTED}"]


def _open_round(world):
    db.session.add(Assignment(round_id=world["round"].id, entry_id=world["entry"].id,
                              juror_id=world["juror"].id))
    other_entry = next(e for e in world["round"].entries if e.id != world["entry"].id)
    db.session.add(Assignment(round_id=world["round"].id, entry_id=other_entry.id,
                              juror_id=world["other"].id))
    factories.approve_all(world["round"])
    rounds.open_round(actor=None, round_=world["round"])
    db.session.commit()


def test_juror_downloads_the_redacted_copy_and_its_text_version(world, client, auth):
    _open_round(world)
    assert world["round"].status == RoundStatus.OPEN
    auth.login(world["juror"])
    base = f"/jury/runden/{world['round'].id}/{world['entry'].code}"
    sheet = client.get(base)
    assert f'href="{base}/anlagen/1/text">Textfassung von Anlage 1.pdf</a>' in sheet.text
    pdf = client.get(f"{base}/anlagen/1")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="Anlage 1.pdf"'
    with pikepdf.open(io.BytesIO(pdf.data)) as doc:
        assert "/Info" not in doc.trailer and "/Metadata" not in doc.Root
    assert b"Quastwerk" not in pdf.data and b"Bolzmann" not in pdf.data
    text = client.get(f"{base}/anlagen/1/text")
    assert text.status_code == 200
    assert f"Der Verein {REDACTED} näht mit Familien aus {REDACTED}. Es leitet {REDACTED}." in text.text
    assert "Quastwerk" not in text.text and "Bolzmann" not in text.text
    assert client.get(f"{base}/anlagen/2/text").status_code == 404


def test_text_version_refused_to_a_juror_not_assigned(world, client, auth):
    _open_round(world)
    auth.login(world["other"])
    base = f"/jury/runden/{world['round'].id}/{world['entry'].code}"
    assert client.get(f"{base}/anlagen/1/text").status_code == 404
    assert client.get(f"{base}/anlagen/1").status_code == 404


def test_page_images_refused_to_jurors(world, client, auth):
    auth.login(world["juror"])
    assert client.get(f"{_review_url(world)}/anlagen/1/seite-1.png").status_code == 403
    assert client.get(f"{_review_url(world)}/anlagen/1/text").status_code == 403


def test_copy_made_anew_after_approval_is_a_finding_until_approved_again(world):
    entry = db.session.get(RoundEntry, world["entry"].id)
    anonymisation.approve(actor=None, entry=entry)
    assert anonymisation.scan_entry(entry=entry) == []
    # A correction of the contact name that only the PDF mentions: the projection is the
    # same (the approval still matches it), the redacted copy is not.
    world["application"].contact_name = "Ergebnisse Quandt"
    db.session.flush()
    assert anonymisation.is_approved(entry)
    assert anonymisation.scan_entry(entry=entry) == [
        {"where": "Anlagen", "term": "neu geschwärzt, noch nicht freigegeben"}]
    assert not anonymisation.is_approved(entry)
    assert anonymisation.juror_text_version(entry, 1)[1][1] == (
        f"{REDACTED}: 40 Teilnehmende, 12 Ehrenamtliche.")
    anonymisation.approve(actor=None, entry=entry)
    assert anonymisation.scan_entry(entry=entry) == []


def test_redacted_copies_are_deleted_with_the_entry_and_by_retention(world):
    from awards.services import retention

    entry = db.session.get(RoundEntry, world["entry"].id)
    anonymisation.refresh_files(entry=entry)
    record = next(iter(entry.jury_files["files"].values()))
    keys = [record["key"], record["text_key"]]
    db.session.commit()
    assert all(get_storage().exists(k) for k in keys)
    assert set(keys) <= set(retention.plan_for(world["comp"]).files)
    rounds.remove_entry(actor=None, entry=entry)
    db.session.commit()
    assert [get_storage().exists(k) for k in keys] == [False, False]


def test_a_pdf_that_cannot_be_read_is_refused_with_a_message_and_stays_hidden(world, client, auth):
    locked = io.BytesIO()
    with pikepdf.open(io.BytesIO(_report("Geheim"))) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="geheim", owner="geheim"))
    attachment = factories.jury_attachment(application=world["application"], content_type="application/pdf",
                               filename="Gesperrt.pdf", data=locked.getvalue(), jury_visible=False)
    db.session.commit()
    auth.login(world["staff"])
    resp = client.post(f"{_review_url(world)}/anlage", data={"attachment_id": attachment.id, "visible": "1"},
                       follow_redirects=True)
    assert "Die Datei „Gesperrt.pdf“ lässt sich nicht lesen und kann der Jury nicht gezeigt werden." in resp.text
    db.session.expire_all()
    assert db.session.get(type(attachment), attachment.id).jury_visible is False


def test_storage_down_while_approving_keeps_the_entry_unapproved_with_a_message(world, client, auth,
                                                                                monkeypatch):
    from awards.adapters.storage import StorageError, get_storage as storage_of

    auth.login(world["staff"])
    storage = storage_of()

    def broken_save(*args, **kwargs):
        raise StorageError("down")

    monkeypatch.setattr(type(storage), "save", broken_save)
    resp = client.post(f"{_review_url(world)}/freigeben", follow_redirects=True)
    assert ("Die Anlagen konnten gerade nicht gelesen oder gespeichert werden. Bitte versuchen Sie "
            "es in einigen Minuten erneut.") in resp.text
    db.session.expire_all()
    assert not anonymisation.is_approved(db.session.get(RoundEntry, world["entry"].id))
