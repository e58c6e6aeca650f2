"""Dates, times and numbers follow the page's language; error pages and service errors are
translated; translated messages stay plain text (escaped) wherever they are shown."""
import re
from datetime import date, datetime, timezone

import pytest
from flask import flash, get_flashed_messages, render_template_string
from flask_babel import force_locale, refresh

from awards import fields
from awards.enums import CompetitionStatus, FormalCheck
from awards.extensions import db
from awards.i18n import (_l, format_berlin_date, format_berlin_datetime, format_berlin_month,
                         format_berlin_time, format_figure, format_money, format_money_input,
                         format_number, parse_money_input)
from awards.services import messaging
from awards.services.jury import release
from tests import factories
from tests.rendered_forms import rendered_form

WINTER = datetime(2026, 2, 5, 22, 59, tzinfo=timezone.utc)   # 23:59 in Berlin (CET)
SUMMER = datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)    # 12:00 in Berlin (CEST)


def _formats():
    return (format_berlin_datetime(WINTER), format_berlin_datetime(SUMMER),
            format_berlin_date(WINTER), format_berlin_time(WINTER),
            format_money(400000), format_money(50050), format_money(-1200000),
            format_number(90, 2), format_number(12345))


def test_german_formats_keep_the_house_style(app):
    with app.test_request_context(), force_locale("de"):
        assert _formats() == ("05.02.2026, 23:59 Uhr", "01.07.2026, 12:00 Uhr", "05.02.2026",
                              "23:59", "4.000 €", "500,50 €", "-12.000 €", "90,00", "12.345")


def test_english_formats_are_english(app):
    with app.test_request_context(), force_locale("en"):
        assert _formats() == ("5 February 2026, 11:59 PM", "1 July 2026, 12:00 PM",
                              "5 February 2026", "11:59 PM", "€4,000", "€500.50", "-€12,000",
                              "90.00", "12,345")


def test_formats_outside_a_request_are_german(app):
    assert format_berlin_datetime(WINTER, "at") == "05.02.2026 um 23:59 Uhr"
    assert format_money(123456) == "1.234,56 €"


def test_messages_follow_the_language_while_a_request_keeps_its_catalogue(app):
    """The catalogue found once per request (i18n.RequestDomain, read in one step by
    i18n.translations) still follows force_locale and refresh: in templates, in plain
    messages (ours and flask_babel's) and in lazy ones (ours, the markup-safe kind for
    forms, and flask_babel's)."""
    from flask import session
    from flask_babel import gettext as babel_gettext
    from flask_babel import lazy_gettext as babel_lazy_gettext

    from awards.i18n import gettext, lazy_gettext, ngettext

    lazy, lazy_markup, babel_lazy = _l("Anmerkung"), lazy_gettext("Anmerkung"), babel_lazy_gettext("Anmerkung")
    template = "{{ _('Anmerkung') }}"

    def shown():
        return (gettext("Anmerkung"), babel_gettext("Anmerkung"), str(lazy), str(lazy_markup),
                str(babel_lazy), render_template_string(template))

    with app.test_request_context():
        assert shown() == ("Anmerkung",) * 6
        with force_locale("en"):
            assert shown() == ("Remark",) * 6
        assert shown() == ("Anmerkung",) * 6
        session["lang"] = "en"
        assert gettext("Anmerkung") == "Anmerkung"  # the request's language is settled
        refresh()
        assert shown() == ("Remark",) * 6
        assert ngettext("%(num)s Bewerbung", "%(num)s Bewerbungen", 3) == "3 applications"
        assert gettext("%(name)s", name="x") == "x"
    # A new request (with its own app context, as every request outside the tests' shared
    # one) starts from its own language.
    with app.app_context(), app.test_request_context():
        assert gettext("Anmerkung") == "Anmerkung"


def test_messages_outside_an_app_context_are_the_german_source():
    from awards.i18n import gettext, lazy_gettext

    assert gettext("Anmerkung") == "Anmerkung"
    assert str(lazy_gettext("Anmerkung %(n)s", n=1)) == "Anmerkung 1"


def test_public_competition_page_shows_the_deadline_in_the_page_language(client):
    factories.competition(prize_code="OBB", year=2031, deadline_at=WINTER.replace(year=2031),
                          budget_cents=600000)
    db.session.commit()
    german = client.get("/ausschreibungen/OBB/2031").get_data(as_text=True)
    client.get("/sprache/en")
    refresh()
    english = client.get("/ausschreibungen/OBB/2031").get_data(as_text=True)
    assert "05.02.2031, 23:59 Uhr" in german and "6.000 €" in german
    assert "5 February 2031, 11:59 PM" in english and "€6,000" in english
    assert "Uhr" not in english


def test_error_pages_are_translated(client):
    german = client.get("/gibt-es-nicht")
    client.get("/sprache/en")
    refresh()
    english = client.get("/gibt-es-nicht")
    assert (german.status_code, english.status_code) == (404, 404)
    assert "Seite nicht gefunden" in german.get_data(as_text=True)
    assert "Page not found" in english.get_data(as_text=True)
    assert "Seite nicht gefunden" not in english.get_data(as_text=True)


def test_csrf_error_page_is_translated(app, client):
    client.get("/sprache/en")
    refresh()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/konto/anmelden", data={"email": "a@example.org"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The form has expired. Please reload the page and send it again." in html


def test_json_error_is_translated_and_plain_text(client):
    client.get("/sprache/en")
    refresh()
    response = client.get("/gibt-es-nicht", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["title"] == "Page not found"


def test_api_errors_stay_german_for_an_english_session(client):
    client.get("/sprache/en")
    refresh()
    response = client.get("/api/v1/gibt-es-nicht")
    assert response.status_code == 404
    assert response.get_json()["title"] == "Seite nicht gefunden"


def test_service_error_reads_in_the_language_it_is_shown_in(app):
    competition = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB")
    db.session.flush()
    with app.test_request_context():
        try:
            release.save_template(actor=staff, competition=competition, kind="congratulation",
                                  subject="", body="Text")
        except release.TemplateError as exc:
            error = exc
        with force_locale("de"):
            assert str(error.message) == "Bitte geben Sie einen Betreff an."
        with force_locale("en"):
            assert str(error.message) == "Please enter a subject."


def test_translated_message_is_escaped_in_a_template(app):
    message = _l("Die Datei „%(name)s“ lässt sich nicht lesen und kann der Jury nicht gezeigt "
                 "werden.", name="<b>x</b>.pdf")
    with app.test_request_context():
        html = render_template_string("<p>{{ m }}</p>", m=message)
    assert "&lt;b&gt;x&lt;/b&gt;.pdf" in html
    assert "<b>" not in html


def test_flashed_translated_message_comes_back_as_plain_text(app):
    serializer = app.session_interface.serializer
    with app.test_request_context():
        flash(_l("„%(category)s“ wird öfter vergeben als vorgesehen (%(count)d).",
                 category="<script>", count=2), "error")
        stored = serializer.loads(serializer.dumps({"_flashes": get_flashed_messages(
            with_categories=True)}))
    category, text = stored["_flashes"][0]
    assert type(text) is str
    assert text == "„<script>“ wird öfter vergeben als vorgesehen (2)."


def test_figures_and_months_follow_the_language(app):
    with app.test_request_context():
        with force_locale("de"):
            assert [format_figure(v) for v in (None, 12.5, 12345, 7.0)] == ["–", "12,5", "12.345", "7"]
            assert format_berlin_month(date(2021, 3, 1)) == "03/2021"
        with force_locale("en"):
            assert [format_figure(v) for v in (None, 12.5, 12345, 7.0)] == ["–", "12.5", "12,345", "7"]
            assert format_berlin_month(date(2021, 3, 1)) == "March 2021"


def test_money_fields_show_and_read_the_page_language(app):
    amounts = (400000, 50050, 123456789)
    with app.test_request_context():
        for lang, shown in (("de", ["4.000", "500,50", "1.234.567,89"]),
                            ("en", ["4,000", "500.50", "1,234,567.89"])):
            with force_locale(lang):
                assert [format_money_input(c) for c in amounts] == shown
                assert [parse_money_input(s) for s in shown] == list(amounts)
        with force_locale("en"):
            assert [parse_money_input(s) for s in ("4000", "€ 4,000", "500.5")] == [400000, 400000, 50050]
            # German notation on an English page would be misread: refused instead.
            for wrong in ("4.000", "500,50", "1,23", "4,0000", "1.2.3", "", "€", "4."):
                with pytest.raises(ValueError):
                    parse_money_input(wrong)
        with force_locale("de"):
            assert [parse_money_input(s) for s in ("4000 €", "4.000,5", "12")] == [400000, 400050, 1200]
            for wrong in ("4,000.00", "500.50", "12,345", "abc"):
                with pytest.raises(ValueError):
                    parse_money_input(wrong)


@pytest.mark.parametrize("lang, shown, typed, wrong, hint", [
    ("de", "3.000", "2.500,50", "2,500.50", "z. B. 4.000 oder 500,50"),
    ("en", "3,000", "2,500.50", "2.500,50", "e.g. 4,000 or 500.50"),
])
def test_prize_amount_form_reads_the_page_language(client, auth, lang, shown, typed, wrong, hint):
    comp = factories.competition(prize_code="OBB", year=2031, categories=[("1. Preis", 1, 300000, 1)])
    staff = factories.staff(prize_code="OBB")
    db.session.commit()
    auth.login(staff)
    client.get(f"/sprache/{lang}")
    refresh()  # the test's app context outlives the request that chose the language
    url = f"/geschaeftsstelle/wettbewerbe/{comp.id}/preise/{comp.categories[0].id}"
    form = rendered_form(client.get(url).get_data(as_text=True), action="")
    assert form.values["amount"] == shown
    refused = client.post(url, data=form.fill(amount=wrong).data())
    html = refused.get_data(as_text=True)
    assert refused.status_code in (200, 422) and hint in html
    assert rendered_form(html, action="").values["amount"] == wrong  # what was typed stays
    db.session.expire_all()
    assert comp.categories[0].amount_cents == 300000
    assert client.post(url, data=form.fill(amount=typed).data()).status_code == 302
    db.session.expire_all()
    assert comp.categories[0].amount_cents == 250050


def test_the_jury_sees_start_month_and_counts_in_its_language(app):
    application = factories.submitted_application(
        factories.competition(), project_start=date(2021, 3, 1), people_reached=12500)
    db.session.flush()
    start, reached = fields.get("project_start"), fields.get("people_reached")
    with app.test_request_context():
        with force_locale("de"):
            assert (start.jury_value(application), reached.jury_value(application)) == (
                "03/2021", "12.500")
        with force_locale("en"):
            assert (start.jury_value(application), reached.jury_value(application)) == (
                "March 2021", "12,500")


def test_mass_mails_write_times_in_german_in_berlin_time(app):
    with app.test_request_context(), force_locale("en"):
        assert messaging._berlin(WINTER) == "05.02.2026, 23:59 Uhr"
        assert messaging._berlin(SUMMER) == "01.07.2026, 12:00 Uhr"
        assert messaging._berlin(None) == ""


@pytest.fixture
def statistics_year(app):
    """One year with volunteers 3 and 10 (median 6.5) and people reached 1,200 and 1,500
    (sum 2,700, median 1,350)."""
    competition = factories.competition(prize_code="BIP", year=2029, status=CompetitionStatus.JURY,
                                        title="Bayerischer Integrationspreis")
    for volunteers, people in ((3, 1200), (10, 1500)):
        factories.submitted_application(competition, formal_check=FormalCheck.ADMISSIBLE,
                                        volunteers_count=volunteers, people_reached=people)
    db.session.commit()
    return competition


def _figure(html, label):
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", html)
    assert found, label
    return found.group(1)


@pytest.mark.parametrize("language, median, people_sum, people_median, staff_median", [
    ("de", "6,5", "2.700", "1.350", "–"),
    ("en", "6.5", "2,700", "1,350", "–"),
])
def test_statistics_write_medians_and_sums_in_the_page_language(
        client, auth, statistics_year, language, median, people_sum, people_median,
        staff_median):
    auth.login(factories.staff())
    client.get(f"/sprache/{language}")
    refresh()
    html = client.get("/geschaeftsstelle/statistik?year=2029").get_data(as_text=True)
    with force_locale(language):
        label = {key: str(_l(key)) for key in (
            "Ehrenamtliche je Bewerbung (Median)", "Erreichte Menschen (Summe)",
            "Erreichte Menschen je Bewerbung (Median)", "Hauptamtliche je Bewerbung (Median)")}
    assert _figure(html, label["Ehrenamtliche je Bewerbung (Median)"]) == median
    assert _figure(html, label["Erreichte Menschen (Summe)"]) == people_sum
    assert _figure(html, label["Erreichte Menschen je Bewerbung (Median)"]) == people_median
    assert _figure(html, label["Hauptamtliche je Bewerbung (Median)"]) == staff_median
    # The table per competition and the chart's text alternative say the same.
    assert f">{people_sum}</td>" in html and f">{median}</td>" in html
