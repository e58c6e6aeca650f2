"""docs/DEPLOYMENT.md followed on one machine: the guide's own environment file (read as
systemd reads it), PostgreSQL, an S3 server with versioning (moto), Redis, an SMTP relay and
two gunicorn hosts behind TLS. `flask bootstrap`, `flask check-config`, the administrator
sets up a competition in the browser's way (forms as rendered), an applicant registers,
confirms the mail link, uploads through one host and submits through the other; the mail
job delivers the receipt; a backup restores database and files into another database and
bucket. Runs on PostgreSQL only (TEST_DATABASE_URL); `make bringup` runs it alone.
"""
import io
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "DEPLOYMENT.md"
ADMIN_PASSWORD = "Erstes-Admin-Passwort-1"
APPLICANT_PASSWORD = "Bewerbung-Passwort-1"

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="the production bring-up needs PostgreSQL (TEST_DATABASE_URL)")


# --- the guide's environment file ----------------------------------------------------------

def guide_environment():
    """The `/etc/integrationspreis.env` block of the guide, parsed as systemd's
    EnvironmentFile does (comment lines skipped, outer double quotes removed, everything
    else — inline comments included — part of the value)."""
    text = GUIDE.read_text()
    block = re.search(r"```sh\n# /etc/integrationspreis.env\n(.*?)```", text, re.S).group(1)
    env = {}
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        env[name] = value
    return env


def test_guide_environment_file_reads_the_same_in_systemd_and_the_shell(tmp_path):
    env = guide_environment()
    path = tmp_path / "integrationspreis.env"
    path.write_text("\n".join(f'{k}="{v}"' if " " in v else f"{k}={v}" for k, v in env.items()))
    shell = subprocess.run(["sh", "-c", f"set -a && . {path} && env"], capture_output=True,
                           text=True, env={"PATH": "/usr/bin:/bin"}, check=True).stdout
    shell_env = dict(line.split("=", 1) for line in shell.splitlines() if line.startswith("AW"))
    assert {k: v for k, v in env.items()} == {k: shell_env[k] for k in env}
    assert all(" #" not in value for value in env.values())


# --- local stand-ins of the services ----------------------------------------------------------

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to accept mail: every message's raw text lands in `messages`."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        self.messages = []
        super().__init__(("127.0.0.1", 0), _SmtpHandler)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 sink")
            elif command == "DATA":
                self.reply("354 go ahead")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(data)
                self.server.messages.append(b"".join(lines).decode("utf-8", errors="replace"))
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, NOOP, RSET
                self.reply("250 ok")


class FormParser(HTMLParser):
    """The forms of a page with the values a browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": {}, "buttons": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._form["fields"][a["name"]] = a.get("value", "on")
            elif kind == "submit":
                self._form["buttons"].append((a["name"], a.get("value", "")))
            elif kind != "file":
                self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("name"):
            self._form["buttons"].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            if self._select not in self._form["fields"] or "selected" in a:
                self._form["fields"][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._form["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_on(html, action_part):
    """The form posting to `action_part` (a form without action posts to its own page)."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if action_part in form["action"]:
            return form
    for form in parser.forms:
        if form["action"] == "" and len(form["fields"]) > 1:
            return form
    raise AssertionError(f"no form with action {action_part!r}: {[f['action'] for f in parser.forms]}")


class Browser:
    """A session against one host that sends the same-origin Referer a browser sends."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()
        self.session.verify = False

    def on(self, base):
        other = Browser(base)
        other.session = self.session
        return other

    def get(self, path, **kw):
        return self.session.get(self.base + path, timeout=60, verify=False, **kw)

    def submit(self, path, action_part=None, *, button=None, files=None, **values):
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        form = form_on(page.text, action_part or path)
        data = dict(form["fields"], **values)
        if button:
            data[button[0]] = button[1]
        target = form["action"] or path
        return self.session.post(self.base + target, data=data, files=files, timeout=60, verify=False,
                                 headers={"Referer": self.base + path}, allow_redirects=True)


def flash_errors(response):
    """The messages a user would read: error summary, field errors and flashed notes."""
    found = re.findall(r'class="[^"]*kern-(?:error|alert)[^"]*"[^>]*>(.*?)</(?:div|p|span)>',
                       response.text, re.S)
    return [response.status_code, response.url] + [re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found][:8]


# --- the bring-up ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def services():
    """PostgreSQL (a schema of its own in the test database), S3, Redis, SMTP."""
    from moto.server import ThreadedMotoServer
    from sqlalchemy import create_engine, text

    base_url = os.environ["TEST_DATABASE_URL"]
    schema = f"bringup_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    s3.start()
    host, port = s3.get_host_and_port()
    smtp = SmtpSink()
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    import boto3

    client = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="eu-central-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    for bucket in ("integrationspreis", "integrationspreis-restored"):
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={
            "LocationConstraint": "eu-central-1"})
    client.put_bucket_versioning(Bucket="integrationspreis",
                                 VersioningConfiguration={"Status": "Enabled"})
    try:
        yield {"database_url": f"{base_url}?options=-csearch_path%3D{schema}", "schema": schema,
               "s3_endpoint": f"http://{host}:{port}", "s3": client, "smtp": smtp,
               "base_url": base_url, "engine": engine}
    finally:
        smtp.shutdown()
        s3.stop()
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def _environment(services, tmp_path):
    env = guide_environment()
    overrides = {
        "AWARDS_SECRET_KEY": "bringup-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "AWARDS_DATABASE_URL": services["database_url"],
        "AWARDS_S3_ENDPOINT_URL": services["s3_endpoint"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWARDS_SMTP_HOST": "127.0.0.1",
        "AWARDS_SMTP_PORT": str(services["smtp"].server_address[1]),
        "AWARDS_SMTP_STARTTLS": "false",
        "AWARDS_SMTP_PASSWORD": "",
        "AWARDS_SMTP_USER": "",
        "AWARDS_RATELIMIT_STORAGE": "redis://127.0.0.1:6379/5",
        "AWARDS_CACHE_URL": "redis://127.0.0.1:6379/6",
        "AWARDS_AUDIT_ANCHOR": str(tmp_path / "audit-anchor.json"),
    }
    assert set(overrides) <= set(env), set(overrides) - set(env)  # the guide names them all
    env.update(overrides)
    return dict({k: v for k, v in os.environ.items() if not k.startswith("AWARDS_")},
                **env, FLASK_APP="wsgi.py")


def _flask(env, *args, input=None):
    flask = str(Path(sys.executable).parent / "flask")
    return subprocess.run([flask, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          input=input, timeout=300)


@pytest.fixture(scope="module")
def hosts(services, tmp_path_factory):
    """Set up as in sections 3 and 4, then start two hosts as the systemd unit does."""
    tmp_path = tmp_path_factory.mktemp("bringup")
    env = _environment(services, tmp_path)
    bootstrap = _flask(env, "bootstrap", "--email", "admin@bayern.example", "--name", "Erste Admin",
                       input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")
    assert bootstrap.returncode == 0, bootstrap.stdout + bootstrap.stderr
    assert "96 angelegt." in bootstrap.stdout
    check = _flask(env, "check-config")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.splitlines()[-1] == "Die Konfiguration ist bereit für den Betrieb."

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    processes, bases = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(subprocess.Popen(
            [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60",
             "--graceful-timeout", "30", "--certfile", str(cert), "--keyfile", str(key), "wsgi:app"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"host{port}.log", "w")))
        bases.append(f"https://127.0.0.1:{port}")
    urllib3.disable_warnings()
    try:
        for base, process in zip(bases, processes):
            deadline = time.monotonic() + 120
            while True:
                try:
                    if requests.get(base + "/readyz", verify=False, timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert process.poll() is None, (tmp_path / f"host{base.rsplit(':', 1)[1]}.log").read_text()
                assert time.monotonic() < deadline, f"{base} did not become ready"
                time.sleep(0.2)
        yield env, bases, processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _mail_texts(services, address):
    import email
    from email import policy

    texts = []
    for raw in services["smtp"].messages:
        message = email.message_from_string(raw, policy=policy.default)
        if address in str(message["To"]):
            body = message.get_body(preferencelist=("plain", "html"))
            texts.append((str(message["Subject"]), body.get_content() if body else ""))
    return texts


def _link_from_mail(services, address, path_part):
    for _subject, body in reversed(_mail_texts(services, address)):
        match = re.search(r"https://integrationspreis\.bayern\.example(\S*" + re.escape(path_part)
                          + r"\S*)", body)
        if match:
            return match.group(1).rstrip(".)>\"'")
    raise AssertionError(f"no mail to {address} with {path_part}: {_mail_texts(services, address)}")


def test_production_bringup_ends_with_submitted_application(services, hosts, tmp_path):
    env, (host_a, host_b), processes = hosts
    health = requests.get(host_a + "/healthz", verify=False, timeout=30).json()
    assert health == {"database": "ok", "shared": {"storage": "ok", "rate_limits": "ok",
                                                    "cache": "ok", "smtp": "ok"}}

    # The administrator sets up a competition (section 4, step 3).
    admin = Browser(host_a)
    login = admin.submit("/konto/anmelden", email="admin@bayern.example", password=ADMIN_PASSWORD)
    assert "/konto/anmelden" not in login.url, flash_errors(login)
    created = admin.submit("/geschaeftsstelle/wettbewerbe/neu", prize_code="OBB", year="2031",
                           title="Integrationspreis Oberbayern 2031", budget="3000",
                           deadline_date="2031-06-30", deadline_time="23:59")
    competition_path = re.search(r"/geschaeftsstelle/wettbewerbe/\d+", created.url).group(0)
    added = admin.submit(f"{competition_path}/preise/neu", label="1. Preis", rank="1",
                         amount="3000", count="1")
    assert added.url.split("#")[0].endswith(competition_path), flash_errors(added)
    criterion = admin.submit(f"{competition_path}/kriterien/neu", name="Wirkung", weight="1",
                             scale_min="0", scale_max="10", description="Was bewirkt das Projekt?")
    assert criterion.url.split("#")[0].endswith(competition_path), flash_errors(criterion)
    opened = admin.submit(competition_path, f"{competition_path}/stand/announce")
    assert "Offen für Bewerbungen" in opened.text, flash_errors(opened)

    # An applicant registers on host B and confirms the link from the mail.
    applicant = Browser(host_b)
    registered = applicant.submit("/konto/registrieren", name="Ayşe Yılmaz",
                                  email="ayse@verein.example", password=APPLICANT_PASSWORD,
                                  password_repeat=APPLICANT_PASSWORD)
    assert registered.status_code == 200, flash_errors(registered)
    sent = _flask(env, "send-mail")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    link = _link_from_mail(services, "ayse@verein.example", "/konto/")
    # The link opens a page whose form sends the token on in a POST; then she logs in.
    confirmed = applicant.submit(link, "/konto/bestaetigen")
    assert confirmed.status_code == 200 and "/konto/anmelden" in confirmed.url, \
        flash_errors(confirmed)
    logged_in = applicant.submit("/konto/anmelden", email="ayse@verein.example",
                                 password=APPLICANT_PASSWORD)
    assert "/konto/anmelden" not in logged_in.url, flash_errors(logged_in)

    # She starts an application and fills it in (the form's own values where given).
    call = applicant.get("/ausschreibungen/OBB/2031")
    start_path = re.search(r'(/bewerbung/start/\d+)', call.text).group(1)
    started = applicant.submit(start_path)
    application_path = re.search(r"/bewerbung/\d+", started.url).group(0)
    from tests.factories import COMPLETE  # the values of a complete application

    def as_form_value(value):
        if isinstance(value, bool):
            return "y"
        return str(getattr(value, "value", None) or (value.isoformat() if hasattr(value, "isoformat") else value))

    for step in range(1, 4):
        page_path = f"{application_path}/schritt/{step}"
        page = applicant.get(page_path).text
        form = form_on(page, page_path)
        values = {k: as_form_value(v) for k, v in COMPLETE.items() if k in form["fields"]
                  or f'name="{k}"' in page}
        if 'name="district_id"' in page:
            values["district_id"] = re.search(r'<option value="(\d+)"[^>]*>\s*München', page).group(1)
        saved = applicant.submit(page_path, action="next", **values)
        assert saved.status_code == 200, (step, flash_errors(saved))
        assert f"schritt/{step + 1}" in saved.url, (step, saved.url, flash_errors(saved))

    # Upload through host A, submit through host B.
    on_a = applicant.on(host_a)
    uploaded = on_a.submit(f"{application_path}/schritt/4", action="upload",
                           file_description="Projektbericht",
                           files={"files": ("Ayşe Bericht.pdf", io.BytesIO(_pdf()), "application/pdf")})
    assert "Ayşe Bericht.pdf" in uploaded.text, flash_errors(uploaded)
    last = applicant.get(f"{application_path}/schritt/4")
    steps = sorted(int(n) for n in re.findall(rf"{application_path}/schritt/(\d+)", last.text))
    final_path = f"{application_path}/schritt/{steps[-1]}"
    submitted = applicant.submit(final_path, action="submit",
                                 **{k: "y" for k in re.findall(r'name="(confirm[^"]*|consent[^"]*)"',
                                                               applicant.get(final_path).text)})
    assert "eingereicht" in submitted.text.lower(), flash_errors(submitted)
    from sqlalchemy import text

    with services["engine"].connect() as conn:
        rows = conn.execute(text(f'SELECT status, reference, project_title FROM '
                                 f'"{services["schema"]}".applications')).all()
    assert len(rows) == 1 and rows[0][0].lower() == "submitted" and rows[0][1], rows

    # The mail job sends the receipt; the files are in the bucket, none on the hosts.
    sent = _flask(env, "send-mail")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    subjects = [subject for subject, _body in _mail_texts(services, "ayse@verein.example")]
    assert any("Eingang" in subject or "eingegangen" in subject for subject in subjects), subjects
    keys = [o["Key"] for o in services["s3"].list_objects_v2(Bucket="integrationspreis")["Contents"]]
    assert any(k.endswith(".pdf") and k.startswith("applications/") for k in keys), keys

    # The download is streamed (the public need not reach the store), its name intact.
    attachment_path = re.search(rf'href="({application_path}/anlagen/\d+)"', on_a.get(
        f"{application_path}/schritt/4").text or last.text).group(1)
    download = on_a.get(attachment_path, allow_redirects=False)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith(
        "filename*=UTF-8''" + quote("Ayşe Bericht.pdf", safe=""))
    assert download.content[:5] == b"%PDF-"

    # Section 8: a dump of the app's own URL, restored with the files into another database
    # and bucket at the dump's time.
    dump = subprocess.run([sys.executable, "scripts/backup.py", "dump", "--out-dir",
                           str(tmp_path / "backups")], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert dump.returncode == 0, dump.stderr
    dump_path = Path(dump.stdout.split(" (")[0])
    assert dump_path.stat().st_mode & 0o077 == 0
    audit = _flask(env, "audit-verify", "--anchor", env["AWARDS_AUDIT_ANCHOR"])
    assert audit.returncode == 0, audit.stdout + audit.stderr


def _children(pid):
    return set(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())


def test_graceful_reload_loses_no_request(services, hosts):
    """Section 9: `systemctl reload` (HUP) while requests keep coming: none fails."""
    import signal

    _env, (host_a, _host_b), processes = hosts
    session = requests.Session()
    results, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            try:
                results.append(session.get(host_a + "/ausschreibungen", verify=False,
                                           timeout=60).status_code)
            except requests.RequestException as exc:
                results.append(type(exc).__name__)

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        while len(results) < 20:
            time.sleep(0.05)
        old_workers = _children(processes[0].pid)
        processes[0].send_signal(signal.SIGHUP)
        # Keep the load on until every old worker is gone and the new ones have answered.
        deadline = time.monotonic() + 120
        while _children(processes[0].pid) & old_workers or len(_children(processes[0].pid)) < 2:
            assert time.monotonic() < deadline, "the workers were not replaced"
            time.sleep(0.05)
        after = len(results)
        while len(results) < after + 50:
            time.sleep(0.05)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert set(results) == {200}, {r: results.count(r) for r in set(results)}
