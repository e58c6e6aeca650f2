"""Jury minutes (Niederschrift) as PDF: date, members present, rounds, ranking, conflicts of
interest declared, decisions and amounts, signature lines.

The ranking comes from the rounds' frozen snapshots (written by the jury work when a round
closes). `ranking_rows` turns a snapshot into plain rows; a caller may also pass rows in.

The minutes are the jury's document: while the jury's anonymity holds
(permissions.jury_anonymity_holds) they name applications only through the juror projection
(round code and redacted title) and no laureate, whoever prints them. Conflicts lifted by
staff are listed with the reason given (read from the audit trail).
"""
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from awards import permissions
from awards.adapters.pdf import ARCHIVAL_ACCESSIBLE, render_pdf
from awards.enums import Role
from awards.extensions import db
from awards.i18n import in_language
from awards.models.applications import Application
from awards.models.audit import AuditLog
from awards.models.jury import Conflict, Round, RoundEntry
from awards.models.users import RoleAssignment, User
from awards.services.certificates import font_urls, german_date
from awards.services.jury import ranking, visibility as jury_visibility
from awards.services.jury import meeting
from awards.services.decisions import budget_summary, decisions_for, release_of

TEMPLATE = "pdf/minutes.html"
# Plain German labels: the PDF is also rendered outside a request (demo, CLI), where the
# enums' lazy translations cannot pick a locale.
ROUND_STATUS_DE = {"draft": "In Vorbereitung", "open": "Freigegeben", "closed": "Abgeschlossen"}


@dataclass
class RankingRow:
    rank: object
    label: str
    score: object = None
    count: object = None
    note: str = ""


@dataclass
class RoundSummary:
    name: str
    status: str
    opened_at: object = None
    closed_at: object = None
    entries: int = 0
    criteria: list = field(default_factory=list)
    ranking: list = field(default_factory=list)
    frozen: bool = False


def jurors_of(competition):
    """[(user, is_chair)] of the competition's jury, chair first."""
    rows = db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.role == Role.JUROR,
                                     RoleAssignment.competition_id == competition.id)
    ).all()
    rows = sorted(rows, key=lambda a: (not a.is_chair, a.user.display_name.lower()))
    return [(a.user, a.is_chair) for a in rows]


def _application_label(application):
    if application is None:
        return "(unbekannt)"
    ref = application.reference or f"#{application.id}"
    return f"{ref} – {application.display_title}"


def ranking_rows(snapshot, applications_by_id=None, entries_by_id=None, labeller=None):
    """Plain RankingRows from a round's frozen snapshot (list or {"rows": [...]}).

    Rows are matched to applications by application_id (or entry_id); unknown shapes are
    shown with what they carry rather than dropped. `labeller(application)` names an
    application (default: reference and title).
    """
    labeller = labeller or _application_label
    if not snapshot:
        return []
    if isinstance(snapshot, dict):
        rows = snapshot.get("rows") or snapshot.get("ranking") or []
    else:
        rows = snapshot
    applications_by_id = applications_by_id or {}
    entries_by_id = entries_by_id or {}
    score_keys = ("score", "total", "mean", "weighted_mean", "normalised_mean")
    if isinstance(snapshot, dict) and snapshot.get("basis") == "normalised":
        score_keys = ("norm_mean",) + score_keys
    out = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        application = applications_by_id.get(row.get("application_id"))
        if application is None and row.get("entry_id") in entries_by_id:
            application = applications_by_id.get(entries_by_id[row["entry_id"]])
        label = labeller(application) if application else str(row.get("code") or row.get("label") or "")
        score = next((row[k] for k in score_keys if row.get(k) is not None), None)
        count = next((row[k] for k in ("count", "n", "scores") if isinstance(row.get(k), int)), None)
        note = "Gleichstand" if row.get("tie") or row.get("tied") else ""
        if row.get("disagreement") or row.get("high_disagreement"):
            note = (note + ", " if note else "") + "hohe Streuung"
        out.append(RankingRow(rank=row.get("rank", ""), label=label,
                              score=round(score, 2) if isinstance(score, float) else score,
                              count=count, note=note))
    return out


def _ranking_of(rnd):
    """The jury module's ranking: the frozen snapshot of a closed round, else the live one."""
    try:
        return ranking.ranking(rnd)
    except Exception:  # noqa: BLE001 - minutes must still print if a round is incomplete
        return rnd.snapshot


def _round_labeller(hidden, entries):
    """Under anonymity an application is named by its code in this round and its redacted
    title (the juror projection); otherwise by reference and title."""
    if not hidden:
        return _application_label
    by_application = {e.application_id: e for e in entries}

    def label(application):
        return str(jury_visibility.projected_label(application, by_application.get(application.id)))

    return label


def round_summaries(competition, hidden=False):
    """Every jury round of the competition with its frozen ranking."""
    rounds = db.session.scalars(
        select(Round).where(Round.competition_id == competition.id).order_by(Round.position)
    ).all()
    if not rounds:
        return []
    applications = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.competition_id == competition.id)).all()}
    summaries = []
    for rnd in rounds:
        entries = db.session.scalars(select(RoundEntry).where(RoundEntry.round_id == rnd.id)).all()
        if hidden:
            # The projection reads each entry's application and round: hand over the rows
            # loaded above instead of one query per entry.
            for entry in entries:
                set_committed_value(entry, "round", rnd)
                if entry.application_id in applications:
                    set_committed_value(entry, "application", applications[entry.application_id])
        entries_by_id = {e.id: e.application_id for e in entries}
        snapshot = _ranking_of(rnd)
        summaries.append(RoundSummary(
            name=rnd.name, status=ROUND_STATUS_DE.get(str(rnd.status), str(rnd.status)),
            opened_at=rnd.opened_at, closed_at=rnd.closed_at, entries=len(entries),
            criteria=[(c.name, c.weight) for c in rnd.criteria],
            ranking=ranking_rows(snapshot, applications, entries_by_id,
                                 labeller=_round_labeller(hidden, entries)),
            frozen=bool(rnd.snapshot) and str(rnd.status) == "closed",
        ))
    return summaries


def _competition_labeller(competition, hidden):
    if not hidden:
        return _application_label
    entries = jury_visibility.latest_entries(competition)

    def label(application):
        if application is None:
            return "(unbekannt)"
        return str(jury_visibility.projected_label(application, entries.get(application.id)))

    return label


def conflicts_of(competition, hidden=False):
    """[(juror name, application label, reason, declared at, self-declared)]."""
    rows = db.session.scalars(
        select(Conflict).join(Application, Application.id == Conflict.application_id)
        .where(Application.competition_id == competition.id).order_by(Conflict.created_at)
    ).all()
    apps = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_([c.application_id for c in rows]))).all()} if rows else {}
    label = _competition_labeller(competition, hidden)
    return [(c.juror.display_name if c.juror else "", label(apps.get(c.application_id)),
             c.reason, c.created_at, c.self_declared) for c in rows]


@dataclass
class LiftedConflict:
    juror: str
    application: str
    reason: str
    lift_reason: str
    lifted_by: str
    lifted_at: object


def lifted_conflicts_of(competition, hidden=False):
    """Conflicts staff lifted, with the reason, from the audit trail (the conflict row itself
    is gone): the Niederschrift must show that a juror took part again, and why."""
    rows = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "jury.conflict.lift",
                               AuditLog.competition_id == competition.id)
        .order_by(AuditLog.created_at, AuditLog.id)).all()
    if not rows:
        return []
    emails = {(r.old or {}).get("juror") for r in rows}
    names = {u.email: u.display_name for u in db.session.scalars(
        select(User).where(User.email.in_([e for e in emails if e])))}
    label = _competition_labeller(competition, hidden)
    out = []
    for r in rows:
        old, new = r.old or {}, r.new or {}
        application = db.session.get(Application, old["application_id"]) if old.get("application_id") else None
        if application is not None and application.competition_id == competition.id:
            shown = label(application)
        else:
            shown = old.get("code") or "(unbekannt)"
        out.append(LiftedConflict(
            juror=names.get(old.get("juror"), old.get("juror") or ""), application=shown,
            reason=old.get("reason") or "", lift_reason=new.get("lift_reason") or "",
            lifted_by=r.actor.display_name if r.actor else "Geschäftsstelle",
            lifted_at=r.created_at))
    return out


def minutes_data(*, competition, session_date, place="", present_ids=None, guests="",
                 recorder="", notes="", ranking=None, identities=None):
    """Everything the minutes show. `ranking` (list of RoundSummary) overrides the rounds.
    The notes the chair wrote per application in the meeting are always included.

    `identities`: name applications and laureates (True), or only through the juror
    projection (False); by default the latter while the jury's anonymity holds. Only a
    staff document that no jury member receives (the archive export) passes True."""
    hidden = permissions.jury_anonymity_holds(competition) if identities is None else not identities
    jury = jurors_of(competition)
    # Without a choice, attendance as recorded in the meeting (else everyone).
    present_ids = set(present_ids) if present_ids is not None else meeting.present_ids(competition, jury)
    decisions = decisions_for(competition)
    summary = budget_summary(competition, decisions)
    label = _competition_labeller(competition, hidden)
    decision_rows = sorted(
        [(d.category.rank, d.category.label, jury_visibility.hidden_laureate(d.application, hidden=hidden),
          label(d.application), d.amount_cents, d.rationale, d.over_budget_reason)
         for d in decisions], key=lambda r: (r[0], r[3]))
    chair = next((u for u, is_chair in jury if is_chair), None)
    release = release_of(competition)
    return {
        "competition": competition,
        "session_date": german_date(session_date) if isinstance(session_date, date) else session_date,
        "place": place,
        "present": [(u.display_name, is_chair) for u, is_chair in jury if u.id in present_ids],
        "absent": [u.display_name for u, _ in jury if u.id not in present_ids],
        "guests": [g.strip() for g in (guests or "").splitlines() if g.strip()],
        "recorder": recorder,
        "chair": chair.display_name if chair else "",
        "rounds": ranking if ranking is not None else round_summaries(competition, hidden),
        "conflicts": conflicts_of(competition, hidden),
        "lifted_conflicts": lifted_conflicts_of(competition, hidden),
        "anonymised": hidden,
        "decisions": decision_rows,
        "total_cents": summary.total_cents,
        "budget_cents": competition.budget_cents,
        "released_at": release.released_at if release else None,
        "notes": notes,
        "meeting_notes": meeting.notes_for_minutes(competition, label),
    }


def render_minutes_pdf(data, *, storage):
    # The minutes are a German document whatever language the staff member reads the pages in.
    with in_language("de"):
        html = current_app.jinja_env.get_template(TEMPLATE).render(m=data, fonts=font_urls(storage))
    return render_pdf(html, static_dir=current_app.static_folder, storage=storage,
                      pdf_variant=ARCHIVAL_ACCESSIBLE)
