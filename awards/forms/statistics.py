"""The filter of the statistics pages (a GET form: works without JavaScript)."""
from wtforms import SelectField
from wtforms.validators import AnyOf, Optional

from awards.forms.applications import options
from awards.forms.base import FlaskForm
from awards.i18n import lazy_gettext as _l


class StatisticsFilterForm(FlaskForm):
    class Meta:
        csrf = False

    # The values are checked against the choices below, with a message of our own.
    year = SelectField(_l("Jahr"), validate_choice=False)
    prize = SelectField(_l("Preis"), validate_choice=False)

    def __init__(self, formdata, *, years, prizes, **kwargs):
        """`years` and `prizes` ([(code, title)]) are what the user may choose from."""
        super().__init__(formdata, **kwargs)
        self.year.choices = options([("", _l("Alle Jahre"))] + [(str(y), str(y)) for y in years])
        self.prize.choices = options([("", _l("Alle Preise"))] + list(prizes))
        self.year.validators = [Optional(), AnyOf(
            [str(y) for y in years], message=_l("Bitte wählen Sie ein Jahr aus der Liste."))]
        self.prize.validators = [Optional(), AnyOf(
            [code for code, _title in prizes],
            message=_l("Bitte wählen Sie einen Preis aus der Liste."))]

    def filters(self):
        """{"year": int | None, "prize_code": str | None}; call after validate()."""
        return {"year": int(self.year.data) if self.year.data else None,
                "prize_code": self.prize.data or None}
