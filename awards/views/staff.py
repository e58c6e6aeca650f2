"""Geschäftsstelle: competitions of the prizes a staff member works on."""
from flask import Blueprint, render_template
from sqlalchemy import select

from awards import permissions
from awards.extensions import db
from awards.models.competitions import Competition
from awards.views.util import require

bp = Blueprint("staff", __name__, url_prefix="/geschaeftsstelle")


def visible_competitions(user):
    query = select(Competition).order_by(Competition.year.desc(), Competition.prize_code)
    codes = permissions.staff_prize_codes(user)
    if codes is not None:
        query = query.where(Competition.prize_code.in_(codes))
    return db.session.scalars(query).all()


@bp.get("/")
def index():
    require(permissions.is_staff)
    from flask_login import current_user

    return render_template("staff/index.html", competitions=visible_competitions(current_user))
