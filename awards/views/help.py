"""Help pages in plain language, one per audience, in German and English."""
from flask import Blueprint, abort, render_template
from flask_babel import get_locale

from awards.i18n import lazy_gettext as _l

bp = Blueprint("help", __name__, url_prefix="/hilfe")

AUDIENCES = {
    "bewerbende": _l("Hilfe für Bewerbende"),
    "jury": _l("Hilfe für Jurymitglieder"),
    "geschaeftsstelle": _l("Hilfe für die Geschäftsstelle"),
}
# Languages other than German with their own help texts (templates/help/<lang>/).
TRANSLATED = ("en",)


@bp.get("/")
def index():
    return render_template("help/index.html", audiences=AUDIENCES)


@bp.get("/<audience>")
def audience(audience):
    if audience not in AUDIENCES:
        abort(404)
    lang = str(get_locale())
    template = f"help/{lang}/{audience}.html" if lang in TRANSLATED else f"help/{audience}.html"
    return render_template(template, title=str(AUDIENCES[audience]))
