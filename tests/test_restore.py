"""The documented backup-and-restore procedure, run against the test database."""
import subprocess
import sys
from pathlib import Path

from awards.extensions import db
from tests import factories

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "restore_check.py"


def test_restore_check_reproduces_every_row(app):
    comp = factories.competition(prize_code="OBB", year=2040)
    factories.application(competition=comp)
    db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    result = subprocess.run([sys.executable, str(SCRIPT), url], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "competitions                          1 OK" in result.stdout
    assert "applications                          1 OK" in result.stdout
