"""PDF rendering with WeasyPrint through a fetcher that loads only our own assets.

Documents refer to assets as `/static/...` (the app's static folder) or `/stored/<key>`
(files in the storage adapter, e.g. an uploaded logo). Every other URL — file:, http(s)
to anywhere else, ftp — is refused, so user-controlled HTML cannot read local files or
reach the network. data: URLs (inline QR codes) are allowed.
"""
import logging
import mimetypes
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("awards.pdf")

BASE_URL = "https://pdf.awards.invalid/"


class RefusedURL(ValueError):
    """The document asked for a resource outside the allowed set."""


class SafeFetcher(URLFetcher):
    def __init__(self, *, static_dir, storage=None):
        super().__init__(timeout=5, allowed_protocols=("https", "data"), allow_redirects=False)
        self.static_dir = Path(static_dir).resolve()
        self.storage = storage
        self.refused = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(BASE_URL):
            self.refused.append(url)
            log.warning("PDF resource refused: %s", url[:200])
            raise RefusedURL(f"refused: {url[:200]}")
        path = url[len(BASE_URL):].split("?", 1)[0].split("#", 1)[0]
        if path.startswith("static/"):
            target = (self.static_dir / path[len("static/"):]).resolve()
            if not target.is_relative_to(self.static_dir) or not target.is_file():
                self.refused.append(url)
                raise RefusedURL(f"no such asset: {path}")
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": content_type})
        if path.startswith("stored/") and self.storage is not None:
            key = path[len("stored/"):]
            data = self.storage.read(key)
            content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, {"Content-Type": content_type})
        self.refused.append(url)
        raise RefusedURL(f"refused: {url[:200]}")


def render_pdf(html, *, static_dir, storage=None, pdf_variant=None, metadata=None):
    """Render an HTML string to PDF bytes. pdf_variant e.g. "pdf/a-3b"."""
    fetcher = SafeFetcher(static_dir=static_dir, storage=storage)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    options = {}
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    if metadata:
        options["custom_metadata"] = True
    return document.write_pdf(**options)
