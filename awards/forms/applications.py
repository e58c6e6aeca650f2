"""Forms of the application (five steps) and of the staff intake.

The forms check formats (length, e-mail, numbers, dates); which fields are required for a
submission is decided in services.applications, so a draft can always be saved.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from awards.forms.base import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import (BooleanField, DateField, EmailField, HiddenField, IntegerField,
                     MultipleFileField, RadioField, SelectField, StringField, TextAreaField)
from wtforms.validators import (Email, Length, NumberRange, Optional, Regexp, URL,
                                ValidationError)

from awards.enums import ApplicantType, ApplicationStatus, FormalCheck, Region, SubmissionKind
from awards.timeutil import to_berlin
from awards.models.base import utcnow

EMAIL = _l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de.")
TOO_LONG = _l("Bitte kürzen Sie den Text auf höchstens %(max)d Zeichen.")
NUMBER = _l("Bitte geben Sie eine ganze Zahl ab 0 an, z. B. 12.")


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


class StepForm(FlaskForm):
    version = HiddenField()

    def step_values(self, names):
        """Values of the valid posted fields among `names`. Invalid ones are not stored, and
        neither are fields missing from the request (except checkboxes: unticked ones are
        never sent)."""
        values = {}
        for name in names:
            field = self._fields.get(name)
            if field is None or field.errors:
                continue
            if not field.raw_data and field.type != "BooleanField":
                continue
            values[name] = field.data
        return values


class Step1Form(StepForm):
    kind = RadioField(_l("Art der Einreichung"), choices=options(SubmissionKind.choices()),
                      validators=[Optional()])
    nominator_name = text(_l("Ihr Name (vorschlagende Person)"), 200, autocomplete="name")
    nominator_org = text(_l("Ihre Organisation (falls zutreffend)"), 200)
    nominator_email = email(_l("Ihre E-Mail-Adresse"))
    nominator_phone = text(_l("Ihre Telefonnummer"), 50, autocomplete="tel")
    applicant_type = SelectField(_l("Bewerbertyp"), choices=options(CHOOSE + ApplicantType.choices()),
                                 validators=[Optional()])
    org_name = text(_l("Name der Organisation bzw. der Person"), 200)
    contact_name = text(_l("Ansprechperson"), 200)
    street = text(_l("Straße und Hausnummer"), 200, autocomplete="street-address")
    postcode = StringField(_l("PLZ"), validators=[Optional(), Regexp(
        r"^\d{5}$", message=_l("Bitte geben Sie eine fünfstellige Postleitzahl an, z. B. 80331."))],
        filters=[_strip], render_kw={"maxlength": 5, "inputmode": "numeric",
                                     "autocomplete": "postal-code"})
    city = text(_l("Ort"), 120, autocomplete="address-level2")
    district_id = SelectField(_l("Landkreis oder kreisfreie Stadt"), choices=[],
                              validators=[Optional()])
    email = email(_l("E-Mail-Adresse für Rückfragen"))
    phone = text(_l("Telefon"), 50, autocomplete="tel")
    website = StringField(_l("Internetseite"), validators=[
        Optional(), Length(max=300), URL(message=_l("Bitte geben Sie eine Internetadresse an, "
                                                    "z. B. www.beispiel.de."))],
        filters=[_website], render_kw={"maxlength": 300, "autocomplete": "url"})

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.district_id.choices = options(CHOOSE + [(str(d.id), d.label) for d in districts])

    def step_values(self, names):
        values = super().step_values(names)
        if "district_id" in values:
            values["district_id"] = int(values["district_id"]) if values["district_id"] else None
        if "applicant_type" in values:
            values["applicant_type"] = ApplicantType(values["applicant_type"]) \
                if values["applicant_type"] else None
        if "kind" in values:
            values["kind"] = SubmissionKind(values["kind"]) if values["kind"] \
                else SubmissionKind.SELF
        return values


def not_in_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError(_l("Das Projekt soll bereits laufen. Bitte geben Sie ein Datum "
                                 "in der Vergangenheit an."))


def _explain_date_error(field):
    """DateField's own parse message is terse; say what we expect instead."""
    if field.errors and field.data is None:
        field.errors = [str(_l("Bitte geben Sie ein Datum an, z. B. 01.09.2023."))]


class Step2Form(StepForm):
    project_title = text(_l("Name des Projekts"), 200)
    summary = area(_l("Kurzbeschreibung"), 2000, rows=8)
    description = area(_l("Ausführliche Projektbeschreibung"), 10000, rows=14)
    goals = area(_l("Ziele"), 3000)
    target_group = area(_l("Zielgruppe"), 3000, rows=4)
    motto_relation = area(_l("Bezug zum Jahresmotto"), 3000, rows=4)
    project_start = DateField(_l("Projektbeginn"), validators=[Optional(), not_in_future],
                              render_kw={"autocomplete": "off"})

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        _explain_date_error(self.project_start)
        return ok


class Step3Form(StepForm):
    volunteers_count = IntegerField(_l("Anzahl ehrenamtlich Engagierter"), validators=[
        Optional(), NumberRange(min=0, max=1000000, message=NUMBER)],
        render_kw={"inputmode": "numeric"})
    staff_count = IntegerField(_l("Anzahl hauptamtlich Beschäftigter"), validators=[
        Optional(), NumberRange(min=0, max=1000000, message=NUMBER)],
        render_kw={"inputmode": "numeric"})
    partners = area(_l("Kooperationspartner"), 3000, rows=4)
    funding = area(_l("Finanzierung"), 3000, rows=4)
    previous_awards = area(_l("Bisherige Auszeichnungen"), 3000, rows=3)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in (self.volunteers_count, self.staff_count):
            if field.errors:
                field.errors = [str(NUMBER)]
        return ok


class Step4Form(StepForm):
    image_rights_confirmed = BooleanField(_l(
        "Ich bestätige, dass ich die Rechte an den Fotos habe und alle abgebildeten Personen "
        "(bei Minderjährigen die Eltern) mit der Verwendung einverstanden sind."))
    files = MultipleFileField(_l("Dateien auswählen"))
    file_description = text(_l("Beschreibung der Datei"), 300)


class Step5Form(StepForm):
    consent_privacy = BooleanField(_l("Ich habe die Datenschutzhinweise gelesen."))
    consent_truthful = BooleanField(_l("Ich versichere, dass meine Angaben wahrheitsgemäß sind."))
    consent_publish_name = BooleanField(_l(
        "Im Fall einer Auszeichnung darf der Name der Organisation bzw. Person veröffentlicht "
        "werden."))
    consent_publish_text = BooleanField(_l(
        "Im Fall einer Auszeichnung darf die Projektbeschreibung veröffentlicht werden."))
    consent_publish_photos = BooleanField(_l(
        "Im Fall einer Auszeichnung dürfen die Fotos veröffentlicht werden."))


STEP_FORMS = {1: Step1Form, 2: Step2Form, 3: Step3Form, 4: Step4Form, 5: Step5Form}


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token (withdraw, delete an attachment)."""


class CopyForm(FlaskForm):
    competition_id = SelectField(_l("In welchen Preis soll die Bewerbung kopiert werden?"),
                                 choices=[], validators=[Optional()])

    def __init__(self, *args, competitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.competition_id.choices = options(CHOOSE + [(str(c.id), f"{c.title} {c.year}")
                                                        for c in competitions])


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


def field_label(name):
    """The label of a step field by name (for lists of missing fields)."""
    for form in STEP_FORMS.values():
        unbound = getattr(form, name, None)
        if unbound is not None and hasattr(unbound, "args") and unbound.args:
            return str(unbound.args[0])
    return name
