"""Geschäftsstelle: intake of submitted applications — list with search, filters and paging,
detail with every field and file, formal check, reopening for correction, CSV/XLSX export."""
from datetime import datetime

from flask import (Blueprint, abort, flash, make_response, redirect, render_template, request,
                   url_for)
from flask_login import current_user
from sqlalchemy import select

from awards import permissions, unit_of_work
from awards.enums import ApplicationStatus
from awards.errors import show_on_form
from awards.extensions import db
from awards.forms.applications import FormalCheckForm, IntakeFilterForm, ReopenForm
from awards.forms.document_requests import DocumentRequestForm
from awards.models.applications import Application, Attachment
from awards.models.base import utcnow
from awards.models.competitions import Competition
from awards.services import applications as service
from awards.services import competitions, document_requests, exports, lifecycle, nominations
from awards.timeutil import to_berlin
from awards.views import intake_rows, paging
from awards.views.applicant import send_stored
from awards.views.util import require
from awards.filenames import content_disposition
from awards.i18n import gettext as _

bp = Blueprint("intake", __name__, url_prefix="/geschaeftsstelle")

PER_PAGE = 25


def _competition(competition_id):
    competition = competitions.competition(competition_id)
    if competition is None:
        abort(404)
    require(permissions.can_view_intake, competition)
    return competition


def _application(application_id):
    application = db.session.get(Application, application_id)
    if application is None or application.status == ApplicationStatus.DRAFT:
        abort(404)
    require(permissions.can_check_application, application)
    return application


@bp.get("/eingang/<int:competition_id>")
def applications(competition_id):
    competition = _competition(competition_id)
    form = IntakeFilterForm(request.args)
    filters = form.filters()
    # The latest document request and the nominee's answer come in the page's statement.
    found, total, drafts, number = service.intake_page(
        competition=competition, page=paging.page_arg(), per_page=PER_PAGE,
        extra_columns=(*document_requests.latest_request_columns(), nominations.status_column()),
        **filters)
    now = utcnow()
    # Each row rendered from what it shows, kept per process (awards.views.intake_rows).
    rows = intake_rows.intake_rows(
        [(application, files, document_requests.marker(answered_at, due_at, now), status)
         for application, files, answered_at, due_at, status in found])
    page = paging.Page(items=rows, page=number, per_page=PER_PAGE, total=total)
    args = {k: v for k, v in request.args.items() if k in form._fields and v}
    return render_template("intake/list.html", competition=competition, rows=rows, total=total,
                           page=page, form=form, args=args, drafts=drafts)


def _export_name(competition, ext):
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return f"Bewerbungen-{competition.prize_code}-{competition.year}-{stamp}.{ext}"


@bp.get("/eingang/<int:competition_id>/export.csv")
def export_csv(competition_id):
    competition = _competition(competition_id)
    data = exports.export_csv(competition=competition, **IntakeFilterForm(request.args).filters())
    return _download(data, "text/csv; charset=utf-8", _export_name(competition, "csv"))


@bp.get("/eingang/<int:competition_id>/export.xlsx")
def export_xlsx(competition_id):
    competition = _competition(competition_id)
    data = exports.export_xlsx(competition=competition, **IntakeFilterForm(request.args).filters())
    return _download(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     _export_name(competition, "xlsx"))


def _download(data, mimetype, filename):
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _request_form(application):
    """The Nachforderung form: empty for a new request, the open request's values to change."""
    row = document_requests.open_request(application)
    if row is None:
        return DocumentRequestForm()
    due = to_berlin(row.due_at)
    return DocumentRequestForm(message=row.message, due_date=due.date(),
                               due_time=due.time().replace(second=0))


def _render_detail(application, check_form=None, reopen_form=None, status=200,
                   request_form=None):
    if check_form is None:
        check_form = FormalCheckForm(result=application.formal_check.value,
                                     reason=application.formal_check_reason)
    if reopen_form is None and application.status == ApplicationStatus.REOPENED:
        # Changing a running correction: start from what the applicant was told.

        reopen_form = ReopenForm(
            reopen_reason=application.reopen_reason,
            correction_due=(to_berlin(application.correction_due_at).date()
                            if application.correction_due_at else None))
    return render_template(
        "intake/detail.html", application=application, competition=application.competition,
        check_form=check_form, reopen_form=reopen_form or ReopenForm(),
        correction_overdue=service.correction_overdue(application),
        request_form=request_form or _request_form(application),
        open_request=document_requests.open_request(application),
        is_overdue=document_requests.is_overdue,
    ), status


@bp.get("/bewerbungen/<int:application_id>")
def detail(application_id):
    return _render_detail(_application(application_id))


@bp.post("/bewerbungen/<int:application_id>/pruefung")
def formal_check(application_id):
    application = _application(application_id)
    form = FormalCheckForm()
    if form.validate_on_submit():
        if not form.result.data:
            form.result.errors = [_("Bitte wählen Sie ein Ergebnis aus.")]
            return _render_detail(application, check_form=form, status=422)
        try:
            service.formal_check(actor=current_user, application=application,
                                 result=form.result.data, reason=form.reason.data)
        except service.ApplicationError as exc:
            unit_of_work.discard()
            show_on_form(form, exc, field="reason")
            return _render_detail(application, check_form=form, status=422)
        flash(_("Formale Prüfung gespeichert: %(r)s.", r=application.formal_check.label), "success")
        return redirect(url_for(".detail", application_id=application.id))
    return _render_detail(application, check_form=form, status=422)


@bp.post("/bewerbungen/<int:application_id>/korrektur")
def reopen(application_id):
    application = _application(application_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            service.reopen(actor=current_user, application=application,
                           reason=form.reopen_reason.data, due=form.correction_due.data)
        except service.ApplicationError as exc:
            # A deadline in the past goes beside the deadline, any other refusal beside
            # the reason.
            unit_of_work.discard()
            show_on_form(form, exc, field="reopen_reason")
            return _render_detail(application, reopen_form=form, status=422)
        flash(_("Die Bewerbung ist zur Korrektur geöffnet. Die Bewerberin bzw. der Bewerber "
                "wurde per E-Mail informiert."), "success")
        return redirect(url_for(".detail", application_id=application.id))
    return _render_detail(application, reopen_form=form, status=422)


@bp.post("/bewerbungen/<int:application_id>/nachforderung")
def request_documents(application_id):
    application = _application(application_id)
    form = DocumentRequestForm()
    if not form.validate_on_submit():
        return _render_detail(application, request_form=form, status=422)
    due_at = document_requests.due_instant(form.due_date.data, form.due_time.data)
    try:
        document_requests.request_documents(actor=current_user, application=application,
                                            message=form.message.data, due_at=due_at)
    except document_requests.RequestError as exc:
        unit_of_work.discard()
        show_on_form(form, exc, field="message")
        return _render_detail(application, request_form=form, status=422)
    flash(_("Die Nachforderung ist gespeichert. Die Bewerberin bzw. der Bewerber wurde per "
            "E-Mail informiert und kann im Portal antworten."), "success")
    return redirect(url_for(".detail", application_id=application.id) + "#nachforderung")


@bp.get("/bewerbungen/<int:application_id>/anlagen/<int:attachment_id>")
def attachment(application_id, attachment_id):
    application = _application(application_id)
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.application_id != application.id:
        abort(404)
    require(permissions.can_download_attachment, row)
    return send_stored(row.storage_key, filename=row.filename, mimetype=row.content_type)


@bp.get("/bewerbungen/<int:application_id>/eingangsbestaetigung")
def receipt(application_id):
    application = _application(application_id)
    if not application.receipt_key:
        abort(404)
    return send_stored(application.receipt_key,
                       filename=f"Eingangsbestaetigung-{application.reference}.pdf",
                       mimetype="application/pdf")


@bp.get("/eingang")
def index():
    """Competitions with applications the user may check (entry point to the intake)."""
    require(permissions.is_staff)
    query = select(Competition).where(lifecycle.stage_may_be(lifecycle.PUBLIC_STATES)) \
        .order_by(Competition.year.desc(), Competition.prize_code)
    codes = permissions.staff_prize_codes(current_user)
    if codes is not None:
        query = query.where(Competition.prize_code.in_(codes))
    # Not the competitions whose jury this person sits on while its anonymity holds.
    hidden = permissions.hidden_competition_ids(current_user)
    if hidden:
        query = query.where(Competition.id.not_in(hidden))
    return render_template("intake/index.html", competitions=db.session.scalars(query).all())
