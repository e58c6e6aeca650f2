"""Public pages: start page, calls for applications, legal pages, language switch."""
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from sqlalchemy import select

from awards.extensions import db
from awards.i18n import _l
from awards.models.competitions import Competition
from awards.services import lifecycle, publication
from awards.views.util import safe_next

bp = Blueprint("public", __name__)

PAGES = {
    "impressum": _l("Impressum"),
    "datenschutz": _l("Datenschutzhinweise"),
    "barrierefreiheit": _l("Erklärung zur Barrierefreiheit"),
    "leichte-sprache": _l("Informationen in Leichter Sprache"),
    "gebaerdensprache": _l("Informationen in Deutscher Gebärdensprache"),
}


def _public_competitions():
    return db.session.scalars(
        select(Competition)
        .where(lifecycle.stage_may_be(lifecycle.PUBLIC_STATES))
        .order_by(Competition.year.desc(), Competition.level.desc(), Competition.prize_code)
    ).all()


@bp.get("/")
def index():
    competitions = _public_competitions()
    states = lifecycle.states_of(competitions)
    open_now = [c for c in competitions if states[c.id] == lifecycle.YearState.OPEN]
    return render_template("public/index.html", open_competitions=open_now)


@bp.get("/ausschreibungen")
def competitions():
    competitions = _public_competitions()
    return render_template("public/competitions.html", competitions=competitions,
                           states=lifecycle.states_of(competitions))


@bp.get("/ausschreibungen/<prize_code>/<int:year>")
def competition(prize_code, year):
    comp = db.session.scalars(
        select(Competition).where(Competition.prize_code == prize_code.upper(),
                                  Competition.year == year)
    ).first()
    if comp is None:
        abort(404)
    now = publication.clock()
    state = lifecycle.state_of(comp, now)
    if state not in lifecycle.PUBLIC_STATES:
        abort(404)
    awarded = None
    if state in (lifecycle.YearState.PUBLISHED, lifecycle.YearState.ARCHIVED):
        # The money shown is what the public decisions award, not the announced budget.
        _comp, winners = publication.competition_winners(now=now, prize_code=comp.prize_code,
                                                         year=comp.year)
        if _comp is not None:
            awarded = {"total_cents": sum(w.amount_cents for w in winners), "count": len(winners)}
    return render_template("public/competition.html", competition=comp, state=state,
                           awarded=awarded, can_apply=state == lifecycle.YearState.OPEN,
                           deadline_passed=comp.deadline_at is not None and comp.deadline_at < now)


@bp.get("/ping")
def ping():
    """A trivial route without database access: the framework's floor in benchmarks."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/seite/<slug>")
def page(slug):
    if slug not in PAGES:
        abort(404)
    return render_template(f"public/pages/{slug}.html", title=PAGES[slug])


@bp.get("/sprache/<lang>")
def set_language(lang):
    # A display preference only (no data changes), so a plain link works without a form.
    if lang not in ("de", "en"):
        abort(404)
    session["lang"] = lang
    return redirect(safe_next(request.args.get("next")) or url_for("public.index"))
