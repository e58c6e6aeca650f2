"""Forms of the Nachforderung: staff ask (what, by when), the applicant answers."""
from datetime import time, timedelta

from wtforms import BooleanField, DateField, MultipleFileField, TextAreaField, TimeField
from wtforms.validators import Length, Optional

from awards.forms.applications import TOO_LONG, _explain_date_error, _strip, text
from awards.forms.base import FlaskForm
from awards.i18n import lazy_gettext as _l
from awards.models.base import utcnow
from awards.timeutil import to_berlin

REQUEST_DAYS = 14


def _default_due_date():
    return to_berlin(utcnow()).date() + timedelta(days=REQUEST_DAYS)


class DocumentRequestForm(FlaskForm):
    message = TextAreaField(_l("Was soll nachgereicht werden?"),
                            validators=[Optional(), Length(max=3000, message=TOO_LONG)],
                            filters=[_strip], render_kw={"rows": 4, "maxlength": 3000})
    due_date = DateField(_l("Antwort möglich bis (Datum)"), validators=[Optional()],
                         default=_default_due_date, render_kw={"autocomplete": "off"})
    due_time = TimeField(_l("Uhrzeit"), validators=[Optional()], default=time(23, 59),
                         render_kw={"autocomplete": "off"})

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        _explain_date_error(self.due_date)
        if self.due_time.errors:
            self.due_time.errors = [str(_l("Bitte geben Sie eine Uhrzeit an, z. B. 23:59."))]
        if not self.due_date.errors and self.due_date.data is None:
            self.due_date.errors = [str(_l("Bitte geben Sie eine Frist an."))]
            ok = False
        return ok and not self.due_date.errors and not self.due_time.errors


class DocumentAnswerForm(FlaskForm):
    answer_text = TextAreaField(_l("Ihre Antwort"),
                                validators=[Optional(), Length(max=5000, message=TOO_LONG)],
                                filters=[_strip], render_kw={"rows": 6, "maxlength": 5000})
    files = MultipleFileField(_l("Dateien anhängen"))
    file_description = text(_l("Beschreibung der Datei"), 300)
    image_rights_confirmed = BooleanField(_l(
        "Ich bestätige, dass ich die Rechte an den Fotos habe und alle abgebildeten Personen "
        "(bei Minderjährigen die Eltern) mit der Verwendung einverstanden sind."))
