"""Load test: 50 jurors scoring and 20 applicants saving drafts at once, against gunicorn
(gunicorn.conf.py: one sync worker per CPU) with PostgreSQL on loopback, for a bounded time.

    make loadtest                      (or: .venv/bin/python scripts/loadtest.py)
    .venv/bin/python scripts/loadtest.py --duration 30 --jurors 10 --applicants 5

What it does:
1. (re)creates the database `awards_load` on 127.0.0.1:5432 (user postgres), creates the
   schema and seeds one competition with an open jury round (N submitted applications,
   every juror assigned to every entry) and one open competition with a draft per applicant;
2. starts gunicorn with its settings (one sync worker per CPU) on a free loopback port (CSRF on, rate limits off:
   70 logins come from one address);
3. every virtual user logs in through the real form and then, until the time is up, loads
   its form (scoresheet / application step 2), waits a human-like 1-3 s, and saves it with a
   value unique to that save;
4. afterwards counts rows: every (juror, entry) pair saved at least once has exactly one
   Score whose comment is the last saved value; every applicant's draft holds its last
   title; the number of audit rows equals the number of successful saves; the audit chain
   is intact. Any HTTP error, unexpected status or lost write fails the run (exit 1);
5. writes p50/p95/p99 per request type to docs/BENCHMARKS.md, section "Lasttest".
"""
import argparse
import http.cookiejar
import os
import random
import re
import runpy
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
DB_NAME = "awards_load"
PASSWORD = "Lasttest-Passwort-2026"
BENCHMARKS = ROOT / "docs" / "BENCHMARKS.md"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d*)"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- database -----------------------------------------------------------------------------

def recreate_database():
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def seed(app, *, jurors, applicants, entries):
    from awards.enums import (ApplicationStatus, CompetitionStatus, FormalCheck, Level, Role)
    from awards.extensions import db
    from awards.models.applications import Application
    from awards.models.base import utcnow
    from awards.models.competitions import Competition, Criterion, PrizeCategory
    from awards.models.jury import Assignment
    from awards.services import accounts
    from awards.services.jury import anonymisation, rounds

    with app.app_context():
        db.create_all()
        password_hash = accounts.hash_password(PASSWORD)

        def competition(code, status):
            comp = Competition(prize_code=code, year=2026, level=Level.STATE, title=f"Lasttest {code}",
                               motto="Last", status=status, budget_cents=900000,
                               opens_at=utcnow() - timedelta(days=30),
                               deadline_at=utcnow() + timedelta(days=30))
            comp.categories.append(PrizeCategory(label="1. Preis", rank=1, amount_cents=400000))
            for pos, name in enumerate(("Strahlkraft", "Nachhaltigkeit", "Engagement")):
                comp.criteria.append(Criterion(position=pos, name=name, weight=1, scale_min=0,
                                               scale_max=10, anchors={}))
            db.session.add(comp)
            db.session.flush()
            return comp

        def user(email):
            u = accounts.get_or_create_user(email=email, name=email.split("@")[0])
            u.password_hash = password_hash
            u.email_verified_at = utcnow()
            return u

        jury_comp = competition("JURY", CompetitionStatus.JURY)
        open_comp = competition("OPEN", CompetitionStatus.OPEN)
        owner = user("traeger@load.example")
        for n in range(1, entries + 1):
            db.session.add(Application(
                competition=jury_comp, owner=owner, status=ApplicationStatus.SUBMITTED, number=n,
                reference=f"JURY-2026-{n:04d}", submitted_at=utcnow(),
                formal_check=FormalCheck.ADMISSIBLE, org_name=f"Verein {n}",
                project_title=f"Projekt {n}", summary="Kurz.", description="Lang."))
        db.session.flush()
        round_ = rounds.create_round(
            actor=None, competition=jury_comp, name="Vorauswahl",
            criteria=[(c, c.weight) for c in jury_comp.criteria],
            closes_at=utcnow() + timedelta(days=7))
        rounds.populate_entries(actor=None, round_=round_)
        for entry in round_.entries:
            anonymisation.approve(actor=None, entry=entry)
        juror_users = []
        for n in range(1, jurors + 1):
            j = user(f"juror{n:02d}@load.example")
            accounts.assign_role(actor=None, user=j, role=Role.JUROR, competition=jury_comp)
            juror_users.append(j)
        db.session.flush()
        for entry in round_.entries:
            for j in juror_users:
                db.session.add(Assignment(round_id=round_.id, entry_id=entry.id, juror_id=j.id))
        db.session.flush()
        rounds.open_round(actor=None, round_=round_)
        applicant_plan = []
        for n in range(1, applicants + 1):
            a = user(f"bewerber{n:02d}@load.example")
            draft = Application(competition=open_comp, owner=a, status=ApplicationStatus.DRAFT,
                                project_title="Start")
            db.session.add(draft)
            db.session.flush()
            applicant_plan.append((a.email, draft.id))
        db.session.commit()
        plan = {
            "round_id": round_.id,
            "criteria": [c.id for c in round_.criteria],
            "codes": [e.code for e in round_.entries],
            "entry_ids": {e.code: e.id for e in round_.entries},
            "jurors": [(j.email, j.id) for j in juror_users],
            "applicants": applicant_plan,
        }
        db.session.remove()
        db.engine.dispose()
    return plan


# --- the virtual users --------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {}
        self.errors = []

    def add(self, kind, seconds):
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def error(self, text):
        with self.lock:
            self.errors.append(text)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    def __init__(self, base, stats):
        self.base = base
        self.stats = stats
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect())

    def request(self, kind, path, data=None, expect=(200,)):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        try:
            response = self.opener.open(self.base + path, data=body, timeout=30)
            status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
        except OSError as exc:
            self.stats.error(f"{kind} {path}: {exc}")
            return None, ""
        self.stats.add(kind, time.perf_counter() - started)
        if status not in expect:
            self.stats.error(f"{kind} {path}: HTTP {status}")
            return None, text
        return status, text

    def login(self, email):
        _, page = self.request("login form", "/konto/anmelden")
        token = CSRF_RE.search(page).group(1)
        status, _ = self.request("login", "/konto/anmelden", {
            "csrf_token": token, "email": email, "password": PASSWORD, "next": ""}, expect=(302,))
        return status == 302


def juror_loop(client, plan, juror_id, deadline, results):
    codes = list(plan["codes"])
    random.shuffle(codes)
    n = 0
    while time.monotonic() < deadline:
        code = codes[n % len(codes)]
        n += 1
        path = f"/jury/runden/{plan['round_id']}/{code}"
        status, page = client.request("scoresheet GET", path)
        if status is None:
            continue
        time.sleep(random.uniform(1, 3))
        if time.monotonic() >= deadline:
            break
        marker = f"{juror_id}-{code}-{n}"
        data = {"csrf_token": CSRF_RE.search(page).group(1),
                "version": VERSION_RE.search(page).group(1), "comment": marker,
                "action": "draft"}
        data.update({f"c{c}": str(random.randint(0, 10)) for c in plan["criteria"]})
        status, _ = client.request("scoresheet POST", path, data, expect=(302,))
        if status == 302:
            results.append((juror_id, plan["entry_ids"][code], marker))


def applicant_loop(client, application_id, deadline, results):
    n = 0
    path = f"/bewerbung/{application_id}/schritt/2"
    while time.monotonic() < deadline:
        n += 1
        status, page = client.request("draft GET", path)
        if status is None:
            continue
        time.sleep(random.uniform(1, 3))
        if time.monotonic() >= deadline:
            break
        marker = f"Titel {application_id}-{n}"
        status, _ = client.request("draft POST", path, {
            "csrf_token": CSRF_RE.search(page).group(1),
            "version": VERSION_RE.search(page).group(1), "action": "save",
            "project_title": marker, "summary": f"Kurzbeschreibung {n}",
            "description": "Beschreibung", "goals": "", "target_group": "", "motto_relation": "",
            "project_start": ""}, expect=(302,))
        if status == 302:
            results.append((application_id, marker))


# --- verification -------------------------------------------------------------------------

def verify(app, score_saves, draft_saves):
    from sqlalchemy import func, select

    from awards.extensions import db
    from awards.models.applications import Application
    from awards.models.audit import AuditLog
    from awards.models.jury import Score
    from awards.services import audit

    problems = []
    with app.app_context():
        last_score = {}
        for juror_id, entry_id, marker in score_saves:
            last_score[(juror_id, entry_id)] = marker
        rows = db.session.execute(select(Score.juror_id, Score.entry_id, Score.comment)).all()
        stored = {(r.juror_id, r.entry_id): r.comment for r in rows}
        if len(rows) != len(last_score):
            problems.append(f"Score rows: {len(rows)}, expected {len(last_score)}")
        lost = [k for k, v in last_score.items() if stored.get(k) != v]
        if lost:
            problems.append(f"{len(lost)} score(s) do not hold their last saved value")
        score_audits = db.session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action.like("jury.score.%")))
        if score_audits != len(score_saves):
            problems.append(f"score audit rows: {score_audits}, saves: {len(score_saves)}")

        last_title = {}
        for application_id, marker in draft_saves:
            last_title[application_id] = marker
        titles = dict(db.session.execute(
            select(Application.id, Application.project_title).where(
                Application.id.in_(list(last_title) or [0]))).all())
        lost = [k for k, v in last_title.items() if titles.get(k) != v]
        if lost:
            problems.append(f"{len(lost)} draft(s) do not hold their last saved title")
        draft_audits = db.session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action == "application.save_draft"))
        if draft_audits != len(draft_saves):
            problems.append(f"draft audit rows: {draft_audits}, saves: {len(draft_saves)}")
        broken = audit.verify_chain()
        if broken:
            problems.append(f"audit chain broken at {len(broken)} entr(y/ies): {broken[:3]}")
        counts = {"scores": len(rows), "score_audits": score_audits, "draft_audits": draft_audits,
                  "audit_total": db.session.scalar(select(func.count(AuditLog.id)))}
        db.session.remove()
        db.engine.dispose()
    return problems, counts


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def write_report(text):
    BENCHMARKS.parent.mkdir(parents=True, exist_ok=True)
    current = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    section = re.compile(r"^## Lasttest\n.*?(?=^## |\Z)", re.S | re.M)
    if section.search(current):
        current = section.sub(lambda _: text, current)
    else:
        current = current.rstrip("\n") + "\n\n" + text
    BENCHMARKS.write_text(current, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--jurors", type=int, default=50)
    parser.add_argument("--applicants", type=int, default=20)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: gunicorn.conf.py, one per CPU)")
    parser.add_argument("--no-report", action="store_true", help="Do not touch BENCHMARKS.md.")
    args = parser.parse_args()

    os.environ.update({
        "AWARDS_ENV": "development",
        "AWARDS_DATABASE_URL": f"{PG}/{DB_NAME}",
        "AWARDS_STORAGE_DIR": "/tmp/awards-loadtest-files",
        "AWARDS_RATELIMIT_ENABLED": "0",
        "AWARDS_SECRET_KEY": "loadtest-" + os.urandom(16).hex(),
    })
    from awards import create_app

    print(f"Preparing database {DB_NAME} ...", flush=True)
    recreate_database()
    app = create_app()
    plan = seed(app, jurors=args.jurors, applicants=args.applicants, entries=args.entries)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_dir = Path("/tmp/awards-loadtest")
    log_dir.mkdir(exist_ok=True)
    if args.workers is None:
        args.workers = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(args.workers), "--bind",
         f"127.0.0.1:{port}", "--error-logfile", str(log_dir / "error.log"),
         "wsgi:app"], cwd=ROOT, env=os.environ.copy(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        stats = Stats()
        score_saves, draft_saves = [], []
        # Log everyone in first (Argon2 is slow on purpose); the timed phase is the work.
        users = [("juror", email, uid) for email, uid in plan["jurors"]] + \
                [("applicant", email, aid) for email, aid in plan["applicants"]]
        clients = {}

        def log_in(batch):
            for kind, email, key in batch:
                client = Client(base, stats)
                if client.login(email):
                    clients[(kind, key)] = client

        batches = [users[i::8] for i in range(8)]
        login_threads = [threading.Thread(target=log_in, args=(b,)) for b in batches]
        for t in login_threads:
            t.start()
        for t in login_threads:
            t.join(timeout=300)
        deadline = time.monotonic() + args.duration
        threads = []
        for (kind, key), client in clients.items():
            if kind == "juror":
                threads.append(threading.Thread(target=juror_loop, args=(
                    client, plan, key, deadline, score_saves)))
            else:
                threads.append(threading.Thread(target=applicant_loop, args=(
                    client, key, deadline, draft_saves)))
        if len(clients) != len(users):
            stats.error(f"only {len(clients)} of {len(users)} users could log in")
        print(f"Running {len(plan['jurors'])} jurors and {len(plan['applicants'])} applicants "
              f"for {args.duration:.0f} s against {base} ({args.workers} workers) ...", flush=True)
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - started
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    problems, counts = verify(app, score_saves, draft_saves)
    lines = [
        "## Lasttest",
        "",
        f"`make loadtest` ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC): "
        f"{len(plan['jurors'])} Jurymitglieder bewerten, {len(plan['applicants'])} Bewerbende "
        f"speichern Entwürfe, gleichzeitig {args.duration:.0f} s lang; gunicorn mit "
        f"{args.workers} Sync-Workern, PostgreSQL auf 127.0.0.1, alles auf einer Maschine "
        f"mit {os.cpu_count()} Kernen (Lastgenerator eingeschlossen). Denkpause je Nutzer "
        "1–3 s zwischen Laden und Speichern. Angemeldet wird vor der Messphase; die "
        "Anmeldungen stehen in der Tabelle, zählen aber nicht zu „alle außer Anmeldung“.",
        "",
        "| Anfrage | Anzahl | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in sorted(stats.latencies):
        values = stats.latencies[kind]
        lines.append(f"| {kind} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
                     f"{percentile(values, 95) * 1000:.0f} | {percentile(values, 99) * 1000:.0f} | "
                     f"{max(values) * 1000:.0f} |")
    every = [v for kind, values in stats.latencies.items() if not kind.startswith("login")
             for v in values]
    lines += [
        f"| alle außer Anmeldung | {len(every)} | {statistics.median(every) * 1000:.0f} | "
        f"{percentile(every, 95) * 1000:.0f} | {percentile(every, 99) * 1000:.0f} | "
        f"{max(every) * 1000:.0f} |" if every else "| alle | 0 | – | – | – | – |",
        "",
        f"Durchsatz in der Messphase: {len(every) / elapsed:.1f} Anfragen/s. Gespeicherte Bewertungen: "
        f"{len(score_saves)}, gespeicherte Entwürfe: {len(draft_saves)}. "
        f"Fehler: {len(stats.errors)}. Verlorene Schreibvorgänge: "
        f"{'keine' if not problems else '; '.join(problems)} (geprüft durch Zählen der Zeilen: "
        f"{counts['scores']} Bewertungsbögen, {counts['score_audits']} + "
        f"{counts['draft_audits']} Protokolleinträge, Hash-Kette des Protokolls unversehrt"
        f"{'' if not any('chain' in p for p in problems) else ' – NEIN'}).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    for error in stats.errors[:20]:
        print("ERROR", error)
    if not args.no_report:
        write_report(report)
        print(f"Written to {BENCHMARKS.relative_to(ROOT)} (section Lasttest).")
    ok = not stats.errors and not problems and score_saves and draft_saves
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
