"""gunicorn.conf.py: one sync worker per usable CPU unless WEB_CONCURRENCY says otherwise,
and gunicorn really reads the file from the app's directory."""
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"


def _settings(monkeypatch, concurrency=None):
    if concurrency is None:
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("WEB_CONCURRENCY", concurrency)
    return runpy.run_path(str(CONFIG))


def test_one_worker_per_usable_cpu(monkeypatch):
    settings = _settings(monkeypatch)
    assert settings["workers"] == len(os.sched_getaffinity(0))
    assert settings["worker_class"] == "sync"
    assert settings["timeout"] == 60 and settings["graceful_timeout"] == 30


def test_web_concurrency_overrides_the_cpu_count(monkeypatch):
    assert _settings(monkeypatch, "7")["workers"] == 7
    assert _settings(monkeypatch, " 3 ")["workers"] == 3
    assert _settings(monkeypatch, "0")["workers"] == 1
    assert _settings(monkeypatch, "")["workers"] == len(os.sched_getaffinity(0))


def test_gunicorn_reads_the_file_from_the_working_directory(monkeypatch):
    # gunicorn's own parser, as `gunicorn wsgi:app` runs it in the app's directory.
    code = ("import sys; from gunicorn.app.wsgiapp import WSGIApplication; "
            "sys.argv = ['gunicorn', 'wsgi:app']; app = WSGIApplication(); "
            "print(app.cfg.workers, app.cfg.timeout, app.cfg.graceful_timeout, "
            "app.cfg.post_worker_init.__code__.co_filename.rsplit('/', 1)[-1])")
    env = dict(os.environ, WEB_CONCURRENCY="5")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["5", "60", "30", "gunicorn.conf.py"]


def test_a_worker_freezes_the_loaded_app_and_collects_less_often(monkeypatch):
    import gc

    settings = _settings(monkeypatch)
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        settings["post_worker_init"](worker=None)
        assert gc.get_threshold() == (5000, 10, 10)
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
