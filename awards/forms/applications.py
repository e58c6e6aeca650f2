"""Forms of the application (five steps) and of the staff intake.

The step forms are built from the field registry (awards.fields): each field's kind decides
its input and format checks (length, e-mail, numbers, dates). Which fields are required for
a submission is decided in services.applications, so a draft can always be saved.
"""
from datetime import date

from awards.forms.base import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import (BooleanField, DateField, EmailField, HiddenField, IntegerField,
                     MultipleFileField, RadioField, SelectField, StringField, TextAreaField)
from wtforms.validators import (Email, Length, NumberRange, Optional, Regexp, URL,
                                ValidationError)

from awards import fields
from awards.content_language import localized_choice
from awards.enums import ApplicantType, ApplicationStatus, FormalCheck, Region
from awards.i18n import lazy_gettext as _l
from awards.i18n import format_number
from awards.timeutil import to_berlin
from awards.models.base import utcnow

EMAIL = _l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de.")
TOO_LONG = _l("Bitte kürzen Sie den Text auf höchstens %(max)d Zeichen.")
NUMBER = _l("Bitte geben Sie eine ganze Zahl ab 0 an, z. B. 12.")
# Counts (people, volunteers, staff) above this are typing mistakes, not projects.
COUNT_MAX = 1_000_000
TOO_BIG = _l("Bitte geben Sie eine Zahl bis höchstens %(max)s an.")


def options(pairs):
    """(value, label) pairs as WTForms choices (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


CHOOSE = [("", _l("Bitte wählen"))]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _website(value):
    value = _strip(value)
    if value and "://" not in value:
        value = "https://" + value
    return value


def text(label, max_length, **kw):
    return StringField(label, validators=[Optional(), Length(max=max_length, message=TOO_LONG)],
                       filters=[_strip], render_kw={"maxlength": max_length, **kw})


def area(label, max_length, rows=6):
    # maxlength drives the character counter (static/js/app.js); the server checks, too.
    return TextAreaField(label, validators=[Optional(), Length(max=max_length, message=TOO_LONG)],
                         filters=[_strip], render_kw={"maxlength": max_length, "rows": rows})


def email(label):
    return EmailField(label, validators=[Optional(), Email(EMAIL, check_deliverability=False),
                                         Length(max=254)], filters=[_strip],
                      render_kw={"autocomplete": "email"})


def not_in_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError(_l("Das Projekt soll bereits laufen. Bitte geben Sie ein Datum "
                                 "in der Vergangenheit an."))


def _explain_date_error(field):
    """DateField's own parse message is terse; say what we expect instead."""
    if field.errors and field.data is None:
        field.errors = [str(_l("Bitte geben Sie ein Datum an, z. B. 01.09.2023."))]


def input_for(f):
    """The form input of a registry field (awards.fields), by its kind."""
    render_kw = dict(f.render_kw)
    if f.kind == fields.TEXT:
        return text(f.label, f.max_length, **render_kw)
    if f.kind == fields.PHONE:
        return text(f.label, f.max_length or 50, **render_kw)
    if f.kind == fields.AREA:
        return area(f.label, f.max_length, rows=f.rows or 6)
    if f.kind == fields.EMAIL:
        return email(f.label)
    if f.kind == fields.POSTCODE:
        return StringField(f.label, validators=[Optional(), Regexp(
            r"^\d{5}$", message=_l("Bitte geben Sie eine fünfstellige Postleitzahl an, "
                                   "z. B. 80331."))],
            filters=[_strip], render_kw={"maxlength": 5, "inputmode": "numeric",
                                         "autocomplete": "postal-code"})
    if f.kind == fields.WEBSITE:
        return StringField(f.label, validators=[
            Optional(), Length(max=300), URL(message=_l("Bitte geben Sie eine Internetadresse an, "
                                                        "z. B. www.beispiel.de."))],
            filters=[_website], render_kw={"maxlength": 300, "autocomplete": "url"})
    if f.kind == fields.COUNT:
        return IntegerField(f.label, validators=[
            Optional(), NumberRange(min=0, max=COUNT_MAX, message=NUMBER)],
            render_kw={"inputmode": "numeric"})
    if f.kind == fields.PAST_DATE:
        return DateField(f.label, validators=[Optional(), not_in_future], render_kw=render_kw)
    if f.kind == fields.RADIO:
        return RadioField(f.label, choices=options(f.choices.choices()), validators=[Optional()])
    if f.kind == fields.CHOICE:
        return SelectField(f.label, choices=options(CHOOSE + f.choices.choices()),
                           validators=[Optional()])
    if f.kind == fields.DISTRICT:
        return SelectField(f.label, choices=[], validators=[Optional()])
    if f.kind == fields.CONSENT:
        return BooleanField(f.label)
    raise ValueError(f"no input for the field kind {f.kind!r}")


class StepForm(FlaskForm):
    """Base of the step forms; the inputs come from the registry (see `step_form`)."""

    version = HiddenField()
    step = None

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        for f in fields.step_fields(self.step):
            if f.kind == fields.DISTRICT:
                self[f.name].choices = options(CHOOSE + [(str(d.id), d.label) for d in districts])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for f in fields.step_fields(self.step):
            field = self[f.name]
            if f.kind == fields.PAST_DATE:
                _explain_date_error(field)
            elif f.kind == fields.COUNT and field.errors:
                too_big = field.data is not None and field.data > COUNT_MAX
                field.errors = [str(TOO_BIG % {"max": format_number(COUNT_MAX)}) if too_big
                                else str(NUMBER)]
        return ok

    def step_values(self, names):
        """Values of the valid posted fields among `names`. Invalid ones are not stored, and
        neither are fields missing from the request (except checkboxes: unticked ones are
        never sent). Choices become what the application stores."""
        values = {}
        for name in names:
            field = self._fields.get(name)
            if field is None or field.errors:
                continue
            if not field.raw_data and field.type != "BooleanField":
                continue
            values[name] = field.data
        for f in fields.step_fields(self.step):
            if f.name not in values:
                continue
            value = values[f.name]
            if f.kind == fields.DISTRICT:
                values[f.name] = int(value) if value else None
            elif f.kind == fields.CHOICE:
                values[f.name] = f.choices(value) if value else None
            elif f.kind == fields.RADIO:
                values[f.name] = f.choices(value) if value else f.choices(f.choices.choices()[0][0])
        return values


def _step4_extras():
    """Step 4 also takes files, which are attachments, not fields of the application."""
    return {"files": MultipleFileField(_l("Dateien auswählen")),
            "file_description": text(_l("Beschreibung der Datei"), 300)}


_EXTRAS = {4: _step4_extras}
_built = {}


def step_form(step):
    """The form class of a step, built from the registry (again when the registry changed)."""
    declared = tuple(fields.step_fields(step))
    key = tuple(map(id, declared))
    cached = _built.get(step)
    if cached is not None and cached[0] == key:
        return cached[1]
    attrs = {"step": step}
    attrs.update((f.name, input_for(f)) for f in declared)
    attrs.update(_EXTRAS.get(step, dict)())
    form = type(f"Step{step}Form", (StepForm,), attrs)
    _built[step] = (key, form)
    return form


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token (withdraw, delete an attachment)."""


class CopyForm(FlaskForm):
    competition_id = SelectField(_l("In welchen Preis soll die Bewerbung kopiert werden?"),
                                 choices=[], validators=[Optional()])

    def __init__(self, *args, competitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.competition_id.choices = options(CHOOSE) + [
            localized_choice(str(c.id), c, "title", suffix=f" {c.year}") for c in competitions]


class FormalCheckForm(FlaskForm):
    result = RadioField(_l("Ergebnis der formalen Prüfung"), choices=options([
        (FormalCheck.ADMISSIBLE.value, FormalCheck.ADMISSIBLE.label),
        (FormalCheck.INADMISSIBLE.value, FormalCheck.INADMISSIBLE.label),
    ]), validators=[Optional()])
    reason = TextAreaField(_l("Begründung"),
                           validators=[Optional(), Length(max=3000, message=TOO_LONG)],
                           filters=[_strip], render_kw={"rows": 4})


CORRECTION_DAYS = 14


def _default_correction_due():
    from datetime import timedelta

    return to_berlin(utcnow()).date() + timedelta(days=CORRECTION_DAYS)


class ReopenForm(FlaskForm):
    reopen_reason = TextAreaField(_l("Was soll korrigiert werden?"),
                                  validators=[Optional(), Length(max=3000, message=TOO_LONG)],
                                  filters=[_strip], render_kw={"rows": 3})
    correction_due = DateField(_l("Korrektur möglich bis einschließlich"),
                               validators=[Optional()], default=_default_correction_due,
                               render_kw={"autocomplete": "off"})

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        _explain_date_error(self.correction_due)
        return ok


class IntakeFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Suche"), filters=[_strip], validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), validators=[Optional()], choices=options([
        ("", _l("Alle"))] + [(s.value, s.label) for s in ApplicationStatus
                             if s != ApplicationStatus.DRAFT]))
    region = SelectField(_l("Regierungsbezirk"), validators=[Optional()],
                         choices=options([("", _l("Alle"))] + Region.choices()))
    applicant_type = SelectField(_l("Bewerbertyp"), validators=[Optional()],
                                 choices=options([("", _l("Alle"))] + ApplicantType.choices()))
    formal = SelectField(_l("Formale Prüfung"), validators=[Optional()],
                         choices=options([("", _l("Alle"))] + FormalCheck.choices()))

    def filters(self):
        """Valid filter values as keyword arguments for the intake query."""
        if not self.validate():
            return {}
        return {
            "search": self.q.data or "",
            "status": ApplicationStatus(self.status.data) if self.status.data else None,
            "region": Region(self.region.data) if self.region.data else None,
            "applicant_type": ApplicantType(self.applicant_type.data)
            if self.applicant_type.data else None,
            "formal": FormalCheck(self.formal.data) if self.formal.data else None,
        }
