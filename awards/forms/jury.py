"""Forms of the jury area: round set-up, jury invitations, anonymisation review,
assignment, conflicts, the Bewertungsbogen and advancing to the next round."""
from awards.forms.base import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, EmailField, HiddenField, IntegerField,
                     RadioField, SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from awards.forms.applications import options
from awards.i18n import lazy_gettext as _l
from awards.models.jury import RoundSource, TieBreak

REQUIRED = _l("Bitte füllen Sie dieses Feld aus.")
EMAIL = _l("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de.")
WEIGHT = _l("Bitte geben Sie eine ganze Zahl von 1 bis 10 an.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """Buttons that change state carry only the CSRF token."""


class CloseRoundForm(FlaskForm):
    """Confirmation of closing a round (the page says what freezes)."""

    confirm = BooleanField(_l("Ich habe den Fortschritt geprüft. Die Runde soll jetzt "
                              "abgeschlossen und ihr Ergebnis eingefroren werden."),
                           validators=[DataRequired(_l("Bitte bestätigen Sie den Abschluss."))])


def round_form_class(criteria):
    """criteria: [(key, name, default weight)]; adds use_<key> and weight_<key> fields."""

    class RoundForm(FlaskForm):
        name = StringField(_l("Name der Runde"), validators=[DataRequired(REQUIRED), Length(max=120)],
                           filters=[_strip])
        opens_at = DateTimeLocalField(_l("Beginn"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
        closes_at = DateTimeLocalField(_l("Ende"), format="%Y-%m-%dT%H:%M",
                                       validators=[InputRequired(_l("Bitte geben Sie an, wann die Runde endet."))])
        source = RadioField(_l("Welche Bewerbungen nehmen teil?"), choices=RoundSource.choices(),
                            default=RoundSource.ADMISSIBLE.value)
        anonymised = BooleanField(_l("Anonymisiert bewerten (empfohlen)"), default=True)
        jurors_mode = RadioField(_l("Wer bewertet jede Bewerbung?"), default="all", choices=[
            ("all", _l("Alle Jurymitglieder")),
            ("k", _l("Eine feste Zahl von Jurymitgliedern, automatisch ausgewogen zugeteilt")),
        ])
        jurors_k = IntegerField(_l("Jurymitglieder je Bewerbung"), validators=[
            Optional(), NumberRange(min=1, max=50, message=_l("Bitte eine Zahl von 1 bis 50."))])
        show_others_after_submit = BooleanField(
            _l("Jurymitglieder sehen nach dem Abschluss ihrer eigenen Bewertung die Punkte der anderen"))
        rank_by_normalised = BooleanField(
            _l("Rangliste nach normalisierten Punkten (gleicht strenge und milde Bewertende aus)"))
        tie_break = RadioField(_l("Regel bei Gleichstand"), choices=TieBreak.choices(),
                               default=TieBreak.NONE.value)
        tie_break_criterion = SelectField(_l("Kriterium bei Gleichstand"), choices=[], validate_choice=False)

        def validate_jurors_k(self, field):
            if self.jurors_mode.data == "k" and not field.data:
                raise ValidationError(_l("Bitte geben Sie an, wie viele Jurymitglieder jede Bewerbung bewerten."))

        def validate_tie_break_criterion(self, field):
            if self.tie_break.data == TieBreak.CRITERION.value and not field.data:
                raise ValidationError(_l("Bitte wählen Sie das Kriterium."))

        def criteria_rows(self):
            return [(key, name, self[f"use_{key}"], self[f"weight_{key}"]) for key, name, _ in criteria]

        def chosen_criteria(self):
            return [(key, self[f"weight_{key}"].data) for key, _, _ in criteria
                    if self[f"use_{key}"].data]

        def validate(self, extra_validators=None):
            ok = super().validate(extra_validators)
            if not self.chosen_criteria():
                self.form_errors.append(_l("Wählen Sie mindestens ein Kriterium."))
                ok = False
            if (self.opens_at.data and self.closes_at.data and self.closes_at.data <= self.opens_at.data):
                self.closes_at.errors = list(self.closes_at.errors) + [
                    _l("Das Ende muss nach dem Beginn liegen.")]
                ok = False
            return ok

    for key, name, weight in criteria:
        setattr(RoundForm, f"use_{key}", BooleanField(name, default=True))
        setattr(RoundForm, f"weight_{key}", IntegerField(
            _l("Gewichtung für „%(name)s“", name=name), default=weight,
            validators=[InputRequired(WEIGHT), NumberRange(min=1, max=10, message=WEIGHT)]))
    RoundForm.tie_break_criterion.kwargs["choices"] = [("", _l("Bitte wählen"))] + [
        (str(key), name) for key, name, _ in criteria]
    return RoundForm


class InviteJurorForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)], filters=[_strip])
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(REQUIRED), Email(EMAIL, check_deliverability=False)],
                       filters=[_strip])
    is_chair = BooleanField(_l("Jury-Vorsitz"))


class RedactionForm(FlaskForm):
    extra_terms = TextAreaField(_l("Zusätzlich schwärzen"), render_kw={"rows": 4}, filters=[_strip])
    kept = MultiCheckboxField(_l("Nicht schwärzen"), choices=[], validate_choice=False)
    lifted = MultiCheckboxField(_l("Einzelne Stellen nicht schwärzen"), choices=[],
                                validate_choice=False)


class AttachmentVisibilityForm(FlaskForm):
    attachment_id = HiddenField()
    visible = HiddenField()


class ConflictForm(FlaskForm):
    reason = TextAreaField(_l("Grund der Befangenheit"), validators=[DataRequired(REQUIRED), Length(max=2000)],
                           filters=[_strip], render_kw={"rows": 4})


class StaffConflictForm(FlaskForm):
    juror_id = SelectField(_l("Jurymitglied"), coerce=int, validators=[DataRequired(REQUIRED)])
    entry_id = SelectField(_l("Bewerbung (Kennung)"), coerce=int, validators=[DataRequired(REQUIRED)])
    reason = TextAreaField(_l("Grund"), validators=[DataRequired(REQUIRED), Length(max=2000)],
                           filters=[_strip], render_kw={"rows": 3})


class LiftConflictForm(FlaskForm):
    reason = TextAreaField(_l("Grund für das Aufheben"), validators=[DataRequired(REQUIRED), Length(max=2000)],
                           filters=[_strip], render_kw={"rows": 3})


class AssignmentForm(FlaskForm):
    juror_id = SelectField(_l("Jurymitglied"), coerce=int, validators=[DataRequired(REQUIRED)])
    entry_id = SelectField(_l("Bewerbung (Kennung)"), coerce=int, validators=[DataRequired(REQUIRED)])
    action = HiddenField(default="add")


class AdvanceForm(FlaskForm):
    target_id = SelectField(_l("Nächste Runde"), coerce=int, validators=[DataRequired(REQUIRED)])
    mode = RadioField(_l("Welche Bewerbungen?"), default="top", choices=[
        ("top", _l("Die besten nach Rangliste")), ("pick", _l("Die ausgewählten Bewerbungen"))])
    top_n = IntegerField(_l("Anzahl der besten"), default=5,
                         validators=[Optional(), NumberRange(min=1, max=500)])
    entries = MultiCheckboxField(_l("Auswahl"), choices=[], coerce=int, validate_choice=False)

    def validate_top_n(self, field):
        if self.mode.data == "top" and not field.data:
            raise ValidationError(_l("Bitte geben Sie eine Anzahl an."))


def scoresheet_form_class(criteria):
    """One radio group (scale values) and one comment per criterion, plus overall comment."""

    class ScoreSheetForm(FlaskForm):
        comment = TextAreaField(_l("Gesamtanmerkung"), validators=[Optional(), Length(max=5000)],
                                filters=[_strip], render_kw={"rows": 4})
        version = HiddenField()

        def rows(self):
            return [(c, self[f"c{c.id}"], self[f"note{c.id}"]) for c in criteria]

        def values(self):
            return {c.id: (self[f"c{c.id}"].data, self[f"note{c.id}"].data or "") for c in criteria}

    for c in criteria:
        setattr(ScoreSheetForm, f"c{c.id}", RadioField(
            c.name, choices=options((v, str(v)) for v in range(c.scale_min, c.scale_max + 1)),
            coerce=lambda v: None if v in (None, "", "None") else int(v),
            validators=[Optional()]))
        setattr(ScoreSheetForm, f"note{c.id}", TextAreaField(
            _l("Anmerkung zu „%(name)s“", name=c.name), validators=[Optional(), Length(max=2000)],
            filters=[_strip], render_kw={"rows": 2}))
    return ScoreSheetForm
