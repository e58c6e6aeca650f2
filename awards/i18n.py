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

from flask_babel import LazyString, force_locale, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _gettext
from flask_babel import ngettext as _ngettext
from flask.json.tag import JSONTag

from awards.timeutil import BERLIN, to_berlin

DEFAULT_LANGUAGE = "de"
LANGUAGES = ("de", "en")


class LazyText(LazyString):
    """A lazily translated message that is plain text, never markup."""

    @property
    def __html__(self):  # noqa: PLW3201  (hides the markup protocol of LazyString)
        raise AttributeError("__html__")


def _l(string, **variables):
    """The message `string`, translated when shown; `%(name)s` placeholders filled then."""
    return LazyText(_gettext, string, **variables)


def _nl(singular, plural, num, **variables):
    return LazyText(_ngettext, singular, plural, num, **variables)


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


def language():
    """The active language code ('de' or 'en'); German outside a request."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES \
        else DEFAULT_LANGUAGE


# Patterns per language. German keeps the house style the pages always had.
_DATETIME = {"de": "dd.MM.yyyy, HH:mm 'Uhr'", "en": "d MMMM yyyy, h:mm a"}
_DATETIME_SHORT = {"de": "dd.MM.yyyy, HH:mm", "en": "dd/MM/yyyy, HH:mm"}
_DATE = {"de": "dd.MM.yyyy", "en": "d MMMM yyyy"}
_TIME = {"de": "HH:mm 'Uhr'", "en": "h:mm a"}


def _aware(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def format_berlin_datetime(value, style="long"):
    """A UTC time shown in Berlin time in the active language ('' for None)."""
    if value is None:
        return ""
    patterns = _DATETIME_SHORT if style == "short" else _DATETIME
    # Babel converts to the app's configured time zone (Europe/Berlin, see create_app).
    return format_datetime(_aware(value), patterns[language()])


def format_berlin_time(value):
    if value is None:
        return ""
    return format_datetime(_aware(value), _TIME[language()])


def format_berlin_date(value):
    """A date (or a UTC time's Berlin calendar day) in the active language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_berlin(value).date()
    # A date has no time zone: format it as midnight of that day in Berlin.
    local = datetime(value.year, value.month, value.day, tzinfo=BERLIN)
    return format_datetime(local, _DATE[language()])


def format_money(cents):
    """Whole cents as euros: '4.000 €' / '500,50 €' in German, '€4,000' / '€500.50' in
    English. Whole euros show no decimals, as on the prize pages."""
    if cents is None:
        return ""
    amount = Decimal(int(cents)) / 100
    pattern = "#,##0" if int(cents) % 100 == 0 else "#,##0.00"
    number = format_decimal(abs(amount), format=pattern)
    sign = "-" if cents < 0 else ""
    if language() == "en":
        return f"{sign}€{number}"
    return f"{sign}{number} €"


def format_number(value, digits=None):
    """A number with the active language's separators ('90,00' / '90.00')."""
    if value is None:
        return ""
    if digits is None:
        return format_decimal(value)
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern)


def in_language(lang):
    """Context manager: format and translate in `lang` (a recipient's language), German
    when it is unknown."""
    return force_locale(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


__all__ = ["LazyText", "_l", "_nl", "text", "install_session_tag", "language",
           "format_berlin_datetime", "format_berlin_time", "format_berlin_date",
           "format_money", "format_number", "in_language"]
