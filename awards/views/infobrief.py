"""Public: subscribe to the Infobrief (double opt-in), confirm, unsubscribe with one click.

Links in mails only show a button (GET); the POST from that page acts, so that mail
scanners following links neither confirm nor unsubscribe. The List-Unsubscribe header of an
Infobrief points at the same page (no RFC 8058 one-click POST: that would need a route
without a CSRF token).
"""
from flask import Blueprint, make_response, render_template, request

from awards.enums import Region
from awards import unit_of_work
from awards.extensions import limiter
from awards.forms.messaging import SubscribeForm, TokenForm
from awards.i18n import gettext as _
from awards.services import infobrief

bp = Blueprint("infobrief", __name__, url_prefix="/infobrief")


def _choices():
    prizes = [(code, infobrief.PRIZE_NAMES[code]) for code in infobrief.PRIZE_CODES]
    regions = [(r.value, r.label) for r in Region]
    return {"prize_choices": prizes, "region_choices": regions}


def _link_page(template, status=200, **context):
    response = make_response(render_template(template, **context), status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _token():
    return (request.form.get("token") if request.method == "POST" else None) \
        or request.args.get("token", "")


@bp.route("/", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def subscribe():
    form = SubscribeForm(**_choices())
    if request.method == "POST":
        if form.validate_on_submit():
            infobrief.subscribe(email=form.email.data, prize_codes=form.prizes.data,
                                regions=form.regions.data)
            # The same answer whether the address was subscribed before or not.
            return render_template("infobrief/sent.html", email=form.email.data)
        return render_template("infobrief/subscribe.html", form=form), 422
    return render_template("infobrief/subscribe.html", form=form)


@bp.get("/bestaetigen")
def confirm_page():
    token = _token()
    try:
        infobrief.peek_confirmation(token=token)
    except infobrief.InvalidLink:
        return _link_page("infobrief/invalid.html", 410)
    return _link_page("infobrief/confirm.html", form=TokenForm(token=token))


@bp.post("/bestaetigen")
@limiter.limit("20 per minute")
def confirm():
    form = TokenForm()
    if not form.validate_on_submit():
        return _link_page("infobrief/invalid.html", 400)
    try:
        row = infobrief.confirm(token=form.token.data)
    except infobrief.InvalidLink:
        unit_of_work.discard()
        return _link_page("infobrief/invalid.html", 410)
    return _link_page("infobrief/confirmed.html", choices=infobrief.describe(row),
                      unsubscribe=infobrief.unsubscribe_url(row))


@bp.get("/abbestellen")
def unsubscribe_page():
    key = _token()
    try:
        row = infobrief.by_unsubscribe_key(key)
    except infobrief.InvalidLink:
        return _link_page("infobrief/unsubscribed.html", 404, known=False)
    return _link_page("infobrief/unsubscribe.html", form=TokenForm(token=key),
                      choices=infobrief.describe(row))


@bp.post("/abbestellen")
@limiter.limit("20 per minute")
def unsubscribe():
    form = TokenForm()
    if not form.validate_on_submit():
        return _link_page("infobrief/invalid.html", 400)
    try:
        infobrief.unsubscribe(key=form.token.data)
    except infobrief.InvalidLink:
        # Already unsubscribed (a second click) or never known: nothing left to delete.
        return _link_page("infobrief/unsubscribed.html", 200, known=False)
    return _link_page("infobrief/unsubscribed.html", known=True)
