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


def test_each_share_is_of_the_floor_measured_right_before_the_page(tmp_path, monkeypatch):
    import bench.run as run

    monkeypatch.setattr(run, "OUT", tmp_path / "BENCHMARKS.md")
    monkeypatch.setattr(run, "machine_line", lambda: "test machine")
    timing = {"p50_us": 2000, "p95_us": 4000, "unexpected": 0, "errors": 0}
    floor = dict(timing, rps=4000.0)
    rows = [dict(timing, name="Slow minute", audience="juror", login="x", rps=300.0,
                 floor_rps=2500.0),
            dict(timing, name="Fast minute", audience="juror", login="x", rps=300.0,
                 floor_rps=3500.0)]
    run.write_report(floor, rows, [], {"description": "test"}, floors=[
        dict(timing, rps=2500.0), dict(timing, rps=3500.0)])
    table = run.OUT.read_text()
    assert "| Slow minute | juror | 300 | 2500 | 12 | 2.0 | 4.0 | 0 | yes |" in table
    assert "| Fast minute | juror | 300 | 3500 | 9 | 2.0 | 4.0 | 0 | NO |" in table
    assert "2500 to 3500 req/s" in table
