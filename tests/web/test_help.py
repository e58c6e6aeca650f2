import pytest


@pytest.mark.parametrize("audience, heading", [
    ("bewerbende", "Hilfe für Bewerbende"),
    ("jury", "Hilfe für Jurymitglieder"),
    ("geschaeftsstelle", "Hilfe für die Geschäftsstelle"),
])
def test_help_page_for_each_audience(client, audience, heading):
    response = client.get(f"/hilfe/{audience}")
    assert response.status_code == 200
    assert f'<h1 class="kern-heading-large">{heading}</h1>' in response.get_data(as_text=True)


def test_help_index_links_every_audience(client):
    html = client.get("/hilfe/").get_data(as_text=True)
    for audience in ("bewerbende", "jury", "geschaeftsstelle"):
        assert f'href="/hilfe/{audience}"' in html


def test_unknown_help_page_is_404(client):
    assert client.get("/hilfe/unbekannt").status_code == 404


def test_footer_links_help(client):
    assert 'href="/hilfe/"' in client.get("/").get_data(as_text=True)


def test_role_start_pages_and_forms_link_their_help(app, client, auth):
    from awards.enums import ApplicationStatus
    from tests import factories

    staff = factories.staff()
    auth.login(staff)
    assert 'href="/hilfe/geschaeftsstelle"' in client.get("/geschaeftsstelle/").get_data(as_text=True)
    auth.logout()

    comp = factories.competition(prize_code="BIP", year=2050)
    applicant = factories.user()
    application = factories.application(competition=comp, owner=applicant,
                                        status=ApplicationStatus.DRAFT)
    juror = factories.juror(comp)
    auth.login(applicant)
    assert 'href="/hilfe/bewerbende"' in client.get("/bewerbung/").get_data(as_text=True)
    step4 = client.get(f"/bewerbung/{application.id}/schritt/4").get_data(as_text=True)
    assert 'href="/hilfe/bewerbende#anlagen"' in step4
    auth.logout()
    auth.login(juror)
    assert 'href="/hilfe/jury"' in client.get("/jury/").get_data(as_text=True)


@pytest.mark.parametrize("audience, heading, text", [
    ("bewerbende", "Help for applicants", "How applying works"),
    ("jury", "Help for jury members", "Declaring a conflict of interest"),
    ("geschaeftsstelle", "Help for the prize office", "A prize from start to finish"),
])
def test_help_pages_in_english(client, audience, heading, text):
    client.get("/sprache/en")
    html = client.get(f"/hilfe/{audience}").get_data(as_text=True)
    assert f'<h1 class="kern-heading-large">{heading}</h1>' in html and text in html
    assert 'lang="en"' in html
    index = client.get("/hilfe/").get_data(as_text=True)
    assert heading in index


def test_english_help_says_the_same_sections_as_the_german(client):
    """Every section (heading anchor) of a German help page exists in the English one."""
    import re

    from flask_babel import refresh

    def sections(lang, audience):
        refresh()  # the test's requests share one app context, where Babel keeps the locale
        client.get(f"/sprache/{lang}")
        html = client.get(f"/hilfe/{audience}").get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        return set(re.findall(r'<h2 [^>]*id="([^"]+)"', html)), html

    for audience in ("bewerbende", "jury", "geschaeftsstelle"):
        german, german_html = sections("de", audience)
        english, english_html = sections("en", audience)
        assert german and german <= english, audience
        assert german_html != english_html


def test_legal_pages_say_they_are_german_only_in_english(client):
    from flask_babel import refresh

    german = client.get("/seite/impressum").get_data(as_text=True)
    assert '<div lang="de">' in german and "available in German only" not in german
    refresh()  # the test's requests share one app context, where Babel keeps the locale
    client.get("/sprache/en")
    english = client.get("/seite/impressum").get_data(as_text=True)
    assert "This page is available in German only." in english
    assert '<div lang="de">' in english and 'lang="en"' in english
