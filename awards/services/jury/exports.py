"""Exports of scores and rankings as CSV and XLSX.

While a round runs, exports name entries only by their code. After it closes, staff
exports add the identity (Bewerbungsnummer, organisation, project title) — but never for a
`viewer` who sits on the jury while its anonymity holds (permissions.identities_hidden_from),
and a viewer on the jury never gets the rows of applications they have a conflict for.
A juror's own export always goes through the juror projection.
"""
import csv
import io

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from awards import fields, permissions
from awards.adapters import xlsx
from awards.extensions import db
from awards.models.applications import Application
from awards.models.jury import Conflict, RoundEntry, RoundStatus, Score, ScoreValue
from awards.models.users import User
from awards.services.jury import anonymisation, ranking
from awards.services.jury.scoring import visible_entries

RANK_HEADER = ("Rang", "Kennung", "Anzahl Bewertungen", "Mittelwert", "Median",
               "Standardabweichung", "Minimum", "Maximum", "Mittelwert normalisiert",
               "Rang roh", "Rang normalisiert", "Gleichstand", "Hohe Uneinigkeit")
# After the round: the Bewerbungsnummer and these fields (with their jury labels).
IDENTITY_FIELDS = ("org_name", "project_title")


def identity_header():
    return ("Bewerbungsnummer",) + tuple(fields.get(n).plain_juror_label for n in IDENTITY_FIELDS)
STATUS_TEXT = {"draft": "zwischengespeichert", "final": "abgeschlossen"}


def _num(value):
    return "" if value is None else round(float(value), 2)


def with_identities(round_, viewer=None):
    """Names in the export: after the round closed, and not for a viewer held to the jury's
    anonymity. `viewer` None: a staff document no jury member receives (archive, bench)."""
    if round_.status != RoundStatus.CLOSED:
        return False
    return viewer is None or not permissions.identities_hidden_from(viewer, round_.competition)


def _conflicted(round_, viewer):
    """Application ids whose rows a viewer on the jury must not get."""
    if viewer is None or not permissions.is_juror(viewer, round_.competition):
        return set()
    return set(db.session.scalars(select(Conflict.application_id).where(Conflict.juror_id == viewer.id)))


def _identities(application_ids):
    """Bewerbungsnummer, organisation and title by application id (ids or a subquery)."""
    rows = db.session.execute(
        select(Application.id, Application.reference,
               *(getattr(Application, n) for n in IDENTITY_FIELDS))
        .where(Application.id.in_(application_ids))).all()
    return {r[0]: (r[1] or "", *r[2:]) for r in rows}


def ranking_table(round_, viewer=None):
    data = ranking.ranking(round_)
    identities = with_identities(round_, viewer)
    skip = _conflicted(round_, viewer)
    ident = _identities([r["application_id"] for r in data["rows"]]) if identities else {}
    header = list(RANK_HEADER) + (list(identity_header()) if identities else [])
    rows = []
    for r in data["rows"]:
        if r["application_id"] in skip:
            continue
        row = [r["rank"] if r["rank"] is not None else "", r["code"], r["n"], _num(r["mean"]),
               _num(r["median"]), _num(r["sd"]), _num(r["min"]), _num(r["max"]),
               _num(r["norm_mean"]), r["raw_rank"] or "", r["norm_rank"] or "",
               "ja" if r["tie"] else "nein", "ja" if r["disagreement"] else "nein"]
        if identities:
            row += list(ident.get(r["application_id"], ("",) * len(identity_header())))
        rows.append(row)
    return header, rows


def scores_table(round_, viewer=None):
    """One row per juror and entry: points per criterion, total, status and comments.

    Returns (header, rows) where rows is an iterator: the scores are read in one query,
    joined with their values and streamed in batches (yield_per), so memory stays flat
    however many score sheets a round has.
    """
    criteria = list(round_.criteria)
    identities = with_identities(round_, viewer)
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
        header += list(identity_header())
    return header, _score_rows(round_, criteria, jurors, ident, _conflicted(round_, viewer))


def _score_rows(round_, criteria, jurors, ident, skip=frozenset()):
    """Rows of the scores table, pivoted in SQL: one result row per score sheet with one
    value and one comment column per criterion (conditional aggregation), so the database
    does the grouping and Python touches each sheet once."""
    weights = [c.weight for c in criteria]
    columns = []
    for c in criteria:
        columns.append(func.max(case((ScoreValue.round_criterion_id == c.id, ScoreValue.value))))
        columns.append(func.max(case((ScoreValue.round_criterion_id == c.id, ScoreValue.comment))))
    query = (
        select(RoundEntry.code, Score.juror_id, Score.status, Score.comment,
               RoundEntry.application_id, *columns)
        .join(RoundEntry, RoundEntry.id == Score.entry_id)
        .outerjoin(ScoreValue, ScoreValue.score_id == Score.id)
        .where(Score.round_id == round_.id)
        .group_by(Score.id, RoundEntry.code, Score.juror_id, Score.status, Score.comment,
                  RoundEntry.application_id)
        .order_by(RoundEntry.code, Score.juror_id, Score.id)
    )
    # Core execution on the session's connection, streamed with a server-side cursor: no
    # ORM bookkeeping per row, and only one batch of rows in memory at a time.
    # The options go on this statement only: Connection.execution_options() would change the
    # session's connection in place, and every later statement in the same transaction (an
    # UPDATE, say) would then be sent through a server-side cursor, which PostgreSQL refuses.
    query = query.execution_options(stream_results=True, yield_per=5000)
    for code, juror_id, status, comment, application_id, *cells in db.session.connection().execute(query):
        if application_id in skip:
            continue
        values = cells[0::2]
        row = [code, jurors.get(juror_id, ""), STATUS_TEXT[_status(status)]]
        for value, value_comment in zip(values, cells[1::2]):
            row += ["" if value is None else value, value_comment or ""]
        complete = all(v is not None for v in values)
        total = float(sum(w * v for w, v in zip(weights, values))) if complete else None
        row += ["" if total is None else _num(total), comment]
        if ident:
            row += list(ident.get(application_id, ("", "", "")))
        yield row


def _status(status):
    return status.value if hasattr(status, "value") else status


def juror_scores_table(round_, juror):
    """A juror's own Bewertungsbögen: code and redacted title from the projection only."""
    criteria = list(round_.criteria)
    scores = db.session.scalars(
        select(Score).where(Score.round_id == round_.id, Score.juror_id == juror.id)
        .options(selectinload(Score.values))).all()
    by_entry = {s.entry_id: s for s in scores}
    header = ["Kennung", fields.get("project_title").plain_juror_label, "Status"]
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
    """Write an XLSX workbook to fileobj, streaming the rows (memory stays flat)."""
    xlsx.write_xlsx(fileobj, title=title, header=header, rows=(map(_safe, row) for row in rows))


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
