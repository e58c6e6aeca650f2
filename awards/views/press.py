"""Press kit and public texts: staff write the press release and each winner's public text,
the applicant approves their text, the press kit is downloaded as a ZIP.

Staff of the prize (permissions.can_release_decisions: never a jury member while the
jury's anonymity holds) edit everything. The applicant (or the linked nominee) sees the
proposed text of their own award once the decisions are released. The ZIP is staff-only
until the winners are public (press embargo); from then on anyone may fetch it from the
public winners page of the competition.
"""
from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, url_for)
from flask_login import current_user
from sqlalchemy import select

from awards import permissions, unit_of_work
from awards.adapters.storage import get_storage
from awards.errors import show_on_form
from awards.extensions import db
from awards.filenames import content_disposition
from awards.forms.press import PressReleaseForm, PublicTextAnswerForm, PublicTextForm
from awards.i18n import gettext as _
from awards.models.applications import Application
from awards.models.competitions import Competition
from awards.models.decisions import Decision
from awards.services import decisions, press, publication
from awards.services.press import PressError
from awards.views.converters import parse_id
from awards.views.util import require

bp = Blueprint("press", __name__)

STAFF = "/geschaeftsstelle/entscheidungen/<int:competition_id>/pressemappe"


def _competition(competition_id):
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        abort(404)
    require(permissions.can_release_decisions, competition)
    return competition


def _loaded_version(form):
    """The version the form was loaded with; 0 when there was no row yet, so a row someone
    created meanwhile counts as a stale edit too."""
    return parse_id(form.version.data) if form.version.data else 0


def _render_kit(competition, form, status=200):
    rows = press.decisions_with_texts(competition)
    now = publication.clock()
    return render_template(
        "press/kit.html", competition=competition, form=form, kit=press.press_kit_of(competition),
        rows=rows, status_of=press.status_of, labels=press.STATUS_LABELS,
        released=decisions.is_released(competition),
        public=publication.is_public(competition, now),
        state=publication.publication_state(competition, now)), status


@bp.route(STAFF, methods=["GET", "POST"])
def kit(competition_id):
    competition = _competition(competition_id)
    row = press.press_kit_of(competition)
    form = PressReleaseForm()
    if request.method == "GET" and row is not None:
        form.headline.data, form.release_text.data = row.headline, row.release_text
        form.press_contact.data, form.version.data = row.press_contact, str(row.version)
    if form.validate_on_submit():
        try:
            press.save_press_release(actor=current_user, competition=competition,
                                     headline=form.headline.data,
                                     release_text=form.release_text.data,
                                     press_contact=form.press_contact.data,
                                     expected_version=_loaded_version(form))
        except PressError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Pressemitteilung ist gespeichert."), "success")
            return redirect(url_for("press.kit", competition_id=competition.id))
    return _render_kit(competition, form, 422 if request.method == "POST" else 200)


def _decision(competition, decision_id):
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.competition_id != competition.id:
        abort(404)
    return decision


@bp.route(STAFF + "/text/<int:decision_id>", methods=["GET", "POST"])
def edit_text(competition_id, decision_id):
    competition = _competition(competition_id)
    decision = _decision(competition, decision_id)
    row = decision.public_text
    form = PublicTextForm()
    if request.method == "GET":
        values = ({"title": row.title, "text": row.text, "photo_credit": row.photo_credit}
                  if row is not None else press.draft_defaults(decision))
        form.title.data, form.text.data = values["title"], values["text"]
        form.photo_credit.data = values["photo_credit"]
        form.version.data = str(row.version) if row is not None else ""
    if form.validate_on_submit():
        propose = request.form.get("action") == "propose"
        try:
            press.save_public_text(actor=current_user, decision=decision, title=form.title.data,
                                   text=form.text.data, photo_credit=form.photo_credit.data,
                                   propose=propose,
                                   expected_version=_loaded_version(form))
        except PressError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Der Text ist der Preisträgerin oder dem Preisträger zur Freigabe vorgelegt.")
                  if propose else _("Der Entwurf ist gespeichert."), "success")
            return redirect(url_for("press.kit", competition_id=competition.id))
    return render_template("press/edit_text.html", competition=competition, decision=decision,
                           row=row, form=form, status=press.status_of(decision),
                           labels=press.STATUS_LABELS,
                           released=decisions.is_released(competition)), \
        422 if request.method == "POST" else 200


def _zip_response(competition):
    data = press.build_zip(competition=competition, storage=get_storage())
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(press.zip_name(competition))
    return response


@bp.get(STAFF + ".zip")
def staff_zip(competition_id):
    competition = _competition(competition_id)
    if not decisions.is_released(competition):
        flash(_("Die Pressemappe gibt es erst nach der Freigabe der Entscheidungen."), "error")
        return redirect(url_for("press.kit", competition_id=competition.id))
    response = _zip_response(competition)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/preistraeger/<prize_code>/<int:year>/pressemappe.zip")
def public_zip(prize_code, year):
    """For the press, once the winners are public; under embargo 404 like the pages."""
    now = publication.clock()
    competition = db.session.scalars(
        publication.public_competitions_query(now).where(
            Competition.prize_code == prize_code.upper(), Competition.year == year)).first()
    if competition is None:
        abort(404)
    response = _zip_response(competition)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


# --- the applicant ---------------------------------------------------------------------

def _own_award(application_id):
    """(application, decision) of the user's released award with a text put to them, else 404."""
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    application = db.session.get(Application, application_id)
    if application is None or not permissions.can_answer_public_text(current_user, application):
        abort(404)
    decision = db.session.scalars(select(Decision).where(
        Decision.application_id == application.id, Decision.revoked_at.is_(None))).first()
    if decision is None or not decisions.is_released(application.competition) \
            or press.status_of(decision) in ("none", "draft"):
        abort(404)
    return application, decision


@bp.route("/bewerbung/<int:application_id>/oeffentlicher-text", methods=["GET", "POST"])
def applicant_text(application_id):
    application, decision = _own_award(application_id)
    row = decision.public_text
    form = PublicTextAnswerForm()
    if request.method == "GET":
        form.version.data = str(row.version)
    if form.validate_on_submit():
        approve = request.form.get("action") == "approve"
        try:
            press.answer_public_text(actor=current_user, decision=decision, approve=approve,
                                     comment=form.comment.data,
                                     expected_version=_loaded_version(form))
        except PressError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Vielen Dank: Sie haben den Text freigegeben.") if approve
                  else _("Vielen Dank: Ihr Änderungswunsch ist bei der Geschäftsstelle."),
                  "success")
            return redirect(url_for("press.applicant_text", application_id=application.id))
    return render_template("press/applicant_text.html", application=application,
                           decision=decision, row=row, form=form,
                           competition=application.competition,
                           status=press.status_of(decision), labels=press.STATUS_LABELS), \
        422 if request.method == "POST" else 200
