"""JSON callers (the autosave of applicant.js, the open-data API) get JSON for every error:
400, 403, 404, 405, 409, 413 and 500 — never an HTML page."""
import pytest

from awards.enums import ApplicationStatus
from awards.extensions import db
from awards.services import applications as application_service
from awards.services import publication
from tests import factories


@pytest.fixture
def draft(app):
    competition = factories.competition(prize_code="BIP", year=2026)
    owner = factories.user(email="bewerberin@example.org")
    return factories.application(competition=competition, owner=owner)


def autosave(client, application_id, **data):
    return client.post(f"/bewerbung/{application_id}/autosave",
                       data={"step": "2", **data}, headers={"Accept": "application/json"})


def assert_json_error(response, status):
    assert (response.status_code, response.mimetype) == (status, "application/json")
    assert response.json["error"] == status
    assert response.json["message"]
    assert "<html" not in response.get_data(as_text=True)


def test_autosave_unknown_or_foreign_application_is_404_json(client, auth, draft):
    auth.login(draft.owner)
    assert_json_error(autosave(client, 99999), 404)
    other = factories.application(competition=draft.competition,
                                  owner=factories.user(email="fremd@example.org"))
    db.session.commit()
    assert_json_error(autosave(client, other.id), 404)


def test_autosave_huge_id_is_404_json(client, auth, draft):
    auth.login(draft.owner)
    assert_json_error(autosave(client, 99999999999999999999), 404)


def test_autosave_without_csrf_token_is_400_json(app, client, auth, draft):
    auth.login(draft.owner)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = autosave(client, draft.id, goals="x")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert_json_error(response, 400)
    assert response.json["message"].startswith("Das Formular ist abgelaufen.")


def test_autosave_of_submitted_application_is_409_json(client, auth, draft):
    draft.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    auth.login(draft.owner)
    response = autosave(client, draft.id, goals="x")
    assert (response.status_code, response.json["error"]) == (409, "frozen")


def test_autosave_too_large_is_413_json(app, client, auth, draft):
    auth.login(draft.owner)
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        response = autosave(client, draft.id, goals="x" * 5000)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved
    assert_json_error(response, 413)


def test_autosave_get_is_405_json(client, auth, draft):
    auth.login(draft.owner)
    assert_json_error(client.get(f"/bewerbung/{draft.id}/autosave"), 405)


def test_autosave_server_error_is_500_json(app, client, auth, draft, monkeypatch):
    auth.login(draft.owner)

    def broken(**kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(application_service, "save_draft", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = autosave(client, draft.id, goals="x")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert_json_error(response, 500)


def test_forbidden_page_asked_for_json_is_403_json(client, auth, draft):
    auth.login(draft.owner)
    response = client.get("/geschaeftsstelle/", headers={"Accept": "application/json"})
    assert_json_error(response, 403)
    # A browser asking for HTML still gets the page.
    page = client.get("/geschaeftsstelle/")
    assert (page.status_code, page.mimetype) == (403, "text/html")


def assert_problem(response, status):
    """The open-data API answers errors as problem+json (RFC 9457), as its document says."""
    assert (response.status_code, response.mimetype) == (status, "application/problem+json")
    assert response.json["status"] == status
    assert response.json["title"] and response.json["detail"]
    assert "<html" not in response.get_data(as_text=True)


def test_api_errors_are_json(app, client, monkeypatch):
    assert_problem(client.get("/api/v1/gibt-es-nicht"), 404)
    assert_problem(client.post("/api/v1/preistraeger"), 405)

    def broken(**kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(publication, "list_winners", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/api/v1/preistraeger?page=2")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert_problem(response, 500)
