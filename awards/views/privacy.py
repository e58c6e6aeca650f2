"""Meine Daten: applicants download everything we hold about them and delete their account."""
from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, session, url_for)
from flask_login import current_user, logout_user

from awards import permissions
from awards.adapters.storage import get_storage
from awards import unit_of_work
from awards.extensions import db
from awards.forms.privacy import DeleteAccountForm
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.services import privacy, retention
from awards.views.util import require
from awards.filenames import content_disposition
from awards.i18n import gettext as _

bp = Blueprint("privacy", __name__, url_prefix="/konto/meine-daten")


def _kept_until(applications):
    """[(application, date or None)]: when retention will delete each kept application."""
    return [(a, retention.due_at(a.competition)) for a in applications]


@bp.get("/")
def overview():
    require(permissions.can_manage_own_data)
    info = privacy.summary(current_user)
    return render_template(
        "privacy/overview.html", info=info, kept=_kept_until(info["kept"]),
        can_delete=permissions.can_delete_own_account(current_user),
        retention_months=current_app.config["RETENTION_MONTHS"],
    )


@bp.post("/einwilligung/<int:application_id>")
def withdraw_consent(application_id):
    """The owner withdraws one consent to publication of a submitted application."""
    require(permissions.can_manage_own_data)  # the form token is checked app-wide (CSRFProtect)
    application = db.session.get(Application, application_id)
    if application is None or application.owner_id != current_user.id:
        abort(404)
    consent = request.form.get("consent", "")
    try:
        changed = privacy.withdraw_publication_consent(actor=current_user, application=application,
                                                       consent=consent)
    except privacy.ConsentError:
        abort(400)
    if changed:
        flash(_("Ihr Widerruf ist gespeichert. Er gilt ab sofort: Die öffentlichen Seiten zeigen "
                "diese Angaben nicht mehr."), "success")
    return redirect(url_for(".overview") + "#einwilligungen")


@bp.get("/export.zip")
def export():
    require(permissions.can_manage_own_data)
    data, files = privacy.collect(current_user)
    unit_of_work.allow_write("every export of personal data is recorded in the audit log")
    privacy.record_export(actor=current_user, user=current_user)
    stamp = utcnow().strftime("%Y%m%d")
    response = Response(privacy.stream_zip(data, files, get_storage()), mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(f"meine-daten-{stamp}.zip")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/loeschen", methods=["GET", "POST"])
def delete():
    require(permissions.can_delete_own_account)
    form = DeleteAccountForm()
    info = privacy.summary(current_user)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        result = privacy.delete_account(actor=user, user=user)
        logout_user()
        session.clear()
        if result["applications_kept"]:
            flash(_("Ihr Konto und Ihre Entwürfe sind gelöscht. Ihre eingereichten Bewerbungen "
                    "bleiben bis zum Ende der Aufbewahrungsfrist gespeichert."), "success")
        else:
            flash(_("Ihr Konto und Ihre Entwürfe sind gelöscht."), "success")
        return redirect(url_for("public.index"))
    return render_template(
        "privacy/delete.html", form=form, info=info, kept=_kept_until(info["kept"]),
        retention_months=current_app.config["RETENTION_MONTHS"],
    )
