"""Geschäftsstelle: decisions, release, mail templates, publication, certificates, minutes.

Staff of the prize may do everything here; the jury chair may record decisions and produce
the minutes. While the jury's anonymity holds (permissions.identities_hidden_from), a jury
member — the chair, or staff sitting on the jury — sees applications only through the juror
projection (services.jury_visibility); nobody sees or decides on an application they have a
conflict for. Staff reveal the names to the jury after the release.
"""
from datetime import datetime, time

from flask import (Blueprint, Response, abort, flash, redirect, render_template,
                   request, url_for)
from flask_login import current_user

from awards import permissions
from awards.adapters.storage import NotFound, get_storage
from awards.enums import AllocationMode
from awards.errors import show_on_form
from awards import unit_of_work
from awards.extensions import db
from awards.forms.decisions import (CertificateSettingsForm, ConfirmForm, DecisionForm, LogoForm,
                                    MailTemplateForm, MeetingAttendanceForm, MeetingNoteForm,
                                    MinutesForm, PublicationForm, PublishNowForm, RevealForm,
                                    RevokeForm)
from awards.i18n import _l, format_money_input
from awards.models.applications import Application
from awards.models.competitions import Competition, PrizeCategory
from awards.models.decisions import MAIL_KINDS
from awards.services import certificates, decisions, lifecycle, publication
from awards.services.jury import meeting
from awards.services.jury import visibility as jury_visibility, minutes, release
from awards.services.decisions import DecisionError, NeedsConfirmation
from awards.timeutil import from_berlin, to_berlin
from awards.views.converters import parse_id
from awards.views.util import require
from awards.filenames import content_disposition
from awards.i18n import gettext as _
from awards.models.decisions import Certificate

bp = Blueprint("decisions", __name__, url_prefix="/geschaeftsstelle/entscheidungen")

KIND_LABELS = {"congratulation": _l("Glückwunsch an die Preisträger"),
               "notice": _l("Nachricht an von der Jury bewertete, nicht ausgezeichnete "
                            "Bewerbungen"),
               "inadmissible": _l("Nachricht an formal nicht zulässige Bewerbungen"),
               "not_scored": _l("Nachricht an von der Jury nicht bewertete Bewerbungen"),
               "not_resubmitted": _l("Nachricht an zur Korrektur geöffnete, nicht erneut "
                                     "abgesendete Bewerbungen")}


def _competition(competition_id, predicate=permissions.can_release_decisions):
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        abort(404)
    require(predicate, competition)
    return competition


def _application(competition, application_id):
    application = db.session.get(Application, application_id)
    if application is None or application.competition_id != competition.id:
        abort(404)
    return application


def _decidable(competition, application_id):
    """The application and how the current user may see it; 404 (as for an application that
    does not exist) with a conflict, or under anonymity for one that was in no jury round."""
    application = _application(competition, application_id)
    if not permissions.can_decide_on(current_user, application):
        abort(404)
    item = jury_visibility.decision_item(viewer=current_user, application=application)
    if item is None:
        abort(404)
    return application, item


@bp.get("/<int:competition_id>")
def index(competition_id):
    competition = _competition(competition_id, permissions.can_record_decisions)
    return _render_index(competition, RevealForm(formdata=None))


def _render_index(competition, reveal_form, status=200):
    is_staff = permissions.can_release_decisions(current_user, competition)
    current = {d.application_id: d for d in decisions.decisions_for(competition)}
    summary = decisions.budget_summary(competition, list(current.values()))
    now = publication.clock()
    rows, conflicted = jury_visibility.decision_rows(
        viewer=current_user, competition=competition,
        applications=decisions.eligible_applications(competition), decisions_by_app=current)
    return render_template(
        "decisions/index.html", competition=competition, rows=rows, conflicted=conflicted,
        current=current, summary=summary, is_staff=is_staff,
        anonymous=permissions.identities_hidden_from(current_user, competition),
        show_applicant=jury_visibility.shows_applicant(current_user, competition),
        anonymity_holds=permissions.jury_anonymity_holds(competition),
        reveal=jury_visibility.reveal_of(competition), reveal_form=reveal_form,
        release=decisions.release_of(competition),
        state=publication.publication_state(competition, now),
        journeys=decisions.journeys(competition),
        journey_labels=decisions.JOURNEY_LABELS,
        can_revoke=is_staff and lifecycle.allows("revoke", competition, now),
        can_record=lifecycle.allows("record_decision", competition, now),
        can_release=lifecycle.allows("release", competition, now),
        year_state=lifecycle.state_of(competition, now),
        certificate_codes={c.application_id: c for c in _certificates(competition)} if is_staff else {},
    ), status


def _certificates(competition):
    from sqlalchemy import select

    return db.session.scalars(select(Certificate).where(Certificate.competition_id == competition.id)).all()


@bp.route("/<int:competition_id>/bewerbung/<int:application_id>", methods=["GET", "POST"])
def decide(competition_id, application_id):
    competition = _competition(competition_id, permissions.can_record_decisions)
    application, item = _decidable(competition, application_id)
    existing = decisions.decision_for(application)
    form = DecisionForm(competition=competition)
    if request.method == "GET" and existing is not None:
        form.category.data = existing.category_id
        form.amount.data = format_money_input(existing.amount_cents)
        form.rationale.data = existing.rationale
        form.version.data = str(existing.version)
    needs_confirmation = None
    if form.validate_on_submit():
        category = db.session.get(PrizeCategory, form.category.data)
        version = parse_id(form.version.data)
        try:
            decisions.record_decision(
                actor=current_user, application=application, category=category,
                rationale=form.rationale.data, amount_cents=form.amount_cents,
                expected_version=version, confirm_over_budget=form.confirm_over_budget.data,
                over_budget_reason=form.over_budget_reason.data,
                exception_reason=form.exception_reason.data,
            )
        except NeedsConfirmation as exc:
            unit_of_work.discard()
            needs_confirmation = exc
            show_on_form(form, exc)
        except DecisionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Entscheidung ist gespeichert."), "success")
            if request.args.get("von") == "sitzung":  # recorded from the meeting page
                return redirect(url_for("decisions.meeting_view", competition_id=competition.id)
                                + f"#bewerbung-{application.id}")
            return redirect(url_for("decisions.index", competition_id=competition.id))
    return render_template(
        "decisions/decide.html", competition=competition, application_id=application.id, item=item,
        form=form,
        existing=existing, needs_confirmation=needs_confirmation,
        summary=decisions.budget_summary(competition),
        is_staff=permissions.can_release_decisions(current_user, competition),
        free_amounts=competition.allocation_mode == AllocationMode.FREE,
        locked=decisions.is_released(competition),
        journey=decisions.journey_of(application), complete=decisions.COMPLETE,
        journey_labels=decisions.JOURNEY_LABELS,
        allowed=lifecycle.allows("record_decision", competition),
        state=lifecycle.state_of(competition),
    ), 200 if request.method == "GET" or not form.errors and not form.form_errors else 422


@bp.post("/<int:competition_id>/bewerbung/<int:application_id>/entfernen")
def remove(competition_id, application_id):
    competition = _competition(competition_id, permissions.can_record_decisions)
    application, _item = _decidable(competition, application_id)
    existing = decisions.decision_for(application)
    if existing is None:
        abort(404)
    raw = request.form.get("version", "")
    try:
        decisions.remove_decision(actor=current_user, decision=existing,
                                  expected_version=parse_id(raw))
    except DecisionError as exc:
        unit_of_work.discard()
        flash(exc.message, "error")
    else:
        flash(_("Die Auszeichnung ist zurückgenommen."), "success")
    return redirect(url_for("decisions.index", competition_id=competition.id))


@bp.post("/<int:competition_id>/namen-aufdecken")
def reveal_names(competition_id):
    """Namen für die Jury aufdecken: after the release, final, audited."""
    competition = _competition(competition_id, permissions.can_reveal_names)
    form = RevealForm()
    if not form.validate_on_submit():
        return _render_index(competition, form, 422)
    try:
        jury_visibility.reveal_names(actor=current_user, competition=competition)
    except DecisionError as exc:
        unit_of_work.discard()
        show_on_form(form, exc)
        return _render_index(competition, form, 422)
    flash(_("Die Namen sind für die Jury aufgedeckt."), "success")
    return redirect(url_for("decisions.index", competition_id=competition.id))


@bp.route("/<int:competition_id>/freigabe", methods=["GET", "POST"])
def release_view(competition_id):
    competition = _competition(competition_id)
    form = ConfirmForm()
    winners, others = release.preview_recipients(competition)
    if form.validate_on_submit():
        try:
            rel = release.release_decisions(actor=current_user, competition=competition)
        except DecisionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Entscheidungen sind freigegeben. %(w)s Glückwünsche und %(o)s Nachrichten "
                    "an die weiteren Bewerbungen liegen im Postausgang.",
                    w=rel.winners_notified, o=rel.others_notified), "success")
            return redirect(url_for("decisions.index", competition_id=competition.id))
    return render_template("decisions/release.html", competition=competition, form=form,
                           winners=winners, others=others,
                           by_kind=release.preview_by_kind(competition), kind_labels=KIND_LABELS,
                           allowed=lifecycle.allows("release", competition),
                           state=lifecycle.state_of(competition),
                           release=decisions.release_of(competition))


@bp.route("/<int:competition_id>/vorlagen/<kind>", methods=["GET", "POST"])
def mail_template(competition_id, kind):
    competition = _competition(competition_id)
    if kind not in MAIL_KINDS:
        abort(404)
    subject, body, is_default = release.template_for(competition, kind)
    form = MailTemplateForm(data={"subject": subject, "body": body})
    if request.method == "POST" and request.form.get("action") == "reset":
        release.reset_template(actor=current_user, competition=competition, kind=kind)
        flash(_("Die Vorlage ist auf den Standardtext zurückgesetzt."), "success")
        return redirect(url_for("decisions.mail_template", competition_id=competition.id, kind=kind))
    if form.validate_on_submit():
        try:
            release.save_template(actor=current_user, competition=competition, kind=kind,
                                  subject=form.subject.data, body=form.body.data)
        except DecisionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Vorlage ist gespeichert."), "success")
            return redirect(url_for("decisions.mail_template", competition_id=competition.id, kind=kind))
    sample = None
    if not form.errors and not form.form_errors:
        values = {k: f"[{v}]" for k, v in release.PLACEHOLDERS.items()}
        sample = (release.fill(form.subject.data or "", values), release.fill(form.body.data or "", values))
    return render_template("decisions/mail_template.html", competition=competition, form=form,
                           kind=kind, kind_label=KIND_LABELS[kind], is_default=is_default,
                           placeholders=release.PLACEHOLDERS, sample=sample)


@bp.route("/<int:competition_id>/veroeffentlichung", methods=["GET", "POST"])
def publication_view(competition_id):
    competition = _competition(competition_id)
    local = to_berlin(competition.publish_at)
    form = PublicationForm(data={"publish_date": local.date() if local else None,
                                 "publish_time": local.time().replace(second=0) if local else None})
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "publish_now":
                # Far-reaching: the confirmation page says what becomes public, then does it.
                return redirect(url_for("decisions.publish_now", competition_id=competition.id))
            elif action == "withdraw":
                publication.withdraw_publication(actor=current_user, competition=competition)
                message = _("Die Veröffentlichung ist zurückgenommen.")
            elif action == "schedule" and form.validate_on_submit():
                when = None
                if form.publish_date.data:
                    when = from_berlin(datetime.combine(form.publish_date.data,
                                                        form.publish_time.data or time(0, 0)))
                publication.schedule_publication(actor=current_user, competition=competition,
                                                 publish_at=when)
                message = (_("Die Veröffentlichung ist geplant.") if when
                           else _("Der geplante Zeitpunkt ist entfernt."))
            else:
                message = None
        except DecisionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
            message = None
        if message:
            flash(message, "success")
            return redirect(url_for("decisions.publication_view", competition_id=competition.id))
    now = publication.clock()
    return render_template("decisions/publication.html", competition=competition, form=form,
                           state=publication.publication_state(competition, now),
                           can_publish=lifecycle.allows("publish", competition, now),
                           can_withdraw=lifecycle.allows("withdraw_publication", competition, now),
                           can_schedule=lifecycle.allows("schedule_publication", competition, now),
                           release=decisions.release_of(competition))


@bp.route("/<int:competition_id>/veroeffentlichung/jetzt", methods=["GET", "POST"])
def publish_now(competition_id):
    """Confirmation page: what becomes public (and what not); POST from here publishes."""
    competition = _competition(competition_id)
    form = PublishNowForm()
    now = publication.clock()
    if form.validate_on_submit():
        try:
            publication.publish_now(actor=current_user, competition=competition, now=now)
        except DecisionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Preisträgerinnen und Preisträger sind jetzt öffentlich."), "success")
            return redirect(url_for("decisions.publication_view", competition_id=competition.id))
    winners = [d for d in decisions.active(decisions.decisions_for(competition))]
    return render_template("decisions/publish_now.html", competition=competition, form=form,
                           winners=winners, allowed=lifecycle.allows("publish", competition, now),
                           state=lifecycle.state_of(competition, now),
                           release=decisions.release_of(competition)), \
        422 if request.method == "POST" else 200


@bp.route("/<int:competition_id>/bewerbung/<int:application_id>/aberkennen",
          methods=["GET", "POST"])
def revoke(competition_id, application_id):
    """Confirmation page for revoking an award after the release (staff, with a reason)."""
    competition = _competition(competition_id)
    application = _application(competition, application_id)
    decision = decisions.decision_for(application)
    if decision is None:
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            decisions.revoke(actor=current_user, decision=decision, reason=form.reason.data,
                             now=publication.clock())
        except DecisionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Auszeichnung ist aberkannt."), "success")
            return redirect(url_for("decisions.index", competition_id=competition.id))
    return render_template("decisions/revoke.html", competition=competition,
                           application=application, decision=decision, form=form,
                           allowed=lifecycle.allows("revoke", competition, publication.clock()),
                           public=publication.is_public(competition, publication.clock())), \
        422 if request.method == "POST" else 200


@bp.route("/<int:competition_id>/urkunden", methods=["GET", "POST"])
def certificate_settings(competition_id):
    competition = _competition(competition_id)
    settings = certificates.settings_for(competition)
    sigs = list(competition.signatories or []) + [{}, {}, {}]
    data = {"show_amount": settings.show_amount, "place": settings.place,
            "issue_date": settings.issue_date, "tribute": settings.tribute}
    for i in (1, 2, 3):
        data[f"sig{i}_name"] = sigs[i - 1].get("name", "")
        data[f"sig{i}_title"] = sigs[i - 1].get("title", "")
    form = CertificateSettingsForm(data=data)
    logo_form = LogoForm(prefix="logo")
    if form.validate_on_submit():
        try:
            certificates.save_settings(
                actor=current_user, competition=competition, show_amount=form.show_amount.data,
                place=form.place.data, issue_date=form.issue_date.data, tribute=form.tribute.data,
                signatories=form.signatories())
        except DecisionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Einstellungen der Urkunde sind gespeichert. Betroffene Urkunden werden "
                    "beim nächsten Abruf neu erstellt."), "success")
            return redirect(url_for("decisions.certificate_settings", competition_id=competition.id))
    return render_template("decisions/certificates.html", competition=competition, form=form,
                           logo_form=logo_form, released=decisions.is_released(competition),
                           awarded=decisions.decisions_for(competition))


@bp.post("/<int:competition_id>/urkunden/logo")
def upload_logo(competition_id):
    competition = _competition(competition_id)
    logo_form = LogoForm(prefix="logo")
    if request.form.get("action") == "remove":
        certificates.remove_logo(actor=current_user, competition=competition)
        flash(_("Das eigene Logo ist entfernt; die Urkunde zeigt wieder das neutrale Logo."), "success")
        return redirect(url_for("decisions.certificate_settings", competition_id=competition.id))
    upload = logo_form.logo.data
    data = upload.read(certificates.MAX_LOGO_BYTES + 1) if upload else b""
    try:
        certificates.save_logo(actor=current_user, competition=competition, data=data,
                               storage=get_storage())
    except DecisionError as exc:
        unit_of_work.discard()
        show_on_form(logo_form, exc, field="logo")
        settings_form = CertificateSettingsForm(formdata=None, data={})
        return render_template("decisions/certificates.html", competition=competition,
                               form=settings_form, logo_form=logo_form,
                               released=decisions.is_released(competition),
                               awarded=decisions.decisions_for(competition)), 422
    flash(_("Das Logo ist gespeichert."), "success")
    return redirect(url_for("decisions.certificate_settings", competition_id=competition.id))


@bp.get("/<int:competition_id>/urkunden/logo")
def logo(competition_id):
    competition = _competition(competition_id)
    if not competition.logo_key:
        return redirect(url_for("static", filename="img/logo.svg"))
    try:
        data = get_storage().read(competition.logo_key)
    except NotFound:
        abort(404)
    mimetype = "image/svg+xml" if competition.logo_key.endswith(".svg") else "image/png"
    response = Response(data, mimetype=mimetype)
    # An SVG opened directly must not run anything, even if a check were bypassed.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/<int:competition_id>/urkunden/vorschau.pdf")
def preview(competition_id):
    competition = _competition(competition_id)
    pdf = certificates.preview_pdf(competition=competition, storage=get_storage())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        f"Urkunde-Vorschau-{competition.prize_code}-{competition.year}.pdf", inline=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:competition_id>/urkunden/alle.zip")
def certificates_zip(competition_id):
    competition = _competition(competition_id)
    if not decisions.is_released(competition):
        flash(_("Urkunden gibt es erst nach der Freigabe der Entscheidungen."), "error")
        return redirect(url_for("decisions.certificate_settings", competition_id=competition.id))
    storage = get_storage()
    unit_of_work.allow_write("certificates are rendered and stored on their first download")
    entries = certificates.ensure_all(actor=current_user, competition=competition, storage=storage)
    files = [(certificates.download_name(app, competition), cert.storage_key) for cert, app in entries]
    name = f"Urkunden-{competition.prize_code}-{competition.year}.zip"
    response = Response(certificates.zip_stream(files, storage=storage), mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:competition_id>/niederschrift", methods=["GET", "POST"])
def minutes_view(competition_id):
    # The chair leads the session and signs the minutes; under anonymity they name
    # applications by code and redacted title (services.minutes).
    competition = _competition(competition_id, permissions.can_record_decisions)
    jury = minutes.jurors_of(competition)
    form = MinutesForm()
    form.present.choices = [(u.id, u.display_name + (_(" (Vorsitz)") if chair else "")) for u, chair in jury]
    if request.method == "GET":
        # Attendance as recorded in the meeting, else everyone.
        form.present.data = sorted(meeting.present_ids(competition, jury))
        form.recorder.data = current_user.display_name
    if form.validate_on_submit():
        data = minutes.minutes_data(
            competition=competition, session_date=form.session_date.data, place=form.place.data,
            present_ids=form.present.data or [], guests=form.guests.data,
            recorder=form.recorder.data, notes=form.notes.data)
        pdf = minutes.render_minutes_pdf(data, storage=get_storage())
        response = Response(pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = content_disposition(
            f"Niederschrift-{competition.prize_code}-{competition.year}.pdf")
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return render_template("decisions/minutes.html", competition=competition, form=form,
                           has_jury=bool(jury),
                           is_staff=permissions.can_release_decisions(current_user, competition)), (
        200 if request.method == "GET" else 422)


# --------------------------------------------------------------------------- the meeting

def _meeting_round(competition):
    """The closed round asked for (?runde=), else the latest closed one."""
    closed = meeting.closed_rounds(competition)
    wanted = parse_id(request.args.get("runde", ""))
    chosen = next((r for r in closed if r.id == wanted), None) if wanted else None
    if wanted and chosen is None:
        abort(404)
    return closed, chosen or (closed[0] if closed else None)


def _render_meeting(competition, *, attendance_form=None, note_forms=None, status=200):
    jury = minutes.jurors_of(competition)
    closed, round_ = _meeting_round(competition)
    rows, conflicted = meeting.meeting_rows(viewer=current_user, competition=competition,
                                            round_=round_)
    if attendance_form is None:
        attendance_form = MeetingAttendanceForm(formdata=None)
        attendance_form.present.data = sorted(meeting.present_ids(competition, jury))
    attendance_form.present.choices = [
        (u.id, u.display_name + (_(" (Vorsitz)") if chair else "")) for u, chair in jury]
    note_forms = dict(note_forms or {})
    for row in rows:
        if row.item.application_id not in note_forms:
            form = MeetingNoteForm(formdata=None, prefix=f"n{row.item.application_id}")
            form.text.data = row.note
            note_forms[row.item.application_id] = form
        note_forms[row.item.application_id].text.label.text = _("Notiz zu %(code)s", code=row.item.label)
    hidden = permissions.identities_hidden_from(current_user, competition)
    return render_template(
        "decisions/meeting.html", competition=competition, jury=jury, rounds=closed,
        round=round_, rows=rows, conflicted=conflicted, attendance_form=attendance_form,
        note_forms=note_forms, anonymous=hidden,
        show_applicant=jury_visibility.shows_applicant(current_user, competition, hidden=hidden),
        attendance_recorded=meeting.attendance_of(competition) is not None,
        can_record=lifecycle.allows("record_decision", competition),
        is_staff=permissions.can_release_decisions(current_user, competition),
        release=decisions.release_of(competition)), status


@bp.get("/<int:competition_id>/sitzung")
def meeting_view(competition_id):
    """Jury meeting mode: frozen ranking by codes, disagreement, notes, attendance."""
    competition = _competition(competition_id, permissions.can_record_decisions)
    return _render_meeting(competition)


@bp.post("/<int:competition_id>/sitzung/anwesenheit")
def meeting_attendance(competition_id):
    competition = _competition(competition_id, permissions.can_record_decisions)
    jury = minutes.jurors_of(competition)
    form = MeetingAttendanceForm()
    form.present.choices = [(u.id, u.display_name) for u, _chair in jury]
    if form.validate_on_submit():
        try:
            meeting.record_attendance(actor=current_user, competition=competition, jury=jury,
                                      present=form.present.data or [])
        except DecisionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Anwesenheit ist gespeichert."), "success")
            return redirect(url_for("decisions.meeting_view", competition_id=competition.id,
                                    runde=request.args.get("runde") or None))
    return _render_meeting(competition, attendance_form=form, status=422)


@bp.post("/<int:competition_id>/sitzung/notiz/<int:application_id>")
def meeting_note(competition_id, application_id):
    competition = _competition(competition_id, permissions.can_record_decisions)
    application, _item = _decidable(competition, application_id)
    form = MeetingNoteForm(prefix=f"n{application.id}")
    if form.validate_on_submit():
        try:
            meeting.save_note(actor=current_user, competition=competition,
                              application=application, text=form.text.data)
        except DecisionError as exc:
            unit_of_work.discard()
            show_on_form(form, exc)
        else:
            flash(_("Die Notiz ist gespeichert."), "success")
            target = url_for("decisions.meeting_view", competition_id=competition.id,
                             runde=request.args.get("runde") or None)
            return redirect(f"{target}#bewerbung-{application.id}")
    return _render_meeting(competition, note_forms={application.id: form}, status=422)


@bp.app_template_global("decisions_link_allowed")
def decisions_link_allowed(competition):
    """For other templates (e.g. the staff start page) to show a link to this area."""
    return permissions.can_record_decisions(current_user, competition)
