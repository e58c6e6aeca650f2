"""Dates, times and numbers follow the page's language; error pages and service errors are
translated; translated messages stay plain text (escaped) wherever they are shown."""
from datetime import datetime, timezone

from flask import flash, get_flashed_messages, render_template_string
from flask_babel import force_locale, refresh

from awards.extensions import db
from awards.i18n import (_l, format_berlin_date, format_berlin_datetime, format_berlin_time,
                         format_money, format_number)
from awards.services.jury import release
from tests import factories

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
