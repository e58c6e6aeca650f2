"""Open data: published winners, calls and public statistics as JSON and CSV, described by
an OpenAPI 3.1 document generated from the same declarations the views parse with
(awards.views.api_contract), and listed in a DCAT-AP.de catalogue (awards.views.dcat).

Only what the public pages show leaves here: the same projection, embargo and consent
rules (awards.services.publication) and, for statistics, no count small enough to point to
a person (awards.services.opendata). Every answer carries an ETag and a Last-Modified,
answers 304 to a matching conditional request, may be cached briefly by anyone and may be
read from any origin (CORS). Errors are problem+json (RFC 9457).
"""
import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from datetime import timedelta, timezone

from flask import Blueprint, Response, request, url_for

from awards.adapters.cache import get_cache
from awards.cachekeys import CacheInputs
from awards.extensions import db
from awards.services import opendata, publication, publication_state
from awards.services.exports import _safe as neutralise
from awards.views import api_contract as contract
from awards.views import dcat

bp = Blueprint("api", __name__, url_prefix="/api/v1")

API_VERSION = "1.1.0"
CACHE = "public, max-age=60"
API_CACHE_TTL = 60
LICENSE = "Datenlizenz Deutschland – Namensnennung – Version 2.0"
LICENSE_URL = "https://www.govdata.de/dl-de/by-2-0"
PROBLEM_TYPE = "application/problem+json"
CSV_TYPE = "text/csv"
CSV_MAX_ROWS = 10_000
# Headers a script on another origin may read from our answers.
EXPOSED = "ETag, Last-Modified, Link, Content-Disposition"

PHASE = contract.phase_param(opendata.PHASES)


class Problem(Exception):
    def __init__(self, status, detail, title=None):
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.title = title or {400: "Ungültige Anfrage", 404: "Nicht gefunden",
                               405: "Methode nicht erlaubt"}.get(status, "Fehler")


def problem_response(status, detail, title=None):
    body = {"type": "about:blank", "title": title or Problem(status, detail).title,
            "status": status, "detail": detail}
    response = Response(_dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers["Cache-Control"] = "no-store"
    _cors(response)
    return response


@bp.errorhandler(Problem)
def _problem(exc):
    return problem_response(exc.status, exc.detail, exc.title)


@bp.errorhandler(contract.ParameterError)
def _bad_parameter(exc):
    return problem_response(400, str(exc))


@bp.after_request
def _cors_everywhere(response):
    return _cors(response)


def _cors(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _dumps(payload):
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _iso(value):
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if value else None


def _finish(body, mimetype, *, last_modified, links=None, filename=None, now=None):
    """A 200 answer (or 304) for an encoded body, made fresh or from the cache."""
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = CACHE
    response.set_etag(hashlib.sha256(body).hexdigest())
    if last_modified is not None:
        # HTTP dates have whole seconds: round up, so that a change counts as later than
        # any answer given before it. A second not yet over gets no date at all (the ETag
        # still serves): a second change within it would otherwise carry the same date.
        rounded = last_modified.replace(microsecond=0)
        if rounded < last_modified:
            rounded += timedelta(seconds=1)
        if rounded <= (now or _now()):
            response.last_modified = rounded
    if links:
        response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"'
                                             for rel, url in links.items() if rel != "self")
        if not response.headers["Link"]:
            del response.headers["Link"]
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response.make_conditional(request)


# The answer cache's key: the public data's fingerprint (publication_state.PUBLIC_DATA),
# the API version, the host (links are absolute) and the URL.
CACHE_INPUTS = CacheInputs("api", tables=publication_state.PUBLIC_DATA.tables,
                           fixed=publication_state.PUBLIC_DATA.fixed,
                           context=("version", "host", "path", "extra"))


def _cached(build, *, mimetype, now, filename=None, extra_key=()):
    """Serve `build()` -> (body, links) from the page cache under the URL (with the host:
    links are absolute) and the publication state's fingerprint, like the winners pages."""
    key = CACHE_INPUTS.key(version=API_VERSION, host=request.host_url, path=request.full_path,
                           extra=extra_key, data=publication_state.fingerprint(db.session, now))
    cache = get_cache()
    stored = cache.get(key)
    if stored is None:
        body, links = build()
        cache.set(key, _dumps({"body": body.decode(), "links": links}), ttl=API_CACHE_TTL)
    else:
        entry = json.loads(stored)
        body, links = entry["body"].encode(), entry["links"]
    return _finish(body, mimetype, last_modified=publication_state.last_modified(db.session, now),
                   links=links, filename=filename)


def _page_links(endpoint, page, pages, per_page, **args):
    args = {k: v for k, v in args.items() if v is not None}

    def link(p):
        return url_for(endpoint, page=p, per_page=per_page, _external=True, **args)

    links = {"self": link(page), "first": link(1), "last": link(pages)}
    if page < pages:
        links["next"] = link(page + 1)
    if page > 1:
        links["prev"] = link(min(page - 1, pages))
    return links


def _meta(total, page, per_page):
    pages = max(1, math.ceil(total / per_page))
    return {"total": total, "page": page, "per_page": per_page, "pages": pages,
            "license": LICENSE}, pages


def _csv(header, rows):
    """CSV for spreadsheets as our other exports: UTF-8 with BOM, semicolons; text that a
    spreadsheet would run as a formula is neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue().encode("utf-8")



def _now():
    return publication.clock()


# --- winners ------------------------------------------------------------------------------

def _winner_json(w):
    return {
        "id": w.decision_id,
        "year": w.year,
        "prize": {"code": w.prize_code, "title": w.prize_title, "motto": w.motto or None},
        "category": w.category,
        "rank": w.rank,
        "amount_cents": w.amount_cents,
        "region": {"code": w.region_code, "name": w.region_name} if w.region_code else None,
        "laureate": w.name,
        "place": w.place,
        "project_title": w.project_title,
        "summary": w.summary,
        "photos": [url_for("winners.photo", attachment_id=p, _external=True) for p in w.photo_ids],
        "url": url_for("winners.project", prize_code=w.prize_code, year=w.year,
                       decision_id=w.decision_id, _external=True),
        "links": {
            "self": url_for("api.winner", id=w.decision_id, _external=True),
            "call": url_for("api.call", id=w.competition_id, _external=True),
        },
        "published_at": _iso(w.published_at),
    }


WINNER_CSV_HEADER = ["id", "year", "prize_code", "prize_title", "category", "rank",
                     "amount_cents", "region_code", "region_name", "laureate", "place",
                     "project_title", "summary", "url", "published_at"]


def _winner_row(w):
    return [w.decision_id, w.year, w.prize_code, w.prize_title, w.category, w.rank,
            w.amount_cents, w.region_code, w.region_name, w.name, w.place, w.project_title,
            w.summary, url_for("winners.project", prize_code=w.prize_code, year=w.year,
                               decision_id=w.decision_id, _external=True),
            _iso(w.published_at)]


WINNER_LIST_PARAMS = (contract.YEAR, contract.PRIZE, contract.REGION, contract.PAGE,
                      contract.PER_PAGE)
WINNER_CSV_PARAMS = (contract.YEAR, contract.PRIZE, contract.REGION)


@bp.get("/preistraeger")
def winners():
    now = _now()
    args = contract.parse(WINNER_LIST_PARAMS, request.args)

    def build():
        items, total = publication.list_winners(
            now=now, year=args["year"], prize_code=args["prize"], region=args["region"],
            page=args["page"], per_page=args["per_page"])
        meta, pages = _meta(total, args["page"], args["per_page"])
        links = _page_links("api.winners", args["page"], pages, args["per_page"],
                            year=args["year"], prize=args["prize"], region=args["region"])
        return _dumps({"data": [_winner_json(w) for w in items], "meta": meta,
                       "links": links}), links

    return _cached(build, mimetype="application/json", now=now)


@bp.get("/preistraeger.csv")
def winners_csv():
    now = _now()
    args = contract.parse(WINNER_CSV_PARAMS, request.args)

    def build():
        items, _total = publication.list_winners(
            now=now, year=args["year"], prize_code=args["prize"], region=args["region"],
            page=1, per_page=CSV_MAX_ROWS)
        return _csv(WINNER_CSV_HEADER, (_winner_row(w) for w in items)), None

    return _cached(build, mimetype=CSV_TYPE, now=now, filename="preistraeger.csv")


@bp.get("/preistraeger/<id>")
def winner(id):
    now = _now()
    decision_id = contract.parse((contract.WINNER_ID,), request.args, {"id": id})["id"]

    def build():
        found = publication.public_winner(now=now, decision_id=decision_id)
        if found is None:
            raise Problem(404, "Diese Auszeichnung gibt es nicht, oder sie ist (noch) nicht "
                               "veröffentlicht.")
        return _dumps({"data": _winner_json(found), "meta": {"license": LICENSE}}), None

    return _cached(build, mimetype="application/json", now=now)


# --- calls --------------------------------------------------------------------------------

def _call_json(c):
    return {
        "id": c.id,
        "year": c.year,
        "prize": {"code": c.prize_code, "title": c.title, "motto": c.motto or None},
        "level": c.level,
        "region": {"code": c.region_code, "name": c.region_name} if c.region_code else None,
        "description": c.description or None,
        "eligibility": c.eligibility or None,
        "opens_at": _iso(c.opens_at),
        "deadline_at": _iso(c.deadline_at),
        "ceremony_at": _iso(c.ceremony_at),
        "ceremony_place": c.ceremony_place or None,
        "budget_cents": c.budget_cents,
        "categories": [{"label": k.label, "rank": k.rank, "amount_cents": k.amount_cents,
                        "count": k.count} for k in c.categories],
        "phase": c.phase,
        "winners_public": c.winners_public,
        "winners_count": c.winners_count,
        "awarded_cents": c.awarded_cents,
        "url": url_for("public.competition", prize_code=c.prize_code, year=c.year,
                       _external=True),
        "links": {
            "self": url_for("api.call", id=c.id, _external=True),
            "winners": url_for("api.call_winners", id=c.id, _external=True),
        },
    }


CALL_CSV_HEADER = ["id", "year", "prize_code", "title", "motto", "level", "region_code",
                   "opens_at", "deadline_at", "ceremony_at", "ceremony_place", "budget_cents",
                   "categories", "phase", "winners_count", "awarded_cents", "url"]


def _call_row(c):
    categories = " | ".join(f"{k.count} × {k.label} ({k.amount_cents} ct)" for k in c.categories)
    return [c.id, c.year, c.prize_code, c.title, c.motto, c.level, c.region_code,
            _iso(c.opens_at), _iso(c.deadline_at), _iso(c.ceremony_at), c.ceremony_place,
            c.budget_cents, categories, c.phase, c.winners_count, c.awarded_cents,
            url_for("public.competition", prize_code=c.prize_code, year=c.year, _external=True)]


def _calls_last_modified(now, calls):
    """The state's last change, or a call's start or deadline that passed since: the
    phase of a call moves with the clock, not only with the data."""
    # A call opens at its start and closes one second after its deadline (the deadline
    # itself still counts, awards.services.lifecycle).
    boundaries = [t for c in calls for t in (
        c.opens_at, c.deadline_at + timedelta(seconds=1) if c.deadline_at else None)]
    times = [t for t in boundaries if t is not None and t <= now]
    state = publication_state.last_modified(db.session, now)
    if state is not None:
        times.append(state)
    return max(times) if times else None


CALL_LIST_PARAMS = (contract.YEAR, contract.PRIZE, PHASE, contract.PAGE, contract.PER_PAGE)
CALL_CSV_PARAMS = (contract.YEAR, contract.PRIZE, PHASE)


# The calls are not cached: their phase changes at a deadline to the second, and there are
# only a few dozen a year.
@bp.get("/ausschreibungen")
def calls():
    now = _now()
    args = contract.parse(CALL_LIST_PARAMS, request.args)
    items, total = opendata.list_calls(now=now, year=args["year"], prize_code=args["prize"],
                                       phase_filter=args["phase"], page=args["page"],
                                       per_page=args["per_page"])
    meta, pages = _meta(total, args["page"], args["per_page"])
    links = _page_links("api.calls", args["page"], pages, args["per_page"], year=args["year"],
                        prize=args["prize"], phase=args["phase"])
    body = _dumps({"data": [_call_json(c) for c in items], "meta": meta, "links": links})
    return _finish(body, "application/json", last_modified=_calls_last_modified(now, items),
                   links=links)


@bp.get("/ausschreibungen.csv")
def calls_csv():
    now = _now()
    args = contract.parse(CALL_CSV_PARAMS, request.args)
    items, _total = opendata.list_calls(now=now, year=args["year"], prize_code=args["prize"],
                                        phase_filter=args["phase"], page=1,
                                        per_page=CSV_MAX_ROWS)
    return _finish(_csv(CALL_CSV_HEADER, (_call_row(c) for c in items)), CSV_TYPE,
                   last_modified=_calls_last_modified(now, items),
                   filename="ausschreibungen.csv")


@bp.get("/ausschreibungen/<id>")
def call(id):
    now = _now()
    call_id = contract.parse((contract.CALL_ID,), request.args, {"id": id})["id"]
    found = opendata.get_call(now=now, call_id=call_id)
    if found is None:
        raise Problem(404, "Diese Ausschreibung gibt es nicht, oder sie ist noch nicht "
                           "veröffentlicht.")
    return _finish(_dumps({"data": _call_json(found), "meta": {"license": LICENSE}}),
                   "application/json", last_modified=_calls_last_modified(now, [found]))


@bp.get("/ausschreibungen/<id>/preistraeger")
def call_winners(id):
    """The winners of one call: an empty list until they are public (the call's phase
    says when)."""
    now = _now()
    values = contract.parse((contract.CALL_ID, contract.PAGE, contract.PER_PAGE),
                            request.args, {"id": id})

    def build():
        found = opendata.get_call(now=now, call_id=values["id"])
        if found is None:
            raise Problem(404, "Diese Ausschreibung gibt es nicht, oder sie ist noch nicht "
                               "veröffentlicht.")
        items, total = publication.list_winners(
            now=now, year=found.year, prize_code=found.prize_code, page=values["page"],
            per_page=values["per_page"])
        meta, pages = _meta(total, values["page"], values["per_page"])
        links = _page_links("api.call_winners", values["page"], pages, values["per_page"],
                            id=values["id"])
        return _dumps({"data": [_winner_json(w) for w in items], "meta": meta,
                       "links": links}), links

    return _cached(build, mimetype="application/json", now=now)


# --- statistics ---------------------------------------------------------------------------

STATISTICS_PARAMS = (contract.YEAR, contract.PRIZE)
STATISTICS_CSV_HEADER = ["year", "prize_code", "dimension", "key", "label", "value", "withheld"]


def _statistics_json(cells):
    editions = {}
    for cell in cells:
        edition = editions.setdefault((cell.year, cell.prize_code), {
            "year": cell.year, "prize_code": cell.prize_code, "applications": None,
            "applications_withheld": False, "by_region": [], "by_applicant_type": [],
            "winners_by_category": []})
        item = {"key": cell.key, "label": cell.label, "count": cell.value,
                "withheld": cell.withheld}
        if cell.dimension == "total":
            edition["applications"] = cell.value
            edition["applications_withheld"] = cell.withheld
        elif cell.dimension == "region":
            edition["by_region"].append(item)
        elif cell.dimension == "applicant_type":
            edition["by_applicant_type"].append(item)
        else:
            edition["winners_by_category"].append(
                {"rank": int(cell.key), "label": cell.label, "count": cell.value})
    return list(editions.values())


@bp.get("/statistik")
def statistics():
    now = _now()
    args = contract.parse(STATISTICS_PARAMS, request.args)

    def build():
        cells = opendata.statistics(now=now, year=args["year"], prize_code=args["prize"])
        return _dumps({"data": _statistics_json(cells),
                       "meta": {"license": LICENSE, "min_count": opendata.MIN_COUNT}}), None

    return _cached(build, mimetype="application/json", now=now)


@bp.get("/statistik.csv")
def statistics_csv():
    now = _now()
    args = contract.parse(STATISTICS_PARAMS, request.args)

    def build():
        cells = opendata.statistics(now=now, year=args["year"], prize_code=args["prize"])
        rows = ([c.year, c.prize_code, c.dimension, c.key, c.label, c.value,
                 "ja" if c.withheld else "nein"] for c in cells)
        return _csv(STATISTICS_CSV_HEADER, rows), None

    return _cached(build, mimetype=CSV_TYPE, now=now, filename="statistik.csv")


# --- the document -------------------------------------------------------------------------

@dataclass
class Operation:
    path: str
    operation_id: str
    summary: str
    params: tuple
    schema: str | None  # a component schema name for JSON, None for CSV
    description: str = ""
    not_found: bool = False
    media_type: str = "application/json"
    extra: dict = field(default_factory=dict)


OPERATIONS = (
    Operation("/preistraeger", "listWinners", "Veröffentlichte Preisträgerinnen und Preisträger",
              WINNER_LIST_PARAMS, "WinnerList"),
    Operation("/preistraeger.csv", "listWinnersCsv", "Preisträgerliste als CSV (Semikolon, "
              "UTF-8 mit BOM)", WINNER_CSV_PARAMS, None, media_type=CSV_TYPE),
    Operation("/preistraeger/{id}", "getWinner", "Eine Auszeichnung", (contract.WINNER_ID,),
              "WinnerItem", not_found=True),
    Operation("/ausschreibungen", "listCalls", "Ausschreibungen mit Terminen, Preisgeld, "
              "Kategorien und Phase", CALL_LIST_PARAMS, "CallList"),
    Operation("/ausschreibungen.csv", "listCallsCsv", "Ausschreibungen als CSV",
              CALL_CSV_PARAMS, None, media_type=CSV_TYPE),
    Operation("/ausschreibungen/{id}", "getCall", "Eine Ausschreibung", (contract.CALL_ID,),
              "CallItem", not_found=True),
    Operation("/ausschreibungen/{id}/preistraeger", "listCallWinners",
              "Preisträgerinnen und Preisträger einer Ausschreibung (leer bis zur "
              "Veröffentlichung)", (contract.CALL_ID, contract.PAGE, contract.PER_PAGE),
              "WinnerList", not_found=True),
    Operation("/statistik", "getStatistics", "Öffentliche Statistik: Bewerbungen nach Jahr, "
              "Regierungsbezirk und Bewerbertyp, Auszeichnungen nach Kategorie",
              STATISTICS_PARAMS, "Statistics",
              description=f"Anzahlen von 1 bis {opendata.MIN_COUNT - 1} werden nicht "
                          "veröffentlicht (count ist dann null, withheld true); wo sich eine "
                          "solche Zahl aus der Summe ergäbe, auch die nächstkleinere."),
    Operation("/statistik.csv", "getStatisticsCsv", "Öffentliche Statistik als CSV",
              STATISTICS_PARAMS, None, media_type=CSV_TYPE),
    Operation("/katalog", "getCatalogue", "Katalogeintrag nach DCAT-AP.de (JSON-LD) für "
              "Open-Data-Portale", (), "Catalogue", media_type="application/ld+json"),
)


def _responses(op):
    headers = {name: {"schema": {"type": "string"}, "description": text} for name, text in (
        ("ETag", "Kennung dieses Inhalts"), ("Last-Modified", "Letzte Änderung"),
        ("Cache-Control", "Darf 60 Sekunden zwischengespeichert werden"))}
    if op.schema is not None:
        content = {op.media_type: {"schema": {"$ref": f"#/components/schemas/{op.schema}"}}}
    else:
        content = {op.media_type: {"schema": {"type": "string"}}}
    problem = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    responses = {
        "200": {"description": op.summary, "headers": headers, "content": content},
        "304": {"description": "Unverändert (If-None-Match oder If-Modified-Since)"},
        "400": {"description": "Ungültiger Parameter", "content": problem},
    }
    if op.not_found:
        responses["404"] = {"description": "Nicht gefunden oder nicht veröffentlicht",
                            "content": problem}
    return responses


def openapi_document():
    paths = {}
    for op in OPERATIONS:
        operation = {"operationId": op.operation_id, "summary": op.summary,
                     "parameters": [p.openapi() for p in op.params],
                     "responses": _responses(op)}
        if op.description:
            operation["description"] = op.description
        paths[op.path] = {"get": operation}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Integrationspreise in Bayern – offene Daten",
            "version": API_VERSION,
            "description": (
                "Veröffentlichte Preisträgerinnen und Preisträger, Ausschreibungen und "
                "Statistik des Bayerischen Integrationspreises und der Integrationspreise der "
                "Regierungen. Name, Ort, Projekttext und Fotos erscheinen nur, wenn die "
                "Ausgezeichneten der Veröffentlichung zugestimmt haben; sonst sind die Felder "
                "null. Vor der Preisverleihung (Sperrfrist) ist nichts davon abrufbar."),
            "license": {"name": LICENSE, "url": LICENSE_URL},
        },
        "servers": [{"url": url_for("api.winners", _external=True).rsplit("/", 1)[0]}],
        "paths": paths,
        "components": {"schemas": _schemas()},
    }


def _schemas():
    nullable_string = {"type": ["string", "null"]}
    uri = {"type": "string", "format": "uri"}
    date_time = {"type": ["string", "null"], "format": "date-time"}
    region = {"oneOf": [
        {"type": "null"},
        {"type": "object", "additionalProperties": False, "required": ["code", "name"],
         "properties": {"code": {"type": "string", "enum": list(contract.REGION_CODES)},
                        "name": {"type": "string"}}},
    ]}
    prize = {"type": "object", "additionalProperties": False, "required": ["code", "title", "motto"],
             "properties": {"code": {"type": "string", "enum": list(contract.PRIZE_CODES)},
                            "title": {"type": "string"}, "motto": nullable_string}}

    def strict(properties, **extra):
        return {"type": "object", "additionalProperties": False,
                "required": list(properties), "properties": properties, **extra}

    def list_of(item):
        return strict({
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "meta": {"$ref": "#/components/schemas/PageMeta"},
            "links": {"$ref": "#/components/schemas/PageLinks"},
        })

    def item_of(item):
        return strict({"data": {"$ref": f"#/components/schemas/{item}"},
                       "meta": strict({"license": {"type": "string"}})})

    count_item = strict({"key": {"type": "string"}, "label": {"type": "string"},
                         "count": {"type": ["integer", "null"], "minimum": 0},
                         "withheld": {"type": "boolean"}})
    return {
        "PageMeta": strict({
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1, "maximum": contract.MAX_PAGE},
            "per_page": {"type": "integer", "minimum": 1, "maximum": contract.MAX_PER_PAGE},
            "pages": {"type": "integer", "minimum": 1},
            "license": {"type": "string"},
        }),
        "PageLinks": {"type": "object", "additionalProperties": False,
                      "required": ["self", "first", "last"],
                      "properties": {k: uri for k in ("self", "first", "last", "next", "prev")}},
        "WinnerList": list_of("Winner"),
        "WinnerItem": item_of("Winner"),
        "Winner": strict({
            "id": {"type": "integer", "minimum": 1, "description": "Dauerhafte Kennung"},
            "year": {"type": "integer"},
            "prize": prize,
            "category": {"type": "string", "description": "z. B. „1. Preis“, „Sonderpreis“"},
            "rank": {"type": "integer"},
            "amount_cents": {"type": "integer", "minimum": 0, "description": "Preisgeld in Cent"},
            "region": region,
            "laureate": {**nullable_string, "description": "Nur mit Einwilligung"},
            "place": {**nullable_string, "description": "Nur mit Einwilligung"},
            "project_title": {**nullable_string, "description": "Nur mit Einwilligung"},
            "summary": {**nullable_string, "description": "Nur mit Einwilligung"},
            "photos": {"type": "array", "items": uri},
            "url": uri,
            "links": strict({"self": uri, "call": uri}),
            "published_at": date_time,
        }),
        "CallList": list_of("Call"),
        "CallItem": item_of("Call"),
        "Call": strict({
            "id": {"type": "integer", "minimum": 1, "description": "Dauerhafte Kennung"},
            "year": {"type": "integer"},
            "prize": prize,
            "level": {"type": "string", "enum": ["state", "regional"]},
            "region": region,
            "description": nullable_string,
            "eligibility": nullable_string,
            "opens_at": date_time,
            "deadline_at": date_time,
            "ceremony_at": date_time,
            "ceremony_place": nullable_string,
            "budget_cents": {"type": "integer", "minimum": 0, "description": "Preisgeld in Cent"},
            "categories": {"type": "array", "items": strict({
                "label": {"type": "string"}, "rank": {"type": "integer"},
                "amount_cents": {"type": "integer", "minimum": 0},
                "count": {"type": "integer", "minimum": 0}})},
            "phase": {"type": "string", "enum": list(opendata.PHASES)},
            "winners_public": {"type": "boolean"},
            "winners_count": {"type": ["integer", "null"], "minimum": 0},
            "awarded_cents": {"type": ["integer", "null"], "minimum": 0,
                              "description": "Summe der veröffentlichten Preisgelder"},
            "url": uri,
            "links": strict({"self": uri, "winners": uri}),
        }),
        "Statistics": strict({
            "data": {"type": "array", "items": strict({
                "year": {"type": "integer"},
                "prize_code": {"type": "string", "enum": list(contract.PRIZE_CODES)},
                "applications": {"type": ["integer", "null"], "minimum": 0},
                "applications_withheld": {"type": "boolean"},
                "by_region": {"type": "array", "items": count_item},
                "by_applicant_type": {"type": "array", "items": count_item},
                "winners_by_category": {"type": "array", "items": strict({
                    "rank": {"type": "integer"}, "label": {"type": "string"},
                    "count": {"type": ["integer", "null"], "minimum": 0}})},
            })},
            "meta": strict({"license": {"type": "string"},
                            "min_count": {"type": "integer", "minimum": 1}}),
        }),
        "Catalogue": {"type": "object", "required": ["@context", "@id", "@type", "dcat:dataset"],
                      "properties": {"@type": {"const": "dcat:Catalog"},
                                     "dcat:dataset": {"type": "array", "minItems": 1}}},
        "Problem": {"type": "object", "required": ["type", "title", "status", "detail"],
                    "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                                   "status": {"type": "integer"},
                                   "detail": {"type": "string"}}},
    }


@bp.get("/katalog")
def catalogue():
    """The DCAT-AP.de catalogue entry of these datasets (JSON-LD), for open-data portals."""
    now = _now()
    modified = publication_state.last_modified(db.session, now)
    return _finish(_dumps(dcat.catalogue(modified=modified)), "application/ld+json",
                   last_modified=modified)


@bp.get("/openapi.json")
def openapi():
    return _finish(_dumps(openapi_document()), "application/json", last_modified=None)
