"""Forms of the press kit: the public text of a winner, the applicant's answer, the press
release."""
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from awards.forms.base import FlaskForm
from awards.i18n import lazy_gettext as _l
from awards.services.press import MAX_COMMENT, MAX_RELEASE, MAX_TEXT, MAX_TITLE


class PublicTextForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Bitte geben Sie einen Titel an.")),
                                                 Length(max=MAX_TITLE)])
    text = TextAreaField(_l("Text für die Veröffentlichung"),
                         validators=[DataRequired(_l("Bitte geben Sie den Text für die "
                                                     "Veröffentlichung ein.")),
                                     Length(max=MAX_TEXT)], render_kw={"rows": 10})
    photo_credit = StringField(_l("Bildnachweis für die Fotos"),
                               validators=[Optional(), Length(max=MAX_TITLE)])
    version = HiddenField()


class PublicTextAnswerForm(FlaskForm):
    comment = TextAreaField(_l("Ihre Anmerkung"), validators=[Optional(), Length(max=MAX_COMMENT)],
                            render_kw={"rows": 4})
    version = HiddenField()


class PressReleaseForm(FlaskForm):
    headline = StringField(_l("Überschrift"),
                           validators=[DataRequired(_l("Bitte geben Sie eine Überschrift an.")),
                                       Length(max=MAX_TITLE)])
    release_text = TextAreaField(_l("Text der Pressemitteilung"),
                                 validators=[DataRequired(_l("Bitte schreiben Sie den Text der "
                                                             "Pressemitteilung.")),
                                             Length(max=MAX_RELEASE)], render_kw={"rows": 14})
    press_contact = TextAreaField(_l("Pressekontakt"), validators=[Optional(), Length(max=MAX_COMMENT)],
                                  render_kw={"rows": 3})
    version = HiddenField()
