"""A laureate withdraws a consent to publication on "Meine Daten": it holds at once, on
cached public pages too, stripped photo copies are deleted, and only the owner can do it."""
from datetime import timedelta

from awards.adapters.storage import get_storage
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.base import utcnow
from awards.services import publication
from awards.services.decisions import decision_for
from tests import factories

PASSWORD = "Passwort-123456"


def _published_winner():
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    winner = winners[0]
    winner.city = "Regensburg"
    photo = factories.photo_attachment(winner, storage=get_storage())
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    db.session.commit()
    return comp, winner, photo, decision_for(winner)


def _withdraw(client, application, consent):
    return client.post(f"/konto/meine-daten/einwilligung/{application.id}", data={"consent": consent})


def test_overview_lists_consents_of_submitted_applications_only(client, auth):
    comp, winner, _, _ = _published_winner()
    draft = factories.application(competition=comp, owner=winner.owner, project_title="Mein Entwurf")
    db.session.commit()
    auth.login(winner.owner)
    html = client.get("/konto/meine-daten/").get_data(as_text=True)
    assert "Einwilligungen zur Veröffentlichung" in html
    assert winner.project_title in html
    assert html.count("Einwilligung widerrufen") == 3
    assert f"/konto/meine-daten/einwilligung/{draft.id}" not in html


def test_withdrawn_name_consent_leaves_the_public_page_at_once(client, auth):
    comp, winner, _, decision = _published_winner()
    url = f"/preistraeger/BIP/2025/{decision.id}"
    name = winner.org_name
    assert name in client.get(url).get_data(as_text=True)
    assert name in client.get(url).get_data(as_text=True)  # cached now
    auth.login(winner.owner)
    response = _withdraw(client, winner, "name")
    assert response.status_code == 302 and response.location.endswith("#einwilligungen")
    auth.logout()
    html = client.get(url).get_data(as_text=True)
    assert name not in html and "Regensburg" not in html
    assert winner.project_title in html  # the other consents still hold
    entry = db.session.query(AuditLog).filter_by(action="privacy.consent_withdraw").one()
    assert (entry.old, entry.new) == ({"consent_publish_name": True}, {"consent_publish_name": False})
    assert entry.actor_id == winner.owner.id


def test_withdrawn_photo_consent_deletes_the_public_copies(client, auth):
    comp, winner, photo, decision = _published_winner()
    storage = get_storage()
    assert client.get(f"/preistraeger/foto/{photo.id}").status_code == 200
    copy = publication.stripped_photo_key(photo)
    assert storage.exists(copy)
    auth.login(winner.owner)
    _withdraw(client, winner, "photos")
    assert not storage.exists(copy)
    assert storage.exists(photo.storage_key)  # the original stays with the application
    assert client.get(f"/preistraeger/foto/{photo.id}").status_code == 404
    html = client.get(f"/preistraeger/BIP/2025/{decision.id}").get_data(as_text=True)
    assert f"/preistraeger/foto/{photo.id}" not in html


def test_withdrawn_consent_shows_as_withdrawn_and_cannot_be_withdrawn_twice(client, auth):
    comp, winner, _, _ = _published_winner()
    auth.login(winner.owner)
    _withdraw(client, winner, "text")
    html = client.get("/konto/meine-daten/").get_data(as_text=True)
    assert "Ihr Widerruf ist gespeichert" in html
    assert html.count("Einwilligung widerrufen") == 2
    assert _withdraw(client, winner, "text").status_code == 302
    assert db.session.query(AuditLog).filter_by(action="privacy.consent_withdraw").count() == 1


def test_only_the_owner_can_withdraw(client, auth):
    comp, winner, _, _ = _published_winner()
    stranger = factories.user()
    db.session.commit()
    auth.login(stranger)
    assert _withdraw(client, winner, "name").status_code == 404
    db.session.refresh(winner)
    assert winner.consent_publish_name is True


def test_unknown_consent_and_drafts_are_refused(client, auth):
    comp, winner, _, _ = _published_winner()
    draft = factories.application(competition=comp, owner=winner.owner,
                                  consent_publish_name=True)
    db.session.commit()
    auth.login(winner.owner)
    assert _withdraw(client, winner, "everything").status_code == 400
    assert _withdraw(client, draft, "name").status_code == 400
    db.session.refresh(draft)
    assert draft.consent_publish_name is True


def test_withdrawal_needs_the_form_token(app, client, auth):
    comp, winner, _, _ = _published_winner()
    auth.login(winner.owner)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert _withdraw(client, winner, "name").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.refresh(winner)
    assert winner.consent_publish_name is True
