"""Every page each demo role can reach, in German and English: valid HTML (Nu HTML Checker)
and no WCAG 2.1 A/AA violation (axe-core, run by the harness on every document).

The crawl signs in through the login form as each demo role (and once as an anonymous
visitor), then follows every same-site link it is shown, breadth first, with GET requests
only (no form is sent, so nothing changes). Each kind of page (a route of the app) is
visited at most PER_ENDPOINT times per role in German and once in English (the English
pages are the same templates): the crawl checks every page a role can reach, in both
languages, not every winner's page of every year. Downloads (PDF, CSV, XLSX, ZIP, images)
are requested and must answer 200, but are not HTML to check.

The demo data hold every state that matters: an open call, an open anonymised round, a
closed round ready for the jury meeting, a decided prize under embargo and archived years
with published winners.

Run it alone with `make crawl` (or `make test PYTEST_ARGS="tests/e2e/test_crawl.py"`); the
pages it checked are listed in docs/CRAWL.md after each run.
"""
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from awards import demo
from awards.config import ROOT
from awards.extensions import db

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
REPORT = ROOT / "docs" / "CRAWL.md"
PER_ENDPOINT = {"de": 2, "en": 1}
MAX_PAGES = 200  # per role and language; a crawl that reaches it has found a link loop

ROLES = [
    # (demo account or None for anonymous, a page the role must reach: the positive control)
    (None, "/preistraeger"),
    ("admin", "/verwaltung/benutzer"),
    ("ministerium", "/geschaeftsstelle/"),
    ("regierung-obb", "/geschaeftsstelle/"),
    ("jury-vorsitz", "/jury/"),
    ("jury", "/jury/"),
    ("jury-extern", "/jury/"),
    ("bewerbung", "/bewerbung/"),
]
# Pages a role must reach through the links it is shown, besides its start page.
MUST_REACH_ENDPOINTS = {
    "ministerium": ("statistics.index", "statistics.export_xlsx"),
    "regierung-obb": ("statistics.index", "statistics.export_xlsx"),
}
# Further pages a role must reach (positive controls of features linked from other pages).
ALSO_REACH = {
    None: ("/infobrief/",),
    "ministerium": ("/geschaeftsstelle/infobrief",),
}
LANGUAGES = ("de", "en")
# Same-site addresses the crawl must not follow: they change the session, not show a page.
SKIP = re.compile(r"^/(sprache/|konto/abmelden|static/)")
HTML = "text/html"


def _endpoint(app, path, query):
    adapter = app.url_map.bind("localhost", query_args=query)
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except HTTPException:
        return None
    return endpoint


class Crawl:
    def __init__(self, page, app, base_url, workdir, label, per_endpoint=1):
        self.page, self.app, self.base = page, app, base_url
        self.limit = per_endpoint
        self.workdir, self.label = workdir, label
        self.seen = set()
        self.per_endpoint = defaultdict(int)
        self.checked = []  # (path, endpoint, status, kind)
        self.failures = []
        self.files = {}  # file name -> path

    def _same_site(self, url):
        url, _ = urldefrag(url)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base:
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def run(self, start):
        queue = deque([start])
        while queue and len(self.checked) < MAX_PAGES:
            target = queue.popleft()
            if target in self.seen:
                continue
            self.seen.add(target)
            path, _, query = target.partition("?")
            if SKIP.match(path):
                continue
            endpoint = _endpoint(self.app, path, query)
            if endpoint is None or endpoint == "static":
                continue
            if self.per_endpoint[endpoint] >= self.limit:
                continue
            self.per_endpoint[endpoint] += 1
            for link in self.visit(target, endpoint):
                if link not in self.seen:
                    queue.append(link)

    def visit(self, target, endpoint):
        # The request first (it shares the browser's cookies): status, type and the exact
        # bytes the server sent, which is what the HTML checker must read.
        response = self.page.request.get(self.base + target, max_redirects=0)
        status = response.status
        content_type = response.headers.get("content-type", "")
        if status in (301, 302, 303, 307, 308):
            location = self._same_site(response.headers.get("location", ""))
            self.checked.append((target, endpoint, status, "redirect"))
            return [location] if location else []
        if status != 200:
            self.failures.append(f"{self.label} {target} ({endpoint}): HTTP {status}")
            self.checked.append((target, endpoint, status, "error"))
            return []
        if not content_type.startswith(HTML):
            self.checked.append((target, endpoint, status, content_type.split(";")[0]))
            return []
        name = f"{self.label}-{len(self.files):03d}.html"
        (self.workdir / name).write_bytes(response.body())
        self.files[name] = target
        self.checked.append((target, endpoint, status, "html"))
        # Then axe-core on it: the harness renders this very document in its checker page
        # (with the page's styles and images) and checks it at the end of the test. The
        # links to follow are read from the same bytes: every page is server-rendered.
        url = self.base + target
        self.page._axe_recorder.record(url, response, response.body())
        links = _Links()
        links.feed(response.text())
        return [p for p in (self._same_site(urljoin(url, h)) for h in links.hrefs) if p]


class _Links(HTMLParser):
    """The href of every <a> of a document."""

    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _login(page, account):
    page.context.clear_cookies()
    if account is None:
        return
    page.goto("/konto/anmelden")
    page.fill("#email", f"{account}@demo.integrationspreis.example")
    page.fill("#password", demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert "/konto/anmelden" not in page.url, f"{account} could not sign in"


def _validate(workdir):
    """{file name: [error messages]} from the Nu HTML Checker, run once over every page."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: `make setup` installs default-jre-headless")
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: run `make frontend` first")
    result = subprocess.run(
        [java, "-Xss1m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout",
         str(workdir)], capture_output=True, text=True, check=False)
    report = json.loads(result.stdout or "{}")
    errors = defaultdict(list)
    for message in report.get("messages", []):
        name = Path(message.get("url", "").removeprefix("file:")).name
        errors[name].append(f"line {message.get('lastLine')}: {message.get('message')}")
    if result.returncode not in (0, 1) or "messages" not in report:
        pytest.fail(f"the HTML checker did not run: {result.stderr[-2000:]}")
    return errors


def _write_report(crawls):
    lines = ["# Pages checked by the crawl", "",
             "Written by `tests/e2e/test_crawl.py` on every run: each page below answered as",
             "shown, and every HTML page passed the Nu HTML Checker and axe-core (WCAG 2.1 A/AA).",
             ""]
    for label, crawl in crawls:
        lines += [f"## {label} ({len(crawl.checked)} addresses)", "",
                  "| address | route | answer |", "| --- | --- | --- |"]
        for target, endpoint, status, kind in sorted(crawl.checked):
            lines.append(f"| `{target}` | `{endpoint}` | {status} {kind} |")
        lines.append("")
    REPORT.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.e2e
def test_every_page_of_every_role_is_valid_and_accessible(e2e_app, page, live_server,
                                                          tmp_path):
    with e2e_app.app_context():
        demo.load()
        db.session.commit()
    crawls = []
    for account, must_reach in ROLES:
        for language in LANGUAGES:
            label = f"{account or 'anonym'}-{language}"
            _login(page, account)
            page.goto(f"/sprache/{language}?next=/")
            crawl = Crawl(page, e2e_app, live_server, tmp_path, label, PER_ENDPOINT[language])
            crawl.run("/")
            crawl.run(must_reach)
            for extra in ALSO_REACH.get(account, ()):
                crawl.run(extra)
                assert any(c[0] == extra and c[3] == "html" for c in crawl.checked), (label, extra)
            crawls.append((label, crawl))
            html_pages = [c for c in crawl.checked if c[3] == "html"]
            # Positive controls: the role's own page was really loaded, and the crawl found
            # more than the start page.
            assert any(c[0] == must_reach and c[3] == "html" for c in crawl.checked), label
            assert len(html_pages) >= 5, (label, crawl.checked)
            for endpoint in MUST_REACH_ENDPOINTS.get(account, ()):
                assert any(c[1] == endpoint and c[2] == 200 for c in crawl.checked), (label, endpoint)
            if language == "en":
                assert page.locator("html").get_attribute("lang") == "en", label
    _write_report(crawls)
    # axe-core checks every HTML page the crawl fetched (violations fail the test at its end).
    recorder = page._axe_recorder
    recorder.check_now()
    unchecked = [c[0] for _, crawl in crawls for c in crawl.checked if c[3] == "html"
                 and live_server + c[0] not in recorder.checked_urls]
    assert unchecked == [], unchecked
    failures = [f for _, crawl in crawls for f in crawl.failures]
    errors = _validate(tmp_path)
    files = {name: (label, crawl.files[name]) for label, crawl in crawls for name in crawl.files}
    html_errors = [f"{files[name][0]} {files[name][1]}: {message}"
                   for name, messages in sorted(errors.items()) for message in messages]
    assert failures == [], "\n".join(failures)
    assert html_errors == [], "\n".join(html_errors)
