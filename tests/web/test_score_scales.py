"""The radios of a criterion kept per process (awards/views/scales.py): each juror sees
their own choice, in their language, with the criterion's current anchors, and nothing of a
juror, an application or a request is kept."""
import re

import flask_babel
import pytest

from awards.extensions import db
from awards.views import scales
from tests.web.test_jury import _url, setup  # noqa: F401  (the fixture)


def _checked(html, criterion):
    """The value of the chosen radio of a criterion, or None."""
    found = re.findall(rf'<input class="kern-form-check__radio" type="radio" id="c{criterion.id}-\d+" '
                       rf'name="c{criterion.id}" value="(\d+)" checked>', html)
    assert len(found) <= 1
    return found[0] if found else None


def _radios(html, criterion):
    return re.findall(rf'name="c{criterion.id}" value="(\d+)"', html)


def _kept(app):
    return app.extensions.get(scales.EXTENSION, {})


def test_each_juror_sees_their_own_choice(app, setup, client, auth):  # noqa: F811
    round_ = setup["round"]
    c1, c2 = round_.criteria
    auth.login(setup["other"])
    client.post(_url(setup, setup["a"]), data={f"c{c1.id}": "3", "action": "draft"})
    html = client.get(_url(setup, setup["a"])).text
    assert (_checked(html, c1), _checked(html, c2)) == ("3", None)
    auth.logout()
    auth.login(setup["juror"])
    for _ in range(2):  # rendered, then kept
        html = client.get(_url(setup, setup["a"])).text
        assert (_checked(html, c1), _checked(html, c2)) == (None, None)
        assert _radios(html, c1) == [str(v) for v in range(c1.scale_min, c1.scale_max + 1)]
    client.post(_url(setup, setup["a"]), data={f"c{c1.id}": "7", f"c{c2.id}": "2",
                                               "action": "draft"})
    html = client.get(_url(setup, setup["a"])).text
    assert (_checked(html, c1), _checked(html, c2)) == ("7", "2")
    # A refused value is shown as chosen again (the juror's input is kept), not a kept one.
    refused = client.post(_url(setup, setup["a"]), data={f"c{c1.id}": "5", "action": "final"})
    assert refused.status_code == 422
    assert _checked(refused.text, c1) == "5"


def test_anchors_follow_the_language_and_the_criterion(app, setup, client, auth):  # noqa: F811
    round_ = setup["round"]
    c1 = round_.criteria[0]
    c1.anchors = {str(c1.scale_min): "gar nicht erfüllt"}
    c1.anchors_en = {str(c1.scale_min): "not at all"}
    db.session.commit()
    auth.login(setup["juror"])
    html = client.get(_url(setup, setup["a"])).text
    assert '<span class="kern-sr-only">: gar nicht erfüllt</span>' in html
    client.get("/sprache/en")
    flask_babel.refresh()
    html = client.get(_url(setup, setup["a"])).text
    assert '<span class="kern-sr-only">: not at all</span>' in html
    c1.anchors_en = {}
    db.session.commit()
    html = client.get(_url(setup, setup["a"])).text
    assert '<span class="kern-sr-only">: <span lang="de">gar nicht erfüllt</span></span>' in html
    client.get("/sprache/de")
    flask_babel.refresh()


def test_nothing_of_a_juror_or_an_application_is_kept(app, setup, client, auth):  # noqa: F811
    round_ = setup["round"]
    c1 = round_.criteria[0]
    auth.login(setup["juror"])
    client.post(_url(setup, setup["a"]), data={f"c{c1.id}": "4", f"note{c1.id}": "Notiz-XYZ",
                                               "comment": "Kommentar-XYZ", "action": "draft"})
    page = client.get(_url(setup, setup["a"])).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    kept = b"".join(_kept(app).values()).decode()
    assert kept and "jury-scale" in kept
    application = setup["a"].application
    for private in ("Notiz-XYZ", "Kommentar-XYZ", token, setup["juror"].email,
                    setup["juror"].name, setup["a"].code, application.summary,
                    application.project_title):
        assert private not in kept


def test_the_kept_blocks_are_bounded(app, setup, client, auth, monkeypatch):  # noqa: F811
    monkeypatch.setattr(scales, "MAX_ENTRIES", 2)
    auth.login(setup["juror"])
    for entry in (setup["a"], setup["b"]):
        assert client.get(_url(setup, entry)).status_code == 200
    assert 0 < len(_kept(app)) <= 2


@pytest.fixture(autouse=True)
def _forget_kept(app):
    _kept(app).clear()
    yield
    _kept(app).clear()


def test_notes_come_back_escaped_in_their_fields(app, setup, client, auth):  # noqa: F811
    c1 = setup["round"].criteria[0]
    auth.login(setup["juror"])
    client.post(_url(setup, setup["a"]), data={f"note{c1.id}": "<b>gut</b> & klar",
                                               "comment": "Zeile 1\nZeile 2", "action": "draft"})
    html = client.get(_url(setup, setup["a"])).text
    assert (f'<textarea class="kern-form-input__input" id="note{c1.id}" maxlength="2000" '
            f'name="note{c1.id}" rows="2">\r\n&lt;b&gt;gut&lt;/b&gt; &amp; klar</textarea>') in html
    assert ('<textarea class="kern-form-input__input" id="comment" maxlength="5000" '
            'name="comment" rows="4">\r\nZeile 1\nZeile 2</textarea>') in html
