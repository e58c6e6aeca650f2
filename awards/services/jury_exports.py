"""Exports of scores and rankings as CSV and XLSX.

While a round runs, exports name entries only by their code. After it closes, staff
exports add the identity (Bewerbungsnummer, organisation, project title). A juror's own
export always goes through the juror projection.
"""
import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from awards.extensions import db
from awards.models.applications import Application
from awards.models.jury import RoundEntry, RoundStatus, Score, ScoreValue
from awards.models.users import User
from awards.services import anonymisation, ranking

RANK_HEADER = ("Rang", "Kennung", "Anzahl Bewertungen", "Mittelwert", "Median",
               "Standardabweichung", "Minimum", "Maximum", "Mittelwert normalisiert",
               "Rang roh", "Rang normalisiert", "Gleichstand", "Hohe Uneinigkeit")
IDENTITY_HEADER = ("Bewerbungsnummer", "Organisation", "Projekttitel")
STATUS_TEXT = {"draft": "zwischengespeichert", "final": "abgeschlossen"}


def _num(value):
    return "" if value is None else round(float(value), 2)


def with_identities(round_):
    return round_.status == RoundStatus.CLOSED


def _identities(application_ids):
    """Bewerbungsnummer, organisation and title by application id (ids or a subquery)."""
    rows = db.session.execute(
        select(Application.id, Application.reference, Application.org_name, Application.project_title)
        .where(Application.id.in_(application_ids))).all()
    return {r.id: (r.reference or "", r.org_name, r.project_title) for r in rows}


def ranking_table(round_):
    data = ranking.ranking(round_)
    identities = with_identities(round_)
    ident = _identities([r["application_id"] for r in data["rows"]]) if identities else {}
    header = list(RANK_HEADER) + (list(IDENTITY_HEADER) if identities else [])
    rows = []
    for r in data["rows"]:
        row = [r["rank"] if r["rank"] is not None else "", r["code"], r["n"], _num(r["mean"]),
               _num(r["median"]), _num(r["sd"]), _num(r["min"]), _num(r["max"]),
               _num(r["norm_mean"]), r["raw_rank"] or "", r["norm_rank"] or "",
               "ja" if r["tie"] else "nein", "ja" if r["disagreement"] else "nein"]
        if identities:
            row += list(ident.get(r["application_id"], ("", "", "")))
        rows.append(row)
    return header, rows


def scores_table(round_):
    """One row per juror and entry: points per criterion, total, status and comments.

    Returns (header, rows) where rows is an iterator: the scores are read in one query,
    joined with their values and streamed in batches (yield_per), so memory stays flat
    however many score sheets a round has.
    """
    criteria = list(round_.criteria)
    identities = with_identities(round_)
    jurors = {u.id: u.display_name for u in db.session.scalars(
        select(User).join(Score, Score.juror_id == User.id)
        .where(Score.round_id == round_.id).distinct())}
    ident = {}
    if identities:
        ident = _identities(select(RoundEntry.application_id).where(RoundEntry.round_id == round_.id))
    header = ["Kennung", "Jurymitglied", "Status"]
    for c in criteria:
        header += [f"{c.name} (Gewicht {c.weight})", f"{c.name}: Anmerkung"]
    header += ["Gesamtpunktzahl", "Gesamtanmerkung"]
    if identities:
        header += list(IDENTITY_HEADER)
    return header, _score_rows(round_, criteria, jurors, ident)


def _score_rows(round_, criteria, jurors, ident):
    weights = {c.id: c.weight for c in criteria}
    query = (
        select(Score.id, Score.juror_id, Score.status, Score.comment, RoundEntry.code,
               RoundEntry.application_id, ScoreValue.round_criterion_id, ScoreValue.value,
               ScoreValue.comment.label("value_comment"))
        .join(RoundEntry, RoundEntry.id == Score.entry_id)
        .outerjoin(ScoreValue, ScoreValue.score_id == Score.id)
        .where(Score.round_id == round_.id)
        .order_by(RoundEntry.code, Score.juror_id, Score.id)
        .execution_options(yield_per=2000)
    )

    def finish(head, values):
        row = [head.code, jurors.get(head.juror_id, ""), STATUS_TEXT[_status(head.status)]]
        for c in criteria:
            value, comment = values.get(c.id, (None, ""))
            row += ["" if value is None else value, comment or ""]
        total = ranking.weighted_total({c.id: values.get(c.id, (None, ""))[0] for c in criteria}, weights)
        row += ["" if total is None else _num(total), head.comment]
        if ident:
            row += list(ident.get(head.application_id, ("", "", "")))
        return row

    head, values = None, {}
    for r in db.session.execute(query):
        if head is not None and r.id != head.id:
            yield finish(head, values)
            values = {}
        head = r
        if r.round_criterion_id is not None:
            values[r.round_criterion_id] = (r.value, r.value_comment)
    if head is not None:
        yield finish(head, values)


def _status(status):
    return status.value if hasattr(status, "value") else status


def juror_scores_table(round_, juror):
    """A juror's own Bewertungsbögen: code and redacted title from the projection only."""
    criteria = list(round_.criteria)
    scores = db.session.scalars(
        select(Score).where(Score.round_id == round_.id, Score.juror_id == juror.id)
        .options(selectinload(Score.values))).all()
    by_entry = {s.entry_id: s for s in scores}
    from awards.services.scoring import visible_entries

    header = ["Kennung", "Projekttitel", "Status"]
    for c in criteria:
        header += [c.name, f"{c.name}: Anmerkung"]
    header += ["Gesamtanmerkung"]
    rows = []
    for entry in visible_entries(juror=juror, round_=round_):
        view = anonymisation.project(entry, round_)
        s = by_entry.get(entry.id)
        row = [view.code, view.title, STATUS_TEXT[s.status.value] if s else "offen"]
        values = s.value_map() if s else {}
        for c in criteria:
            v = values.get(c.id)
            row += ["" if v is None or v.value is None else v.value, "" if v is None else v.comment]
        row += [s.comment if s else ""]
        rows.append(row)
    return header, rows


def _safe(cell):
    """Neutralise spreadsheet formulas in text cells (CSV/formula injection)."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def to_csv(header, rows):
    return b"".join(csv_chunks(header, rows))


def write_xlsx(header, rows, title, fileobj):
    """Write an XLSX workbook to fileobj in openpyxl's write-only mode (rows are streamed
    to disk as they come, so memory does not grow with the number of rows)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for text in header:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for row in rows:
        ws.append([_safe(c) for c in row])
    wb.properties.creator = "Integrationspreis"
    wb.properties.lastModifiedBy = "Integrationspreis"
    wb.save(fileobj)


def to_xlsx(header, rows, title):
    out = io.BytesIO()
    write_xlsx(header, rows, title, out)
    return out.getvalue()


def xlsx_chunks(header, rows, title, chunk_size=256 * 1024):
    """Build the workbook in a temporary file and yield it in chunks (for a streamed response)."""
    import tempfile

    with tempfile.TemporaryFile() as tmp:
        write_xlsx(header, rows, title, tmp)
        tmp.seek(0)
        while chunk := tmp.read(chunk_size):
            yield chunk


def csv_chunks(header, rows):
    """Yield the CSV export line by line (UTF-8 with BOM, semicolons, German decimals)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    yield "\ufeff".encode("utf-8")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(str(c).replace(".", ",") if isinstance(c, float) else c) for c in row])
        if out.tell() > 64 * 1024:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")
