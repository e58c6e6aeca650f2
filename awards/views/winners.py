"""Public winners pages, photo delivery, certificate verification and the laureate's download.

Every public route resolves its rows through awards.services.publication with the current
instant, so a competition under embargo answers 404 exactly like one that does not exist.
"""
import hashlib
import math
from functools import lru_cache

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from awards import permissions
from awards.adapters.storage import get_storage
from awards.cachekeys import CacheInputs
from awards.enums import Region
from awards import unit_of_work
from awards.extensions import db
from awards.models.applications import Application
from awards.services import certificates, opendata, publication, publication_state, statistics
from awards.services.decisions import DecisionError
from awards.views.converters import parse_id
from awards.views.util import require, stored_file_response
from awards.adapters.cache import get_cache

bp = Blueprint("winners", __name__)

PER_PAGE = 20
PUBLIC_CACHE = "public, max-age=60"


def _int_arg(name, default=None, minimum=None, maximum=None):
    raw = request.args.get(name, "")
    if not raw:
        return default
    value = parse_id(raw)
    if value is None:
        return None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return None
    return value


def _cacheable(response):
    """Public bytes (photos): shared caches may keep them briefly; ETag from the content."""
    response.headers["Cache-Control"] = PUBLIC_CACHE
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    return response.make_conditional(request)


@lru_cache(maxsize=1)
def _template_stamp():
    """Changes when the page templates change (a deploy), so old ETags stop matching."""
    from pathlib import Path

    from flask import current_app

    root = Path(current_app.template_folder)
    files = list((root / "winners").glob("*.html")) + [root / "base.html"]
    return max(f.stat().st_mtime_ns for f in files)


# The page cache's key: the publication state's fingerprint of the public data (declared in
# publication_state.PUBLIC_DATA), the URL, the templates' stamp, the language and the viewer.
PAGE_INPUTS = CacheInputs("winners-page", tables=publication_state.PUBLIC_DATA.tables,
                          fixed=publication_state.PUBLIC_DATA.fixed,
                          context=("path", "templates", "language", "viewer"))

# As long as shared caches may keep the page anyway (PUBLIC_CACHE): the fingerprint moves
# with every change, the lifetime only bounds what disagreeing host clocks could leave stale.
CACHE_TTL = 60


def _page(template, build, now):
    """Render a public page, or answer it from the page cache.

    `build()` runs the page's queries and returns the template context, or None for 404.
    The key is the URL, the language, the templates' stamp and the publication state's
    fingerprint at `now` (awards.services.publication_state: one row read by primary key),
    so any change to what the pages show, and a publication time passing, makes a new key.
    The ETag is that key too: an unchanged page answers 304 after that one read.

    Only anonymous visitors share cached pages. A logged-in user's page carries their name
    and form token: it is rendered for them, private to the browser and revalidated. A page
    whose rendering touched the session (a flash message) is neither cached nor public.
    """
    from flask import session
    from flask_babel import get_locale

    viewer = current_user.get_id() if current_user.is_authenticated else None
    material = PAGE_INPUTS.material(
        path=request.full_path, data=publication_state.fingerprint(db.session, now),
        templates=_template_stamp(), language=str(get_locale()), viewer=viewer)
    etag = hashlib.sha256(material.encode()).hexdigest()[:40]
    cache = get_cache() if viewer is None else None
    body = None
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        body = cache.get("page:" + etag) if cache is not None else None
        if body is None:
            context = build()
            if context is None:
                abort(404)
            body = render_template(template, **context).encode()
            if cache is not None and not session.modified:
                cache.set("page:" + etag, body, ttl=CACHE_TTL)
        response = Response(body, mimetype="text/html")
    if not session.modified:
        # A page that showed a flash message must not come back from the browser's cache.
        response.set_etag(etag)
    private = viewer is not None or session.modified
    response.headers["Cache-Control"] = "private, no-cache" if private else PUBLIC_CACHE
    response.vary.add("Cookie")
    return response


@bp.get("/preistraeger")
def overview():
    now = publication.clock()
    year = _int_arg("jahr", minimum=1900, maximum=2999)
    page = _int_arg("seite", default=1, minimum=1)
    prize = (request.args.get("preis") or "").upper() or None
    region = request.args.get("bezirk") or None
    if region and region not in {r.value for r in Region}:
        region = None
    if page is None:
        page = 1

    def build():
        nonlocal prize
        years, prizes = publication.filter_options(now=now)
        if prize and prize not in prizes:
            prize = None
        winners, total = publication.list_winners(now=now, year=year, prize_code=prize,
                                                  region=region, page=page, per_page=PER_PAGE)
        pages = max(1, math.ceil(total / PER_PAGE))
        if page > pages:
            return None
        args = {k: v for k, v in (("jahr", year), ("preis", prize), ("bezirk", region)) if v}
        return dict(winners=winners, total=total, page=page, pages=pages, years=years,
                    prizes=prizes, regions=list(Region),
                    selected={"year": year, "prize": prize, "region": region}, args=args)

    return _page("winners/overview.html", build, now)


@bp.get("/preistraeger/<prize_code>/<int:year>")
def competition(prize_code, year):
    now = publication.clock()

    def build():
        comp, winners = publication.competition_winners(now=now, prize_code=prize_code.upper(),
                                                        year=year)
        if comp is None:
            return None
        # Counts only, and only once the winners are public (comp is None before).
        applications, regions = statistics.public_summary(competition=comp)
        summary = (applications, regions) if applications >= opendata.MIN_COUNT else None
        return dict(competition=comp, winners=winners, summary=summary)

    return _page("winners/competition.html", build, now)


@bp.get("/preistraeger/<prize_code>/<int:year>/<int:decision_id>")
def project(prize_code, year, decision_id):
    now = publication.clock()

    def build():
        winner = publication.public_winner(now=now, decision_id=decision_id,
                                           prize_code=prize_code.upper(), year=year)
        return None if winner is None else dict(winner=winner)

    return _page("winners/project.html", build, now)


@bp.get("/preistraeger/foto/<int:attachment_id>")
def photo(attachment_id):
    attachment = publication.public_photo(now=publication.clock(), attachment_id=attachment_id)
    if attachment is None:
        abort(404)
    data = publication.public_photo_bytes(attachment=attachment, storage=get_storage())
    response = Response(data, mimetype=attachment.content_type)
    return _cacheable(response)


@bp.get("/urkunde/pruefen")
def verify_form():
    code = request.args.get("code")
    if code:
        normalised = certificates.normalise_code(code)
        return redirect(url_for("winners.verify", code=normalised or code.strip()[:40]))
    return render_template("winners/verify.html", result=None, code="")


@bp.get("/urkunde/pruefen/<code>")
def verify(code):
    result = certificates.verify(code[:40], now=publication.clock())
    status = 200 if result.status in ("genuine", "embargo", "revoked") else 404
    response = Response(render_template("winners/verify.html", result=result, code=code[:40]),
                        status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/urkunde/<int:application_id>")
def certificate(application_id):
    """The laureate's own certificate (the application's owner) or staff of the prize."""
    application = db.session.get(Application, application_id)
    require(permissions.can_download_certificate, application)
    unit_of_work.allow_write("a certificate is rendered and stored on its first download")
    try:
        cert, rendered = certificates.ensure_certificate(actor=current_user,
                                                         application=application,
                                                         storage=get_storage())
    except DecisionError:
        abort(404)
    name = certificates.download_name(application, application.competition)
    return stored_file_response(cert.storage_key, filename=name, content_type="application/pdf",
                                size=cert.size)


@bp.app_template_global("laureate_certificates")
def laureate_certificates_global():
    """For templates/winners/_dashboard_certificates.html (included by the dashboard)."""
    return publication.laureate_certificates(current_user)
