"""Staff lift one over-redacted occurrence through the review form as rendered; the other
occurrences stay redacted, and the juror's page shows exactly that."""
import lxml.html
import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.jury import RedactionState, Round, RoundEntry, RoundStatus
from awards.services.jury import rounds
from awards.services.jury.anonymisation import REDACTED as R
from tests import factories
from awards.services.jury import rounds
from awards.services.jury.anonymisation import REDACTED as R

P = "/geschaeftsstelle/jury"
SUMMARY = ("Das Quastwerk trifft sich in Fürth. Kurse gibt die Volkshochschule Fürth, "
           "und Fürther Familien kommen.")
LIFTED = (f"Das {R} trifft sich in {R}. Kurse gibt die Volkshochschule Fürth, "
          f"und {R} Familien kommen.")


@pytest.fixture
def world(app):
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB")
    juror = factories.juror(comp, name="Jonas Jury")
    factories.submitted_application(comp, admissible=True, org_name="Quastwerk e.V.", contact_name="Leyla Öztürk-Brandl",
                             city="Fürth", street="Schwabacher Straße 5", postcode="90762",
                             email="info@quastwerk.de", phone="0911 4480 1234", summary=SUMMARY)
    round_ = factories.jury_round(competition=comp)
    rounds.populate_entries(actor=None, round_=round_)
    db.session.commit()
    return {"comp": comp, "staff": staff, "juror": juror, "round": round_, "entry": round_.entries[0]}


def _review_url(w):
    return f"{P}/runden/{w['round'].id}/anonymisierung/{w['entry'].id}"


def _redaction_form(html):
    """The "Schwärzung anpassen" form of the page, as a browser would submit it."""
    doc = lxml.html.fromstring(html)
    form = next(f for f in doc.forms if f.xpath(".//textarea[@name='extra_terms']"))
    return doc, form


def _lift_boxes(doc):
    """{label text: checkbox} of the "Einzelne Stellen nicht schwärzen" fieldset; the label
    marks the occurrence with »« for screen readers."""
    boxes = {}
    for box in doc.xpath("//fieldset[@id='lifted']//input[@type='checkbox'][@name='lifted']"):
        label = doc.xpath(f"//label[@for='{box.get('id')}']")[0]
        boxes[" ".join(label.text_content().split())] = box
    return boxes


def _submit(client, url, form, extra=()):
    data = MultiDict(list(form.form_values()) + list(extra))
    return client.post(form.get("action") or url, data=data)


def test_staff_lift_one_occurrence_and_juror_sees_it(world, client, auth):
    auth.login(world["staff"])
    url = _review_url(world)
    resp = client.get(url)
    assert resp.status_code == 200
    doc, form = _redaction_form(resp.text)
    boxes = _lift_boxes(doc)
    # Every redacted place in the summary that does not name the applicant can be lifted.
    assert list(boxes) == [
        "Kurzbeschreibung – Quastwerk: „Das »Quastwerk« trifft sich in Fürth. Kurse gibt die…“",
        "Kurzbeschreibung – Fürth: „Das Quastwerk trifft sich in »Fürth«. Kurse gibt die Volkshochschule Fürth,…“",
        "Kurzbeschreibung – Fürth: „…Fürth. Kurse gibt die Volkshochschule »Fürth«, und Fürther Familien kommen.“",
        "Kurzbeschreibung – Fürther: „…gibt die Volkshochschule Fürth, und »Fürther« Familien kommen.“",
    ]
    assert not any(box.checked for box in boxes.values())
    vhs = boxes["Kurzbeschreibung – Fürth: „…Fürth. Kurse gibt die Volkshochschule »Fürth«, und Fürther Familien kommen.“"]
    resp = _submit(client, url, form, extra=[("lifted", vhs.get("value"))])
    assert resp.status_code == 302

    db.session.expire_all()
    entry = db.session.get(RoundEntry, world["entry"].id)
    assert [(i["field"], i["term"], i["n"]) for i in entry.lifted_occurrences] == [("summary", "Fürth", 0)]
    assert entry.redaction_state == RedactionState.PENDING
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "jury.redaction.update")).one()
    assert log.actor_id == world["staff"].id
    assert log.new["lifted_occurrences"] == entry.lifted_occurrences

    # The review page: the juror's-eye preview shows the lifted place, the box stays ticked.
    resp = client.get(url)
    doc, form = _redaction_form(resp.text)
    preview = " ".join(doc.xpath("//section[@aria-labelledby='h-preview']")[0].text_content().split())
    assert LIFTED in preview
    assert [box.checked for box in _lift_boxes(doc).values()] == [False, False, True, False]
    marked = doc.xpath("//mark[@class='lifted-original']")
    assert [" ".join(m.text_content().split()) for m in marked] == [
        "nicht geschwärzt (einzeln aufgehoben): Fürth"]

    # Saving the form unchanged keeps the lift; approve, open the round.
    assert _submit(client, url, form).status_code == 302
    resp = client.get(url)
    doc = lxml.html.fromstring(resp.text)
    approve = next(f for f in doc.forms if f.get("action", "").endswith("/freigeben"))
    assert _submit(client, url, approve).status_code == 302
    factories.assign_all(world["round"], [world["juror"]])
    db.session.commit()
    assert client.post(f"{P}/runden/{world['round'].id}/freigeben").status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, world["round"].id).status == RoundStatus.OPEN
    assert db.session.get(RoundEntry, world["entry"].id).leak_hits == []

    auth.logout()
    auth.login(world["juror"])
    resp = client.get(f"/jury/runden/{world['round'].id}/{entry.code}")
    assert resp.status_code == 200
    page = lxml.html.fromstring(resp.text)
    values = [" ".join(dd.text_content().split()) for dd in page.xpath("//dl[contains(@class, 'jury-fields')]//dd")]
    assert values[0] == LIFTED
    for secret in ("Quastwerk", "Fürther", "Öztürk", "info@quastwerk.de"):
        assert secret not in resp.text


def test_unticking_a_lifted_occurrence_redacts_it_again(world, client, auth):
    auth.login(world["staff"])
    url = _review_url(world)
    doc, form = _redaction_form(client.get(url).text)
    first = next(iter(_lift_boxes(doc).values()))
    assert _submit(client, url, form, extra=[("lifted", first.get("value"))]).status_code == 302
    doc, form = _redaction_form(client.get(url).text)
    assert [box.checked for box in _lift_boxes(doc).values()] == [True, False, False, False]
    first = next(iter(_lift_boxes(doc).values()))
    first.checked = False
    assert _submit(client, url, form).status_code == 302
    db.session.expire_all()
    assert db.session.get(RoundEntry, world["entry"].id).lifted_occurrences == []
    actions = db.session.scalars(select(AuditLog.action).where(
        AuditLog.action == "jury.redaction.update")).all()
    assert len(actions) == 2


def test_lifting_the_applicants_name_is_refused_and_nothing_saved(world, client, auth):
    from awards.services.jury import anonymisation

    world["entry"].application.summary = "Das Quastwerk e.V. lädt ein, in Fürth."
    db.session.commit()
    auth.login(world["staff"])
    url = _review_url(world)
    doc, form = _redaction_form(client.get(url).text)
    # The form does not offer the whole name of the applicant ...
    assert list(_lift_boxes(doc)) == ["Kurzbeschreibung – Fürth: „Das Quastwerk e.V. lädt ein, in »Fürth«.“"]
    # ... and a tampered post naming it is refused next to the field, the input kept.
    name_key = next(key for key, _l, occ in anonymisation.lift_choices(
        world["entry"].application, world["entry"]) if occ.text == "Quastwerk e.V.")
    place = next(iter(_lift_boxes(doc).values())).get("value")
    form.fields["extra_terms"] = "Sonnenplatz"
    resp = _submit(client, url, form, extra=[("lifted", name_key), ("lifted", place)])
    assert resp.status_code == 422
    doc = lxml.html.fromstring(resp.text)
    assert " ".join(doc.xpath("//p[@id='lifted-error']")[0].text_content().split()) == (
        "Diese Stellen nennen die Bewerbung selbst und bleiben geschwärzt: Quastwerk e.V.")
    summary = " ".join(doc.xpath("//div[contains(@class, 'error-summary')]")[0].text_content().split())
    assert "Einzelne Stellen nicht schwärzen: Diese Stellen nennen die Bewerbung selbst" in summary
    assert doc.xpath("//textarea[@name='extra_terms']")[0].text_content().strip() == "Sonnenplatz"
    assert [box.checked for box in _lift_boxes(doc).values()] == [True]
    db.session.expire_all()
    entry = db.session.get(RoundEntry, world["entry"].id)
    assert entry.lifted_occurrences in (None, []) and entry.extra_terms == []
