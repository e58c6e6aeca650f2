"""The templates' `_()`, `gettext()` and `ngettext()` (awards.views.security) answer exactly
what Jinja's own i18n extension answers with newstyle gettext: the same text, the same
escaping of placeholders, with and without autoescaping, in German and English."""
import pytest
from flask_babel import refresh
from jinja2 import Environment

from awards.i18n import translations

SOURCES = [
    "{{ _('Bewertung zwischenspeichern') }}",
    "{{ _('Gewichtung %(w)s, Punkte %(a)s bis %(b)s', w=3, a=0, b=10) }}",
    "{{ _('Rangliste der Runde „%(name)s“', name='<b>Jury & Co</b>') }}",
    "{{ gettext('Noch keine Bewertungen.') }}",
    "{{ _('100%%') }} {{ _('50 %% von %(n)s', n=2) }}",
    "{{ ngettext('%(num)s Bewerbung gefunden.', '%(num)s Bewerbungen gefunden.', 1) }}",
    "{{ ngettext('%(num)s Bewerbung gefunden.', '%(num)s Bewerbungen gefunden.', 3000, num='3.000') }}",
    "{{ ngettext('%(num)s Datei', '%(num)s Dateien', 2, num='<2>') }}",
    "{% set label = _('Filtern') %}{{ label ~ '<x>' }}",
]


def _jinja_reference(autoescape):
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n), newstyle=True)
    return env


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("source", SOURCES)
def test_the_same_as_jinjas_newstyle_gettext(app, source, autoescape, language):
    ours = app.jinja_env.overlay(autoescape=autoescape)
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = language
        refresh()
        expected = _jinja_reference(autoescape).from_string(source).render()
        assert ours.from_string(source).render() == expected


def test_the_apps_templates_use_the_fast_callables(app):
    from awards.views import security

    assert app.jinja_env.globals["_"] is security.template_gettext
    assert app.jinja_env.globals["gettext"] is security.template_gettext
    assert app.jinja_env.globals["ngettext"] is security.template_ngettext


def test_the_language_of_the_request_is_the_language_of_the_message(app):
    source = "{{ _('Noch keine Bewertungen.') }}"
    answers = {}
    for language in ("de", "en"):
        with app.test_request_context("/"):
            from flask import session

            session["lang"] = language
            refresh()
            answers[language] = app.jinja_env.from_string(source).render()
    assert answers["de"] == "Noch keine Bewertungen."
    assert answers["en"] not in ("", answers["de"])
