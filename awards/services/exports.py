"""CSV and XLSX exports of the intake list (staff only; streamed row by row)."""
import csv
import io
import tempfile

from openpyxl import Workbook
from sqlalchemy.orm import joinedload, selectinload

from awards import fields
from awards.extensions import db
from awards.i18n import _l, format_berlin_date, format_berlin_datetime, text
from awards.models.applications import Application
from awards.services.applications import intake_query


def columns():
    return [text(c) for c in (
        _l("Bewerbungsnummer"), _l("Status"), _l("Formale Prüfung"), _l("Begründung"),
        _l("Eingegangen am"),
    )] + [str(f.column_label) for f in fields.export_fields()] + [text(_l("Anlagen"))]


def _row(a):
    """The intake data of one application; its fields as the registry (awards.fields) lists
    them for the export."""
    return [
        a.reference or "", a.status.label, a.formal_check.label, a.formal_check_reason,
        format_berlin_datetime(a.submitted_at, "sheet"),
    ] + [f.display(a) for f in fields.export_fields()] + [len(a.attachments)]


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
