"""Open data: published winners as JSON, described by an OpenAPI 3.1 document.

Only what the public winners pages show leaves here (the same projection, the same
embargo and consent rules). Responses carry an ETag and may be cached briefly.
"""
import hashlib
import json
import math

from flask import Blueprint, Response, request, url_for

from awards.enums import Region
from awards.services import publication

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50
CACHE = "public, max-age=60"


def _json(payload, status=200):
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _json_body(body.encode(), status)


def _json_body(body, status=200):
    """The response for an encoded JSON body, freshly made or from the page cache."""
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = CACHE if status == 200 else "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"
    if status == 200:
        response.set_etag(hashlib.sha256(body).hexdigest())
        response = response.make_conditional(request)
    return response


def _problem(detail, status=400):
    return _json({"title": "Ungültige Anfrage", "status": status, "detail": detail}, status)


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
        "published_at": w.published_at.isoformat().replace("+00:00", "Z") if w.published_at else None,
    }


def _int_param(name, default, minimum, maximum):
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise ValueError(f"'{name}' muss eine ganze Zahl zwischen {minimum} und {maximum} sein.")
    return int(raw)


API_CACHE_TTL = 60


@bp.get("/preistraeger")
def winners():
    """Served from the page cache under the URL (with the host: the links are absolute) and
    the publication state's fingerprint, like the winners pages (awards.views.winners)."""
    from awards.adapters.cache import get_cache
    from awards.extensions import db
    from awards.services import publication_state

    now = publication.clock()
    material = repr(("api", request.host_url, request.full_path,
                     publication_state.fingerprint(db.session, now)))
    key = "api:" + hashlib.sha256(material.encode()).hexdigest()
    cache = get_cache()
    body = cache.get(key)
    if body is None:
        response = _winners(now)
        if response.status_code == 200:
            cache.set(key, response.get_data(), ttl=API_CACHE_TTL)
        return response
    return _json_body(body)


def _winners(now):
    try:
        year = _int_param("year", None, 1900, 2999)
        page = _int_param("page", 1, 1, 100000)
        per_page = _int_param("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    except ValueError as exc:
        return _problem(str(exc))
    prize = (request.args.get("prize") or "").upper() or None
    region = (request.args.get("region") or "").upper() or None
    if region and region not in {r.value for r in Region}:
        return _problem("'region' muss einer der Codes " + ", ".join(r.value for r in Region)
                        + " sein.")
    items, total = publication.list_winners(now=now, year=year, prize_code=prize,
                                            region=region, page=page, per_page=per_page)
    pages = max(1, math.ceil(total / per_page))
    args = {k: v for k, v in (("year", year), ("prize", prize), ("region", region)) if v}
    links = {"self": url_for("api.winners", page=page, per_page=per_page, _external=True, **args)}
    if page < pages:
        links["next"] = url_for("api.winners", page=page + 1, per_page=per_page, _external=True,
                                **args)
    if page > 1:
        links["prev"] = url_for("api.winners", page=page - 1, per_page=per_page, _external=True,
                                **args)
    return _json({
        "data": [_winner_json(w) for w in items],
        "meta": {"total": total, "page": page, "per_page": per_page, "pages": pages,
                 "license": "Datenlizenz Deutschland – Namensnennung – Version 2.0"},
        "links": links,
    })


def openapi_document():
    nullable_string = {"type": ["string", "null"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Integrationspreise in Bayern – Preisträger (offene Daten)",
            "version": "1.0.0",
            "description": (
                "Veröffentlichte Preisträgerinnen und Preisträger des Bayerischen "
                "Integrationspreises und der Integrationspreise der Regierungen. Name, Ort, "
                "Projekttext und Fotos erscheinen nur, wenn die Ausgezeichneten der "
                "Veröffentlichung zugestimmt haben; sonst sind die Felder null."
            ),
            "license": {"name": "Datenlizenz Deutschland – Namensnennung – Version 2.0",
                        "url": "https://www.govdata.de/dl-de/by-2-0"},
        },
        "servers": [{"url": url_for("api.winners", _external=True).rsplit("/", 1)[0]}],
        "paths": {
            "/preistraeger": {
                "get": {
                    "operationId": "listWinners",
                    "summary": "Veröffentlichte Preisträgerinnen und Preisträger",
                    "parameters": [
                        {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 1900, "maximum": 2999}},
                        {"name": "prize", "in": "query", "description": "Preiskürzel, z. B. BIP oder UFR",
                         "schema": {"type": "string", "maxLength": 10}},
                        {"name": "region", "in": "query", "description": "Regierungsbezirk",
                         "schema": {"type": "string", "enum": [r.value for r in Region]}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                        {"name": "per_page", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}},
                    ],
                    "responses": {
                        "200": {
                            "description": "Eine Seite der Preisträgerliste",
                            "headers": {"ETag": {"schema": {"type": "string"}},
                                        "Cache-Control": {"schema": {"type": "string"}}},
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/WinnerList"}}},
                        },
                        "304": {"description": "Unverändert (If-None-Match)"},
                        "400": {"description": "Ungültiger Parameter", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}}}},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "WinnerList": {
                    "type": "object",
                    "required": ["data", "meta", "links"],
                    "additionalProperties": False,
                    "properties": {
                        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Winner"}},
                        "meta": {
                            "type": "object", "additionalProperties": False,
                            "required": ["total", "page", "per_page", "pages", "license"],
                            "properties": {
                                "total": {"type": "integer", "minimum": 0},
                                "page": {"type": "integer", "minimum": 1},
                                "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                                "pages": {"type": "integer", "minimum": 1},
                                "license": {"type": "string"},
                            },
                        },
                        "links": {
                            "type": "object", "additionalProperties": False, "required": ["self"],
                            "properties": {k: {"type": "string", "format": "uri"}
                                           for k in ("self", "next", "prev")},
                        },
                    },
                },
                "Winner": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "year", "prize", "category", "rank", "amount_cents", "region",
                                 "laureate", "place", "project_title", "summary", "photos", "url",
                                 "published_at"],
                    "properties": {
                        "id": {"type": "integer"},
                        "year": {"type": "integer"},
                        "prize": {
                            "type": "object", "additionalProperties": False,
                            "required": ["code", "title", "motto"],
                            "properties": {"code": {"type": "string"}, "title": {"type": "string"},
                                           "motto": nullable_string},
                        },
                        "category": {"type": "string", "description": "z. B. „1. Preis“, „Sonderpreis“"},
                        "rank": {"type": "integer"},
                        "amount_cents": {"type": "integer", "minimum": 0,
                                         "description": "Preisgeld in Cent"},
                        "region": {
                            "oneOf": [
                                {"type": "null"},
                                {"type": "object", "additionalProperties": False,
                                 "required": ["code", "name"],
                                 "properties": {"code": {"type": "string", "enum": [r.value for r in Region]},
                                                "name": {"type": "string"}}},
                            ]
                        },
                        "laureate": {**nullable_string, "description": "Nur mit Einwilligung"},
                        "place": {**nullable_string, "description": "Nur mit Einwilligung"},
                        "project_title": {**nullable_string, "description": "Nur mit Einwilligung"},
                        "summary": {**nullable_string, "description": "Nur mit Einwilligung"},
                        "photos": {"type": "array", "items": {"type": "string", "format": "uri"}},
                        "url": {"type": "string", "format": "uri"},
                        "published_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
                "Problem": {
                    "type": "object", "required": ["title", "status", "detail"],
                    "properties": {"title": {"type": "string"}, "status": {"type": "integer"},
                                   "detail": {"type": "string"}},
                },
            }
        },
    }


@bp.get("/openapi.json")
def openapi():
    return _json(openapi_document())
