"""The field registry's declarations are consistent: every field is a column, nothing
identifying reaches the jury, every public field names its consent, and every label has its
English translation."""
from pathlib import Path

from babel.messages.pofile import read_po

from awards import fields
from awards.forms.applications import step_form
from awards.models.applications import Application
from awards.services import publication

CATALOGUE = Path(__file__).resolve().parents[2] / "translations/en/LC_MESSAGES/messages.po"


def test_every_field_is_a_column_of_the_application():
    columns = set(Application.__table__.columns.keys())
    assert [f.name for f in fields.FIELDS if f.name not in columns] == []
    assert len({f.name for f in fields.FIELDS}) == len(fields.FIELDS)


def test_no_identifying_field_reaches_the_jury_and_identifying_ones_are_redacted():
    assert [f.name for f in fields.FIELDS if f.identifying and f.has(fields.JURY)] == []
    assert fields.names(identifying=True) == (
        "nominator_name", "nominator_org", "nominator_email", "nominator_phone", "org_name",
        "contact_name", "street", "postcode", "city", "email", "phone", "website")
    assert fields.names(fields.JURY) == (
        "project_title", "summary", "description", "goals", "target_group", "motto_relation",
        "project_start", "volunteers_count", "staff_count", "people_reached", "partners",
        "funding", "previous_awards")


def test_people_reached_is_an_optional_count_of_step_three_kept_after_retention():
    f = fields.get("people_reached")
    assert (f.step, f.kind, f.required, f.identifying, f.retained) == (
        3, fields.COUNT, None, False, fields.ALWAYS)
    assert f.audiences == fields.get("volunteers_count").audiences
    assert "people_reached" in fields.copied_names()


def test_public_fields_name_a_consent_and_every_input_is_on_its_step_form():
    assert [f.name for f in fields.for_audience(fields.PUBLIC)
            if f.public not in publication.PUBLIC_CONSENTS] == []
    for step in fields.STEPS:
        form = step_form(step)
        assert [f.name for f in fields.step_fields(step) if not hasattr(form, f.name)] == []
    assert [f.name for f in fields.FIELDS if f.section and f.section not in fields.SECTIONS] == []


def test_every_label_and_hint_has_an_english_translation():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh)
    texts = [t for f in fields.FIELDS
             for t in (f.label, f.short_label, f.jury_label, f.export_label, f.hint) if t]
    texts += [t for s in fields.SECTIONS.values() for t in (s.legend, s.hint) if t]
    texts += [title for title, _steps in fields.RECEIPT_SECTIONS]
    untranslated = [fields.plain(t) for t in texts
                    if not (catalogue.get(fields.plain(t)) and catalogue.get(fields.plain(t)).string)]
    assert untranslated == []
