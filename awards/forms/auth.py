"""Login, registration, reset, Zugangslink and invitation forms."""
from awards.forms.base import FlaskForm
from awards.i18n import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from awards.services.accounts import MIN_PASSWORD_LENGTH

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
EMAIL = _l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de.")
PASSWORD_LENGTH = _l("Das Passwort muss mindestens %(n)s Zeichen lang sein.", n=MIN_PASSWORD_LENGTH)
PASSWORD_MATCH = _l("Die beiden Passwörter stimmen nicht überein.")


def email_field():
    return EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(REQUIRED), Email(EMAIL, check_deliverability=False)],
                      render_kw={"autocomplete": "email"})


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Passwort"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class MagicLinkForm(FlaskForm):
    email = email_field()
    next = HiddenField()


class RequestResetForm(FlaskForm):
    email = email_field()


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Neues Passwort"),
        validators=[DataRequired(REQUIRED), Length(min=MIN_PASSWORD_LENGTH, message=PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    password_repeat = PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[DataRequired(REQUIRED), EqualTo("password", message=PASSWORD_MATCH)],
        render_kw={"autocomplete": "new-password"},
    )


class LinkForm(FlaskForm):
    """The button of a one-time link's page: the token travels in the POST body."""
    token = HiddenField()


class ResetPasswordForm(NewPasswordForm):
    token = HiddenField()


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Bisheriges Passwort"),
                                     render_kw={"autocomplete": "current-password"})


class RegisterForm(NewPasswordForm):
    name = StringField(_l("Ihr Name"), validators=[DataRequired(REQUIRED), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    email = email_field()


class InvitationForm(NewPasswordForm):
    name = StringField(_l("Ihr Name"), validators=[DataRequired(REQUIRED), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    token = HiddenField()
