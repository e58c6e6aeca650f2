"""The attachments step: a file chosen there is never dropped silently, whichever button is
pressed. Every post goes through the step-4 form as the page renders it."""
import io

import pytest
from sqlalchemy import select

from awards.extensions import db
from awards.models.applications import Application, Attachment
from tests import factories
from tests.factories import image_bytes, minimal_pdf
from tests.rendered_forms import rendered_form


@pytest.fixture
def draft(app):
    comp = factories.competition(prize_code="BIP", year=2026)
    owner = factories.user(email="anlagen@example.org")
    return factories.application(competition=comp, owner=owner, project_title="Sprachcafé",
                                 current_step=4)


def step_url(application, step):
    return f"/bewerbung/{application.id}/schritt/{step}"


def step4_form(client, application):
    page = client.get(step_url(application, 4))
    assert page.status_code == 200
    form = rendered_form(page.get_data(as_text=True), form_id="application-form")
    assert form.enctype == "multipart/form-data"
    return form


def press(client, application, form, button):
    return client.post(form.action, data=form.data(button=button),
                       content_type="multipart/form-data")


def attachments():
    db.session.expire_all()
    return db.session.scalars(select(Attachment).order_by(Attachment.id)).all()


def test_file_chosen_then_save_and_next_is_uploaded_with_its_description(client, auth, draft):
    auth.login(draft.owner)
    form = step4_form(client, draft)
    assert ("action", "next") in form.buttons and ("action", "upload") in form.buttons
    form.fill(files=(io.BytesIO(minimal_pdf()), "Flyer.pdf"), file_description="Unser Flyer")
    response = press(client, draft, form, "next")
    assert response.status_code == 302
    assert response.location == step_url(draft, 5)
    assert [(a.filename, a.description) for a in attachments()] == [("Flyer.pdf", "Unser Flyer")]
    assert db.session.get(Application, draft.id).current_step == 5
    page = client.get(response.location).get_data(as_text=True)
    assert "1 Datei(en) hochgeladen." in page


def test_file_chosen_then_save_draft_is_uploaded(client, auth, draft):
    auth.login(draft.owner)
    form = step4_form(client, draft)
    form.fill(files=(io.BytesIO(minimal_pdf()), "Presse.pdf"))
    response = press(client, draft, form, "save")
    assert (response.status_code, response.location) == (302, step_url(draft, 4))
    assert [a.filename for a in attachments()] == ["Presse.pdf"]


def test_photo_with_image_rights_ticked_in_the_same_press_is_uploaded(client, auth, draft):
    auth.login(draft.owner)
    form = step4_form(client, draft)
    form.fill(files=(io.BytesIO(image_bytes("JPEG")), "foto.jpg"), image_rights_confirmed=True)
    response = press(client, draft, form, "next")
    assert response.location == step_url(draft, 5)
    assert [a.content_type for a in attachments()] == ["image/jpeg"]


def test_refused_file_on_save_and_next_stops_on_the_step_and_says_so(client, auth, draft):
    auth.login(draft.owner)
    form = step4_form(client, draft)
    form.fill(files=(io.BytesIO(image_bytes("JPEG")), "foto.jpg"), file_description="Fest")
    response = press(client, draft, form, "next")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "bestätigen Sie bitte zuerst die Bildrechte" in body
    assert "„foto.jpg“ wurde nicht gespeichert." in body
    assert attachments() == []
    assert db.session.get(Application, draft.id).current_step == 4
    # The description typed is kept in the form shown again.
    assert rendered_form(body, form_id="application-form").values["file_description"] == "Fest"


def test_save_and_next_without_a_file_moves_on_without_an_upload_error(client, auth, draft):
    auth.login(draft.owner)
    form = step4_form(client, draft)
    response = press(client, draft, form, "next")
    assert (response.status_code, response.location) == (302, step_url(draft, 5))
    assert attachments() == []
