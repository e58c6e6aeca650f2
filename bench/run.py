#!/usr/bin/env python3
"""`make bench`: load the large data set into PostgreSQL, serve it with gunicorn (its settings
from gunicorn.conf.py, as in production: one sync worker per CPU) and measure the key pages with wrk; write the table to docs/BENCHMARKS.md.

Steps: recreate the database, `flask db upgrade`, `flask bench-data` (writes a manifest of
the pages to measure and the logins), VACUUM ANALYZE, start gunicorn on a free loopback port, log in per
audience, run wrk against each page and against a trivial route of the same app (the
framework's floor), then the extra measurements (XLSX export, certificates).
"""
import datetime
import json
import os
import platform
import re
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/awards_bench")
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
# Each page is loaded for this long before it is measured, unrecorded: every worker has made
# its connections and filled its caches (the first computation of a ranking is measured on
# its own, in "Other measurements").
WARMUP = int(os.environ.get("BENCH_WARMUP_SECONDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
# gunicorn reads its settings from gunicorn.conf.py, as in production; the report names them.
WORKERS = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
OUT = ROOT / "docs" / "BENCHMARKS.md"
# The goals: anonymous public pages (page cache) and pages of a logged-in user (issue #16).
PUBLIC_SHARE, PUBLIC_P95_MS = 40, 100
LOGGED_IN_SHARE, LOGGED_IN_P95_MS = 10, 50
USER_AGENT = "awards-bench"


def log(message):
    print(f"[bench] {message}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url):
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", "-q", "-d", admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run(["psql", "-q", "-d", admin, "-c", f'CREATE DATABASE "{name}"'], check=True)


class FormInputs(HTMLParser):
    """Collects name/value of the inputs of the first POST form that submits to `action`."""

    def __init__(self, action):
        super().__init__()
        self.action = action
        self.values, self.in_form, self.done = {}, False, False
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        if (tag == "form" and attrs.get("method", "").lower() == "post"
                and attrs.get("action", "") in ("", self.action)):
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values[attrs["name"]] = attrs.get("value", "y")
            elif kind != "submit":
                self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and ("selected" in attrs or self._select not in self.values):
            self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self.values[self._textarea] = ""


    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


class Session:
    def __init__(self, base):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode("utf-8", "replace")

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=60) as response:
            return response.read().decode("utf-8", "replace")

    def login(self, email, password):
        page = self.get("/konto/anmelden")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        self.post("/konto/anmelden", {"csrf_token": token, "email": email, "password": password})
        if not any(c.name == "session" for c in self.jar):
            raise RuntimeError(f"login failed for {email}")

    def status(self, path, data=None):
        """Status of one request without following redirects (a login redirect is a 302)."""
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        opener.addheaders = [("User-Agent", USER_AGENT)]
        try:
            with opener.open(self.base + path, data=data, timeout=60) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


class ServerLog:
    """The server's stderr, kept in a file: the app logs every request it answers (logger
    awards.access: method, path, status), so the statuses of a run are counted where they
    are made, and the load generator does not have to read the responses."""

    LINE = re.compile(r" awards\.access \[[^\]]*\] ([A-Z]+) (\S+) (\d{3}) ")

    def __init__(self, path):
        self.path = Path(path)
        self.path.touch()

    def mark(self):
        return self.path.stat().st_size

    def statuses_since(self, mark):
        """{status: count} of the requests logged since `mark`."""
        counts = {}
        with self.path.open("rb") as f:
            f.seek(mark)
            for line in f.read().decode("utf-8", "replace").splitlines():
                match = self.LINE.search(line)
                if match:
                    status = int(match.group(3))
                    counts[status] = counts.get(status, 0) + 1
        return counts


def run_wrk(url, cookie=None, body=None, expect=200, paths=None, duration=DURATION, log=None):
    """wrk's summary of one run; with `log` (ServerLog), also the number of responses whose
    status was not `expect` (a login redirect is not the page)."""
    # The same User-Agent as the login: Flask-Login's strong session protection drops a
    # session whose browser fingerprint changes.
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s",
           "-s", str(ROOT / "bench" / "report.lua"), "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    env = dict(os.environ, BENCH_BODY=body or "", BENCH_PATHS=" ".join(paths or []),
               BENCH_THREADS="2")
    mark = log.mark() if log else None
    out = subprocess.run(cmd + [url], capture_output=True, text=True, env=env, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("BENCH "))
    data = json.loads(line[len("BENCH "):])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    if log is not None:
        # Every request wrk completed was logged before its answer was sent.
        statuses = log.statuses_since(mark)
        answered = sum(statuses.values())
        # A positive control: the log must hold (nearly) every request wrk completed, or a
        # count of 0 unexpected statuses would mean nothing.
        if answered < data["requests"]:
            raise RuntimeError(f"{url}: the server logged {answered} requests, wrk completed "
                               f"{data['requests']}: the access log is not being read")
        data["unexpected"] = answered - statuses.get(expect, 0)
    return data


def machine_line():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.node() and 'Linux'} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}"


def cpu_reference():
    """Seconds for ten million additions in a Python loop, best of three: machines of the
    same kind differ several-fold in speed, and this says which one the table came from."""
    code = "import time\nt=time.perf_counter()\ns=0\nfor i in range(10**7): s+=i\nprint(time.perf_counter()-t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(3)]
    return min(runs)


def main():
    env = dict(os.environ)
    reference = cpu_reference()
    storage_dir = tempfile.mkdtemp(prefix="awards-bench-files-")
    manifest_path = Path(tempfile.mkdtemp(prefix="awards-bench-")) / "manifest.json"
    env.update(AWARDS_DATABASE_URL=DB_URL, AWARDS_STORAGE="local", AWARDS_STORAGE_DIR=storage_dir,
               AWARDS_RATELIMIT_ENABLED="false", AWARDS_SECRET_KEY="bench-" + "x" * 40,
               FLASK_APP="wsgi.py")
    flask = [str(VENV_BIN / "flask")]
    log(f"database {DB_URL}")
    recreate_database(DB_URL)
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.monotonic()
    subprocess.run(flask + ["bench-data", "--manifest", str(manifest_path)] + sys.argv[1:],
                   cwd=ROOT, env=env, check=True)
    log(f"data generated in {time.monotonic() - started:.0f} s")
    # A database in use has its statistics and visibility maps; a freshly loaded one gets
    # them from autovacuum some time later, maybe in the middle of a measurement.
    subprocess.run(["psql", "-q", "-d", DB_URL.replace("postgresql+psycopg://", "postgresql://"),
                    "-c", "VACUUM ANALYZE"], check=True)
    manifest = json.loads(manifest_path.read_text())
    # Warm in-process time of each page first, with the machine otherwise idle: what one
    # request costs the app itself, without server, network or load generator.
    log("warm in-process times")
    inprocess_path = manifest_path.with_name("inprocess.json")
    subprocess.run([str(VENV_BIN / "python"), str(ROOT / "bench" / "inprocess.py"), str(manifest_path),
                    "--runs", os.environ.get("BENCH_INPROCESS_RUNS", "200"), "--json", str(inprocess_path)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    inprocess = json.loads(inprocess_path.read_text())

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = ServerLog(Path(storage_dir) / "server.log")
    with server_log.path.open("ab") as log_file:
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env, start_new_session=True, stderr=log_file)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/ping", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        sessions = {}
        rows = []
        floors = []
        run_wrk(base + "/ping", duration=WARMUP)
        floor = run_wrk(base + "/ping", log=server_log)
        log(f"floor /ping: {floor['rps']:.0f} req/s")
        for page in manifest["pages"]:
            cookie = None
            if page.get("login"):
                session = sessions.get(page["login"])
                if session is None:
                    session = sessions[page["login"]] = Session(base)
                    session.login(page["login"], manifest["password"])
                cookie = session.cookie_header()
            body = None
            if page.get("method") == "POST":
                form = FormInputs(page["path"])
                form.feed(sessions[page["login"]].get(page["path"]))
                form.values.update(page.get("fields", {}))
                body = urllib.parse.urlencode(form.values)
            # wrk counts only 4xx/5xx as errors: check the page itself answers as expected,
            # so that a redirect to the login form is never measured as the page.
            checker = sessions[page["login"]] if page.get("login") else Session(base)
            expected = page.get("expect", 302 if body else 200)
            got = checker.status(page["path"], data=body.encode() if body else None)
            if got != expected:
                raise RuntimeError(f"{page['name']}: {page['path']} answered {got}, expected {expected}")
            # The floor again, right before the page: a shared machine has slower and faster
            # minutes, and the share compares two runs of the same minute.
            run_wrk(base + "/ping", duration=WARMUP)
            floor_before = run_wrk(base + "/ping", log=server_log)
            run_wrk(base + page["path"], cookie=cookie, body=body, expect=expected,
                    paths=page.get("paths"), duration=WARMUP)
            result = run_wrk(base + page["path"], cookie=cookie, body=body, expect=expected,
                             paths=page.get("paths"), log=server_log)
            result.update(page)
            result["floor_rps"] = floor_before["rps"]
            floors.append(floor_before)
            rows.append(result)
            log(f"{page['name']}: {result['rps']:.0f} req/s (floor just before: "
                f"{floor_before['rps']:.0f}), p95 {result['p95_us'] / 1000:.1f} ms, "
                f"{result['unexpected']} unexpected status, {result['errors']} errors")
        extras = []
        for command in manifest.get("extra_commands", []):
            out = subprocess.run(flask + command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
            extras += [line[len("BENCHROW "):] for line in out.splitlines() if line.startswith("BENCHROW ")]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    log("certificates benchmark")
    certificates = subprocess.run([str(VENV_BIN / "python"), str(ROOT / "bench" / "bench_certificates.py")],
                                  cwd=ROOT, capture_output=True, text=True, check=True).stdout
    write_report(floor, rows, extras, manifest, certificates, reference, inprocess, floors)


def write_report(floor, rows, extras, manifest, certificates="", reference=None, inprocess=(),
                 floors=()):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit the tables by hand.",
        "",
        f"- Date: {now}; commit {commit}",
        f"- Machine: {machine_line()}"
        + (f"; CPU reference (10 million additions in a Python loop): {reference:.2f} s"
           if reference else ""),
        f"- Data: {manifest.get('description', '')}",
        f"- Server: gunicorn, {WORKERS} sync workers (gunicorn.conf.py: one per CPU), PostgreSQL on loopback; load: wrk, 2 threads, "
        f"{CONNECTIONS} connections, {DURATION} s per page after {WARMUP} s of warm-up",
        "",
        "## Key pages",
        "",
        "Goals: public pages at least 40 % of the floor's throughput with p95 under 100 ms; "
        "pages of a logged-in user at least 10 % of the floor's throughput with p95 under 50 ms.",
        "",
        "| page | audience | req/s | floor just before, req/s | % of floor | median ms | p95 ms | unexpected status | goal met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        f"| floor: trivial route `/ping` (first run) | – | {floor['rps']:.0f} | – | 100 | {floor['p50_us'] / 1000:.1f} | {floor['p95_us'] / 1000:.1f} | {floor['unexpected']} | – |",
    ]
    for r in rows:
        share = 100 * r["rps"] / r.get("floor_rps", floor["rps"])
        p95 = r["p95_us"] / 1000
        if r.get("login"):
            ok = share >= LOGGED_IN_SHARE and p95 < LOGGED_IN_P95_MS
        else:
            ok = share >= PUBLIC_SHARE and p95 < PUBLIC_P95_MS
        ok = ok and r["unexpected"] == 0 and r["errors"] == 0
        verdict = "–" if r.get("reference") else ("yes" if ok else "NO")
        lines.append(f"| {r['name']} | {r.get('audience', '')} | {r['rps']:.0f} | "
                     f"{r.get('floor_rps', floor['rps']):.0f} | {share:.0f} | "
                     f"{r['p50_us'] / 1000:.1f} | {p95:.1f} | {r['unexpected']} | {verdict} |")
    lines += [
        "",
        "Every page is checked once before its run (status and, for logged-in pages, that the "
        "session holds), and every response of the run whose status differs from the expected "
        "one is counted. The floor answers without session, user or database. Anonymous "
        "winners pages come from the page cache; each worker reads the publication state "
        "(one row) at most every tenth of a second; pages of a logged-in user are rendered for each request (session, user, their "
        "queries, a form token), which on this stack costs ten to a hundred times the floor's "
        "CPU, so their throughput is bounded by the two cores rather than by waiting.",
        "",
        "Each page's share is of the floor measured right before it (same warm-up and "
        "duration): the machine's speed moves by a fifth between minutes, and a share "
        "against the first floor alone would carry that into the table."
        + (f" The floor's runs in this table: {min(f['rps'] for f in floors):.0f} to "
           f"{max(f['rps'] for f in floors):.0f} req/s." if floors else ""),
    ]
    if inprocess:
        lines += ["", "## Warm in-process time per page", "",
                  "bench/inprocess.py, before the server starts: each page requested through Flask's "
                  "test client with its login, warmed up, then 200 times in a row; CPU is this "
                  "process's time (the database server's is not included); SQL statements of one "
                  "request (tests/test_query_counts.py checks they do not grow with the data).", "",
                  "| page | audience | median ms | p90 ms | CPU ms (median) | SQL statements |",
                  "| --- | --- | ---: | ---: | ---: | ---: |"]
        lines += [f"| {r['name']} | {r['audience']} | {r['median_ms']:.1f} | {r['p90_ms']:.1f} | "
                  f"{r['cpu_ms']:.1f} | {r['queries']} |" for r in inprocess]
    if extras:
        lines += ["", "## Other measurements", "", "| measurement | result | goal | goal met |",
                  "| --- | --- | --- | --- |"] + extras
    if certificates.strip():
        lines += ["", "## Certificates (Urkunden)", "", "bench/bench_certificates.py, on its own SQLite "
                  "database and storage directory in the same run:", "", certificates.strip()]
    text = "\n".join(lines) + "\n"
    old = OUT.read_text() if OUT.exists() else ""
    # Keep sections written by other tools (e.g. the load test) below ours.
    kept = ""
    if "\n## Lasttest" in old:
        kept = "\n" + old[old.index("\n## Lasttest") + 1:]
    OUT.write_text(text + kept)
    log(f"wrote {OUT.name}")


if __name__ == "__main__":
    main()
