"""Form data posted after the login expired is kept only within limits: fields of the step,
size per field and in all, count per client and in all, a rate limit, and an age."""
import copy
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from awards import create_app
from awards.enums import ApplicationStatus
from awards.extensions import db, limiter
from awards.models.applications import Application, FormStash
from awards.services import applications as service
from tests import factories

NOT_KEPT = "Ihre Eingaben konnten wir nicht vormerken"
KEPT = "Ihre Eingaben sind vorgemerkt"


@pytest.fixture
def draft(app):
    comp = factories.competition(prize_code="BIP", year=2026)
    owner = factories.user(email="bewerberin@example.org")
    application = factories.application(competition=comp, owner=owner, project_title="Alt")
    db.session.commit()
    return application


def step_url(application, step=2):
    return f"/bewerbung/{application.id}/schritt/{step}"


def stashes():
    db.session.expire_all()
    return db.session.scalars(select(FormStash).order_by(FormStash.id)).all()


def post_logged_out(client, application, data, addr="198.51.100.7"):
    response = client.post(step_url(application), data={"action": "save", **data},
                           environ_base={"REMOTE_ADDR": addr})
    assert response.status_code == 302
    assert response.location == f"/konto/anmelden?next=/bewerbung/{application.id}/schritt/2"
    flashes = client.get("/konto/anmelden").get_data(as_text=True)
    return KEPT in flashes, NOT_KEPT in flashes


def test_stash_keeps_only_the_fields_of_the_step(client, draft):
    kept = post_logged_out(client, draft, {"project_title": "Neu", "org_name": "anderer Schritt",
                                           "junk": "x" * 1000, "version": "1"})
    assert kept == (True, False)
    assert [s.data for s in stashes()] == [{"project_title": ["Neu"], "version": ["1"]}]


def test_stash_keeps_one_value_per_field(client, draft):
    client.post(step_url(draft), data={"project_title": ["eins", "zwei", "drei"]})
    assert [s.data for s in stashes()] == [{"project_title": ["eins"]}]


def test_stash_refuses_a_field_over_its_size(client, draft):
    kept = post_logged_out(client, draft, {"description": "x" * (service.STASH_MAX_FIELD_CHARS + 1)})
    assert kept == (False, True)
    assert stashes() == []


def test_stash_takes_a_field_of_its_size(client, draft):
    kept = post_logged_out(client, draft, {"description": "x" * service.STASH_MAX_FIELD_CHARS})
    assert kept == (True, False)
    assert len(stashes()[0].data["description"][0]) == service.STASH_MAX_FIELD_CHARS


def test_stash_refuses_more_than_the_total_size(client, draft):
    big = "x" * service.STASH_MAX_FIELD_CHARS
    kept = post_logged_out(client, draft, {"description": big, "summary": big, "goals": big})
    assert service.STASH_MAX_CHARS < 3 * len(big)
    assert kept == (False, True)
    assert stashes() == []


def test_stash_count_per_client_keeps_the_newest(client, draft):
    for n in range(5):
        post_logged_out(client, draft, {"project_title": f"Versuch {n}"})
    assert [s.data["project_title"] for s in stashes()] == [["Versuch 2"], ["Versuch 3"],
                                                           ["Versuch 4"]]
    assert service.STASH_MAX_PER_CLIENT == 3
    # Another client is counted on its own.
    post_logged_out(client, draft, {"project_title": "anderswo"}, addr="203.0.113.9")
    assert len(stashes()) == 4
    # Only a keyed hash of the address is stored.
    assert all("198.51.100.7" not in (s.client_key or "") and len(s.client_key) == 64
               for s in stashes())


def test_stash_total_count_is_capped(client, draft, monkeypatch):
    monkeypatch.setattr(service, "STASH_MAX_TOTAL", 2)
    assert post_logged_out(client, draft, {"project_title": "a"}, addr="192.0.2.1") == (True, False)
    assert post_logged_out(client, draft, {"project_title": "b"}, addr="192.0.2.2") == (True, False)
    assert post_logged_out(client, draft, {"project_title": "c"}, addr="192.0.2.3") == (False, True)
    assert [s.data["project_title"] for s in stashes()] == [["a"], ["b"]]


def test_stash_of_a_submitted_application_is_refused(client, draft):
    draft.status = ApplicationStatus.SUBMITTED
    db.session.commit()
    assert post_logged_out(client, draft, {"project_title": "x"}) == (False, True)
    assert stashes() == []


def test_stash_expires(client, auth, draft):
    post_logged_out(client, draft, {"project_title": "zu spät"})
    old = stashes()[0]
    old.created_at = old.created_at - service.STASH_MAX_AGE - timedelta(seconds=1)
    db.session.commit()
    # The owner comes back too late: nothing is restored ...
    auth.login(draft.owner)
    body = client.get(step_url(draft)).get_data(as_text=True)
    assert "wiederhergestellt" not in body
    assert db.session.get(Application, draft.id).project_title == "Alt"
    # ... and an expired stash is purged by the next one anyone makes.
    from flask import g

    g.pop("_login_user", None)  # the tests share one app context
    post_logged_out(client.application.test_client(), draft, {"project_title": "neu"},
                    addr="203.0.113.1")
    assert [s.data["project_title"] for s in stashes()] == [["neu"]]


@pytest.fixture
def limited_client(database_url, tmp_path, app):
    saved = copy.copy(limiter.__dict__)
    limiter._key_prefix = ""
    limited = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                         STORAGE_DIR=str(tmp_path), RATELIMIT_ENABLED=True,
                         RATELIMIT_STORAGE_URI="memory://")
    yield limited.test_client()
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_stash_posts_of_logged_out_visitors_are_rate_limited(limited_client, draft):
    codes = [limited_client.post(step_url(draft), data={"project_title": f"{n}"}).status_code
             for n in range(11)]
    assert codes == [302] * 10 + [429]
    assert db.session.scalar(select(func.count(FormStash.id))) == service.STASH_MAX_PER_CLIENT


def test_stash_rate_limit_spares_logged_in_applicants(limited_client, draft):
    limited_client.post("/konto/anmelden", data={"email": draft.owner.email,
                                                 "password": factories.PASSWORD})
    codes = {limited_client.post(step_url(draft), data={"action": "save",
                                                        "project_title": f"T{n}"}).status_code
             for n in range(12)}
    assert codes == {302}
    assert stashes() == []
