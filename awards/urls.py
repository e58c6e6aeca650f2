"""The public address used in mails, PDFs and QR codes."""
from flask import current_app, has_request_context, request


def public_base_url():
    """AWARDS_BASE_URL without a trailing slash; in development (BASE_URL_FROM_REQUEST) the
    address the current request was served under, so that links in mails and QR codes work
    wherever `make run` serves the app. Production never trusts the Host header for this."""
    config = current_app.config
    if config.get("BASE_URL_FROM_REQUEST") and has_request_context():
        return request.host_url.rstrip("/")
    return (config.get("BASE_URL") or "").rstrip("/")
