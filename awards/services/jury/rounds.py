"""Scoring rounds: set-up, participants, the release gate, opening, closing, advancing."""
import logging
import secrets
from functools import lru_cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from awards.enums import ApplicationStatus, FormalCheck
from awards.extensions import db
from awards.i18n import _l
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.jury import (Assignment, Conflict, RedactionState, Round, RoundCriterion,
                                RoundEntry, RoundSource, RoundStatus, TieBreak)
from awards.services import audit, lifecycle
from awards.services.jury import anonymisation, files as jury_files, ranking
from awards.errors import DomainError

log = logging.getLogger("awards.rounds")

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SETTINGS = ("name", "opens_at", "closes_at", "source", "anonymised", "jurors_per_application",
            "show_others_after_submit", "rank_by_normalised", "tie_break", "tie_break_criterion_id")


class RoundError(DomainError):
    """A round operation is not allowed now; `problems` lists every reason (lazy strings,
    rendered in the language of the request that shows them)."""

    def __init__(self, problems):
        if not isinstance(problems, (list, tuple)):
            problems = [problems]
        super().__init__(problems=list(problems))


def _require_draft(round_):
    if round_.status != RoundStatus.DRAFT:
        raise RoundError(_l("Die Runde ist bereits freigegeben; die Einstellungen sind festgelegt."))


def _check_times(opens_at, closes_at):
    if opens_at and closes_at and closes_at <= opens_at:
        raise RoundError(_l("Das Ende der Runde muss nach ihrem Beginn liegen."))


def _settings_snapshot(round_):
    return {k: getattr(round_, k) for k in SETTINGS}


def create_round(*, actor, competition, name, criteria, opens_at=None, closes_at=None,
                 source=RoundSource.ADMISSIBLE, anonymised=True, jurors_per_application=None,
                 show_others_after_submit=False, rank_by_normalised=False,
                 tie_break=TieBreak.NONE, tie_break_position=None):
    """criteria: [(Criterion, weight)] taken from the competition (copied into the round)."""
    _check_times(opens_at, closes_at)
    if not criteria:
        raise RoundError(_l("Wählen Sie mindestens ein Kriterium."))
    position = (db.session.scalar(select(func.max(Round.position))
                                  .where(Round.competition_id == competition.id)) or 0) + 1
    round_ = Round(competition_id=competition.id, name=name, position=position, opens_at=opens_at,
                   closes_at=closes_at, source=RoundSource(source), anonymised=anonymised,
                   jurors_per_application=jurors_per_application,
                   show_others_after_submit=show_others_after_submit,
                   rank_by_normalised=rank_by_normalised, tie_break=TieBreak(tie_break))
    db.session.add(round_)
    for pos, (criterion, weight) in enumerate(criteria):
        round_.criteria.append(RoundCriterion(
            criterion_id=criterion.id, position=pos, name=criterion.name,
            description=criterion.description, weight=weight, scale_min=criterion.scale_min,
            scale_max=criterion.scale_max, anchors=dict(criterion.anchors or {}),
            name_en=criterion.name_en or "", description_en=criterion.description_en or "",
            anchors_en=dict(criterion.anchors_en or {})))
    db.session.flush()
    if tie_break_position is not None and tie_break_position < len(round_.criteria):
        round_.tie_break_criterion_id = round_.criteria[tie_break_position].id
    _validate_tie_break(round_)
    audit.record(actor=actor, action="jury.round.create", obj=round_,
                 new=_settings_snapshot(round_) | {"criteria": [(c.name, c.weight) for c in round_.criteria]})
    return round_


def _validate_tie_break(round_):
    if round_.tie_break == TieBreak.CRITERION and round_.tie_break_criterion_id not in {
            c.id for c in round_.criteria}:
        raise RoundError(_l("Wählen Sie das Kriterium, das bei Gleichstand entscheidet."))


def update_round(*, actor, round_, weights=None, **values):
    """Change settings (only before the round is released). weights: {round_criterion_id: w}."""
    _require_draft(round_)
    _check_times(values.get("opens_at", round_.opens_at), values.get("closes_at", round_.closes_at))
    old, new = audit.diff(round_, SETTINGS, values)
    for key, value in values.items():
        if key in SETTINGS:
            setattr(round_, key, value)
    for criterion in round_.criteria:
        if weights and criterion.id in weights and weights[criterion.id] != criterion.weight:
            old[f"weight:{criterion.name}"] = criterion.weight
            new[f"weight:{criterion.name}"] = weights[criterion.id]
            criterion.weight = weights[criterion.id]
    _validate_tie_break(round_)
    if old or new:
        # The projection may change (e.g. anonymised off/on): approvals must be renewed.
        if "anonymised" in new:
            for entry in round_.entries:
                entry.redaction_state = RedactionState.PENDING
                entry.approved_hash = None
        audit.record(actor=actor, action="jury.round.update", obj=round_, old=old, new=new)
    db.session.flush()
    return round_


def new_code(round_, taken):
    """A random neutral code such as "B-7Q4K": letter of the round, four random signs."""
    while True:
        code = f"{round_.code_prefix}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))
        if code not in taken:
            taken.add(code)
            return code


def admissible_applications(competition):
    return db.session.scalars(
        select(Application).where(
            Application.competition_id == competition.id,
            Application.status == ApplicationStatus.SUBMITTED,
            Application.formal_check == FormalCheck.ADMISSIBLE,
        ).order_by(Application.id)
    ).all()


def populate_entries(*, actor, round_):
    """Take every formally admitted application into the round (those not yet in it)."""
    _require_draft(round_)
    if round_.source != RoundSource.ADMISSIBLE:
        raise RoundError(_l("In diese Runde kommen nur Bewerbungen, die aus der vorigen Runde "
                            "weitergeleitet werden."))
    present = {e.application_id for e in round_.entries}
    taken = {e.code for e in round_.entries}
    added = []
    for application in admissible_applications(round_.competition):
        if application.id not in present:
            entry = RoundEntry(application=application, code=new_code(round_, taken))
            round_.entries.append(entry)
            added.append(entry)
    db.session.flush()
    if added:
        audit.record(actor=actor, action="jury.round.entries", obj=round_,
                     new={"added": [e.code for e in added]})
    return added


def remove_entry(*, actor, entry):
    round_ = entry.round
    _require_draft(round_)
    audit.record(actor=actor, action="jury.round.entry_remove", obj=round_,
                 old={"code": entry.code, "application_id": entry.application_id})
    jury_files.discard(entry)
    round_.entries.remove(entry)
    db.session.flush()


def release_problems(round_, *, scan=True):
    """Why the round cannot open yet (empty list: it can). Runs the leak scan."""
    problems = []
    if round_.status != RoundStatus.DRAFT:
        return [_l("Die Runde ist nicht mehr in Vorbereitung.")]
    if not round_.criteria:
        problems.append(_l("Die Runde hat keine Kriterien."))
    if any(c.weight <= 0 for c in round_.criteria):
        problems.append(_l("Jedes Kriterium braucht eine Gewichtung größer als 0."))
    if round_.tie_break == TieBreak.CRITERION and round_.tie_break_criterion_id not in {
            c.id for c in round_.criteria}:
        problems.append(_l("Die Regel für Gleichstand ist unvollständig: Es fehlt das Kriterium."))
    if round_.closes_at is None:
        problems.append(_l("Legen Sie fest, wann die Runde endet."))
    elif round_.closes_at <= utcnow():
        problems.append(_l("Das Ende der Runde liegt in der Vergangenheit."))
    if not round_.entries:
        problems.append(_l("Die Runde enthält noch keine Bewerbungen."))
    assigned = set(db.session.scalars(
        select(Assignment.entry_id).where(Assignment.round_id == round_.id)
        .where(~select(Conflict.id).where(
            Conflict.juror_id == Assignment.juror_id,
            Conflict.application_id == RoundEntry.application_id,
        ).correlate(Assignment, RoundEntry).exists())
        .join(RoundEntry, RoundEntry.id == Assignment.entry_id)
    ).all())
    for entry in round_.entries:
        if round_.anonymised and not anonymisation.is_approved(entry):
            problems.append(_l("%(code)s: Die Anonymisierung ist nicht (mehr) freigegeben.",
                               code=entry.code))
        hits = anonymisation.scan_entry(entry=entry) if scan else (entry.leak_hits or [])
        if hits:
            problems.append(_l("%(code)s: Die Leckprüfung hat %(n)s Fundstelle(n) gefunden.",
                               code=entry.code, n=len(hits)))
        if entry.id not in assigned:
            problems.append(_l("%(code)s: Kein Jurymitglied ist zugeordnet.", code=entry.code))
    return problems


def _require_state(action, round_):
    """Rounds run in the jury phase (or during the call for a pre-selection, when the
    competition is set up for it): the year's state machine decides."""
    try:
        lifecycle.require(action, round_.competition)
    except lifecycle.NotAllowed as exc:
        raise RoundError(exc.message) from None


def open_round(*, actor, round_):
    _require_state("open_round", round_)
    problems = release_problems(round_)
    if problems:
        raise RoundError(problems)
    round_.status = RoundStatus.OPEN
    round_.opened_at = utcnow()
    audit.record(actor=actor, action="jury.round.open", obj=round_,
                 old={"status": RoundStatus.DRAFT.value}, new={"status": RoundStatus.OPEN.value})
    db.session.flush()
    return round_


def close_round(*, actor, round_):
    """Close the round and freeze its results; nothing can change afterwards."""
    if round_.status != RoundStatus.OPEN:
        raise RoundError(_l("Nur eine freigegebene Runde kann abgeschlossen werden."))
    _require_state("close_round", round_)
    round_.status = RoundStatus.CLOSED
    round_.closed_at = utcnow()
    round_.snapshot = ranking.freeze(round_)
    audit.record(actor=actor, action="jury.round.close", obj=round_,
                 old={"status": RoundStatus.OPEN.value},
                 new={"status": RoundStatus.CLOSED.value,
                      "ranking": [(r["code"], r["rank"]) for r in round_.snapshot["rows"]]})
    db.session.flush()
    return round_


@lru_cache(maxsize=None)
def _round_statement():
    # Built once (building a statement costs more than running this one).
    return (select(Round).options(joinedload(Round.competition))
            .where(Round.id == bindparam("round_id")))


def round_with_competition(round_id):
    """The round with its competition in the same statement (every permission check on a
    round reads it), or None."""
    return db.session.scalars(_round_statement(), {"round_id": round_id}).first()


def next_rounds(round_):
    return db.session.scalars(
        select(Round).where(Round.competition_id == round_.competition_id,
                            Round.position > round_.position,
                            Round.status == RoundStatus.DRAFT,
                            Round.source == RoundSource.ADVANCED).order_by(Round.position)
    ).all()


def advance(*, actor, round_, entries, target):
    """Take the given entries of a closed round into the next round (new codes).
    Redaction settings and approvals carry over; the content fingerprint stays valid."""
    if round_.status != RoundStatus.CLOSED:
        raise RoundError(_l("Weiterleiten ist möglich, sobald die Runde abgeschlossen ist."))
    if (target.competition_id != round_.competition_id or target.position <= round_.position
            or target.status != RoundStatus.DRAFT):
        raise RoundError(_l("Die Zielrunde muss eine spätere Runde in Vorbereitung sein."))
    if not entries:
        raise RoundError(_l("Wählen Sie mindestens eine Bewerbung aus."))
    present = {e.application_id for e in target.entries}
    taken = {e.code for e in target.entries}
    added = []
    for entry in entries:
        if entry.round_id != round_.id:
            raise RoundError(_l("Die Auswahl gehört nicht zu dieser Runde."))
        if entry.application_id in present:
            continue
        new_entry = RoundEntry(application_id=entry.application_id, code=new_code(target, taken),
                               advanced_from_id=entry.id, extra_terms=list(entry.extra_terms or []),
                               kept_terms=list(entry.kept_terms or []),
                               jury_files=dict(entry.jury_files or {}),
                               lifted_occurrences=list(entry.lifted_occurrences or []))
        target.entries.append(new_entry)
        added.append((entry, new_entry))
    db.session.flush()
    for old_entry, new_entry in added:
        if anonymisation.is_approved(old_entry) and target.anonymised == round_.anonymised:
            new_entry.redaction_state = old_entry.redaction_state
            new_entry.approved_hash = anonymisation.fingerprint(new_entry)
            new_entry.approved_by_id = old_entry.approved_by_id
            new_entry.approved_at = old_entry.approved_at
    audit.record(actor=actor, action="jury.round.advance", obj=target,
                 new={"from_round": round_.id,
                      "advanced": [(o.code, n.code) for o, n in added]})
    db.session.flush()
    return [n for _, n in added]


# --------------------------------------------------------------------------- bounded loading

def load_entries(round_, *, applications=True, attachments=True):
    """Fill `round_.entries` in one query (plus one each for the applications and their
    attachments), so a page looping over the entries does not query once per entry."""
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(round_, "entries", db.session.scalars(
        entries_query(round_, applications=applications, attachments=attachments)).all())
    return round_.entries


def entries_query(round_, *, applications=True, attachments=True):
    """The select of a round's entries by code, with their applications (and attachments)
    loaded eagerly; pages page it with awards.views.paging."""
    from sqlalchemy.orm import selectinload

    query = select(RoundEntry).where(RoundEntry.round_id == round_.id).order_by(RoundEntry.code)
    if applications:
        load = selectinload(RoundEntry.application)
        query = query.options(load.selectinload(Application.attachments) if attachments else load)
    return query


def entry_choices(round_):
    """[(entry id, code)] of the round, for select fields (no entry objects loaded)."""
    return [tuple(r) for r in db.session.execute(
        select(RoundEntry.id, RoundEntry.code).where(RoundEntry.round_id == round_.id)
        .order_by(RoundEntry.code)).all()]


def entry_counts(competition_id):
    """{round id: number of entries} for every round of a competition, in one query."""
    return dict(db.session.execute(
        select(RoundEntry.round_id, func.count(RoundEntry.id))
        .join(Round, Round.id == RoundEntry.round_id)
        .where(Round.competition_id == competition_id)
        .group_by(RoundEntry.round_id)).all())
