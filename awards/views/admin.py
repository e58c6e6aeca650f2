"""Administration: users, invitations, roles. Administrators only."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from awards import permissions, unit_of_work
from awards.enums import Role
from awards.extensions import db
from awards.forms.admin import APPLICANTS, ConfirmForm, InviteForm, RoleForm, UserFilterForm
from awards.models.applications import Application
from awards.models.competitions import Competition
from awards.models.users import RoleAssignment, User
from awards.content_language import localized_choice
from awards.i18n import gettext as _
from awards.services import accounts
from awards.views import paging
from awards.views.util import require

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")


def _competition_choices():
    rows = db.session.scalars(
        select(Competition).order_by(Competition.year.desc(), Competition.prize_code)).all()
    return [localized_choice(c.id, c, "title", suffix=f" {c.year}") for c in rows]


def _competition(competition_id):
    if not competition_id:
        return None
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        abort(400)
    return competition


def _hidden_owners():
    """Accounts of applicants an administrator sitting on an anonymised jury must not see."""
    hidden = permissions.hidden_competition_ids(current_user)
    if not hidden:
        return None
    return select(Application.owner_id).where(Application.competition_id.in_(hidden),
                                              Application.owner_id.is_not(None))


def _user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    hidden = _hidden_owners()
    if hidden is not None and user.id != current_user.id and user.id in db.session.scalars(hidden).all():
        abort(404)
    return user


USERS_PER_PAGE = 50


def _user_query(search, role):
    """Users whose name or e-mail contains `search`, with the role (or none at all)."""
    query = select(User)
    if search:
        query = query.where(User.email.icontains(search, autoescape=True)
                            | User.name.icontains(search, autoescape=True))
    if role == APPLICANTS:
        query = query.where(~User.roles.any())
    elif role:
        query = query.where(User.roles.any(RoleAssignment.role == Role(role)))
    hidden = _hidden_owners()
    if hidden is not None:
        query = query.where(User.id.not_in(hidden) | (User.id == current_user.id))
    return query


@bp.get("/benutzer")
def users():
    """Every account, 50 per page: applicants make it thousands over the years."""
    require(permissions.can_manage_users)
    form = UserFilterForm(request.args)
    search, role = form.filters()
    page = paging.paginate(
        _user_query(search, role)
        .options(selectinload(User.roles).joinedload(RoleAssignment.competition))
        .order_by(User.email, User.id),
        per_page=USERS_PER_PAGE)
    args = {k: v for k, v in request.args.items() if k in form._fields and v}
    return render_template("admin/users.html", users=page.items, page=page, form=form, args=args)


@bp.route("/benutzer/einladen", methods=["GET", "POST"])
def invite():
    require(permissions.can_manage_users)
    form = InviteForm(competitions=_competition_choices())
    if form.validate_on_submit():
        prize_code, competition_id, is_chair = form.scope()
        user = accounts.invite(actor=current_user, email=form.email.data, name=form.name.data,
                               role=Role(form.role.data), prize_code=prize_code,
                               competition=_competition(competition_id), is_chair=is_chair)
        flash(_("Die Einladung an %(email)s ist verschickt.", email=user.email), "success")
        return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.get("/benutzer/<int:user_id>")
def user(user_id):
    require(permissions.can_manage_users)
    return render_template("admin/user.html", user=_user(user_id),
                           form=RoleForm(competitions=_competition_choices()),
                           confirm=ConfirmForm())


@bp.post("/benutzer/<int:user_id>/rollen")
def assign_role(user_id):
    require(permissions.can_manage_users)
    user = _user(user_id)
    form = RoleForm(competitions=_competition_choices())
    if not form.validate_on_submit():
        return render_template("admin/user.html", user=user, form=form,
                               confirm=ConfirmForm()), 400
    prize_code, competition_id, is_chair = form.scope()
    accounts.assign_role(actor=current_user, user=user, role=Role(form.role.data),
                         prize_code=prize_code, competition=_competition(competition_id),
                         is_chair=is_chair)
    flash(_("Die Rolle ist zugewiesen."), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/benutzer/<int:user_id>/rollen/<int:assignment_id>/entziehen")
def revoke_role(user_id, assignment_id):
    require(permissions.can_manage_users)
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None or assignment.user_id != user_id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        accounts.revoke_role(actor=current_user, assignment=assignment)
    except accounts.AccountError as exc:
        unit_of_work.discard()
        flash(str(exc), "error")
    else:
        flash(_("Die Rolle ist entzogen."), "success")
    return redirect(url_for("admin.user", user_id=user_id))
