"""services/jury/redaction_patterns.py on its own: the German forms of names, places and
streets a term finds, the contact data written to dodge a filter (e-mail addresses,
handles, web addresses, phone numbers), and the ordinary words, dates and numbers it leaves
alone. How the redaction uses them on whole applications: test_redaction_german.py."""
import re

import pytest

from awards.services.jury import redaction_patterns as patterns


def _found(text, term, **kw):
    return [text[start:end] for start, end in patterns.find_term(text, term, **kw)]


# --- names, places, streets -------------------------------------------------------------------

@pytest.mark.parametrize("term, text, expected", [
    # genitive and other endings
    ("Quastwerk", "Die Arbeit des Quastwerks und des Quastwerkes.", ["Quastwerks", "Quastwerkes"]),
    # compounds that start with, end with or contain the name
    ("Quastwerk", "Das Quastwerk-Team und die Quastwerkmitglieder.", ["Quastwerk", "Quastwerkmitglieder"]),
    ("Quastwerk", "Im Jugendquastwerk lernen Kinder.", ["Jugendquastwerk"]),
    # case and spellings without umlauts or ß
    ("Quastwerk", "QUASTWERK und quastwerk.", ["QUASTWERK", "quastwerk"]),
    ("München", "In Muenchen, in München und in Munich.", ["Muenchen", "München", "Munich"]),
    ("Wörthstraße", "Treffpunkt Woerthstrasse 12 oder Wörthstrasse.", ["Woerthstrasse", "Wörthstrasse"]),
    # adjectives and inhabitants of places
    ("München", "Münchner Kinder, Münchnerinnen und Münchener Familien.",
     ["Münchner", "Münchnerinnen", "Münchener"]),
    ("Dachau", "Der Dachauer Helferkreis.", ["Dachauer"]),
    ("Ingolstadt", "Die Ingolstädter Tafel.", ["Ingolstädter"]),
    ("Erlangen", "Erlanger Studierende.", ["Erlanger"]),
    ("Wunsiedel", "Wunsiedler Nachbarn.", ["Wunsiedler"]),
    ("Fürstenfeldbruck", "Die Brucker Tafel.", ["Brucker"]),
    # a hyphenated name written with a space, and its genitive
    ("Öztürk-Brandl", "Frau Öztürk Brandl und Öztürk-Brandls Team.", ["Öztürk Brandl", "Öztürk-Brandls"]),
    # an abbreviation is matched as written
    ("e.V.", "Ein e.V. aus Hof.", ["e.V."]),
])
def test_a_term_finds_its_german_forms(term, text, expected):
    assert _found(text, term) == expected


@pytest.mark.parametrize("term, text", [
    ("Hof", "Im Hofgarten und am Friedhof."),           # short: only as a word
    ("Brücke", "Am Brückentag und bei der Zugbrücke."),  # common word: never inside words
    ("Leben", "Wir erleben Lebensfreude."),
    ("Quastwerk", "Ein Kunstwerk aus Quast."),
    ("Au", "Auch Bauern kommen aus Augsburg."),
])
def test_short_and_common_words_do_not_black_out_other_words(term, text):
    assert _found(text, term) == []


def test_short_and_common_words_match_as_words_with_their_endings():
    assert _found("Hofer Kinder und Hofs Geschichte.", "Hof") == ["Hofer", "Hofs"]
    assert _found("Zwei Brücken, eine Brücke.", "Brücke") == ["Brücken", "Brücke"]
    assert _found("Kims Idee, Kim hilft.", "Kim") == ["Kims", "Kim"]
    # A genitive that would spell an ordinary word ("aus") needs its apostrophe.
    assert _found("Menschen aus Au, Auer Kinder und Au's Feste.", "Au") == ["Au", "Auer", "Au's"]


def test_parts_of_peoples_names_take_endings_but_form_no_compounds():
    text = "Peters Plan, Petersilie und Peterchen."
    assert _found(text, "Peter", compounds=False) == ["Peters"]
    assert _found(text, "Peter") == ["Peters", "Petersilie", "Peterchen"]


def test_addresses_and_numbers_are_matched_literally():
    assert not patterns.is_word_term("info@quastwerk.de")
    assert not patterns.is_word_term("80331")
    assert patterns.is_word_term("Leyla Öztürk-Brandl")
    assert patterns.is_word_term("St.")
    text = "Post an info@quastwerk.de, nicht an xinfo@quastwerk.de oder info@quastwerk.dev."
    assert _found(text, "info@quastwerk.de") == ["info@quastwerk.de"]
    assert _found("PLZ 80331, nicht 803310.", "80331") == ["80331"]


@pytest.mark.parametrize("term, text, hit", [
    ("Fürth", "Die Fürther Tafel", "Fürther"),
    ("Quastwerk", "im Jugendquastwerk", "quastwerk"),
    ("Hof", "Hofer Kinder", "Hofer"),
    ("München", "Munich", "Munich"),
])
def test_the_single_search_pattern_finds_the_same_forms(term, text, hit):
    assert re.search(patterns.term_pattern(term), text, re.IGNORECASE).group() == hit


@pytest.mark.parametrize("term, text", [("Hof", "Friedhof"), ("Brücke", "Brückentag"),
                                        ("Fürth", "Unfürth")])
def test_the_single_search_pattern_keeps_word_boundaries(term, text):
    assert re.search(patterns.term_pattern(term), text, re.IGNORECASE) is None


# --- contacts -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "info [at] quastwerk [punkt] de", "info(at)quastwerk.de", "info {at} quastwerk {dot} de",
    "info -at- quastwerk.de", "info at quastwerk dot de", "info ät quastwerk punkt de",
    "info @ quastwerk.de", "vorname.name <at> mail.quastwerk.org",
])
def test_dodged_email_addresses_are_found(text):
    assert patterns.EMAIL_DODGE_RE.search(f"Schreiben Sie an {text}, gern.").group() == text


@pytest.mark.parametrize("text", [
    "Wir treffen uns at home.", "und @nachbarn.hilfe", "Treffen at 10 Uhr am Marktplatz.",
    "Kurs (at) Volkshochschule", "info@quastwerk.de",
    "Kurs (at) Volkshochschule [punkt] Raum 3",  # no top-level domain "Raum"
])
def test_ordinary_text_is_no_dodged_address(text):
    assert patterns.EMAIL_DODGE_RE.search(text) is None


def test_handles_are_found_but_not_inside_an_address():
    found = patterns.HANDLE_RE.findall("Folgen Sie @quastwerk und @quast.werk. Mail: info@quastwerk.de")
    assert found == ["@quastwerk", "@quast.werk"]


@pytest.mark.parametrize("text, url", [
    ("Mehr auf quastwerk.de.", "quastwerk.de"),
    ("Bilder: instagram.com/quastwerk, Videos folgen.", "instagram.com/quastwerk"),
    ("Siehe www.quastwerk.de/team.", "www.quastwerk.de/team"),
    ("Unser Blog (quast-werk.blog/2024/fest) erzählt.", "quast-werk.blog/2024/fest"),
])
def test_web_addresses_without_a_scheme_are_found(text, url):
    assert patterns.BARE_URL_RE.findall(text) == [url]


@pytest.mark.parametrize("text", ["Wir helfen z.B. bei Anträgen.", "Seit 2020.De facto",
                                  "Mail: info@quastwerk.de", "Version 1.2.3 läuft."])
def test_abbreviations_numbers_and_addresses_are_no_web_address(text):
    assert patterns.BARE_URL_RE.findall(text) == []


@pytest.mark.parametrize("number", [
    "089 4480 1234", "+49 89 44801234", "0171/1234567", "(089) 44 80 12 34", "0049-89-4480-1234",
    "+43 1 234567", "0911.765432",
])
def test_phone_numbers_are_found_in_any_grouping(number):
    text = f"Rufen Sie an: {number}. Danke."
    assert [text[s:e] for s, e in patterns.phone_hits(text)] == [number]


@pytest.mark.parametrize("text", [
    "Am 01.02.2024 um 10.00 - 12.00 Uhr.", "Seit 2019 mit 0 Hauptamtlichen.", "PLZ 80331",
    "Kosten: 0,50 € pro Tasse.", "Raum 012, Tel. folgt.", "+49 123",
])
def test_dates_times_and_short_numbers_are_no_phone(text):
    assert list(patterns.phone_hits(text)) == []


@pytest.mark.parametrize("value, digits", [
    ("089 4480-1234", "08944801234"), ("+49 (0)89 4480 1234", "08944801234"),
    ("0049 89 44801234", "08944801234"), ("+43 1 234567", "00431234567"),
    ("12345", None), ("", None), (None, None),
])
def test_phone_digits_are_canonical(value, digits):
    assert patterns.phone_digits(value) == digits


@pytest.mark.parametrize("text, hit", [
    ("Tel. 089 4480 1234", "089 4480 1234"),
    ("Tel. +49 89 4480-1234", "+49 89 4480-1234"),
    ("Tel. +49 (0) 89 44801234", "+49 (0) 89 44801234"),
    ("Tel. 0049/89/4480/1234", "0049/89/4480/1234"),
    ("Durchwahl 4480 1234", "4480 1234"),           # without the area code
])
def test_the_own_phone_number_is_found_in_its_other_spellings(text, hit):
    digits = patterns.phone_digits("089 4480 1234")
    assert [text[s:e] for s, e in patterns.find_phone(text, digits)] == [hit]
    assert re.search(patterns.phone_pattern(digits), text).group() == hit


@pytest.mark.parametrize("text", ["Nummer 108944801234", "Nummer 0894480123456",
                                  "IBAN DE12 3456 0894 4801 2345 67"])
def test_the_own_phone_number_is_not_found_inside_longer_numbers(text):
    digits = patterns.phone_digits("089 4480 1234")
    assert list(patterns.find_phone(text, digits)) == []
