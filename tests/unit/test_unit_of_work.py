"""One unit of work per request (awards/unit_of_work.py), on a small app of its own."""
import pytest
from flask import abort
from sqlalchemy import func, select, update

from awards import create_app, unit_of_work
from awards.errors import DomainError, StaleObjectError, show_on_form
from awards.extensions import db
from awards.forms.base import FlaskForm
from awards.models.users import User
from tests.conftest import _empty_all_tables
from wtforms import StringField


@pytest.fixture
def uow_app(_schema_app, database_url, tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                     STORAGE_DIR=str(tmp_path / "files"), WTF_CSRF_ENABLED=False,
                     RATELIMIT_ENABLED=False)

    def add_user(email):
        db.session.add(User(email=email, name="Kim"))
        db.session.flush()

    @app.post("/t/ok")
    def ok():
        add_user("ok@example.org")
        return "ok"

    @app.post("/t/refused")
    def refused():
        add_user("refused@example.org")
        raise DomainError("nein")

    @app.post("/t/abort")
    def aborted():
        add_user("abort@example.org")
        abort(403)

    @app.post("/t/caught")
    def caught():
        add_user("caught@example.org")
        try:
            raise DomainError("nein")
        except DomainError:
            unit_of_work.discard()
        return "shown again", 422

    @app.get("/t/read-writes")
    def read_writes():
        add_user("get@example.org")
        return "oops"

    @app.get("/t/read-declared")
    def read_declared():
        unit_of_work.allow_write("a documented cache")
        add_user("declared@example.org")
        return "fine"

    @app.post("/t/core-update")
    def core_update():
        db.session.execute(update(User).values(name="Changed"))
        return "ok"

    @app.get("/t/core-update")
    def core_update_get():
        db.session.execute(update(User).values(name="Changed"))
        return "oops"

    @app.post("/t/commit-fails")
    def commit_fails():
        add_user("twice@example.org")
        db.session.add(User(email="twice@example.org", name="Again"))
        return "never"

    @app.errorhandler(DomainError)
    def domain_error(exc):
        return str(exc), 400

    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()


def _emails(app):
    with app.app_context():
        return sorted(db.session.scalars(select(User.email)).all())


def test_a_request_that_returns_is_committed(uow_app):
    assert uow_app.test_client().post("/t/ok").status_code == 200
    assert _emails(uow_app) == ["ok@example.org"]


@pytest.mark.parametrize("path, status", [("/t/refused", 400), ("/t/abort", 403)])
def test_an_exception_rolls_back_everything(uow_app, path, status):
    assert uow_app.test_client().post(path).status_code == status
    assert _emails(uow_app) == []


def test_a_view_that_shows_a_refusal_discards_the_work(uow_app):
    assert uow_app.test_client().post("/t/caught").status_code == 422
    assert _emails(uow_app) == []


def test_a_failed_commit_saves_nothing_and_is_answered(uow_app):
    response = uow_app.test_client().post("/t/commit-fails")
    # The app's handler for IntegrityError answers; nothing of the request is saved.
    assert response.status_code == 409
    assert _emails(uow_app) == []


def test_a_read_only_request_may_not_write_unless_it_says_why(uow_app):
    client = uow_app.test_client()
    with pytest.raises(unit_of_work.WriteInReadOnlyRequest):
        client.get("/t/read-writes")
    assert client.get("/t/read-declared").status_code == 200
    assert _emails(uow_app) == ["declared@example.org"]


def test_statements_count_as_writes(uow_app):
    client = uow_app.test_client()
    client.post("/t/ok")
    with pytest.raises(unit_of_work.WriteInReadOnlyRequest):
        client.get("/t/core-update")
    with uow_app.app_context():
        assert db.session.scalar(select(func.count()).where(User.name == "Changed")) == 0
    assert client.post("/t/core-update").status_code == 200
    with uow_app.app_context():
        assert db.session.scalar(select(func.count()).where(User.name == "Changed")) == 1


def test_outside_the_tests_an_undeclared_write_is_rolled_back(uow_app):
    uow_app.testing = False
    try:
        assert uow_app.test_client().get("/t/read-writes").status_code == 200
    finally:
        uow_app.testing = True
    assert _emails(uow_app) == []


def test_background_items_commit_one_by_one(uow_app):
    with uow_app.app_context():
        with unit_of_work.transaction():
            db.session.add(User(email="one@example.org", name="One"))
        with pytest.raises(RuntimeError), unit_of_work.transaction():
            db.session.add(User(email="two@example.org", name="Two"))
            raise RuntimeError("item failed")
    assert _emails(uow_app) == ["one@example.org"]


class _Form(FlaskForm):
    title = StringField("Titel")


def test_show_on_form_puts_messages_next_to_the_field_or_on_top(uow_app):
    with uow_app.test_request_context(method="POST", data={"title": "Was ich tippte"}):
        form = _Form()
        show_on_form(form, DomainError("Zu lang.", field="title"))
        show_on_form(form, StaleObjectError("Jemand anderes war schneller."))
        show_on_form(form, DomainError(problems=["Erstens.", "Zweitens."]))
        assert form.title.errors == ["Zu lang."]
        assert form.form_errors == ["Jemand anderes war schneller.", "Erstens.", "Zweitens."]
        assert form.title.data == "Was ich tippte"


class _TwoFields(FlaskForm):
    title = StringField("Titel")
    reason = StringField("Grund")
    c7 = StringField("Kriterium")


def test_show_on_form_falls_back_to_a_field_keeps_to_the_shown_ones_and_maps_keys(uow_app):
    with uow_app.test_request_context(method="POST", data={"reason": "Weil"}):
        form = _TwoFields()
        # No field named: beside the field the refusal is about.
        show_on_form(form, DomainError("Schon erfasst."), field="reason")
        # A field the page does not show (carried hidden): beside the shown one instead.
        show_on_form(form, DomainError("Kein Betreff.", field="title"), field="reason",
                     shown=("reason",))
        # field_errors keyed by something else than the field names.
        error = DomainError("Unvollständig.")
        error.field_errors = {7: "Bitte Punkte vergeben.", 8: "Gibt es nicht."}
        show_on_form(form, error, names={7: "c7", 8: "c8"})
        assert form.reason.errors == ["Schon erfasst.", "Kein Betreff."]
        assert not form.title.errors
        assert form.c7.errors == ["Bitte Punkte vergeben."]
        assert form.form_errors == ["Unvollständig."]
        assert form.reason.data == "Weil"
