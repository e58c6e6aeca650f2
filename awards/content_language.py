"""Content in two languages: the English version of a text staff entered, where present.

Call texts, prize labels and criteria (with their anchor texts) have optional English
versions in a field named `<field>_en`. On an English page `localized(obj, "motto")` gives
the English text if staff entered one, else the German text marked as German, so that the
element holding it can carry lang="de" (WCAG 3.1.2, language of parts). On a German page it
is always the German text. Exports, PDFs and mails stay German and read the fields directly.
Templates mark a text with the macros of templates/macros/lang.html (`lang_attr`, `inline`).
"""
from flask import has_request_context
from flask_babel import get_locale
from wtforms.fields.choices import SelectChoice


class Localized(str):
    """A text with the language it is in, if that differs from the page's (`lang`)."""

    lang = None

    def __new__(cls, text, lang=None):
        value = super().__new__(cls, text or "")
        value.lang = lang
        return value


def page_language():
    if not has_request_context():
        return "de"
    locale = get_locale()
    return locale.language if locale is not None else "de"


def localized(obj, field, *, language=None):
    """The text of `obj.<field>` for a page in `language` (default: the current page's)."""
    return localized_label(getattr(obj, field, ""), getattr(obj, f"{field}_en", ""),
                           language=language)


def localized_label(german, english, *, language=None):
    """A text given in both languages (English possibly empty) for a page in `language`."""
    german = german or ""
    if (language or page_language()) != "en":
        return Localized(german)
    english = (english or "").strip()
    return Localized(english) if english else Localized(german, "de")


def localized_anchor(criterion, value, *, language=None):
    """The anchor text of a criterion (or round criterion) for a scale value."""
    key = str(value)
    german = (criterion.anchors or {}).get(key, "")
    if (language or page_language()) != "en":
        return Localized(german)
    english = ((getattr(criterion, "anchors_en", None) or {}).get(key) or "").strip()
    if english:
        return Localized(english)
    return Localized(german, "de")


def localized_anchors(criterion, *, language=None):
    """{scale value: anchor text} of every value that has an anchor (German given), in
    scale order, each as localized_anchor gives it: one call per criterion, not per value."""
    language = language or page_language()
    return {value: localized_anchor(criterion, value, language=language)
            for value in range(criterion.scale_min, criterion.scale_max + 1)
            if (criterion.anchors or {}).get(str(value))}


def localized_choice(value, obj, field, *, suffix=""):
    """A WTForms choice naming `obj.<field>` in the page's language; a German fallback on an
    English page carries lang="de" on its <option> (options cannot hold a span)."""
    text = localized(obj, field)
    return SelectChoice(value, f"{text}{suffix}", render_kw={"lang": text.lang} if text.lang else {})
