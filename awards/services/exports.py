"""CSV and XLSX exports of the intake list (staff only; streamed row by row)."""
import csv
import io
import tempfile

from openpyxl import Workbook
from sqlalchemy.orm import joinedload, selectinload

from awards.extensions import db
from awards.i18n import _l, format_berlin_date, format_berlin_datetime, text
from awards.models.applications import Application
from awards.services.applications import intake_query


def columns():
    return [text(c) for c in (
        _l("Bewerbungsnummer"), _l("Status"), _l("Formale Prüfung"), _l("Begründung"),
        _l("Eingegangen am"), _l("Art der Einreichung"), _l("Bewerbertyp"),
        _l("Name der Organisation bzw. Person"), _l("Ansprechperson"), _l("E-Mail"), _l("Telefon"),
        _l("PLZ"), _l("Ort"), _l("Landkreis/kreisfreie Stadt"), _l("Regierungsbezirk"),
        _l("Name des Projekts"), _l("Projektbeginn"), _l("Ehrenamtliche"), _l("Hauptamtliche"),
        _l("Anlagen"),
    )]


def _row(a):
    return [
        a.reference or "", a.status.label, a.formal_check.label, a.formal_check_reason,
        format_berlin_datetime(a.submitted_at, "sheet"),
        a.kind.label if a.kind else "", a.applicant_type.label if a.applicant_type else "",
        a.org_name, a.contact_name, a.email, a.phone, a.postcode, a.city,
        a.district.label if a.district else "", a.region.label if a.region else "",
        a.project_title, format_berlin_date(a.project_start),
        a.volunteers_count, a.staff_count, len(a.attachments),
    ]


def _safe(value):
    """Values a spreadsheet would run as a formula get a leading apostrophe (CSV injection)."""
    if value is not None and not isinstance(value, (str, int, float)):
        value = str(value)  # translated labels are lazy strings
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def iter_rows(**filters):
    query = (intake_query(**filters)
             .options(joinedload(Application.district), selectinload(Application.attachments))
             .order_by(Application.number.asc().nulls_last(), Application.id)
             .execution_options(yield_per=500))
    for application in db.session.scalars(query):
        yield [_safe(v) for v in _row(application)]


def export_csv(**filters):
    """CSV for German spreadsheet programs: UTF-8 with BOM, semicolons."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns())
    for row in iter_rows(**filters):
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def export_xlsx(**filters):
    """XLSX written in write-only mode (constant memory per row); returns bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(text(_l("Bewerbungen")))
    sheet.append(columns())
    for row in iter_rows(**filters):
        sheet.append(row)
    with tempfile.TemporaryFile() as tmp:
        workbook.save(tmp)
        tmp.seek(0)
        return tmp.read()
