"""Geschäftsstelle: jury members, scoring rounds, anonymisation review, leak scan,
assignment, progress and reminders, conflicts, ranking, advancing and exports."""
from datetime import datetime

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user
from sqlalchemy import select

from awards import permissions
from awards.adapters.storage import StorageError
from awards.enums import Role
from awards.errors import show_on_form
from awards import unit_of_work
from awards.content_language import localized
from awards.extensions import db
from awards.i18n import format_number
from awards.forms.jury import (ActionForm, AdvanceForm, AssignmentForm, CloseRoundForm,
                               InviteJurorForm,
                               RedactionForm, StaffConflictForm, LiftConflictForm,
                               round_form_class)
from awards.models.applications import Application, Attachment
from awards.models.competitions import Competition
from awards.models.jury import (Assignment, Conflict, Round, RoundEntry, RoundSource, RoundStatus,
                                TieBreak)
from awards.models.users import User
from awards.services import accounts, lifecycle
from awards.services.jury import (anonymisation, assignment, exports as jury_exports,
                                 members as jury_members, ranking, rounds, scoring)
from awards.timeutil import from_berlin, to_berlin
from awards.views import fragments, paging
from awards.views.util import juror_attachment_response, require
from awards.filenames import content_disposition
from awards.i18n import gettext as _

bp = Blueprint("staffjury", __name__, url_prefix="/geschaeftsstelle/jury")

# Rounds reach 3,000 entries: entry lists are paged so no page renders thousands of rows.
ENTRIES_PER_PAGE = 50
# The ranking table: 100 places per page (the exports carry the full ranking).
RANKING_PER_PAGE = 100
RANKING_ROW_TEMPLATES = ("staffjury/_ranking_rows.html", "staffjury/_chart.html")


def _competition(competition_id):
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        abort(404)
    require(permissions.can_manage_jury, competition)
    return competition


def _round(round_id, predicate=permissions.can_manage_round):
    # Every predicate reads the round's competition (its prize decides who may act).
    round_ = rounds.round_with_competition(round_id)
    if round_ is None:
        abort(404)
    require(predicate, round_)
    return round_


def _review_round(round_id):
    """The anonymisation review, leak scan and attachment switches show the originals."""
    return _round(round_id, permissions.can_review_anonymisation)


def _entry(round_, entry_id):
    entry = db.session.get(RoundEntry, entry_id)
    if entry is None or entry.round_id != round_.id:
        abort(404)
    return entry


def _local(dt):
    return to_berlin(dt).replace(tzinfo=None) if dt else None


def _utc(local):
    return from_berlin(local) if isinstance(local, datetime) else None


def _flash_problems(exc):
    for problem in exc.problems:
        flash(problem, "error")


# --------------------------------------------------------------------------- rounds list

@bp.get("/wettbewerb/<int:competition_id>", endpoint="rounds")
def rounds_list(competition_id):
    competition = _competition(competition_id)
    round_rows = db.session.scalars(select(Round).where(Round.competition_id == competition.id)
                                    .order_by(Round.position)).all()
    return render_template("staffjury/rounds.html", competition=competition, rounds=round_rows,
                           entry_counts=rounds.entry_counts(competition.id),
                           jurors=jury_members.competition_jurors(competition.id))


@bp.route("/wettbewerb/<int:competition_id>/mitglieder", methods=["GET", "POST"])
def members(competition_id):
    competition = _competition(competition_id)
    form = InviteJurorForm()
    if form.validate_on_submit():
        accounts.invite(actor=current_user, email=form.email.data, name=form.name.data,
                        role=Role.JUROR, competition=competition, is_chair=form.is_chair.data)
        flash(_("Die Einladung an %(email)s ist verschickt.", email=form.email.data), "success")
        return redirect(url_for("staffjury.members", competition_id=competition.id))
    return render_template("staffjury/members.html", competition=competition, form=form,
                           jurors=jury_members.competition_jurors(competition.id)), (
        422 if request.method == "POST" else 200)


# --------------------------------------------------------------------------- round set-up

def _criteria_keys_for_new(competition):
    # Names in the page's language (content_language.localized): the form's labels.
    return [(c.id, localized(c, "name"), c.weight) for c in competition.criteria]


@bp.route("/wettbewerb/<int:competition_id>/runden/neu", methods=["GET", "POST"])
def new_round(competition_id):
    competition = _competition(competition_id)
    form_class = round_form_class(_criteria_keys_for_new(competition))
    form = form_class()
    if request.method == "GET":
        existing = db.session.scalars(select(Round.id).where(Round.competition_id == competition.id)).first()
        form.name.data = _("Finalrunde") if existing else _("Vorauswahl")
        if existing:
            form.source.data = RoundSource.ADVANCED.value
    if form.validate_on_submit():
        chosen = dict(form.chosen_criteria())
        crits = [(c, chosen[c.id]) for c in competition.criteria if c.id in chosen]
        tb_position = None
        if form.tie_break.data == TieBreak.CRITERION.value and form.tie_break_criterion.data:
            ids = [c.id for c, _w in crits]
            tb_id = int(form.tie_break_criterion.data)
            tb_position = ids.index(tb_id) if tb_id in ids else len(ids)
        try:
            round_ = rounds.create_round(
                actor=current_user, competition=competition, name=form.name.data, criteria=crits,
                opens_at=_utc(form.opens_at.data), closes_at=_utc(form.closes_at.data),
                source=RoundSource(form.source.data), anonymised=form.anonymised.data,
                jurors_per_application=form.jurors_k.data if form.jurors_mode.data == "k" else None,
                show_others_after_submit=form.show_others_after_submit.data,
                rank_by_normalised=form.rank_by_normalised.data,
                tie_break=TieBreak(form.tie_break.data), tie_break_position=tb_position)
        except rounds.RoundError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Runde „%(name)s“ ist angelegt.", name=round_.name), "success")
            return redirect(url_for("staffjury.round_overview", round_id=round_.id))
    return render_template("staffjury/round_form.html", competition=competition, form=form,
                           round=None), (422 if request.method == "POST" else 200)


@bp.route("/runden/<int:round_id>/bearbeiten", methods=["GET", "POST"])
def edit_round(round_id):
    round_ = _round(round_id)
    if round_.status != RoundStatus.DRAFT:
        flash(_("Die Runde ist bereits freigegeben; die Einstellungen sind festgelegt."), "error")
        return redirect(url_for("staffjury.round_overview", round_id=round_.id))
    form_class = round_form_class([(c.id, localized(c, "name"), c.weight) for c in round_.criteria])
    if request.method == "GET":
        data = {"name": round_.name, "opens_at": _local(round_.opens_at),
                "closes_at": _local(round_.closes_at), "source": round_.source.value,
                "anonymised": round_.anonymised,
                "jurors_mode": "k" if round_.jurors_per_application else "all",
                "jurors_k": round_.jurors_per_application,
                "show_others_after_submit": round_.show_others_after_submit,
                "rank_by_normalised": round_.rank_by_normalised,
                "tie_break": round_.tie_break.value,
                "tie_break_criterion": str(round_.tie_break_criterion_id or "")}
        form = form_class(data=data)
    else:
        form = form_class()
    if form.validate_on_submit():
        weights = dict(form.chosen_criteria())
        try:
            rounds.update_round(
                actor=current_user, round_=round_, weights=weights, name=form.name.data,
                opens_at=_utc(form.opens_at.data), closes_at=_utc(form.closes_at.data),
                source=RoundSource(form.source.data), anonymised=form.anonymised.data,
                jurors_per_application=form.jurors_k.data if form.jurors_mode.data == "k" else None,
                show_others_after_submit=form.show_others_after_submit.data,
                rank_by_normalised=form.rank_by_normalised.data,
                tie_break=TieBreak(form.tie_break.data),
                tie_break_criterion_id=int(form.tie_break_criterion.data)
                if form.tie_break_criterion.data else None)
        except rounds.RoundError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Einstellungen sind gespeichert."), "success")
            return redirect(url_for("staffjury.round_overview", round_id=round_.id))
    return render_template("staffjury/round_form.html", competition=round_.competition, form=form,
                           round=round_), (422 if request.method == "POST" else 200)


@bp.get("/runden/<int:round_id>")
def round_overview(round_id):
    round_ = _round(round_id)
    rounds.load_entries(round_)
    approved = sum(1 for e in round_.entries if anonymisation.is_approved(e))
    scanned_clean = sum(1 for e in round_.entries if e.scanned_at and not e.leak_hits)
    assigned = set(db.session.scalars(select(Assignment.entry_id).where(Assignment.round_id == round_.id)))
    jurors, entry_progress = scoring.progress(round_) if round_.status != RoundStatus.DRAFT else ([], [])
    return render_template("staffjury/round.html", round=round_, approved=approved,
                           scanned_clean=scanned_clean, assigned=len(assigned), form=ActionForm(),
                           jurors=jurors)


@bp.post("/runden/<int:round_id>/teilnehmende")
def populate(round_id):
    round_ = _round(round_id)
    try:
        added = rounds.populate_entries(actor=current_user, round_=round_)
    except rounds.RoundError as exc:
        unit_of_work.discard()
        _flash_problems(exc)
    else:
        flash(_("%(n)s Bewerbung(en) übernommen.", n=format_number(len(added))), "success")
    return redirect(url_for("staffjury.round_overview", round_id=round_.id))


@bp.post("/runden/<int:round_id>/freigeben")
def open_round(round_id):
    round_ = _round(round_id)
    try:
        rounds.open_round(actor=current_user, round_=round_)
    except rounds.RoundError as exc:
        # No rollback: the leak-scan results the gate has just written are kept (the
        # request commits them; the round itself is unchanged).
        _flash_problems(exc)
        flash(_("Die Runde kann noch nicht freigegeben werden."), "error")
    else:
        flash(_("Die Runde ist freigegeben. Die Jurymitglieder können bewerten."), "success")
    return redirect(url_for("staffjury.round_overview", round_id=round_.id))


@bp.route("/runden/<int:round_id>/abschliessen", methods=["GET", "POST"])
def close_round(round_id):
    """Confirmation page: GET says what closing freezes and who has not finished; a POST
    from that page (with its confirmation) closes. A bare POST only leads to the page."""
    round_ = _round(round_id)
    form = CloseRoundForm()
    if request.method == "POST" and "confirm" not in request.form:
        return redirect(url_for("staffjury.close_round", round_id=round_.id), code=303)
    if form.validate_on_submit():
        try:
            rounds.close_round(actor=current_user, round_=round_)
        except rounds.RoundError as exc:
            unit_of_work.discard()
            _flash_problems(exc)
            return redirect(url_for("staffjury.round_overview", round_id=round_.id))
        flash(_("Die Runde ist abgeschlossen; die Rangliste ist eingefroren."), "success")
        return redirect(url_for("staffjury.ranking_view", round_id=round_.id))
    jurors, entries = (scoring.progress(round_) if round_.status == RoundStatus.OPEN
                       else ([], []))
    problem = None
    if round_.status == RoundStatus.OPEN:
        try:
            lifecycle.require("close_round", round_.competition)
        except lifecycle.NotAllowed as exc:
            problem = exc.message
    return render_template("staffjury/close_round.html", round=round_, form=form,
                           jurors=jurors, entries=entries, problem=problem,
                           unfinished=[j for j in jurors if j["final"] < j["assigned"]],
                           next_rounds=rounds.next_rounds(round_)), \
        (422 if request.method == "POST" else 200)


# --------------------------------------------------------------------------- anonymisation

@bp.get("/runden/<int:round_id>/anonymisierung")
def anonymisation_list(round_id):
    round_ = _review_round(round_id)
    page = paging.paginate(rounds.entries_query(round_), per_page=ENTRIES_PER_PAGE)
    rows = [{"entry": e, "approved": anonymisation.is_approved(e)} for e in page.items]
    return render_template("staffjury/anonymisation.html", round=round_, rows=rows, page=page,
                           form=ActionForm())


@bp.route("/runden/<int:round_id>/leckpruefung", methods=["GET", "POST"])
def leak_scan(round_id):
    round_ = _review_round(round_id)
    if request.method == "POST":
        ActionForm().validate_on_submit() or abort(400)
        for entry in round_.entries:
            anonymisation.scan_entry(entry=entry)
        flash(_("Die Leckprüfung ist durchgelaufen."), "success")
        return redirect(url_for("staffjury.leak_scan", round_id=round_.id))
    page = paging.paginate(rounds.entries_query(round_, attachments=False),
                           per_page=ENTRIES_PER_PAGE)
    return render_template("staffjury/leak_scan.html", round=round_, entries=page.items,
                           page=page, form=ActionForm())


@bp.route("/runden/<int:round_id>/anonymisierung/<int:entry_id>", methods=["GET", "POST"])
def review(round_id, entry_id):
    round_ = _review_round(round_id)
    entry = _entry(round_, entry_id)
    application = entry.application
    if request.method == "GET" and round_.status == RoundStatus.DRAFT:
        _refresh_files(entry)
    terms = anonymisation.redaction_terms(application, entry)
    lift_rows = [row for row in anonymisation.lift_choices(application, entry) if row[2].liftable]
    form = RedactionForm()
    form.kept.choices = [(t, t) for t, _k, keepable, _kept in terms if keepable]
    form.kept.choices += _file_choices(entry, form.kept.choices)
    form.lifted.choices = [(key, key) for key, _label, _occ in lift_rows]
    if request.method == "GET":
        form.extra_terms.data = "\n".join(entry.extra_terms or [])
        form.kept.data = [t for t, _k, _keepable, kept in terms if kept]
        form.lifted.data = [key for key, _label, occ in lift_rows if occ.lifted]
    if form.validate_on_submit():
        try:
            anonymisation.update_redactions(
                actor=current_user, entry=entry,
                extra_terms=[t for t in (form.extra_terms.data or "").splitlines() if t.strip()],
                kept_terms=form.kept.data or [], lifted=form.lifted.data or [])
            anonymisation.refresh_files(entry=entry)
        except anonymisation.AnonymisationError as exc:
            unit_of_work.discard()
            show_on_form(form, exc, field="extra_terms")
        else:
            anonymisation.scan_entry(entry=entry)
            flash(_("Die Schwärzung ist gespeichert. Bitte prüfen Sie die Vorschau und geben Sie "
                    "sie frei."), "success")
            return redirect(url_for("staffjury.review", round_id=round_.id, entry_id=entry.id))
    view = anonymisation.project(entry)
    ids = anonymisation.identifiers_for(application, entry)
    highlighted = [(f.juror_label,
                    anonymisation.review_segments(f.value(application) or "", ids, field=f.name))
                   for f in anonymisation.text_fields() if f.value(application)]
    attachments = []
    for a in application.attachments:
        hits = anonymisation.attachment_text_hits(attachment=a, entry=entry) if a.jury_visible else []
        attachments.append({"attachment": a, "hits": hits})
    return render_template("staffjury/review.html", round=round_, entry=entry, application=application,
                           view=view, highlighted=highlighted, terms=terms, form=form,
                           attachments=attachments, files=anonymisation.file_review(entry), approved=anonymisation.is_approved(entry),
                           lift_rows=lift_rows, action_form=ActionForm()), (
        422 if request.method == "POST" else 200)


def _refresh_files(entry):
    """Make the redacted PDF copies current before staff look at them."""
    unit_of_work.allow_write("the jury copies of the files are made current for the review")
    try:
        anonymisation.refresh_files(entry=entry)
    except (anonymisation.AnonymisationError, StorageError) as exc:
        unit_of_work.discard()
        flash(getattr(exc, "message", _("Die Datei konnte nicht verarbeitet werden.")), "error")


def _file_choices(entry, known):
    """Hits blacked out only in the PDFs, and terms kept earlier, as further choices to lift."""
    seen = {value.casefold() for value, _label in known}
    extra = []
    for term in anonymisation.file_terms(entry) + list(entry.kept_terms or []):
        if term.casefold() not in seen:
            seen.add(term.casefold())
            extra.append((term, term))
    return extra


@bp.post("/runden/<int:round_id>/anonymisierung/<int:entry_id>/freigeben")
def approve(round_id, entry_id):
    round_ = _review_round(round_id)
    entry = _entry(round_, entry_id)
    try:
        anonymisation.approve(actor=current_user, entry=entry)
        hits = anonymisation.scan_entry(entry=entry)
    except anonymisation.AnonymisationError as exc:
        unit_of_work.discard()
        flash(exc.message, "error")
    else:
        if hits:
            flash(_("Freigegeben – aber die Leckprüfung findet noch %(n)s Fundstelle(n). Die Runde "
                    "kann erst öffnen, wenn keine mehr übrig ist.", n=len(hits)), "warning")
        else:
            flash(_("Die Anonymisierung von %(code)s ist freigegeben.", code=entry.code), "success")
    return redirect(url_for("staffjury.review", round_id=round_.id, entry_id=entry.id))


@bp.post("/runden/<int:round_id>/anonymisierung/<int:entry_id>/anlage")
def attachment_visibility(round_id, entry_id):
    round_ = _review_round(round_id)
    entry = _entry(round_, entry_id)
    if round_.status != RoundStatus.DRAFT:
        abort(409)
    attachment = db.session.get(Attachment, request.form.get("attachment_id", type=int) or 0)
    if attachment is None or attachment.application_id != entry.application_id:
        abort(404)
    try:
        anonymisation.set_attachment_visibility(actor=current_user, attachment=attachment,
                                                visible=request.form.get("visible") == "1")
        anonymisation.refresh_files(entry=entry)
        anonymisation.scan_entry(entry=entry)
    except (anonymisation.AnonymisationError, StorageError) as exc:
        unit_of_work.discard()
        flash(getattr(exc, "message", _("Die Datei konnte nicht verarbeitet werden.")), "error")
    else:
        flash(_("Die Sichtbarkeit der Anlage ist geändert."), "success")
    return redirect(url_for("staffjury.review", round_id=round_.id, entry_id=entry.id))


@bp.get("/runden/<int:round_id>/anonymisierung/<int:entry_id>/anlagen/<int:number>")
def preview_attachment(round_id, entry_id, number):
    """The stripped copy exactly as a juror would download it."""
    return juror_attachment_response(_entry(_review_round(round_id), entry_id), number)


@bp.get("/runden/<int:round_id>/anonymisierung/<int:entry_id>/anlagen/<int:number>/text")
def preview_attachment_text(round_id, entry_id, number):
    """The accessible text version exactly as a juror would read it."""
    round_ = _review_round(round_id)
    entry = _entry(round_, entry_id)
    found = anonymisation.juror_text_version(entry, number)
    if found is None:
        abort(404)
    name, pages = found
    return render_template(
        "jury/attachment_text.html", layout="staffjury/_layout.html", round=round_, name=name,
        pages=pages, back_url=url_for("staffjury.review", round_id=round_.id, entry_id=entry.id),
        back_label=_("Zurück zur Anonymisierung von %(code)s", code=entry.code),
        file_url=url_for("staffjury.preview_attachment", round_id=round_.id, entry_id=entry.id,
                         number=number))


@bp.get("/runden/<int:round_id>/anonymisierung/<int:entry_id>/anlagen/<int:number>/seite-<int:page>.png")
def preview_page(round_id, entry_id, number, page):
    """One page of a jury PDF rendered on the server, black boxes included (no JS needed)."""
    png = anonymisation.juror_page_image(_entry(_review_round(round_id), entry_id), number, page)
    if png is None:
        abort(404)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, no-store"})


@bp.post("/runden/<int:round_id>/anonymisierung/<int:entry_id>/entfernen")
def remove_entry(round_id, entry_id):
    round_ = _review_round(round_id)
    entry = _entry(round_, entry_id)
    try:
        rounds.remove_entry(actor=current_user, entry=entry)
    except rounds.RoundError as exc:
        unit_of_work.discard()
        _flash_problems(exc)
    else:
        flash(_("Die Bewerbung ist aus der Runde genommen."), "success")
    return redirect(url_for("staffjury.anonymisation_list", round_id=round_.id))


# --------------------------------------------------------------------------- assignment

def _assignment_form(round_):
    form = AssignmentForm()
    form.juror_id.choices = [(u.id, u.display_name) for u, _c in jury_members.competition_jurors(round_.competition_id)]
    form.entry_id.choices = rounds.entry_choices(round_)
    return form


@bp.route("/runden/<int:round_id>/zuteilung", methods=["GET", "POST"])
def assignments(round_id):
    round_ = _round(round_id)
    form = _assignment_form(round_)
    if form.validate_on_submit():
        entry = _entry(round_, form.entry_id.data)
        juror = db.session.get(User, form.juror_id.data)
        try:
            if form.action.data == "remove":
                assignment.remove(actor=current_user, entry=entry, juror=juror)
            else:
                assignment.add(actor=current_user, entry=entry, juror=juror)
        except assignment.AssignmentError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Zuteilung ist geändert."), "success")
            return redirect(url_for("staffjury.assignments", round_id=round_.id))
    jurors = jury_members.competition_jurors(round_.competition_id)
    page = paging.paginate(rounds.entries_query(round_, applications=False),
                           per_page=ENTRIES_PER_PAGE)
    current = assignment.current(round_, entry_ids=[e.id for e in page.items])
    conflicts = assignment.conflict_pairs(round_)
    return render_template("staffjury/assignments.html", round=round_, form=form, jurors=jurors,
                           entries=page.items, page=page, current=current, conflicts=conflicts,
                           action_form=ActionForm()), (
        422 if request.method == "POST" else 200)


@bp.post("/runden/<int:round_id>/zuteilung/automatisch")
def auto_assign(round_id):
    round_ = _round(round_id)
    try:
        added, missing = assignment.auto_assign(actor=current_user, round_=round_)
    except assignment.AssignmentError as exc:
        unit_of_work.discard()
        flash(exc.message, "error")
    else:
        flash(_("%(n)s Zuordnung(en) ergänzt.", n=format_number(added)), "success")
        if missing:
            flash(_("Nicht genug Jurymitglieder ohne Befangenheit für: %(codes)s",
                    codes=", ".join(sorted(missing))), "warning")
    return redirect(url_for("staffjury.assignments", round_id=round_.id))


# --------------------------------------------------------------------------- progress, conflicts

@bp.get("/runden/<int:round_id>/fortschritt")
def progress(round_id):
    round_ = _round(round_id)
    jurors, entries = scoring.progress(round_)
    page = paging.paginate_list(entries, per_page=ENTRIES_PER_PAGE)
    return render_template("staffjury/progress.html", round=round_, jurors=jurors,
                           entries=page.items, page=page, form=ActionForm())


@bp.post("/runden/<int:round_id>/erinnerung")
def remind(round_id):
    round_ = _round(round_id)
    try:
        sent = scoring.send_reminders(actor=current_user, round_=round_)
    except scoring.ScoringError as exc:
        unit_of_work.discard()
        flash(exc.message, "error")
    else:
        flash(_("%(n)s Erinnerung(en) verschickt.", n=format_number(len(sent))), "success")
    return redirect(url_for("staffjury.progress", round_id=round_.id))


@bp.route("/runden/<int:round_id>/befangenheit", methods=["GET", "POST"])
def conflicts(round_id):
    round_ = _round(round_id)
    form = StaffConflictForm()
    form.juror_id.choices = [(u.id, u.display_name) for u, _c in jury_members.competition_jurors(round_.competition_id)]
    form.entry_id.choices = rounds.entry_choices(round_)
    if form.validate_on_submit():
        entry = _entry(round_, form.entry_id.data)
        juror = db.session.get(User, form.juror_id.data)
        try:
            scoring.set_conflict(actor=current_user, entry=entry, juror=juror, reason=form.reason.data)
        except scoring.ScoringError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Befangenheit ist vermerkt."), "success")
            return redirect(url_for("staffjury.conflicts", round_id=round_.id))
    codes = dict(db.session.execute(select(RoundEntry.application_id, RoundEntry.code)
                                    .where(RoundEntry.round_id == round_.id)).all())
    return render_template("staffjury/conflicts.html", round=round_, form=form,
                           conflicts=scoring.round_conflicts(round_), codes=codes), (
        422 if request.method == "POST" else 200)


@bp.route("/runden/<int:round_id>/befangenheit/<int:conflict_id>/aufheben", methods=["GET", "POST"])
def lift_conflict(round_id, conflict_id):
    round_ = _round(round_id)
    conflict = db.session.get(Conflict, conflict_id)
    code = scoring.conflict_code(conflict, round_) if conflict is not None else None
    if code is None:
        abort(404)  # no such conflict, or not for an application of this round
    form = LiftConflictForm()
    if round_.status == RoundStatus.CLOSED:
        form.form_errors.append(_("Die Runde ist abgeschlossen."))
    elif form.validate_on_submit():
        try:
            scoring.lift_conflict(actor=current_user, conflict=conflict, round_=round_,
                                  code=code, reason=form.reason.data)
        except scoring.ScoringError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Befangenheit ist aufgehoben."), "success")
            return redirect(url_for("staffjury.conflicts", round_id=round_.id))
    return render_template("staffjury/conflict_lift.html", round=round_, conflict=conflict,
                           code=code, form=form), (422 if request.method == "POST" else 200)


# --------------------------------------------------------------------------- ranking

@bp.get("/runden/<int:round_id>/rangliste")
def ranking_view(round_id):
    round_ = _round(round_id)
    # The table shows one page of the ranking; a page past the end shows the last page.
    shown = ranking.ranking_page_index(round_, paging.page_arg(), RANKING_PER_PAGE)
    data, number = shown.head, shown.number
    page = paging.Page(items=shown.index, page=number, per_page=RANKING_PER_PAGE,
                       total=data["total"])
    identities = {}
    if jury_exports.with_identities(round_, viewer=current_user) and shown.index:
        identities = {id_: {"reference": reference, "org_name": org, "project_title": title}
                      for id_, reference, org, title in db.session.execute(
                          select(Application.id, Application.reference, Application.org_name,
                                 Application.project_title)
                          .where(Application.id.in_([a for _e, _c, a in shown.index]))
                          .order_by(Application.id))}
    # The rows are rendered once per ranking, page and identities shown (a hundred inline
    # charts), then come from the cache until the ranking or the names change; the rows
    # themselves are loaded only to render them.
    rows_html = fragments.cached_fragment(
        RANKING_ROW_TEMPLATES, (shown.key, RANKING_PER_PAGE, number, list(identities.items())),
        make_context=lambda: {"rows": shown.rows(), "scale": data["scale"],
                              "identities": identities})
    form = AdvanceForm()
    targets = rounds.next_rounds(round_) if round_.status == RoundStatus.CLOSED else []
    form.target_id.choices = [(t.id, t.name) for t in targets]
    # The selection by hand offers the entries of this page only.
    page_choices = [(entry_id, code) for entry_id, code, _a in shown.index]
    return fragments.render_page("staffjury/ranking.html", round=round_, data=data,
                                 rows_html=rows_html, identities=bool(identities), form=form,
                                 targets=targets, page=page, page_choices=page_choices)


def _advance_choices(data):
    """Every entry of the ranking, whichever page it is shown on."""
    return [(r["entry_id"], r["code"]) for r in data["rows"]]


@bp.post("/runden/<int:round_id>/weiterleiten")
def advance(round_id):
    round_ = _round(round_id)
    data = ranking.ranking(round_)
    form = AdvanceForm()
    targets = rounds.next_rounds(round_)
    form.target_id.choices = [(t.id, t.name) for t in targets]
    form.entries.choices = _advance_choices(data)
    if not form.validate_on_submit():
        for field in (form.target_id, form.top_n, form.mode):
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(url_for("staffjury.ranking_view", round_id=round_.id))
    target = next(t for t in targets if t.id == form.target_id.data)
    if form.mode.data == "top":
        # Always the full ranking, not only the page that was shown.
        chosen_ids = [r["entry_id"] for r in data["rows"]
                      if r["rank"] is not None and r["rank"] <= form.top_n.data]
    else:
        chosen_ids = list(form.entries.data or [])
        known = {value for value, _label in form.entries.choices}
        if any(i not in known for i in chosen_ids):
            flash(_("Die Auswahl enthält eine Bewerbung, die nicht in dieser Rangliste steht."),
                  "error")
            return redirect(url_for("staffjury.ranking_view", round_id=round_.id))
    chosen = set(chosen_ids)
    entries = [e for e in round_.entries if e.id in chosen]
    try:
        added = rounds.advance(actor=current_user, round_=round_, entries=entries, target=target)
    except rounds.RoundError as exc:
        unit_of_work.discard()
        _flash_problems(exc)
        return redirect(url_for("staffjury.ranking_view", round_id=round_.id))
    flash(_("%(n)s Bewerbung(en) in „%(name)s“ übernommen.", n=format_number(len(added)), name=target.name), "success")
    return redirect(url_for("staffjury.round_overview", round_id=target.id))


@bp.get("/runden/<int:round_id>/export/<kind>.<fmt>")
def export(round_id, kind, fmt):
    round_ = _round(round_id)
    if fmt not in ("csv", "xlsx") or kind not in ("bewertungen", "rangliste"):
        abort(404)
    header, rows = (jury_exports.scores_table(round_, viewer=current_user) if kind == "bewertungen"
                    else jury_exports.ranking_table(round_, viewer=current_user))
    suffix = "" if jury_exports.with_identities(round_, viewer=current_user) else "-pseudonymisiert"
    name = f"{kind}-{round_.competition.prize_code}-{round_.competition.year}-runde-{round_.position}{suffix}.{fmt}"
    if fmt == "csv":
        body, mime = jury_exports.csv_chunks(header, rows), "text/csv; charset=utf-8"
    else:
        body = jury_exports.xlsx_chunks(header, rows, kind.capitalize())
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # Streamed: the rows are read from the database while the response is sent.
    return Response(stream_with_context(body), mimetype=mime, headers={
        "Content-Disposition": content_disposition(name), "Cache-Control": "private, no-store"})
