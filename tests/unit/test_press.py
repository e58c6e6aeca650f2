"""services/press.py: the public text of a winner (staff write and propose, the applicant
approves or asks for a change; stale edits refused), the press release, and the press kit,
whose content is the public projection of each winner: consented names, texts and photos
only, formulas neutralised."""
import csv
import io
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from awards.adapters.storage import get_storage
from awards.enums import CompetitionStatus
from awards.errors import DomainError, StaleObjectError
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.services import decisions, press
from tests import factories


@pytest.fixture
def year(app):
    """A released state prize 2037 with two winners (every consent given) and one other."""
    comp, winners, others = factories.released_competition(
        winners=2, others=1, year=2037, title="Bayerischer Integrationspreis")
    winners[0].org_name, winners[0].city = "Quastwerk e.V.", "Dachau"
    winners[0].project_title = "Nähstube"
    winners[1].org_name, winners[1].city = "Lesepaten Hof", "Hof"
    winners[1].project_title = "Lesepaten"
    return comp, winners, others, factories.staff(prize_code="BIP")


def _decision(application):
    return decisions.decision_for(application)


def _save(staff, application, **kw):
    values = dict(title="Nähstube für alle", text="Jeden Dienstag nähen Nachbarinnen gemeinsam.")
    values.update(kw)
    return press.save_public_text(actor=staff, decision=_decision(application), **values)


# --- public texts ----------------------------------------------------------------------------

@pytest.mark.parametrize("values, field", [
    (dict(title=" "), "title"), (dict(title="x" * 301), "title"), (dict(text=""), "text"),
    (dict(text="x" * 4001), "text"), (dict(photo_credit="x" * 301), "photo_credit"),
])
def test_a_public_text_is_refused_with_its_field(year, values, field):
    _comp, winners, _others, staff = year
    with pytest.raises(press.PressError) as refused:
        _save(staff, winners[0], **values)
    assert isinstance(refused.value, DomainError) and refused.value.field == field
    assert _decision(winners[0]).public_text is None


def test_a_text_is_saved_as_draft_then_proposed(year):
    _comp, winners, _others, staff = year
    row = _save(staff, winners[0], title="  Nähstube für alle ", photo_credit=" Foto: Verein ")
    assert (row.title, row.status, row.photo_credit, row.approved_text) == (
        "Nähstube für alle", "draft", "Foto: Verein", None)
    assert press.status_of(_decision(winners[0])) == "draft"
    row = _save(staff, winners[0], propose=True, expected_version=row.version)
    assert (row.status, row.proposed_at is not None) == ("proposed", True)
    actions = db.session.scalars(select(AuditLog.action).where(
        AuditLog.action.like("public_text.%")).order_by(AuditLog.id)).all()
    assert actions == ["public_text.save", "public_text.propose"]


def test_proposing_before_the_release_is_refused(app):
    comp = factories.competition(status=CompetitionStatus.JURY)
    application = factories.submitted_application(comp)
    factories.decide(application)
    with pytest.raises(press.PressError):
        _save(factories.staff(), application, propose=True)
    assert _save(factories.staff(), application).status == "draft"  # a draft may be written


def test_a_stale_edit_is_refused(year):
    _comp, winners, _others, staff = year
    row = _save(staff, winners[0])
    loaded = row.version
    _save(staff, winners[0], text="Fassung aus dem anderen Fenster.", expected_version=loaded)
    with pytest.raises(press.StaleEdit) as stale:
        _save(staff, winners[0], text="Meine ältere Fassung.", expected_version=loaded)
    assert isinstance(stale.value, StaleObjectError)
    assert row.text == "Fassung aus dem anderen Fenster."


def test_the_applicant_approves_or_asks_for_a_change(year):
    _comp, winners, _others, staff = year
    owner = winners[0].owner
    decision = _decision(winners[0])
    with pytest.raises(press.PressError):
        press.answer_public_text(actor=owner, decision=decision, approve=True)  # nothing yet
    _save(staff, winners[0])
    with pytest.raises(press.PressError):
        press.answer_public_text(actor=owner, decision=decision, approve=True)  # a draft only
    _save(staff, winners[0], propose=True)
    with pytest.raises(press.PressError) as no_comment:
        press.answer_public_text(actor=owner, decision=decision, approve=False, comment=" ")
    assert no_comment.value.field == "comment"
    with pytest.raises(press.PressError) as too_long:
        press.answer_public_text(actor=owner, decision=decision, approve=False,
                                 comment="x" * (press.MAX_COMMENT + 1))
    assert too_long.value.field == "comment"
    row = press.answer_public_text(actor=owner, decision=decision, approve=False,
                                   comment="Bitte „Nachbarinnen und Nachbarn“.")
    assert (row.status, row.applicant_comment, row.approved_text) == (
        "changes_requested", "Bitte „Nachbarinnen und Nachbarn“.", None)
    _save(staff, winners[0], text="Jeden Dienstag nähen Nachbarinnen und Nachbarn.", propose=True)
    row = press.answer_public_text(actor=owner, decision=decision, approve=True)
    assert (row.status, row.approved_title, row.approved_text) == (
        "approved", "Nähstube für alle", "Jeden Dienstag nähen Nachbarinnen und Nachbarn.")


def test_a_reworked_text_needs_a_new_approval_but_the_approved_copy_stays(year):
    _comp, winners, _others, staff = year
    _save(staff, winners[0], propose=True)
    press.answer_public_text(actor=winners[0].owner, decision=_decision(winners[0]), approve=True)
    row = _save(staff, winners[0], text="Neue Fassung.")
    assert (row.status, row.approved_text) == (
        "draft", "Jeden Dienstag nähen Nachbarinnen gemeinsam.")
    (entry,) = press.entries(_decision(winners[0]).competition)[:1]
    assert entry.winner.summary == "Jeden Dienstag nähen Nachbarinnen gemeinsam."


def test_a_revoked_award_gets_no_public_text(year):
    _comp, winners, _others, staff = year
    decisions.revoke(actor=staff, decision=_decision(winners[0]), reason="Angaben falsch.")
    with pytest.raises(press.PressError):
        _save(staff, winners[0])


def test_draft_defaults_are_the_submitted_title_and_summary(year):
    _comp, winners, _others, _staff = year
    assert press.draft_defaults(_decision(winners[0])) == {
        "title": "Nähstube", "text": winners[0].summary, "photo_credit": ""}


# --- press release ---------------------------------------------------------------------------

@pytest.mark.parametrize("values, field", [
    (dict(headline=""), "headline"), (dict(headline="x" * 301), "headline"),
    (dict(release_text=" "), "release_text"), (dict(release_text="x" * 20001), "release_text"),
    (dict(press_contact="x" * 2001), "press_contact"),
])
def test_a_press_release_is_refused_with_its_field(year, values, field):
    comp, _winners, _others, staff = year
    kw = dict(headline="Preise verliehen", release_text="München. Heute …", press_contact="")
    kw.update(values)
    with pytest.raises(press.PressError) as refused:
        press.save_press_release(actor=staff, competition=comp, **kw)
    assert refused.value.field == field
    assert press.press_kit_of(comp) is None


def test_the_press_release_is_saved_and_stale_edits_refused(year):
    comp, _winners, _others, staff = year
    kit = press.save_press_release(actor=staff, competition=comp, headline=" Preise verliehen ",
                                   release_text="München. Heute …", press_contact="Pressestelle",
                                   expected_version=0)
    assert (kit.headline, press.press_kit_of(comp)) == ("Preise verliehen", kit)
    loaded = kit.version
    press.save_press_release(actor=staff, competition=comp, headline="Neu", release_text="Text",
                             press_contact="", expected_version=loaded)
    with pytest.raises(press.StaleEdit):
        press.save_press_release(actor=staff, competition=comp, headline="Alt",
                                 release_text="Text", press_contact="", expected_version=loaded)
    assert kit.headline == "Neu"


# --- the press kit ---------------------------------------------------------------------------

def test_entries_follow_the_consents_and_take_photos_only_with_image_rights(year):
    comp, winners, others, _staff = year
    storage = get_storage()
    factories.photo_attachment(winners[0], storage=storage)
    factories.photo_attachment(winners[1], storage=storage)
    factories.photo_attachment(others[0], storage=storage)
    winners[1].consent_publish_name = False
    winners[1].image_rights_confirmed = False
    first, second = press.entries(comp)
    assert (first.winner.name, first.winner.place, first.winner.category) == (
        "Quastwerk e.V.", "Dachau", "1. Preis")
    (photo,) = first.photos
    assert photo.filename == "Fotos/01-Quastwerk-e-V-1.jpg"
    assert photo.caption == "Nähstube – 1. Preis, Bayerischer Integrationspreis 2037 (Dachau)"
    assert photo.credit == "Foto: Quastwerk e.V."
    assert (second.winner.name, second.winner.place, second.photos) == (None, None, ())
    text = press.release_text_plain(comp, None, [first, second])
    assert "- 1. Preis: Quastwerk e.V., Dachau – „Nähstube“" in text
    assert "- 2. Preis: Name nicht zur Veröffentlichung freigegeben – „Lesepaten“" in text
    assert "Lesepaten Hof" not in text and others[0].org_name not in text


def test_winners_table_neutralises_formulas_and_lists_photos(year):
    comp, winners, _others, _staff = year
    winners[0].org_name = "=HYPERLINK(\"http://evil.example\")"
    factories.photo_attachment(winners[0], storage=get_storage())
    press_entries = press.entries(comp)
    rows = list(csv.reader(io.StringIO(press.winners_csv(press_entries).decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0] == list(press.WINNER_COLUMNS)
    assert rows[1] == ["Bayerischer Integrationspreis", "2037", "1. Preis", "4.000 €", "Oberbayern",
                       "'=HYPERLINK(\"http://evil.example\")", "Dachau", "Nähstube",
                       winners[0].summary, press_entries[0].photos[0].filename]
    sheet = openpyxl.load_workbook(io.BytesIO(press.winners_xlsx(press_entries))).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1][5] == rows[1][5]


def test_captions_say_when_there_are_no_photos(year):
    comp, _winners, _others, _staff = year
    assert "Keine Fotos" in press.captions_text(press.entries(comp))


def test_the_zip_holds_the_release_tables_captions_and_clean_photos(year):
    comp, winners, _others, staff = year
    storage = get_storage()
    factories.photo_attachment(winners[0], storage=storage)
    press.save_press_release(actor=staff, competition=comp, headline="Preise verliehen",
                             release_text="München. Heute …", press_contact="Pressestelle")
    archive = zipfile.ZipFile(io.BytesIO(press.build_zip(competition=comp, storage=storage)))
    assert sorted(archive.namelist()) == [
        "Bildnachweise.txt", "Fotos/01-Quastwerk-e-V-1.jpg", "Preistraeger-BIP-2037.csv",
        "Preistraeger-BIP-2037.xlsx", "Pressemitteilung-BIP-2037.pdf",
        "Pressemitteilung-BIP-2037.txt"]
    assert archive.read("Pressemitteilung-BIP-2037.pdf").startswith(b"%PDF-")
    assert archive.read("Pressemitteilung-BIP-2037.txt").decode().startswith(
        "Preise verliehen\r\n\r\nMünchen. Heute …")
    assert b"GEHEIM-GPS" not in archive.read("Fotos/01-Quastwerk-e-V-1.jpg")
    assert press.zip_name(comp) == "Pressemappe-BIP-2037.zip"


def test_only_staff_download_before_the_winners_are_public(year):
    comp, _winners, _others, _staff = year
    assert press.may_download(True, comp, utcnow()) is True
    assert press.may_download(False, comp, utcnow()) is False
    factories.publish(comp)
    assert press.may_download(False, comp, utcnow() + timedelta(seconds=1)) is True
