"""Selects kept per process (awards/forms/__init__.py): written from their name, id,
attributes and options alone, so each request shows its own choice in its own language, and
a select is written again when any of them changes."""
import flask_babel
import pytest
from wtforms import Form, SelectField
from wtforms.validators import DataRequired

from awards import forms
from awards.i18n import lazy_gettext
from tests import factories


@pytest.fixture(autouse=True)
def _forget_kept():
    forms._kept_selects.clear()
    yield
    forms._kept_selects.clear()


class _Form(Form):
    pick = SelectField("Wahl", choices=[("", "Alle"), ("a", "A & B"), ("b", lazy_gettext("Anmerkung"))])
    must = SelectField("Pflicht", choices=[("x", "X"), ("y", "Y")], validators=[DataRequired()])


def test_the_chosen_option_and_the_attributes_are_the_requests_own(app):
    with app.test_request_context():
        for _ in range(2):  # written, then kept
            assert '<option selected value="a">A &amp; B</option>' in _Form(data={"pick": "a"}).pick()
            html = _Form(data={"pick": "b"}).pick()
            assert '<option selected value="b">Anmerkung</option>' in html
            assert 'selected value="a"' not in html
            assert 'class="wide"' in _Form().pick(class_="wide")
            assert 'class="wide"' not in _Form().pick()
            assert 'id="other"' in _Form().pick(id="other")
    assert forms._kept_selects


def test_labels_follow_the_language(app):
    with app.test_request_context():
        assert ">Anmerkung</option>" in _Form().pick()
        with flask_babel.force_locale("en"):
            assert ">Remark</option>" in _Form().pick()
        assert ">Anmerkung</option>" in _Form().pick()


def test_required_follows_the_placeholder_and_the_validators(app):
    with app.test_request_context():
        assert "required" not in _Form().must()  # no empty placeholder: always chosen
        assert "required" not in _Form().pick()


def test_the_kept_selects_are_bounded(app, monkeypatch):
    monkeypatch.setattr(forms, "MAX_KEPT_SELECTS", 2)
    with app.test_request_context():
        for value in ("", "a", "b"):
            _Form(data={"pick": value}).pick()
    assert 0 < len(forms._kept_selects) <= 2


def test_a_staff_filter_shows_what_was_chosen(app, client, auth):
    comp = factories.competition()
    auth.login(factories.staff())
    for status, other in (("withdrawn", "submitted"), ("submitted", "withdrawn")):
        html = client.get(f"/geschaeftsstelle/eingang/{comp.id}?status={status}").text
        assert f'selected value="{status}"' in html
        assert f'selected value="{other}"' not in html
