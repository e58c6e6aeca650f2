"""Patterns for the free-text redaction: the German forms of names and places, and contact
data written so that a simple filter misses it.

`term_pattern(term)` turns one identifying term ("Quastwerk", "München", "Leyla
Öztürk-Brandl") into a regular expression that also finds its inflected and derived forms:
the genitive ("Quastwerks"), adjectives and inhabitants in -er ("Dachauer", "Münchner",
"Münchnerin"), compounds ("Quastwerk-Team", "Quastwerkmitglieder"), and spellings without
umlauts or ß ("Muenchner", "Strasse"). Short and common words are matched only as whole
words with their endings, never inside other words: "Brücke" in a Verein's name must not
black out every "Brückentag".

The contact patterns find e-mail addresses written "name [at] verein [punkt] de", social
media handles ("@verein"), web addresses without a scheme ("instagram.com/verein",
"verein.de") and phone numbers in any grouping.
"""
import os
import re
from functools import lru_cache

# A term matches inside compounds as their first part from this length on ("Fürther",
# "Quastwerk-Team") and anywhere inside a word from INFIX_MIN on ("Jugendquastwerk").
# Shorter terms ("Hof", "Kim") match only as words with their endings.
PREFIX_MIN = 5
INFIX_MIN = 7
# Terms of this length or shorter take only the genitive "s" ("Kims"), nothing else.
SHORT_MAX = 3
# Ordinary words that a short term with a genitive "s" would spell: the place "Au" must
# not black out every "aus". Such a term takes the genitive only with an apostrophe ("Au's").
GENITIVE_CLASHES = {"als", "aus", "bis", "das", "des", "eis", "eins", "los", "uns", "was"}

# Ordinary German words that often appear in the names of Vereine and projects. They are
# still redacted where they stand as words (they may identify the applicant in context), but
# never inside other words: "Verein Miteinander Leben" must not black out "erleben".
COMMON_WORDS = {
    "arbeit", "asyl", "begegnung", "beispiel", "beratung", "bildung", "brücke", "brücken",
    "bunt", "bunte", "bunter", "café", "cafe", "chance", "chancen", "dialog", "dienst",
    "dienste", "eltern", "engagement", "familie", "familien", "flucht", "frauen", "freunde",
    "freundeskreis", "garten", "gemeinsam", "heimat", "helfer", "helferkreis", "herz",
    "hilfe", "hilfswerk", "hoffnung", "interkulturell", "interkulturelle", "international",
    "internationale", "jugend", "kinder", "kirche", "kultur", "kulturen", "kunst", "leben",
    "lernen", "licht", "männer", "mensch", "menschen", "migration", "miteinander", "musik",
    "mütter", "nachbarn", "nachbarschaft", "neue", "neues", "offen", "offene", "paten",
    "patenschaft", "perspektive", "perspektiven", "schritt", "schritte", "sonne", "sozial",
    "soziale", "sport", "sprache", "sprachen", "start", "tafel", "treff", "treffpunkt",
    "tür", "türen", "vielfalt", "welt", "werkstatt", "wege", "willkommen", "zentrum",
    "zukunft", "zuhause", "zusammen",
}

# Bavarian places whose other names the rules below do not form: an adjective that drops
# part of the name, the adjective of a name too short for the rules, or the name in English.
PLACE_FORMS = {
    "münchen": ("munich",),
    "nürnberg": ("nuremberg",),
    "fürstenfeldbruck": ("brucker",),
    "hof": ("hofer",),
    "ulm": ("ulmer",),
    "au": ("auer",),
}

# Endings of nouns and names: genitive, plural and dative forms.
NOUN_ENDINGS = r"(?:s|es|n|en|e|[’'`]s?)?"
# Endings after an adjective or inhabitant stem in -er: "Dachauer", "Dachauers",
# "Dachauern", "Dachauerin", "Dachauerinnen".
ER_ENDINGS = r"(?:s|n|in|innen)?"

_UMLAUTS = {"ä": "a", "ö": "o", "ü": "u"}
_HYPHENS = "-‐‑–"
_SEPARATOR = r"[\s\-‐‑–]+"


def _flex(text):
    """A regex for literal text that also accepts the other spellings of umlauts and ß
    ("München", "Muenchen", "Mu\u0308nchen"), and a space or a dash where the text has either."""
    out = []
    i = 0
    lower = text.lower()
    while i < len(text):
        ch = lower[i]
        pair = lower[i:i + 2]
        if ch in _UMLAUTS:
            base = _UMLAUTS[ch]
            out.append(f"(?:{ch}|{base}e|{base}\u0308)")
        elif pair in ("ae", "oe", "ue") and not (i > 0 and lower[i - 1] in "aeiouq"):
            base = pair[0]
            umlaut = {"a": "ä", "o": "ö", "u": "ü"}[base]
            out.append(f"(?:{pair}|{umlaut}|{base}\u0308)")
            i += 1
        elif ch == "ß":
            out.append("(?:ß|ss)")
        elif pair == "ss":
            out.append("(?:ss|ß)")
            i += 1
        elif ch.isspace() or ch in _HYPHENS:
            while i + 1 < len(text) and (text[i + 1].isspace() or text[i + 1] in _HYPHENS):
                i += 1
            out.append(_SEPARATOR)
        else:
            out.append(re.escape(text[i]))
        i += 1
    return "".join(out)


def _adjective_stems(word):
    """Forms in -er of a (place) name: "Dachau" → "Dachauer", "München" → "Münchner",
    "Erlangen" → "Erlanger", "Ingolstadt" → "Ingolstädter", "Wunsiedel" → "Wunsiedler"."""
    w = word.lower()
    stems = {w + "er"}
    if w.endswith("en"):
        stems |= {w[:-2] + "er", w[:-2] + "ner"}
    elif w.endswith("e"):
        stems.add(w[:-1] + "er")
    if w.endswith("el"):
        stems.add(w[:-2] + "ler")
    if w.endswith("stadt"):
        stems.add(w[:-5] + "städter")
    if w.endswith("hausen"):
        stems.add(w[:-6] + "häuser")
    return stems


def is_word_term(term):
    """Names and places (letters, spaces, dashes, apostrophes, full stops of abbreviations)
    take German forms; e-mail addresses, web addresses and numbers are matched literally."""
    return bool(re.fullmatch(r"[^\W\d_]+(?:[\s\-‐‑–'’.]+[^\W\d_]+)*\.?", term))


def _factored(alternatives):
    """One regex for several (literal, endings) alternatives, with their common beginning
    written once: a pattern that starts with a literal is found many times faster."""
    lowered = [(a.lower(), endings) for a, endings in alternatives]
    common = os.path.commonprefix([a for a, _ in lowered])
    # Never cut inside "ae"/"ss" and the like, which `_flex` spells in several ways.
    while common and common[-1] in "aouäöüsß -‐‑–":
        common = common[:-1]
    rest = sorted({_flex(a[len(common):]) + endings for a, endings in lowered}, key=len, reverse=True)
    body = rest[0] if len(rest) == 1 else "(?:" + "|".join(rest) + ")"
    return _flex(common) + body


@lru_cache(maxsize=4096)
def _matcher(term, compounds=True):
    """(regex without the leading word boundary, whether the match must start at a word
    boundary, how far a match extends): "word" as matched, "prefix" to the end of the word
    (compounds that start with the term), "infix" to both ends of the word. Without
    `compounds` (parts of people's names: "Peter" must not black out "Petersilie") a term
    matches only as a word with its endings."""
    term = re.sub(r"\s+", " ", term).strip()
    if not is_word_term(term):
        body = r"\s+".join(re.escape(piece) for piece in term.split(" "))
        end = r"(?!\w)" if re.search(r"\w$", term) else ""
        return body + end, bool(re.match(r"\w", term)), "word"
    words = term.split()
    last = words[-1]
    head = " ".join(words[:-1])
    if last.endswith(".") or len(last) < 2:
        # "e.V.", "St.": an abbreviation ends the term; no endings.
        return _flex(term) + ("" if term.endswith(".") else r"(?!\w)"), True, "word"
    prefix = "" if not head else _flex(head) + _SEPARATOR
    key = last.lower()
    others = set(PLACE_FORMS.get(key, ())) | set(PLACE_FORMS.get(term.lower(), ()))
    if len(last) <= SHORT_MAX:
        genitive = r"(?:[’'`]s)?" if key + "s" in GENITIVE_CLASHES else r"(?:[’'`]?s)?"
        forms = _factored([(last, genitive)] + [(o, ER_ENDINGS) for o in others])
        return prefix + forms + r"(?!\w)", True, "word"
    stems = _adjective_stems(last)
    if key in COMMON_WORDS or len(last) < PREFIX_MIN or not compounds:
        forms = _factored([(last, NOUN_ENDINGS)] + [(s, ER_ENDINGS) for s in stems]
                          + [(o, "") for o in others])
        return prefix + forms + r"(?!\w)", True, "word"
    # Compounds: any continuation of the word is allowed, so only the stems that do not
    # begin with the term itself are needed ("Münchner" for "München").
    forms = _factored([(last, "")] + [(s, "") for s in stems | others if not s.startswith(key)])
    if not head and len(last) >= INFIX_MIN:
        # Also compounds that end with or contain the term: "Jugendquastwerk".
        return forms, False, "infix"
    return prefix + forms, True, "prefix"


@lru_cache(maxsize=4096)
def term_pattern(term):
    """The regex (a string, to be used case-insensitively) for one identifying term and its
    forms, for a single search such as the leak scan's (`find_term` gives the exact spans).
    Inside compounds it matches from the term on ("quastwerk" in "Jugendquastwerk")."""
    body, boundary, mode = _matcher(term)
    if mode == "infix":
        return body + r"\w*"
    if boundary:
        # The word boundary goes after the first letter, so that the regex still starts with
        # a literal and the fast search for it is kept: "f(?<!\wf)(?:ü|ue)rth".
        if re.match(r"[A-Za-z0-9]", body):
            body = body[0] + r"(?<!\w" + body[0] + ")" + body[1:]
        else:
            body = r"(?<!\w)" + body
    return body + (r"\w*" if mode == "prefix" else "")


@lru_cache(maxsize=4096)
def _compiled_matcher(term, compounds):
    body, boundary, mode = _matcher(term, compounds)
    return re.compile(body, re.IGNORECASE), boundary, mode


def _is_word_char(ch):
    return ch.isalnum() or ch == "_"


def find_term(text, term, *, compounds=True):
    """(start, end) of every match of the term and its forms in text. The word boundaries
    are checked here rather than in the regex: a regex that starts with a look-behind cannot
    use the fast search for its first letters."""
    regex, boundary, mode = _compiled_matcher(term, compounds)
    n = len(text)
    for m in regex.finditer(text):
        start, end = m.span()
        if mode == "infix":
            while start > 0 and _is_word_char(text[start - 1]):
                start -= 1
        elif boundary and start > 0 and _is_word_char(text[start - 1]):
            continue
        if mode in ("prefix", "infix"):
            while end < n and _is_word_char(text[end]):
                end += 1
        yield start, end


# --------------------------------------------------------------------------- contacts

# "@" written out: [at] (at) {at} <at> (ät) -at- " at " " ät ", and " @ " with spaces around.
_AT = (r"(?:\s*[\[({<]\s*(?:at|ät|@)\s*[\])}>]\s*|\s*-\s*(?:at|ät)\s*-\s*|\s+(?:at|ät)\s+"
       r"|\s+@\s+)")
# "." written out: [punkt] (dot) {.} " punkt " " dot " " . ", or a plain dot.
_DOT = r"(?:\s*[\[({<]\s*(?:punkt|dot|\.)\s*[\])}>]\s*|\s+(?:punkt|dot|\.)\s+|\.)"

# A social media handle: "@verein", "@quast.werk" — not the middle of an e-mail address.
HANDLE_RE = re.compile(r"(?<![\w@.+-])@\w(?:[\w.]*\w)?")

# A web address without a scheme: "verein.de", "instagram.com/verein", "www.verein.de/team".
# The top-level domain is lower case and from a list, so that "z.B." or "2020.De" stay.
TLDS = ("de", "com", "org", "net", "eu", "info", "bayern", "io", "at", "ch", "social", "app",
        "online", "berlin", "tv", "ngo", "gov", "edu", "biz", "website", "site", "blog",
        "community", "team", "club", "link", "page")
BARE_URL_RE = re.compile(
    r"(?<![\w@./-])(?:[\w-]+\.)+(?:" + "|".join(TLDS) + r")(?![\w-])"
    r"(?:/[^\s<>\"'\]\)]*[^\s<>\"'.,;:!?\]\)])?")

# An e-mail address written to dodge a filter: "name [at] verein [punkt] de". The top-level
# domain must be a known one, so that "und @nachbarn.hilfe" is not taken for an address.
EMAIL_DODGE_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]*\w" + _AT + r"[\w-]+(?:" + _DOT + r"[\w-]+)*" + _DOT
    + r"(?:" + "|".join(TLDS) + r")(?![\w-])", re.IGNORECASE)

# A phone number: starts with +, 00 or 0 (also "(0"), then digits with any grouping of
# spaces, slashes, dots, dashes and brackets. Candidates are checked by `is_phone`.
PHONE_CANDIDATE_RE = re.compile(r"(?<![\w+])(?:\+|\(\s*0|0)[\d \t\u00a0/.()\-–]*\d")
_DATE_OR_TIME = re.compile(
    r"\d{1,2}\.\s?\d{1,2}\.(?:\s?\d{2,4})?|\d{1,2}[.:]\d{2}(?:\s*[-–]\s*\d{1,2}[.:]\d{2})?")


def is_phone(candidate):
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+") or digits.startswith("00"):
        return 8 <= len(digits) <= 15
    if not 7 <= len(digits) <= 15:
        return False
    return not _DATE_OR_TIME.fullmatch(candidate.strip())


def phone_hits(text):
    """(start, end) of every phone number in text."""
    for m in PHONE_CANDIDATE_RE.finditer(text):
        if is_phone(m.group()):
            yield m.start(), m.end()


_PHONE_SEP = r"[\s/.()\-–]*"


def phone_digits(value):
    """The digits of a phone number in one canonical form: national "0…" for German numbers,
    "00<country>…" for others; None if too short to identify anyone."""
    value = str(value or "").strip()
    digits = re.sub(r"\D", "", value)
    if value.startswith("+"):
        digits = "00" + digits
    if digits.startswith("0049"):
        digits = "0" + digits[4:].lstrip("0")
    if len(digits) < 6:
        return None
    return digits


def _phone_variants(digits):
    def spaced(ds):
        return _PHONE_SEP.join(re.escape(d) for d in ds)

    variants = [spaced(digits)]
    if digits.startswith("00"):
        variants.append(r"\+\s?" + spaced(digits[2:]))
    elif digits.startswith("0"):
        rest = digits[1:]
        variants.append(r"(?:\+\s?|00)49" + _PHONE_SEP + r"(?:\(\s?0\s?\)" + _PHONE_SEP + ")?"
                        + spaced(rest))
        # The local number alone, without the area code ("4480 1234" for "089 4480 1234").
        for length in range(len(rest) - 2, 5, -1):
            variants.append(spaced(rest[-length:]))
    return "(?:" + "|".join(variants) + ")(?!\\d)"


@lru_cache(maxsize=1024)
def phone_pattern(digits):
    """Own phone number in any grouping, with +49/0049 (and "(0)") instead of the leading 0,
    and its subscriber part without the area code."""
    return "(?<![\\d+])" + _phone_variants(digits)


@lru_cache(maxsize=1024)
def _compiled_phone(digits):
    return re.compile(_phone_variants(digits))


def find_phone(text, digits):
    """(start, end) of every occurrence of the own phone number `digits` in text."""
    for m in _compiled_phone(digits).finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] == "+"):
            continue
        yield m.span()
