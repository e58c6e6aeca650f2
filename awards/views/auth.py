"""Login and logout, registration, e-mail verification, password reset, Zugangslink,
invitations."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from awards.enums import TokenPurpose
from awards.extensions import db, limiter
from awards.forms.auth import (InvitationForm, LoginForm, MagicLinkForm, NewPasswordForm,
                               RegisterForm, RequestResetForm)
from awards.services import accounts, tokens
from awards.views.util import safe_next

bp = Blueprint("auth", __name__, url_prefix="/konto")

TOKEN_MESSAGES = {
    "invalid": _l("Dieser Link ist ungültig. Bitte fordern Sie einen neuen an."),
    "expired": _l("Dieser Link ist abgelaufen. Bitte fordern Sie einen neuen an."),
    "used": _l("Dieser Link wurde bereits verwendet. Bitte fordern Sie bei Bedarf einen neuen an."),
}


def _start_session(user, remember=False):
    # A fresh session on every login: nothing an attacker planted survives (fixation).
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user, remember=remember)
    accounts.record_login(user=user)


def _landing_for(user):
    from awards import permissions

    if permissions.is_staff(user):
        return url_for("staff.index")
    if permissions.is_juror(user) and "jury.dashboard" in _endpoints():
        return url_for("jury.dashboard")
    if "applicant.dashboard" in _endpoints():
        return url_for("applicant.dashboard")
    return url_for("public.index")


def _endpoints():
    from flask import current_app

    return current_app.view_functions


@bp.route("/anmelden", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next"))
    magic_form = MagicLinkForm(next=request.args.get("next"), prefix="magic")
    if form.validate_on_submit():
        user = accounts.find_user(form.email.data)
        if user is not None and user.active and accounts.check_password(user, form.password.data):
            _start_session(user)
            db.session.commit()
            return redirect(safe_next(form.next.data) or _landing_for(user))
        form.form_errors.append(_("E-Mail-Adresse oder Passwort ist falsch."))
    return render_template("auth/login.html", form=form, magic_form=magic_form)


@bp.post("/abmelden")
def logout():
    if current_user.is_authenticated:
        accounts.end_all_sessions(user=current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Sie haben sich abgemeldet."), "success")
    return redirect(url_for("public.index"))


@bp.route("/registrieren", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        if accounts.find_user(form.email.data) is not None:
            form.email.errors.append(_("Für diese E-Mail-Adresse gibt es schon ein Konto. "
                                       "Bitte melden Sie sich an oder setzen Sie Ihr Passwort zurück."))
        else:
            try:
                user = accounts.register(email=form.email.data, name=form.name.data,
                                         password=form.password.data)
                _start_session(user)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.email.errors.append(_("Für diese E-Mail-Adresse gibt es schon ein Konto."))
            else:
                flash(_("Ihr Konto ist angelegt. Wir haben Ihnen eine E-Mail geschickt, um Ihre "
                        "Adresse zu bestätigen."), "success")
                return redirect(_landing_for(user))
    return render_template("auth/register.html", form=form)


@bp.get("/bestaetigen/<token>")
def verify(token):
    try:
        accounts.verify_email(token=token)
    except tokens.TokenInvalid as exc:
        db.session.rollback()
        flash(str(TOKEN_MESSAGES[exc.reason]), "error")
        return redirect(url_for("public.index"))
    db.session.commit()
    flash(_("Ihre E-Mail-Adresse ist bestätigt."), "success")
    return redirect(url_for("public.index"))


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        accounts.request_password_reset(email=form.email.data)
        db.session.commit()
        return render_template("auth/link_sent.html", email=form.email.data, kind="reset")
    return render_template("auth/request_reset.html", form=form)


@bp.route("/passwort-neu/<token>", methods=["GET", "POST"])
def reset(token):
    try:
        tokens.peek(purpose=TokenPurpose.RESET_PASSWORD, token=token)
    except tokens.TokenInvalid as exc:
        flash(str(TOKEN_MESSAGES[exc.reason]), "error")
        return redirect(url_for("auth.request_reset"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token=token, password=form.password.data)
        except tokens.TokenInvalid as exc:
            db.session.rollback()
            flash(str(TOKEN_MESSAGES[exc.reason]), "error")
            return redirect(url_for("auth.request_reset"))
        db.session.commit()
        logout_user()
        flash(_("Ihr Passwort ist geändert. Bitte melden Sie sich mit dem neuen Passwort an."),
              "success")
        return redirect(url_for("auth.login", next=None) if user else url_for("public.index"))
    return render_template("auth/reset.html", form=form)


@bp.post("/zugangslink")
@limiter.limit("5 per minute; 20 per hour")
def request_magic_link():
    form = MagicLinkForm(prefix="magic")
    if form.validate_on_submit():
        accounts.request_magic_link(email=form.email.data, next_url=safe_next(form.next.data))
        db.session.commit()
        return render_template("auth/link_sent.html", email=form.email.data, kind="magic")
    return render_template("auth/login.html", form=LoginForm(), magic_form=form), 400


@bp.get("/zugang/<token>")
def magic_link(token):
    # GET only shows a button: mail scanners that follow links must not use the link up.
    try:
        tokens.peek(purpose=TokenPurpose.MAGIC_LINK, token=token)
    except tokens.TokenInvalid as exc:
        flash(str(TOKEN_MESSAGES[exc.reason]), "error")
        return redirect(url_for("auth.login"))
    return render_template("auth/magic_confirm.html", token=token)


@bp.post("/zugang/<token>")
def use_magic_link(token):
    try:
        user, next_url = accounts.use_magic_link(token=token)
    except tokens.TokenInvalid as exc:
        db.session.rollback()
        flash(str(TOKEN_MESSAGES[exc.reason]), "error")
        return redirect(url_for("auth.login"))
    _start_session(user)
    db.session.commit()
    return redirect(safe_next(next_url) or _landing_for(user))


@bp.route("/einladung/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        row = tokens.peek(purpose=TokenPurpose.INVITATION, token=token)
    except tokens.TokenInvalid as exc:
        flash(str(TOKEN_MESSAGES[exc.reason]), "error")
        return redirect(url_for("public.index"))
    form = InvitationForm(name=row.user.name if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token=token, password=form.password.data,
                                              name=form.name.data)
        except tokens.TokenInvalid as exc:
            db.session.rollback()
            flash(str(TOKEN_MESSAGES[exc.reason]), "error")
            return redirect(url_for("public.index"))
        _start_session(user)
        db.session.commit()
        flash(_("Willkommen! Ihr Zugang ist eingerichtet."), "success")
        return redirect(_landing_for(user))
    return render_template("auth/invitation.html", form=form, email=row.email)
