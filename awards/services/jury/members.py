"""Who sits on a competition's jury, and who chairs it."""
from sqlalchemy import select

from awards.enums import Role
from awards.extensions import db
from awards.models.users import RoleAssignment, User


def competition_jurors(competition_id):
    """Jury members of a competition: [(User, is_chair)] sorted by name."""
    rows = db.session.execute(
        select(User, RoleAssignment.is_chair)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.JUROR, RoleAssignment.competition_id == competition_id)
        .order_by(RoleAssignment.is_chair.desc(), User.name, User.email)
    ).all()
    return [(u, chair) for u, chair in rows]


def chair_ids(competition_id):
    """The ids of the competition's jury chairs."""
    return set(db.session.scalars(select(RoleAssignment.user_id).where(
        RoleAssignment.role == Role.JUROR, RoleAssignment.competition_id == competition_id,
        RoleAssignment.is_chair.is_(True))).all())
