"""The language switch renders the foundation pages in English."""
from flask_babel import refresh

from awards.extensions import db
from tests import factories


def test_language_switch_renders_english(client):
    response = client.get("/sprache/en?next=/konto/anmelden")
    assert response.status_code == 302
    html = client.get("/konto/anmelden").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Without password: access link by e-mail" in html
    assert "Forgot your password?" in html
    assert "Skip to content" in html
    assert "Anmelden" not in html


def test_german_is_the_default(client):
    html = client.get("/konto/anmelden").get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Ohne Passwort: Zugangslink per E-Mail" in html


def test_staff_competition_page_in_english(client, auth):
    user = factories.staff(prize_code="OBB")
    comp = factories.competition(prize_code="OBB", year=2031)
    db.session.commit()
    auth.login(user)
    client.get("/sprache/en")
    # The test's app context outlives requests, and Flask-Babel caches the locale on it.
    refresh()
    html = client.get(f"/geschaeftsstelle/wettbewerbe/{comp.id}").get_data(as_text=True)
    assert "Assessment criteria" in html
    assert "Copy from last year: create the 2032 competition" in html


def test_wtforms_messages_come_from_one_parsed_catalogue_per_language(app, client, monkeypatch):
    """WTForms' own messages are translated into the page's language, and its catalogue is
    read from disk once per language and process, not once per request."""
    from babel import support
    from flask import session
    from flask_wtf.i18n import translations

    from awards import i18n

    i18n._wtforms_catalogue.cache_clear()
    loads = []
    real_load = support.Translations.load

    def counting_load(*args, **kwargs):
        loads.append(kwargs.get("domain"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(support.Translations, "load", counting_load)
    seen = {}
    for lang in ("de", "de", "en", "en", "de"):
        with app.test_request_context("/"):
            session["lang"] = lang
            refresh()
            seen.setdefault(lang, set()).add(translations.gettext("Not a valid choice."))
    assert seen["en"] == {"Not a valid choice."}
    assert seen["de"] != {"Not a valid choice."} and len(seen["de"]) == 1
    assert loads.count("wtforms") == 2
