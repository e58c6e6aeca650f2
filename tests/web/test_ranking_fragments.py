"""The ranking table's rows come from the cache (awards.views.fragments) but never stale:
a new score, another page, another language or a changed applicant name renders them anew;
and a view loads only its own page of the cached ranking."""
import re

import pytest
from flask_babel import refresh

from awards.adapters.cache import get_cache
from awards.extensions import db
from awards.services.jury import ranking, rounds
from tests import factories

P = "/geschaeftsstelle/jury"


@pytest.fixture
def world(app):
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB")
    jurors = [factories.juror(comp), factories.juror(comp)]
    round_ = factories.open_round(competition=comp, jurors=jurors, n=3)
    entries = sorted(round_.entries, key=lambda e: e.id)
    for points, entry in zip((9, 5, 2), entries):
        factories.score(round_=round_, entry=entry, juror=jurors[0], values=(points, points))
    db.session.commit()
    return {"comp": comp, "staff": staff, "jurors": jurors, "round": round_, "entries": entries}


@pytest.fixture
def renders(monkeypatch):
    """Counts the renderings of the rows template."""
    import awards.views.fragments as fragments

    calls = []
    real = fragments.render_template

    def counting(name, **context):
        if name == "staffjury/_ranking_rows.html":  # not the page around the rows
            calls.append(name)
        return real(name, **context)

    monkeypatch.setattr(fragments, "render_template", counting)
    return calls


def _row(html, code):
    return re.search(rf'scope="row">{re.escape(code)}</th>(.*?)</tr>', html, re.S).group(1)


def test_rows_are_rendered_once_per_ranking(world, client, auth, renders):
    auth.login(world["staff"])
    url = f"{P}/runden/{world['round'].id}/rangliste"
    first = client.get(url).text
    second = client.get(url).text
    assert len(renders) == 1
    assert first.split("<tbody", 1)[1] == second.split("<tbody", 1)[1]


def test_a_new_score_renders_the_rows_anew(world, client, auth, renders):
    auth.login(world["staff"])
    url = f"{P}/runden/{world['round'].id}/rangliste"
    entry = world["entries"][2]
    before = _row(client.get(url).text, entry.code)
    assert ">1</td>" in before  # one score so far
    factories.score(round_=world["round"], entry=entry, juror=world["jurors"][1], values=(10, 10))
    db.session.commit()
    after = _row(client.get(url).text, entry.code)
    assert ">2</td>" in after and after != before
    assert len(renders) == 2


def test_the_language_is_part_of_the_key(world, client, auth):
    auth.login(world["staff"])
    url = f"{P}/runden/{world['round'].id}/rangliste"
    assert "Verteilung der Punkte von" in client.get(url).text
    client.get("/sprache/en")
    refresh()
    english = client.get(url).text
    assert "Distribution of the scores of" in english
    assert "Verteilung der Punkte von" not in english


def test_a_changed_applicant_name_shows_in_a_closed_round(world, client, auth):
    round_ = world["round"]
    rounds.close_round(actor=None, round_=round_)
    db.session.commit()
    auth.login(world["staff"])
    url = f"{P}/runden/{round_.id}/rangliste"
    application = world["entries"][0].application
    assert application.org_name in client.get(url).text
    application.org_name = "Neuer Name des Vereins e. V."
    db.session.commit()
    assert "Neuer Name des Vereins e. V." in client.get(url).text


def _page(round_, number, per_page):
    """(key, summary, rows, number) of one page, its rows loaded."""
    shown = ranking.ranking_page_index(round_, number, per_page)
    return shown.key, shown.head, shown.rows(), shown.number


def test_a_view_loads_only_its_page(app, world, monkeypatch):
    """After the first view, a view reads the summary and its one page from the cache: the
    whole ranking is neither computed nor loaded again."""
    round_ = world["round"]
    whole = ranking.ranking(round_)["rows"]
    assert len(whole) == 3
    key, head, rows, number = _page(round_, 2, 2)
    assert (head["total"], number, rows) == (3, 2, whole[2:])
    assert "rows" not in head and head["scale"] == ranking.ranking(round_)["scale"]

    loaded = []
    real_load = ranking._load
    monkeypatch.setattr(ranking, "_load", lambda k: loaded.append(k) or real_load(k))
    monkeypatch.setattr(ranking, "compute", lambda *a, **k: pytest.fail("computed again"))
    assert _page(round_, 2, 2)[1:] == (head, whole[2:], 2)
    assert _page(round_, 99, 2)[2:] == (whole[2:], 2)  # past the end: last page
    assert _page(round_, 0, 2)[2:] == (whole[:2], 1)
    assert [k.removeprefix(key) for k in loaded] == [
        ":head", ":index:2:2", ":rows:2:2", ":head", ":index:2:2", ":rows:2:2",
        ":head", ":index:2:1", ":rows:2:1"]
    # The index of a page is what its rows say, and the rows load only when asked for.
    loaded.clear()
    shown = ranking.ranking_page_index(round_, 2, 2)
    assert shown.index == [(r["entry_id"], r["code"], r["application_id"]) for r in whole[2:]]
    assert [k.removeprefix(key) for k in loaded] == [":head", ":index:2:2"]
    assert shown.rows() == whole[2:]
    # Rows gone from the cache come from the whole ranking under the same key.
    get_cache().set(ranking._cache_key(f"{key}:rows:2:2"), b"not marshal", ttl=60)
    assert ranking.ranking_page_index(round_, 2, 2).rows() == whole[2:]


def test_a_view_of_kept_rows_loads_no_rows(world, client, auth, monkeypatch):
    auth.login(world["staff"])
    url = f"{P}/runden/{world['round'].id}/rangliste"
    first = client.get(url).text
    loaded = []
    real_load = ranking._load
    monkeypatch.setattr(ranking, "_load", lambda k: loaded.append(k) or real_load(k))
    assert client.get(url).text.split("<tbody", 1)[1] == first.split("<tbody", 1)[1]
    assert loaded and not [k for k in loaded if ":rows:" in k]


def test_kept_fragments_are_spliced_into_the_page_as_bytes(app):
    """render_page puts each printed fragment's bytes where the template printed it; the
    same fragment printed twice appears twice; outside render_page it prints as HTML."""
    from flask import render_template_string
    from markupsafe import escape

    import awards.views.fragments as fragments

    rows = fragments.Fragment("<tr><td>Größe – 1</td></tr>".encode())
    with app.test_request_context():
        # Outside render_page: the decoded HTML, never a marker.
        assert str(escape(rows)) == "<tr><td>Größe – 1</td></tr>"
        assert render_template_string("{{ f }}", f=rows) == "<tr><td>Größe – 1</td></tr>"
        real = fragments.render_template
        try:
            fragments.render_template = lambda _name, **context: render_template_string(
                "<p>{{ t }}</p>{{ f }}|{{ f }}", **context)
            # A text that looks like a marker is escaped like any other and stays as it was.
            body = fragments.render_page("x.html", f=rows, t="<!--fragment-0-0-->")
        finally:
            fragments.render_template = real
    assert isinstance(body, bytes)
    assert body.decode() == ("<p>&lt;!--fragment-0-0--&gt;</p>"
                             "<tr><td>Größe – 1</td></tr>|<tr><td>Größe – 1</td></tr>")


def test_the_ranking_page_is_whole_after_the_splice(world, client, auth):
    auth.login(world["staff"])
    response = client.get(f"{P}/runden/{world['round'].id}/rangliste")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    html = response.text
    assert "<!--fragment-" not in html
    assert html.count("<svg") == 3 and html.rstrip().endswith("</html>")
    for entry in world["entries"]:
        assert f'scope="row">{entry.code}</th>' in html
