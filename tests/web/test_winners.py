"""Public winners pages: embargo to the second, consent rules, guessed URLs, verification."""
from datetime import timedelta

import pytest

from awards.adapters.storage import get_storage
from awards.extensions import db
from awards.models.base import utcnow
from awards.enums import CompetitionStatus, Region
from awards.services import certificates, decisions
from awards.services.jury import release
from awards.timeutil import utc
from tests import factories

PUBLISH_AT = utc(2026, 5, 12, 16, 0, 0)


@pytest.fixture
def clock(app, monkeypatch):
    """Set the app's notion of 'now': clock.set(datetime)."""

    class Clock:
        def set(self, instant):
            monkeypatch.setitem(app.config, "CLOCK", lambda: instant)

    return Clock()


@pytest.fixture
def embargoed(app):
    comp, winners, others = factories.released_competition(
        winners=2, others=1, year=2026, publish_at=PUBLISH_AT,
        title="Bayerischer Integrationspreis")
    # The release happened before the embargo ends.
    rel = decisions.release_of(comp)
    rel.released_at = PUBLISH_AT - timedelta(days=10)
    db.session.commit()
    return comp, winners, others


def _neutral(html, number):
    """The page without the requested path and the CSRF token, which always differ."""
    import re

    html = html.replace(f"/{number}", "/N")
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def _urls(comp, winners):
    from awards.services.decisions import decision_for

    d = decision_for(winners[0])
    return [
        "/preistraeger",
        f"/preistraeger/BIP/{comp.year}",
        f"/preistraeger/BIP/{comp.year}/{d.id}",
        "/api/v1/preistraeger",
    ]


def test_winner_invisible_one_second_before_publication(client, embargoed, clock):
    comp, winners, _ = embargoed
    clock.set(PUBLISH_AT - timedelta(seconds=1))
    overview = client.get("/preistraeger")
    assert overview.status_code == 200
    assert winners[0].project_title not in overview.get_data(as_text=True)
    assert "0 ausgezeichnete Projekte" in overview.get_data(as_text=True)
    assert client.get(f"/preistraeger/BIP/{comp.year}").status_code == 404
    project_url = _urls(comp, winners)[2]
    assert client.get(project_url).status_code == 404
    assert client.get("/api/v1/preistraeger").get_json()["data"] == []


def test_winner_visible_one_second_after_publication(client, embargoed, clock):
    comp, winners, _ = embargoed
    clock.set(PUBLISH_AT + timedelta(seconds=1))
    page = client.get(f"/preistraeger/BIP/{comp.year}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Preisträgerinnen und Preisträger {comp.year}" in html
    assert winners[0].project_title in html and winners[1].project_title in html
    assert winners[0].org_name in html
    assert client.get(_urls(comp, winners)[2]).status_code == 200
    feed = client.get("/api/v1/preistraeger").get_json()
    assert [w["project_title"] for w in feed["data"]] == [winners[0].project_title, winners[1].project_title]


def test_winner_visible_exactly_at_publication_instant(client, embargoed, clock):
    comp, winners, _ = embargoed
    clock.set(PUBLISH_AT)
    assert client.get(f"/preistraeger/BIP/{comp.year}").status_code == 200


def test_published_by_hand_before_planned_time(client, embargoed, clock):
    comp, winners, _ = embargoed
    factories.publish(comp, at=PUBLISH_AT - timedelta(hours=2))
    db.session.commit()
    clock.set(PUBLISH_AT - timedelta(hours=1))
    assert client.get(f"/preistraeger/BIP/{comp.year}").status_code == 200


def test_unreleased_competition_is_never_public_even_when_time_passed(client, app, clock):
    comp = factories.competition(status=CompetitionStatus.JURY, publish_at=PUBLISH_AT, year=2026)
    application = factories.submitted_application(comp, consent_publish_text=True)
    decision = factories.decide(application)
    db.session.commit()
    clock.set(PUBLISH_AT + timedelta(days=1))
    assert client.get("/preistraeger/BIP/2026").status_code == 404
    assert client.get(f"/preistraeger/BIP/2026/{decision.id}").status_code == 404
    assert application.project_title not in client.get("/preistraeger").get_data(as_text=True)


def test_guessed_urls_of_embargoed_winners_answer_404_like_missing_ones(client, embargoed, clock):
    comp, winners, _ = embargoed
    clock.set(PUBLISH_AT - timedelta(seconds=1))
    from awards.services.decisions import decision_for

    real = decision_for(winners[0]).id
    missing = client.get(f"/preistraeger/BIP/{comp.year}/{real + 1000}")
    guessed = client.get(f"/preistraeger/BIP/{comp.year}/{real}")
    assert (guessed.status_code, missing.status_code) == (404, 404)
    assert _neutral(guessed.get_data(as_text=True), real) == _neutral(missing.get_data(as_text=True), real + 1000)
    assert client.get(f"/preistraeger/bip/{comp.year}/{real}").status_code == 404
    assert client.get(f"/preistraeger?jahr={comp.year}&preis=BIP").get_data(as_text=True).count(winners[0].project_title) == 0


def test_project_url_with_wrong_prize_or_year_is_404(client, embargoed, clock):
    comp, winners, _ = embargoed
    clock.set(PUBLISH_AT + timedelta(seconds=1))
    from awards.services.decisions import decision_for

    real = decision_for(winners[0]).id
    assert client.get(f"/preistraeger/OBB/{comp.year}/{real}").status_code == 404
    assert client.get(f"/preistraeger/BIP/{comp.year - 1}/{real}").status_code == 404


def test_photo_hidden_before_publication_and_stripped_after(client, embargoed, clock):
    comp, winners, _ = embargoed
    attachment = factories.photo_attachment(winners[0], storage=get_storage())
    db.session.commit()
    clock.set(PUBLISH_AT - timedelta(seconds=1))
    assert client.get(f"/preistraeger/foto/{attachment.id}").status_code == 404
    clock.set(PUBLISH_AT + timedelta(seconds=1))
    response = client.get(f"/preistraeger/foto/{attachment.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    original = get_storage().read(attachment.storage_key)
    assert b"GEHEIM-GPS" in original
    assert b"GEHEIM-GPS" not in response.data
    from awards.services.decisions import decision_for

    page = client.get(f"/preistraeger/BIP/{comp.year}/{decision_for(winners[0]).id}").get_data(as_text=True)
    assert f"/preistraeger/foto/{attachment.id}" in page


def _published(consents):
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025, consent=False)
    application = winners[0]
    for name, value in consents.items():
        setattr(application, name, value)
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    db.session.commit()
    from awards.services.decisions import decision_for

    return comp, application, decision_for(application)


def test_consent_name_only_shows_name_and_place_not_text(client, app):
    comp, application, decision = _published({"consent_publish_name": True})
    application.city = "Bamberg"
    db.session.commit()
    html = client.get(f"/preistraeger/BIP/2025/{decision.id}").get_data(as_text=True)
    assert application.org_name in html and "Bamberg" in html
    assert application.project_title not in html
    assert application.summary not in html
    assert "Ausgezeichnetes Projekt" in html


def test_consent_text_only_shows_title_and_summary_not_name(client, app):
    comp, application, decision = _published({"consent_publish_text": True})
    html = client.get(f"/preistraeger/BIP/2025/{decision.id}").get_data(as_text=True)
    assert application.project_title in html and application.summary in html
    assert application.org_name not in html
    assert application.city not in html
    assert "Name nicht veröffentlicht" in html


def test_photo_without_consent_is_not_shown_or_served(client, app):
    comp, application, decision = _published({"consent_publish_text": True,
                                              "image_rights_confirmed": True})
    attachment = factories.photo_attachment(application, storage=get_storage())
    db.session.commit()
    html = client.get(f"/preistraeger/BIP/2025/{decision.id}").get_data(as_text=True)
    assert "/preistraeger/foto/" not in html
    assert client.get(f"/preistraeger/foto/{attachment.id}").status_code == 404


def test_withdrawn_consent_removes_name_text_and_photo(client, app):
    comp, application, decision = _published({"consent_publish_name": True, "consent_publish_text": True,
                                              "consent_publish_photos": True, "image_rights_confirmed": True})
    attachment = factories.photo_attachment(application, storage=get_storage())
    db.session.commit()
    url = f"/preistraeger/BIP/2025/{decision.id}"
    html = client.get(url).get_data(as_text=True)
    assert application.org_name in html and application.project_title in html
    assert client.get(f"/preistraeger/foto/{attachment.id}").status_code == 200
    application.consent_publish_name = False
    application.consent_publish_text = False
    application.consent_publish_photos = False
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert application.org_name not in html
    assert application.project_title not in html
    assert client.get(f"/preistraeger/foto/{attachment.id}").status_code == 404
    feed = client.get("/api/v1/preistraeger").get_json()["data"][0]
    assert (feed["laureate"], feed["project_title"], feed["summary"], feed["photos"]) == (None, None, None, [])


def test_overview_filters_by_year_prize_and_region(client, app):
    a_comp, a_win, _ = factories.released_competition(winners=1, others=0, prize_code="BIP", year=2024)
    b_comp, b_win, _ = factories.released_competition(winners=1, others=0, prize_code="UFR", year=2025)
    for comp in (a_comp, b_comp):
        factories.publish(comp, at=utcnow() - timedelta(days=1))
    a_win[0].region = Region.OBB
    db.session.commit()
    both = client.get("/preistraeger").get_data(as_text=True)
    assert a_win[0].project_title in both and b_win[0].project_title in both
    only_2024 = client.get("/preistraeger?jahr=2024").get_data(as_text=True)
    assert a_win[0].project_title in only_2024 and b_win[0].project_title not in only_2024
    only_ufr = client.get("/preistraeger?preis=UFR").get_data(as_text=True)
    assert b_win[0].project_title in only_ufr and a_win[0].project_title not in only_ufr
    only_obb = client.get("/preistraeger?bezirk=OBB").get_data(as_text=True)
    assert a_win[0].project_title in only_obb and b_win[0].project_title not in only_obb
    assert "1 ausgezeichnetes Projekt" in only_obb


def test_overview_pages_through_many_winners(client, app):

    comp = factories.competition(status=CompetitionStatus.JURY,
                                 year=2023, categories=[("Preis", 1, 10000, 30)], budget_cents=300000)
    apps = [factories.submitted_application(comp, consent_publish_text=True, project_title=f"Projekt Nummer {i:02d}")
            for i in range(25)]
    for a in apps:
        factories.decide(a)
    release.release_decisions(actor=None, competition=comp)
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    db.session.commit()
    first = client.get("/preistraeger").get_data(as_text=True)
    second = client.get("/preistraeger?seite=2").get_data(as_text=True)
    assert first.count("Projekt Nummer") == 20 and second.count("Projekt Nummer") == 5
    assert "Projekt Nummer 00" in first and "Projekt Nummer 24" in second
    assert client.get("/preistraeger?seite=3").status_code == 404


def test_overview_answers_304_when_unchanged(client, app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    db.session.commit()
    first = client.get("/preistraeger/BIP/2025")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/preistraeger/BIP/2025", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_overview_for_logged_in_user_is_private(client, app, auth):

    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    user = factories.user()
    db.session.commit()
    auth.login(user)
    response = client.get("/preistraeger/BIP/2025")
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_verification_page_genuine_code_shows_laureate_prize_year(client, app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025,
                                               title="Bayerischer Integrationspreis")
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    cert, _ = certificates.ensure_certificate(actor=None, application=winners[0], storage=get_storage())
    db.session.commit()
    response = client.get(f"/urkunde/pruefen/{cert.code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Diese Urkunde ist echt." in html
    assert winners[0].org_name in html and "Bayerischer Integrationspreis 2025" in html
    assert "1. Preis" in html
    lower = client.get(f"/urkunde/pruefen/{cert.code.lower().replace('-', '')}")
    assert "Diese Urkunde ist echt." in lower.get_data(as_text=True)


def test_verification_page_forged_code_says_not_genuine(client, app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    cert, _ = certificates.ensure_certificate(actor=None, application=winners[0], storage=get_storage())
    db.session.commit()
    forged = ("2222" if not cert.code.startswith("2222") else "3333") + cert.code[4:]
    for code in (forged, "nonsense", "ABCD-EFGH-JKMN"):
        response = client.get(f"/urkunde/pruefen/{code}")
        html = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "Zu diesem Prüfcode gibt es keine Urkunde." in html
        assert winners[0].org_name not in html


def test_verification_under_embargo_reveals_nothing(client, embargoed, clock):
    comp, winners, _ = embargoed
    clock.set(PUBLISH_AT - timedelta(seconds=1))
    cert, _ = certificates.ensure_certificate(actor=None, application=winners[0], storage=get_storage())
    db.session.commit()
    html = client.get(f"/urkunde/pruefen/{cert.code}").get_data(as_text=True)
    assert "noch nicht veröffentlicht" in html
    assert winners[0].org_name not in html and winners[0].project_title not in html


def test_verification_form_redirects_to_normalised_code(client, app):
    response = client.get("/urkunde/pruefen?code=ab cd-efgh jkmn")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/urkunde/pruefen/ABCD-EFGH-JKMN")
    assert "Prüfcode eingeben" in client.get("/urkunde/pruefen").get_data(as_text=True)
