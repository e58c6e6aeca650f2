"""The parts of every page that are the same for many requests: the stylesheet links, the
brand, the main navigation and the footer (templates/chrome/).

Each part is rendered once per language, script root and role set and then kept in the
process; base.html inserts it with `chrome(name)`. A part is rendered from its declared
inputs only (`INPUTS`): its template sees the language through the translation functions,
the app's routes through `url_for`, and the role flags passed to it — not the request, the
session or the user — so nothing personal (a name, a form token, the current path) can end
up in what is kept. A few dozen entries at most: two languages times the role sets.
"""
from flask import request
from flask_babel import get_locale
from flask_login import current_user

from awards import permissions
from awards.cachekeys import CacheInputs
from awards.views.fragments import kept_render

INPUTS = CacheInputs("chrome", context=("template", "language", "script_root", "roles"),
                     has_data=False)
MAX_ENTRIES = 256
EXTENSION = "awards.chrome"
ENVIRON_KEY = "awards.chrome.inputs"


def _request_inputs():
    """This request's language, script root and role set: the same for every part of the
    page, so worked out once (kept in the WSGI environ, which is the request's own)."""
    inputs = request.environ.get(ENVIRON_KEY)
    if inputs is None:
        user = current_user
        roles = ()
        if user.is_authenticated:
            roles = ("authenticated",) + tuple(
                name for name, holds in (("juror", permissions.is_juror(user)),
                                         ("staff", permissions.is_staff(user)),
                                         ("admin", permissions.is_admin(user))) if holds)
        inputs = request.environ[ENVIRON_KEY] = {
            "language": str(get_locale()), "script_root": request.script_root, "roles": roles}
    return inputs


def chrome(template):
    """The rendered part `template` (a name under templates/chrome/) for this request."""
    inputs = _request_inputs()
    roles = inputs["roles"]
    return kept_render(EXTENSION, INPUTS.key(template=template, **inputs), template,
                       lambda: {"authenticated": "authenticated" in roles,
                                "is_juror": "juror" in roles, "is_staff": "staff" in roles,
                                "is_admin": "admin" in roles},
                       limit=MAX_ENTRIES)


def register(app):
    app.jinja_env.globals["chrome"] = chrome
