"""The filter of the statistics pages (a GET form: works without JavaScript)."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from awards.forms.applications import options
from awards.forms.base import FlaskForm


class StatisticsFilterForm(FlaskForm):
    class Meta:
        csrf = False

    year = SelectField(_l("Jahr"), validators=[Optional()])
    prize = SelectField(_l("Preis"), validators=[Optional()])

    def __init__(self, formdata, *, years, prizes, **kwargs):
        """`years` and `prizes` ([(code, title)]) are what the user may choose from."""
        super().__init__(formdata, **kwargs)
        self.year.choices = options([("", _l("Alle Jahre"))] + [(str(y), str(y)) for y in years])
        self.prize.choices = options([("", _l("Alle Preise"))] + list(prizes))

    def filters(self):
        """{"year": int | None, "prize_code": str | None}; call after validate()."""
        return {"year": int(self.year.data) if self.year.data else None,
                "prize_code": self.prize.data or None}
