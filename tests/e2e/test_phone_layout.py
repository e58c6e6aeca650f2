"""Phones: the main pages of every role at 390 × 844 px without horizontal scrolling of the
page (wide tables scroll inside their own container), axe clean (the `page` fixture checks
every document), and the laureate's certificate button readable."""
import json
import re

import pytest
from sqlalchemy import select

from awards import demo
from awards.demo.base import demo_email
from awards.enums import ApplicationStatus, CompetitionStatus
from awards.extensions import db
from awards.models.applications import Application
from awards.models.competitions import Competition
from awards.models.decisions import Decision
from awards.models.document_requests import DocumentRequest
from awards.models.jury import Assignment, Round
from awards.models.nominations import Nomination
from awards.models.users import User

PHONE = {"width": 390, "height": 844}

# Elements wider than the screen that are not inside a scrolling container of their own.
OVERFLOW_SCRIPT = """
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX;
      if (s === 'auto' || s === 'scroll' || s === 'hidden') return true;
    }
    return false;
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1 && !scrolls(el)) {
      culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                    ' right=' + Math.round(r.right));
    }
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, width: width,
          culprits: culprits.slice(0, 8)};
}
"""


def _login(page, account):
    page.goto("/konto/anmelden")
    page.fill("#email", demo_email(account))
    page.fill("#password", demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_load_state("domcontentloaded")


def _logout(page):
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_load_state("domcontentloaded")


def _measure(page, path, results):
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    # Positive control: a real page of the app, not an error or a login redirect.
    assert page.locator("h1").count() >= 1, path
    assert page.url.endswith(path), (path, page.url)
    found = page.evaluate(OVERFLOW_SCRIPT)
    results[path] = found
    return found


def _paths(e2e_app):
    with e2e_app.app_context():
        year = db.session.scalars(select(Competition.year).order_by(Competition.year.desc())).first()
        bip = db.session.scalars(select(Competition).where(
            Competition.prize_code == "BIP", Competition.year == year)).one()
        archived = db.session.scalars(select(Competition).where(
            Competition.prize_code == "BIP", Competition.status == CompetitionStatus.ARCHIVED)).first()
        decision = db.session.scalars(select(Decision).where(
            Decision.competition_id == archived.id).order_by(Decision.id)).first()
        draft = db.session.scalars(select(Application).join(User, User.id == Application.owner_id)
                                   .where(User.email == demo_email("bewerbung"),
                                          Application.status == ApplicationStatus.DRAFT)).first()
        submitted = db.session.scalars(select(Application).where(
            Application.competition_id == bip.id,
            Application.status == ApplicationStatus.SUBMITTED).order_by(Application.id)).first()
        request = db.session.scalars(select(DocumentRequest)).first()
        round_ = db.session.scalars(select(Round).order_by(Round.id)).first()
        juror = db.session.scalars(select(User).where(User.email == demo_email("jury"))).one()
        entry_code = db.session.scalars(select(Assignment).where(
            Assignment.juror_id == juror.id, Assignment.round_id == round_.id)
            .order_by(Assignment.id)).first().entry.code
        return {
            "public": ["/", "/ausschreibungen", f"/ausschreibungen/BIP/{year}", "/preistraeger",
                       f"/preistraeger/BIP/{archived.year}",
                       f"/preistraeger/BIP/{archived.year}/{decision.id}", "/konto/anmelden",
                       "/urkunde/pruefen", "/hilfe/bewerbende"],
            "bewerbung": ["/bewerbung/"] + [f"/bewerbung/{draft.id}/schritt/{n}" for n in range(1, 6)]
                         + [f"/bewerbung/start/{bip.id}"],
            "request_owner": (request.application.owner.email.split("@")[0],
                              [f"/bewerbung/{request.application_id}"]),
            "jury": ["/jury/", f"/jury/runden/{round_.id}", f"/jury/runden/{round_.id}/{entry_code}"],
            "ministerium": ["/geschaeftsstelle/", f"/geschaeftsstelle/wettbewerbe/{bip.id}",
                            f"/geschaeftsstelle/eingang/{bip.id}",
                            f"/geschaeftsstelle/bewerbungen/{submitted.id}",
                            f"/geschaeftsstelle/jury/runden/{round_.id}/rangliste",
                            f"/geschaeftsstelle/entscheidungen/{archived.id}"],
        }


@pytest.mark.e2e
def test_main_pages_of_every_role_fit_a_390_px_phone(e2e_app, page, mail_links):
    with e2e_app.app_context():
        demo.load()
        db.session.commit()
    paths = _paths(e2e_app)
    page.set_viewport_size(PHONE)
    results = {}
    for path in paths["public"]:
        _measure(page, path, results)
    # The nominee's page, from the link in the mail the demo nomination sent.
    nominee = [link for link in mail_links(to="grundschule-mainufer@demo.integrationspreis.example")
               if "/bewerbung/vorschlag?token=" in link]
    assert len(nominee) == 1
    _measure(page, re.sub(r"^https?://[^/]+", "", nominee[0]), results)
    for account in ("bewerbung", "jury", "ministerium"):
        _login(page, account)
        for path in paths[account]:
            _measure(page, path, results)
        _logout(page)
    account, request_paths = paths["request_owner"]
    _login(page, account)
    for path in request_paths:
        found = _measure(page, path, results)
        assert page.locator("#answer-form").count() == 1
    _logout(page)

    assert len(results) == 9 + 1 + 7 + 3 + 6 + 1
    too_wide = {path: found for path, found in results.items() if found["scrollWidth"] > 390}
    assert too_wide == {}, json.dumps(too_wide, indent=1)


@pytest.mark.e2e
def test_certificate_button_is_readable_on_a_phone(e2e_app, page):
    with e2e_app.app_context():
        demo.load()
        db.session.commit()
    page.set_viewport_size(PHONE)
    _login(page, "bewerbung")
    page.goto("/bewerbung/")
    button = page.locator(".dashboard-certificates a.kern-btn").first
    assert button.is_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    label = button.locator(".kern-label").first
    label_box = label.bounding_box()
    # The label wraps inside the button instead of running out of it.
    assert label_box["x"] >= box["x"] - 1
    assert label_box["x"] + label_box["width"] <= box["x"] + box["width"] + 1
    assert label_box["y"] >= box["y"] - 1
    assert label_box["y"] + label_box["height"] <= box["y"] + box["height"] + 1
    contrast = page.evaluate("""(el) => {
      // Any CSS colour (KERN uses oklch) to sRGB through a 1×1 canvas.
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 1;
      const ctx = canvas.getContext('2d', {willReadFrequently: true});
      const rgba = c => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = c; ctx.fillRect(0, 0, 1, 1);
                          return Array.from(ctx.getImageData(0, 0, 1, 1).data); };
      const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
                         return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
      let bg = [255, 255, 255, 255];
      for (let p = el; p; p = p.parentElement) {
        const c = rgba(getComputedStyle(p).backgroundColor);
        if (c[3] === 255) { bg = c; break; }
      }
      const a = lum(rgba(getComputedStyle(el).color)), b = lum(bg);
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""", label.element_handle())
    assert contrast >= 4.5


@pytest.mark.e2e
def test_nominee_and_request_answers_work_in_the_browser_on_a_phone(e2e_app, page, mail_links):
    """With CSRF on: the nominee confirms on the linked page, the applicant answers the
    Nachforderung; both forms as the browser shows them at 390 px."""
    with e2e_app.app_context():
        demo.load()
        db.session.commit()
        request_id = db.session.scalars(select(DocumentRequest.id)).first()
    page.set_viewport_size(PHONE)
    [link] = [link for link in mail_links(to="grundschule-mainufer@demo.integrationspreis.example")
              if "/bewerbung/vorschlag?token=" in link]
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    page.get_by_label("Ja, ich bin einverstanden", exact=False).check()
    page.get_by_label("Im Fall einer Auszeichnung darf der Name", exact=False).check()
    page.get_by_role("button", name="Antwort senden").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "Vielen Dank für Ihre Antwort"

    _login(page, "antrag-lotsen")
    page.goto("/bewerbung/")
    page.get_by_role("link", name="Nachforderung beantworten", exact=False).first.click()
    page.wait_for_load_state("domcontentloaded")
    page.fill("#answer_text", "Die Übersicht der Finanzierung 2025 liegt bei.")
    page.get_by_role("button", name="Antwort absenden").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Ihre Antwort ist bei der Geschäftsstelle eingegangen." in page.content()
    with e2e_app.app_context():
        row = db.session.get(DocumentRequest, request_id)
        nomination = db.session.scalars(select(Nomination)).one()
        assert (row.answer_text, row.answered_at is not None) == (
            "Die Übersicht der Finanzierung 2025 liegt bei.", True)
        assert (nomination.status.value, nomination.consent_publish_name,
                nomination.application.consent_publish_name) == ("confirmed", True, True)
