"""Run the browser tests several times in a row while every core is kept busy.

    .venv/bin/python scripts/e2e_under_load.py                 (3 runs, SQLite)
    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        .venv/bin/python scripts/e2e_under_load.py --runs 3

One busy loop per core (a separate Python process each, at normal priority) competes with
the app, chromium and axe for the whole time; the script stops exactly the processes it
started. It exits 0 only if every run passed, and prints one line per run.
Extra arguments after `--` go to pytest, e.g. `-- -k harness`.
"""
import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def busy():
    while True:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--loaders", type=int, default=os.cpu_count() or 2,
                        help="busy processes (default: one per core)")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()

    loaders = [multiprocessing.Process(target=busy, daemon=True) for _ in range(args.loaders)]
    for loader in loaders:
        loader.start()
    print(f"{len(loaders)} busy processes started: {[p.pid for p in loaders]}", flush=True)
    results = []
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            code = subprocess.call(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/e2e",
                 *args.pytest_args], cwd=ROOT)
            results.append(code)
            print(f"run {run}/{args.runs}: exit {code} after {time.monotonic() - started:.0f} s "
                  f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    finally:
        for loader in loaders:
            loader.terminate()
        for loader in loaders:
            loader.join()
    return 0 if results and all(code == 0 for code in results) else 1


if __name__ == "__main__":
    sys.exit(main())
