"""Open data API: the JSON feed validates against the OpenAPI 3.1 document the app serves."""
from datetime import timedelta

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from awards.adapters.storage import get_storage
from awards.extensions import db
from awards.models.base import utcnow
from tests import factories


def _validator(client, schema_name="WinnerList"):
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = {**spec["components"]["schemas"][schema_name], "components": spec["components"]}
    return OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER)


@pytest.fixture
def published(app):
    comp, winners, others = factories.released_competition(winners=3, others=1, year=2025,
                                                    title="Bayerischer Integrationspreis")
    winners[1].consent_publish_name = False
    winners[2].consent_publish_text = False
    factories.photo_attachment(winners[0], storage=get_storage())
    factories.publish(comp, at=utcnow() - timedelta(hours=1))
    db.session.commit()
    return comp, winners


def test_openapi_document_is_valid_openapi_31(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    validate_spec(spec)
    assert set(spec["paths"]) == {
        "/preistraeger", "/preistraeger.csv", "/preistraeger/{id}", "/ausschreibungen",
        "/ausschreibungen.csv", "/ausschreibungen/{id}", "/ausschreibungen/{id}/preistraeger",
        "/statistik", "/statistik.csv", "/katalog"}


def test_feed_validates_against_served_openapi_schema(client, published):
    comp, winners = published
    body = client.get("/api/v1/preistraeger").get_json()
    errors = sorted(_validator(client).iter_errors(body), key=str)
    assert errors == []
    assert body["meta"] == {"total": 3, "page": 1, "per_page": 50, "pages": 1,
                            "license": "Datenlizenz Deutschland – Namensnennung – Version 2.0"}
    first, second, third = body["data"]
    assert (first["category"], first["amount_cents"], first["year"]) == ("1. Preis", 400000, 2025)
    assert first["prize"] == {"code": "BIP", "title": "Bayerischer Integrationspreis", "motto": "Testmotto"}
    assert first["laureate"] == winners[0].org_name
    assert first["links"] == {"self": f"http://localhost/api/v1/preistraeger/{first['id']}",
                              "call": f"http://localhost/api/v1/ausschreibungen/{comp.id}"}
    assert len(first["photos"]) == 1 and "/preistraeger/foto/" in first["photos"][0]
    assert (second["laureate"], second["place"]) == (None, None)
    assert second["project_title"] == winners[1].project_title
    assert (third["project_title"], third["summary"]) == (None, None)


def test_feed_schema_rejects_extra_personal_fields(client, published):
    """The schema is strict: a feed leaking e.g. an e-mail address would fail validation."""
    body = client.get("/api/v1/preistraeger").get_json()
    body["data"][0]["email"] = "leak@example.org"
    assert [e.validator for e in _validator(client).iter_errors(body)] == ["additionalProperties"]
    assert "@example.org" not in client.get("/api/v1/preistraeger").get_data(as_text=True)


def test_feed_filters_and_pages(client, published):
    body = client.get("/api/v1/preistraeger?per_page=2&page=2&year=2025&prize=BIP").get_json()
    assert [w["rank"] for w in body["data"]] == [3]
    assert body["meta"]["pages"] == 2
    assert "page=1" in body["links"]["prev"] and "next" not in body["links"]
    assert body["links"]["first"].endswith("page=1&per_page=2&year=2025&prize=BIP")
    assert client.get("/api/v1/preistraeger?year=2019").get_json()["data"] == []
    assert _validator(client).is_valid(body)


def test_feed_rejects_bad_parameters_with_problem_json(client, published):
    response = client.get("/api/v1/preistraeger?per_page=1000")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert _validator(client, "Problem").is_valid(response.get_json())
    assert client.get("/api/v1/preistraeger?region=XYZ").status_code == 400
    assert client.get("/api/v1/preistraeger?year=abc").status_code == 400


def test_feed_is_cacheable_with_etag(client, published):
    first = client.get("/api/v1/preistraeger")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["ETag"]
    again = client.get("/api/v1/preistraeger", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_feed_etag_changes_when_consent_is_withdrawn(client, published):
    comp, winners = published
    etag = client.get("/api/v1/preistraeger").headers["ETag"]
    winners[0].consent_publish_name = False
    db.session.commit()
    after = client.get("/api/v1/preistraeger", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.get_json()["data"][0]["laureate"] is None


def test_feed_is_empty_for_unpublished_competitions(client, app):
    factories.released_competition(winners=2, others=0, year=2026)  # released, not published
    db.session.commit()
    body = client.get("/api/v1/preistraeger").get_json()
    assert (body["data"], body["meta"]["total"]) == ([], 0)
