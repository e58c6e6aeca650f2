"""Free-text redaction understands German forms and dodged contact data, leaves ordinary
text alone, and lets staff lift one occurrence without lifting the term everywhere."""
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.jury import RedactionState
from awards.services.jury import anonymisation, rounds
from awards.services.jury.anonymisation import REDACTED as R
from tests import factories
from awards.services.jury import anonymisation, rounds
from awards.services.jury.anonymisation import REDACTED as R

EMPTY = dict(org_name="", contact_name="", street="", postcode="", city="", email="", phone="",
             website="", nominator_name="", nominator_org="", nominator_email="", nominator_phone="")


def _applicant(**kw):
    values = dict(EMPTY, org_name="Quastwerk e.V.", contact_name="Leyla Öztürk-Brandl",
                  street="Wörthstraße 12", postcode="81667", city="München",
                  email="info@quastwerk.de", phone="089 4480 1234",
                  website="https://www.quastwerk.de")
    values.update(kw)
    return SimpleNamespace(**values)


def _redact(text, **kw):
    return anonymisation.redact(text, anonymisation.identifiers_for(_applicant(**kw)))


GERMAN_FORMS = [
    # genitive
    ("Die Arbeit des Quastwerks wächst.", f"Die Arbeit des {R} wächst."),
    ("Die Arbeit des Quastwerkes wächst.", f"Die Arbeit des {R} wächst."),
    ("Frau Öztürks Idee und Leylas Plan.", f"Frau {R} Idee und {R} Plan."),
    # derived words and compounds
    ("Quastwerkers Nähstube öffnet.", f"{R} Nähstube öffnet."),
    ("Das Quastwerk-Team hilft.", f"Das {R}-Team hilft."),
    ("Alle Quastwerkmitglieder kommen.", f"Alle {R} kommen."),
    ("Im Jugendquastwerk lernen Kinder.", f"Im {R} lernen Kinder."),
    ("Die Quastwerk-Nähstube und das Quastwerkfest.", f"Die {R}-Nähstube und das {R}."),
    # case variations
    ("QUASTWERK, quastwerk und QuastWerk.", f"{R}, {R} und {R}."),
    # adjectives and inhabitants in -er, the irregular "Münchner" included
    ("Münchner Kinder und Münchener Familien.", f"{R} Kinder und {R} Familien."),
    ("Die Münchnerin und die Münchnerinnen.", f"Die {R} und die {R}."),
    # spellings without umlauts or ß, and the name in English
    ("Muenchner Kinder in Muenchen, also Munich.", f"{R} Kinder in {R}, also {R}."),
    ("Oeztuerk-Brandl und OEZTUERK schreiben.", f"{R} und {R} schreiben."),
    ("Treffpunkt Woerthstrasse 12.", f"Treffpunkt {R}."),
    ("Treffpunkt Wörthstrasse.", f"Treffpunkt {R}."),
    # a hyphenated name written with a space, and its genitive
    ("Leyla Öztürk Brandl und Leyla Öztürk-Brandls Team.", f"{R} und {R} Team."),
]


@pytest.mark.parametrize("text,expected", GERMAN_FORMS)
def test_redact_finds_german_forms(text, expected):
    assert _redact(text) == expected


PLACES = [
    ("Dachau", "Die Dachauer Tafel in Dachaus Altstadt.", f"Die {R} Tafel in {R} Altstadt."),
    ("Fürth", "Fürther Familien aus Fürth.", f"{R} Familien aus {R}."),
    ("Erlangen", "Erlanger Studierende.", f"{R} Studierende."),
    ("Ingolstadt", "Ingolstädter und Ingolstaedter Helfer.", f"{R} und {R} Helfer."),
    ("Garmisch-Partenkirchen", "Garmisch-Partenkirchner Kinder.", f"{R} Kinder."),
    ("Fürstenfeldbruck", "Die Brucker Tafel.", f"Die {R} Tafel."),
    ("Wunsiedel", "Wunsiedler Nachbarn.", f"{R} Nachbarn."),
    ("Burghausen", "Burghauser Familien.", f"{R} Familien."),
    ("Bad Tölz", "Tölzer Kinder in Bad Tölz.", f"{R} Kinder in {R}."),
    ("Nürnberg", "Nuremberg und Nürnbergs Süden.", f"{R} und {R} Süden."),
    ("Hof", "Wir sind in Hof, im Hofgarten voller Hoffnung.", f"Wir sind in {R}, im Hofgarten voller Hoffnung."),
    ("Hof", "Die Hofer Filmtage und Hofs Altstadt.", f"Die {R} Filmtage und {R} Altstadt."),
    ("Neu-Ulm", "Neu-Ulmer und Ulmer Familien.", f"{R} und {R} Familien."),
]


@pytest.mark.parametrize("city,text,expected", PLACES)
def test_redact_finds_adjectives_of_places(city, text, expected):
    assert _redact(text, city=city, street="", org_name="Quastwerk e.V.") == expected


CONTACTS = [
    # e-mail addresses written to dodge a filter
    ("Schreiben Sie an leyla [at] quastwerk [punkt] de.", f"Schreiben Sie an {R}."),
    ("Oder an kontakt(at)andere-initiative(dot)org!", f"Oder an {R}!"),
    ("Mail: info at verein-nebenan punkt de", f"Mail: {R}"),
    ("Mail: info ät verein-nebenan.de", f"Mail: {R}"),
    ("Mail: info {at} nachbarn [.] de", f"Mail: {R}"),
    ("Mail: info (ät) nachbarn (punkt) de", f"Mail: {R}"),
    ("Mail: info -at- nachbarn dot org", f"Mail: {R}"),
    ("Mail: info @ nachbarn.de", f"Mail: {R}"),
    ("Mail: info @ nachbarn . de oder INFO AT NACHBARN DOT DE", f"Mail: {R} oder {R}"),
    ("Mail: info[ät]nachbarn[punkt]de", f"Mail: {R}"),
    # handles and addresses of the web without a scheme
    ("Folgen Sie @quastwerk_muc und @nachbarn.hilfe!", f"Folgen Sie {R} und {R}!"),
    ("Profil: instagram.com/nachbarn_hilfe, facebook.com/groups/123.",
     f"Profil: {R}, {R}."),
    ("Web: www.nachbarn-helfen.de, nachbarn-helfen.de und tiktok.com/@nachbarn.",
     f"Web: {R}, {R} und {R}."),
    # phone numbers in any grouping, with country code, slashes, dots, spaces, brackets
    ("Tel. +49 (0) 89 / 44 80-12 34.", f"Tel. {R}."),
    ("Tel. 0049 89 44801234.", f"Tel. {R}."),
    ("Tel. (089) 4480 1234.", f"Tel. {R}."),
    ("Tel. 089/4480-1234.", f"Tel. {R}."),
    ("Tel. 089.4480.1234.", f"Tel. {R}."),
    ("Tel. 0 89 44 80 12 34.", f"Tel. {R}."),
    ("Tel. 4480 1234 (Durchwahl).", f"Tel. {R} (Durchwahl)."),
    ("Mobil 0171 2345678 oder +43 1 2345678.", f"Mobil {R} oder {R}."),
    ("Fax (0911) 12 34 56.", f"Fax {R}."),
]


@pytest.mark.parametrize("text,expected", CONTACTS)
def test_redact_finds_dodged_contacts(text, expected):
    assert _redact(text) == expected


UNTOUCHED = [
    "Am 01.02.2024 kamen von 09.00 - 12.00 Uhr 120 Menschen, seit 2019 jede Woche.",
    "Wir sind 12 Ehrenamtliche (Stand 03/2024), Notruf 110 oder 112.",
    "Zum Beispiel im Kindergarten, d.h. z.B. für e.V.-Mitglieder u.a. in Bayern.",
    "Wir nutzen Instagram und E-Mail, treffen uns at home und in der Fürther Straße.",
    "Die Postleitzahl 80331 gehört nicht zu uns; Werkstatt und Quaste bleiben.",
    "Nach dem Brückentag erleben wir Lebensfreude; Hoffnung statt Not.",
    "2023 erreichten wir rund 1.250 Menschen in 12 Stadtteilen (Quote 0,8 %), Raum 0.12.",
    "Ansprechpartnerin: siehe Anlage; Telefon und E-Mail folgen, @ bedeutet „bei“.",
    "Wir treffen uns jeden 1. und 3. Montag, 18:30 – 20:00 Uhr, Aktenzeichen 24/0815.",
]


@pytest.mark.parametrize("text", UNTOUCHED)
def test_redact_leaves_ordinary_text_alone(text):
    assert _redact(text, org_name="Verein Miteinander Leben e.V.", contact_name="Kim Roth",
                   city="Hof", street="", phone="09281 1234567") == text


def test_short_and_common_name_parts_match_only_as_words():
    applicant = dict(org_name="Brücke Hof e.V.", contact_name="Kim Roth", city="Hof", street="")
    assert _redact("Die Brücke und Kims Team in Hof.", **applicant) == f"Die {R} und {R} Team in {R}."
    assert _redact("Brückentag, Hoffnung, Kimono, Rotkehlchen.", **applicant) == (
        "Brückentag, Hoffnung, Kimono, Rotkehlchen.")


def test_parts_of_peoples_names_take_endings_but_not_compounds():
    applicant = dict(contact_name="Maria Peterson", nominator_name="Peter Lindner", city="Hof",
                     org_name="Quastwerk e.V.", street="")
    assert _redact("Marias Idee, Peters Plan und Petersons Garten; Lindners Team.", **applicant) == (
        f"{R} Idee, {R} Plan und {R} Garten; {R} Team.")
    assert _redact("Petersilie aus Mariahilf vom Lindnerhof.", **applicant) == (
        "Petersilie aus Mariahilf vom Lindnerhof.")
    # The same word in the name of the organisation is redacted inside compounds, too.
    assert _redact("Vom Lindnerhof.", **dict(applicant, org_name="Lindner Stiftung")) == f"Vom {R}."


# --------------------------------------------------------------------------- per occurrence

def _entry(summary, **kw):
    comp = factories.competition(prize_code="OBB")
    values = dict(org_name="Quastwerk e.V.", contact_name="Leyla Öztürk-Brandl", city="Fürth",
                  street="Schwabacher Straße 5", postcode="90762", email="info@quastwerk.de",
                  phone="0911 4480 1234", summary=summary)
    values.update(kw)
    factories.submitted_application(comp, admissible=True, **values)
    round_ = factories.jury_round(competition=comp)
    rounds.populate_entries(actor=None, round_=round_)
    db.session.flush()
    return round_.entries[0]


def _summary(entry):
    return next(f.value for f in anonymisation.project(entry).fields if f.key == "summary")


def _choice(entry, text, before_contains):
    return next(key for key, _label, occ in anonymisation.lift_choices(entry.application, entry)
                if occ.text == text and before_contains in occ.before)


VHS = "Das Quastwerk trifft sich in Fürth. Kurse gibt die Volkshochschule Fürth, und Fürther Familien kommen."


def test_lifting_one_occurrence_keeps_the_others(app):
    entry = _entry(VHS)
    staff = factories.staff(prize_code="OBB")
    anonymisation.approve(actor=None, entry=entry)
    key = _choice(entry, "Fürth", "Volkshochschule")
    anonymisation.update_redactions(actor=staff, entry=entry, extra_terms=[], kept_terms=[],
                                    lifted=[key])
    assert _summary(entry) == (f"Das {R} trifft sich in {R}. Kurse gibt die Volkshochschule Fürth, "
                               f"und {R} Familien kommen.")
    assert entry.redaction_state == RedactionState.PENDING and not anonymisation.is_approved(entry)
    assert [(item["field"], item["term"], item["n"]) for item in entry.lifted_occurrences] == [
        ("summary", "Fürth", 0)]
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "jury.redaction.update")).one()
    assert log.actor_id == staff.id
    assert log.old["lifted_occurrences"] == [] and log.new["lifted_occurrences"] == entry.lifted_occurrences
    # The lifted occurrence leaves the leak scan clean.
    assert anonymisation.scan_entry(entry=entry) == []


def test_lifted_occurrence_survives_rerendering_and_edits_elsewhere(app):
    entry = _entry(VHS)
    anonymisation.update_redactions(actor=None, entry=entry, extra_terms=[], kept_terms=[],
                                    lifted=[_choice(entry, "Fürth", "Volkshochschule")])
    db.session.commit()
    db.session.expire_all()
    expected = (f"Das {R} trifft sich in {R}. Kurse gibt die Volkshochschule Fürth, "
                f"und {R} Familien kommen.")
    assert _summary(entry) == expected
    # A sentence added at the front moves every position; the lift still holds.
    entry.application.summary = "Neu seit Mai: Sprachkurse am Abend für alle Nachbarn. " + VHS
    assert _summary(entry) == "Neu seit Mai: Sprachkurse am Abend für alle Nachbarn. " + expected
    # A change right next to the occurrence makes it a different place: redacted again.
    entry.application.summary = VHS.replace("Volkshochschule Fürth,", "Volkshochschule Fürth (VHS),")
    assert _summary(entry) == (f"Das {R} trifft sich in {R}. Kurse gibt die Volkshochschule {R} "
                               f"(VHS), und {R} Familien kommen.")


def test_identical_contexts_are_told_apart_by_their_order(app):
    sentence = "Unser Kurs läuft gemeinsam mit der Volkshochschule Fürth, jeden Montag am Abend. "
    entry = _entry((sentence * 3).strip())
    keys = [key for key, _label, occ in anonymisation.lift_choices(entry.application, entry)
            if occ.text == "Fürth"]
    assert len(keys) == 3 and len(set(keys)) == 3
    anonymisation.update_redactions(actor=None, entry=entry, extra_terms=[], kept_terms=[],
                                    lifted=[keys[1]])
    redacted = sentence.replace("Fürth", R)
    assert _summary(entry) == (redacted + sentence + redacted).strip()


def test_lifting_in_the_title_shows_in_every_projection(app):
    entry = _entry("Kurz.", project_title="Sprachcafé Fürth und Fürther Nachbarn")
    key = next(key for key, _label, occ in anonymisation.lift_choices(entry.application, entry)
               if key.startswith("project_title:") and occ.text == "Fürth")
    anonymisation.update_redactions(actor=None, entry=entry, extra_terms=[], kept_terms=[],
                                    lifted=[key])
    assert anonymisation.project(entry).title == f"Sprachcafé Fürth und {R} Nachbarn"
    assert anonymisation.project_title(entry) == f"Sprachcafé Fürth und {R} Nachbarn"


def test_occurrences_naming_the_applicant_cannot_be_lifted(app):
    entry = _entry("Das Quastwerk e.V. lädt ein: info@quastwerk.de, Tel. 0911 4480 1234, "
                   "Schwabacher Straße 5, 90762 Fürth. Partner: kurse [at] vhs [punkt] de, "
                   "0911 2345678, @vhs_kurse, vhs.de/kurse, Hauptstraße 3.")
    rows = {occ.text: (key, occ.liftable)
            for key, _label, occ in anonymisation.lift_choices(entry.application, entry)}
    assert {text: liftable for text, (_key, liftable) in rows.items()} == {
        "Quastwerk e.V.": False, "info@quastwerk.de": False, "0911 4480 1234": False,
        "Schwabacher Straße 5": False, "90762": False, "Fürth": True,
        "kurse [at] vhs [punkt] de": False, "0911 2345678": False, "@vhs_kurse": False,
        "vhs.de/kurse": False, "Hauptstraße 3": True}
    with pytest.raises(anonymisation.AnonymisationError) as err:
        anonymisation.update_redactions(actor=None, entry=entry, extra_terms=[], kept_terms=[],
                                        lifted=[rows["Quastwerk e.V."][0], rows["Fürth"][0]])
    assert err.value.field == "lifted"
    assert entry.lifted_occurrences == []


def test_review_lists_only_what_is_redacted(app):
    entry = _entry("Frau Öztürk bringt Petersilie mit.", contact_name="Leyla Öztürk-Peter")
    assert _summary(entry) == f"Frau {R} bringt Petersilie mit."
    assert [(t, kind) for t, kind, _keepable, _kept in
            anonymisation.redaction_terms(entry.application, entry)] == [("Öztürk", "part")]


def test_keeping_a_part_keeps_its_forms(app):
    entry = _entry("Haidhausen und die Haidhauser Nachbarn.", contact_name="Kim Haidhausen")
    anonymisation.update_redactions(actor=None, entry=entry, extra_terms=[], kept_terms=["Haidhausen"])
    assert _summary(entry) == "Haidhausen und die Haidhauser Nachbarn."


def test_lifted_occurrence_carries_over_to_the_next_round(app):
    entry = _entry(VHS)
    comp = entry.round.competition
    anonymisation.update_redactions(actor=None, entry=entry, extra_terms=[], kept_terms=[],
                                    lifted=[_choice(entry, "Fürth", "Volkshochschule")])
    anonymisation.approve(actor=None, entry=entry)
    first = entry.round
    factories.force_status(first, "closed")
    final = factories.jury_round(competition=comp, name="Finalrunde", source="advanced")
    (advanced,) = rounds.advance(actor=None, round_=first, entries=[entry], target=final)
    assert advanced.lifted_occurrences == entry.lifted_occurrences
    assert anonymisation.is_approved(advanced)
    assert _summary(advanced) == (f"Das {R} trifft sich in {R}. Kurse gibt die Volkshochschule "
                                  f"Fürth, und {R} Familien kommen.")


@pytest.mark.parametrize("text,expected", GERMAN_FORMS)
def test_leak_scan_pattern_finds_what_redaction_finds(text, expected):
    """The leak scan searches with `_term_pattern`; every term redaction finds, it finds."""
    ids = anonymisation.identifiers_for(_applicant())
    found = {h.term for h in anonymisation.find_hits(text, ids) if h.kind in ("value", "part")}
    assert found
    for term in found:
        assert re.search(anonymisation._term_pattern(term), text, re.IGNORECASE), term
