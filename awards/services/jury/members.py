"""Who sits on a competition's jury, and who chairs it."""
from sqlalchemy import select

from awards.enums import Role
from awards.extensions import db
from awards.models.jury import Assignment
from awards.models.users import RoleAssignment, User


def _active(query, active):
    return query if active is None else query.where(User.active.is_(active))


def competition_jurors(competition_id, *, active=None):
    """Jury members of a competition: [(User, is_chair)], the chairs first, then by name.
    `active=True`: only accounts that are active (e.g. to write to them)."""
    rows = db.session.execute(_active(
        select(User, RoleAssignment.is_chair)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.JUROR, RoleAssignment.competition_id == competition_id)
        .order_by(RoleAssignment.is_chair.desc(), User.name, User.email), active)
    ).all()
    return [(u, chair) for u, chair in rows]


def round_jurors(round_id, *, active=None):
    """The jury members assigned to a round: [User] by name. `active=True`: only accounts
    that are active."""
    return db.session.scalars(_active(
        select(User).where(User.id.in_(select(Assignment.juror_id)
                                       .where(Assignment.round_id == round_id)))
        .order_by(User.name, User.email), active)).all()


def chair_ids(competition_id):
    """The ids of the competition's jury chairs."""
    return set(db.session.scalars(select(RoleAssignment.user_id).where(
        RoleAssignment.role == Role.JUROR, RoleAssignment.competition_id == competition_id,
        RoleAssignment.is_chair.is_(True))).all())
