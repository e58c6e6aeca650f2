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
