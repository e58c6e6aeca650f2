"""Archive export of a finished competition for the state archive (Staatsarchiv).

One ZIP with:
- bewerbungen.csv: every submitted application (reference, applicant, project, check, result)
- entscheidungen.csv: the prizes awarded (category, amount, rationale)
- ranglisten/<round>.csv: each closed jury round's frozen ranking
- eingangsbestaetigungen/<reference>.pdf: the receipts (stored PDFs)
- urkunden/<reference>.pdf: the certificates (stored PDFs)
- niederschriften/ergebnisprotokoll.pdf: the minutes rendered from the stored data (jury,
  rounds, ranking, conflicts of interest, decisions), plus the signed minutes of the jury
  session handed in by the operator (`--minutes FILE`)
- manifest.json: competition, time of export, and for every file its size and SHA-256

Files are streamed from storage into the ZIP and hashed on the way; nothing is held whole.
"""
import csv
import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass

from sqlalchemy import select

from awards.enums import ApplicationStatus
from awards.extensions import db
from awards.i18n import format_berlin_date
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.services import audit, lifecycle
from awards.services.privacy import safe_zip_name
from awards.models.decisions import Decision
from awards.models.decisions import Certificate
from awards.models.jury import Round
from awards.services.jury import ranking
from awards.services.jury import minutes
from awards.errors import DomainError

log = logging.getLogger("awards.archive")

# States of the year (awards.lifecycle) in which the decisions are final enough to archive.
FINISHED = frozenset({lifecycle.S.DECIDED, lifecycle.S.RELEASED, lifecycle.S.PUBLISHED,
                      lifecycle.S.ARCHIVED})
CHUNK = 1024 * 1024


class ArchiveError(DomainError):
    """The competition cannot be exported (message in German for the operator)."""


@dataclass
class Document:
    path: str            # path inside the ZIP
    kind: str            # receipt, certificate, minutes, ranking, list, decisions
    key: str = None      # storage key, or
    data: bytes = None   # generated content, or
    file: str = None     # a file on disk handed in by the operator


def _csv(header, rows):
    out = io.StringIO()
    # Semicolons and a BOM: opens correctly in German spreadsheet programs.
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _fmt(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _applications(competition):
    return db.session.scalars(
        select(Application)
        .where(Application.competition_id == competition.id,
               Application.status != ApplicationStatus.DRAFT)
        .order_by(Application.number, Application.id)
    ).all()


def _decisions(competition):
    return db.session.scalars(
        select(Decision).where(Decision.competition_id == competition.id).order_by(Decision.id)
    ).all()


def _certificates(competition):
    return db.session.scalars(
        select(Certificate).where(Certificate.competition_id == competition.id)
        .order_by(Certificate.id)
    ).all()


def _rounds(competition):
    return db.session.scalars(
        select(Round).where(Round.competition_id == competition.id).order_by(Round.position)
    ).all()


def _name(app):
    return safe_zip_name(app.reference or f"bewerbung-{app.id}")


def _ranking_csv(round_):
    """The round's frozen ranking (computed now for a round that was never closed), with
    the application reference next to the neutral code."""
    snapshot = round_.snapshot
    if not snapshot:
        snapshot = ranking.compute(round_)
    rows = snapshot.get("rows") if isinstance(snapshot, dict) else None
    if not rows:
        return None
    references = {e.id: e.application.reference for e in round_.entries}
    header = ["Bewerbungsnummer"]
    for row in rows:
        for key, value in row.items():
            if key not in header and not isinstance(value, (dict, list)):
                header.append(key)
    return _csv(header, [[references.get(row.get("entry_id"), "")]
                         + [_fmt(row.get(k)) for k in header[1:]] for row in rows])


def _minutes_documents(competition, storage, minutes_files):
    from pathlib import Path

    # The archive is a staff document for the state archive, never handed to the jury.
    data = minutes.minutes_data(
        competition=competition, session_date="", recorder="", identities=True,
        notes=("Aus den gespeicherten Daten erstellt beim Archivexport am "
               f"{format_berlin_date(utcnow(), 'de')}. Maßgeblich ist die unterzeichnete Niederschrift der "
               "Jurysitzung."))
    docs = [Document("niederschriften/ergebnisprotokoll.pdf", "minutes",
                     data=minutes.render_minutes_pdf(data, storage=storage))]
    for number, path in enumerate(minutes_files or (), start=1):
        name = safe_zip_name(Path(path).name)
        docs.append(Document(f"niederschriften/{number:02d}-{name}", "minutes", file=str(path)))
    return docs


def collect(competition, *, storage=None, minutes_files=(), render_minutes=True):
    """Every document that goes into the archive, in a stable order."""
    apps = _applications(competition)
    decisions = {d.application_id: d for d in _decisions(competition)}
    docs = [Document("bewerbungen.csv", "list", data=_csv(
        ["Bewerbungsnummer", "Nummer", "Eingang", "Art", "Bewerbertyp", "Organisation",
         "Ansprechperson", "Ort", "Regierungsbezirk", "Projekt", "Status", "Formale Prüfung",
         "Begründung der Prüfung", "Preis", "Betrag (Cent)"],
        [[a.reference, a.number, _fmt(a.submitted_at), _fmt(a.kind), _fmt(a.applicant_type),
          a.org_name, a.contact_name, a.city, _fmt(a.region), a.project_title, _fmt(a.status),
          _fmt(a.formal_check), a.formal_check_reason,
          decisions[a.id].category.label if a.id in decisions else "",
          decisions[a.id].amount_cents if a.id in decisions else ""]
         for a in apps]))]
    docs.append(Document("entscheidungen.csv", "decisions", data=_csv(
        ["Bewerbungsnummer", "Projekt", "Preis", "Rang", "Betrag (Cent)", "Begründung",
         "Entschieden am"],
        [[d.application.reference, d.application.project_title, d.category.label,
          d.category.rank, d.amount_cents, d.rationale, _fmt(d.decided_at)]
         for d in decisions.values()])))
    for round_ in _rounds(competition):
        data = _ranking_csv(round_)
        if data:
            docs.append(Document(f"ranglisten/{round_.position:02d}-{safe_zip_name(round_.name)}.csv",
                                 "ranking", data=data))
    for app in apps:
        if getattr(app, "receipt_key", None):
            docs.append(Document(f"eingangsbestaetigungen/{_name(app)}.pdf", "receipt",
                                 key=app.receipt_key))
    for cert in _certificates(competition):
        if cert.storage_key:
            docs.append(Document(f"urkunden/{_name(cert.application)}.pdf", "certificate",
                                 key=cert.storage_key))
    if render_minutes:
        docs += _minutes_documents(competition, storage, minutes_files)
    return docs


class _HashingWriter:
    def __init__(self, target):
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)


def write_archive(*, actor, competition, fileobj, storage, minutes_files=(), render_minutes=True):
    """Write the archive ZIP for `competition` to fileobj. Returns the manifest dict.

    Refuses competitions that are not decided yet; a missing stored file stops the export
    (an archive with gaps must not look complete).
    """
    state = lifecycle.state_of(competition)
    if state not in FINISHED:
        raise ArchiveError(
            f"Der Wettbewerb {competition.prize_code} {competition.year} ist noch nicht "
            f"abgeschlossen (Stand: {state.label}). Exportiert werden nur entschiedene, "
            "freigegebene, veröffentlichte oder archivierte Wettbewerbe.")
    docs = collect(competition, storage=storage, minutes_files=minutes_files,
                   render_minutes=render_minutes)
    entries = []
    with zipfile.ZipFile(fileobj, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for doc in docs:
            with archive.open(doc.path, mode="w", force_zip64=True) as raw:
                target = _HashingWriter(raw)
                if doc.data is not None:
                    target.write(doc.data)
                elif doc.file is not None:
                    with open(doc.file, "rb") as source:
                        while chunk := source.read(CHUNK):
                            target.write(chunk)
                else:
                    try:
                        source = storage.open(doc.key)
                    except Exception as exc:
                        raise ArchiveError(
                            f"Die Datei {doc.path} (Speicher: {doc.key}) fehlt oder ist nicht "
                            f"lesbar: {exc}") from exc
                    try:
                        while chunk := source.read(CHUNK):
                            target.write(chunk)
                    finally:
                        source.close()
            entries.append({"path": doc.path, "kind": doc.kind, "size": target.size,
                            "sha256": target.digest.hexdigest()})
        manifest = {
            "format": "integrationspreis-archiv/1",
            "created_at": utcnow().isoformat(),
            "competition": {
                "id": competition.id, "prize_code": competition.prize_code,
                "year": competition.year, "title": competition.title,
                "motto": competition.motto, "status": state.value,
                "deadline_at": _fmt(competition.deadline_at),
                "archived_at": _fmt(competition.archived_at),
            },
            "counts": {kind: sum(1 for e in entries if e["kind"] == kind)
                       for kind in sorted({e["kind"] for e in entries})},
            "files": entries,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    audit.record(actor=actor, action="archive.export", obj=competition,
                 new={"files": len(entries)})
    return manifest


def verify_archive(path):
    """Re-read an archive and compare every file with its manifest entry.

    Returns a list of German problem descriptions (empty: all fine).
    """
    problems = []
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist()) - {"manifest.json"}
        for entry in manifest["files"]:
            if entry["path"] not in names:
                problems.append(f"{entry['path']}: fehlt im Archiv")
                continue
            names.discard(entry["path"])
            digest = hashlib.sha256()
            with archive.open(entry["path"]) as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != entry["sha256"]:
                problems.append(f"{entry['path']}: Prüfsumme stimmt nicht")
        problems += [f"{name}: nicht im Manifest" for name in sorted(names)]
    return problems
