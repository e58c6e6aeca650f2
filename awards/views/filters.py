"""Jinja filters and globals for dates in Berlin time, money and navigation."""
from datetime import datetime, timezone

from flask_babel import get_locale, ngettext
from flask_login import current_user

from awards import permissions
from awards.content_language import localized, localized_anchor
from awards.timeutil import format_money, to_berlin


def berlin_datetime(value, fmt="%d.%m.%Y, %H:%M Uhr"):
    local = to_berlin(value)
    return local.strftime(fmt) if local else ""


def berlin_date(value):
    return berlin_datetime(value, "%d.%m.%Y")


def days_left(deadline, now=None):
    """'noch 12 Tage' / 'noch 1 Tag' / 'heute' / '' once passed (Berlin calendar days)."""
    if deadline is None:
        return ""
    now = now or datetime.now(timezone.utc)
    if deadline <= now:
        return ""
    days = (to_berlin(deadline).date() - to_berlin(now).date()).days
    if days == 0:
        return "endet heute"
    return ngettext("noch %(num)s Tag", "noch %(num)s Tage", days)


def register(app):
    app.add_template_filter(berlin_datetime, "berlin")
    app.add_template_filter(berlin_date, "berlin_date")
    app.add_template_filter(format_money, "money")
    app.add_template_filter(days_left, "days_left")

    app.jinja_env.globals["url_rules"] = app.view_functions
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["localized_anchor"] = localized_anchor

    @app.context_processor
    def inject_roles():
        user = current_user
        return {
            "perm": permissions,
            "nav_is_staff": permissions.is_staff(user),
            "nav_is_admin": permissions.is_admin(user),
            "nav_is_juror": permissions.is_juror(user),
        }
