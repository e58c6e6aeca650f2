"""The intake export (CSV and XLSX) for staff: its columns come from the field registry, one
row per application that reached the office (no drafts), nothing of the nominator, the
street or the long texts, and no cell a spreadsheet would run as a formula."""
import csv
import io
from datetime import datetime, timezone

import openpyxl
import pytest

from awards.enums import ApplicationStatus, FormalCheck, Region, SubmissionKind
from awards.i18n import in_language
from awards.services import exports
from tests import factories

COLUMNS = ["Bewerbungsnummer", "Status", "Formale Prüfung", "Begründung", "Eingegangen am",
           "Art der Einreichung", "Bewerbertyp", "Name der Organisation bzw. Person",
           "Ansprechperson", "E-Mail", "Telefon", "PLZ", "Ort", "Landkreis/kreisfreie Stadt",
           "Regierungsbezirk", "Name des Projekts", "Projektbeginn", "Ehrenamtliche",
           "Hauptamtliche", "Erreichte Menschen", "Anlagen"]


@pytest.fixture(autouse=True)
def request_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def intake(app):
    """A nomination (number 1) with a file, a self-application refused in the formal check
    (number 2), a withdrawn one (3), a draft, and an application of another year."""
    comp = factories.competition(year=2032)
    nomination = factories.submitted_application(
        comp, nomination=True, number=1, street="Geheimgasse 7", website="https://geheim.example",
        partners="Partner im Verborgenen", funding="Spenden der Familie Verborgen")
    nomination.submitted_at = datetime(2032, 2, 3, 10, 15, 30, tzinfo=timezone.utc)
    factories.attachment(nomination)
    factories.attachment(nomination, filename="Zweite.pdf")
    refused = factories.submitted_application(comp, number=2, org_name="Zweiter Verein e.V.",
                                              formal_check=FormalCheck.INADMISSIBLE,
                                              formal_check_reason="Außerhalb Bayerns.")
    withdrawn = factories.submitted_application(comp, number=3,
                                                status=ApplicationStatus.WITHDRAWN)
    factories.application(competition=comp, org_name="Nur ein Entwurf e.V.")
    factories.submitted_application(factories.competition(year=2033), org_name="Anderes Jahr")
    return comp, nomination, refused, withdrawn


def _csv(data):
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_columns_follow_the_field_registry(app):
    assert exports.columns() == COLUMNS


def test_each_application_of_the_office_is_one_row_with_its_values(intake):
    comp, nomination, refused, withdrawn = intake
    header, *rows = _csv(exports.export_csv(competition=comp))
    assert header == COLUMNS
    by_column = [dict(zip(header, row)) for row in rows]
    assert [r["Bewerbungsnummer"] for r in by_column] == [
        "BIP-2032-0001", "BIP-2032-0002", "BIP-2032-0003"]
    first = by_column[0]
    assert first == {
        "Bewerbungsnummer": "BIP-2032-0001", "Status": "Eingereicht", "Formale Prüfung": "Noch nicht geprüft",
        "Begründung": "", "Eingegangen am": "03.02.2032 11:15:30",
        "Art der Einreichung": "Vorschlag durch Dritte", "Bewerbertyp": "Verein",
        "Name der Organisation bzw. Person": "Sprachbrücke Musterstadt e.V. (erfunden)",
        "Ansprechperson": "Aylin Beispiel", "E-Mail": "kontakt@sprachbruecke.example",
        "Telefon": "089 1234567", "PLZ": "80331", "Ort": "München",
        "Landkreis/kreisfreie Stadt": "München (kreisfreie Stadt)",
        "Regierungsbezirk": Region.OBB.label, "Name des Projekts": "Sprachcafé am Marktplatz",
        "Projektbeginn": "01.03.2021", "Ehrenamtliche": "14", "Hauptamtliche": "0",
        "Erreichte Menschen": "", "Anlagen": "2"}
    assert (by_column[1]["Formale Prüfung"], by_column[1]["Begründung"]) == (
        "Unzulässig", "Außerhalb Bayerns.")
    assert by_column[2]["Status"] == "Zurückgezogen"


def test_the_export_leaves_out_drafts_and_other_competitions(intake):
    comp = intake[0]
    content = exports.export_csv(competition=comp).decode("utf-8")
    assert "Nur ein Entwurf e.V." not in content and "Anderes Jahr" not in content


def test_the_nominator_street_website_and_long_texts_are_not_exported(intake):
    comp, nomination, _, _ = intake
    assert nomination.kind == SubmissionKind.NOMINATION
    content = exports.export_csv(competition=comp).decode("utf-8")
    workbook = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(competition=comp)))
    cells = " ".join(str(c) for row in workbook.active.iter_rows(values_only=True) for c in row)
    for secret in ("Paula Vorschlag", "paula.vorschlag@example.org", "0911 765432",
                   "Nachbarschaftsrat", "Geheimgasse", "geheim.example", "Verborgen",
                   nomination.summary, nomination.description, nomination.goals):
        assert secret not in content
        assert secret not in cells


def test_filters_narrow_the_rows(intake):
    comp, _, refused, _ = intake
    rows = _csv(exports.export_csv(competition=comp, formal=FormalCheck.INADMISSIBLE))[1:]
    assert [r[0] for r in rows] == [refused.reference]
    rows = _csv(exports.export_csv(competition=comp, search="Zweiter"))[1:]
    assert [r[0] for r in rows] == [refused.reference]


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://evil.example\")", "+1+2", "-2+3",
                                   "@SUM(A1)", "\tTab"])
def test_cells_a_spreadsheet_would_run_start_with_an_apostrophe(app, value):
    comp = factories.competition()
    factories.submitted_application(comp, org_name=value, project_title="Harmlos")
    (row,) = _csv(exports.export_csv(competition=comp))[1:]
    assert row[7] == "'" + value
    assert row[15] == "Harmlos"
    sheet = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(competition=comp))).active
    assert list(sheet.iter_rows(values_only=True))[1][7] == "'" + value


def test_csv_is_for_german_spreadsheets(intake):
    data = exports.export_csv(competition=intake[0])
    assert data.startswith("\ufeff".encode("utf-8"))
    first_line = data.decode("utf-8")[1:].split("\r\n")[0]
    assert first_line == ";".join(COLUMNS)


def test_xlsx_holds_the_same_rows_as_the_csv(intake):
    comp = intake[0]
    csv_rows = _csv(exports.export_csv(competition=comp))
    sheet = openpyxl.load_workbook(io.BytesIO(exports.export_xlsx(competition=comp))).active
    assert sheet.title == "Bewerbungen"
    xlsx_rows = [["" if c is None else str(c) for c in row]
                 for row in sheet.iter_rows(values_only=True)]
    assert xlsx_rows == csv_rows


def test_columns_in_english(app):
    with in_language("en"):
        header = exports.columns()
    assert header[:2] == ["Application number", "Status"] and header[-1] == "Attachments"
