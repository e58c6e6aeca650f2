"""Forms of the decisions area (staff and jury chair)."""
from awards.forms.base import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, HiddenField, SelectField, SelectMultipleField,
                     StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from awards.content_language import localized_choice
from awards.i18n import lazy_gettext as _l
from awards.i18n import parse_money_input


class DecisionForm(FlaskForm):
    category = SelectField(_l("Preiskategorie"), coerce=int,
                           validators=[InputRequired(_l("Bitte wählen Sie eine Preiskategorie."))])
    amount = StringField(_l("Preisgeld in Euro"), validators=[Optional()],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    rationale = TextAreaField(_l("Begründung der Jury"),
                              validators=[DataRequired(_l("Bitte begründen Sie die Entscheidung.")),
                                          Length(max=5000)], render_kw={"rows": 5})
    version = HiddenField()
    confirm_over_budget = BooleanField(_l("Ich bestätige die Abweichung vom Budget oder von der "
                                          "vorgesehenen Anzahl der Preise."))
    over_budget_reason = TextAreaField(_l("Grund für die Abweichung"), validators=[Length(max=2000)],
                                       render_kw={"rows": 3})
    # Shown only for an application that did not go the whole way (see the decide page).
    exception_reason = TextAreaField(_l("Begründung der Ausnahme"), validators=[Length(max=2000)],
                                     render_kw={"rows": 3})

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [localized_choice(c.id, c, "label") for c in competition.categories]
        self.amount_cents = None

    def validate_amount(self, field):
        if field.data:
            try:
                self.amount_cents = parse_money_input(field.data)
            except ValueError as exc:
                raise ValidationError(_l("Bitte geben Sie einen Betrag wie 1.500 oder 1.500,50 an.")) from exc


class ConfirmForm(FlaskForm):
    """A single confirmation checkbox for irreversible steps (release)."""

    confirm = BooleanField(_l("Ich habe die Entscheidungen geprüft. Die Nachrichten sollen jetzt "
                              "versendet werden."),
                           validators=[DataRequired(_l("Bitte bestätigen Sie die Freigabe."))])


class PublishNowForm(FlaskForm):
    """Confirmation of "publish now" (the page says what becomes public)."""

    confirm = BooleanField(_l("Ich habe geprüft, was öffentlich wird. Die Preisträgerinnen und "
                              "Preisträger sollen jetzt veröffentlicht werden."),
                           validators=[DataRequired(_l("Bitte bestätigen Sie die Veröffentlichung."))])


class RevokeForm(FlaskForm):
    """Revoke an award after the release: a reason and a confirmation."""

    reason = TextAreaField(_l("Grund der Aberkennung"),
                           validators=[DataRequired(_l("Bitte nennen Sie den Grund.")),
                                       Length(min=10, max=2000, message=_l(
                                           "Bitte nennen Sie den Grund in mindestens 10 Zeichen."))],
                           render_kw={"rows": 4})
    confirm = BooleanField(_l("Ich habe verstanden, dass die Aberkennung nicht rückgängig gemacht "
                              "werden kann."),
                           validators=[DataRequired(_l("Bitte bestätigen Sie die Aberkennung."))])


class MailTemplateForm(FlaskForm):
    """The release mails: German, whatever the language of the page (their texts come
    prefilled in German and are sent in German)."""

    subject = StringField(_l("Betreff"), validators=[DataRequired(_l("Bitte geben Sie einen Betreff an.")),
                                                     Length(max=200)], render_kw={"lang": "de"})
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Bitte geben Sie einen Text an.")),
                                                 Length(max=10000)],
                         render_kw={"rows": 18, "class": "mail-body", "lang": "de"})


class PublicationForm(FlaskForm):
    publish_date = DateField(_l("Datum der Veröffentlichung"), validators=[Optional()])
    publish_time = TimeField(_l("Uhrzeit (deutsche Zeit)"), validators=[Optional()])

    def validate_publish_time(self, field):
        if bool(self.publish_date.data) != bool(field.data):
            raise ValidationError(_l("Bitte geben Sie Datum und Uhrzeit an – oder beides leer lassen."))


class CertificateSettingsForm(FlaskForm):
    show_amount = BooleanField(_l("Preisgeld auf der Urkunde nennen"))
    place = StringField(_l("Ort auf der Urkunde"), validators=[Length(max=120)])
    issue_date = DateField(_l("Datum auf der Urkunde"), validators=[Optional()])
    tribute = StringField(_l("Zusätzlicher Satz (Würdigung)"), validators=[Length(max=300)])
    sig1_name = StringField(_l("Unterschrift 1: Name"), validators=[Length(max=120)])
    sig1_title = StringField(_l("Unterschrift 1: Amt oder Funktion"), validators=[Length(max=160)])
    sig2_name = StringField(_l("Unterschrift 2: Name"), validators=[Length(max=120)])
    sig2_title = StringField(_l("Unterschrift 2: Amt oder Funktion"), validators=[Length(max=160)])
    sig3_name = StringField(_l("Unterschrift 3: Name"), validators=[Length(max=120)])
    sig3_title = StringField(_l("Unterschrift 3: Amt oder Funktion"), validators=[Length(max=160)])

    def signatories(self):
        return [{"name": getattr(self, f"sig{i}_name").data or "",
                 "title": getattr(self, f"sig{i}_title").data or ""} for i in (1, 2, 3)]


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo (PNG oder SVG, höchstens 1 MB)"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MinutesForm(FlaskForm):
    session_date = DateField(_l("Datum der Jurysitzung"),
                             validators=[InputRequired(_l("Bitte geben Sie das Datum der Sitzung an."))])
    place = StringField(_l("Ort der Sitzung"), validators=[Length(max=200)])
    present = MultiCheckboxField(_l("Anwesende Jurymitglieder"), coerce=int)
    guests = TextAreaField(_l("Weitere Anwesende (eine Person je Zeile, z. B. Geschäftsstelle)"),
                           validators=[Length(max=2000)], render_kw={"rows": 3})
    recorder = StringField(_l("Protokoll geführt von"), validators=[Length(max=200)])
    notes = TextAreaField(_l("Weitere Beschlüsse und Anmerkungen"), validators=[Length(max=5000)],
                          render_kw={"rows": 4})


class RevealForm(FlaskForm):
    """Staff reveal the applicants' names to the jury (irreversible)."""

    confirm = BooleanField(_l("Die Entscheidungen sind gefallen. Die Jury soll jetzt die Namen "
                              "der Bewerbungen sehen."),
                           validators=[DataRequired(_l("Bitte bestätigen Sie die Aufdeckung."))])


class MeetingAttendanceForm(FlaskForm):
    """Who attends the jury meeting (choices: the jury, passed in by the view)."""

    present = MultiCheckboxField(_l("Anwesende Jurymitglieder"), coerce=int)


class MeetingNoteForm(FlaskForm):
    """The chair's note on one application (one form per application, prefixed by its id)."""

    text = TextAreaField(_l("Notiz aus der Sitzung"), validators=[Length(
        max=5000, message=_l("Bitte kürzen Sie den Text auf höchstens %(max)d Zeichen."))],
                         render_kw={"rows": 3, "maxlength": 5000})
