"""Flask-WTF forms per area. German messages; choices come from the caller.

The CSRF token field of every form renders without an id: a page often holds several forms
(each with its token), and an id repeated on one page is invalid HTML. A hidden field has
no label, so it needs no id. Likewise a select renders `required` only when its first
option is an empty placeholder, as HTML demands.
"""
from wtforms import SelectField
from wtforms.csrf.core import CSRFTokenField
from wtforms.widgets import HiddenInput, Select


class _HiddenInputWithoutId(HiddenInput):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", False)
        return super().__call__(field, **kwargs)


CSRFTokenField.widget = _HiddenInputWithoutId()


class _SelectRequiredOnlyWithPlaceholder(Select):
    """A select's `required` means "choose something other than the empty first option".
    Without such a placeholder an option is always chosen, and HTML forbids the attribute
    there; the server's validators check the value either way."""

    def __call__(self, field, **kwargs):
        if "required" not in kwargs and not self.multiple:
            choices = list(field.iter_choices())
            first_value = choices[0][0] if choices else ""
            if first_value not in ("", None):
                kwargs["required"] = False
        return super().__call__(field, **kwargs)


SelectField.widget = _SelectRequiredOnlyWithPlaceholder()
