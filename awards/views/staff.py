"""Geschäftsstelle: competitions of the prizes a staff member works on."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from awards import permissions, unit_of_work
from awards.enums import AllocationMode, CompetitionStatus, Region
from awards.errors import show_on_form
from awards.extensions import db
from awards.forms.competitions import (CategoryForm, CompetitionFieldsForm, CompetitionForm,
                                       ConfirmForm, CriterionForm, StageConfirmForm, format_anchors)
from awards.models.applications import Application
from awards.models.competitions import Competition, Criterion, PrizeCategory
from awards.services import competitions as service
from awards.services import lifecycle
from awards.views.util import require
from awards.enums import ApplicationStatus
from awards.i18n import gettext as _
from awards.i18n import lazy_gettext as _l

bp = Blueprint("staff", __name__, url_prefix="/geschaeftsstelle")

# Staff pages of other areas, linked from the competition page once they exist:
# (endpoint, label, description).
AREA_LINKS = (
    ("intake.applications", _l("Eingang der Bewerbungen"),
     _l("Bewerbungen ansehen, formal prüfen, exportieren")),
    ("staffjury.rounds", _l("Jury und Bewertungsrunden"),
     _l("Jury zusammenstellen, Runden, Zuteilung, Rangliste")),
    ("decisions.index", _l("Entscheidung und Veröffentlichung"),
     _l("Preisträger festlegen, Urkunden, Veröffentlichung")),
    ("messaging.compose", _l("Nachricht schreiben"),
     _l("An Bewerbende, Preisträger, Vorgeschlagene oder die Jury schreiben")),
    ("messaging.auto_mails", _l("Automatische E-Mails"),
     _l("Erinnerungen an Jury und Bewerbende, Einladung zur Preisverleihung")),
)


def visible_competitions(user):
    query = select(Competition).order_by(Competition.year.desc(), Competition.prize_code)
    codes = permissions.staff_prize_codes(user)
    if codes is not None:
        query = query.where(Competition.prize_code.in_(codes))
    return db.session.scalars(query).all()


def _allowed_prize_codes(user):
    codes = permissions.staff_prize_codes(user)
    return None if codes is None else sorted(codes)


def _load(competition_id):
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        require(permissions.is_staff)
        abort(404)
    require(permissions.can_manage_competition, competition)
    return competition


def _values(form):
    return {
        "title": form.title.data, "motto": form.motto.data or "",
        "description": form.description.data or "", "eligibility": form.eligibility.data or "",
        "preparation": form.preparation.data or "", "contact": form.contact.data or "",
        "opens_at": service.from_berlin_parts(form.opens_date.data, form.opens_time.data),
        "deadline_at": service.from_berlin_parts(form.deadline_date.data, form.deadline_time.data),
        "ceremony_at": service.from_berlin_parts(form.ceremony_date.data, form.ceremony_time.data),
        "ceremony_place": form.ceremony_place.data or "", "budget_cents": form.budget.data,
        "allocation_mode": AllocationMode(form.allocation_mode.data),
        "preselection_during_call": bool(form.preselection_during_call.data),
        **{f: (getattr(form, f).data or "").strip() for f in service.ENGLISH_FIELDS},
    }


def _fill(form, competition):
    for field in ("title", "motto", "description", "eligibility", "preparation", "contact",
                  "ceremony_place", *service.ENGLISH_FIELDS):
        getattr(form, field).data = getattr(competition, field)
    form.opens_date.data, form.opens_time.data = service.berlin_parts(competition.opens_at)
    form.deadline_date.data, form.deadline_time.data = service.berlin_parts(competition.deadline_at)
    form.ceremony_date.data, form.ceremony_time.data = service.berlin_parts(competition.ceremony_at)
    form.budget.data = competition.budget_cents
    form.allocation_mode.data = competition.allocation_mode.value
    form.preselection_during_call.data = competition.preselection_during_call


@bp.get("/")
def index():
    require(permissions.is_staff)
    competitions = visible_competitions(current_user)
    return render_template("staff/index.html", competitions=competitions,
                           states=lifecycle.states_of(competitions))


@bp.route("/wettbewerbe/neu", methods=["GET", "POST"])
def create_competition():
    require(permissions.is_staff)
    form = CompetitionForm(prize_codes=_allowed_prize_codes(current_user))
    if request.method == "GET":
        form.allocation_mode.data = AllocationMode.RANKED.value
    if form.validate_on_submit():
        if not permissions.can_create_competition(current_user, form.prize_code.data):
            abort(403)
        try:
            competition = service.create(actor=current_user, prize_code=form.prize_code.data,
                                         year=form.year.data, values=_values(form))
        except service.CompetitionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc, field="year")
        else:
            flash(_("Der Wettbewerb ist angelegt (Entwurf)."), "success")
            return redirect(url_for("staff.competition", competition_id=competition.id))
    return render_template("staff/competition_form.html", form=form, competition=None)


@bp.get("/wettbewerbe/<int:competition_id>")
def competition(competition_id):
    competition = _load(competition_id)
    links = [link for link in AREA_LINKS if link[0] in current_app.view_functions]
    state = lifecycle.state_of(competition)
    return render_template("staff/competition.html", competition=competition, state=state,
                           transitions=service.allowed_transitions(competition),
                           confirmed_actions=lifecycle.CONFIRMED_ACTIONS,
                           area_links=links, confirm=ConfirmForm(),
                           prize_total=sum(c.amount_cents * c.count for c in competition.categories),
                           can_edit=lifecycle.allows("edit_call", competition, state=state),
                           categories_editable=lifecycle.allows("edit_categories", competition,
                                                                state=state),
                           criteria_editable=lifecycle.allows("edit_criteria", competition,
                                                              state=state))


@bp.route("/wettbewerbe/<int:competition_id>/bearbeiten", methods=["GET", "POST"])
def edit_competition(competition_id):
    competition = _load(competition_id)
    # Prize and year identify the edition: shown as text, not fields, so not posted either.
    form = CompetitionFieldsForm()
    allowed = lifecycle.allows("edit_call", competition)
    if request.method == "GET":
        _fill(form, competition)
    elif not allowed:
        abort(409)
    if allowed and form.validate_on_submit():
        try:
            service.update(actor=current_user, competition=competition, values=_values(form))
        except (service.CompetitionFieldError, lifecycle.NotAllowed) as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Änderungen sind gespeichert."), "success")
            return redirect(url_for("staff.competition", competition_id=competition.id))
    return render_template("staff/competition_form.html", form=form, competition=competition,
                           allowed=allowed, state=lifecycle.state_of(competition)), \
        (422 if request.method == "POST" else 200)


def _stage_facts(competition):
    """What the confirmation pages tell: applications by status and the mails that go out."""
    from sqlalchemy import func

    rows = dict(db.session.execute(
        select(Application.status, func.count(Application.id))
        .where(Application.competition_id == competition.id)
        .group_by(Application.status)).all())
    return {"drafts": rows.get(ApplicationStatus.DRAFT, 0),
            "submitted": rows.get(ApplicationStatus.SUBMITTED, 0)
            + rows.get(ApplicationStatus.REOPENED, 0)}


@bp.route("/wettbewerbe/<int:competition_id>/stand/<action>", methods=["GET", "POST"])
def stage(competition_id, action):
    """Move the year (announce, end early, start the jury, ...). Far-reaching steps have a
    confirmation page: GET says what will happen, POST from that page does it."""
    competition = _load(competition_id)
    if action not in lifecycle.STAGE_ACTIONS:
        abort(404)
    spec = lifecycle.ACTIONS[action]
    needs_confirmation = action in lifecycle.CONFIRMED_ACTIONS
    form = StageConfirmForm() if needs_confirmation else ConfirmForm()
    if request.method == "GET" and not needs_confirmation:
        return redirect(url_for("staff.competition", competition_id=competition.id))
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.take_stage_action(actor=current_user, competition=competition, action=action)
        except (lifecycle.NotAllowed, service.CompetitionError) as exc:
            unit_of_work.discard()
            if not needs_confirmation:
                flash(str(exc), "error")
                return redirect(url_for("staff.competition", competition_id=competition.id))
            show_on_form(form, exc)
        else:
            flash(_("Neuer Stand: %(status)s", status=lifecycle.state_of(competition).label),
                  "success")
            return redirect(url_for("staff.competition", competition_id=competition.id))
    elif request.method == "POST" and not needs_confirmation:
        abort(400)
    state = lifecycle.state_of(competition)
    return render_template("staff/stage_confirm.html", competition=competition, action=spec,
                           form=form, state=state,
                           allowed=state in lifecycle.states_for(action, competition),
                           problems=service.stage_problems(competition, action),
                           facts=_stage_facts(competition), now=lifecycle.now()), \
        (422 if request.method == "POST" else 200)


@bp.post("/wettbewerbe/<int:competition_id>/status")
def change_status(competition_id):
    """The older form of the stage buttons (a target status). Steps that need a confirmation
    are never taken here: they lead to their confirmation page."""
    competition = _load(competition_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        status = CompetitionStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    for spec in service.allowed_transitions(competition):
        if spec.target == status and spec.name in lifecycle.CONFIRMED_ACTIONS:
            return redirect(url_for("staff.stage", competition_id=competition.id,
                                    action=spec.name), code=303)
    try:
        service.change_status(actor=current_user, competition=competition, status=status)
    except (service.CompetitionError, lifecycle.NotAllowed) as exc:
        unit_of_work.discard()
        flash(str(exc), "error")
    else:
        flash(_("Neuer Stand: %(status)s", status=lifecycle.state_of(competition).label),
              "success")
    return redirect(url_for("staff.competition", competition_id=competition.id))


@bp.post("/wettbewerbe/<int:competition_id>/kopieren")
def copy_competition(competition_id):
    competition = _load(competition_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        copy = service.copy_to_next_year(actor=current_user, competition=competition)
    except service.CompetitionError as exc:
        unit_of_work.discard()
        flash(str(exc), "error")
        return redirect(url_for("staff.competition", competition_id=competition.id))
    flash(_("Der Wettbewerb %(year)s ist als Entwurf angelegt. Bitte prüfen Sie Termine und Texte.",
            year=copy.year), "success")
    return redirect(url_for("staff.competition", competition_id=copy.id))


def _category(competition, category_id):
    category = db.session.get(PrizeCategory, category_id)
    if category is None or category.competition_id != competition.id:
        abort(404)
    return category


def _criterion(competition, criterion_id):
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None or criterion.competition_id != competition.id:
        abort(404)
    return criterion


def _back(competition, anchor):
    return redirect(url_for("staff.competition", competition_id=competition.id) + anchor)


def _category_values(form):
    return {"label": form.label.data, "label_en": (form.label_en.data or "").strip(),
            "rank": form.rank.data, "amount_cents": form.amount.data, "count": form.count.data}


@bp.route("/wettbewerbe/<int:competition_id>/preise/neu", methods=["GET", "POST"])
@bp.route("/wettbewerbe/<int:competition_id>/preise/<int:category_id>", methods=["GET", "POST"])
def category(competition_id, category_id=None):
    competition = _load(competition_id)
    category = _category(competition, category_id) if category_id else None
    form = CategoryForm()
    if request.method == "GET":
        if category is not None:
            form.label.data, form.rank.data = category.label, category.rank
            form.label_en.data = category.label_en
            form.amount.data, form.count.data = category.amount_cents, category.count
        else:
            form.rank.data = len(competition.categories) + 1
            form.count.data = 1
    if form.validate_on_submit():
        try:
            if category is None:
                service.add_category(actor=current_user, competition=competition,
                                     values=_category_values(form))
            else:
                service.update_category(actor=current_user, category=category,
                                        values=_category_values(form))
        except service.CompetitionError as exc:
            unit_of_work.discard()
            flash(str(exc), "error")
            return _back(competition, "#preise")
        flash(_("Der Preis ist gespeichert."), "success")
        return _back(competition, "#preise")
    return render_template("staff/category_form.html", form=form, competition=competition,
                           category=category)


@bp.post("/wettbewerbe/<int:competition_id>/preise/<int:category_id>/loeschen")
def delete_category(competition_id, category_id):
    competition = _load(competition_id)
    category = _category(competition, category_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.delete_category(actor=current_user, category=category)
    except service.CompetitionError as exc:
        unit_of_work.discard()
        flash(str(exc), "error")
    else:
        flash(_("Der Preis ist gelöscht."), "success")
    return _back(competition, "#preise")


@bp.route("/wettbewerbe/<int:competition_id>/kriterien/neu", methods=["GET", "POST"])
@bp.route("/wettbewerbe/<int:competition_id>/kriterien/<int:criterion_id>", methods=["GET", "POST"])
def criterion(competition_id, criterion_id=None):
    competition = _load(competition_id)
    criterion = _criterion(competition, criterion_id) if criterion_id else None
    form = CriterionForm()
    if request.method == "GET":
        if criterion is not None:
            for field in ("name", "description", "weight", "scale_min", "scale_max", "name_en",
                          "description_en"):
                getattr(form, field).data = getattr(criterion, field)
            form.anchors.data = format_anchors(criterion.anchors)
            form.anchors_en.data = format_anchors(criterion.anchors_en)
        else:
            form.weight.data, form.scale_min.data, form.scale_max.data = 1, 0, 10
    if form.validate_on_submit():
        try:
            if criterion is None:
                service.add_criterion(actor=current_user, competition=competition,
                                      values=form.values())
            else:
                service.update_criterion(actor=current_user, criterion=criterion,
                                         values=form.values())
        except service.CompetitionError as exc:
            unit_of_work.discard()
            flash(str(exc), "error")
            return _back(competition, "#kriterien")
        flash(_("Das Kriterium ist gespeichert."), "success")
        return _back(competition, "#kriterien")
    return render_template("staff/criterion_form.html", form=form, competition=competition,
                           criterion=criterion)


@bp.post("/wettbewerbe/<int:competition_id>/kriterien/<int:criterion_id>/loeschen")
def delete_criterion(competition_id, criterion_id):
    competition = _load(competition_id)
    criterion = _criterion(competition, criterion_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.delete_criterion(actor=current_user, criterion=criterion)
    except service.CompetitionError as exc:
        unit_of_work.discard()
        flash(str(exc), "error")
    else:
        flash(_("Das Kriterium ist gelöscht."), "success")
    return _back(competition, "#kriterien")


@bp.app_template_global()
def year_state(competition):
    """The year's state (lifecycle.YearState) for a page that lists a few competitions."""
    return lifecycle.state_of(competition)


@bp.app_template_global()
def year_allows(action, competition):
    """Templates ask the year's state machine whether to offer an action's button."""
    return competition is not None and lifecycle.allows(action, competition)


@bp.app_template_global()
def region_label(code):
    return "Bayern" if code == "BIP" else Region(code).label
