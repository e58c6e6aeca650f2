#!/usr/bin/env python3
"""Warm in-process time of each page of the bench manifest: no server, no network.

Usage (the environment of `make bench`: AWARDS_DATABASE_URL etc. pointing at the bench data):
    python bench/inprocess.py MANIFEST [--runs N] [--profile PAGE-NAME-PART] [--json OUT]

Each page is requested through Flask's test client with the manifest's login, warmed up,
then requested N times. Per page: median and 90th percentile wall time, median CPU time of
this process, and the number of SQL statements of one request (which must not grow with the
data). With --profile, cProfile's top functions of the matching page are printed.
"""
import argparse
import cProfile
import io
import json
import pstats
import re
import runpy
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from awards import create_app  # noqa: E402
from awards.extensions import db  # noqa: E402
from bench.run import FormInputs  # noqa: E402  (the same form parser as the server benchmark)

USER_AGENT = "awards-bench"


class Client:
    def __init__(self, app, login=None, password=None):
        self.client = app.test_client()
        self.client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
        if login:
            page = self.client.get("/konto/anmelden").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            self.client.post("/konto/anmelden", data={"csrf_token": token, "email": login, "password": password})

    def form_values(self, path):
        form = FormInputs(path)
        form.feed(self.client.get(path).get_data(as_text=True))
        return form.values


def measure(app, page, password, runs, profile=False, profile_dump=None):
    client = Client(app, page.get("login"), password)
    paths = page.get("paths") or [page["path"]]
    body = None
    if page.get("method") == "POST":
        body = client.form_values(page["path"])
        body.update(page.get("fields", {}))
    expected = page.get("expect", 302 if body else 200)
    # Every request carries the session of the login, as under wrk: a POST that answers
    # with a redirect flashes a message, and a client that never follows the redirect
    # would otherwise carry a session that grows with every request.
    login_session = client.client.get_cookie("session")

    def one(index):
        path = paths[index % len(paths)]
        if login_session is not None:
            client.client.set_cookie("session", login_session.value)
        if body is not None:
            response = client.client.post(path, data=body)
        else:
            response = client.client.get(path)
        if response.status_code != expected:
            raise RuntimeError(f"{page['name']}: {path} answered {response.status_code}, expected {expected}")
        return response

    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args, **_kwargs):
        statements.append(1)

    for index in range(max(10, runs // 5)):
        one(index)
    event.listen(engine, "before_cursor_execute", count)
    try:
        statements.clear()
        one(0)
        queries = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    walls, cpus = [], []
    profiler = cProfile.Profile() if profile else None
    for index in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        one(index)
        if profiler:
            profiler.disable()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    walls.sort()
    result = {
        "name": page["name"], "audience": page.get("audience", "–"),
        "median_ms": statistics.median(walls), "p90_ms": walls[int(len(walls) * 0.9) - 1],
        "cpu_ms": statistics.median(cpus), "queries": queries,
    }
    if profiler:
        if profile_dump:
            profiler.dump_stats(profile_dump)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", default="")
    parser.add_argument("--dump", default="", help="write the profile (pstats) to this file")
    parser.add_argument("--only", default="")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    manifest = json.loads(Path(args.manifest).read_text())
    app = create_app()
    # The garbage collector as a gunicorn worker sets it up once the app is loaded.
    runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))[
        "post_worker_init"](None)
    results = []
    # No app context around the requests: each request gets its own, as under gunicorn
    # (an outer context would keep the logged-in user and g from one request to the next).
    for page in manifest["pages"]:
        if args.only and args.only.lower() not in page["name"].lower():
            continue
        profile = bool(args.profile) and args.profile.lower() in page["name"].lower()
        row = measure(app, page, manifest["password"], args.runs, profile=profile,
                      profile_dump=args.dump or None)
        results.append(row)
        print(f"{row['name']:<58} {row['median_ms']:7.2f} ms  p90 {row['p90_ms']:7.2f}  "
              f"cpu {row['cpu_ms']:7.2f}  {row['queries']:3d} queries", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
