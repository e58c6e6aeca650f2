"""Audit log viewer: administrators only; filters, pages, old -> new."""
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import event

from awards.extensions import db
from awards.models.audit import AuditLog
from awards.services import audit
from awards.views import auditlog
from tests import factories


def _ids(page):
    return [int(n) for n in re.findall(r'kern-table__cell--numeric">(\d+)</td>', page)]


@pytest.fixture
def admin(app, auth):
    user = factories.admin(name="Andrea Admin", email="andrea@example.org")
    db.session.commit()
    auth.login(user)
    return user


def test_auditlog_anonymous_sent_to_login(client):
    response = client.get("/verwaltung/protokoll/")
    assert response.status_code == 302
    assert "/konto/anmelden" in response.headers["Location"]


@pytest.mark.parametrize("make", [factories.staff, factories.user,
                                  lambda: factories.juror(factories.competition())])
def test_auditlog_non_admin_refused(app, client, auth, make):
    user = make()
    db.session.commit()
    auth.login(user)
    assert client.get("/verwaltung/protokoll/").status_code == 403


def test_auditlog_shows_who_what_when_old_new(app, client, admin):
    comp = factories.competition(title="Preis <b>2026</b>")
    audit.record(actor=admin, action="competition.update", obj=comp,
                 old={"title": "Alt"}, new={"title": "Neu <script>x</script>"})
    db.session.commit()
    page = client.get("/verwaltung/protokoll/").get_data(as_text=True)
    assert "Andrea Admin" in page
    assert "<code>competition.update</code>" in page
    assert "Competition #%d" % comp.id in page
    assert '<span class="kern-body--bold">title</span>: Alt → Neu &lt;script&gt;x&lt;/script&gt;' in page


def test_auditlog_filters_by_action_prefix_actor_object_and_competition(app, client, admin):
    other = factories.user(name="Bea Bewerberin", email="bea@example.org")
    comp = factories.competition()
    first = audit.record(actor=other, action="application.submit", object_type="Application",
                         object_id=5, competition_id=comp.id)
    audit.record(actor=admin, action="competition.open", obj=comp)
    third = audit.record(actor=other, action="application.update", object_type="Application",
                         object_id=6, competition_id=comp.id)
    db.session.commit()
    get = lambda **q: _ids(client.get("/verwaltung/protokoll/", query_string=q).get_data(as_text=True))  # noqa: E731
    assert get(action="application.", order="asc") == [first.id, third.id]
    assert get(actor="bea", order="asc") == [first.id, third.id]
    assert get(actor="BEWERBERIN", order="asc") == [first.id, third.id]  # the name, any case
    assert get(actor="b_a") == []  # "_" and "%" are letters, not wildcards
    assert get(actor="%") == []
    assert get(object_type="Application", object_id="6") == [third.id]
    assert len(get(competition_id=str(comp.id))) == 3


def test_auditlog_date_filter_uses_berlin_days(app, client, admin):
    late = audit.record(actor=admin, action="a.late", object_type="X", object_id=1)
    # 23:30 UTC on 1 March is already 2 March in Berlin.
    late.created_at = datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)
    db.session.commit()
    page = lambda d: client.get("/verwaltung/protokoll/", query_string={  # noqa: E731
        "action": "a.", "date_from": d, "date_to": d}).get_data(as_text=True)
    assert _ids(page("2026-03-02")) == [late.id]
    assert _ids(page("2026-03-01")) == []


def test_auditlog_invalid_filter_shows_error_beside_field(app, client, admin):
    page = client.get("/verwaltung/protokoll/", query_string={"object_id": "abc",
                                                             "date_from": "1.2.2026"}).get_data(as_text=True)
    assert "Bitte geben Sie eine ganze Zahl ein." in page
    assert "Bitte geben Sie ein Datum im Format JJJJ-MM-TT ein." in page
    assert 'id="f-object_id-error"' in page
    assert 'value="abc"' in page  # what was typed is kept


def test_auditlog_pages_newest_first_and_old_to_new(app, client, admin):
    for n in range(auditlog.PER_PAGE + 5):
        audit.record(actor=admin, action="test.step", object_type="Thing", object_id=n)
    db.session.commit()
    first = client.get("/verwaltung/protokoll/", query_string={"action": "test."}).get_data(as_text=True)
    second = client.get("/verwaltung/protokoll/", query_string={"action": "test.", "seite": 2}).get_data(as_text=True)
    ids_first, ids_second = _ids(first), _ids(second)
    assert len(ids_first) == auditlog.PER_PAGE and len(ids_second) == 5
    assert ids_first == sorted(ids_first, reverse=True)
    assert min(ids_first) > max(ids_second)
    assert "Seite 1 von 2" in first
    assert 'href="/verwaltung/protokoll/?seite=2&amp;action=test.' in first
    assert '<nav class="pager" aria-label="Seiten">' in first
    # Links made before the list used "seite" still open the page they named.
    old_link = client.get("/verwaltung/protokoll/", query_string={"action": "test.", "page": 2})
    assert _ids(old_link.get_data(as_text=True)) == ids_second
    # A page past the end shows the last page, nonsense the first.
    past = client.get("/verwaltung/protokoll/", query_string={"action": "test.", "seite": 99})
    assert _ids(past.get_data(as_text=True)) == ids_second
    nonsense = client.get("/verwaltung/protokoll/", query_string={"action": "test.", "seite": "x"})
    assert _ids(nonsense.get_data(as_text=True)) == ids_first
    ascending = _ids(client.get("/verwaltung/protokoll/", query_string={
        "action": "test.", "order": "asc"}).get_data(as_text=True))
    assert ascending == sorted(ascending)


def test_auditlog_query_count_does_not_grow_with_rows(app, client, admin):
    def count_queries(n):
        db.session.query(AuditLog).delete()
        for i in range(n):
            actor = factories.user()
            audit.record(actor=actor, action="test.q", object_type="Thing", object_id=i)
        db.session.commit()
        statements = []

        def listen(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            client.get("/verwaltung/protokoll/", query_string={"action": "test."})
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        return len(statements)

    assert count_queries(3) == count_queries(20)
