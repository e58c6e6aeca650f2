"""Caches declare what they read; their keys are made from the declaration.

Each cache of the app has one `CacheInputs`: the tables and columns its value depends on,
the settings it reads and the per-call inputs (the URL, the language, the viewer …). The key
is built by `CacheInputs.key()` from exactly those inputs — a missing or unknown input is an
error, so a new input cannot be forgotten in the key. The state of the declared tables
enters the key as the input `data`: a fingerprint (a version number, a few aggregates) that
the cache's own module computes and that tests/unit/test_cache_inputs.py checks against the
declaration (every declared column changed → the fingerprint moves; every column the cached
computation queries → declared).

The caches kept in one process (the page chrome, the radios of a score sheet, the selects)
share `kept`: one bounded dict per cache, filled under such keys.

A leaf module: imports nothing of ours.
"""
import hashlib
from dataclasses import dataclass, field

from flask import current_app, has_app_context

REGISTRY = {}


@dataclass(frozen=True)
class CacheInputs:
    name: str
    # table name -> the columns whose change must move the key
    tables: dict = field(default_factory=dict)
    # "table.column"s never changed in place (ids, foreign keys): a new or deleted row is
    # the change, which the fingerprint sees (counts, newest ids)
    fixed: set = field(default_factory=set)
    # "table.column"s that only order what is loaded and never shape the value
    order_only: set = field(default_factory=set)
    # "table.column" -> "table.column" that always changes with it (e.g. every save of a
    # score value raises the score's version): the fingerprint reads the second
    witnesses: dict = field(default_factory=dict)
    # per-call inputs handed to key() besides `data`
    context: tuple = ()
    # app.config keys that shape the cached value
    settings: tuple = ()
    has_data: bool = True

    def __post_init__(self):
        REGISTRY[self.name] = self

    @property
    def inputs(self):
        return tuple(sorted(set(self.context) | ({"data"} if self.has_data else set())))

    def columns(self):
        """Every declared "table.column" ("table.*": every column of the table)."""
        return {f"{table}.{column}" for table, columns in self.tables.items()
                for column in columns}

    def changing(self):
        """The declared columns whose change in place must move the key."""
        return self.columns() - set(self.fixed) - set(self.order_only)

    def material(self, **inputs):
        """The exact inputs as one canonical string (the key before hashing)."""
        given, wanted = set(inputs), set(self.inputs)
        if given != wanted:
            raise TypeError(f"cache {self.name!r}: missing {sorted(wanted - given)}, "
                            f"undeclared {sorted(given - wanted)}")
        config = current_app.config if has_app_context() else {}
        settings = tuple((name, repr(config.get(name))) for name in self.settings)
        return repr((self.name, tuple((name, repr(inputs[name])) for name in self.inputs),
                     settings))

    def key(self, **inputs):
        return f"{self.name}:" + hashlib.sha256(self.material(**inputs).encode()).hexdigest()


def kept(store, key, make, *, limit, renew=False):
    """The value kept in `store` (a dict of one process) under `key`, made by `make()` when
    there is none (or always, with `renew`: templates reloaded while developing). A store
    that has reached `limit` entries is emptied first, so it stays bounded."""
    value = store.get(key)
    if value is None or renew:
        value = make()
        if len(store) >= limit:
            store.clear()
        store[key] = value
    return value
