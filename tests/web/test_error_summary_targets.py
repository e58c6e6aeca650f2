"""Every link of a form's error summary leads to an element of the page: a radio group is
reached through its fieldset, which carries the field's id."""
import re

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired

PAGE = """{% from "macros/forms.html" import error_summary, field, radios %}
{{ error_summary(form) }}{{ field(form.name) }}{{ radios(form.answer) }}"""


class _Form(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])
    answer = RadioField("Antwort", choices=[("yes", "Ja"), ("no", "Nein")],
                        validators=[DataRequired()])


def test_each_error_summary_link_has_its_target(app):
    with app.test_request_context("/", method="POST", data={}):
        form = _Form(meta={"csrf": False})
        assert not form.validate()
        html = render_template_string(PAGE, form=form)
    targets = re.findall(r'href="#([^"]+)"', html)
    assert sorted(targets) == ["answer", "name"]
    for target in targets:
        assert len(re.findall(rf'\bid="{re.escape(target)}"', html)) == 1, target
