"""The prize year as a state machine, written down in this one place.

This module sits below `permissions` (it reads models and the clock, nothing of services),
so permissions, services, views and templates all ask the same machine;
`awards.services.lifecycle` re-exports it for service code.

A competition edition runs through these states, in this order:

    draft → announced → open → closed → jury → decided → released → published → archived

Only some of them are stored. `Competition.status` keeps the stage staff set by hand
(draft, open = "the call is live", closed = "ended early", jury, decided, archived); the
rest follows from facts and the clock:

- a live call is *announced* before `opens_at`, *open* until `deadline_at` (to the second)
  and *closed* from the next second on, by itself;
- a DecisionRelease row makes the year *released*; once its publication instant
  (`published_at` or `publish_at`) has come, it is *published*, again by itself.

Every action declares the states it is allowed in (ACTIONS). Services call `require()` and
raise `NotAllowed` (a domain error with a German message); views and templates call
`allows()` to decide whether to offer a button at all. Nothing else decides what a year may
do, and no page reads a separate flag to say where a year stands.
"""
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import select

from awards.enums import CompetitionStatus, LabelledEnum
from awards.extensions import db
from awards.i18n import _l, format_berlin_datetime
from awards.models.base import utcnow
from awards.models.competitions import Competition
from awards.models.decisions import DecisionRelease
from awards.models.jury import Round, RoundStatus
from awards.errors import DomainError


class YearState(LabelledEnum):
    DRAFT = "draft", _l("Entwurf")
    ANNOUNCED = "announced", _l("Angekündigt")
    OPEN = "open", _l("Offen für Bewerbungen")
    CLOSED = "closed", _l("Bewerbungsschluss erreicht")
    JURY = "jury", _l("In der Jury")
    DECIDED = "decided", _l("Entschieden")
    RELEASED = "released", _l("Freigegeben")
    PUBLISHED = "published", _l("Veröffentlicht")
    ARCHIVED = "archived", _l("Archiviert")


S = YearState
ORDER = tuple(YearState)
# States in which the call is shown to the public.
PUBLIC_STATES = frozenset(ORDER) - {S.DRAFT}
JURY_STATES = frozenset({S.JURY})
PRESELECTION_STATES = frozenset({S.OPEN, S.CLOSED, S.JURY})


@dataclass(frozen=True)
class Action:
    name: str
    label: object
    states: frozenset
    # Stage stored after the action, for the actions that move the year by hand.
    target: CompetitionStatus | None = None


def _action(name, label, states, target=None):
    return Action(name, label, frozenset(states), target)


ACTIONS = {a.name: a for a in (
    # The call and the year (staff).
    _action("edit_call", _l("Eckdaten und Texte bearbeiten"),
            {S.DRAFT, S.ANNOUNCED, S.OPEN, S.CLOSED, S.JURY, S.DECIDED}),
    _action("edit_criteria", _l("Kriterien bearbeiten"), {S.DRAFT, S.ANNOUNCED, S.OPEN, S.CLOSED}),
    _action("edit_categories", _l("Preise bearbeiten"),
            {S.DRAFT, S.ANNOUNCED, S.OPEN, S.CLOSED, S.JURY}),
    _action("announce", _l("Ausschreibung veröffentlichen"), {S.DRAFT}, CompetitionStatus.OPEN),
    _action("back_to_draft", _l("Zurück zu Entwurf"), {S.ANNOUNCED, S.OPEN},
            CompetitionStatus.DRAFT),
    _action("end_early", _l("Bewerbungsphase vorzeitig beenden"), {S.OPEN},
            CompetitionStatus.CLOSED),
    _action("reopen_call", _l("Bewerbungsphase wieder öffnen"), {S.CLOSED},
            CompetitionStatus.OPEN),
    _action("start_jury", _l("Juryphase beginnen"), {S.CLOSED}, CompetitionStatus.JURY),
    _action("back_to_closed", _l("Zurück vor die Juryphase"), {S.JURY}, CompetitionStatus.CLOSED),
    _action("finish_jury", _l("Juryphase abschließen"), {S.JURY}, CompetitionStatus.DECIDED),
    _action("back_to_jury", _l("Zurück in die Juryphase"), {S.DECIDED}, CompetitionStatus.JURY),
    _action("archive", _l("Archivieren"), {S.PUBLISHED}, CompetitionStatus.ARCHIVED),
    # Applicants.
    _action("apply", _l("Bewerbung beginnen"), {S.OPEN}),
    _action("submit", _l("Bewerbung absenden"), {S.OPEN}),
    _action("resubmit", _l("Korrigierte Bewerbung absenden"), {S.OPEN, S.CLOSED, S.JURY}),
    _action("withdraw", _l("Bewerbung zurückziehen"), {S.OPEN}),
    # The nominee of a nomination (Vorschlag durch Dritte): confirm with their own consents,
    # or decline, and change that answer until the release. Declining withdraws the
    # nomination, so it ends at the release like withdrawing; a nominee who never answered
    # may still confirm (and consent) afterwards (services.nominations).
    _action("nominee_confirm", _l("Vorschlag bestätigen"),
            {S.OPEN, S.CLOSED, S.JURY, S.DECIDED, S.RELEASED, S.PUBLISHED}),
    _action("nominee_decline", _l("Vorschlag ablehnen"), {S.OPEN, S.CLOSED, S.JURY, S.DECIDED}),
    # Intake (staff).
    _action("formal_check", _l("Formal prüfen"), {S.OPEN, S.CLOSED, S.JURY}),
    _action("reopen", _l("Zur Korrektur öffnen"), {S.OPEN, S.CLOSED, S.JURY}),
    # Jury rounds: in the jury phase; a pre-selection round during the call only when the
    # competition is set up for it (see `states_for`).
    _action("open_round", _l("Runde freigeben"), JURY_STATES),
    _action("close_round", _l("Runde abschließen"), JURY_STATES),
    # Decisions, release and publication.
    _action("record_decision", _l("Entscheidung eintragen"), {S.JURY, S.DECIDED}),
    _action("release", _l("Entscheidungen freigeben"), {S.JURY, S.DECIDED}),
    _action("schedule_publication", _l("Veröffentlichung planen"),
            {S.JURY, S.DECIDED, S.RELEASED}),
    _action("publish", _l("Jetzt veröffentlichen"), {S.RELEASED}),
    _action("withdraw_publication", _l("Veröffentlichung zurücknehmen"),
            {S.RELEASED, S.PUBLISHED}),
    _action("revoke", _l("Auszeichnung aberkennen"), {S.RELEASED, S.PUBLISHED}),
)}

# The actions that move the year by hand, in the order the staff page offers them.
STAGE_ACTIONS = ("announce", "reopen_call", "start_jury", "finish_jury", "archive",
                 "end_early", "back_to_draft", "back_to_closed", "back_to_jury")
# Far-reaching ones: a confirmation page first (GET explains, POST from there does it).
CONFIRMED_ACTIONS = frozenset({"back_to_draft", "end_early", "archive"})


class NotAllowed(DomainError):
    """The action is not allowed in the year's current state; the message is for the user."""

    def __init__(self, message, *, action=None, state=None):
        super().__init__(message)
        self.action = action
        self.state = state


def now():
    """Now, as the app sees it (tests fix it with app.config["CLOCK"])."""
    if has_app_context():
        return current_app.config.get("CLOCK", utcnow)()
    return utcnow()


def _release(competition):
    if competition.id is None:
        return None
    return db.session.scalars(
        select(DecisionRelease).where(DecisionRelease.competition_id == competition.id)
    ).first()


def call_state(competition, at):
    """ANNOUNCED, OPEN or CLOSED of a live call at instant `at`: the deadline counts to the
    second (a deadline of 23:59:59 accepts 23:59:59.999 and refuses 00:00:00)."""
    if competition.opens_at is not None and at < competition.opens_at:
        return S.ANNOUNCED
    if competition.deadline_at is not None and at.replace(microsecond=0) > competition.deadline_at:
        return S.CLOSED
    return S.OPEN


def is_public_at(competition, release, at):
    if release is None or release.released_at > at:
        return False
    return any(t is not None and t <= at for t in (competition.published_at, competition.publish_at))


def state_of(competition, at=None, *, release=...):
    """The year's state at instant `at` (default: now). `release` may be passed when known
    (None for "not released") to spare the query, e.g. on list pages."""
    at = at or now()
    stage = competition.status
    if stage == CompetitionStatus.DRAFT:
        return S.DRAFT
    if stage == CompetitionStatus.ARCHIVED:
        return S.ARCHIVED
    if stage in (CompetitionStatus.DECIDED, CompetitionStatus.PUBLISHED):
        # A release is possible only in the jury phase and leaves the stage "decided" (the
        # migration moved older contradictory rows there too), so only this stage needs to
        # look for it: the call pages and the applicant's list query nothing more.
        if release is ...:
            release = _release(competition)
        if release is not None:
            return S.PUBLISHED if is_public_at(competition, release, at) else S.RELEASED
        return S.DECIDED  # "published" was stored by older versions; the facts decide now
    if stage == CompetitionStatus.JURY:
        return S.JURY
    if stage == CompetitionStatus.CLOSED:
        return S.CLOSED
    return call_state(competition, at)


# Which states each stored stage can stand for (the clock and the release decide among them).
# Queries narrow by stored stage with `stage_may_be()`, then ask `state_of` where it differs.
STAGE_STATES = {
    CompetitionStatus.DRAFT: frozenset({S.DRAFT}),
    CompetitionStatus.OPEN: frozenset({S.ANNOUNCED, S.OPEN, S.CLOSED}),
    CompetitionStatus.CLOSED: frozenset({S.CLOSED}),
    CompetitionStatus.JURY: frozenset({S.JURY}),
    CompetitionStatus.DECIDED: frozenset({S.DECIDED, S.RELEASED, S.PUBLISHED}),
    CompetitionStatus.PUBLISHED: frozenset({S.DECIDED, S.RELEASED, S.PUBLISHED}),
    CompetitionStatus.ARCHIVED: frozenset({S.ARCHIVED}),
}


def stages_for_states(states):
    """The stored stages a competition in one of `states` can have."""
    states = frozenset(states)
    return sorted((stage for stage, possible in STAGE_STATES.items() if possible & states),
                  key=lambda stage: stage.value)


def stage_may_be(states):
    """A SQL condition on Competition that keeps every competition that may be in one of
    `states` now (exact for draft, jury and archived; the others need `state_of`)."""
    return Competition.status.in_(stages_for_states(states))


def states_of(competitions, at=None):
    """{competition id: state} for many competitions with one query for the releases."""
    at = at or now()
    ids = [c.id for c in competitions]
    releases = {}
    if ids:
        releases = {r.competition_id: r for r in db.session.scalars(
            select(DecisionRelease).where(DecisionRelease.competition_id.in_(ids)))}
    return {c.id: state_of(c, at, release=releases.get(c.id)) for c in competitions}


def states_for(action, competition):
    """The states `action` is allowed in for this competition."""
    spec = ACTIONS[action]
    if action in ("open_round", "close_round") and competition.preselection_during_call:
        return spec.states | PRESELECTION_STATES
    return spec.states


def allows(action, competition, at=None, *, state=None):
    """True if `action` is allowed for the competition now (or at `at`)."""
    state = state or state_of(competition, at)
    return state in states_for(action, competition)


def _refusal(action, state, competition):
    spec = ACTIONS[action]
    if action in ("apply", "submit"):
        if state == S.ANNOUNCED:
            return _l("Bewerbungen sind erst ab %(at)s möglich.", at=_berlin(competition.opens_at))
        if state in (S.DRAFT,):
            return _l("Für diesen Preis ist keine Bewerbung möglich.")
        return _l("Der Bewerbungsschluss ist vorbei. Bewerbungen sind nicht mehr möglich.")
    if action in ("nominee_confirm", "nominee_decline") and state in (
            S.RELEASED, S.PUBLISHED, S.ARCHIVED):
        return _l("Die Entscheidungen sind freigegeben. Ihre Antwort kann jetzt nicht mehr "
                  "geändert werden. Bitte wenden Sie sich an die Geschäftsstelle.")
    if action in ("nominee_confirm", "nominee_decline"):
        return _l("Für diesen Preis ist im Moment keine Antwort auf einen Vorschlag möglich.")
    if action == "withdraw" and state in (S.RELEASED, S.PUBLISHED, S.ARCHIVED):
        return _l("Die Entscheidungen sind freigegeben. Eine Bewerbung kann jetzt nicht mehr "
                  "zurückgezogen werden. Bitte wenden Sie sich an die Geschäftsstelle.")
    if action == "withdraw":
        return _l("Nach dem Bewerbungsschluss kann eine Bewerbung nicht mehr online "
                  "zurückgezogen werden. Bitte wenden Sie sich an die Geschäftsstelle.")
    if action in ("open_round", "close_round") and state in (S.OPEN, S.CLOSED, S.ANNOUNCED):
        return _l("Bewertungsrunden laufen erst in der Juryphase. Eine Vorauswahl während der "
                  "Ausschreibung ist für diesen Wettbewerb nicht eingerichtet.")
    return _l("„%(action)s“ ist im Stand „%(state)s“ nicht möglich.",
              action=spec.label, state=state.label)


def _berlin(value):
    return format_berlin_datetime(value)


def require(action, competition, at=None):
    """Raise NotAllowed unless `action` is allowed for the competition now (or at `at`).
    Returns the state it was allowed in."""
    state = state_of(competition, at)
    if state not in states_for(action, competition):
        raise NotAllowed(_refusal(action, state, competition), action=action, state=state)
    return state


def stage_actions(competition, at=None):
    """The stage-moving actions staff may take now, in display order."""
    state = state_of(competition, at)
    return [ACTIONS[name] for name in STAGE_ACTIONS if state in states_for(name, competition)]


def open_rounds(competition):
    return db.session.scalars(
        select(Round).where(Round.competition_id == competition.id,
                            Round.status == RoundStatus.OPEN)).all()
