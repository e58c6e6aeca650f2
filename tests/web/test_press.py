"""Press kit and public texts: staff write, the applicant approves, the winners page shows
the approved copy; the ZIP holds consented photos only, neutralised tables and a tagged
press release, and is staff-only until the winners are public."""
import csv
import io
import re
import zipfile
from datetime import timedelta

import pikepdf
import pytest
from openpyxl import load_workbook

from awards.adapters.storage import get_storage
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.services import decisions
from awards.timeutil import utc
from tests import factories
from tests import factories
from tests.rendered_forms import rendered_form

PUBLISH_AT = utc(2026, 5, 12, 16, 0, 0)


@pytest.fixture
def clock(app, monkeypatch):
    class Clock:
        def set(self, instant):
            monkeypatch.setitem(app.config, "CLOCK", lambda: instant)

    return Clock()


@pytest.fixture
def year(app):
    comp, winners, _ = factories.released_competition(winners=2, others=0, year=2026,
                                               publish_at=PUBLISH_AT,
                                               title="Bayerischer Integrationspreis")
    decisions.release_of(comp).released_at = PUBLISH_AT - timedelta(days=10)
    staff = factories.staff(prize_code="BIP")
    db.session.commit()
    return comp, winners, staff


def _kit_url(comp):
    return f"/geschaeftsstelle/entscheidungen/{comp.id}/pressemappe"


def _text_url(comp, application):
    return f"{_kit_url(comp)}/text/{decisions.decision_for(application).id}"


def _propose(client, comp, application, *, title, text, button="propose", **extra):
    page = client.get(_text_url(comp, application))
    assert page.status_code == 200
    form = rendered_form(page.get_data(as_text=True), form_id="public-text-form").fill(title=title, text=text, **extra)
    return client.post(_text_url(comp, application), data=form.data(button=button))


def test_public_text_proposed_approved_and_shown_instead_of_the_application(client, auth, year, clock):
    comp, winners, staff = year
    clock.set(PUBLISH_AT - timedelta(days=1))
    auth.login(staff)
    response = _propose(client, comp, winners[0], title="Sprachbrücken am Main",
                        text="Ehrenamtliche lernen mit Geflüchteten Deutsch.\nJede Woche.")
    assert response.status_code == 302
    kit = client.get(_kit_url(comp)).get_data(as_text=True)
    assert "Liegt zur Freigabe vor" in kit
    auth.logout()

    auth.login(winners[0].owner)
    dashboard = client.get("/bewerbung/").get_data(as_text=True)
    assert "bitte prüfen und freigeben" in dashboard
    url = f"/bewerbung/{winners[0].id}/oeffentlicher-text"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ehrenamtliche lernen mit Geflüchteten Deutsch." in html
    form = rendered_form(html, form_id="public-text-answer")
    assert client.post(url, data=form.data(button="approve")).status_code == 302
    assert "Sie haben den Text am" in client.get(url).get_data(as_text=True)
    auth.logout()

    # Before publication nothing is public; afterwards the approved copy replaces the summary.
    decision = decisions.decision_for(winners[0])
    project_url = f"/preistraeger/BIP/2026/{decision.id}"
    assert client.get(project_url).status_code == 404
    clock.set(PUBLISH_AT + timedelta(seconds=1))
    public = client.get(project_url).get_data(as_text=True)
    assert "Sprachbrücken am Main" in public
    assert "Ehrenamtliche lernen mit Geflüchteten Deutsch." in public
    assert winners[0].summary not in public
    actions = [a.action for a in db.session.query(AuditLog).filter(
        AuditLog.action.like("public_text.%")).order_by(AuditLog.id)]
    assert actions == ["public_text.propose", "public_text.approve"]


def test_reworked_text_keeps_the_approved_copy_public_until_approved_again(client, auth, year, clock):
    comp, winners, staff = year
    clock.set(PUBLISH_AT + timedelta(days=1))
    auth.login(staff)
    _propose(client, comp, winners[0], title="Erster Titel", text="Erster Text.")
    auth.logout()
    auth.login(winners[0].owner)
    url = f"/bewerbung/{winners[0].id}/oeffentlicher-text"
    client.post(url, data=rendered_form(client.get(url).get_data(as_text=True), form_id="public-text-answer").data(button="approve"))
    auth.logout()
    auth.login(staff)
    assert _propose(client, comp, winners[0], title="Zweiter Titel", text="Zweiter Text.",
                    button="save").status_code == 302
    assert "Entwurf (noch nicht vorgelegt)" in client.get(_kit_url(comp)).get_data(as_text=True)
    auth.logout()
    public = client.get(f"/preistraeger/BIP/2026/{decisions.decision_for(winners[0]).id}").get_data(as_text=True)
    assert "Erster Text." in public and "Zweiter Text." not in public


def test_applicant_asks_for_a_change_and_staff_see_the_comment(client, auth, year, clock):
    comp, winners, staff = year
    clock.set(PUBLISH_AT - timedelta(days=1))
    auth.login(staff)
    _propose(client, comp, winners[0], title="Titel", text="Text mit Fehler.")
    auth.logout()
    auth.login(winners[0].owner)
    url = f"/bewerbung/{winners[0].id}/oeffentlicher-text"
    form = rendered_form(client.get(url).get_data(as_text=True), form_id="public-text-answer")
    missing = client.post(url, data=form.data(button="change"))
    assert missing.status_code == 422
    assert "Bitte schreiben Sie, was geändert werden soll." in missing.get_data(as_text=True)
    form.fill(comment="Wir heißen „Café Miteinander“.")
    assert client.post(url, data=form.data(button="change")).status_code == 302
    auth.logout()
    auth.login(staff)
    kit = client.get(_kit_url(comp)).get_data(as_text=True)
    assert "Änderung gewünscht" in kit and "Wir heißen „Café Miteinander“." in kit


def test_stale_edit_of_a_public_text_is_refused_and_keeps_the_input(client, auth, year):
    comp, winners, staff = year
    auth.login(staff)
    _propose(client, comp, winners[0], title="Titel", text="Erste Fassung.", button="save")
    first = rendered_form(client.get(_text_url(comp, winners[0])).get_data(as_text=True), form_id="public-text-form")
    second = rendered_form(client.get(_text_url(comp, winners[0])).get_data(as_text=True), form_id="public-text-form")
    first.fill(text="Fassung A.")
    assert client.post(_text_url(comp, winners[0]), data=first.data(button="save")).status_code == 302
    second.fill(text="Fassung B.")
    response = client.post(_text_url(comp, winners[0]), data=second.data(button="save"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Jemand anderes hat diesen Text inzwischen geändert." in html
    assert "Fassung B." in html
    assert decisions.decision_for(winners[0]).public_text.text == "Fassung A."


def test_draft_text_is_not_shown_to_the_applicant_nor_to_others(client, auth, year):
    comp, winners, staff = year
    auth.login(staff)
    _propose(client, comp, winners[0], title="Titel", text="Entwurf.", button="save")
    auth.logout()
    url = f"/bewerbung/{winners[0].id}/oeffentlicher-text"
    auth.login(winners[0].owner)
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login(staff)
    _propose(client, comp, winners[0], title="Titel", text="Vorgelegt.")
    auth.logout()
    auth.login(winners[1].owner)
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login(factories.staff(prize_code="OBB"))
    assert client.get(_kit_url(comp)).status_code == 403
    assert client.get(_text_url(comp, winners[0])).status_code == 403
    assert client.get(_kit_url(comp) + ".zip").status_code == 403


def test_press_release_errors_are_shown_and_the_input_kept(client, auth, year):
    comp, _, staff = year
    auth.login(staff)
    form = rendered_form(client.get(_kit_url(comp)).get_data(as_text=True), form_id="press-release-form")
    form.fill(headline="", release_text="Der Text bleibt stehen.")
    response = client.post(_kit_url(comp), data=form.data())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#headline">Überschrift: Bitte geben Sie eine Überschrift an.' in html
    assert "Der Text bleibt stehen." in html
    form.fill(headline="Integrationspreis 2026 verliehen")
    assert client.post(_kit_url(comp), data=form.data()).status_code == 302


def _zip(response):
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_press_kit_zip_holds_consented_photos_with_credits_and_neutral_tables(client, auth, year, clock):
    comp, winners, staff = year
    storage = get_storage()
    factories.photo_attachment(winners[0], storage=storage)
    factories.photo_attachment(winners[1], storage=storage)
    winners[0].project_title = "=HYPERLINK(\"http://evil.example\")"
    winners[1].consent_publish_photos = False
    db.session.commit()
    clock.set(PUBLISH_AT - timedelta(days=1))
    auth.login(staff)
    _propose(client, comp, winners[0], title="=HYPERLINK(\"http://evil.example\")", text="Text.",
             button="save", photo_credit="Foto: Verein Beispiel")
    form = rendered_form(client.get(_kit_url(comp)).get_data(as_text=True), form_id="press-release-form")
    form.fill(headline="Integrationspreis 2026 verliehen", release_text="München. Heute …",
              press_contact="Pressestelle, Tel. 089 0000")
    client.post(_kit_url(comp), data=form.data())

    response = client.get(_kit_url(comp) + ".zip")
    assert "Pressemappe-BIP-2026.zip" in response.headers["Content-Disposition"]
    archive = _zip(response)
    names = sorted(archive.namelist())
    photos = [n for n in names if n.startswith("Fotos/")]
    assert len(photos) == 1 and photos[0].startswith("Fotos/01-")
    assert b"GEHEIM-GPS" not in archive.read(photos[0])
    captions = archive.read("Bildnachweise.txt").decode()
    assert f"{photos[0]}\r\nBildunterschrift: " in captions
    assert "Bildnachweis: Foto: Verein Beispiel" in captions
    assert sorted(set(names) - set(photos)) == [
        "Bildnachweise.txt", "Preistraeger-BIP-2026.csv", "Preistraeger-BIP-2026.xlsx",
        "Pressemitteilung-BIP-2026.pdf", "Pressemitteilung-BIP-2026.txt"]
    release_text = archive.read("Pressemitteilung-BIP-2026.txt").decode()
    assert release_text.startswith("Integrationspreis 2026 verliehen\r\n\r\nMünchen. Heute …")
    assert "Pressestelle, Tel. 089 0000" in release_text

    rows = list(csv.reader(io.StringIO(archive.read("Preistraeger-BIP-2026.csv").decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][:3] == ["Preis", "Jahr", "Kategorie"]
    assert len(rows) == 3
    # Only the approved text is public: the draft is not in the tables; formulas are defused.
    assert rows[1][7] == "'=HYPERLINK(\"http://evil.example\")"
    sheet = load_workbook(io.BytesIO(archive.read("Preistraeger-BIP-2026.xlsx"))).active
    assert sheet.cell(row=2, column=8).value == "'=HYPERLINK(\"http://evil.example\")"
    assert sheet.cell(row=2, column=10).value == photos[0]

    with pikepdf.open(io.BytesIO(archive.read("Pressemitteilung-BIP-2026.pdf"))) as pdf:
        assert bool(pdf.Root.MarkInfo.Marked) and str(pdf.Root.Lang) == "de"
        assert "/StructTreeRoot" in pdf.Root
        assert re.search(rb"pdfuaid:part>1<", pdf.Root.Metadata.read_bytes())


def test_press_kit_is_staff_only_until_the_winners_are_public(client, auth, year, clock):
    comp, winners, staff = year
    public_url = "/preistraeger/BIP/2026/pressemappe.zip"
    clock.set(PUBLISH_AT - timedelta(seconds=1))
    assert client.get(public_url).status_code == 404
    assert client.get(_kit_url(comp) + ".zip").status_code == 302  # to the login
    auth.login(winners[0].owner)
    assert client.get(_kit_url(comp) + ".zip").status_code == 403
    assert client.get(public_url).status_code == 404
    auth.logout()
    auth.login(staff)
    assert _zip(client.get(_kit_url(comp) + ".zip")).testzip() is None
    auth.logout()
    clock.set(PUBLISH_AT + timedelta(seconds=1))
    archive = _zip(client.get(public_url))
    assert "Preistraeger-BIP-2026.csv" in archive.namelist()
    assert 'pressemappe.zip' in client.get("/preistraeger/BIP/2026").get_data(as_text=True)


def test_first_save_is_stale_when_someone_else_created_the_text_meanwhile(client, auth, year):
    comp, winners, staff = year
    auth.login(staff)
    late = rendered_form(client.get(_text_url(comp, winners[0])).get_data(as_text=True),
                         form_id="public-text-form")
    assert late.values["version"] == ""
    _propose(client, comp, winners[0], title="Titel", text="Zuerst gespeichert.", button="save")
    late.fill(text="Später gespeichert.")
    response = client.post(_text_url(comp, winners[0]), data=late.data(button="save"))
    assert response.status_code == 422
    assert decisions.decision_for(winners[0]).public_text.text == "Zuerst gespeichert."
