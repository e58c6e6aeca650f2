"""Flask-WTF forms per area. German messages; choices come from the caller.

The CSRF token field of every form renders without an id: a page often holds several forms
(each with its token), and an id repeated on one page is invalid HTML. A hidden field has
no label, so it needs no id. Likewise a select renders `required` only when its first
option is an empty placeholder, as HTML demands.
"""
from wtforms import SelectField
from wtforms.csrf.core import CSRFTokenField
from wtforms.widgets import HiddenInput, Select

from awards.cachekeys import CacheInputs, kept


class _HiddenInputWithoutId(HiddenInput):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", False)
        return super().__call__(field, **kwargs)


CSRFTokenField.widget = _HiddenInputWithoutId()


# A select is written from what it shows alone: its name, id and attributes, and each
# option's value, label and whether it is chosen. The same few selects (filters, statuses,
# districts) are shown on page after page, so each is kept per process under exactly those
# inputs and written again only when one of them changes: a filter form of four selects was
# a sixth of a staff list's time. Nothing else reaches what is kept.
SELECT_INPUTS = CacheInputs("select", context=("widget", "name", "attributes", "options"),
                            has_data=False)
MAX_KEPT_SELECTS = 2048
_kept_selects = {}


def _option_inputs(choice):
    value, label, selected, render_kw = (tuple(choice) + ({},))[:4]
    return (repr(value), None if label is None else str(label), hasattr(label, "__html__"),
            bool(selected), tuple(sorted((render_kw or {}).items())))


class _SelectRequiredOnlyWithPlaceholder(Select):
    """A select's `required` means "choose something other than the empty first option".
    Without such a placeholder an option is always chosen, and HTML forbids the attribute
    there; the server's validators check the value either way."""

    def __call__(self, field, **kwargs):
        choices = list(field.iter_choices())
        if "required" not in kwargs and not self.multiple:
            first_value = tuple(choices[0])[0] if choices else ""
            if first_value not in ("", None):
                kwargs["required"] = False
        if field.has_groups():
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        attributes = dict(kwargs)
        for name in self.validation_attrs:
            if name not in attributes and name in dir(flags):
                attributes[name] = getattr(flags, name)
        key = SELECT_INPUTS.key(
            widget=(type(self).__name__, self.multiple), name=field.name,
            attributes=tuple(sorted((k, repr(v)) for k, v in attributes.items())),
            options=tuple(_option_inputs(choice) for choice in choices))
        return kept(_kept_selects, key, lambda: Select.__call__(self, field, **kwargs),
                    limit=MAX_KEPT_SELECTS)


SelectField.widget = _SelectRequiredOnlyWithPlaceholder()
