"""How jury members see applications outside the juror pages, and revealing the names.

The rule itself (who is held to the jury's anonymity, when) is one predicate,
`permissions.identities_hidden_from`. Here it is applied: every decision page, minutes PDF
and list a jury member can reach labels an application through `label_for`, which gives
the juror projection (the round's code and the redacted title from
`anonymisation.project_title`) while the anonymity holds, and the reference, title and
applicant otherwise. Templates get `ApplicationLabel`s, never Application rows' names.
"""
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from awards import permissions
from awards.extensions import db
from awards.i18n import _l
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.jury import Conflict, Round, RoundEntry
from awards.models.jury_reveal import JuryReveal
from awards.services import audit
from awards.services.jury import anonymisation
from awards.services.decisions import DecisionError, release_of
from awards.services.publication import laureate_name

log = logging.getLogger("awards.jury_visibility")


@dataclass(frozen=True)
class ApplicationLabel:
    """What a page may show of one application to the person looking at it."""

    application_id: int
    label: str          # "OBB-2026-0042" or, under anonymity, the round code "B-7Q4K"
    title: str          # the project title, redacted under anonymity
    applicant: str | None = None   # organisation or person; None under anonymity
    anonymous: bool = False

    def __str__(self):
        return f"{self.label} – {self.title}"


def latest_entries(competition, application_ids=None):
    """{application id: RoundEntry} of the latest round each application took part in,
    preferring anonymised rounds (their codes are what the jury worked with)."""
    query = (select(RoundEntry, Round.position, Round.anonymised)
             .join(Round, Round.id == RoundEntry.round_id)
             .where(Round.competition_id == competition.id)
             .options(selectinload(RoundEntry.application), selectinload(RoundEntry.round)))
    if application_ids is not None:
        query = query.where(RoundEntry.application_id.in_(application_ids))
    rows = db.session.execute(query).all()
    best = {}
    for entry, position, anonymised in rows:
        key = (bool(anonymised), position)
        current = best.get(entry.application_id)
        if current is None or key > current[0]:
            best[entry.application_id] = (key, entry)
    return {app_id: entry for app_id, (_key, entry) in best.items()}


def projected_label(application, entry):
    """The juror projection of an application: code and redacted title of its entry."""
    if entry is None:
        return ApplicationLabel(application.id, "–", "–", None, anonymous=True)
    return ApplicationLabel(application.id, entry.code, anonymisation.project_title(entry),
                            None, anonymous=True)


def plain_label(application, *, with_applicant=True):
    return ApplicationLabel(
        application.id, application.reference or f"#{application.id}",
        application.display_title,
        (application.org_name or application.contact_name or None) if with_applicant else None)


def label_for(application, *, hidden, entries=None, with_applicant=True):
    """The label of one application for a reader who is (`hidden`) or is not held to the
    jury's anonymity. `entries`: latest_entries() of the competition, loaded once per page."""
    if not hidden:
        return plain_label(application, with_applicant=with_applicant)
    if entries is None:
        entries = latest_entries(application.competition)
    return projected_label(application, entries.get(application.id))


def conflicted_application_ids(user, competition):
    """Applications of the competition this user declared (or staff recorded) a conflict for."""
    if user is None or getattr(user, "id", None) is None:
        return set()
    return set(db.session.scalars(
        select(Conflict.application_id)
        .join(Application, Application.id == Conflict.application_id)
        .where(Conflict.juror_id == user.id, Application.competition_id == competition.id)))


def shows_applicant(viewer, competition, *, hidden=None):
    """Staff see who applied; the chair only once the names are revealed to the jury."""
    if hidden is None:
        hidden = permissions.identities_hidden_from(viewer, competition)
    if hidden:
        return False
    return (permissions.can_release_decisions(viewer, competition)
            or reveal_of(competition) is not None)


@dataclass(frozen=True)
class DecisionRow:
    item: ApplicationLabel
    decision: object  # the Decision or None


def decision_rows(*, viewer, competition, applications, decisions_by_app):
    """The applications a viewer may decide on, as they may see them.

    Under anonymity only applications that went through a jury round are listed (by code
    and redacted title); applications the viewer has a conflict for are never listed.
    Returns (rows, hidden_by_conflict)."""
    hidden = permissions.identities_hidden_from(viewer, competition)
    conflicted = conflicted_application_ids(viewer, competition)
    entries = latest_entries(competition) if hidden else {}
    show_applicant = shows_applicant(viewer, competition, hidden=hidden)
    rows = []
    for application in applications:
        if application.id in conflicted:
            continue
        if hidden and application.id not in entries:
            continue
        rows.append(DecisionRow(
            label_for(application, hidden=hidden, entries=entries, with_applicant=show_applicant),
            decisions_by_app.get(application.id)))
    if hidden:
        rows.sort(key=lambda r: r.item.label)
    return rows, len(conflicted)


def decision_item(*, viewer, application):
    """The one application of a decision page, or None if the viewer may not see it."""
    competition = application.competition
    if permissions.has_conflict(viewer, application):
        return None
    hidden = permissions.identities_hidden_from(viewer, competition)
    if hidden:
        entry = latest_entries(competition, [application.id]).get(application.id)
        return None if entry is None else projected_label(application, entry)
    return plain_label(application, with_applicant=shows_applicant(viewer, competition, hidden=hidden))


def hidden_laureate(application, *, hidden):
    return "(Name wird nach der Aufdeckung ergänzt)" if hidden else laureate_name(application)


# --------------------------------------------------------------------------- revealing

def reveal_of(competition):
    return db.session.scalars(
        select(JuryReveal).where(JuryReveal.competition_id == competition.id)).first()


def reveal_names(*, actor, competition, now=None):
    """Staff reveal the applicants' names to the jury ("Namen für die Jury aufdecken").

    Only after the decisions are recorded and released (then they can no longer change),
    and only while the anonymity holds. Final; audited."""
    if not permissions.jury_anonymity_holds(competition):
        raise DecisionError(_l("Für diesen Wettbewerb gibt es keine verdeckten Namen aufzudecken."))
    if release_of(competition) is None:
        raise DecisionError(_l("Die Namen können erst aufgedeckt werden, wenn die Entscheidungen "
                               "erfasst und freigegeben sind."))
    reveal = JuryReveal(competition_id=competition.id, revealed_at=now or utcnow(),
                        revealed_by_id=getattr(actor, "id", None))
    db.session.add(reveal)
    db.session.flush()
    audit.record(actor=actor, action="jury.names.reveal", obj=reveal,
                 competition_id=competition.id, old={"revealed": False},
                 new={"revealed": True, "revealed_at": reveal.revealed_at.isoformat()})
    log.info("names revealed to the jury of competition %s", competition.id)
    return reveal
