"""Administration: invite people and assign roles."""
from awards.forms.base import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from awards.enums import Region, Role
from awards.forms.applications import options
from awards.i18n import lazy_gettext as _l

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
ALL_PRIZES = ""


def prize_code_choices():
    return ([(ALL_PRIZES, _l("Alle Preise (Ministerium)")),
             ("BIP", _l("Bayerischer Integrationspreis (BIP)"))]
            + [(r.value, f"{r.label} ({r.value})") for r in Region])


class RoleForm(FlaskForm):
    """A role with its scope. `competitions` is a list of (id, label) for juror roles."""

    role = SelectField(_l("Rolle"), choices=Role.choices(), validators=[DataRequired(REQUIRED)])
    prize_code = SelectField(_l("Preis (nur Geschäftsstelle)"), choices=[])
    competition_id = SelectField(_l("Wettbewerb (nur Jury)"), coerce=int, choices=[])
    is_chair = BooleanField(_l("Vorsitz der Jury"))

    def __init__(self, *args, competitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.prize_code.choices = prize_code_choices()
        self.competition_id.choices = [(0, _l("– kein Wettbewerb –"))] + list(competitions)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.role.data == Role.JUROR.value and not self.competition_id.data:
            self.competition_id.errors.append(
                _l("Bitte wählen Sie den Wettbewerb, für den das Jurymitglied bewertet."))
            ok = False
        if self.is_chair.data and self.role.data != Role.JUROR.value:
            self.is_chair.errors.append(_l("Den Vorsitz gibt es nur für Jurymitglieder."))
            ok = False
        return ok

    def scope(self):
        """(prize_code, competition_id, is_chair) as the chosen role needs them."""
        role = Role(self.role.data)
        if role == Role.STAFF:
            return (self.prize_code.data or None), None, False
        if role == Role.JUROR:
            return None, self.competition_id.data, bool(self.is_chair.data)
        return None, None, False


class InviteForm(RoleForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[
        DataRequired(REQUIRED),
        Email(_l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de."),
              check_deliverability=False)], render_kw={"autocomplete": "off"})
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)],
                       render_kw={"autocomplete": "off"})


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""


# The role filter's value for people without any role: those who apply.
APPLICANTS = "bewerbende"


class UserFilterForm(FlaskForm):
    """Search and filter of the user list (GET, no token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name oder E-Mail"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                    validators=[Optional(), Length(max=100)])
    rolle = SelectField(_l("Rolle"), validators=[Optional()], choices=options(
        [("", _l("Alle"))] + Role.choices() + [(APPLICANTS, _l("Bewerbende (ohne Rolle)"))]))

    def filters(self):
        """(search, role value or APPLICANTS or None); nothing when the input is invalid."""
        if not self.validate():
            return "", None
        return self.q.data or "", self.rolle.data or None
