from awards.enums import CompetitionStatus
from tests import factories


def test_index_lists_open_competition(client):
    factories.competition(prize_code="BIP", year=2031, title="Bayerischer Integrationspreis")
    response = client.get("/")
    assert response.status_code == 200
    assert "Bayerischer Integrationspreis 2031" in response.get_data(as_text=True)


def test_draft_competition_is_not_public(client):
    factories.competition(prize_code="OBB", year=2032, status=CompetitionStatus.DRAFT)
    assert client.get("/ausschreibungen/OBB/2032").status_code == 404


def test_unknown_page_gives_german_404(client):
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)
