"""The documented backup-and-restore procedure, run against the test database: rows and
files (checksums) of the restored copy match; the check needs no CREATEDB; dumps are
readable only by their owner; a restore never writes into production."""
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from awards.adapters.storage import get_storage
from awards.extensions import db
from tests import factories
from tests.factories import attachment as stored_attachment

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "restore_check.py"
BACKUP = ROOT / "scripts" / "backup.py"


@pytest.fixture
def scratch(app):
    """On PostgreSQL: the scratch database the administrator makes once, owned by the app's
    role (the check itself never creates databases)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        return []
    base, name = url.rsplit("/", 1)
    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": f"{name}_restore_check"}).first()
        if not exists:
            owner = conn.execute(text("SELECT current_user")).scalar_one()
            conn.execute(text(f'CREATE DATABASE "{name}_restore_check" OWNER "{owner}"'))
    engine.dispose()
    return ["--scratch-url", f"{base}/{name}_restore_check"]


def _run(*args):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT)


def test_restore_check_reproduces_every_row_and_file(app, scratch):
    comp = factories.competition(prize_code="OBB", year=2040)
    application = factories.application(competition=comp)
    stored_attachment(application, filename="Konzept.pdf")
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    result = _run(SCRIPT, url, *scratch, "--files-source", app.config["STORAGE_DIR"])
    assert result.returncode == 0, result.stderr
    assert "competitions                          1 OK" in result.stdout
    assert "applications                          1 OK" in result.stdout
    assert ", 1 Dateien mit Prüfsumme." in result.stdout


def test_restore_check_changed_file_fails(app, scratch):
    comp = factories.competition(prize_code="OBB", year=2040)
    application = factories.application(competition=comp)
    row = stored_attachment(application, filename="Konzept.pdf")
    db.session.commit()
    path = Path(app.config["STORAGE_DIR"]) / row.storage_key
    path.write_bytes(b"%PDF-1.4 manipuliert")
    result = _run(SCRIPT, app.config["SQLALCHEMY_DATABASE_URI"], *scratch,
                  "--files-source", app.config["STORAGE_DIR"])
    assert result.returncode == 1
    assert f"Datei {row.storage_key}: Prüfsumme weicht ab" in result.stdout


def test_backup_dump_protected_file_with_app_url(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("pg_dump needs PostgreSQL")
    factories.competition(prize_code="OBB", year=2040)
    db.session.commit()
    assert "+psycopg" in url  # the app's own URL, driver part included
    result = subprocess.run([sys.executable, str(BACKUP), "dump", "--out-dir", str(tmp_path / "b")],
                            capture_output=True, text=True, cwd=ROOT,
                            env={"PATH": "/usr/bin:/bin", "AWARDS_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    dumps = list((tmp_path / "b").glob("awards-*.dump"))
    assert len(dumps) == 1
    assert stat.S_IMODE(dumps[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o700


@pytest.mark.parametrize("target_db, bucket, message", [
    ("same", "restored", "the target database is the production database (AWARDS_DATABASE_URL)"),
    ("other", "prod", "the target bucket 'prod' is the production bucket"),
])
def test_backup_restore_into_production_refused(tmp_path, target_db, bucket, message):
    prod = "postgresql+psycopg://awards@db.internal:5432/awards"
    target = prod if target_db == "same" else "postgresql+psycopg://awards@db.internal:5432/awards_restore"
    dump = tmp_path / "awards-20261128T020000Z.dump"
    dump.write_bytes(b"")
    result = subprocess.run([sys.executable, str(BACKUP), "restore", "--dump", str(dump),
                             "--database-url", target, "--bucket", bucket],
                            capture_output=True, text=True, cwd=ROOT,
                            env={"PATH": "/usr/bin:/bin", "AWARDS_DATABASE_URL": prod,
                                 "AWARDS_S3_BUCKET": "prod"})
    assert result.returncode == 1
    assert result.stderr.strip() == f"Abgebrochen: {message}"
