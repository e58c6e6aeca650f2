"""Competition, prize category and criterion forms (times in Berlin, money in euros)."""
from awards.forms.base import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField,
                     TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from awards.enums import AllocationMode, Region
from awards.i18n import lazy_gettext as _l
from awards.i18n import format_money_input, parse_money_input

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
NUMBER = _l("Bitte geben Sie eine ganze Zahl an.")
DATE = _l("Bitte geben Sie ein Datum an, z. B. 05.02.2027.")
TIME = _l("Bitte geben Sie eine Uhrzeit an, z. B. 23:59.")
# What staff type into the English fields is English (for spell checking and screen readers).
EN = {"lang": "en"}
# The German versions of texts that have an English twin: their input is German whatever
# the language of the page (WCAG 3.1.2).
DE = {"lang": "de"}


def prize_choices(codes=None):
    """(code, label) of the prizes; `codes` limits them (None = all)."""
    choices = [("BIP", _l("Bayerischer Integrationspreis (Landesebene)"))] + [
        (r.value, _l("Integrationspreis %(region)s", region=r.label)) for r in Region]
    return [c for c in choices if codes is None or c[0] in codes]


class MoneyField(StringField):
    """Euros as typed ("4.000", "500,50") <-> cents."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        try:
            self.data = parse_money_input(self.raw) if self.raw.strip() else None
        except ValueError:
            self.data = None
            raise ValueError(_l("Bitte geben Sie einen Betrag in Euro an, z. B. 4.000 oder 500,50.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_money_input(self.data)


class CompetitionFieldsForm(FlaskForm):
    """Everything of a call that can change after it was created (the edit form)."""

    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200)],
                        render_kw=DE)
    motto = StringField(_l("Jahresmotto"), validators=[Optional(), Length(max=300)], render_kw=DE)
    description = TextAreaField(_l("Beschreibung"), validators=[Optional()], render_kw=DE)
    eligibility = TextAreaField(_l("Wer kann sich bewerben?"), validators=[Optional()],
                                render_kw=DE)
    preparation = TextAreaField(_l("Was Sie vorbereiten sollten"), validators=[Optional()],
                                render_kw=DE)
    contact = TextAreaField(_l("Kontakt"), validators=[Optional()], render_kw=DE)
    # Optional English versions (the English pages show the German text where one is empty).
    title_en = StringField(_l("Titel (Englisch)"), validators=[Optional(), Length(max=200)],
                           render_kw=EN)
    motto_en = StringField(_l("Jahresmotto (Englisch)"), validators=[Optional(), Length(max=300)],
                           render_kw=EN)
    description_en = TextAreaField(_l("Beschreibung (Englisch)"), validators=[Optional()],
                                   render_kw=EN)
    eligibility_en = TextAreaField(_l("Wer kann sich bewerben? (Englisch)"),
                                   validators=[Optional()], render_kw=EN)
    preparation_en = TextAreaField(_l("Was Sie vorbereiten sollten (Englisch)"),
                                   validators=[Optional()], render_kw=EN)
    contact_en = TextAreaField(_l("Kontakt (Englisch)"), validators=[Optional()], render_kw=EN)
    opens_date = DateField(_l("Bewerbungen ab (Datum)"), validators=[Optional()])
    opens_time = TimeField(_l("Bewerbungen ab (Uhrzeit)"), validators=[Optional()])
    deadline_date = DateField(_l("Bewerbungsschluss (Datum)"), validators=[Optional()])
    deadline_time = TimeField(_l("Bewerbungsschluss (Uhrzeit)"), validators=[Optional()])
    ceremony_date = DateField(_l("Preisverleihung (Datum)"), validators=[Optional()])
    ceremony_time = TimeField(_l("Preisverleihung (Uhrzeit)"), validators=[Optional()])
    ceremony_place = StringField(_l("Ort der Preisverleihung"), validators=[Optional(), Length(max=200)])
    budget = MoneyField(_l("Preisgeld insgesamt (Euro)"), validators=[InputRequired(REQUIRED)])
    allocation_mode = SelectField(_l("Verteilung des Preisgelds"), choices=AllocationMode.choices())
    preselection_during_call = BooleanField(_l("Eine Vorauswahl-Runde der Jury darf schon während "
                                               "der Bewerbungsphase laufen"))

    def validate_deadline_date(self, field):
        if field.data and self.opens_date.data and field.data < self.opens_date.data:
            raise ValidationError(_l("Der Bewerbungsschluss muss nach dem Beginn liegen."))

    def validate_deadline_time(self, field):
        if self.deadline_date.data and field.data is None and not field.errors:
            raise ValidationError(TIME)


class CompetitionForm(CompetitionFieldsForm):
    """A new call: prize and year identify the edition and are chosen only here."""

    prize_code = SelectField(_l("Preis"), choices=[])
    year = IntegerField(_l("Jahr"), validators=[InputRequired(NUMBER), NumberRange(2000, 2100)])

    def __init__(self, *args, prize_codes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.prize_code.choices = prize_choices(prize_codes)


class StageConfirmForm(FlaskForm):
    """Confirmation of a far-reaching step of the year (the page says what will happen)."""

    confirm = BooleanField(_l("Ich habe gelesen, was geschieht, und möchte den Schritt jetzt "
                              "ausführen."),
                           validators=[DataRequired(_l("Bitte bestätigen Sie den Schritt."))])


class CategoryForm(FlaskForm):
    label = StringField(_l("Bezeichnung"), validators=[DataRequired(REQUIRED), Length(max=120)],
                        render_kw=DE)
    label_en = StringField(_l("Bezeichnung (Englisch)"), validators=[Optional(), Length(max=120)],
                           render_kw=EN)
    rank = IntegerField(_l("Rang"), validators=[InputRequired(NUMBER), NumberRange(1, 99)])
    amount = MoneyField(_l("Betrag je Preis (Euro)"), validators=[InputRequired(REQUIRED)])
    count = IntegerField(_l("Anzahl"), validators=[InputRequired(NUMBER), NumberRange(1, 50)])


def parse_anchors(text):
    """Lines "0: trifft nicht zu" -> {"0": "trifft nicht zu"}. Raises ValueError."""
    anchors = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, sep, label = line.partition(":")
        if not sep or not key.strip().lstrip("-").isdigit() or not label.strip():
            raise ValueError(line)
        anchors[str(int(key))] = label.strip()
    return anchors


def format_anchors(anchors):
    items = sorted((anchors or {}).items(), key=lambda kv: int(kv[0]))
    return "\n".join(f"{k}: {v}" for k, v in items)


class CriterionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=120)],
                       render_kw=DE)
    description = TextAreaField(_l("Beschreibung"), validators=[Optional()], render_kw=DE)
    weight = IntegerField(_l("Gewichtung"), validators=[InputRequired(NUMBER), NumberRange(1, 100)])
    scale_min = IntegerField(_l("Skala von"), validators=[InputRequired(NUMBER), NumberRange(0, 100)])
    scale_max = IntegerField(_l("Skala bis"), validators=[InputRequired(NUMBER), NumberRange(1, 100)])
    anchors = TextAreaField(_l("Ankertexte"), validators=[Optional()], render_kw=DE)
    name_en = StringField(_l("Name (Englisch)"), validators=[Optional(), Length(max=120)],
                          render_kw=EN)
    description_en = TextAreaField(_l("Beschreibung (Englisch)"), validators=[Optional()],
                                   render_kw=EN)
    anchors_en = TextAreaField(_l("Ankertexte (Englisch)"), validators=[Optional()], render_kw=EN)

    def validate_scale_max(self, field):
        if self.scale_min.data is not None and field.data is not None and field.data <= self.scale_min.data:
            raise ValidationError(_l("Das Ende der Skala muss größer sein als der Anfang."))

    def validate_anchors(self, field):
        try:
            anchors = parse_anchors(field.data)
        except ValueError:
            raise ValidationError(_l("Bitte schreiben Sie je Zeile einen Punktwert und den Text, "
                                     "z. B. „0: trifft nicht zu“.")) from None
        low, high = self.scale_min.data, self.scale_max.data
        if low is not None and high is not None and any(not low <= int(k) <= high for k in anchors):
            raise ValidationError(_l("Ankertexte müssen zu Punktwerten innerhalb der Skala gehören."))

    def validate_anchors_en(self, field):
        self.validate_anchors(field)

    def values(self):
        return {"name": self.name.data, "description": self.description.data or "",
                "weight": self.weight.data, "scale_min": self.scale_min.data,
                "scale_max": self.scale_max.data, "anchors": parse_anchors(self.anchors.data),
                "name_en": (self.name_en.data or "").strip(),
                "description_en": self.description_en.data or "",
                "anchors_en": parse_anchors(self.anchors_en.data)}


class ConfirmForm(FlaskForm):
    """Only the CSRF token, for buttons that change state."""
