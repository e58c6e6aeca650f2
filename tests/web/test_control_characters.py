"""Control characters in input: refused at the field with a German message, the rest of the
step kept, nothing reaches the database (PostgreSQL refuses NUL bytes) — in every form."""
import importlib
import pkgutil
import re
from html import unescape

import flask_wtf
import pytest

import awards.forms
import awards.views
from awards.extensions import db
from awards.forms.base import FlaskForm as BaseForm
from awards.models.applications import Application
from tests import factories

MESSAGE = "Dieses Feld enthielt unsichtbare Steuerzeichen (z. B. ein Nullbyte)"


@pytest.fixture
def draft(app):
    competition = factories.competition(prize_code="BIP", year=2026)
    owner = factories.user(email="bewerberin@example.org")
    return factories.application(competition=competition, owner=owner, project_title="Sprachcafé",
                                 description="Bisherige Beschreibung.")


def reload(application):
    db.session.expire_all()
    return db.session.get(Application, application.id)


def field_error(body, field_id):
    match = re.search(rf'<p class="kern-error" id="{field_id}-error">.*?<span class="kern-body">'
                      r'(.*?)</span></p>', body, re.S)
    return unescape(match.group(1)) if match else None


def test_nul_in_text_area_refused_at_field_rest_of_step_kept(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(f"/bewerbung/{draft.id}/schritt/2", data={
        "action": "save", "project_title": "Sprachcafé International",
        "summary": "Zeile eins\r\nZeile zwei\tmit Tab", "description": "Kaputt\x00er Text\x07",
        "version": str(draft.version)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(body, "description").startswith(MESSAGE)
    # The summary at the top links to the field.
    assert f'<a class="kern-link" href="#description">Ausführliche Projektbeschreibung: {MESSAGE}' \
        in unescape(body)
    # What was typed is shown again, without the control characters.
    assert ">\r\nKaputter Text</textarea>" in body
    saved = reload(draft)
    assert (saved.project_title, saved.summary, saved.description) == (
        "Sprachcafé International", "Zeile eins\r\nZeile zwei\tmit Tab", "Bisherige Beschreibung.")


def test_line_break_in_one_line_field_becomes_a_space(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(f"/bewerbung/{draft.id}/schritt/1", data={
        "action": "save", "kind": "self", "org_name": "Brückenbauer\r\ne. V.\tAugsburg",
        "version": str(draft.version)})
    assert response.status_code == 302
    assert reload(draft).org_name == "Brückenbauer e. V. Augsburg"


def test_autosave_with_nul_answers_json_and_keeps_other_fields(client, auth, draft):
    auth.login(draft.owner)
    response = client.post(f"/bewerbung/{draft.id}/autosave", data={
        "step": "2", "project_title": "Neu\x00", "goals": "Sprache lernen",
        "version": str(draft.version)})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json["invalid"] == ["project_title"]
    assert response.json["errors"]["project_title"][0].startswith(MESSAGE)
    assert response.json["message"].endswith("außer den markierten Feldern: Bitte prüfen Sie diese.")
    saved = reload(draft)
    assert (saved.project_title, saved.goals) == ("Sprachcafé", "Sprache lernen")


def test_login_with_nul_in_email_is_a_field_error_not_a_server_error(client):
    response = client.post("/konto/anmelden", data={"email": "kim\x00@example.org",
                                                     "password": "egal"})
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 400, 422)
    assert field_error(body, "email").startswith(MESSAGE)


def test_user_search_with_nul_shows_the_error_and_lists_all(client, auth, app):
    admin = factories.admin(email="admin@example.org")
    db.session.commit()
    auth.login(admin)
    response = client.get("/verwaltung/benutzer?q=adm%00in")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(body, "q").startswith(MESSAGE)
    assert 'value="admin"' in body


@pytest.mark.parametrize("path", ["/urkunde/pruefen/AB%00CD", "/preistraeger?preis=B%00IP",
                                  "/preistraeger?bezirk=%00", "/api/v1/preistraeger?page=1%00"])
def test_control_characters_in_addresses_never_give_a_server_error(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    if "/urkunde/" in path:
        assert response.status_code == 404


def test_control_characters_in_api_parameters_are_a_bad_request(client):
    """The open-data API checks parameters exactly: a value that was only a control
    character is empty, and an empty value is refused with problem+json."""
    response = client.get("/api/v1/preistraeger?prize=%00")
    assert (response.status_code, response.mimetype) == (400, "application/problem+json")


def test_every_form_of_the_app_derives_from_the_cleaning_base_form():
    for package in (awards.forms, awards.views):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(flask_wtf.FlaskForm) if c.__module__.startswith("awards.")]
    assert len(ours) > 20  # the walk really found the forms
    assert [c.__qualname__ for c in ours if not issubclass(c, BaseForm)] == []
