"""The field registry (awards.fields): a field declared there, and nowhere else, shows up in
every place an application's fields go — the step form and page, the check at submission,
the receipt, the staff view, the export, the juror projection (redacted, or absent if it
identifies the applicant) and the public winner's page (only with the public audience).

The test fields borrow real columns that no registry field uses, so no migration is needed.
"""
import csv
import io
from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l

from awards import fields
from awards.extensions import db
from awards.forms.applications import step_form
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.services import receipts
from awards.services.jury import anonymisation
from awards.services import applications as service
from awards.services.decisions import decision_for
from tests import factories
from tests import factories
from tests import factories
from tests.factories import complete_application, submitted_application as submitted_row
from tests.rendered_forms import rendered_form

SECRET = "Quirinia Zollstock"
IMPACT = f"Seit 2022 treffen sich 40 Familien; Schirmherrin ist {SECRET}."

# A project field every audience reads, required for a submission.
IMPACT_FIELD = fields.Field(
    "reopen_reason", _l("Wirkung im Stadtteil"), 3, fields.AREA, fields.ALWAYS,
    frozenset({fields.STAFF, fields.RECEIPT, fields.EXPORT, fields.JURY, fields.PUBLIC}),
    max_length=500, rows=3, public="text", hint=_l("Was hat sich verändert?"))
# A field that names a person: staff, receipt and export only; redacted for the jury.
PATRON_FIELD = fields.Field(
    "formal_check_reason", _l("Name der Schirmherrin"), 1, fields.TEXT,
    audiences=frozenset({fields.STAFF, fields.RECEIPT, fields.EXPORT}), identifying=True,
    redaction=fields.PERSON, max_length=200)


@pytest.fixture
def registry(app, monkeypatch):
    monkeypatch.setattr(fields, "FIELDS", fields.FIELDS + (IMPACT_FIELD, PATRON_FIELD))


@pytest.fixture
def comp(app):
    return factories.competition(prize_code="BIP", year=2026)


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_added_field_is_in_the_step_forms_and_pages_and_is_stored(client, auth, comp, registry):
    assert step_form(3).reopen_reason.field_class.__name__ == "TextAreaField"
    assert step_form(1).formal_check_reason.field_class.__name__ == "StringField"
    draft = complete_application(competition=comp)
    db.session.commit()
    auth.login(draft.owner)
    for step, name, value, label in ((3, "reopen_reason", IMPACT, "Wirkung im Stadtteil"),
                                     (1, "formal_check_reason", SECRET, "Name der Schirmherrin")):
        url = f"/bewerbung/{draft.id}/schritt/{step}"
        html = _page(client, url)
        assert f'<label class="kern-label" for="{name}">{label}' in html
        form = rendered_form(html, form_id="application-form").fill(**{name: value})
        response = client.post(url, data=form.data(button="save"))
        assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Application, draft.id)
    assert (stored.reopen_reason, stored.formal_check_reason) == (IMPACT, SECRET)
    assert "maxlength=\"500\"" in _page(client, f"/bewerbung/{draft.id}/schritt/3")


def test_added_required_field_is_checked_at_submission(client, auth, comp, registry):
    draft = complete_application(competition=comp)
    db.session.commit()
    with client.application.test_request_context():
        assert service.missing_fields(draft) == {"reopen_reason": "Bitte füllen Sie dieses Feld aus."}
    auth.login(draft.owner)
    html = _page(client, f"/bewerbung/{draft.id}/schritt/5")
    assert (f'<a class="kern-link" href="/bewerbung/{draft.id}/schritt/3#reopen_reason">'
            "Wirkung im Stadtteil</a>") in html


def _row(label, value):
    return (f'<dt class="kern-description-list-item__key">{label}</dt>'
            f'<dd class="kern-description-list-item__value kern-preline">{value}</dd>')


def test_added_field_is_on_the_receipt_the_staff_view_and_in_the_export(client, auth, comp,
                                                                         registry):
    application = submitted_row(competition=comp, reopen_reason=IMPACT,
                                formal_check_reason=SECRET)
    staff = factories.staff(prize_code="BIP")
    db.session.commit()
    with client.application.test_request_context():
        receipt = receipts.render_receipt_html(application=application, received_at=utcnow())
    assert _row("Wirkung im Stadtteil", IMPACT) in receipt
    assert _row("Name der Schirmherrin", SECRET) in receipt
    auth.login(staff)
    detail = _page(client, f"/geschaeftsstelle/bewerbungen/{application.id}")
    assert _row("Wirkung im Stadtteil", IMPACT) in detail
    assert _row("Name der Schirmherrin", SECRET) in detail
    content = client.get(f"/geschaeftsstelle/eingang/{comp.id}/export.csv").data.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(content), delimiter=";"))
    exported = dict(zip(header, row))
    assert (exported["Name der Schirmherrin"], exported["Wirkung im Stadtteil"]) == (SECRET, IMPACT)
    # In the order of the steps, after the fields declared before (the address of step 1
    # is ranked after its contacts).
    assert header.index("Name der Schirmherrin") == header.index("Telefon") + 1
    assert header.index("Wirkung im Stadtteil") == header.index("Erreichte Menschen") + 1


def test_added_fields_in_the_juror_projection_identifying_one_absent_and_redacted(client, auth,
                                                                                   registry):
    comp = factories.competition(prize_code="OBB")
    juror = factories.juror(comp)
    application = factories.submitted_application(comp, admissible=True, reopen_reason=IMPACT,
                                           formal_check_reason=SECRET)
    round_ = factories.open_round(competition=comp, jurors=[juror], applications=[application])
    db.session.commit()
    entry = round_.entries[0]
    assert SECRET in anonymisation.identifiers_for(application, entry).values
    view = anonymisation.project(entry)
    assert [(f.key, str(f.label), f.value) for f in view.fields][-1] == (
        "reopen_reason", "Wirkung im Stadtteil",
        "Seit 2022 treffen sich 40 Familien; Schirmherrin ist [geschwärzt].")
    assert "formal_check_reason" not in [f.key for f in view.fields]
    auth.login(juror)
    sheet = _page(client, f"/jury/runden/{round_.id}/{entry.code}")
    assert "Wirkung im Stadtteil" in sheet
    assert "Seit 2022 treffen sich 40 Familien; Schirmherrin ist [geschwärzt]." in sheet
    for secret in ("Zollstock", "Quirinia", "Name der Schirmherrin"):
        assert secret not in sheet


def test_added_field_on_the_public_page_only_with_the_public_audience(client, registry):
    comp, winners, _ = factories.released_competition(winners=1, others=0, year=2025)
    winner = winners[0]
    winner.reopen_reason = "40 Familien treffen sich jede Woche."
    winner.formal_check_reason = SECRET
    factories.publish(comp, at=utcnow() - timedelta(days=1))
    db.session.commit()
    page = _page(client, f"/preistraeger/BIP/2025/{decision_for(winner).id}")
    assert ('<dt class="kern-description-list-item__key">Wirkung im Stadtteil</dt>\n'
            '      <dd class="kern-description-list-item__value kern-preline">'
            "40 Familien treffen sich jede Woche.</dd>") in page
    assert SECRET not in page and "Name der Schirmherrin" not in page


# --- a real field declared only in the registry: the people a project reaches -------------

def test_people_reached_goes_wherever_the_volunteers_go(client, auth):
    """people_reached is declared once (awards.fields) with the audiences of volunteers_count:
    it is on the receipt, the staff view, in the intake export and the juror projection —
    and, like the volunteers, not on the public winner's page."""
    comp = factories.competition(prize_code="OBB")
    juror = factories.juror(comp)
    application = submitted_row(comp, complete=True, admissible=True, volunteers_count=14,
                                people_reached=2750)
    round_ = factories.open_round(competition=comp, jurors=[juror], applications=[application])
    staff = factories.staff(prize_code="OBB")
    db.session.commit()
    with client.application.test_request_context():
        receipt = receipts.render_receipt_html(application=application, received_at=utcnow())
    assert _row("Anzahl ehrenamtlich Engagierter", "14") in receipt
    # People read the count in their language's notation; the export keeps the number.
    assert _row("Anzahl erreichter Menschen (ungefähr)", "2.750") in receipt
    auth.login(staff)
    detail = _page(client, f"/geschaeftsstelle/bewerbungen/{application.id}")
    assert _row("Anzahl erreichter Menschen (ungefähr)", "2.750") in detail
    content = client.get(f"/geschaeftsstelle/eingang/{comp.id}/export.csv").data.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert dict(zip(header, row))["Erreichte Menschen"] == "2750"
    assert header.index("Erreichte Menschen") == header.index("Hauptamtliche") + 1
    view = anonymisation.project(round_.entries[0])
    assert [(f.key, str(f.label), f.value) for f in view.fields
            if f.key in ("volunteers_count", "people_reached")] == [
        ("volunteers_count", "Ehrenamtlich Engagierte", "14"),
        ("people_reached", "Erreichte Menschen (ungefähr)", "2.750")]
    auth.logout()
    auth.login(juror)
    sheet = _page(client, f"/jury/runden/{round_.id}/{round_.entries[0].code}")
    assert "Erreichte Menschen (ungefähr)" in sheet and "2.750" in sheet
    assert not fields.get("people_reached").has(fields.PUBLIC)
