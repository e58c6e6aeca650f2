"""Administration: users, invitations, roles."""
from flask import Blueprint, render_template
from sqlalchemy import select

from awards import permissions
from awards.extensions import db
from awards.models.users import User
from awards.views.util import require

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")


@bp.get("/benutzer")
def users():
    require(permissions.can_manage_users)
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows)
