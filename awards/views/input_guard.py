"""Every request: control characters never reach a view, a query or the database.

- A path parameter with a control character (e.g. %00) matches nothing: 404.
- Query and form values lose their control characters (TAB, CR, LF kept) before any view
  reads them; the names of the cleaned fields are kept in the request's environ, so the
  form that owns the field tells the user (awards/forms/base.py).
"""
from flask import Blueprint, abort, request

from awards.forms.base import CONTROL, ENVIRON_KEY, clean_multidict
from werkzeug.datastructures import ImmutableMultiDict

bp = Blueprint("input_guard", __name__)


@bp.before_app_request
def refuse_control_characters():
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and CONTROL.search(value):
            abort(404)
    flagged = set()
    items, names = clean_multidict(request.args)
    if names:
        request.__dict__["args"] = ImmutableMultiDict(items)
        flagged |= names
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        items, names = clean_multidict(request.form)
        if names:
            request.__dict__["form"] = ImmutableMultiDict(items)
            flagged |= names
    if flagged:
        request.__dict__.pop("values", None)
        request.environ[ENVIRON_KEY] = flagged
