"""Geschäftsstelle: statistics for the ministry's report — figures, charts and an XLSX,
filtered by year and prize; staff of a district government see their own prize only."""
from datetime import datetime

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from awards import permissions
from awards.forms.statistics import StatisticsFilterForm
from awards.i18n import gettext as _
from awards.services import statistics
from awards.views import charts
from awards.views.intake import _download
from awards.views.util import require

bp = Blueprint("statistics", __name__, url_prefix="/geschaeftsstelle")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How many districts the bar chart shows (the table below it lists them all).
TOP_DISTRICTS = 10


@bp.context_processor
def _chart_helpers():
    return {"chart_bars": charts.bars, "top_districts": TOP_DISTRICTS,
            "chart_trend": lambda trend: charts.trend(
                [(t.year, t.applications, t.winners) for t in trend])}


def _filtered():
    """(form, prizes, valid): the filter as the user sent it. A prize the user does not
    work on is refused outright, whatever the form would say."""
    require(permissions.can_view_statistics)
    prize = request.args.get("prize") or None
    if prize is not None and not permissions.can_view_statistics(current_user, prize):
        abort(403)
    years, prizes = statistics.filter_options(actor=current_user)
    form = StatisticsFilterForm(request.args, years=years, prizes=prizes)
    return form, prizes, form.validate()


def _selection(filters, prizes):
    titles = dict(prizes)
    year = str(filters["year"]) if filters["year"] else _("alle Jahre")
    prize = titles.get(filters["prize_code"]) if filters["prize_code"] else _("alle Preise")
    return f"{year}, {prize}"


@bp.get("/statistik")
def index():
    form, prizes, valid = _filtered()
    if not valid:
        return render_template("statistics/index.html", form=form, result=None, args={}), 400
    filters = form.filters()
    result = statistics.report(actor=current_user, **filters)
    args = {k: v for k, v in request.args.items() if k in form._fields and v}
    return render_template("statistics/index.html", form=form, result=result, args=args,
                           selection=_selection(filters, prizes))


@bp.get("/statistik.xlsx")
def export_xlsx():
    form, prizes, valid = _filtered()
    if not valid:
        abort(400)
    filters = form.filters()
    result = statistics.report(actor=current_user, **filters)
    data = statistics.export_xlsx(result, selection=_selection(filters, prizes))
    parts = ["Statistik", filters["prize_code"] or "alle", str(filters["year"] or "alle-Jahre"),
             datetime.now().strftime("%Y%m%d-%H%M")]
    return _download(data, XLSX, "-".join(parts) + ".xlsx")
