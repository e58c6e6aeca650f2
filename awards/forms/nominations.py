"""The nominee's answer to a nomination: confirm or decline, and their own consents."""
from wtforms import BooleanField, HiddenField, RadioField
from wtforms.validators import Optional

from awards.forms.applications import options
from awards.forms.base import FlaskForm
from awards.i18n import lazy_gettext as _l


class NomineeResponseForm(FlaskForm):
    # The link's token travels in the POST body, never in the address the form posts to.
    token = HiddenField()
    response = RadioField(_l("Sind Sie mit dem Vorschlag einverstanden?"), choices=options([
        ("confirm", _l("Ja, ich bin einverstanden, dass das Projekt am Wettbewerb teilnimmt.")),
        ("decline", _l("Nein, ich möchte nicht teilnehmen. Der Vorschlag wird zurückgezogen.")),
    ]), validators=[Optional()])
    consent_publish_name = BooleanField(_l(
        "Im Fall einer Auszeichnung darf der Name der Organisation bzw. Person veröffentlicht "
        "werden."))
    consent_publish_text = BooleanField(_l(
        "Im Fall einer Auszeichnung darf die Projektbeschreibung veröffentlicht werden."))
    consent_publish_photos = BooleanField(_l(
        "Im Fall einer Auszeichnung dürfen die Fotos veröffentlicht werden."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.response.errors and self.response.data not in ("confirm", "decline"):
            self.response.errors = [str(_l("Bitte wählen Sie eine Antwort aus."))]
            ok = False
        return ok
