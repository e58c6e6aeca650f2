"""Login and logout, registration, e-mail verification, password reset, Zugangslink,
invitations."""
from flask import (Blueprint, abort, flash, make_response, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from awards.enums import TokenPurpose
from awards.errors import show_on_form
from awards.extensions import db, limiter
from awards.forms.auth import (ChangePasswordForm, InvitationForm, LinkForm, LoginForm,
                               MagicLinkForm, RegisterForm, RequestResetForm, ResetPasswordForm)
from awards.services import accounts, tokens
from awards.views.util import safe_next
from awards import permissions, unit_of_work
from awards.i18n import gettext as _
from awards.i18n import lazy_gettext as _l

bp = Blueprint("auth", __name__, url_prefix="/konto")

TOKEN_MESSAGES = {
    "invalid": _l("Dieser Link ist ungültig. Bitte fordern Sie einen neuen an."),
    "expired": _l("Dieser Link ist abgelaufen. Bitte fordern Sie einen neuen an."),
    "used": _l("Dieser Link wurde bereits verwendet. Bitte fordern Sie bei Bedarf einen neuen an."),
    "replaced": _l("Dieser Link gilt nicht mehr, weil ein neuerer angefordert wurde. Bitte "
                   "verwenden Sie den Link aus der neuesten E-Mail."),
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
        user, reason = accounts.authenticate(email=form.email.data, password=form.password.data)
        if user is not None:
            _start_session(user)
            return redirect(safe_next(form.next.data) or _landing_for(user))
        if reason == "unconfirmed":
            form.form_errors.append(_(
                "Ihre E-Mail-Adresse ist noch nicht bestätigt. Bitte öffnen Sie den Link in "
                "der E-Mail, die wir Ihnen nach der Registrierung geschickt haben. Ist er "
                "abgelaufen, legen Sie über „Passwort vergessen?“ ein neues Passwort fest "
                "oder melden Sie sich mit einem Zugangslink an."))
        else:
            form.form_errors.append(_("E-Mail-Adresse oder Passwort ist falsch."))
    return render_template("auth/login.html", form=form, magic_form=magic_form)


@bp.post("/abmelden")
def logout():
    if current_user.is_authenticated:
        accounts.end_all_sessions(user=current_user)
    logout_user()
    session.clear()
    flash(_("Sie haben sich abgemeldet."), "success")
    return redirect(url_for("public.index"))


@bp.route("/registrieren", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        # The same answer for a new and a known address (the mail tells which it was);
        # nobody is logged in: the password works once the link in the mail was opened.
        try:
            accounts.register(email=form.email.data, name=form.name.data,
                              password=form.password.data)
            db.session.flush()
        except IntegrityError:  # registered at the same moment by another request
            unit_of_work.discard()
        return render_template("auth/link_sent.html", email=form.email.data, kind="register")
    return render_template("auth/register.html", form=form)


# --- one-time links -----------------------------------------------------------------------
# The mails link to `<page>?token=...`: the GET only shows a page whose button (or form)
# POSTs the token in the request body to the same address without it, so the state-changing
# step is a POST, mail scanners that follow links use nothing up, and the token is never
# part of a path. It is in the query string of the first GET because a link in a mail has
# to carry it somehow and, without JavaScript, a fragment (#...) never reaches the server;
# unlike a path, the query string can be left out of access logs (see DEPLOYMENT.md), and
# the pages send no Referer. Links sent before this change carried the token in the path;
# those paths still show the same page (GET only), so links already in inboxes keep working.

def _link_token():
    return request.form.get("token") if request.method == "POST" else request.args.get("token")


def _link_page(template, **context):
    response = make_response(render_template(template, **context))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _link_failed(exc, target):
    unit_of_work.discard()
    flash(str(TOKEN_MESSAGES[exc.reason]), "error")
    return redirect(target)


@bp.get("/bestaetigen/<token>")
@bp.get("/bestaetigen")
def verify(token=None):
    token = token or _link_token()
    try:
        tokens.peek(purpose=TokenPurpose.VERIFY_EMAIL, token=token)
    except tokens.TokenInvalid as exc:
        return _link_failed(exc, url_for("public.index"))
    return _link_page("auth/verify_confirm.html", form=LinkForm(token=token))


@bp.post("/bestaetigen")
@limiter.limit("20 per minute")
def verify_post():
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accounts.verify_email(token=form.token.data)
    except tokens.TokenInvalid as exc:
        return _link_failed(exc, url_for("public.index"))
    flash(_("Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt mit Ihrem Passwort "
            "anmelden."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        accounts.request_password_reset(email=form.email.data)
        return render_template("auth/link_sent.html", email=form.email.data, kind="reset")
    return render_template("auth/request_reset.html", form=form)


@bp.get("/passwort-neu/<token>")
@bp.route("/passwort-neu", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def reset(token=None):
    token = token or _link_token()
    try:
        tokens.peek(purpose=TokenPurpose.RESET_PASSWORD, token=token)
    except tokens.TokenInvalid as exc:
        return _link_failed(exc, url_for("auth.request_reset"))
    form = ResetPasswordForm(token=token)
    if request.method == "POST" and form.validate_on_submit():
        try:
            accounts.reset_password(token=token, password=form.password.data)
        except tokens.TokenInvalid as exc:
            return _link_failed(exc, url_for("auth.request_reset"))
        logout_user()
        flash(_("Ihr Passwort ist geändert. Bitte melden Sie sich mit dem neuen Passwort an."),
              "success")
        return redirect(url_for("auth.login"))
    form.token.data = token
    return _link_page("auth/reset.html", form=form)


@bp.route("/passwort-aendern", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def change_password():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(actor=user, current_password=form.current_password.data,
                                     password=form.password.data)
        except accounts.AccountError as exc:
            unit_of_work.discard()
            show_on_form(form, exc, field="current_password")
        else:
            # Every other session has ended with the change; this browser goes on in a
            # fresh one.
            _start_session(user)
            flash(_("Ihr Passwort ist geändert. Alle anderen Anmeldungen Ihres Kontos sind "
                    "beendet."), "success")
            return redirect(_landing_for(user))
    return render_template("auth/change_password.html", form=form,
                           has_password=bool(current_user.password_hash))


@bp.post("/zugangslink")
@limiter.limit("5 per minute; 20 per hour")
def request_magic_link():
    form = MagicLinkForm(prefix="magic")
    if form.validate_on_submit():
        accounts.request_magic_link(email=form.email.data, next_url=safe_next(form.next.data))
        return render_template("auth/link_sent.html", email=form.email.data, kind="magic")
    return render_template("auth/login.html", form=LoginForm(), magic_form=form), 400


@bp.get("/zugang/<token>")
@bp.get("/zugang")
def magic_link(token=None):
    # GET only shows a button: mail scanners that follow links must not use the link up.
    token = token or _link_token()
    try:
        tokens.peek(purpose=TokenPurpose.MAGIC_LINK, token=token)
    except tokens.TokenInvalid as exc:
        return _link_failed(exc, url_for("auth.login"))
    return _link_page("auth/magic_confirm.html", form=LinkForm(token=token))


@bp.post("/zugang")
@limiter.limit("20 per minute")
def use_magic_link():
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        user, next_url = accounts.use_magic_link(token=form.token.data)
    except tokens.TokenInvalid as exc:
        return _link_failed(exc, url_for("auth.login"))
    _start_session(user)
    return redirect(safe_next(next_url) or _landing_for(user))


@bp.get("/einladung/<token>")
@bp.route("/einladung", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept_invitation(token=None):
    token = token or _link_token()
    try:
        row = tokens.peek(purpose=TokenPurpose.INVITATION, token=token)
    except tokens.TokenInvalid as exc:
        return _link_failed(exc, url_for("public.index"))
    form = InvitationForm(name=row.user.name if request.method == "GET" else None, token=token)
    if request.method == "POST" and form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token=token, password=form.password.data,
                                              name=form.name.data)
        except tokens.TokenInvalid as exc:
            return _link_failed(exc, url_for("public.index"))
        _start_session(user)
        flash(_("Willkommen! Ihr Zugang ist eingerichtet."), "success")
        return redirect(_landing_for(user))
    form.token.data = token
    return _link_page("auth/invitation.html", form=form, email=row.email)
