"""The intake list's rows are kept per process (awards.views.intake_rows) under exactly what
they show: every change of a shown value, the language and the script root give a new row;
the row's template sees nothing but the row; the store is bounded."""
import re

import pytest
from flask_babel import refresh
from jinja2 import meta
from sqlalchemy import update

from awards.enums import ApplicantType, ApplicationStatus, FormalCheck, Region
from awards.extensions import db
from awards.models.applications import Application
from awards.views import intake_rows
from tests import factories
from tests.factories import submitted_application


@pytest.fixture
def listed(app, client, auth):
    comp = factories.competition(prize_code="BIP", year=2026)
    application = submitted_application(complete=True, competition=comp, org_name="Verein A",
                                        project_title="Sprachcafé")
    db.session.commit()
    auth.login(factories.staff(prize_code="BIP"))
    url = f"/geschaeftsstelle/eingang/{comp.id}"

    def row():
        body = client.get(url).text
        return re.search(r'<tr class="kern-table__row">\s*<th[^>]*scope="row">.*?</tr>', body,
                         re.S).group(0)

    return application, row


@pytest.mark.parametrize("column, value, shown", [
    ("org_name", "Verein B", "Verein B"),
    ("project_title", "Lesepaten", "Lesepaten"),
    ("status", ApplicationStatus.WITHDRAWN, ApplicationStatus.WITHDRAWN.label),
    ("formal_check", FormalCheck.INADMISSIBLE, FormalCheck.INADMISSIBLE.label),
    ("applicant_type", ApplicantType.KOMMUNE, ApplicantType.KOMMUNE.label),
    ("region", Region.SCHW, "Schwaben"),
])
def test_a_changed_value_shows_at_the_next_view(listed, column, value, shown):
    application, row = listed
    before = row()
    # The bluntest change there is: an UPDATE beside the app, as another host would make it.
    db.session.execute(update(Application).where(Application.id == application.id)
                       .values({column: value}))
    db.session.commit()
    after = row()
    assert after != before and str(shown) in after


def test_rows_follow_the_language(listed, client, app):
    from flask_babel import force_locale

    application, row = listed
    german = row()
    client.get("/sprache/en")
    refresh()
    english = row()
    with app.test_request_context("/"):
        labels = {}
        for language in ("de", "en"):
            with force_locale(language):
                labels[language] = str(application.status.label)
    assert labels["de"] != labels["en"]
    assert labels["de"] in german and labels["en"] not in german
    assert labels["en"] in english and labels["de"] not in english


def test_the_key_moves_with_every_shown_value(app):
    application = submitted_application(complete=True, competition=factories.competition(
        prize_code="BIP", year=2026))
    values = intake_rows.row_values(application, 2, "open", None)
    with app.test_request_context("/"):
        def key(row, **context):
            inputs = dict(template=intake_rows.TEMPLATE, language="de", script_root="",
                          row=row) | context
            return intake_rows.INPUTS.key(**inputs)

        base = key(values)
        for index in range(len(values)):
            changed = values[:index] + (("other", index),) + values[index + 1:]
            assert key(changed) != base, index
        assert key(values, language="en") != base
        assert key(values, script_root="/preis") != base


def test_the_row_template_sees_only_the_row(app):
    source = app.jinja_loader.get_source(app.jinja_env, intake_rows.TEMPLATE)[0]
    assert meta.find_undeclared_variables(app.jinja_env.parse(source)) <= {"row", "_"}


def test_the_store_is_bounded(listed, app, monkeypatch):
    _application, row = listed
    monkeypatch.setattr(intake_rows, "MAX_ENTRIES", 1)
    store = app.extensions[intake_rows.EXTENSION] = {f"old-{i}": b"x" for i in range(5)}
    row()
    assert len(store) == 1
