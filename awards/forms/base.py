"""The base of every form: text input never carries control characters.

A NUL byte (or another control character) in a text field cannot be stored (PostgreSQL
refuses it) and is never meant. Every form of the app derives from `FlaskForm` here (a test
checks it): posted or queried values are cleaned before the fields see them, and a field
that carried such characters gets a clear German error, so the view refuses it while the
other fields of the step are kept. Multi-line fields keep line breaks and tabs; in one-line
text inputs they become a space (harmless, no error). A request-wide guard
(awards/views/input_guard.py) cleans request.form and request.args the same way first, for
code that reads them directly; it records what it removed, and the form reports it.
"""
import re

import flask_wtf
from flask import has_request_context, request
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict, MultiDict

from awards.i18n import lazy_gettext as _l

# C0 controls except TAB, LF, CR; DEL; C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS = re.compile(r"[\t\r\n\u2028\u2029]+")
# Visible one-line text inputs: a line break or tab typed or pasted there becomes a space.
# Other fields (hidden, password, choices) keep their value for their own checks.
SINGLE_LINE_TYPES = {"StringField", "EmailField", "SearchField", "TelField", "URLField"}
# The names of fields the request guard cleaned (kept in the WSGI environ of the request).
ENVIRON_KEY = "awards.control_characters"

CONTROL_MESSAGE = _l("Dieses Feld enthielt unsichtbare Steuerzeichen (z. B. ein Nullbyte), "
                     "die nicht gespeichert werden können. Sie sind aus dem angezeigten Text "
                     "entfernt: Bitte prüfen Sie die Eingabe und speichern Sie erneut.")


def has_control_characters(value):
    return isinstance(value, str) and CONTROL.search(value) is not None


def strip_control_characters(value):
    return CONTROL.sub("", value) if isinstance(value, str) else value


def clean_multidict(data, single_line=()):
    """(cleaned copy, names whose values held control characters). Values that are not
    strings (uploaded files) pass unchanged. Names in `single_line` also lose line breaks."""
    flagged = set()
    items = []
    for key, value in data.items(multi=True):
        if isinstance(value, str):
            if CONTROL.search(value):
                flagged.add(key)
                value = CONTROL.sub("", value)
            if key in single_line and LINE_BREAKS.search(value):
                value = LINE_BREAKS.sub(" ", value)
        items.append((key, value))
    return items, flagged


def request_flagged_names():
    if not has_request_context():
        return set()
    return set(request.environ.get(ENVIRON_KEY, ()))


def _all_fields(fields):
    for field in fields:
        subfields = getattr(field, "entries", None)  # FieldList
        if subfields is None and hasattr(field, "form") and hasattr(field.form, "_fields"):
            subfields = list(field.form)  # FormField
        if subfields is not None:
            yield from _all_fields(subfields)
        else:
            yield field


class FlaskForm(flask_wtf.FlaskForm):
    class Meta:
        def wrap_formdata(self, form, formdata):
            formdata = super().wrap_formdata(form, formdata)
            form._control_character_names = request_flagged_names()
            if formdata is None:
                return None
            if not hasattr(formdata, "items"):
                return formdata
            single_line = {f.name for f in _all_fields(form) if f.type in SINGLE_LINE_TYPES}
            if not isinstance(formdata, (MultiDict, CombinedMultiDict)):
                formdata = MultiDict(formdata)
            items, flagged = clean_multidict(formdata, single_line)
            form._control_character_names |= flagged
            return ImmutableMultiDict(items)

    def control_character_fields(self):
        names = getattr(self, "_control_character_names", set())
        return [f for f in _all_fields(self) if f.name in names]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self.control_character_fields():
            if CONTROL_MESSAGE not in field.errors:
                field.errors = [CONTROL_MESSAGE, *field.errors]
            valid = False
        return valid
