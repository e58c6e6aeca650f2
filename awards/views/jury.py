"""Jury area: start page, Bewertungsbögen, Befangenheit, attachments and own export.

Jurors identify entries ONLY by the round's neutral code. Everything shown comes from
services.anonymisation.project(); no template here receives an Application. An entry
that is not assigned, conflicted, or in a round that is not open answers 404 — the same
as an entry that does not exist.
"""
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from awards import permissions, unit_of_work
from awards.errors import show_on_form
from awards.extensions import db
from awards.forms.jury import ConflictForm, scoresheet_form_class
from awards.models.jury import Round, ScoreStatus
from awards.services.jury import anonymisation, exports as jury_exports, scoring
from awards.views import paging
from awards.views.util import juror_attachment_response, require
from awards.filenames import content_disposition
from awards.i18n import gettext as _
from awards.models.jury import Score

bp = Blueprint("jury", __name__, url_prefix="/jury")

ENTRIES_PER_PAGE = 50
CODE_RE = re.compile(r"^[A-Z]-[0-9A-Z]{4}$")


def _round_or_404(round_id):
    require(permissions.can_use_jury_area)
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.competition_id not in permissions.juror_competition_ids(current_user):
        abort(404)
    return round_


def _entry_or_404(round_id, code, with_application=True):
    require(permissions.can_use_jury_area)
    if not CODE_RE.match(code or ""):
        abort(404)
    entry = scoring.juror_entry(juror=current_user, round_id=round_id, code=code,
                                with_application=with_application)
    if entry is None:
        abort(404)
    return entry


def _entry_page(round_):
    """One page of the juror's entries in the round: Page of {"code", "title", "status"}."""
    from sqlalchemy import select

    query = scoring.visible_entries_query(juror=current_user, round_=round_)
    if query is None:
        return paging.Page(items=[], page=1, per_page=ENTRIES_PER_PAGE, total=0)
    page = paging.paginate(query, per_page=ENTRIES_PER_PAGE)
    statuses = dict(db.session.execute(
        select(Score.entry_id, Score.status).where(
            Score.round_id == round_.id, Score.juror_id == current_user.id,
            Score.entry_id.in_([e.id for e in page.items]))).all()) if page.items else {}
    page.items = [{"code": e.code, "title": anonymisation.project_title(e),
                   "status": statuses.get(e.id)} for e in page.items]
    return page


@bp.get("/")
def dashboard():
    require(permissions.can_use_jury_area)
    rounds = []
    juror_rounds = scoring.juror_rounds(current_user)
    progress = scoring.juror_progress_by_round(juror=current_user, rounds=juror_rounds)
    for round_ in juror_rounds:
        done, total = progress[round_.id]
        rounds.append({"round": round_, "open": round_.accepts_scores(), "done": done, "total": total})
    chaired = {r.competition_id: r.competition for r in juror_rounds
               if permissions.is_jury_chair(current_user, r.competition)}
    return render_template("jury/dashboard.html", rounds=rounds, chaired=list(chaired.values()))


@bp.get("/runden/<int:round_id>")
def round_view(round_id):
    round_ = _round_or_404(round_id)
    open_now = round_.accepts_scores()
    page = _entry_page(round_) if open_now else paging.Page([], 1, ENTRIES_PER_PAGE, 0)
    done, total = scoring.juror_progress(juror=current_user, round_=round_)
    return render_template("jury/round.html", round=round_, open_now=open_now, entries=page.items,
                           page=page, done=done, total=total, ScoreStatus=ScoreStatus)


@bp.route("/runden/<int:round_id>/<code>", methods=["GET", "POST"])
def scoresheet(round_id, code):
    posting = request.method == "POST"
    # Saving does not show the application; a refused save loads it when the page is shown.
    entry = _entry_or_404(round_id, code, with_application=not posting)
    round_ = entry.round
    # Shown: the score, the progress and the round's criteria in one statement.
    sheet = None if posting else scoring.score_sheet(juror=current_user, entry=entry)
    criteria = list(round_.criteria)
    form_class = scoresheet_form_class(criteria)
    if posting:
        form = form_class()
        if form.validate():
            finalise = request.form.get("action") == "final"
            try:
                saved = scoring.save_score(actor=current_user, entry=entry, values=form.values(),
                                           comment=form.comment.data or "", finalise=finalise,
                                           version=form.version.data or None)
            except scoring.ScoringError as exc:
                unit_of_work.discard()
                # The service names criteria by id; the form has a field per criterion.
                show_on_form(form, exc, names={c.id: f"c{c.id}" for c in criteria})
            else:
                # A final score stays final when it is changed again.
                flash(_("Ihre Bewertung ist abgeschlossen und gespeichert.")
                      if saved.status == ScoreStatus.FINAL
                      else _("Ihre Bewertung ist zwischengespeichert."), "success")
                return redirect(url_for("jury.scoresheet", round_id=round_id, code=code))
    # After a refused save the session was rolled back: the score loads as stored.
    score, done, total = sheet or scoring.score_sheet(juror=current_user, entry=entry)
    if not posting:
        data = None
        if score is not None:
            data = {"comment": score.comment, "version": score.version}
            values = score.value_map()
            for c in criteria:
                v = values.get(c.id)
                data[f"c{c.id}"] = v.value if v else None
                data[f"note{c.id}"] = v.comment if v else ""
        form = form_class(data=data)
    view = anonymisation.project(entry, round_)
    others = scoring.others_totals(juror=current_user, entry=entry, own=score)
    return render_template("jury/scoresheet.html", view=view, round=round_, form=form, score=score,
                           others=others, done=done, total=total, ScoreStatus=ScoreStatus), (
        422 if posting else 200)


@bp.route("/runden/<int:round_id>/<code>/befangenheit", methods=["GET", "POST"])
def conflict(round_id, code):
    entry = _entry_or_404(round_id, code)
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            scoring.declare_conflict(actor=current_user, entry=entry, reason=form.reason.data)
        except scoring.ScoringError as exc:
            unit_of_work.discard()
            show_on_form(form, exc, field="reason")
        else:
            flash(_("Ihre Befangenheit ist vermerkt. Diese Bewerbung wird Ihnen nicht mehr angezeigt "
                    "und Ihre Bewertung zählt nicht."), "success")
            return redirect(url_for("jury.round_view", round_id=round_id))
    view = anonymisation.project(entry)
    return render_template("jury/conflict.html", view=view, round=entry.round, form=form), (
        422 if request.method == "POST" else 200)


@bp.get("/runden/<int:round_id>/<code>/anlagen/<int:number>")
def attachment(round_id, code, number):
    return juror_attachment_response(_entry_or_404(round_id, code), number)


@bp.get("/runden/<int:round_id>/<code>/anlagen/<int:number>/text")
def attachment_text(round_id, code, number):
    """The accessible text version of a PDF, redacted like the file."""
    entry = _entry_or_404(round_id, code)
    found = anonymisation.juror_text_version(entry, number)
    if found is None:
        abort(404)
    name, pages = found
    return render_template(
        "jury/attachment_text.html", layout="base.html", name=name, pages=pages,
        back_url=url_for("jury.scoresheet", round_id=round_id, code=code),
        back_label=_("Zurück zur Bewerbung %(code)s", code=code),
        file_url=url_for("jury.attachment", round_id=round_id, code=code, number=number))


@bp.get("/runden/<int:round_id>/meine-bewertungen.<fmt>")
def own_export(round_id, fmt):
    round_ = _round_or_404(round_id)
    if fmt not in ("csv", "xlsx") or not round_.accepts_scores():
        abort(404)
    header, rows = jury_exports.juror_scores_table(round_, current_user)
    name = f"meine-bewertungen-runde-{round_.position}.{fmt}"
    if fmt == "csv":
        body, mime = jury_exports.to_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = jury_exports.to_xlsx(header, rows, "Bewertungen")
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mime, headers={
        "Content-Disposition": content_disposition(name), "Cache-Control": "private, no-store"})
