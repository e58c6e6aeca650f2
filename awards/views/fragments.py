"""Rendered parts of logged-in pages kept in the shared cache (awards.adapters.cache).

A fragment is rendered from plain data under a key that names that data exactly (for the
ranking table: the ranking's own cache key, which changes with every change of the
scores, plus the page and the identities shown). The language and a stamp of the
fragment's templates are added here, so a translation or a deploy never serves old HTML.
Nothing user-specific may go into a fragment: no form token, no name of the viewer.

`kept_render` is the per-process twin for parts rendered from a few declared inputs (the
page chrome, a score sheet's radios, the intake list's rows).
"""
import secrets
from functools import lru_cache
from pathlib import Path

from flask import current_app, g, render_template
from flask_babel import get_locale

from awards.adapters.cache import get_cache
from awards.cachekeys import CacheInputs, kept
from awards.views.security import rendered_fragment, splice_marker

FRAGMENT_TTL = 3600
# `data` is the caller's key of what the fragment shows (for the ranking rows: the
# ranking's key from services.ranking.INPUTS, the page and the identities shown).
INPUTS = CacheInputs("fragment", context=("templates", "language", "stamp"))


@lru_cache(maxsize=64)
def _stamp(folder, templates):
    root = Path(folder)
    return max((root / name).stat().st_mtime_ns for name in templates)


def cached_fragment(templates, key, make_context=None, **context):
    """The HTML of templates[0] rendered with `context` (a Fragment), from the cache when the
    same key, language and template files were rendered before. `templates` lists the
    fragment's template and every template it imports; `make_context`, if given, returns
    the context and is called only when the fragment is rendered. Print it in a page
    rendered with `render_page`."""
    templates = tuple(templates)
    cache_key = INPUTS.key(templates=templates, data=key, language=str(get_locale()),
                           stamp=_stamp(current_app.template_folder, templates))
    cache = get_cache()
    html = cache.get(cache_key)
    if html is None:
        if make_context is not None:
            context = make_context()
        html = render_template(templates[0], **context).encode()
        cache.set(cache_key, html, ttl=FRAGMENT_TTL)
    return Fragment(html)


def kept_render(store, key, template, make_context, *, limit):
    """The HTML of `template` rendered with `make_context()` and nothing else, kept in this
    process under `key` in the store named `store` (at most `limit` entries): `key` comes
    from the part's CacheInputs and names every input of the context, which is made only
    when nothing is kept. While templates reload (development) it is rendered afresh."""
    app = current_app
    html = kept(app.extensions.setdefault(store, {}), key,
                lambda: app.jinja_env.get_template(template).render(**make_context()).encode(),
                limit=limit, renew=app.jinja_env.auto_reload)
    return rendered_fragment(html)


class Fragment:
    """A kept fragment on its way into a page: UTF-8 bytes as the cache holds them.

    Printed in a template rendered by `render_page`, it leaves a marker that `render_page`
    replaces with the bytes in the encoded page: a fragment of hundreds of kilobytes (a page
    of the ranking table) is then neither decoded, nor copied into the page's text, nor
    encoded again. Printed anywhere else it is the decoded HTML, as `rendered_fragment`
    makes it."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    def __html__(self):
        splices = g.get("_fragment_splices")
        if splices is None:
            return rendered_fragment(self.data)
        marker = splice_marker(splices["nonce"], len(splices["parts"]))
        splices["parts"].append((str(marker).encode(), self.data))
        return marker

    def __str__(self):
        return str(rendered_fragment(self.data))


def render_page(template, **context):
    """render_template for a page that prints kept fragments: the page as UTF-8 bytes with
    each fragment's bytes put where the template printed it (see Fragment). The markers carry
    a nonce drawn for this rendering, so no text of the page can stand in for one; each must
    occur exactly once."""
    outer = g.get("_fragment_splices")
    splices = g._fragment_splices = {"nonce": secrets.token_hex(8), "parts": []}
    try:
        html = render_template(template, **context)
    finally:
        g._fragment_splices = outer
    body = html.encode()
    for marker, data in splices["parts"]:
        head, found, tail = body.partition(marker)
        if not found or marker in tail:
            raise RuntimeError(f"{template}: a kept fragment was not printed exactly once")
        body = b"".join((head, data, tail))
    return body
