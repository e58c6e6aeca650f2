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


def test_the_bench_counts_statuses_from_the_apps_access_log(app, client, tmp_path):
    """make bench counts the statuses of a run from the lines the app logs for each request
    (wrk reads no bodies): a line written by the app's own formatter is read, and only the
    lines after the mark count."""
    import logging

    from awards.logsetup import TextFormatter, _RequestIdFilter
    from bench.run import ServerLog

    log = ServerLog(tmp_path / "server.log")
    handler = logging.FileHandler(log.path)
    handler.setFormatter(TextFormatter())
    handler.addFilter(_RequestIdFilter())
    access = logging.getLogger("awards.access")
    access.addHandler(handler)
    try:
        client.get("/hilfe/")
        mark = log.mark()
        client.get("/hilfe/")
        client.get("/hilfe/")
        client.get("/gibt-es-nicht")
        client.get("/jury/")  # the login redirect
    finally:
        access.removeHandler(handler)
        handler.close()
    assert log.statuses_since(0)[200] == 3
    assert log.statuses_since(mark) == {200: 2, 404: 1, 302: 1}
