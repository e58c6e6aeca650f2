"""Jinja filters and globals for dates in Berlin time, money and numbers.

Dates, times and numbers are formatted by Babel in the page's language (awards.i18n)."""
from datetime import datetime, timezone

from flask_babel import get_locale

from awards import fields
from awards.i18n import (format_berlin_date, format_berlin_datetime, format_berlin_time,
                         format_figure, format_money, format_number, gettext as _, ngettext)
from awards.content_language import localized, localized_anchor, localized_anchors
from awards.timeutil import to_berlin
from awards.views.security import language_span


def berlin_datetime(value, style="long"):
    return format_berlin_datetime(value, style)


def berlin_date(value):
    return format_berlin_date(value)


def days_left(deadline, now=None):
    """'noch 12 Tage' / 'noch 1 Tag' / 'heute' / '' once passed (Berlin calendar days)."""
    if deadline is None:
        return ""
    now = now or datetime.now(timezone.utc)
    if deadline <= now:
        return ""
    days = (to_berlin(deadline).date() - to_berlin(now).date()).days
    if days == 0:
        return _("endet heute")
    return ngettext("noch %(num)s Tag", "noch %(num)s Tage", days)


def berlin_time(value):
    return format_berlin_time(value)


def marked(text):
    """A text as element content, in a `lang` span when it is in another language than the
    page (a content_language.Localized with `lang` set); any other text as it is."""
    lang = getattr(text, "lang", None)
    return language_span(text, lang) if lang else text


def content(obj, field):
    """`obj.<field>` as page text in the page's language: the English version on English
    pages where there is one, else the German text marked `lang="de"` (a span), so screen
    readers read it in German. For element text only; attributes and <title> take the
    plain `localized(obj, field)`."""
    return marked(localized(obj, field))


def filesize(size):
    """12345 -> '12,1 KB' / '12.1 KB', 3456789 -> '3,3 MB' / '3.3 MB'."""
    size = size or 0
    if size < 1024 * 1024:
        return f"{format_number(size / 1024, 1)} KB"
    return f"{format_number(size / 1024 / 1024, 1)} MB"


def register(app):
    app.add_template_filter(berlin_datetime, "berlin")
    app.add_template_filter(berlin_date, "berlin_date")
    app.add_template_filter(berlin_time, "berlin_time")
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_number, "number")
    # Statistics: grouped whole numbers, at most one decimal, "–" without a value.
    app.add_template_filter(format_figure, "figure")
    app.add_template_filter(filesize, "filesize")
    app.add_template_filter(days_left, "days_left")
    app.add_template_filter(content, "content")
    app.add_template_filter(marked, "marked")

    app.jinja_env.globals["url_rules"] = app.view_functions
    app.jinja_env.globals["get_locale"] = get_locale
    # The application's field registry: step pages, receipt and read-only views read it.
    app.jinja_env.globals["application_fields"] = fields
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["localized_anchor"] = localized_anchor
    app.jinja_env.globals["localized_anchors"] = localized_anchors

