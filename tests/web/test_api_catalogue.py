"""The DCAT-AP.de catalogue entry: valid JSON-LD under its own context, with the classes and
properties a German open-data portal harvests, linked from the winners page."""
from datetime import timedelta

import pytest
from pyld import jsonld
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from awards.extensions import db
from awards.models.base import utcnow
from tests import factories

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
LICENSE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")


def _offline_loader(url, options=None):
    raise AssertionError(f"the catalogue must not need a remote context: {url}")


@pytest.fixture
def catalogue(client, app):
    comp, _winners, _others = factories.released_competition(winners=1, others=0, year=2025)
    factories.publish(comp, at=utcnow() - timedelta(hours=1))
    db.session.commit()
    response = client.get("/api/v1/katalog")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    return response.get_json()


def _keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def test_every_key_is_defined_by_the_context(catalogue):
    """Expansion drops terms the context does not define: nothing may be dropped."""
    context = catalogue["@context"]
    prefixes = {k for k, v in context.items() if isinstance(v, str)}
    body = {k: v for k, v in catalogue.items() if k != "@context"}
    for key in set(_keys(body)):
        assert key.startswith("@") or key in context or key.split(":", 1)[0] in prefixes, key
    expanded = jsonld.expand(catalogue, {"documentLoader": _offline_loader})
    compacted_keys = {k for k in _keys(body) if not k.startswith("@")}
    expanded_keys = {k for k in _keys(expanded) if not k.startswith("@")}
    assert len(expanded_keys) == len(compacted_keys)
    assert all(k.startswith("http://") for k in expanded_keys)


def test_catalogue_holds_the_dcat_ap_de_essentials(catalogue, client):
    graph = Graph().parse(data=client.get("/api/v1/katalog").get_data(as_text=True),
                          format="json-ld")
    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert graph.value(catalog, DCT.title) == Literal(
        "Offene Daten der Integrationspreise in Bayern", lang="de")
    assert graph.value(catalog, DCT.publisher) is not None
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 3
    assert datasets == set(graph.subjects(RDF.type, DCAT.Dataset))
    urls = set()
    for dataset in datasets:
        for prop in (DCT.title, DCT.description, DCT.publisher, DCAT.theme,
                     DCATDE.politicalGeocodingURI, DCATDE.politicalGeocodingLevelURI,
                     DCAT.contactPoint):
            assert graph.value(dataset, prop) is not None, (dataset, prop)
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert len(distributions) == 2
        formats = set()
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            assert graph.value(distribution, DCT.license) == LICENSE
            assert str(graph.value(distribution, DCATDE.licenseAttributionByText))
            formats.add(str(graph.value(distribution, DCT["format"])).rsplit("/", 1)[1])
            urls.add(str(graph.value(distribution, DCAT.accessURL)))
        assert formats == {"JSON", "CSV"}
    assert urls == {f"http://localhost/api/v1/{path}" for path in (
        "preistraeger", "preistraeger.csv", "ausschreibungen", "ausschreibungen.csv",
        "statistik", "statistik.csv")}


def test_every_distribution_in_the_catalogue_answers(catalogue, client):
    for dataset in catalogue["dcat:dataset"]:
        for distribution in dataset["dcat:distribution"]:
            url = distribution["dcat:accessURL"].removeprefix("http://localhost")
            response = client.get(url)
            assert response.status_code == 200, url
            expected = distribution["dcat:mediaType"].rsplit("/", 2)[-2:]
            assert response.mimetype == "/".join(expected), url


def test_contributor_id_comes_from_the_configuration(client, app):
    app.config["OPEN_DATA_CONTRIBUTOR_ID"] = "http://dcat-ap.de/def/contributors/beispiel"
    try:
        body = client.get("/api/v1/katalog").get_json()
    finally:
        app.config.pop("OPEN_DATA_CONTRIBUTOR_ID")
    assert {d["dcatde:contributorID"] for d in body["dcat:dataset"]} == {
        "http://dcat-ap.de/def/contributors/beispiel"}


def test_winners_page_links_the_catalogue_and_the_csv(client, app):
    html = client.get("/preistraeger").get_data(as_text=True)
    assert 'href="/api/v1/katalog"' in html
    assert 'href="/api/v1/preistraeger.csv"' in html
    assert '<link rel="alternate" type="application/ld+json"' in html
