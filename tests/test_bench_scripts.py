"""The benchmark scripts still run against the current code (they are run by hand, with
`make bench`, not by the suite, so a change elsewhere could break them unnoticed)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                    reason="the benchmark makes its own SQLite database: once per CI run is enough")
def test_certificate_benchmark_runs_and_prints_its_table():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_certificates.py"),
                          "--repeat", "1", "--winners", "2"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "| Eine Urkunde rendern" in out.stdout
    assert "ZIP aller 2 Urkunden" in out.stdout


def test_inprocess_profiler_parses_its_arguments():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "inprocess.py"), "--help"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "--runs" in out.stdout and "--profile" in out.stdout
