"""Open data beyond the winners list: calls, single winners, winners per call, statistics,
CSV beside JSON; embargo and consent in every endpoint and format; web conventions."""
import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from openapi_schema_validator import OAS31Validator

from awards.enums import ApplicantType, CompetitionStatus, Region
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.decisions import Decision, DecisionRelease
from awards.models.publication import PublicationState
from awards.services import publication_state
from awards.views import api
from tests import factories


def _validator(client, schema_name):
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = {**spec["components"]["schemas"][schema_name], "components": spec["components"]}
    return OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER)


def _decision_id(application):
    return db.session.scalar(db.select(Decision.id).where(
        Decision.application_id == application.id))


def _csv_rows(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.fixture
def embargoed(app):
    """Released, with the ceremony (publication) tomorrow: nothing may be public yet."""
    comp, winners, others = factories.released_competition(
        winners=2, others=0, year=2026, prize_code="UFR", title="Integrationspreis Unterfranken",
        publish_at=utcnow() + timedelta(days=1))
    winners[0].org_name = "Sperrfrist-Verein (geheim)"
    db.session.commit()
    return comp, winners


@pytest.fixture
def published(app):
    comp, winners, others = factories.released_competition(winners=3, others=6, year=2025,
                                                    title="Bayerischer Integrationspreis")
    winners[0].org_name = "Nachbarschaftshilfe Beispielstadt (erfunden)"
    winners[1].consent_publish_name = False
    winners[1].org_name = "Ohne-Einwilligung e. V. (erfunden)"
    winners[2].consent_publish_text = False
    winners[2].project_title = "Titel ohne Einwilligung (erfunden)"
    factories.publish(comp, at=utcnow() - timedelta(hours=1))
    db.session.commit()
    _changed_a_minute_ago()
    return comp, winners, others


def _changed_a_minute_ago(ago=timedelta(minutes=1)):
    """The last change a minute back, as if the data had rested since: an answer carries a
    Last-Modified only for a second that is over."""
    db.session.execute(update(DecisionRelease).values(released_at=utcnow() - timedelta(hours=2)))
    db.session.execute(update(PublicationState).values(
        changed_at=utcnow() - ago,
        schedule=publication_state.compute_schedule(db.session.connection())))
    db.session.commit()
    publication_state.forget()


# --- calls --------------------------------------------------------------------------------

def test_calls_list_shows_public_calls_with_phase_money_and_categories(client, app):
    now = utcnow()
    open_call = factories.competition(prize_code="BIP", year=2031, budget_cents=900000,
                                      opens_at=now - timedelta(days=1),
                                      deadline_at=now + timedelta(days=20))
    factories.competition(prize_code="OBB", year=2031, opens_at=now + timedelta(days=5),
                          deadline_at=now + timedelta(days=40))
    factories.competition(prize_code="NDB", year=2031, status=CompetitionStatus.DRAFT)
    db.session.commit()
    response = client.get("/api/v1/ausschreibungen")
    assert response.status_code == 200
    body = response.get_json()
    assert _validator(client, "CallList").is_valid(body)
    assert [(c["prize"]["code"], c["phase"]) for c in body["data"]] == [
        ("BIP", "open"), ("OBB", "announced")]  # the draft is not public
    first = body["data"][0]
    assert first["id"] == open_call.id
    assert first["budget_cents"] == 900000
    assert first["categories"] == [
        {"label": "1. Preis", "rank": 1, "amount_cents": 400000, "count": 1},
        {"label": "2. Preis", "rank": 2, "amount_cents": 300000, "count": 1},
        {"label": "3. Preis", "rank": 3, "amount_cents": 200000, "count": 1}]
    assert (first["winners_public"], first["winners_count"], first["awarded_cents"]) == (
        False, None, None)
    assert first["url"] == "http://localhost/ausschreibungen/BIP/2031"
    assert first["links"]["self"] == f"http://localhost/api/v1/ausschreibungen/{open_call.id}"
    only_open = client.get("/api/v1/ausschreibungen?phase=open").get_json()["data"]
    assert [c["prize"]["code"] for c in only_open] == ["BIP"]


def test_call_phase_turns_closed_right_after_the_deadline(client, app):
    """The deadline itself still counts (as in the year's state machine); the second after
    it the call is closed, and Last-Modified moves with the phase, not only with the data."""
    deadline = utcnow().replace(microsecond=0) + timedelta(hours=2)
    comp = factories.competition(prize_code="SCHW", year=2031, deadline_at=deadline)
    db.session.commit()
    _changed_a_minute_ago()
    answers = {}
    try:
        for label, at in (("before", deadline - timedelta(seconds=1)), ("at", deadline),
                          ("after", deadline + timedelta(seconds=1))):
            app.config["CLOCK"] = lambda at=at: at
            answers[label] = client.get(f"/api/v1/ausschreibungen/{comp.id}")
        # A client that fetched the open call asks again after the deadline: not 304.
        stale = client.get(f"/api/v1/ausschreibungen/{comp.id}",
                           headers={"If-Modified-Since": answers["at"].headers["Last-Modified"]})
    finally:
        app.config.pop("CLOCK")
    assert [answers[k].get_json()["data"]["phase"] for k in ("before", "at", "after")] == [
        "open", "open", "closed"]
    assert answers["after"].headers["Last-Modified"] != answers["at"].headers["Last-Modified"]
    assert stale.status_code == 200


def test_unknown_and_draft_calls_answer_404_problem(client, app):
    draft = factories.competition(prize_code="NDB", year=2031, status=CompetitionStatus.DRAFT)
    db.session.commit()
    for url in (f"/api/v1/ausschreibungen/{draft.id}", "/api/v1/ausschreibungen/999999",
                f"/api/v1/ausschreibungen/{draft.id}/preistraeger"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 404


def test_calls_csv_matches_json(client, app):
    factories.competition(prize_code="BIP", year=2031, motto="=HYPERLINK(\"x\")")
    db.session.commit()
    response = client.get("/api/v1/ausschreibungen.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ausschreibungen.csv"'
    header, row = _csv_rows(response)
    assert header[:6] == ["id", "year", "prize_code", "title", "motto", "level"]
    assert row[2:5] == ["BIP", "Testpreis BIP", "'=HYPERLINK(\"x\")"]  # formula neutralised
    assert row[header.index("categories")] == (
        "1 × 1. Preis (400000 ct) | 1 × 2. Preis (300000 ct) | 1 × 3. Preis (200000 ct)")


# --- embargo and consent in every endpoint and format -------------------------------------

def test_embargo_holds_in_every_endpoint_and_format(client, embargoed):
    comp, winners = embargoed
    decision_ids = [_decision_id(w) for w in winners]
    responses = {url: client.get(url) for url in (
        "/api/v1/preistraeger", "/api/v1/preistraeger.csv", "/api/v1/statistik",
        "/api/v1/statistik.csv", "/api/v1/ausschreibungen", "/api/v1/ausschreibungen.csv",
        f"/api/v1/ausschreibungen/{comp.id}", f"/api/v1/ausschreibungen/{comp.id}/preistraeger",
        "/api/v1/katalog")}
    for url, response in responses.items():
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "Sperrfrist-Verein" not in text, url
        assert winners[0].project_title not in text, url
    assert responses["/api/v1/preistraeger"].get_json()["data"] == []
    assert len(_csv_rows(responses["/api/v1/preistraeger.csv"])) == 1  # the header only
    assert responses["/api/v1/statistik"].get_json()["data"] == []
    call = responses[f"/api/v1/ausschreibungen/{comp.id}"].get_json()["data"]
    assert (call["phase"], call["winners_public"], call["awarded_cents"]) == (
        "decided", False, None)
    assert responses[f"/api/v1/ausschreibungen/{comp.id}/preistraeger"].get_json()["data"] == []
    for decision_id in decision_ids:
        assert client.get(f"/api/v1/preistraeger/{decision_id}").status_code == 404


def test_publication_instant_opens_every_endpoint(client, embargoed, app):
    comp, winners = embargoed
    app.config["CLOCK"] = lambda: comp.publish_at + timedelta(seconds=1)
    try:
        assert len(client.get("/api/v1/preistraeger").get_json()["data"]) == 2
        single = client.get(f"/api/v1/preistraeger/{_decision_id(winners[0])}")
        assert single.status_code == 200
        assert single.get_json()["data"]["laureate"] == "Sperrfrist-Verein (geheim)"
        call = client.get(f"/api/v1/ausschreibungen/{comp.id}").get_json()["data"]
        assert (call["phase"], call["winners_count"], call["awarded_cents"]) == (
            "published", 2, 700000)
    finally:
        app.config.pop("CLOCK")


def test_consent_holds_in_json_csv_and_single_winner(client, published):
    comp, winners, _others = published
    listing = client.get("/api/v1/preistraeger").get_json()["data"]
    per_call = client.get(f"/api/v1/ausschreibungen/{comp.id}/preistraeger").get_json()["data"]
    assert listing == per_call
    by_id = {w["id"]: w for w in listing}
    no_name = by_id[_decision_id(winners[1])]
    assert (no_name["laureate"], no_name["place"]) == (None, None)
    no_text = by_id[_decision_id(winners[2])]
    assert (no_text["project_title"], no_text["summary"]) == (None, None)
    single = client.get(f"/api/v1/preistraeger/{_decision_id(winners[1])}").get_json()
    assert _validator(client, "WinnerItem").is_valid(single)
    assert single["data"] == no_name
    text = client.get("/api/v1/preistraeger.csv").get_data(as_text=True)
    assert "Ohne-Einwilligung" not in text
    assert "Titel ohne Einwilligung" not in text
    assert "Nachbarschaftshilfe Beispielstadt (erfunden)" in text
    for url in ("/api/v1/preistraeger", f"/api/v1/preistraeger/{_decision_id(winners[1])}",
                "/api/v1/statistik", "/api/v1/statistik.csv", "/api/v1/katalog"):
        body = client.get(url).get_data(as_text=True)
        assert "Ohne-Einwilligung" not in body and "Titel ohne Einwilligung" not in body
        assert winners[0].email not in body and winners[0].phone not in body


def test_withdrawn_consent_leaves_every_format_at_once(client, published):
    comp, winners, _others = published
    assert "Nachbarschaftshilfe" in client.get("/api/v1/preistraeger.csv").get_data(as_text=True)
    winners[0].consent_publish_name = False
    db.session.commit()
    for url in ("/api/v1/preistraeger", "/api/v1/preistraeger.csv",
                f"/api/v1/preistraeger/{_decision_id(winners[0])}",
                f"/api/v1/ausschreibungen/{comp.id}/preistraeger"):
        assert "Nachbarschaftshilfe" not in client.get(url).get_data(as_text=True), url


# --- statistics ---------------------------------------------------------------------------

def test_statistics_withhold_small_counts(client, app):
    comp, winners, others = factories.released_competition(winners=3, others=9, year=2024)
    regions = [Region.OBB] * 8 + [Region.MFR] * 3 + [Region.UFR]
    types = [ApplicantType.VEREIN] * 6 + [ApplicantType.SCHULE] * 6
    for application, region, applicant_type in zip(winners + others, regions, types):
        application.region, application.applicant_type = region, applicant_type
    factories.publish(comp, at=utcnow() - timedelta(minutes=5))
    db.session.commit()
    body = client.get("/api/v1/statistik").get_json()
    assert _validator(client, "Statistics").is_valid(body)
    assert body["meta"]["min_count"] == 5
    (edition,) = body["data"]
    assert (edition["year"], edition["prize_code"], edition["applications"]) == (2024, "BIP", 12)
    counts = {r["key"]: (r["count"], r["withheld"]) for r in edition["by_region"]}
    # MFR (3) and UFR (1) are too small; OBB stays, as two cells are withheld already.
    assert counts["OBB"] == (8, False)
    assert counts["MFR"] == (None, True) and counts["UFR"] == (None, True)
    assert counts["NDB"] == (0, False)
    types_ = {r["key"]: (r["count"], r["withheld"]) for r in edition["by_applicant_type"]}
    assert types_["verein"] == (6, False) and types_["schule"] == (6, False)
    assert [(c["rank"], c["count"]) for c in edition["winners_by_category"]] == [
        (1, 1), (2, 1), (3, 1)]


def test_statistics_withhold_a_second_cell_when_one_could_be_worked_out(client, app):
    comp, winners, others = factories.released_competition(winners=1, others=11, year=2024,
                                                    prize_code="OBB")
    for application, applicant_type in zip(winners + others,
                                           [ApplicantType.VEREIN] * 10 + [ApplicantType.KOMMUNE] * 2):
        application.applicant_type = applicant_type
    factories.publish(comp, at=utcnow() - timedelta(minutes=5))
    db.session.commit()
    (edition,) = client.get("/api/v1/statistik").get_json()["data"]
    types_ = {r["key"]: (r["count"], r["withheld"]) for r in edition["by_applicant_type"]}
    assert types_["kommune"] == (None, True)
    assert types_["verein"] == (None, True)  # else 12 - 10 would give the Kommunen away
    rows = _csv_rows(client.get("/api/v1/statistik.csv"))
    assert rows[0] == ["year", "prize_code", "dimension", "key", "label", "value", "withheld"]
    assert ["2024", "OBB", "applicant_type", "kommune", "Kommune", "", "ja"] in rows
    assert ["2024", "OBB", "total", "applications", "Bewerbungen", "12", "nein"] in rows


def test_statistics_withhold_a_small_total(client, app):
    comp, _winners, _others = factories.released_competition(winners=2, others=1, year=2023)
    factories.publish(comp, at=utcnow() - timedelta(minutes=5))
    db.session.commit()
    (edition,) = client.get("/api/v1/statistik").get_json()["data"]
    assert (edition["applications"], edition["applications_withheld"]) == (None, True)
    assert all(r["count"] in (0, None) for r in edition["by_region"])


# --- web conventions ----------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/preistraeger", "/api/v1/preistraeger.csv",
                                 "/api/v1/ausschreibungen", "/api/v1/statistik",
                                 "/api/v1/katalog"])
def test_conditional_requests_answer_304(client, published, url):
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in first.headers["Access-Control-Expose-Headers"]
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
                      ).status_code == 200


def test_last_modified_moves_with_a_change(client, published, monkeypatch):
    comp, winners, _others = published
    first = client.get("/api/v1/preistraeger")
    winners[0].consent_publish_text = False
    db.session.commit()
    # The next answer is given at the instant of the change, however long a loaded machine
    # takes to get there: within the second of the change.
    changed_at = db.session.scalars(select(PublicationState.changed_at)).one()
    monkeypatch.setattr(api, "_now", lambda: changed_at)
    again = client.get("/api/v1/preistraeger",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    monkeypatch.undo()
    assert again.status_code == 200
    # Within the second of the change the answer carries no date, only the new ETag.
    assert "Last-Modified" not in again.headers
    assert again.headers["ETag"] != first.headers["ETag"]
    _changed_a_minute_ago(timedelta(seconds=10))
    later = client.get("/api/v1/preistraeger")
    assert later.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_cors_preflight_and_errors_carry_cors_headers(client, app):
    preflight = client.options("/api/v1/preistraeger",
                               headers={"Origin": "https://daten.example",
                                        "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    error = client.get("/api/v1/preistraeger?year=abc")
    assert error.headers["Access-Control-Allow-Origin"] == "*"
    assert error.headers["Cache-Control"] == "no-store"


def test_unknown_api_address_and_method_answer_problem_json(client, app):
    missing = client.get("/api/v1/gibt-es-nicht")
    assert (missing.status_code, missing.mimetype) == (404, "application/problem+json")
    posted = client.post("/api/v1/preistraeger")
    assert posted.status_code in (400, 405)  # CSRF or method: either way problem+json
    assert posted.mimetype == "application/problem+json"


@pytest.mark.parametrize("query,status", [
    ("page=100000", 200), ("page=100001", 400), ("page=0", 400), ("page=07", 400),
    ("page=%2B7", 400), ("page=7.0", 400), ("page=", 400), ("page=1&page=2", 400),
    ("per_page=100", 200), ("per_page=101", 400), ("prize=SCHW", 200),
    ("prize=SCHWABENX", 400), ("prize=bip", 400), ("region=OPF", 200), ("region=XYZ", 400),
    ("year=2999", 200), ("year=3000", 400), ("unbekannt=1", 200),
])
def test_parameters_are_enforced_exactly_as_documented(client, app, query, status):
    assert client.get(f"/api/v1/preistraeger?{query}").status_code == status


def test_document_declares_the_limits_the_code_enforces(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p["schema"] for p in spec["paths"]["/preistraeger"]["get"]["parameters"]}
    assert params["page"] == {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}
    assert params["per_page"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}
    assert params["prize"] == {"type": "string", "enum": ["BIP", "OBB", "NDB", "OPF", "OFR",
                                                          "MFR", "UFR", "SCHW"]}
    ids = spec["paths"]["/preistraeger/{id}"]["get"]["parameters"]
    assert ids == [{"name": "id", "in": "path", "required": True,
                    "description": "Dauerhafte Kennung der Auszeichnung",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}]
