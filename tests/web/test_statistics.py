"""The statistics pages: figures on the page equal those in the XLSX; ministry staff see
every prize, district staff only their own (also when they tamper with the filter); jury
members and applicants never; the public winners page shows counts once published."""
import io
import re
from datetime import timedelta

import pytest
from flask_babel import refresh
from openpyxl import load_workbook
from sqlalchemy import select

from awards.enums import ApplicantType, CompetitionStatus, FormalCheck, Region, SubmissionKind
from awards.extensions import db
from awards.i18n import format_figure
from awards.models.applications import Application
from awards.models.base import utcnow
from tests import factories


@pytest.fixture
def scene(app):
    bip = factories.competition(prize_code="BIP", year=2025, status=CompetitionStatus.JURY,
                                title="Bayerischer Integrationspreis")
    obb = factories.competition(prize_code="OBB", year=2025, status=CompetitionStatus.JURY,
                                title="Integrationspreis Oberbayern")
    old = factories.competition(prize_code="OBB", year=2023, status=CompetitionStatus.JURY,
                                title="Integrationspreis Oberbayern")
    for region, kind, formal, volunteers, people in (
            (Region.OBB, SubmissionKind.SELF, FormalCheck.ADMISSIBLE, 3, 120),
            (Region.OBB, SubmissionKind.NOMINATION, FormalCheck.ADMISSIBLE, 8, None),
            (Region.UFR, SubmissionKind.SELF, FormalCheck.INADMISSIBLE, 30, 300)):
        factories.submitted_application(bip, region=region, kind=kind, formal_check=formal,
                     applicant_type=ApplicantType.VEREIN, volunteers_count=volunteers,
                     people_reached=people)
    winner = factories.submitted_application(obb, formal_check=FormalCheck.ADMISSIBLE,
                          applicant_type=ApplicantType.KOMMUNE, volunteers_count=11,
                          people_reached=2500)
    factories.submitted_application(obb, formal_check=FormalCheck.ADMISSIBLE, volunteers_count=2)
    # 2023: from before the form asked for the people reached.
    for _ in range(4):
        factories.submitted_application(old, formal_check=FormalCheck.ADMISSIBLE, volunteers_count=1)
    factories.decide(winner, category=obb.categories[0])
    db.session.commit()
    return dict(bip=bip, obb=obb, old=old)


def _cells(html):
    """{row header: [cells]} of every table row of the page, tags stripped."""
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells:
            rows.setdefault(cells[0], cells[1:])
    return rows


def _shown(value):
    """A cell of the XLSX as the German page shows it (no answer as "–", Babel's German
    number format: decimal comma, thousands grouped)."""
    return format_figure(None if value == "" else value, "de")


def _sheets(body):
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook}


def test_ministry_staff_see_every_prize_with_the_same_figures_as_the_xlsx(client, auth, scene):
    auth.login(factories.staff())
    page = client.get("/geschaeftsstelle/statistik?year=2025")
    assert page.status_code == 200
    rows = _cells(page.text)
    # Wettbewerb: applications, admissible, inadmissible, open, nominations, winners, median
    # of the volunteers, sum and median of the people reached.
    assert rows["Bayerischer Integrationspreis 2025"] == [
        "3", "2", "1", "0", "1", "0", "8", "420", "210"]
    assert rows["Integrationspreis Oberbayern 2025"] == [
        "2", "2", "0", "0", "0", "1", "6,5", "2.500", "2.500"]
    assert "Integrationspreis Oberbayern 2023" not in rows  # another year
    # Trend: applications, admissible, winners, volunteers, people reached (none in 2023).
    assert rows["2023"] == ["4", "4", "0", "4", "–"]
    assert rows["2025"] == ["5", "4", "1", "54", "2.920"]
    for label, value in (("Erreichte Menschen (Summe)", "2.920"),
                         ("Erreichte Menschen je Bewerbung (Median)", "300"),
                         ("Bewerbungen mit Angabe zu erreichten Menschen", "3")):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in page.text
    assert rows["Oberbayern"] == ["4"] and rows["Unterfranken"] == ["1"]
    assert rows["Verein"] == ["4"] and rows["Kommune"] == ["1"]
    assert rows["Vorschlag durch Dritte"] == ["1"] and rows["Eigenbewerbung"] == ["4"]
    assert rows["1. Preis"] == ["1"]
    assert 'role="img"' in page.text and "<desc id=\"chart-region-desc\">Oberbayern: 4;" in page.text

    download = client.get("/geschaeftsstelle/statistik.xlsx?year=2025")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheets = _sheets(download.data)
    header = sheets["Wettbewerbe"][0]
    assert header[13:] == ["Erreichte Menschen (Summe)", "Erreichte Menschen (Median)",
                           "Bewerbungen mit Angabe zu erreichten Menschen"]
    editions = {r[2] + " " + str(r[0]): [_shown(v) for v in r[3:9] + [r[10], r[13], r[14]]]
                for r in sheets["Wettbewerbe"][1:]}
    assert editions == {k: v for k, v in rows.items() if k in editions}
    assert set(editions) == {"Bayerischer Integrationspreis 2025", "Integrationspreis Oberbayern 2025"}
    assert sheets["Entwicklung"][0][-1] == "Erreichte Menschen (Summe)"
    assert {str(r[0]): [_shown(v) for v in r[1:]] for r in sheets["Entwicklung"][1:]} == {
        "2023": rows["2023"], "2025": rows["2025"]}
    regions = {r[0]: r[1] for r in sheets["Regierungsbezirk"][1:]}
    assert regions["Oberbayern"] == 4 and regions["Unterfranken"] == 1
    overview = {r[0]: r[1] for r in sheets["Übersicht"][1:]}
    assert overview["Bewerbungen"] == 5
    assert (overview["Erreichte Menschen (Summe)"], overview["Erreichte Menschen (Median)"],
            overview["Bewerbungen mit Angabe zu erreichten Menschen"]) == (2920, 300, 3)
    assert sheets["Übersicht"][1] == ["Auswahl", "2025, alle Preise"]


def test_district_staff_see_only_their_own_prize(client, auth, scene):
    auth.login(factories.staff(prize_code="OBB"))
    page = client.get("/geschaeftsstelle/statistik")
    assert page.status_code == 200
    assert "Integrationspreis Oberbayern 2025" in page.text
    assert "Bayerischer Integrationspreis" not in page.text
    assert re.findall(r'<option[^>]*value="([A-Z]+)"', page.text) == ["OBB"]
    sheets = _sheets(client.get("/geschaeftsstelle/statistik.xlsx").data)
    assert [r[1] for r in sheets["Wettbewerbe"][1:]] == ["OBB", "OBB"]


@pytest.mark.parametrize("path", ["/geschaeftsstelle/statistik", "/geschaeftsstelle/statistik.xlsx"])
def test_district_staff_cannot_tamper_with_the_prize_filter(client, auth, scene, path):
    auth.login(factories.staff(prize_code="OBB"))
    assert client.get(path + "?prize=BIP").status_code == 403
    assert client.get(path + "?prize=BIP&year=2025").status_code == 403
    assert client.get(path + "?prize=OBB").status_code == 200


def test_an_unknown_filter_value_is_explained_next_to_the_field(client, auth, scene):
    auth.login(factories.staff())
    page = client.get("/geschaeftsstelle/statistik?year=1999&prize=XYZ")
    assert page.status_code == 400
    assert 'id="error-summary"' in page.text
    assert 'id="year-error"' in page.text and 'id="prize-error"' in page.text
    assert "Bitte wählen Sie ein Jahr aus der Liste." in page.text
    assert "Bitte wählen Sie einen Preis aus der Liste." in page.text
    assert 'aria-invalid="true"' in page.text
    assert "Bayerischer Integrationspreis 2025" not in page.text
    assert client.get("/geschaeftsstelle/statistik.xlsx?year=abc").status_code == 400


@pytest.mark.parametrize("who", ["juror", "chair", "applicant"])
def test_jury_members_and_applicants_are_refused(client, auth, scene, who):
    user = (factories.juror(scene["obb"], is_chair=(who == "chair")) if who != "applicant"
            else factories.user())
    db.session.commit()
    auth.login(user)
    assert client.get("/geschaeftsstelle/statistik").status_code == 403
    assert client.get("/geschaeftsstelle/statistik.xlsx").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, scene):
    response = client.get("/geschaeftsstelle/statistik")
    assert response.status_code == 302 and "/konto/anmelden" in response.headers["Location"]


def test_xlsx_neutralises_formulas(client, auth, app):
    comp = factories.competition(prize_code="BIP", year=2024, title="=HYPERLINK(\"x\")")
    factories.submitted_application(comp)
    db.session.commit()
    auth.login(factories.staff())
    sheets = _sheets(client.get("/geschaeftsstelle/statistik.xlsx").data)
    assert sheets["Wettbewerbe"][1][2] == "'=HYPERLINK(\"x\")"


def test_staff_start_page_links_to_the_statistics(client, auth, scene):
    auth.login(factories.staff(prize_code="OBB"))
    assert 'href="/geschaeftsstelle/statistik"' in client.get("/geschaeftsstelle/").text


# --------------------------------------------------------------------------- public summary

def _published(applications, regions=(Region.OBB, Region.SCHW)):
    comp, winners, others = factories.released_competition(winners=1, others=applications - 1,
                                                    year=2025)
    for n, application in enumerate(winners + others):
        application.region = regions[n % len(regions)]
    return comp


def test_winners_page_shows_counts_once_published(client, app):
    comp = _published(6)
    db.session.commit()
    assert client.get("/preistraeger/BIP/2025").status_code == 404  # not published yet
    factories.publish(comp, at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    page = client.get("/preistraeger/BIP/2025").text
    assert "2025: 6 Bewerbungen aus 2 Regierungsbezirken" in page


def test_winners_page_withholds_small_counts(client, app):
    comp = _published(3, regions=(Region.OBB,))
    factories.publish(comp, at=utcnow() - timedelta(minutes=1))
    db.session.commit()
    page = client.get("/preistraeger/BIP/2025").text
    assert page.count("Preisträgerinnen und Preisträger 2025") >= 1
    assert "Bewerbungen aus" not in page and "3 Bewerbungen" not in page


def test_statistics_page_in_english(client, auth, scene):
    auth.login(factories.staff())
    client.get("/sprache/en")
    refresh()  # Flask-Babel caches the locale on the test's app context
    html = client.get("/geschaeftsstelle/statistik?year=2025").text
    assert '<h1 class="kern-heading-large">Statistics</h1>' in html
    assert "Overview: 2025, all prizes" in html
    assert "Applications by district or independent city" in html
    assert "Applications: solid line with dots" in html
    assert "<dt>People reached (total)</dt><dd>2,920</dd>" in html
    html = client.get("/geschaeftsstelle/statistik?year=1").text
    assert "Please choose a year from the list." in html


def test_english_statistics_name_categories_in_english_where_staff_gave_it(client, auth, scene):
    """Winners by prize category count the categories of several competitions together by
    their German label: the row is English where every counted category has the same
    English label, else German marked lang="de"; district rows are named in English."""
    bip, obb = scene["bip"], scene["obb"]
    for category in obb.categories:
        category.label_en = {"1. Preis": "1st prize"}.get(category.label, "")
    bip.categories[0].label_en = "1st prize"
    bip_winner, other = db.session.scalars(select(Application).where(
        Application.competition_id == bip.id,
        Application.formal_check == FormalCheck.ADMISSIBLE)).all()
    factories.decide(bip_winner, category=bip.categories[0])
    factories.decide(other, category=bip.categories[1])
    obb_second = db.session.scalars(select(Application).where(
        Application.competition_id == obb.id, Application.volunteers_count == 2)).one()
    factories.decide(obb_second, category=obb.categories[1])
    db.session.commit()
    german_second = bip.categories[1].label
    auth.login(factories.staff())
    client.get("/sprache/en")
    refresh()
    html = client.get("/geschaeftsstelle/statistik?year=2025").text
    rows = _cells(html)
    assert rows["1st prize"][0] == "2"
    assert f'<th class="kern-table__cell" scope="row"><span lang="de">{german_second}</span></th>' in html
    assert "(independent city)" in html or "(district)" in html
    # Competitions without an English title: German, marked; with one: English.
    assert '<span lang="de">Integrationspreis Oberbayern</span> 2025' in html
    assert '<span lang="de">Bayerischer Integrationspreis</span> 2025' in html
    assert "kreisfreie Stadt" not in html and "Landkreis " not in html
    assert rows[german_second][0] == "2"
    # Two different English labels for the categories counted together: still German.
    bip.categories[1].label_en = "2nd prize"
    obb.categories[1].label_en = "Second prize"
    db.session.commit()
    html = client.get("/geschaeftsstelle/statistik?year=2025").text
    assert f'<span lang="de">{german_second}</span>' in html
    obb.categories[1].label_en = "2nd prize"
    bip.title_en = "Bavarian Integration Prize"
    db.session.commit()
    html = client.get("/geschaeftsstelle/statistik?year=2025").text
    assert _cells(html)["2nd prize"][0] == "2" and german_second not in html
    assert "Bavarian Integration Prize 2025" in _cells(html)
    client.get("/sprache/de")
    refresh()
    html = client.get("/geschaeftsstelle/statistik?year=2025").text
    assert _cells(html)["1. Preis"][0] == "2" and 'lang="de"' not in html.split("<main", 1)[1]
