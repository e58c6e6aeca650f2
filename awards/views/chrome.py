"""The parts of every page that are the same for many requests: the stylesheet links, the
brand, the main navigation and the footer (templates/chrome/).

Each part is rendered once per language, script root and role set and then kept in the
process; base.html inserts it with `chrome(name)`. A part is rendered from its declared
inputs only (`INPUTS`): its template sees the language through the translation functions,
the app's routes through `url_for`, and the role flags passed to it — not the request, the
session or the user — so nothing personal (a name, a form token, the current path) can end
up in what is kept. A few dozen entries at most: two languages times the role sets.
"""
from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

from awards import permissions
from awards.cachekeys import CacheInputs
from awards.views.security import rendered_fragment

INPUTS = CacheInputs("chrome", context=("template", "language", "script_root", "roles"),
                     has_data=False)
MAX_ENTRIES = 256
EXTENSION = "awards.chrome"


def _roles():
    user = current_user
    if not user.is_authenticated:
        return ()
    return tuple(name for name, holds in (("juror", permissions.is_juror(user)),
                                           ("staff", permissions.is_staff(user)),
                                           ("admin", permissions.is_admin(user))) if holds)


def chrome(template):
    """The rendered part `template` (a name under templates/chrome/) for this request."""
    roles = _roles()
    authenticated = bool(current_user.is_authenticated)
    inputs = {"template": template, "language": str(get_locale()),
              "script_root": request.script_root,
              "roles": (authenticated,) + roles}
    app = current_app
    kept = app.extensions.setdefault(EXTENSION, {})
    key = INPUTS.key(**inputs)
    html = kept.get(key)
    if html is None or app.jinja_env.auto_reload:
        html = app.jinja_env.get_template(template).render(
            authenticated=authenticated, is_juror="juror" in roles, is_staff="staff" in roles,
            is_admin="admin" in roles).encode()
        if len(kept) >= MAX_ENTRIES:
            kept.clear()
        kept[key] = html
    return rendered_fragment(html)


def register(app):
    app.jinja_env.globals["chrome"] = chrome
