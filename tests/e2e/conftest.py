"""Browser-test harness: the real app on a loopback port, Debian's chromium via Playwright,
and axe-core on every page a test visits.

Fixtures
- `live_server`: base URL of the app (create_app("testing") with CSRF switched ON, so the
  real forms are exercised), served by werkzeug in a thread on 127.0.0.1, port 0.
- `e2e_app`: that app, for creating rows the browser will see:
      with e2e_app.app_context():
          factories.competition(...); db.session.commit()
  Every table is emptied after each test.
- `page`: a fresh browser context and page per test. Every HTML document the page receives
  (link, form, goto, also one the test leaves at once) is recorded on its way to the
  browser and checked with axe-core (WCAG 2.0/2.1 A and AA) in a checker page of the
  harness, each run awaited to its end, when the test calls
  `page._axe_recorder.check_now()` and at teardown; the test fails listing every
  violation. No fixed timeout is involved, so a loaded machine only makes it slower.
  A test that fulfils a navigation itself (page.route) passes the body on with
  `page._axe_recorder.fulfill_document(route, response, body)`.
- `axe_check(page)`: check the current document right now (fails immediately).
- `screenshot(page, name)`: writes docs/screenshots/<name>.png (full page).
- `mail_links(to=None)`: the links in the outbox mails (e.g. a reset link).

Never run `playwright install`: the browser is Debian's `chromium` package.
E2E_TIMEOUT_MS (default 30000) sets Playwright's timeout; E2E_AXE_DEBUG=1 prints axe's messages.
`scripts/e2e_under_load.sh` runs the browser tests three times in a row while every core
is kept busy (see README, "Tests").
"""
import hashlib
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

# Injected into every document of the test's page (CDP init scripts are not subject to the
# Content-Security-Policy): `axe_check(page)` runs axe on the live document through it.
AXE_LIVE = """
(() => {
  if (window.top !== window || !/^https?:$/.test(location.protocol)) { return; }
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
})();
"""
# Runs axe in the checker page on the recorded document (axe is added by evaluate).
AXE_RUN_COPY = """
async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                                       (n.failureSummary || '').replace(/\\s+/g, ' ')),
  }));
}
"""
AXE_DEBUG = os.environ.get("E2E_AXE_DEBUG") == "1"  # print what the recorder does


class AxeRecorder:
    """Records every HTML document the test's page receives and checks each with axe-core
    in a checker page of its own.

    Every main-frame navigation of the page passes through `on_route`, which fetches the
    response itself (redirects one at a time, so the browser follows them as usual), hands
    it to the browser unchanged and keeps a copy of each HTML document (a file upload,
    which cannot be sent twice, goes its way and its answer is copied as it arrives). Nothing in the
    test's page has to finish before it moves on, so a document left at once is recorded
    just the same. axe runs on the copies when the test asks (`check_now`) and at the end
    of the test: the checker page loads the copy at its own URL (with the test's cookies,
    so styles, images and the page's scripts load as they did), runs axe and awaits the
    result to its end. No fixed timeout is involved anywhere: a loaded machine only makes
    it slower.
    """

    def __init__(self, page, browser, context_options):
        self.page = page
        self.browser = browser
        self.context_options = context_options
        self.documents = []  # {"url", "html"} in the order the browser received them
        self.pending = 0  # index of the first document not checked yet
        self.results = {}  # sha256 of a document -> violations (the same HTML is checked once)
        self.violations = []  # (url, violation dict)
        self.problems = []  # documents that could not be checked
        self.checked_urls = []
        self._checker = None
        self._checker_html = None  # the document the checker page is loading

    def record(self, url, response, body=None):
        """Keep a copy of a main-frame document (called by `on_route`, or by a test that
        fulfils a navigation itself)."""
        content_type = response.headers.get("content-type", "")
        if not 300 <= response.status < 400 and content_type.startswith("text/html"):
            html = body if body is not None else response.text()
            if isinstance(html, bytes):
                html = html.decode("utf-8")
            self.documents.append({"url": url, "html": html})
            if AXE_DEBUG:
                print(f"[axe {time.monotonic():.2f}] recorded {url}", flush=True)

    def fulfill_document(self, route, response, body):
        """For tests that change a document on its way: record it, then fulfil it."""
        self.record(route.request.url, response, body)
        route.fulfill(response=response, body=body)

    def on_route(self, route):
        request = route.request
        if not (request.is_navigation_request() and request.frame == self.page.main_frame):
            route.continue_()
            return
        if "multipart/form-data" in (request.headers.get("content-type") or ""):
            # The browser does not hand out the files of an upload, so it cannot be sent
            # again from here: let it go, and copy the answer as it arrives.
            route.continue_()
            response = request.response()
            if response is not None and not 300 <= response.status < 400:  # a redirect: next
                try:
                    body = response.body()
                except Exception as exc:  # the document was already replaced
                    self.problems.append(f"{request.url} could not be recorded: {exc}")
                else:
                    self.record(request.url, response, body)
            return
        try:
            response = route.fetch(max_redirects=0)
        except Exception as exc:  # the server closed the connection; let the browser try
            self.problems.append(f"{request.url} could not be recorded: {exc}")
            route.continue_()
            return
        self.record(request.url, response)
        route.fulfill(response=response)

    def _checker_page(self):
        if self._checker is None:
            # The test's cookies, so that what the document loads looks the same.
            state = self.page.context.storage_state()
            context = self.browser.new_context(storage_state=state, **self.context_options)
            checker = context.new_page()
            checker.route(lambda url: "/static/" not in url, self._serve_copy)
            self._checker = checker
        return self._checker

    def _serve_copy(self, route):
        request = route.request
        if request.is_navigation_request() and request.frame == self._checker.main_frame \
                and self._checker_html is not None:
            route.fulfill(status=200, content_type="text/html; charset=utf-8",
                          body=self._checker_html)
        elif request.method != "GET":
            route.abort()  # the checker only looks; it never changes anything
        else:
            route.continue_()

    def check_now(self):
        """Check every recorded document not checked yet; see `violations`, `problems`."""
        while self.pending < len(self.documents):
            copy = self.documents[self.pending]
            self.pending += 1
            key = hashlib.sha256(copy["html"].encode()).hexdigest()
            if key not in self.results:
                self.results[key] = self._run_axe(copy)
            found = self.results[key]
            self.checked_urls.append(copy["url"])
            if isinstance(found, str):
                self.problems.append(f"{copy['url']}: axe failed: {found}")
                continue
            for violation in found:
                self.violations.append((copy["url"], violation))

    def _run_axe(self, copy):
        checker = self._checker_page()
        self._checker_html = copy["html"]
        try:
            checker.goto(copy["url"].split("#", 1)[0], wait_until="load")
            checker.evaluate(_axe_source())
            return checker.evaluate(AXE_RUN_COPY, AXE_TAGS)
        except Exception as exc:  # reported as a problem of this page
            return str(exc)
        finally:
            self._checker_html = None

    def close(self):
        if self._checker is not None:
            self._checker.context.close()
            self._checker = None


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
    options = dict(base_url=live_server, locale="de-DE", timezone_id="Europe/Berlin",
                   viewport={"width": 1280, "height": 900})
    context = _browser.new_context(**options)
    context.set_default_timeout(float(os.environ.get("E2E_TIMEOUT_MS", "30000")))
    page = context.new_page()
    page.add_init_script(_axe_source() + "\n" + AXE_LIVE % {"tags": json.dumps(AXE_TAGS)})
    recorder = AxeRecorder(page, _browser, options)
    page._axe_recorder = recorder
    page.route(lambda url: "/static/" not in url, recorder.on_route)
    yield page
    try:
        recorder.check_now()
    finally:
        try:
            recorder.close()
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
        # Text in a web font that is still loading is drawn invisible: wait for the fonts.
        page.evaluate("() => document.fonts.ready.then(() => true)")
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
