"""Privacy forms: confirming the deletion of one's own account."""
from awards.forms.base import FlaskForm
from awards.i18n import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import DataRequired


class DeleteAccountForm(FlaskForm):
    confirm = BooleanField(
        _l("Ich möchte mein Konto und meine Entwürfe endgültig löschen."),
        validators=[DataRequired(_l("Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten."))],
    )
