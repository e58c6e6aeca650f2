"""The open data as a DCAT-AP.de catalogue in JSON-LD, for the state's open-data portal to
harvest: one catalogue, three datasets (winners, calls, statistics), each with a JSON and a
CSV distribution under the Datenlizenz Deutschland – Namensnennung 2.0.

The context is inline, so the document is understood without fetching anything; every key
of the document is a term of that context or a prefixed name of one of its vocabularies
(tests/web/test_api_catalogue.py expands it and checks).
"""
from flask import current_app, url_for

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    **{key: {"@type": "@id"} for key in (
        "dct:license", "dct:format", "dct:publisher", "dct:spatial", "dct:language",
        "dct:accessRights", "dct:conformsTo", "dcat:accessURL", "dcat:downloadURL",
        "dcat:mediaType", "dcat:theme", "dcat:landingPage", "foaf:homepage",
        "vcard:hasEmail", "vcard:hasURL", "dcatde:contributorID",
        "dcatde:politicalGeocodingURI", "dcatde:politicalGeocodingLevelURI")},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dct:issued": {"@type": "xsd:dateTime"},
}

LICENSE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
ATTRIBUTION = "Integrationspreise in Bayern"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
THEME_SOCIETY = "http://publications.europa.eu/resource/authority/data-theme/SOCI"
LANGUAGE_DE = "http://publications.europa.eu/resource/authority/language/DEU"
ACCESS_PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
# Bavaria in the political geocoding of DCAT-AP.de (Amtlicher Regionalschlüssel 09).
BAVARIA = "http://dcat-ap.de/def/politicalGeocoding/stateKey/09"
LEVEL_STATE = "http://dcat-ap.de/def/politicalGeocoding/Level/state"

DATASETS = (
    ("preistraeger", "Preisträgerinnen und Preisträger der Integrationspreise in Bayern",
     "Alle veröffentlichten Auszeichnungen des Bayerischen Integrationspreises und der "
     "Integrationspreise der sieben Regierungen: Jahr, Preis, Kategorie, Preisgeld, "
     "Regierungsbezirk; Name, Ort, Projekttitel und Kurzbeschreibung nur mit Einwilligung der "
     "Ausgezeichneten.", "api.winners", "api.winners_csv",
     ["Integration", "Ehrenamt", "Preis", "Auszeichnung"]),
    ("ausschreibungen", "Ausschreibungen der Integrationspreise in Bayern",
     "Die Ausschreibungen mit Motto, Terminen (Beginn, Bewerbungsschluss, Preisverleihung), "
     "Preisgeld, Preiskategorien und ihrer aktuellen Phase.", "api.calls", "api.calls_csv",
     ["Integration", "Ausschreibung", "Wettbewerb"]),
    ("statistik", "Statistik der Integrationspreise in Bayern",
     "Anzahl der Bewerbungen je Jahr und Preis, nach Regierungsbezirk und Bewerbertyp, und "
     "der Auszeichnungen nach Kategorie. Kleine Anzahlen, die auf Personen schließen ließen, "
     "werden nicht veröffentlicht.", "api.statistics", "api.statistics_csv",
     ["Integration", "Statistik"]),
)


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


DEFAULT_PUBLISHER = "Bayerisches Staatsministerium des Innern, für Sport und Integration"


def catalogue(*, modified):
    """The catalogue as a JSON-serialisable dict; `modified` is when the data last changed."""
    name = current_app.config.get("OPEN_DATA_PUBLISHER") or DEFAULT_PUBLISHER
    publisher = {"@id": url_for("api.catalogue", _external=True) + "#herausgeber",
                 "@type": "foaf:Organization", "foaf:name": name}
    contact = {"@type": "vcard:Organization", "vcard:fn": name,
               "vcard:hasURL": url_for("public.index", _external=True)}
    if current_app.config.get("OPEN_DATA_CONTACT"):
        contact["vcard:hasEmail"] = "mailto:" + current_app.config["OPEN_DATA_CONTACT"]
    contributor = current_app.config.get("OPEN_DATA_CONTRIBUTOR_ID")
    base = url_for("api.catalogue", _external=True)
    datasets = []
    for key, title, description, json_endpoint, csv_endpoint, keywords in DATASETS:
        dataset = {
            "@id": f"{base}#{key}",
            "@type": "dcat:Dataset",
            "dct:identifier": f"{base}#{key}",
            "dct:title": {"@value": title, "@language": "de"},
            "dct:description": {"@value": description, "@language": "de"},
            "dcat:keyword": [{"@value": k, "@language": "de"} for k in keywords],
            "dcat:theme": THEME_SOCIETY,
            "dct:publisher": publisher["@id"],
            "dcat:contactPoint": contact,
            "dct:language": LANGUAGE_DE,
            "dct:accessRights": ACCESS_PUBLIC,
            "dct:spatial": BAVARIA,
            "dcatde:politicalGeocodingURI": BAVARIA,
            "dcatde:politicalGeocodingLevelURI": LEVEL_STATE,
            "dcat:landingPage": url_for("winners.overview", _external=True),
            "dct:conformsTo": url_for("api.openapi", _external=True),
            "dcat:distribution": [
                _distribution(base, key, "JSON", "application/json", json_endpoint, modified,
                              f"{title} (JSON, seitenweise, beschrieben im OpenAPI-Dokument)"),
                _distribution(base, key, "CSV", "text/csv", csv_endpoint, modified,
                              f"{title} (CSV: Semikolon, UTF-8)"),
            ],
        }
        if modified is not None:
            dataset["dct:modified"] = _iso(modified)
        if contributor:
            dataset["dcatde:contributorID"] = contributor
        datasets.append(dataset)
    document = {
        "@context": CONTEXT,
        "@id": f"{base}#katalog",
        "@type": "dcat:Catalog",
        "dct:title": {"@value": "Offene Daten der Integrationspreise in Bayern",
                      "@language": "de"},
        "dct:description": {"@value": "Preisträgerinnen und Preisträger, Ausschreibungen und "
                                      "Statistik des Bayerischen Integrationspreises und der "
                                      "Integrationspreise der Regierungen.", "@language": "de"},
        "dct:publisher": publisher,
        "foaf:homepage": url_for("public.index", _external=True),
        "dct:language": LANGUAGE_DE,
        "dct:license": LICENSE,
        "dcat:dataset": datasets,
    }
    if modified is not None:
        document["dct:modified"] = _iso(modified)
    return document


def _distribution(base, key, file_type, media_type, endpoint, modified, title):
    url = url_for(endpoint, _external=True)
    distribution = {
        "@id": f"{base}#{key}-{file_type.lower()}",
        "@type": "dcat:Distribution",
        "dct:title": {"@value": title, "@language": "de"},
        "dcat:accessURL": url,
        "dcat:downloadURL": url,
        "dct:format": FILE_TYPE + file_type,
        "dcat:mediaType": MEDIA_TYPE + media_type,
        "dct:license": LICENSE,
        "dcatde:licenseAttributionByText": ATTRIBUTION,
    }
    if modified is not None:
        distribution["dct:modified"] = _iso(modified)
    return distribution
