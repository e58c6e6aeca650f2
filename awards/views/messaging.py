"""Geschäftsstelle: write to a group of people, automatic mails, Infobrief counts.

The composer works without JavaScript: one page, four steps posted to itself — write,
preview (page through the recipients), confirm (the count), send. The message travels
from step to step in the form; nothing is stored until it is sent.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from awards import permissions, unit_of_work
from awards.errors import show_on_form
from awards.extensions import db
from awards.forms.messaging import AutoMailForm, ComposeForm, SendForm
from awards.i18n import gettext as _
from awards.i18n import format_number
from awards.models.competitions import Competition
from awards.services import automail, infobrief, messaging
from awards.views.util import require

bp = Blueprint("messaging", __name__, url_prefix="/geschaeftsstelle")

AUTO_FIELDS = ("mail_round_opened", "mail_round_closing", "mail_round_closing_days",
               "mail_draft_reminder", "mail_draft_reminder_days", "mail_ceremony_invitation")


def _load(competition_id):
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        require(permissions.is_staff)
        abort(404)
    require(permissions.can_manage_competition, competition)
    return competition


def _page_number(raw, total):
    try:
        number = int(raw or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), max(total, 1))


def _problem(form, group, competition):
    """Check the message; put the error next to its field. True if it may go on."""
    if group is None:
        form.group.errors = [_("Bitte wählen Sie eine der angebotenen Gruppen.")]
        return False
    try:
        messaging.check(competition=competition, group=group, subject=form.subject.data,
                        body=form.body.data)
    except messaging.ComposeError as exc:
        show_on_form(form, exc, field="body")
        return False
    return True


@bp.route("/wettbewerbe/<int:competition_id>/nachricht", methods=["GET", "POST"])
def compose(competition_id):
    competition = _load(competition_id)
    actor = current_user._get_current_object()
    groups = messaging.groups(competition, actor=actor)
    by_key = {g.key: g for g in groups}
    choices = [(g.key, g.label) for g in groups]
    step = request.form.get("step", "write") if request.method == "POST" else "write"
    form_class = SendForm if step == "send" else ComposeForm
    form = form_class(group_choices=choices)
    if request.method == "GET":
        wanted = request.args.get("gruppe")
        if wanted in by_key:
            form.group.data = wanted
        return render_template("messaging/compose.html", competition=competition, form=form,
                               placeholders=messaging.PLACEHOLDERS)
    if not form.validate_on_submit() and step != "send":
        return render_template("messaging/compose.html", competition=competition, form=form,
                               placeholders=messaging.PLACEHOLDERS), 422
    group = by_key.get(form.group.data)
    context = dict(competition=competition, form=form, group=group,
                   placeholders=messaging.PLACEHOLDERS)
    if step == "write" or not _problem(form, group, competition):
        # "Bearbeiten": back to the form with what was typed; or the message was refused.
        status = 200 if step == "write" else 422
        return render_template("messaging/compose.html", **context), status
    people = messaging.recipients(competition, group)
    if step == "preview":
        number = _page_number(request.form.get("n"), len(people))
        shown = None
        if people:
            subject, text = messaging.render(group, people[number - 1], subject=form.subject.data,
                                             body=form.body.data)
            shown = {"to": people[number - 1].to, "subject": subject, "text": text}
        return render_template("messaging/preview.html", **context, total=len(people),
                               number=number, shown=shown)
    if step == "confirm":
        send_form = SendForm(group_choices=choices, formdata=None, group=form.group.data,
                             subject=form.subject.data, body=form.body.data, count=len(people))
        return render_template("messaging/confirm.html", **context, send_form=send_form,
                               total=len(people))
    if step == "send":
        if not form.validate_on_submit() or str(len(people)) != (form.count.data or ""):
            if not form.confirm.errors and str(len(people)) != (form.count.data or ""):
                form.confirm.errors = [_("Die Zahl der Empfängerinnen und Empfänger hat sich "
                                         "geändert: jetzt %(n)s. Bitte bestätigen Sie erneut.",
                                         n=format_number(len(people)))]
            form.count.data = str(len(people))
            form.confirm.data = False
            return render_template("messaging/confirm.html", **context, send_form=form,
                                   total=len(people)), 422
        try:
            count = messaging.send(actor=actor, competition=competition, group=group,
                                   subject=form.subject.data, body=form.body.data)
        except messaging.ComposeError as exc:
            unit_of_work.discard()
            # The confirmation page shows only the tick; the message goes beside it.
            show_on_form(form, exc, field="confirm", shown=("confirm",))
            return render_template("messaging/confirm.html", **context, send_form=form,
                                   total=len(people)), 422
        flash(_("Die Nachricht ist an %(n)s Empfängerinnen und Empfänger unterwegs.", n=format_number(count)),
              "success")
        return redirect(url_for("staff.competition", competition_id=competition.id))
    abort(400)


@bp.route("/wettbewerbe/<int:competition_id>/automatische-mails", methods=["GET", "POST"])
def auto_mails(competition_id):
    competition = _load(competition_id)
    form = AutoMailForm()
    if request.method == "GET":
        for name in AUTO_FIELDS:
            getattr(form, name).data = getattr(competition, name)
    elif form.validate_on_submit():
        automail.update_settings(actor=current_user, competition=competition,
                                 values={name: getattr(form, name).data for name in AUTO_FIELDS})
        flash(_("Die Einstellungen der automatischen E-Mails sind gespeichert."), "success")
        return redirect(url_for("messaging.auto_mails", competition_id=competition.id))
    return render_template("messaging/auto_mails.html", competition=competition, form=form), \
        (422 if request.method == "POST" else 200)


@bp.get("/infobrief")
def infobrief_counts():
    require(permissions.is_staff)
    codes = permissions.staff_prize_codes(current_user)
    numbers = infobrief.counts()
    if codes is not None:
        # District staff see their own prize (and its region) only.
        numbers["prizes"] = [row for row in numbers["prizes"] if row[0] in codes]
        numbers["regions"] = [row for row in numbers["regions"] if row[0] in codes]
    return render_template("messaging/infobrief_counts.html", numbers=numbers,
                           everything=codes is None)
