"""Redaction, the juror projection, attachment stripping, approval and the leak scan."""
import pytest

from awards.adapters.storage import get_storage
from awards.extensions import db
from awards.models.jury import RedactionState
from awards.services.jury import anonymisation, rounds
from awards.services.jury.anonymisation import REDACTED
from tests import factories


def _entry(**kw):
    comp = factories.competition(prize_code="OBB")
    defaults = dict(org_name="Brückenbauer Haidhausen e.V.", contact_name="Leyla Öztürk-Brandl",
                    street="Wörthstraße 12", postcode="81667", city="München",
                    email="info@brueckenbauer-haidhausen.de", phone="089 4480 1234",
                    website="https://www.brueckenbauer-haidhausen.de")
    defaults.update(kw)
    factories.submitted_application(comp, admissible=True, **defaults)
    round_ = factories.jury_round(competition=comp)
    rounds.populate_entries(actor=None, round_=round_)
    return round_.entries[0]


def test_redact_replaces_own_names_and_their_parts(app):
    entry = _entry(summary="Die Brückenbauer Haidhausen e.V. um Leyla Öztürk-Brandl treffen sich. "
                           "Frau Öztürk leitet, Brandl hilft; Haidhausens Nachbarn kommen.")
    view = anonymisation.project(entry)
    summary = next(f.value for f in view.fields if f.key == "summary")
    assert summary == (f"Die {REDACTED} um {REDACTED} treffen sich. Frau {REDACTED} leitet, "
                       f"{REDACTED} hilft; {REDACTED} Nachbarn kommen.")


def test_a_remembered_redaction_answers_only_for_the_same_identifiers(app):
    """redact() keeps its results keyed by text, identifiers and field: another term, a
    kept hit or a lifted occurrence redacts the same text anew."""
    Identifiers = anonymisation.Identifiers
    text = "Die Brückenbauer treffen sich in Haidhausen."
    assert anonymisation.redact(text, Identifiers(parts=["Brückenbauer"])) == (
        f"Die {REDACTED} treffen sich in Haidhausen.")
    assert anonymisation.redact(text, Identifiers(parts=["Brückenbauer"])) == (
        f"Die {REDACTED} treffen sich in Haidhausen.")
    assert anonymisation.redact(text, Identifiers(parts=["Haidhausen"])) == (
        f"Die Brückenbauer treffen sich in {REDACTED}.")
    assert anonymisation.redact(text, Identifiers(parts=["Brückenbauer", "Haidhausen"])) == (
        f"Die {REDACTED} treffen sich in {REDACTED}.")
    assert anonymisation.redact(text, Identifiers(parts=["Brückenbauer"],
                                                  kept={"brückenbauer"})) == text
    occurrence = anonymisation.occurrences(text, Identifiers(parts=["Haidhausen"]), "summary")[0]
    lifted = Identifiers(parts=["Haidhausen"], lifted=[
        {"field": "summary", "term": "Haidhausen", "context": occurrence.context, "n": 0}])
    assert anonymisation.redact(text, lifted, field="summary") == text
    assert anonymisation.redact(text, lifted, field="goals") == (
        f"Die Brückenbauer treffen sich in {REDACTED}.")
    assert anonymisation.redact("", lifted) == anonymisation.redact(None, lifted) == ""


def test_a_change_of_the_staff_terms_shows_in_the_next_projection(app):
    entry = _entry(summary="Wir treffen uns im Kulturladen Westend.")
    before = anonymisation.project(entry)
    assert "Kulturladen" in next(f.value for f in before.fields if f.key == "summary")
    entry.extra_terms = ["Kulturladen Westend"]
    after = anonymisation.project(entry)
    assert next(f.value for f in after.fields if f.key == "summary") == (
        f"Wir treffen uns im {REDACTED}.")


def test_redact_replaces_contacts_urls_phones_and_streets(app):
    entry = _entry(description="Schreiben Sie an info@brueckenbauer-haidhausen.de oder "
                               "mail@andere.org, rufen Sie +49 89 4480-1234 oder 0171 2345678 an, "
                               "besuchen Sie www.brueckenbauer-haidhausen.de/team und "
                               "https://example.net/x. Treffpunkt: Wörthstraße 12, 81667 München, "
                               "sonst Rosenheimer Str. 5. Wir haben 120 Mitglieder seit 2019.")
    view = anonymisation.project(entry)
    text = next(f.value for f in view.fields if f.key == "description")
    assert text == (f"Schreiben Sie an {REDACTED} oder {REDACTED}, rufen Sie {REDACTED} oder "
                    f"{REDACTED} an, besuchen Sie {REDACTED} und {REDACTED}. Treffpunkt: "
                    f"{REDACTED}, {REDACTED} {REDACTED}, sonst {REDACTED}. Wir haben "
                    f"120 Mitglieder seit 2019.")


def test_projection_has_only_code_and_jury_fields(app):
    entry = _entry(project_title="Sprachcafé Brückenbauer", summary="Kurz.", volunteers_count=12)
    view = anonymisation.project(entry)
    assert view.code == entry.code
    assert view.title == f"Sprachcafé {REDACTED}"
    assert [f.key for f in view.fields] == ["summary", "description", "goals", "target_group",
                                            "volunteers_count"]
    dumped = view.text()
    for secret in ("Brückenbauer", "Öztürk", "Wörthstraße", "81667", "089", entry.application.reference):
        assert secret not in dumped


def test_staff_extra_terms_and_kept_terms(app):
    entry = _entry(summary="Im Brückenbauer-Café am Johannisplatz trifft sich Haidhausen.")
    anonymisation.update_redactions(actor=None, entry=entry, extra_terms=["Johannisplatz"],
                                    kept_terms=["Haidhausen"])
    view = anonymisation.project(entry)
    assert next(f.value for f in view.fields if f.key == "summary") == (
        f"Im {REDACTED}-Café am {REDACTED} trifft sich Haidhausen.")
    terms = {t: (keepable, kept) for t, _kind, keepable, kept in
             anonymisation.redaction_terms(entry.application, entry)}
    assert terms["Haidhausen"] == (True, True)
    assert terms["Johannisplatz"] == (False, False)


def test_whole_identifying_value_cannot_be_kept(app):
    entry = _entry(summary="Leyla Öztürk-Brandl erzählt.")
    with pytest.raises(anonymisation.AnonymisationError):
        anonymisation.update_redactions(actor=None, entry=entry, extra_terms=[],
                                        kept_terms=["Leyla Öztürk-Brandl"])


def test_approval_is_voided_when_content_changes(app):
    entry = _entry(summary="Erst so.")
    anonymisation.approve(actor=None, entry=entry)
    assert anonymisation.is_approved(entry) is True
    entry.application.summary = "Jetzt anders."
    db.session.flush()
    assert entry.redaction_state == RedactionState.APPROVED
    assert anonymisation.is_approved(entry) is False


def test_jury_copy_of_pdf_and_jpeg_has_no_metadata(app):
    entry = _entry()
    application = entry.application
    pdf = factories.jury_attachment(application=application, content_type="application/pdf",
                        filename="Bericht Brückenbauer.pdf",
                        data=factories.pdf_bytes(author="Leyla Öztürk-Brandl", title="Brückenbauer intern",
                                          creator="Brückenbauer PC", xmp="<x:xmpmeta>Öztürk</x:xmpmeta>"))
    jpg = factories.jury_attachment(application=application, content_type="image/jpeg", filename="foto.jpg",
                        data=factories.jpeg_bytes(artist="Leyla Öztürk", description="Brückenbauer Fest"))
    storage = get_storage()
    pdf_copy = storage.read(pdf.jury_storage_key)
    jpg_copy = storage.read(jpg.jury_storage_key)
    assert b"\xc3\x96zt\xc3\xbcrk" not in pdf_copy and "Öztürk".encode("latin-1") not in pdf_copy
    assert b"/Author" not in pdf_copy and b"/Title" not in pdf_copy and b"/Metadata" not in pdf_copy
    assert b"Exif" not in jpg_copy and b"Leyla" not in jpg_copy and b"Fest" not in jpg_copy
    from PIL import Image
    import io

    assert Image.open(io.BytesIO(jpg_copy)).getexif() == {}
    view = anonymisation.project(entry)
    assert [a.name for a in view.attachments] == ["Anlage 1.pdf", "Anlage 2.jpg"]


def test_identifier_in_pdf_text_is_blacked_out_and_the_scan_is_clean(app):
    entry = _entry()
    factories.jury_attachment(application=entry.application, content_type="application/pdf", filename="a.pdf",
                  data=factories.pdf_bytes(text="Bericht der Brueckenbauer Haidhausen"))
    # The scan makes the redacted copy first and then reads it: nothing is left.
    assert anonymisation.scan_entry(entry=entry) == []
    att = entry.application.attachments[0]
    # "Brueckenbauer" is "Brückenbauer" written without the umlaut.
    assert anonymisation.attachment_text_hits(attachment=att, entry=entry) == [
        {"where": "S. 1", "term": "Brueckenbauer"}, {"where": "S. 1", "term": "Haidhausen"}]
    name, pages = anonymisation.juror_text_version(entry, 1)
    assert (name, pages) == ("Anlage 1.pdf", [f"Bericht der {REDACTED} {REDACTED}"])


def test_leak_scan_clean_when_everything_redacted(app):
    entry = _entry(summary="Brückenbauer Haidhausen e.V., Tel. 089 4480 1234.")
    factories.jury_attachment(application=entry.application, content_type="application/pdf", filename="a.pdf",
                  data=factories.pdf_bytes(text="Projektbericht", author="Leyla Öztürk-Brandl"))
    assert anonymisation.scan_entry(entry=entry) == []


def test_hidden_attachment_never_in_projection(app):
    entry = _entry()
    factories.jury_attachment(application=entry.application, content_type="application/pdf", filename="a.pdf",
                  data=factories.pdf_bytes(), jury_visible=False)
    assert anonymisation.project(entry).attachments == ()
    assert anonymisation.juror_attachment(entry, 1) is None
