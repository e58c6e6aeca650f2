"""The shared cache of public winners pages: a hit costs one statement, and no change,
withdrawn consent or publication time is ever hidden behind a cached page."""
import logging
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from awards.adapters.cache import MemoryCache, RedisCache, get_cache, make_cache
from awards.adapters.storage import get_storage
from awards.extensions import db
from awards.models.base import utcnow
from awards.services.decisions import decision_for, release_of
from awards.timeutil import utc
from tests import factories

REDIS_URL = "redis://127.0.0.1:6379/15"


class Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


@pytest.fixture
def statements(app):
    # Every engine: on PostgreSQL the state is read through a pool of its own.
    counter = Statements()
    event.listen(Engine, "before_cursor_execute", counter)
    yield counter
    event.remove(Engine, "before_cursor_execute", counter)


@pytest.fixture
def published(app):
    consents = dict(consent_publish_name=True, consent_publish_text=True,
                    consent_publish_photos=True, image_rights_confirmed=True)
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    for name, value in consents.items():
        setattr(winners[0], name, value)
    winners[0].city = "Bamberg"
    photo = factories.photo_attachment(winners[0], storage=get_storage())
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    db.session.commit()
    decision = decision_for(winners[0])
    return comp, winners[0], decision, photo


def _urls(comp, decision):
    return ["/preistraeger", f"/preistraeger/BIP/{comp.year}",
            f"/preistraeger/BIP/{comp.year}/{decision.id}"]


@pytest.fixture
def ticks(monkeypatch):
    """The monotonic clock of the state's memo, moved by hand: ticks.advance(seconds)."""
    from awards.services import publication_state

    class Ticks:
        now = 1000.0

        def advance(self, seconds):
            self.now += seconds

    clock = Ticks()
    monkeypatch.setattr(publication_state, "_monotonic", lambda: clock.now)
    return clock


def test_second_visit_is_served_from_the_cache_without_rendering(client, published, statements,
                                                                 ticks):
    from awards.services import publication_state

    comp, winner, decision, _ = published
    title = winner.project_title
    for url in _urls(comp, decision):
        db.session.remove()
        first = client.get(url)
        # Within the memo's tenth of a second: no statement at all.
        statements.count = 0
        db.session.remove()
        second = client.get(url)
        assert first.status_code == second.status_code == 200
        assert second.get_data() == first.get_data()
        assert title in second.get_data(as_text=True)
        assert statements.count == 0, url
        # Later: one read of the publication state, and the page from the cache.
        ticks.advance(publication_state.MEMO_SECONDS + 0.01)
        statements.count = 0
        db.session.remove()
        assert client.get(url).get_data() == first.get_data()
        assert statements.count == 1, url


def test_change_made_elsewhere_shows_once_the_memo_expires(client, published, ticks):
    """Another process or host raised the version (here: straight in the table, past this
    process's commit hook): seen after MEMO_SECONDS, not before."""
    from awards.models.publication import PublicationState
    from awards.services import publication_state

    comp, winner, decision, _ = published
    db.session.remove()
    before = publication_state.fingerprint(db.session, utcnow())
    db.session.remove()
    with db.engine.begin() as conn:
        table = PublicationState.__table__
        conn.execute(table.update().values(version=table.c.version + 1))
    assert publication_state.fingerprint(db.session, utcnow()) == before
    db.session.remove()
    ticks.advance(publication_state.MEMO_SECONDS + 0.01)
    assert publication_state.fingerprint(db.session, utcnow()) != before


def test_own_commit_clears_the_memo_at_once(client, published, ticks):
    from awards.services import publication_state

    from awards.models.applications import Application

    comp, winner, decision, _ = published
    url = f"/preistraeger/BIP/{comp.year}/{decision.id}"
    winner_id, title = winner.id, winner.project_title
    db.session.remove()
    assert title in client.get(url).get_data(as_text=True)
    assert publication_state._memo != {}
    db.session.get(Application, winner_id).consent_publish_text = False
    db.session.commit()
    assert publication_state._memo == {}
    db.session.remove()
    assert title not in client.get(url).get_data(as_text=True)  # the clock has not moved


@pytest.mark.parametrize("field,gone", [
    ("consent_publish_name", "org_name"),
    ("consent_publish_text", "project_title"),
    ("consent_publish_photos", "photo"),
    ("image_rights_confirmed", "photo"),
])
def test_each_withdrawn_consent_shows_at_once_despite_the_cache(client, published, field, gone):
    comp, winner, decision, photo = published
    url = f"/preistraeger/BIP/{comp.year}/{decision.id}"
    needle = f"/preistraeger/foto/{photo.id}" if gone == "photo" else getattr(winner, gone)
    assert needle in client.get(url).get_data(as_text=True)
    assert needle in client.get(url).get_data(as_text=True)  # now cached
    setattr(winner, field, False)
    db.session.commit()
    assert needle not in client.get(url).get_data(as_text=True)


def test_edited_title_and_changed_amount_show_at_once(client, published):
    comp, winner, decision, _ = published
    url = f"/preistraeger/BIP/{comp.year}"
    client.get(url)
    winner.project_title = "Ein ganz neuer Projekttitel"
    db.session.commit()
    assert "Ein ganz neuer Projekttitel" in client.get(url).get_data(as_text=True)


def test_withdrawn_publication_is_not_served_from_the_cache(client, published):
    from awards.services import publication

    comp, winner, decision, _ = published
    urls = _urls(comp, decision)
    for url in urls:
        assert client.get(url).status_code == 200
    publication.withdraw_publication(actor=None, competition=comp)
    db.session.commit()
    assert client.get(urls[1]).status_code == 404
    assert client.get(urls[2]).status_code == 404
    assert winner.project_title not in client.get(urls[0]).get_data(as_text=True)


def test_page_cached_before_the_embargo_ends_is_not_served_after(client, app, monkeypatch):
    publish_at = utc(2026, 5, 12, 16, 0, 0)
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2026,
                                               publish_at=publish_at)
    release_of(comp).released_at = publish_at - timedelta(days=5)
    db.session.commit()
    second = timedelta(seconds=1)
    monkeypatch.setitem(app.config, "CLOCK", lambda: publish_at - second)
    before = client.get("/preistraeger").get_data(as_text=True)
    assert winners[0].project_title not in before
    assert winners[0].project_title not in client.get("/preistraeger").get_data(as_text=True)
    monkeypatch.setitem(app.config, "CLOCK", lambda: publish_at)
    assert winners[0].project_title in client.get("/preistraeger").get_data(as_text=True)
    # And back: a page cached after the instant is never shown for an earlier one.
    monkeypatch.setitem(app.config, "CLOCK", lambda: publish_at - second)
    assert winners[0].project_title not in client.get("/preistraeger").get_data(as_text=True)


def test_not_found_is_never_cached(client, app, published):
    comp, _, decision, _ = published
    assert client.get(f"/preistraeger/BIP/{comp.year}/{decision.id + 999}").status_code == 404
    assert get_cache()._items == {}


def test_logged_in_pages_stay_out_of_the_shared_cache(client, app, auth, published):
    comp, _, decision, _ = published
    user = factories.user()
    db.session.commit()
    auth.login(user)
    response = client.get(f"/preistraeger/BIP/{comp.year}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert user.display_name in response.get_data(as_text=True)
    assert get_cache()._items == {}


def test_page_with_a_flash_message_is_neither_cached_nor_public(client, app, published):
    comp, _, _, _ = published
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", "Nur für diese Besucherin")]
    response = client.get(f"/preistraeger/BIP/{comp.year}")
    assert "Nur für diese Besucherin" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response.headers  # never answered 304 from the browser's copy
    assert get_cache()._items == {}
    assert "Nur für diese Besucherin" not in client.get(f"/preistraeger/BIP/{comp.year}").get_data(as_text=True)


def test_languages_are_cached_apart(client, published):
    comp, _, _, _ = published
    url = f"/preistraeger/BIP/{comp.year}"
    german = client.get(url).get_data(as_text=True)
    client.get("/sprache/en")
    english = client.get(url).get_data(as_text=True)
    assert 'lang="de"' in german and 'lang="en"' in english


def test_memory_cache_is_bounded_and_entries_expire():
    now = [1000.0]
    cache = MemoryCache(max_items=3, max_bytes=10, clock=lambda: now[0])
    for key in "abcd":
        cache.set(key, b"x", ttl=60)
    assert cache.get("a") is None and cache.get("d") == b"x"
    cache.set("big", b"y" * 11)
    assert cache.get("big") is None
    cache.set("e", b"12345678", ttl=60)  # pushes out older entries to stay under 10 bytes
    assert cache.get("e") == b"12345678" and cache._bytes <= 10
    now[0] += 61
    assert cache.get("e") is None


def test_unknown_cache_backend_is_refused():
    with pytest.raises(ValueError):
        make_cache("memcached://somewhere")


@pytest.fixture
def redis_cache():
    # A prefix of this test's own: another test run may use the same Redis at the same time.
    cache = RedisCache(REDIS_URL, prefix=f"awards-test:{uuid.uuid4().hex}:cache:")
    try:
        cache.client.ping()
    except Exception as exc:  # pragma: no cover - Redis is part of the set-up
        pytest.fail(f"Redis is not running on 127.0.0.1:6379: {exc}")
    cache.clear()
    yield cache
    cache.clear()


def test_redis_cache_stores_with_a_lifetime(redis_cache):
    redis_cache.set("k", b"value", ttl=30)
    assert redis_cache.get("k") == b"value"
    assert 0 < redis_cache.client.ttl(redis_cache.prefix + "k") <= 30


def test_pages_are_shared_through_redis(client, app, published, redis_cache, statements, ticks):
    comp, winner, decision, _ = published
    app.extensions["awards_cache"] = redis_cache
    url = f"/preistraeger/BIP/{comp.year}"
    first = client.get(url)
    assert list(redis_cache.client.scan_iter(redis_cache.prefix + "page:*"))
    # Another worker or host: a fresh process memory, the same Redis.
    other = app.test_client()
    ticks.advance(1)
    statements.count = 0
    db.session.remove()
    assert other.get(url).get_data() == first.get_data()
    assert statements.count == 1


def test_unreachable_redis_only_costs_the_cache(client, app, published, caplog):
    comp, winner, _, _ = published
    app.extensions["awards_cache"] = make_cache("redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="awards.adapters.cache"):
        response = client.get(f"/preistraeger/BIP/{comp.year}")
    assert response.status_code == 200
    assert winner.project_title in response.get_data(as_text=True)
    assert "cache get failed" in caplog.text


def test_state_read_survives_a_database_restart(client, app, published):
    """The state's own pool skips the ping before each checkout; a connection that died
    while idle is replaced and the read repeated."""
    from awards.services import publication_state

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the separate reader pool exists on PostgreSQL only")
    comp, winner, _, _ = published
    url, title = f"/preistraeger/BIP/{comp.year}", winner.project_title
    reader = publication_state._reader_engine(db.engine)
    served = []
    event.listen(reader, "before_cursor_execute", lambda *a, **k: served.append(1))
    db.session.remove()  # no open transaction: the request reads through the reader pool
    assert client.get(url).status_code == 200
    assert served
    with reader.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with db.engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.commit()
    db.session.remove()
    response = client.get(url)
    assert response.status_code == 200
    assert title in response.get_data(as_text=True)


def test_open_data_is_cached_and_follows_consents(client, published, statements):
    comp, winner, decision, _ = published
    db.session.remove()
    first = client.get("/api/v1/preistraeger")
    statements.count = 0
    db.session.remove()
    again = client.get("/api/v1/preistraeger")
    assert again.get_data() == first.get_data() and statements.count <= 1
    winner = db.session.merge(winner)  # the session was removed above
    assert again.get_json()["data"][0]["laureate"] == winner.org_name
    winner.consent_publish_name = False
    db.session.commit()
    assert client.get("/api/v1/preistraeger").get_json()["data"][0]["laureate"] is None


def test_open_data_links_follow_the_host_asked(client, published):
    here = client.get("/api/v1/preistraeger", base_url="http://daten.example").get_json()
    there = client.get("/api/v1/preistraeger", base_url="http://andere.example").get_json()
    assert here["links"]["self"].startswith("http://daten.example/")
    assert there["links"]["self"].startswith("http://andere.example/")
