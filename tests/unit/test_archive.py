"""Archive export: ZIP with receipts, minutes, certificates, rankings and a checked manifest."""
import csv
import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from awards.adapters.storage import get_storage
from awards.enums import CompetitionStatus, FormalCheck
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.services import archive
from awards.services.jury import rounds
from tests import factories


def _finished_competition():
    comp = factories.competition(prize_code="UFR", title="Integrationspreis Unterfranken")
    juror = factories.juror(comp, is_chair=True, name="Johanna Vorsitz")
    round_ = factories.jury_round(competition=comp)
    apps = [factories.mark_submitted(factories.application(competition=comp, project_title=f"Projekt {n}",
                                               org_name=f"Verein {n}",
                                               formal_check=FormalCheck.ADMISSIBLE), n)
            for n in (1, 2, 3)]
    factories.application(competition=comp, project_title="Nur ein Entwurf")
    factories.open_round(round_=round_, jurors=[juror], applications=apps)
    for entry, points in zip(round_.entries, ([9, 9], [5, 5], [2, 2])):
        factories.score(round_=round_, entry=entry, juror=juror, values=points)
    rounds.close_round(actor=None, round_=round_)
    winner = next(a for a in apps if a.project_title == "Projekt 1")
    factories.decision(winner, rank=1, rationale="Vorbildlich; Sprache schafft Heimat.")
    cert = factories.certificate(winner)
    comp.status = CompetitionStatus.PUBLISHED
    db.session.commit()
    return comp, apps, winner, cert, round_


def _export(comp, tmp_path, **kw):
    # Rendering the minutes PDF takes seconds; only the tests about minutes ask for it.
    kw.setdefault("render_minutes", False)
    path = tmp_path / "archiv.zip"
    with open(path, "wb") as out:
        manifest = archive.write_archive(actor=None, competition=comp, fileobj=out,
                                         storage=get_storage(), **kw)
    return path, manifest


def _rows(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_archive_contains_every_document_kind(app, tmp_path):
    comp, apps, winner, cert, round_ = _finished_competition()
    path, manifest = _export(comp, tmp_path, render_minutes=True)
    names = sorted(zipfile.ZipFile(path).namelist())
    expected = sorted(
        ["manifest.json", "bewerbungen.csv", "entscheidungen.csv",
         "niederschriften/ergebnisprotokoll.pdf", f"urkunden/{winner.reference}.pdf"]
        + [f"eingangsbestaetigungen/{a.reference}.pdf" for a in apps]
        + [f"ranglisten/{round_.position:02d}-{round_.name}.csv"])
    assert names == expected
    assert manifest["counts"] == {"certificate": 1, "decisions": 1, "list": 1, "minutes": 1,
                                  "ranking": 1, "receipt": 3}


def test_archive_manifest_checksums_match_contents(app, tmp_path):
    comp, *_ = _finished_competition()
    path, manifest = _export(comp, tmp_path)
    with zipfile.ZipFile(path) as zf:
        stored = json.loads(zf.read("manifest.json"))
        assert stored["competition"]["prize_code"] == "UFR"
        assert stored["format"] == "integrationspreis-archiv/1"
        for entry in stored["files"]:
            data = zf.read(entry["path"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert len(data) == entry["size"]
    assert archive.verify_archive(path) == []


def test_archive_receipt_and_certificate_bytes_are_the_stored_files(app, tmp_path):
    comp, apps, winner, cert, _ = _finished_competition()
    path, _ = _export(comp, tmp_path, render_minutes=True)
    with zipfile.ZipFile(path) as zf:
        assert zf.read(f"urkunden/{winner.reference}.pdf") == get_storage().read(cert.storage_key)
        assert zf.read(f"eingangsbestaetigungen/{apps[1].reference}.pdf") == \
            get_storage().read(apps[1].receipt_key)
        assert zf.read("niederschriften/ergebnisprotokoll.pdf").startswith(b"%PDF-")


def test_archive_csv_lists_submitted_applications_and_decisions(app, tmp_path):
    comp, apps, winner, *_ = _finished_competition()
    path, _ = _export(comp, tmp_path)
    with zipfile.ZipFile(path) as zf:
        listing = _rows(zf.read("bewerbungen.csv"))
        decisions = _rows(zf.read("entscheidungen.csv"))
    assert listing[0][:3] == ["Bewerbungsnummer", "Nummer", "Eingang"]
    assert [r[0] for r in listing[1:]] == [a.reference for a in apps]  # no draft
    assert [r[13] for r in listing[1:]] == ["1. Preis", "", ""]
    assert decisions[1][:5] == [winner.reference, "Projekt 1", "1. Preis", "1", "400000"]


def test_archive_ranking_csv_names_reference_and_rank(app, tmp_path):
    comp, apps, winner, cert, round_ = _finished_competition()
    path, _ = _export(comp, tmp_path)
    with zipfile.ZipFile(path) as zf:
        ranking = _rows(zf.read(f"ranglisten/{round_.position:02d}-{round_.name}.csv"))
    header = ranking[0]
    assert header[0] == "Bewerbungsnummer"
    rank_col = header.index("rank")
    assert [(r[0], r[rank_col]) for r in ranking[1:]] == [
        (apps[0].reference, "1"), (apps[1].reference, "2"), (apps[2].reference, "3")]


def test_archive_includes_signed_minutes_handed_in(app, tmp_path):
    comp, *_ = _finished_competition()
    signed = tmp_path / "Niederschrift unterschrieben.pdf"
    signed.write_bytes(factories.PDF_BYTES)
    path, manifest = _export(comp, tmp_path, minutes_files=[str(signed)], render_minutes=True)
    with zipfile.ZipFile(path) as zf:
        assert zf.read("niederschriften/01-Niederschrift unterschrieben.pdf") == factories.PDF_BYTES
    assert manifest["counts"]["minutes"] == 2


def test_archive_running_competition_refused(app, tmp_path):
    comp = factories.competition(status=CompetitionStatus.OPEN)
    db.session.commit()
    with pytest.raises(archive.ArchiveError) as exc:
        _export(comp, tmp_path)
    assert "ist noch nicht abgeschlossen" in str(exc.value)


def test_archive_missing_stored_file_stops_export(app, tmp_path):
    comp, apps, *_ = _finished_competition()
    get_storage().delete(apps[2].receipt_key)
    with pytest.raises(archive.ArchiveError) as exc:
        _export(comp, tmp_path)
    assert f"eingangsbestaetigungen/{apps[2].reference}.pdf" in str(exc.value)


def test_verify_archive_detects_changed_file(app, tmp_path):
    comp, *_ = _finished_competition()
    path, _ = _export(comp, tmp_path)
    tampered = tmp_path / "manipuliert.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "entscheidungen.csv":
                data = data.replace(b"1. Preis", b"2. Preis")
            dst.writestr(item, data)
    assert archive.verify_archive(tampered) == ["entscheidungen.csv: Prüfsumme stimmt nicht"]


def test_cli_archive_export_writes_zip_and_audits(app, runner, tmp_path):
    comp, *_ = _finished_competition()
    target = tmp_path / "out" / "ufr.zip"
    result = runner.invoke(args=["archive-export", str(comp.id), str(target)])
    assert result.exit_code == 0, result.output
    assert result.output == (f"Archiv geschrieben: {target} (8 Dateien; certificate: 1, "
                             "decisions: 1, list: 1, minutes: 1, ranking: 1, receipt: 3).\n")
    assert archive.verify_archive(target) == []
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "archive.export")).one()
    assert (entry.object_id, entry.new) == (comp.id, {"files": 8})


def test_cli_archive_export_unknown_competition_exits_one(app, runner, tmp_path):
    result = runner.invoke(args=["archive-export", "999", str(tmp_path / "x.zip")])
    assert result.exit_code == 1
    assert result.output == "Wettbewerb 999 gibt es nicht.\n"
    assert not (tmp_path / "x.zip").exists()


def test_cli_archive_export_failure_leaves_no_partial_file(app, runner, tmp_path):
    comp, apps, *_ = _finished_competition()
    get_storage().delete(apps[0].receipt_key)
    result = runner.invoke(args=["archive-export", str(comp.id), str(tmp_path / "x.zip")])
    assert result.exit_code == 1
    assert list(tmp_path.glob("*.zip")) == []
    assert list(tmp_path.glob(".archive-*")) == []
