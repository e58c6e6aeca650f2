"""Rendered parts of logged-in pages kept in the shared cache (awards.adapters.cache).

A fragment is rendered from plain data under a key that names that data exactly (for the
ranking table: the ranking's own cache key, which changes with every change of the
scores, plus the page and the identities shown). The language and a stamp of the
fragment's templates are added here, so a translation or a deploy never serves old HTML.
Nothing user-specific may go into a fragment: no form token, no name of the viewer.
"""
from functools import lru_cache
from pathlib import Path

from flask import current_app, render_template
from flask_babel import get_locale

from awards.adapters.cache import get_cache
from awards.cachekeys import CacheInputs
from awards.views.security import rendered_fragment

FRAGMENT_TTL = 3600
# `data` is the caller's key of what the fragment shows (for the ranking rows: the
# ranking's key from services.ranking.INPUTS, the page and the identities shown).
INPUTS = CacheInputs("fragment", context=("templates", "language", "stamp"))


@lru_cache(maxsize=64)
def _stamp(folder, templates):
    root = Path(folder)
    return max((root / name).stat().st_mtime_ns for name in templates)


def cached_fragment(templates, key, **context):
    """The HTML of templates[0] rendered with `context`, from the cache when the same key,
    language and template files were rendered before. `templates` lists the fragment's
    template and every template it imports."""
    templates = tuple(templates)
    cache_key = INPUTS.key(templates=templates, data=key, language=str(get_locale()),
                           stamp=_stamp(current_app.template_folder, templates))
    cache = get_cache()
    html = cache.get(cache_key)
    if html is None:
        html = render_template(templates[0], **context).encode()
        cache.set(cache_key, html, ttl=FRAGMENT_TTL)
    return rendered_fragment(html)
