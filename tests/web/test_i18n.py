"""The language switch renders the foundation pages in English."""
import lxml.html
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


def _script_texts(client, application):
    """The texts the page's scripts show, as the server put them into data attributes."""
    texts = {}
    for step in (1, 2, 4):
        doc = lxml.html.fromstring(
            client.get(f"/bewerbung/{application.id}/schritt/{step}").get_data(as_text=True))
        for element in doc.xpath("//*[@data-counter-text or @data-region-empty or "
                                 "@data-text-saving or @data-text-too-big]"):
            texts.update({name: value for name, value in element.attrib.items()
                          if name.startswith(("data-counter-text", "data-region-empty",
                                              "data-text-"))})
    return texts


def test_the_scripts_show_texts_in_the_language_of_the_page(client, auth, app):
    """static/js shows no text of its own: counter, autosave, region and file size texts come
    from the page, translated, with placeholders for what only the browser knows."""
    user = factories.user(email="bewerberin@example.org")
    comp = factories.competition(prize_code="BIP", year=2031)
    application = factories.application(competition=comp, owner=user)
    db.session.commit()
    auth.login(user)
    mb = app.config["MAX_FILE_MB"]
    assert _script_texts(client, application) == {
        "data-region-empty": "ergibt sich aus der Auswahl",
        "data-counter-text": "Noch {left} von {max} Zeichen.",
        "data-text-saving": "Wird gespeichert …",
        "data-text-saved": "Gespeichert um {time} Uhr",
        "data-text-not-saved": "Nicht gespeichert.",
        "data-text-offline": "Nicht gespeichert – keine Verbindung. Bitte nutzen Sie "
                             "„Entwurf speichern“.",
        "data-text-too-big": f"Zu groß: {{files}} (höchstens {mb} MB je Datei)",
    }
    client.get("/sprache/en")
    refresh()
    assert _script_texts(client, application) == {
        "data-region-empty": "follows from your choice",
        "data-counter-text": "{left} of {max} characters left.",
        "data-text-saving": "Saving …",
        "data-text-saved": "Saved at {time}",
        "data-text-not-saved": "Not saved.",
        "data-text-offline": 'Not saved – no connection. Please use "Save draft".',
        "data-text-too-big": f"Too large: {{files}} (at most {mb} MB per file)",
    }
