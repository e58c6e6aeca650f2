"""Translated messages and Babel formatting in the active language. A leaf module.

Services, models and permissions write every user-facing message as `_l("German text")`
(imported from here): the text is translated when it is shown, in the language of whoever
reads it, and `pybabel extract` finds it under the keyword `_l`.

Why not flask_babel's lazy_gettext directly: its lazy string declares `__html__`, so Jinja
and Flask's session treat it as safe markup. A message that quotes what a user typed (a file
name, a category label) would then reach the page unescaped. `_l` returns plain text.

Dates, times and amounts are formatted by Babel in the active locale, in Berlin time:
German output stays "05.02.2026, 23:59 Uhr" and "4.000 €"; English pages get English forms.
"""
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache

from babel import Locale, support
from babel.dates import parse_pattern
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Request as FlaskRequest
from flask import g
from flask_babel import Babel, Domain, LazyString, force_locale, get_locale
from flask_babel import _get_current_context as _babel_context
from flask_babel import get_translations as _babel_translations
from flask.json.tag import JSONTag
from werkzeug.utils import cached_property
from wtforms.i18n import messages_path

from awards.timeutil import BERLIN, to_berlin

DEFAULT_LANGUAGE = "de"
LANGUAGES = ("de", "en")


def translations():
    """The catalogue of the active language.

    Where the request already found it (RequestDomain keeps it in flask_babel's slot on the
    request's babel context), one look; else flask_babel finds it, which fills the slot.
    `force_locale` empties the slot and `refresh` removes it, so both are followed. A page
    translates a few hundred messages (labels, choices, help texts): flask_babel's own path
    costs several context lookups for each."""
    try:
        context = g._get_current_object().__dict__.get("_flask_babel")
    except RuntimeError:  # outside an app context: flask_babel answers with no catalogue
        context = None
    found = getattr(context, "babel_translations", None) if context is not None else None
    return found if found is not None else _babel_translations()


def gettext(string, **variables):
    """`string` in the active language, `%(name)s` placeholders filled (as flask_babel's)."""
    translated = translations().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular, plural, num, **variables):
    """Singular or plural by `num`, in the active language (as flask_babel's)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string, **variables):
    """flask_babel's lazy message (markup-safe, for labels of forms and views) translated
    through `gettext` above."""
    return LazyString(gettext, string, **variables)


def install_jinja_gettext(app):
    """Templates translate through `translations()` too (Flask-Babel installs its own)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


class LazyText(LazyString):
    """A lazily translated message that is plain text, never markup."""

    @property
    def __html__(self):  # noqa: PLW3201  (hides the markup protocol of LazyString)
        raise AttributeError("__html__")


def _l(string, **variables):
    """The message `string`, translated when shown; `%(name)s` placeholders filled then."""
    return LazyText(gettext, string, **variables)


def text(message):
    """A plain str of a (lazy) message, for places that need one (files, JSON, logs)."""
    return None if message is None else str(message)


class TagLazyText(JSONTag):
    """Session serialisation of a lazy message (e.g. a flashed service error): stored as
    the plain text it reads as now, so it comes back as a str and is escaped when shown."""

    __slots__ = ()
    key = " lt"

    def check(self, value):
        return isinstance(value, LazyString)

    def to_json(self, value):
        return str(value)

    def to_python(self, value):
        return value


def install_session_tag(app):
    """Let flash() and the session carry lazy messages as plain text."""
    from flask.json.tag import TaggedJSONSerializer
    from flask.sessions import SecureCookieSessionInterface

    interface = app.session_interface
    if isinstance(interface, SecureCookieSessionInterface):
        serializer = TaggedJSONSerializer()
        serializer.register(TagLazyText, index=0)
        interface.serializer = serializer


@lru_cache(maxsize=None)
def _wtforms_catalogue(locale):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Request(FlaskRequest):
    """The app's request class. Flask-WTF translates WTForms' own messages with the catalogue
    it finds in `request.wtforms_translations`, and where that is missing it reads the file
    from disk and parses it, once in every request that shows a form. Here it is one parsed
    copy per language and process (the file only changes with a new release)."""

    @cached_property
    def wtforms_translations(self):
        return _wtforms_catalogue(str(get_locale()))


class RequestDomain(Domain):
    """flask_babel's message domain, with the translations of a request found once.

    flask_babel finds them again for every message (the locale, its identifier, a lookup in
    its cache): several hundred times on a staff list, a tenth of its time. The found
    catalogue is kept in the slot flask_babel itself provides for it on the request's
    babel context, which `force_locale` swaps and `refresh` clears with the locale.
    """

    def get_translations(self):
        ctx = _babel_context()
        if ctx is None:
            return super().get_translations()
        found = getattr(ctx, "babel_translations", None)
        if found is None:
            found = ctx.babel_translations = super().get_translations()
        return found


class RequestBabel(Babel):
    """Flask-Babel serving every message through RequestDomain."""

    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)


def language():
    """The active language code ('de' or 'en'); German outside a request."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES \
        else DEFAULT_LANGUAGE


# CLDR patterns per style and language. German keeps the house style the pages always had.
PATTERNS = {
    "long": {"de": "dd.MM.yyyy, HH:mm 'Uhr'", "en": "d MMMM yyyy, h:mm a"},
    "at": {"de": "dd.MM.yyyy 'um' HH:mm 'Uhr'", "en": "d MMMM yyyy 'at' h:mm a"},
    "seconds": {"de": "dd.MM.yyyy 'um' HH:mm:ss 'Uhr'", "en": "d MMMM yyyy 'at' HH:mm:ss"},
    "sheet": {"de": "dd.MM.yyyy HH:mm:ss", "en": "yyyy-MM-dd HH:mm:ss"},
    "date": {"de": "dd.MM.yyyy", "en": "d MMMM yyyy"},
    "time": {"de": "HH:mm", "en": "h:mm a"},
    # A month without the day (what the jury sees of a project's start).
    "month": {"de": "MM/yyyy", "en": "MMMM yyyy"},
}


def _aware(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


@lru_cache(maxsize=None)
def _locale(lang):
    return Locale.parse(lang)


def _decimal(value, pattern, lang):
    """Babel's decimal formatting in `lang` (what flask_babel's format_decimal does under
    force_locale, without switching the request's locale for one number)."""
    return _format_decimal(value, format=pattern, locale=_locale(lang))


@lru_cache(maxsize=None)
def _datetime_pattern(style, lang):
    """The parsed CLDR pattern and the locale of one style and language (parsed once:
    a list page formats a time in every row)."""
    return parse_pattern(PATTERNS[style][lang]), Locale.parse(lang)


def _format_berlin(value, style, lang):
    pattern, locale = _datetime_pattern(style, lang)
    return pattern.apply(value.astimezone(BERLIN), locale)


def format_berlin_datetime(value, style="long", lang=None):
    """A (UTC) time in Berlin time, in the active language or `lang` ('' for None).

    The same as Babel's format_datetime with the app's time zone (Europe/Berlin), without
    parsing the pattern and the locale again for every value."""
    if value is None:
        return ""
    return _format_berlin(_aware(value), style, lang or language())


def format_berlin_time(value, lang=None):
    """'23:59' / '11:59 PM' (the words around it, e.g. "Uhr", belong to the sentence)."""
    return format_berlin_datetime(value, "time", lang)


def format_berlin_date(value, lang=None):
    """A date, or a UTC time's Berlin calendar day: '05.02.2026' / '5 February 2026'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_berlin(value).date()
    # A date has no time zone: format noon of that day in Berlin (same day in any zone).
    local = datetime(value.year, value.month, value.day, 12, tzinfo=BERLIN)
    return _format_berlin(local, "date", lang or language())


def format_berlin_month(value, lang=None):
    """A date's month and year: '03/2021' / 'March 2021'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_berlin(value).date()
    local = datetime(value.year, value.month, 1, 12, tzinfo=BERLIN)
    return _format_berlin(local, "month", lang or language())


def format_money(cents, lang=None):
    """Whole cents as euros: '4.000 €' / '500,50 €' in German, '€4,000' / '€500.50' in
    English. Whole euros show no decimals, as the prize pages always did."""
    if cents is None:
        return ""
    lang = lang or language()
    amount = abs(Decimal(int(cents)) / 100)
    pattern = "#,##0" if int(cents) % 100 == 0 else "#,##0.00"
    number = _decimal(amount, pattern, lang)
    sign = "-" if cents < 0 else ""
    return f"{sign}€{number}" if lang == "en" else f"{sign}{number} €"


def format_number(value, digits=None, lang=None):
    """A number with the language's separators: 90.5 -> '90,50' / '90.50' (digits=2),
    12345 -> '12.345' / '12,345'."""
    if value is None:
        return ""
    pattern = "#,##0.###" if digits is None else ("#,##0." + "0" * digits if digits else "#,##0")
    return _decimal(value, pattern, lang or language())


def format_money_input(cents, lang=None):
    """An amount as the money fields show and read it (parse_money_input), in the page's
    language: 400000 -> '4.000' / '4,000', 50050 -> '500,50' / '500.50'."""
    if cents is None:
        return ""
    lang = lang or language()
    return format_money(cents, lang).removesuffix(" €").removeprefix("€")


def parse_money_input(text, lang=None):
    """What a money field read, in the page's language, -> whole cents: German '4.000',
    '4000 €', '500,50'; English '4,000', '€4000', '500.50'. Group separators must stand
    between groups of three digits, so '4.000' on an English page (four euros with three
    decimals) or '500,50' there is refused rather than misread. Raises ValueError."""
    lang = lang or language()
    # The same CLDR symbols format_money_input writes with.
    decimal, group = get_decimal_symbol(lang), get_group_symbol(lang)
    cleaned = (text or "").replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
    whole, separator, fraction = cleaned.partition(decimal)
    if not whole or (separator and not fraction):
        raise ValueError(text)
    if group in whole:
        parts = whole.split(group)
        if not (1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])):
            raise ValueError(text)
        whole = "".join(parts)
    if not whole.isdigit() or (fraction and (not fraction.isdigit() or len(fraction) > 2)):
        raise ValueError(text)
    return int(whole) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)


def format_figure(value, lang=None):
    """A figure of the statistics: whole numbers grouped ('12.345' / '12,345'), others with
    at most one decimal ('12,5' / '12.5'); '–' when there is no value (no answer)."""
    if value is None:
        return "–"
    return _decimal(value, "#,##0.#", lang or language())


def in_language(lang):
    """Context manager: format and translate in `lang` (a recipient's language), German
    when it is unknown."""
    return force_locale(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


__all__ = ["LazyText", "Request", "_l", "gettext", "ngettext", "lazy_gettext", "translations",
           "install_jinja_gettext", "text", "install_session_tag", "language",
           "format_berlin_datetime", "format_berlin_time", "format_berlin_date",
           "format_berlin_month", "format_money", "format_money_input", "parse_money_input",
           "format_number",
           "format_figure", "in_language", "PATTERNS"]
