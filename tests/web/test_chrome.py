"""The parts of every page kept per language, role set and script root (awards/views/chrome.py):
each visitor sees the navigation of their own roles in their own language, and nothing
personal is ever kept in them."""
import flask_babel
import pytest

from awards.enums import Role
from awards.services import accounts
from awards.views import chrome
from tests import factories


def _nav(html):
    start = html.index('<nav class="site-nav"')
    return html[start:html.index("</nav>", start)]


def _kept(app):
    return app.extensions.get(chrome.EXTENSION, {})


@pytest.mark.parametrize(("role", "shown", "hidden"), [
    (None, [], ["Jury", "Geschäftsstelle", "Benutzer", "Meine Daten"]),
    ("juror", ["Jury", "Meine Daten"], ["Geschäftsstelle", "Benutzer"]),
    ("staff", ["Geschäftsstelle", "Meine Daten"], ["Jury", "Benutzer"]),
    ("admin", ["Benutzer", "Protokoll", "Meine Daten"], ["Jury"]),
])
def test_each_visitor_gets_the_navigation_of_their_roles(app, client, auth, role, shown, hidden):
    # Another role's navigation is already kept when this visitor comes.
    other = factories.admin() if role != "admin" else factories.juror(factories.competition())
    auth.login(other)
    client.get("/hilfe/")
    auth.logout()
    if role == "juror":
        auth.login(factories.juror(factories.competition()))
    elif role == "staff":
        auth.login(factories.staff())
    elif role == "admin":
        auth.login(factories.admin())
    for _ in range(2):  # rendered, then from what is kept
        nav = _nav(client.get("/hilfe/").get_data(as_text=True))
        assert "Ausschreibungen" in nav
        for label in shown:
            assert f">{label}</a>" in nav
        for label in hidden:
            assert f">{label}</a>" not in nav


def test_a_new_role_shows_at_the_next_request(app, client, auth):
    person = factories.juror(factories.competition())
    auth.login(person)
    assert ">Geschäftsstelle</a>" not in _nav(client.get("/hilfe/").get_data(as_text=True))
    accounts.assign_role(actor=None, user=person, role=Role.STAFF)
    assert ">Geschäftsstelle</a>" in _nav(client.get("/hilfe/").get_data(as_text=True))


def test_the_language_is_the_pages_own(app, client):
    assert "Preisträger" in client.get("/hilfe/").get_data(as_text=True)
    client.get("/sprache/en")
    flask_babel.refresh()
    page = client.get("/hilfe/").get_data(as_text=True)
    assert ">Winners</a>" in _nav(page) and "Preisträger</a>" not in _nav(page)
    footer = page[page.index('<footer'):]
    assert "Help</a>" in footer and ">Hilfe</a>" not in footer


def test_nothing_personal_is_kept(app, client, auth):
    person = factories.juror(factories.competition(), name="Zeynep Unverwechselbar")
    auth.login(person)
    page = client.get("/hilfe/?von=einzigartig").get_data(as_text=True)
    assert "Zeynep Unverwechselbar" in page  # the page names the person, outside the parts
    assert "einzigartig" in page  # and links its own address (the language switch)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    kept = _kept(app)
    assert kept, "the parts were kept"
    for html in (value.decode() for value in kept.values()):
        assert "Zeynep" not in html and token not in html and "einzigartig" not in html
        assert "csrf" not in html
