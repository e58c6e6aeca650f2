"""One family of errors for the rules of the domain.

A service that refuses what it was asked raises a `DomainError` (or a subclass): a message
for the person (a lazy translatable string, shown in the language of the page that shows it),
optionally the name of the form field at fault, and optionally further messages. Someone
else having changed the object since the form was loaded is a `StaleObjectError`.

Views show any of them on a form with `show_on_form(form, error)`: the message goes next to
its field (or to the summary at the top), and the form keeps what the person typed, because
the view renders the same form object again. Outside systems that fail (storage, mail, the
database) are not domain errors; they have their own exceptions in `awards.adapters`.
"""


class DomainError(Exception):
    """A rule refused the request; `message` is for the person who asked."""

    def __init__(self, message=None, *, field=None, problems=None):
        problems = list(problems or [])
        if message is None and problems:
            message = problems[0]
        super().__init__(message)
        self.message = message
        self.field = field
        # Every reason, the message first (a round can be refused for several at once).
        self.problems = problems or ([message] if message is not None else [])
        # {form field name: message}: messages that belong to single fields.
        self.field_errors = {}

    def __str__(self):
        try:
            return "; ".join(str(p) for p in self.problems)
        except RuntimeError:  # a lazy string outside a request: the German source text
            return "; ".join(getattr(p, "_args", (repr(p),))[0] for p in self.problems)


class StaleObjectError(DomainError):
    """The object was changed elsewhere since the form was loaded; nothing was saved."""


def show_on_form(form, error, *, field=None, shown=None, names=None):
    """Put the error's messages on the form: next to the named field where the page shows
    it, otherwise in the summary at the top. Returns the form, for `render_template(form=...)`.

    `field`: where the message goes when the error names no field the page shows (e.g. the
    reason a refusal is about). `shown`: the names of the fields the page shows, when it
    carries the others hidden (a confirmation step). `names`: {key: field name} for errors
    whose `field_errors` use other keys than the form's field names (e.g. criterion ids)."""

    def target(name):
        name = (names or {}).get(name, name)
        if not isinstance(name, str) or (shown is not None and name not in shown):
            return None
        return form._fields.get(name)

    for name, message in (getattr(error, "field_errors", None) or {}).items():
        at = target(name)
        if at is not None and message is not None and message is not True:
            at.errors = [*list(at.errors or []), message]
    at = target(error.field) if getattr(error, "field", None) else None
    if at is None and field is not None:
        at = target(field)
    messages = getattr(error, "problems", None) or [getattr(error, "message", None) or str(error)]
    if at is not None:
        at.errors = [*list(at.errors or []), messages[0]]
        messages = messages[1:]
    form.form_errors = [*list(getattr(form, "form_errors", None) or []), *messages]
    return form
