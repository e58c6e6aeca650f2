"""Applicants: start an application, the five-step form with drafts and attachments,
submission with receipt, the dashboard "Meine Bewerbungen", withdraw and copy."""
from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from awards import fields, permissions, unit_of_work
from awards.enums import ApplicationStatus
from awards.errors import show_on_form
from awards.extensions import db, limiter
from awards.forms.applications import ConfirmForm, CopyForm, step_form
from awards.forms.document_requests import DocumentAnswerForm
from awards.forms.nominations import NomineeResponseForm
from awards.i18n import gettext as _
from awards.i18n import format_berlin_time
from awards.models.applications import Application, Attachment
from awards.models.base import utcnow
from awards.models.competitions import Competition
from awards.models.reference import District
from awards.services import applications as service
from awards.services import document_requests, lifecycle, nominations, tokens, uploads
from awards.timeutil import to_berlin
from awards.views.converters import parse_id
from awards.views.errors import render_error, wants_json
from awards.views.util import stored_file_response

bp = Blueprint("applicant", __name__, url_prefix="/bewerbung")

STASH_COOKIE = "awards_form_stash"
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.REOPENED)


def _logged_in():
    """Rate limits below count only logged-out visitors (whose posts are stashed)."""
    return current_user.is_authenticated


def _login_redirect(next_path):
    return redirect(url_for("auth.login", next=next_path))


def _own_application(application_id):
    """The current user's application; anyone else's (or none) is 404, not 403, so that
    numbers do not reveal which applications exist."""
    application = db.session.get(Application, application_id)
    if application is None or not permissions.can_view_application(current_user, application) \
            or application.owner_id != current_user.id:
        abort(404)
    return application


def _readable_application(application_id):
    """The owner's application, or the one the user was nominated with (read only, after
    the decisions are released)."""
    application = db.session.get(Application, application_id)
    if application is None or not (
            application.owner_id == current_user.id
            or permissions.is_nominee_of(current_user, application)):
        abort(404)
    return application


def _districts():
    return db.session.scalars(
        select(District).order_by(District.region, District.is_city.desc(), District.name)
    ).all()


def _make_form(step, application, formdata=None):
    """The step's form, filled from the application or from posted data ("request" for
    this request's form and files). Fields missing from posted data show the stored value."""
    form_class = step_form(step)
    step_fields = fields.step_fields(step)
    kwargs = {"districts": _districts()} \
        if any(f.kind == fields.DISTRICT for f in step_fields) else {}
    if formdata is None:
        form = form_class(obj=application, **kwargs)
        for f in step_fields:
            if f.kind in fields.CHOICE_KINDS:
                form[f.name].data = _choice_value(f, f.value(application))
        form.version.data = str(application.version)
        return form
    if formdata == "request":
        formdata = CombinedMultiDict((request.files, request.form))
    form = form_class(formdata=formdata, **kwargs)
    for f in step_fields:
        field = form._fields.get(f.name)
        if field is not None and not field.raw_data and field.type != "BooleanField":
            value = f.value(application)
            field.data = _choice_value(f, value) if f.kind in fields.CHOICE_KINDS else value
    return form


def _choice_value(f, value):
    """A stored choice as the form's string value; a radio group without one shows its
    first option chosen."""
    if value is None or value == "":
        return f.choices.choices()[0][0] if f.kind == fields.RADIO else ""
    return str(getattr(value, "value", value))


def _int(value):
    return parse_id(value.strip() if isinstance(value, str) else value)


def _missing_links(application, errors):
    return [
        {"label": fields.label(name), "message": message,
         "url": url_for(".step", application_id=application.id,
                        step=fields.step_of(name)) + f"#{name}"}
        for name, message in errors.items()
    ]


def _render_step(application, step, form, status=200, **extra):
    context = dict(application=application, competition=application.competition, step=step,
                   steps=fields.STEP_TITLES, step_count=len(fields.STEPS), form=form,
                   districts=_districts() if step == 1 else (),
                   file_limit_mb=current_app.config["MAX_FILE_MB"],
                   application_limit_mb=current_app.config["MAX_APPLICATION_MB"],
                   used_bytes=uploads.used_bytes(application) if step == 4 else 0,
                   delete_form=ConfirmForm())
    if step == 5:
        context["missing"] = _missing_links(application, service.missing_fields(application))
    context.update(extra)
    return render_template("applicant/step.html", **context), status


@bp.errorhandler(413)
def too_large(exc):
    if wants_json():
        return render_error(413)
    application_id = (request.view_args or {}).get("application_id")
    return render_template("applicant/too_large.html", application_id=application_id,
                           file_limit_mb=current_app.config["MAX_FILE_MB"],
                           application_limit_mb=current_app.config["MAX_APPLICATION_MB"]), 413


@bp.get("/")
def dashboard():
    if not current_user.is_authenticated:
        return _login_redirect(url_for(".dashboard"))
    nominated = nominations.nominee_application_ids(current_user)
    rows = db.session.scalars(
        select(Application).where(or_(Application.owner_id == current_user.id,
                                      Application.id.in_(nominated)))
        .options(selectinload(Application.competition),
                 selectinload(Application.document_requests))
        .order_by(Application.created_at.desc(), Application.id.desc())
    ).all()
    now = utcnow()
    return render_template("applicant/dashboard.html", applications=rows,
                           open_ids={c.id for c in service.open_competitions(now)},
                           is_open=lambda c: service.is_open_for_submission(c, now),
                           nominated=nominated - {a.id for a in rows if a.owner_id == current_user.id},
                           open_request=document_requests.open_request,
                           is_overdue=lambda r: document_requests.is_overdue(r, now))


@bp.route("/start/<int:competition_id>", methods=["GET", "POST"])
def start(competition_id):
    competition = db.session.get(Competition, competition_id)
    if competition is None or lifecycle.state_of(competition) not in lifecycle.PUBLIC_STATES:
        abort(404)
    is_open = service.is_open_for_submission(competition)
    here = url_for(".start", competition_id=competition.id)
    if request.method == "POST":
        if not current_user.is_authenticated:
            return _login_redirect(here)
        if not permissions.can_apply(current_user, competition) or not is_open:
            flash(_("Für diesen Preis ist keine Bewerbung (mehr) möglich."), "error")
            return redirect(here)
        application = service.start(actor=current_user, competition=competition)
        return redirect(url_for(".step", application_id=application.id, step=1))
    existing = []
    if current_user.is_authenticated:
        existing = db.session.scalars(
            select(Application).where(Application.owner_id == current_user.id,
                                      Application.competition_id == competition.id)
            .order_by(Application.id)
        ).all()
    return render_template("applicant/start.html", competition=competition, is_open=is_open,
                           existing=existing, form=ConfirmForm(), here=here)


@bp.get("/<int:application_id>/weiter")
def resume(application_id):
    if not current_user.is_authenticated:
        return _login_redirect(request.path)
    application = _own_application(application_id)
    if application.status not in EDITABLE:
        return redirect(url_for(".show", application_id=application.id))
    return redirect(url_for(".step", application_id=application.id,
                            step=application.current_step or 1))


@bp.route("/<int:application_id>/schritt/<int:step>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], exempt_when=_logged_in)
def step(application_id, step):
    if step not in fields.STEPS:
        abort(404)
    if not current_user.is_authenticated:
        return _stash_and_login(application_id, step)
    application = _own_application(application_id)
    if application.status not in EDITABLE:
        flash(_("Diese Bewerbung ist abgesendet. Änderungen sind nur möglich, wenn die "
                "Geschäftsstelle sie zur Korrektur öffnet."), "info")
        return redirect(url_for(".show", application_id=application.id))
    if request.method == "GET":
        return _show_step(application, step)
    return _post_step(application, step)


def _stash_and_login(application_id, step):
    """The login expired while the form was open: keep what was posted, then log in."""
    target = url_for(".step", application_id=application_id, step=step)
    response = _login_redirect(target)
    if request.method == "POST":
        application = db.session.get(Application, application_id)
        data = {k: v for k, v in request.form.to_dict(flat=False).items()
                if k not in ("csrf_token", "action")}
        if application is not None and data:
            try:
                token = service.stash_form(application=application, step=step, data=data,
                                           client=request.remote_addr or "")
            except service.StashRefused:
                unit_of_work.discard()
                flash(_("Ihre Anmeldung ist abgelaufen. Ihre Eingaben konnten wir nicht "
                        "vormerken: Bitte melden Sie sich erneut an und geben Sie sie noch "
                        "einmal ein."), "warning")
                return response
            response.set_cookie(STASH_COOKIE, token, max_age=int(service.STASH_MAX_AGE.total_seconds()),
                                httponly=True, samesite="Lax", secure=request.is_secure,
                                path=url_for(".dashboard"))
            flash(_("Ihre Anmeldung ist abgelaufen. Ihre Eingaben sind vorgemerkt: Bitte melden "
                    "Sie sich erneut an, dann werden sie gespeichert."), "warning")
    return response


def _show_step(application, step):
    token = request.cookies.get(STASH_COOKIE)
    if token:
        unit_of_work.allow_write("the input kept before a login is restored and saved")
    stash = service.take_stash(token=token, application=application, step=step) if token else None
    if stash is None:
        response = _render_step(application, step, _make_form(step, application))
        return response
    # Data posted before the login expired: store it now that the owner is back.
    form = _make_form(step, application, formdata=MultiDict(
        [(k, v) for k, values in stash.data.items() for v in values]))
    form.validate()
    try:
        service.save_draft(actor=current_user, application=application, step=step,
                           values=form.step_values(fields.step_names(step)))
    except service.ApplicationError as exc:
        unit_of_work.discard()
        show_on_form(form, exc)
    else:
        flash(_("Ihre Eingaben von vor der Anmeldung sind wiederhergestellt und gespeichert."),
              "success")
    db.session.flush()  # the version the next save must name
    form.version.data = str(application.version)
    body, status = _render_step(application, step, form)
    response = current_app.make_response((body, status))
    response.delete_cookie(STASH_COOKIE, path=url_for(".dashboard"))
    return response


def _target_step(action, step):
    if action == "next":
        return min(step + 1, len(fields.STEPS))
    if action == "back":
        return max(step - 1, 1)
    if action and action.startswith("goto-") and _int(action[5:]) in fields.STEPS:
        return _int(action[5:])
    return step


def _post_step(application, step):
    action = request.form.get("action", "save")
    form = _make_form(step, application, formdata="request")
    form_ok = form.validate()
    target = _target_step(action, step)
    if not form_ok:
        target = step
    values = form.step_values(fields.step_names(step))
    try:
        service.save_draft(actor=current_user, application=application, step=step,
                           values=values, next_step=target,
                           expected_version=_int(form.version.data))
    except service.Conflict as exc:
        unit_of_work.discard()
        show_on_form(form, exc)
        form.version.data = str(application.version)
        return _render_step(application, step, form, status=409)
    refused_files = 0
    # A file chosen on the attachments step is uploaded with whichever button was pressed
    # ("Speichern und weiter" too), never silently dropped.
    if step == 4 and (action == "upload" or _chosen_files(form)):
        refused_files = _upload_files(application, form)
        if refused_files:
            application.current_step = step
    # The draft is committed before any further check so that nothing typed is lost.
    db.session.flush()  # the version the next save must name
    form.version.data = str(application.version)

    if refused_files:
        return _render_step(application, step, form, status=422)
    if not form_ok:
        form.form_errors.append(_("Einige Angaben haben ein ungültiges Format. Alle übrigen "
                                  "Eingaben sind gespeichert."))
        return _render_step(application, step, form, status=422)
    if action == "next":
        missing = service.missing_fields(application, [step])
        if missing:
            for name, message in missing.items():
                if name in form._fields:
                    form[name].errors = [message]
            application.current_step = step
            db.session.flush()  # the version the next save must name
            form.version.data = str(application.version)
            return _render_step(application, step, form, status=422)
    if action == "submit" and step == len(fields.STEPS):
        return _submit(application, form)
    if action == "upload":
        return redirect(url_for(".step", application_id=application.id, step=4) + "#anlagen")
    if action == "save":
        flash(_("Entwurf gespeichert um %(time)s Uhr.",
                time=format_berlin_time(application.autosaved_at)), "success")
    return redirect(url_for(".step", application_id=application.id, step=target))


def _chosen_files(form):
    return [f for f in (form.files.data or []) if f and f.filename]


def _upload_files(application, form):
    """Upload the chosen files, each on its own; the reason for each one refused goes beside
    the file field. Returns the number refused."""
    files = _chosen_files(form)
    if not files:
        form.files.errors = [_("Bitte wählen Sie eine Datei aus.")]
        return 1
    refused = 0
    for file in files:
        try:
            with db.session.begin_nested():
                uploads.add_attachment(actor=current_user, application=application,
                                       stream=file.stream, filename=file.filename,
                                       description=form.file_description.data or "",
                                       images_allowed=application.image_rights_confirmed)
        except uploads.UploadRejected as exc:
            refused += 1
            show_on_form(form, exc, field="files")
    if refused < len(files):
        flash(_("%(n)s Datei(en) hochgeladen.", n=len(files) - refused), "success")
    return refused


def _submit(application, form):
    try:
        # A savepoint: a refused or failed submission keeps the draft saved just before.
        with db.session.begin_nested():
            service.submit(actor=current_user, application=application)
    except service.SubmissionInvalid as exc:
        return _render_step(application, len(fields.STEPS), form, status=422,
                            missing=_missing_links(application, exc.errors),
                            submit_failed=True)
    except service.ApplicationError as exc:
        show_on_form(form, exc)
        status = 503 if isinstance(exc, service.SubmissionFailed) else 422
        return _render_step(application, len(fields.STEPS), form, status=status)
    flash(_("Ihre Bewerbung ist eingegangen. Vielen Dank! Ihre Bewerbungsnummer: %(ref)s",
            ref=application.reference), "success")
    return redirect(url_for(".show", application_id=application.id))


@bp.post("/<int:application_id>/autosave")
def autosave(application_id):
    """JSON endpoint for applicant.js (CSRF token in the X-CSRFToken header)."""
    if not current_user.is_authenticated:
        return jsonify(error="login", message=_("Ihre Anmeldung ist abgelaufen. Bitte speichern "
                                                "Sie den Entwurf, dann melden Sie sich an.")), 401
    application = _own_application(application_id)
    step = _int(request.form.get("step"))
    if step not in fields.STEPS:
        return jsonify(error="step", message=_("Unbekannter Schritt.")), 400
    if application.status not in EDITABLE:
        return jsonify(error="frozen", message=_("Die Bewerbung ist abgesendet.")), 409
    form = _make_form(step, application, formdata="request")
    form.validate()
    try:
        service.save_draft(actor=current_user, application=application, step=step,
                           values=form.step_values(fields.step_names(step)),
                           expected_version=_int(form.version.data))
    except service.Conflict as exc:
        unit_of_work.discard()
        return jsonify(error="conflict", message=str(exc)), 409
    db.session.flush()  # the version the next autosave must name
    time = format_berlin_time(application.autosaved_at)
    errors = {name: [str(e) for e in messages] for name, messages in form.errors.items()
              if name not in ("version", None)}
    message = _("Gespeichert um %(time)s Uhr", time=time)
    if errors:
        message = _("Gespeichert um %(time)s Uhr – außer den markierten Feldern: Bitte "
                    "prüfen Sie diese.", time=time)
    return jsonify(saved_at=time, version=application.version, message=message,
                   invalid=list(errors), errors=errors)


@bp.post("/<int:application_id>/anlagen/<int:attachment_id>/loeschen")
def delete_attachment(application_id, attachment_id):
    if not current_user.is_authenticated:
        return _login_redirect(url_for(".step", application_id=application_id, step=4))
    application = _own_application(application_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.application_id != application.id:
        abort(404)
    if not permissions.can_edit_application(current_user, application):
        abort(403)
    if ConfirmForm().validate_on_submit():
        uploads.remove_attachment(actor=current_user, attachment=attachment)
        flash(_("Die Datei „%(name)s“ ist entfernt.", name=attachment.filename), "success")
    return redirect(url_for(".step", application_id=application.id, step=4) + "#anlagen")


def send_stored(key, *, filename, mimetype):
    """A stored file as a download (streamed, or a presigned redirect if so configured)."""
    return stored_file_response(key, filename=filename, content_type=mimetype)


@bp.get("/<int:application_id>/anlagen/<int:attachment_id>")
def attachment(application_id, attachment_id):
    if not current_user.is_authenticated:
        return _login_redirect(request.path)
    application = _readable_application(application_id)
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.application_id != application.id \
            or not permissions.can_download_attachment(current_user, row):
        abort(404)
    return send_stored(row.storage_key, filename=row.filename, mimetype=row.content_type)


@bp.get("/<int:application_id>")
def show(application_id):
    if not current_user.is_authenticated:
        return _login_redirect(request.path)
    application = _readable_application(application_id)
    return _render_show(application)


def _render_show(application, answer_form=None, status=200):
    is_owner = application.owner_id == current_user.id
    open_request = document_requests.open_request(application) if is_owner else None
    if answer_form is None and open_request is not None:
        answer_form = DocumentAnswerForm(answer_text=open_request.answer_text)
    return render_template("applicant/show.html", application=application,
                           competition=application.competition, is_owner=is_owner,
                           open_request=open_request, answer_form=answer_form,
                           request_overdue=open_request is not None
                           and document_requests.is_overdue(open_request),
                           file_limit_mb=current_app.config["MAX_FILE_MB"],
                           can_withdraw=permissions.can_withdraw_application(current_user, application)
                           and (application.status == ApplicationStatus.DRAFT
                                or service.is_open_for_submission(application.competition))), status


@bp.post("/<int:application_id>/nachforderung/<int:request_id>")
def answer_request(application_id, request_id):
    """The applicant's answer to a Nachforderung: save the text, add files, or send it."""
    if not current_user.is_authenticated:
        return _login_redirect(url_for(".show", application_id=application_id))
    application = _own_application(application_id)
    row = document_requests.open_request(application)
    if row is None or row.id != request_id:
        flash(_("Diese Nachforderung ist bereits beantwortet."), "info")
        return redirect(url_for(".show", application_id=application.id))
    form = DocumentAnswerForm(formdata=CombinedMultiDict((request.files, request.form)))
    action = request.form.get("action", "save")
    if not form.validate_on_submit():
        return _render_show(application, answer_form=form, status=422)
    if form.image_rights_confirmed.data and not application.image_rights_confirmed:
        application.image_rights_confirmed = True
    try:
        document_requests.save_answer(actor=current_user, request=row,
                                      text=form.answer_text.data)
    except document_requests.RequestError as exc:
        unit_of_work.discard()
        show_on_form(form, exc, field="answer_text")
        return _render_show(application, answer_form=form, status=422)
    # The text is kept whatever happens to the files or the sending below.
    files = [f for f in (form.files.data or []) if f and f.filename]
    if action == "upload" and not files:
        form.files.errors = [_("Bitte wählen Sie eine Datei aus.")]
    for file in files:
        try:
            with db.session.begin_nested():
                document_requests.add_file(actor=current_user, request=row, stream=file.stream,
                                           filename=file.filename,
                                           description=form.file_description.data or "",
                                           images_allowed=application.image_rights_confirmed)
        except (uploads.UploadRejected, document_requests.RequestError) as exc:
            show_on_form(form, exc, field="files", shown=("files",))
    if form.files.errors:
        return _render_show(application, answer_form=form, status=422)
    if action == "submit":
        try:
            # A savepoint: a refused sending keeps the text saved above.
            with db.session.begin_nested():
                document_requests.submit_answer(actor=current_user, request=row,
                                                text=form.answer_text.data)
        except document_requests.RequestError as exc:
            show_on_form(form, exc, field="answer_text")
            return _render_show(application, answer_form=form, status=422)
        flash(_("Ihre Antwort ist bei der Geschäftsstelle eingegangen. Vielen Dank!"), "success")
    elif files:
        flash(_("%(n)s Datei(en) hochgeladen. Bitte senden Sie Ihre Antwort ab, wenn sie "
                "vollständig ist.", n=len(files)), "success")
    else:
        flash(_("Ihre Antwort ist gespeichert, aber noch nicht abgesendet."), "success")
    return redirect(url_for(".show", application_id=application.id) + "#nachforderung")


# --- the nominee's answer to a nomination ----------------------------------------------

@bp.get("/vorschlag/<token>")
def nominee_legacy(token):
    """Links of older mails carried the token in the path: on to the page that takes it from
    the query string (and never repeats it in a link)."""
    return redirect(url_for(".nominee", token=token))


def _nominee_page(*, token, form=None, status=200):
    try:
        nomination = nominations.for_token(token or "")
    except tokens.TokenInvalid as exc:
        return _no_store(render_template("applicant/nominee_invalid.html",
                                         reason=exc.reason), 410)
    application = nomination.application
    can_confirm = nominations.answer_problem(nomination, confirm=True) is None
    can_decline = nominations.answer_problem(nomination, confirm=False) is None
    if form is None:
        answered = nomination.status.value in ("confirmed", "declined")
        form = NomineeResponseForm(data={
            "token": token,
            "response": {"confirmed": "confirm", "declined": "decline"}.get(
                nomination.status.value),
            **{name: getattr(nomination, name) for name in nominations.CONSENTS},
        } if answered else {"token": token})
    if not can_decline:
        form.response.choices = [c for c in form.response.choices if c.value != "decline"]
    # No answer is possible any more: the page says why instead of showing the form.
    closed = (None if can_confirm or can_decline
              else nominations.answer_problem(nomination, confirm=True))
    return _no_store(render_template(
        "applicant/nominee.html", nomination=nomination, application=application,
        competition=application.competition, form=form, closed=closed,
        can_answer=can_confirm or can_decline), status)


def _no_store(body, status):
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/vorschlag")
def nominee():
    # GET only shows the page: mail scanners that follow links must not answer for anyone.
    return _nominee_page(token=request.args.get("token"))


@bp.post("/vorschlag")
def nominee_answer():
    form = NomineeResponseForm()
    token = form.token.data or ""
    if not form.validate_on_submit():
        return _nominee_page(token=token, form=form, status=422)
    try:
        nominations.respond(
            token=token, confirm=form.response.data == "confirm",
            consents={name: form[name].data for name in nominations.CONSENTS})
    except tokens.TokenInvalid:
        unit_of_work.discard()
        return _nominee_page(token=token)
    except nominations.NominationError as exc:
        unit_of_work.discard()
        show_on_form(form, exc, field="response")
        return _nominee_page(token=token, form=form, status=422)
    return redirect(url_for(".nominee_done", result=form.response.data))


@bp.get("/vorschlag/fertig")
def nominee_done():
    result = request.args.get("result")
    if result not in ("confirm", "decline"):
        abort(404)
    return render_template("applicant/nominee_done.html", confirmed=result == "confirm")


@bp.get("/<int:application_id>/eingangsbestaetigung")
def receipt(application_id):
    if not current_user.is_authenticated:
        return _login_redirect(request.path)
    application = _readable_application(application_id)
    if not application.receipt_key:
        abort(404)
    return send_stored(application.receipt_key,
                       filename=f"Eingangsbestaetigung-{application.reference}.pdf",
                       mimetype="application/pdf")


@bp.route("/<int:application_id>/zurueckziehen", methods=["GET", "POST"])
def withdraw(application_id):
    if not current_user.is_authenticated:
        return _login_redirect(request.path)
    application = _own_application(application_id)
    if not permissions.can_withdraw_application(current_user, application):
        abort(403)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.withdraw(actor=current_user, application=application)
        except service.ApplicationError as exc:
            unit_of_work.discard()
            # The page has no field: the reason goes to the summary at the top.
            show_on_form(form, exc)
            status = 422
        else:
            flash(_("Ihre Bewerbung „%(title)s“ ist zurückgezogen.",
                    title=application.display_title), "success")
            return redirect(url_for(".dashboard"))
    return render_template("applicant/withdraw.html", application=application,
                           form=form), status


@bp.route("/<int:application_id>/kopieren", methods=["GET", "POST"])
def copy(application_id):
    if not current_user.is_authenticated:
        return _login_redirect(request.path)
    source = _own_application(application_id)
    if not permissions.can_copy_application(current_user, source):
        abort(403)
    targets = [c for c in service.open_competitions() if c.id != source.competition_id]
    form = CopyForm(competitions=targets)
    status = 200
    if form.validate_on_submit():
        target = next((c for c in targets if str(c.id) == form.competition_id.data), None)
        if target is None:
            form.competition_id.errors = [_("Bitte wählen Sie einen Preis aus.")]
            status = 422
        else:
            try:
                copy_row = service.copy_to(actor=current_user, source=source, competition=target)
            except service.ApplicationError as exc:
                unit_of_work.discard()
                show_on_form(form, exc, field="competition_id")
                status = 422
            else:
                flash(_("Die Bewerbung ist als neuer Entwurf für „%(title)s“ angelegt. Bitte "
                        "prüfen und ergänzen Sie sie und geben Sie die Einwilligungen neu.",
                        title=target.title), "success")
                return redirect(url_for(".step", application_id=copy_row.id, step=1))
    return render_template("applicant/copy.html", application=source, form=form,
                           targets=targets), status
