"""A safety net for downloads: any Content-Disposition that is not plain ASCII (a name set
directly instead of through `awards.filenames.content_disposition`) is rewritten into the
RFC 6266 form before it reaches the WSGI server, which could not send it."""
import logging
import re

from flask import Blueprint

from awards.filenames import content_disposition

log = logging.getLogger("awards.downloads")

bp = Blueprint("downloads", __name__)
_SIMPLE = re.compile(r'^\s*(attachment|inline)\s*;\s*filename="(.*)"\s*$', re.S)


@bp.after_app_request
def ascii_only_content_disposition(response):
    value = response.headers.get("Content-Disposition")
    if value is None or value.isascii():
        return response
    match = _SIMPLE.match(value)
    name = match.group(2) if match else "download"
    response.headers["Content-Disposition"] = content_disposition(
        name, inline=bool(match) and match.group(1) == "inline")
    log.warning("download header rewritten: a view set a non-ASCII Content-Disposition")
    return response
