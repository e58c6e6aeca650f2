"""Content in two languages: staff enter optional English versions of the call texts, prize
labels and criteria in the existing forms; English pages show them, and the German text
marked lang="de" where there is none. German pages and exports stay German."""
import re
from datetime import timedelta

import pytest
from flask_babel import refresh
from sqlalchemy import select

from awards.enums import CompetitionStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.competitions import Criterion, PrizeCategory
from tests import factories
from tests.rendered_forms import rendered_form


def _english(client):
    client.get("/sprache/en")
    # The test's app context outlives requests, and Flask-Babel caches the locale on it.
    refresh()


def _german(client):
    client.get("/sprache/de")
    refresh()


def _element_with(html, text):
    """The opening tag of the innermost element whose own text starts with `text`."""
    match = re.search(r"<(\w+)([^>]*)>[„\s]*" + re.escape(text), html)
    assert match is not None, f"{text!r} is not on the page"
    return match.group(0)


@pytest.fixture
def staff_obb(auth):
    user = factories.staff(prize_code="OBB", email="obb-en@example.org")
    db.session.commit()
    auth.login(user)
    return user


def test_staff_enter_english_call_texts_in_the_edit_form(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT,
                                 motto="Integration vor Ort", description="Worum es geht.")
    db.session.commit()
    url = f"/geschaeftsstelle/wettbewerbe/{comp.id}/bearbeiten"
    form = rendered_form(client.get(url).text, action="")
    form.fill(title_en="Integration Prize of Upper Bavaria", motto_en="Integration on the ground",
              description_en="What it is about.")
    assert client.post(url, data=form.data()).status_code == 302
    db.session.refresh(comp)
    assert (comp.title_en, comp.motto_en, comp.description_en, comp.eligibility_en) == (
        "Integration Prize of Upper Bavaria", "Integration on the ground", "What it is about.", "")
    # The edit form shows what was saved; the English fields are marked as English input.
    html = client.get(url).text
    tag = re.search(r'<input[^>]*name="motto_en"[^>]*>', html).group(0)
    assert 'lang="en"' in tag and 'value="Integration on the ground"' in tag
    # Their German twins hold German, on an English page too.
    _english(client)
    html = client.get(url).text
    for name in ("title", "motto"):
        assert 'lang="de"' in re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    for name in ("description", "eligibility", "preparation", "contact"):
        assert 'lang="de"' in re.search(rf'<textarea[^>]*name="{name}"[^>]*>', html).group(0)
    assert 'lang="de"' not in re.search(r'<input[^>]*name="ceremony_place"[^>]*>', html).group(0)


def test_english_call_page_shows_english_and_marks_german_fallbacks(client):
    comp = factories.competition(prize_code="OBB", year=2031, title="Integrationspreis Oberbayern",
                                 motto="Integration vor Ort", motto_en="Integration on the ground",
                                 description="Worum es geht.", description_en="What it is about.",
                                 eligibility="Vereine und Initiativen.",
                                 ceremony_place="Maximilianeum, München",
                                 ceremony_at=utcnow() + timedelta(days=90),
                                 categories=[("1. Preis", 1, 300000, 1), ("Sonderpreis", 2, 50000, 1)])
    comp.categories[0].label_en = "1st Prize"
    db.session.commit()
    url = f"/ausschreibungen/OBB/{comp.year}"
    _english(client)
    html = client.get(url).text
    assert '<html lang="en">' in html
    assert "Integration on the ground" in html and "Integration vor Ort" not in html
    assert "What it is about." in html and "Worum es geht." not in html
    assert 'lang="de"' not in _element_with(html, "What it is about.")
    # No English version: the German text, marked as German on the element that holds it.
    assert _element_with(html, "Vereine und Initiativen.") == \
        '<p class="kern-body kern-preline" lang="de">Vereine und Initiativen.'
    assert '<span lang="de">Integrationspreis Oberbayern</span>' in html
    assert "1st Prize" in html and '<span lang="de">Sonderpreis</span>' in html
    # The place of the ceremony has no English version: German, marked.
    assert '<span lang="de">Maximilianeum, München</span>' in html
    # The German page is German, without marks.
    _german(client)
    html = client.get(url).text
    assert "Integration vor Ort" in html and "Integration on the ground" not in html
    assert 'lang="de">' not in html.split("<body", 1)[1]


def test_category_and_criterion_forms_take_english_versions(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT)
    db.session.commit()
    base = f"/geschaeftsstelle/wettbewerbe/{comp.id}"
    form = rendered_form(client.get(f"{base}/preise/neu").text, action="")
    form.fill(label="Sonderpreis", label_en="Special Prize", rank="4", amount="500", count="1")
    assert client.post(f"{base}/preise/neu", data=form.data()).status_code == 302
    added = db.session.scalars(select(PrizeCategory).where(PrizeCategory.label == "Sonderpreis")).one()
    assert added.label_en == "Special Prize"

    form = rendered_form(client.get(f"{base}/kriterien/neu").text, action="")
    form.fill(name="Wirksamkeit", name_en="Impact", description_en="Does it work?",
              weight="1", scale_min="0", scale_max="5",
              anchors="0: gar nicht\n5: voll und ganz", anchors_en="5: fully\n9: beyond")
    response = client.post(f"{base}/kriterien/neu", data=form.data())
    assert response.status_code == 200
    assert "Ankertexte müssen zu Punktwerten innerhalb der Skala gehören." in response.text
    assert "9: beyond" in response.text  # what was typed is kept
    form = rendered_form(response.text, action="")
    form.fill(anchors_en="5: fully")
    assert client.post(f"{base}/kriterien/neu", data=form.data()).status_code == 302
    crit = db.session.scalars(select(Criterion).where(Criterion.name == "Wirksamkeit")).one()
    assert (crit.name_en, crit.description_en, crit.anchors_en) == (
        "Impact", "Does it work?", {"5": "fully"})


def test_english_scoresheet_shows_english_criteria_and_german_anchors_marked(client, auth):
    comp = factories.competition(prize_code="OBB")
    criterion = comp.criteria[0]
    criterion.name_en, criterion.anchors_en = "Reach", {"10": "fully applies"}
    juror = factories.juror(comp)
    round_ = factories.open_round(competition=comp, jurors=[juror])
    entry = round_.entries[0]
    db.session.commit()
    auth.login(juror)
    _english(client)
    html = client.get(f"/jury/runden/{round_.id}/{entry.code}").text
    assert "Reach" in html and "Strahlkraft" not in html
    assert "<dd>fully applies</dd>" in html
    # The anchor of 0 and the second criterion have no English version.
    assert '<dd lang="de">gar nicht</dd>' in html
    assert '<span lang="de">Nachhaltigkeit</span>' in html


def test_english_winners_pages_show_the_english_prize_label(client):
    comp, winners, _others = factories.released_competition(winners=1, others=0, prize_code="OBB")
    comp.categories[0].label_en = "1st Prize"
    comp.motto_en = ""
    db.session.commit()
    factories.publish(comp)
    db.session.commit()
    _english(client)
    html = client.get(f"/preistraeger/OBB/{comp.year}").text
    assert "1st Prize" in html
    assert f'lang="de">{comp.motto}' in html  # no English motto: German, marked


def test_english_staff_pages_mark_the_prize_texts_that_have_no_translation(client, staff_obb):
    comp = factories.competition(prize_code="OBB", year=2031, status=CompetitionStatus.DRAFT,
                                 title="Integrationspreis der Regierung von Oberbayern",
                                 categories=[("1. Preis", 1, 300000, 1), ("Sonderpreis", 2, 100000, 1)])
    special = comp.categories[1]
    special.label_en = "Special Prize"
    criterion = comp.criteria[0]
    criterion.name, criterion.name_en = "Wirksamkeit", ""
    criterion.anchors, criterion.anchors_en = {"0": "gar nicht", "5": "voll und ganz"}, {"5": "fully"}
    db.session.commit()
    pages = [f"/geschaeftsstelle/wettbewerbe/{comp.id}", f"/geschaeftsstelle/wettbewerbe/{comp.id}/nachricht",
             f"/geschaeftsstelle/wettbewerbe/{comp.id}/bearbeiten"]
    _english(client)
    for url in pages:
        html = client.get(url).text
        assert '<html lang="en"' in html, url
        # The German title, shown for want of an English one, is marked as German.
        assert '<span lang="de">Integrationspreis der Regierung von Oberbayern</span>' in html, url
    html = client.get(pages[0]).text
    assert '<span lang="de">1. Preis</span>' in html
    assert "Special Prize" in html and "Sonderpreis" not in html
    assert '<span lang="de">Wirksamkeit</span>' in html
    assert '<span lang="de">gar nicht</span>' in html and "5 = fully" in html
    # The new round's form names each criterion in a label: marked the same way.
    html = client.get(f"/geschaeftsstelle/jury/wettbewerb/{comp.id}/runden/neu").text
    assert '<span lang="de">Wirksamkeit</span></label>' in html
    _german(client)
    html = client.get(pages[0]).text
    assert 'lang="de">' not in html.split("<body", 1)[1]
    assert "Sonderpreis" in html and "Special Prize" not in html


def test_english_choices_name_competitions_in_english_or_mark_the_german_option(client, auth):
    english = factories.competition(prize_code="BIP", year=2031, title="Bayerischer Integrationspreis")
    english.title_en = "Bavarian Integration Prize"
    factories.competition(prize_code="OBB", year=2031, title="Integrationspreis der Regierung von Oberbayern")
    admin = factories.admin()
    db.session.commit()
    auth.login(admin)
    _english(client)
    html = client.get("/verwaltung/benutzer/einladen").text
    assert re.search(r'<option value="\d+">Bavarian Integration Prize 2031</option>', html)
    assert re.search(r'<option lang="de" value="\d+">Integrationspreis der Regierung von Oberbayern 2031</option>', html)
    _german(client)
    html = client.get("/verwaltung/benutzer/einladen").text
    assert 'lang="de" value=' not in html and "Bayerischer Integrationspreis 2031</option>" in html
