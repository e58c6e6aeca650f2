"""The harness itself: axe must notice a violation, also on a page the test only passes
through, and check every page however quickly the test moves on."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

BREAK_PAGE = """() => {
  const img = document.createElement('img');
  img.src = '/static/img/logo.svg';
  img.id = 'broken-img';
  document.querySelector('main').appendChild(img);
}"""


def _paths(urls, base):
    return [url.removeprefix(base) for url in urls]


def test_axe_check_fails_on_image_without_alt(page, axe_check):
    page.goto("/")
    page.evaluate(BREAK_PAGE)
    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check(page)
    assert "image-alt" in str(failure.value)
    assert "#broken-img" in str(failure.value)


def test_axe_reports_violation_of_page_left_at_once(page, live_server):
    # Serve the start page with an image lacking its alt text, then leave it at once: the
    # copy recorded on its way to the browser is checked all the same.
    def broken_start_page(route):
        response = route.fetch()
        body = response.text().replace('alt="" width="40"', 'width="40"')
        page._axe_recorder.fulfill_document(route, response, body)

    page.route(f"{live_server}/", broken_start_page)
    page.goto("/")
    page.get_by_role("link", name="Impressum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impressum")
    recorder = page._axe_recorder
    recorder.check_now()
    ids = [(url.removeprefix(live_server), v["id"]) for url, v in recorder.violations]
    assert ids == [("/", "image-alt")]
    recorder.violations.clear()  # seen; the teardown must not fail this test


def test_axe_checks_every_visited_page(page, live_server):
    page.goto("/")
    page.get_by_role("link", name="Impressum").click()
    page.get_by_role("link", name="Datenschutz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Datenschutzhinweise")
    page.get_by_role("link", name="Leichte Sprache").click()
    page._axe_recorder.check_now()
    assert _paths(page._axe_recorder.checked_urls, live_server) == [
        "/", "/seite/impressum", "/seite/datenschutz", "/seite/leichte-sprache"]


def test_axe_checks_pages_passed_through_in_quick_succession(page, live_server):
    # Navigations follow each other without waiting for anything: each document is still
    # checked, and the one that breaks a rule is named.
    def broken_privacy_page(route):
        response = route.fetch()
        page._axe_recorder.fulfill_document(route, response, response.text().replace(
            "</main>", '<img src="/static/img/logo.svg" id="quick-broken"></main>', 1))

    page.route(f"{live_server}/seite/datenschutz", broken_privacy_page)
    for path in ["/", "/seite/impressum", "/seite/datenschutz", "/seite/leichte-sprache", "/"]:
        page.goto(path, wait_until="commit")
    recorder = page._axe_recorder
    recorder.check_now()
    paths = _paths(recorder.checked_urls, live_server)
    assert paths == ["/", "/seite/impressum", "/seite/datenschutz", "/seite/leichte-sprache", "/"]
    assert [(url.removeprefix(live_server), v["id"]) for url, v in recorder.violations] == [
        ("/seite/datenschutz", "image-alt")]
    assert recorder.problems == []
    recorder.violations.clear()  # seen; the teardown must not fail this test



def test_axe_checks_error_pages_too(page, live_server):
    response = page.goto("/seite/gibt-es-nicht")
    assert response.status == 404
    page._axe_recorder.check_now()
    assert _paths(page._axe_recorder.checked_urls, live_server) == ["/seite/gibt-es-nicht"]
