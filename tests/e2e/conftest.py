"""Browser-test harness: the real app on a loopback port, Debian's chromium via Playwright,
and axe-core on every page a test visits.

Fixtures
- `live_server`: base URL of the app (create_app("testing") with CSRF switched ON, so the
  real forms are exercised), served by werkzeug in a thread on 127.0.0.1, port 0.
- `e2e_app`: that app, for creating rows the browser will see:
      with e2e_app.app_context():
          factories.competition(...); db.session.commit()
  Every table is emptied after each test.
- `page`: a fresh browser context and page per test. Every document the page leaves (link,
  form, goto) and the document open at the end of the test is checked with axe-core
  (WCAG 2.0/2.1 A and AA); the test fails at teardown listing every violation.
- `axe_check(page)`: check the current document right now (fails immediately).
- `screenshot(page, name)`: writes docs/screenshots/<name>.png (full page).
- `mail_links(to=None)`: the links in the outbox mails (e.g. a reset link).

Never run `playwright install`: the browser is Debian's `chromium` package.
E2E_TIMEOUT_MS (default 30000) sets Playwright's timeout; E2E_AXE_DEBUG=1 prints axe's messages.
"""
import json
import os
import shutil
import threading
import time

import pytest
from werkzeug.serving import make_server

from awards import create_app
from awards.config import ROOT
from awards.extensions import db

AXE_SOURCE_PATH = ROOT / "static" / "vendor" / "axe" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Injected into every document before the page's own scripts (CDP init scripts are not
# subject to the Content-Security-Policy). Once the document is parsed it runs axe and
# reports through the console, which needs no round trip: a test that navigates on at once
# cannot lose the result, because the route handler below holds the next navigation until
# it has arrived (page.evaluate would hang while a navigation is held).
AXE_RUNNER = """
(() => {
  if (window.top !== window || !/^https?:$/.test(location.protocol)) { return; }
  if (document.contentType && document.contentType !== 'text/html') { return; }
  const doc = Math.random().toString(36).slice(2) + '-' + Date.now();
  const tags = %(tags)s;
  let queue = Promise.resolve();
  window.__axeRunNow = () => {
    // axe refuses to run twice at once; chain the runs.
    const run = queue.then(() => window.axe.run(document, {
      runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}));
    queue = run.catch(() => null);
    return run.then(result => result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                                         (n.failureSummary || '').replace(/\\s+/g, ' ')),
    })));
  };
  console.debug('__AXE_BEGIN__' + doc + ' ' + location.href);
  const start = async () => {
    // Once the document is parsed (stylesheets are in: base.html has a deferred script).
    // Not "load": a navigation that starts early stops the loading, and load never comes.
    const report = {doc: doc, url: location.href};
    try { report.violations = await window.__axeRunNow(); }
    catch (e) { report.error = String(e); }
    console.debug('__AXE_DONE__' + JSON.stringify(report));
  };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
"""
AXE_DEBUG = os.environ.get("E2E_AXE_DEBUG") == "1"  # print the axe messages as they come
AXE_WAIT_SECONDS = 25  # below the default action timeout: a held click then still succeeds


class AxeRecorder:
    """Collects the axe reports of every document one page loads."""

    def __init__(self, page):
        self.page = page
        self.begun = []  # document ids in load order
        self.begun_urls = {}
        self.done = {}  # document id -> report
        self.violations = []  # (url, violation dict)
        self.problems = []  # documents that could not be checked
        self.checked_urls = []

    def on_console(self, message):
        text = message.text
        if AXE_DEBUG:
            print(f"[axe {time.monotonic():.2f}] {text[:150]}", flush=True)
        if text.startswith("__AXE_BEGIN__"):
            doc, _, url = text.removeprefix("__AXE_BEGIN__").partition(" ")
            self.begun.append(doc)
            self.begun_urls[doc] = url
        elif text.startswith("__AXE_DONE__"):
            report = json.loads(text.removeprefix("__AXE_DONE__"))
            self.done[report["doc"]] = report
            self.checked_urls.append(report["url"])
            if "error" in report:
                self.problems.append(f"{report['url']}: axe failed: {report['error']}")
            for violation in report.get("violations", []):
                self.violations.append((report["url"], violation))

    def unfinished(self):
        """The current document, if its report is still missing. (Older documents without a
        report were replaced before they were parsed, so the test never used them: each
        navigation away from a document the test used is held until its report is in.)"""
        if self.begun and self.begun[-1] not in self.done:
            return [self.begun[-1]]
        return []

    def wait_until_checked(self, poll):
        """Let events arrive (via `poll`, a cheap Playwright call) until the current
        document has reported; one that never does is listed as a problem."""
        deadline = time.monotonic() + AXE_WAIT_SECONDS
        while self.unfinished() and time.monotonic() < deadline:
            poll()
        for doc in self.unfinished():
            self.done[doc] = {"doc": doc}
            self.problems.append(f"{self.begun_urls.get(doc)} was not checked: axe did not "
                                 f"finish within {AXE_WAIT_SECONDS} s")

    def on_route(self, route):
        # A main-frame navigation is about to replace the document: hold it until the
        # current document's axe report is in. (page.evaluate would hang here.)
        request = route.request
        if AXE_DEBUG and request.is_navigation_request():
            print(f"[axe {time.monotonic():.2f}] hold {request.method} {request.url} "
                  f"unfinished={self.unfinished()}", flush=True)
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.wait_until_checked(self.page.context.cookies)
        route.continue_()


_axe_cache = []


def _axe_source():
    if not AXE_SOURCE_PATH.exists():
        pytest.fail(f"{AXE_SOURCE_PATH} is missing: run `make frontend` first.")
    if not _axe_cache:
        _axe_cache.append(AXE_SOURCE_PATH.read_text(encoding="utf-8"))
    return _axe_cache[0]


def format_violations(violations):
    lines = []
    for url, v in violations:
        lines.append(f"{url}: [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


@pytest.fixture(scope="session")
def _e2e_server_app(_schema_app, database_url, tmp_path_factory):
    """The app the browser talks to: same database as the other tests, CSRF on."""
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        STORAGE_DIR=str(tmp_path_factory.mktemp("e2e-files")),
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=False,
        SERVER_NAME=None,
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(_e2e_server_app):
    """Serve the app on a free loopback port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, _e2e_server_app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    _e2e_server_app.config["BASE_URL"] = base_url  # links in mails point at this server
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def e2e_app(_e2e_server_app, live_server):
    """The served app; every table is emptied after the test."""
    yield _e2e_server_app
    from tests.conftest import _empty_all_tables

    with _e2e_server_app.app_context():
        db.session.remove()
        _empty_all_tables()


@pytest.fixture(scope="session")
def _browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser, e2e_app, live_server):
    """A fresh browser page; axe checks every document it visits (see module docstring)."""
    context = _browser.new_context(base_url=live_server, locale="de-DE",
                                   timezone_id="Europe/Berlin",
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(float(os.environ.get("E2E_TIMEOUT_MS", "30000")))
    context.add_init_script(_axe_source() + "\n" + AXE_RUNNER % {"tags": json.dumps(AXE_TAGS)})
    page = context.new_page()
    recorder = AxeRecorder(page)
    page._axe_recorder = recorder
    page.on("console", recorder.on_console)
    page.route(lambda url: "/static/" not in url, recorder.on_route)
    yield page
    try:
        if not page.is_closed():
            page.wait_for_load_state("domcontentloaded")
            page.wait_for_timeout(50)  # let the RUN message of the last document arrive
            recorder.wait_until_checked(lambda: page.wait_for_timeout(25))
    finally:
        try:
            page.unroute_all(behavior="ignoreErrors")
        finally:
            context.close()
    if recorder.violations or recorder.problems:
        pytest.fail("axe-core found WCAG 2.1 A/AA violations:\n"
                    + format_violations(recorder.violations)
                    + "".join(f"\n{p}" for p in recorder.problems), pytrace=False)


@pytest.fixture
def axe_check():
    """axe_check(page): check the current document as it is now (e.g. after a script changed
    it); fails at once listing any violation."""

    def check(page):
        page.wait_for_load_state("domcontentloaded")
        found = page.evaluate("() => window.__axeRunNow ? window.__axeRunNow() : null")
        if found is None:
            pytest.fail(f"axe cannot run on {page.url} (not an HTML page of the app)",
                        pytrace=False)
        if found:
            pytest.fail("axe-core found WCAG 2.1 A/AA violations:\n"
                        + format_violations([(page.url, v) for v in found]), pytrace=False)
        return page.url

    return check


@pytest.fixture
def screenshot():
    """screenshot(page, name): save docs/screenshots/<name>.png for the README tour."""

    def take(page, name):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def mail_links(e2e_app):
    """mail_links(to=None): every http(s) link in the outbox mails, oldest first."""
    import re

    from sqlalchemy import select

    from awards.models.mail import OutboxMail

    def links(to=None):
        with e2e_app.app_context():
            query = select(OutboxMail).order_by(OutboxMail.id)
            if to:
                query = query.where(OutboxMail.to_addr == to)
            mails = db.session.scalars(query).all()
            return [link for m in mails for link in re.findall(r"https?://\S+", m.body_text)]

    return links
