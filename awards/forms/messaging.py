"""Forms of the composer, the automatic mail settings and the Infobrief."""
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from awards.forms.auth import email_field
from awards.forms.base import FlaskForm
from awards.i18n import lazy_gettext as _l

DAYS = _l("Bitte geben Sie eine ganze Zahl von 1 bis 60 an.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ComposeForm(FlaskForm):
    """The message itself; the choices of `group` come from the view (what the actor may
    write to). Preview and confirmation pages carry the values on as hidden fields."""

    group = SelectField(_l("An wen?"), choices=[])
    subject = StringField(_l("Betreff"), validators=[Length(max=200)])
    body = TextAreaField(_l("Text"), render_kw={"rows": 12, "class": "mail-body"})

    def __init__(self, *args, group_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = list(group_choices)


class SendForm(ComposeForm):
    """The confirmation step: the count the page showed, and the tick."""

    count = HiddenField()
    confirm = BooleanField(_l("Ja, diese Nachricht jetzt senden"))

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError(_l("Bitte bestätigen Sie, dass die Nachricht gesendet werden soll."))


class AutoMailForm(FlaskForm):
    mail_round_opened = BooleanField(_l("Jurymitglieder benachrichtigen, wenn eine Bewertungsrunde "
                                        "für sie freigegeben ist"))
    mail_round_closing = BooleanField(_l("Jurymitglieder mit offenen Bewertungen erinnern, bevor "
                                         "eine Runde endet"))
    mail_round_closing_days = IntegerField(
        _l("Tage vor dem Ende der Runde"),
        validators=[InputRequired(DAYS), NumberRange(1, 60, DAYS)])
    mail_draft_reminder = BooleanField(_l("Bewerbende mit nicht abgesendetem Entwurf vor dem "
                                          "Bewerbungsschluss erinnern"))
    mail_draft_reminder_days = IntegerField(
        _l("Tage vor dem Bewerbungsschluss"),
        validators=[InputRequired(DAYS), NumberRange(1, 60, DAYS)])
    mail_ceremony_invitation = BooleanField(_l("Preisträgerinnen und Preisträger nach der Freigabe "
                                               "zur Preisverleihung einladen"))


class SubscribeForm(FlaskForm):
    email = email_field()
    prizes = MultiCheckboxField(_l("Preise"), choices=[])
    regions = MultiCheckboxField(_l("Regierungsbezirke"), choices=[])
    privacy = BooleanField(_l("Ich habe die Datenschutzhinweise gelesen. Ich kann den Infobrief "
                              "jederzeit mit einem Klick abbestellen."))

    def __init__(self, *args, prize_choices=(), region_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.prizes.choices = list(prize_choices)
        self.regions.choices = list(region_choices)

    def validate_prizes(self, field):
        if not field.data and not self.regions.data:
            raise ValidationError(_l("Bitte wählen Sie mindestens einen Preis oder einen "
                                     "Regierungsbezirk."))

    def validate_privacy(self, field):
        if not field.data:
            raise ValidationError(_l("Bitte bestätigen Sie, dass Sie die Datenschutzhinweise "
                                     "gelesen haben."))


class TokenForm(FlaskForm):
    """The button of a confirmation or unsubscribe page: the token travels in the POST."""

    token = HiddenField()
