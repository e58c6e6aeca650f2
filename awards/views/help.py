"""Help pages in plain language, one per audience."""
from flask import Blueprint, abort, render_template

bp = Blueprint("help", __name__, url_prefix="/hilfe")

AUDIENCES = {
    "bewerbende": "Hilfe für Bewerbende",
    "jury": "Hilfe für Jurymitglieder",
    "geschaeftsstelle": "Hilfe für die Geschäftsstelle",
}


@bp.get("/")
def index():
    return render_template("help/index.html", audiences=AUDIENCES)


@bp.get("/<audience>")
def audience(audience):
    if audience not in AUDIENCES:
        abort(404)
    return render_template(f"help/{audience}.html", title=AUDIENCES[audience])
