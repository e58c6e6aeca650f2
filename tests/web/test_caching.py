from tests import factories


def test_public_page_has_etag_and_public_cache_control(client):
    factories.competition(prize_code="BIP", year=2033)
    response = client.get("/ausschreibungen")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["ETag"]


def test_public_page_answers_304_for_matching_etag(client):
    factories.competition(prize_code="BIP", year=2034)
    etag = client.get("/ausschreibungen").headers["ETag"]
    again = client.get("/ausschreibungen", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_page_with_a_form_token_is_private(client):
    response = client.get("/konto/anmelden")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers


def test_public_page_for_logged_in_user_is_private(client, auth):
    user = factories.user()
    auth.login(user)
    response = client.get("/ausschreibungen")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_language_switch_link_sets_english(client):
    response = client.get("/sprache/en?next=/ausschreibungen")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ausschreibungen"
    html = client.get("/ausschreibungen").get_data(as_text=True)
    assert '<html lang="en">' in html


def test_language_switch_refuses_foreign_redirect(client):
    response = client.get("/sprache/de?next=https://evil.example/")
    assert response.headers["Location"] == "/"
