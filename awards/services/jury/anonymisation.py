"""The juror-facing projection of an application — built here and nowhere else.

Jurors never see an Application row. Every juror page, export, mail and JSON response
gets a `JurorEntry`: the round's neutral code, the jury-visible fields (free text with the
application's own identifiers replaced by "[geschwärzt]") and the jury-visible
attachments as metadata-stripped copies named "Anlage 1.pdf", "Anlage 2.jpg", ...

Staff review the redaction in a juror's-eye preview (add terms, keep automatic hits) and
approve it; the approval holds a fingerprint of the projection, so any later change of the
content voids it. The leak scan looks for the identifiers in everything a juror can load;
a round opens only when every entry is approved and the scan is clean.
"""
import hashlib
import json
import logging
import re
import uuid
from dataclasses import asdict, dataclass, field, replace
from dataclasses import fields as dataclass_fields

from awards import fields
from awards.adapters import pdfrewrite
from awards.adapters.storage import StorageError, get_storage
from awards.extensions import db
from awards.i18n import _l
from awards.models.base import utcnow
from awards.models.jury import RedactionState
from awards.services import audit
from awards.services.jury import files as jury_files
from awards.services.jury import redaction_patterns as patterns
from awards.errors import DomainError

log = logging.getLogger("awards.anonymisation")

REDACTED = "[geschwärzt]"

# Which fields the jury reads, their labels and which fields identify the applicant: the
# field registry (awards.fields).


def text_fields():
    """The free-text fields of the projection: the ones redacted."""
    return [f for f in fields.for_audience(fields.JURY) if f.is_text]


def plain_label(name):
    """The untranslated jury label of a field (stored scan results are data, not UI)."""
    try:
        return fields.get(name).plain_juror_label
    except KeyError:
        return name


# Generic words that are parts of names but identify nobody; never redacted on their own.
STOPWORDS = {
    "e.v", "ev", "e.v.", "verein", "vereins", "initiative", "gmbh", "ggmbh", "gug", "ug", "ag",
    "und", "für", "fuer", "der", "die", "das", "des", "dem", "den", "von", "vom", "zu", "zur",
    "zum", "im", "in", "am", "an", "mit", "auf", "aus", "bei", "frau", "herr", "dr", "prof",
    "stadt", "gemeinde", "landkreis", "kreis", "schule", "kita", "projekt", "projekte",
    "integration", "e", "v", "st", "str", "straße", "strasse", "weg", "platz", "gasse",
    "allee", "ring", "haus", "team", "gruppe", "netzwerk", "förderverein", "kreisverband",
    "ortsverband", "bezirk", "pfarrei", "gemeinschaft", "stiftung", "bayern", "oberbayern",
    "bad", "markt", "sankt", "ob", "niederbayern", "oberpfalz", "oberfranken", "mittelfranken",
    "unterfranken", "landeshauptstadt", "vereinigung", "arbeitskreis", "freundeskreis",
}
FREE_MAIL_DOMAINS = {
    "gmail.com", "googlemail.com", "web.de", "gmx.de", "gmx.net", "t-online.de", "outlook.com",
    "outlook.de", "hotmail.com", "hotmail.de", "yahoo.com", "yahoo.de", "posteo.de", "icloud.com",
    "mail.de", "freenet.de", "aol.com", "example.org", "example.com",
}

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
PHONE_RE = patterns.PHONE_CANDIDATE_RE
STREET_RE = re.compile(
    r"(?<!\w)[A-ZÄÖÜ][\wäöüß-]*(?:(?:straße|strasse|str\.|weg|platz|gasse|allee|ring|damm|ufer|"
    r"steig|graben|markt)|\s(?:Straße|Strasse|Str\.|Weg|Platz|Gasse|Allee|Ring|Damm|Ufer))"
    r"\s*\d+\s?[a-zA-Z]?(?!\w)",
)
WORD_SPLIT_RE = re.compile(r"[\s,;:()/&+\"'„“”‚‘’!?<>\[\]]+")
# Parts of names shorter than this identify nobody on their own ("Al", "Bo").
MIN_PART = 3
# How each identifying field is redacted is declared in the registry (`Field.redaction`):
# places (fields.PLACE) are also ordinary words elsewhere ("Fürth" in "Volkshochschule
# Fürth"), so staff may lift single occurrences of their whole values. Names, the full
# address and contacts never (parts of names and of the street may be lifted like any other
# part). Names of people (fields.PERSON) match with their endings ("Öztürks"), not inside
# compounds.
# Characters either side of an occurrence that identify it, with its own text, when staff
# lift it (see `occurrences`).
CONTEXT_CHARS = 30
# Hits that are contact data, never ordinary words: no single occurrence can be lifted.
CONTACT_KINDS = ("email", "url", "handle", "phone")


# --------------------------------------------------------------------------- identifiers

@dataclass
class Identifiers:
    """What identifies one application: whole field values, name parts, staff terms."""

    values: list = field(default_factory=list)    # whole values: never keepable
    parts: list = field(default_factory=list)     # parts of names, street, city
    phones: list = field(default_factory=list)    # digits of own phone numbers
    extra: list = field(default_factory=list)     # added by staff
    kept: set = field(default_factory=set)        # casefolded automatic hits staff keep
    fixed: set = field(default_factory=set)       # casefolded values no occurrence of which can be lifted
    lifted: list = field(default_factory=list)    # occurrences staff lifted: {"field", "term", "context", "n"}
    person_parts: set = field(default_factory=set)  # casefolded parts of people's names only: no compounds

    def all_terms(self):
        return self.values + [p for p in self.parts if p.casefold() not in self.kept] + self.extra

    def canonical(self):
        """Every field, as one string (sets sorted): equal strings redact alike. Made from
        the dataclass's own fields, so a field added later is part of it."""
        values = {f.name: getattr(self, f.name) for f in dataclass_fields(self)}
        return json.dumps({name: sorted(value) if isinstance(value, set) else value
                           for name, value in values.items()},
                          ensure_ascii=False, sort_keys=True)


def _clean(value):
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _name_parts(value):
    parts = []
    for raw in WORD_SPLIT_RE.split(value):
        word = raw.strip(".-_")
        candidates = [word] + (word.split("-") if "-" in word else [])
        for w in candidates:
            w = w.strip(".-_")
            if len(w) >= MIN_PART and not w.isdigit() and w.casefold() not in STOPWORDS:
                parts.append(w)
    return parts


def identifiers_for(application, entry=None):
    ids = Identifiers()
    seen = set()
    person, other = set(), set()

    def add(bucket, term):
        term = _clean(term)
        if len(term) >= 2 and (bucket, term.casefold()) not in seen:
            seen.add((bucket, term.casefold()))
            getattr(ids, bucket).append(term)

    def add_value(f, term):
        add("values", term)
        if f.redaction != fields.PLACE:
            ids.fixed.add(_clean(term).casefold())

    for f in fields.FIELDS:
        if not f.identifying:
            continue
        value = _clean(f.value(application) or "")
        if not value:
            continue
        add_value(f, value)
        if f.kind == fields.WEBSITE:
            bare = re.sub(r"^(https?://)?(www\.)?", "", value, flags=re.IGNORECASE).rstrip("/")
            add_value(f, bare)
            add_value(f, bare.split("/")[0])
        if f.kind == fields.EMAIL and "@" in value:
            domain = value.split("@", 1)[1].lower()
            if domain not in FREE_MAIL_DOMAINS:
                add_value(f, domain)
        if f.kind == fields.PHONE:
            digits = patterns.phone_digits(value)
            if digits and digits not in ids.phones:
                ids.phones.append(digits)
                ids.fixed.add(digits)
        if f.redaction is not None:
            for part in _name_parts(re.sub(r"\d+\s?[a-zA-Z]?$", "", value)
                                    if f.redaction == fields.STREET else value):
                add("parts", part)
                (person if f.redaction == fields.PERSON else other).add(part.casefold())
    if entry is not None:
        for term in entry.extra_terms or []:
            add("extra", term)
        ids.kept = {t.casefold() for t in (entry.kept_terms or [])}
        ids.lifted = list(getattr(entry, "lifted_occurrences", None) or [])
    ids.person_parts = person - other
    # Longest first, so that "Verein Brücke e.V." wins over "Brücke".
    for bucket in ("values", "parts", "extra"):
        getattr(ids, bucket).sort(key=len, reverse=True)
    return ids


def _term_pattern(term):
    """Regex (used case-insensitively) for a term and its German forms; see redaction_patterns."""
    return patterns.term_pattern(term)


def _phone_pattern(digits):
    return patterns.phone_pattern(digits)


# --------------------------------------------------------------------------- redaction

@dataclass
class Hit:
    start: int
    end: int
    kind: str  # "value", "extra", "part", "email", "url", "phone", "street", "handle"
    term: str = ""  # the identifier that produced the hit (for patterns: the matched text)


def _all_hits(text, ids):
    """Every span to redact in text (kept automatic hits removed), lifted ones included."""
    hits = []

    def add(start, end, kind, term):
        if end > start:
            hits.append(Hit(start, end, kind, term))

    for bucket, kind in (("values", "value"), ("extra", "extra"), ("parts", "part")):
        for term in getattr(ids, bucket):
            compounds = term.casefold() not in ids.person_parts
            for start, end in patterns.find_term(text, term, compounds=compounds):
                add(start, end, kind, term)
    for digits in ids.phones:
        for start, end in patterns.find_phone(text, digits):
            add(start, end, "value", digits)
    for regex, kind in ((EMAIL_RE, "email"), (patterns.EMAIL_DODGE_RE, "email"),
                        (URL_RE, "url"), (patterns.BARE_URL_RE, "url"),
                        (patterns.HANDLE_RE, "handle"), (STREET_RE, "street")):
        for m in regex.finditer(text):
            add(m.start(), m.end(), kind, m.group())
    for start, end in patterns.phone_hits(text):
        add(start, end, "phone", text[start:end])
    keepable = ("part", "email", "url", "phone", "street", "handle")
    hits = [h for h in hits
            if not (h.kind in keepable and (text[h.start:h.end].casefold() in ids.kept
                                            or (h.kind == "part" and h.term.casefold() in ids.kept)))]
    hits.sort(key=lambda h: (h.start, -h.end))
    return hits


@dataclass
class Occurrence:
    """One blacked-out place in a text: overlapping hits merged, as the juror sees it.

    Identified without its position, so that it survives re-rendering and edits elsewhere in
    the field: `context` hashes its own text with CONTEXT_CHARS either side, `n` counts the
    earlier occurrences in the same field with the same context (almost always 0)."""

    start: int
    end: int
    text: str
    hits: list
    context: str = ""
    n: int = 0
    lifted: bool = False
    liftable: bool = True
    before: str = ""
    after: str = ""

    def key(self, field_name):
        return f"{field_name}:{self.context}:{self.n}"


def _context_hash(text, start, end):
    def norm(s):
        return re.sub(r"\s+", " ", s).casefold()

    material = "\x1f".join((norm(text[start:end]), norm(text[max(0, start - CONTEXT_CHARS):start]),
                            norm(text[end:end + CONTEXT_CHARS])))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def _excerpt(text, start, end, width=40):
    """The words before and after a place, for staff to recognise it: whole words only,
    "…" where cut."""
    before = text[max(0, start - width):start]
    if start > width and " " in before:
        before = "…" + before.split(" ", 1)[1]
    after = text[end:end + width]
    if end + width < len(text) and " " in after:
        after = after.rsplit(" ", 1)[0] + "…"
    return re.sub(r"\s+", " ", before), re.sub(r"\s+", " ", after)


def occurrences(text, ids, field_name=None):
    """Every redacted place in text, with whether staff lifted it (for `field_name`) and
    whether it may be lifted at all: not when it holds a name or the address of the
    applicant, nor any e-mail address, web address, handle or phone number (never ordinary
    words; staff who must show one keep it for the whole entry)."""
    text = text or ""
    spans = []
    for h in _all_hits(text, ids):
        if spans and h.start <= spans[-1].end:
            spans[-1].end = max(spans[-1].end, h.end)
            spans[-1].hits.append(h)
        else:
            spans.append(Occurrence(h.start, h.end, "", [h]))
    lifted = {(item.get("context"), item.get("n")) for item in ids.lifted
              if field_name and item.get("field") == field_name}
    seen = {}
    for occ in spans:
        occ.text = text[occ.start:occ.end]
        occ.context = _context_hash(text, occ.start, occ.end)
        occ.n = seen.get(occ.context, 0)
        seen[occ.context] = occ.n + 1
        occ.liftable = not any(h.kind in CONTACT_KINDS or (h.kind == "value" and h.term.casefold() in ids.fixed)
                               for h in occ.hits)
        occ.lifted = occ.liftable and (occ.context, occ.n) in lifted
        occ.before, occ.after = _excerpt(text, occ.start, occ.end)
    return spans


def find_hits(text, ids, *, field=None):
    """Every span to redact in text (kept automatic hits and, for `field`, occurrences staff
    lifted removed), sorted, not merged."""
    if not text:
        return []
    if not (field and ids.lifted):
        return _all_hits(text, ids)
    return [h for occ in occurrences(text, ids, field) if not occ.lifted for h in occ.hits]


def segments(text, ids, *, field=None):
    """Split text into [(piece, original_or_None)]: redacted pieces carry their original."""
    text = text or ""
    out, pos = [], 0
    for occ in occurrences(text, ids, field):
        if occ.lifted:
            continue
        if occ.start > pos:
            out.append((text[pos:occ.start], None))
        out.append((REDACTED, occ.text))
        pos = occ.end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def review_segments(text, ids, *, field=None):
    """Split text into [(piece, Occurrence_or_None)] for the staff review: every redacted
    place, lifted or not, carries its occurrence."""
    text = text or ""
    out, pos = [], 0
    for occ in occurrences(text, ids, field):
        if occ.start > pos:
            out.append((text[pos:occ.start], None))
        out.append((occ.text, occ))
        pos = occ.end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


# Redaction is a pure function of the text, the identifiers and the field; a score sheet
# is shown again after every save, and its texts were the most expensive part of the page.
# The memo is keyed by the whole input, so it can never answer for other identifiers; the
# oldest result goes first when it is full.
REDACTION_MEMO_SIZE = 1024
_redactions = {}


def redact(text, ids, *, field=None):
    """`text` with every identifier of `ids` replaced by REDACTED (what the jury reads)."""
    if not text:
        return ""
    key = (text, ids.canonical(), field)
    found = _redactions.get(key)
    if found is None:
        found = "".join(piece for piece, _ in segments(text, ids, field=field))
        if len(_redactions) >= REDACTION_MEMO_SIZE:
            _redactions.pop(next(iter(_redactions), None), None)
        _redactions[key] = found
    return found


def residual_hits(text, ids, *, field, search_ids=None):
    """Identifiers a juror would still read in the redacted `text`, except the occurrences
    staff lifted: [(matched text, kind)]. Empty unless redaction missed something.
    `search_ids` (default `ids`) are searched in the text redacted with `ids`: the leak scan
    also looks for the people named in the uploads' metadata, which the texts do not redact."""
    search_ids = search_ids or ids
    text = text or ""
    out, lifted_spans, pos = [], [], 0
    length = 0
    for occ in occurrences(text, ids, field):
        before = text[pos:occ.start]
        out.append(before)
        length += len(before)
        piece = occ.text if occ.lifted else REDACTED
        if occ.lifted:
            lifted_spans.append((length, length + len(piece)))
        out.append(piece)
        length += len(piece)
        pos = occ.end
    out.append(text[pos:])
    shown = "".join(out)
    return [(shown[h.start:h.end], h.kind) for h in _all_hits(shown, search_ids)
            if not any(s <= h.start and h.end <= e for s, e in lifted_spans)]


def redaction_terms(application, entry):
    """Distinct automatic hits in the jury-visible text, for the staff review:
    [(term, kind, keepable, kept)]."""
    ids = identifiers_for(application, entry)
    ids_all = replace(ids, kept=set(), lifted=[])
    found = {}
    for f in text_fields():
        text = f.value(application) or ""
        for h in find_hits(text, ids_all):
            term = text[h.start:h.end]
            key = term.casefold()
            if h.kind in ("value", "extra") or key not in found:
                found[key] = (term, h.kind)
    out = []
    for key, (term, kind) in sorted(found.items()):
        keepable = kind not in ("value", "extra")
        out.append((term, kind, keepable, key in ids.kept))
    return out


def lift_choices(application, entry):
    """Every redacted place in the jury-visible texts, for lifting one by one:
    [(key, field label, Occurrence)] in the order of the fields and the text."""
    ids = identifiers_for(application, entry)
    out = []
    for f in text_fields():
        for occ in occurrences(f.value(application) or "", ids, f.name):
            out.append((occ.key(f.name), f.juror_label, occ))
    return out


# --------------------------------------------------------------------------- projection

@dataclass(frozen=True)
class JurorAttachment:
    number: int
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class JurorField:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class JurorEntry:
    """Everything a juror may know about one entry."""

    code: str
    round_id: int
    title: str
    fields: tuple
    attachments: tuple

    def as_dict(self):
        return {
            "code": self.code,
            "round_id": self.round_id,
            "title": self.title,
            "fields": [{"key": f.key, "label": plain_label(f.key), "value": f.value}
                       for f in self.fields],
            "attachments": [asdict(a) for a in self.attachments],
        }

    def text(self):
        """All text of the projection in one string (for the leak scan)."""
        return json.dumps(self.as_dict(), ensure_ascii=False)


ATTACHMENT_EXT = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _jury_attachments(application):
    return [a for a in application.attachments
            if a.jury_visible and a.content_type in ATTACHMENT_EXT]


def project(entry, round_=None):
    """THE juror-facing projection of one round entry: the registry's jury fields (and, in
    a round that is not anonymised, its open-identity fields) with their jury labels."""
    application = entry.application
    round_ = round_ or entry.round
    anonymised = round_.anonymised
    ids = identifiers_for(application, entry)
    juror_fields = []
    if not anonymised:
        for f in fields.for_audience(fields.JURY_OPEN):
            value = _clean(f.value(application) or "")
            if value:
                juror_fields.append(JurorField(f.name, f.juror_label, value))
    for f in fields.for_audience(fields.JURY):
        if f.identifying:  # a declaration error: the jury never reads these
            continue
        value = f.jury_value(application)
        if not value or f.name == "project_title":  # the title is the entry's heading
            continue
        if f.is_text and anonymised:
            value = redact(value, ids, field=f.name)
        juror_fields.append(JurorField(f.name, f.juror_label, value))
    title = application.project_title or ""
    title = redact(title, ids, field="project_title") if anonymised else title
    attachments = tuple(
        JurorAttachment(number=i, name=f"Anlage {i}.{ATTACHMENT_EXT[a.content_type]}",
                        content_type=a.content_type, size=a.size)
        for i, a in enumerate(_jury_attachments(application), start=1)
    )
    return JurorEntry(code=entry.code, round_id=entry.round_id, title=title or "–",
                      fields=tuple(juror_fields), attachments=attachments)


def project_title(entry):
    """Only the redacted title (for lists)."""
    application = entry.application
    title = application.project_title or ""
    if entry.round.anonymised:
        title = redact(title, identifiers_for(application, entry), field="project_title")
    return title or "–"


def juror_attachment(entry, number):
    """(storage key, download name, content type) of attachment `number`, or None."""
    items = _jury_attachments(entry.application)
    if number < 1 or number > len(items):
        return None
    attachment = items[number - 1]
    key = jury_files.juror_key(entry, attachment)
    if not key:
        return None
    name = f"Anlage {number}.{ATTACHMENT_EXT[attachment.content_type]}"
    return key, name, attachment.content_type


def fingerprint(entry):
    """Hash of what the projection shows (not the code), to detect changes after approval."""
    view = project(entry)
    material = {
        "title": view.title,
        "fields": [(f.key, f.value) for f in view.fields],
        "attachments": jury_files.fingerprint_material(entry, _jury_attachments(entry.application)),
    }
    return hashlib.sha256(json.dumps(material, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def is_approved(entry):
    return (entry.redaction_state == RedactionState.APPROVED
            and entry.approved_hash is not None and entry.approved_hash == fingerprint(entry))


# --------------------------------------------------------------------------- staff review

class AnonymisationError(DomainError):
    """A redaction or review step that is refused; `field` names the form field, if any."""

    def __init__(self, message, field=None):
        super().__init__(message, field=field)


def _void_approval(entry):
    entry.redaction_state = RedactionState.PENDING
    entry.approved_hash = None
    entry.approved_by_id = None
    entry.approved_at = None


def update_redactions(*, actor, entry, extra_terms, kept_terms, lifted=None):
    """Staff add terms to redact, keep automatic hits visible and lift single occurrences
    (`lifted`: keys from `lift_choices`; None leaves the lifted occurrences as they are).
    Whole identifying values (organisation, names, e-mail, ...) can never be kept, and no
    occurrence of them can be lifted."""
    if entry.round.status.value != "draft":
        raise AnonymisationError(_l("Die Runde ist bereits freigegeben; die Schwärzung kann nicht mehr geändert werden."))
    ids = identifiers_for(entry.application)
    whole = {v.casefold() for v in ids.values}
    extra = sorted({_clean(t) for t in extra_terms if len(_clean(t)) >= 2}, key=str.casefold)
    kept = sorted({_clean(t) for t in kept_terms if _clean(t)}, key=str.casefold)
    refused = [t for t in kept if t.casefold() in whole]
    if refused:
        raise AnonymisationError(
            _l("Diese Angaben identifizieren die Bewerbung und bleiben geschwärzt: %(terms)s",
               terms=", ".join(refused)))
    old_lifted = list(entry.lifted_occurrences or [])
    new_lifted = old_lifted if lifted is None else _chosen_lifts(entry, lifted)
    old = {"extra_terms": list(entry.extra_terms or []), "kept_terms": list(entry.kept_terms or []),
           "lifted_occurrences": old_lifted}
    new = {"extra_terms": extra, "kept_terms": kept, "lifted_occurrences": new_lifted}
    entry.extra_terms = extra
    entry.kept_terms = kept
    entry.lifted_occurrences = new_lifted
    if old != new:
        _void_approval(entry)
        audit.record(actor=actor, action="jury.redaction.update", obj=entry,
                     competition_id=entry.round.competition_id, old=old, new=new)
    db.session.flush()
    return entry


def _chosen_lifts(entry, keys):
    """The stored form of the occurrences staff chose to lift. Keys of occurrences that no
    longer exist are dropped; an occurrence that identifies the applicant is refused."""
    choices = {key: (label, occ) for key, label, occ in lift_choices(entry.application, entry)}
    out, refused = [], []
    for key in dict.fromkeys(keys):
        if key not in choices:
            continue
        label, occ = choices[key]
        if not occ.liftable:
            refused.append(occ.text)
            continue
        out.append({"field": key.split(":", 1)[0], "term": occ.text, "context": occ.context,
                    "n": occ.n})
    if refused:
        raise AnonymisationError(
            _l("Diese Stellen nennen die Bewerbung selbst und bleiben geschwärzt: %(terms)s",
               terms=", ".join(refused)), field="lifted")
    return sorted(out, key=lambda item: (item["field"], item["context"], item["n"]))


def approve(*, actor, entry):
    if entry.round.status.value != "draft":
        raise AnonymisationError(_l("Die Runde ist bereits freigegeben."))
    refresh_files(entry=entry)
    entry.redaction_state = RedactionState.APPROVED
    entry.approved_hash = fingerprint(entry)
    entry.approved_by_id = getattr(actor, "id", None)
    entry.approved_at = utcnow()
    audit.record(actor=actor, action="jury.redaction.approve", obj=entry,
                 competition_id=entry.round.competition_id,
                 new={"code": entry.code, "hash": entry.approved_hash})
    db.session.flush()
    return entry


def set_attachment_visibility(*, actor, attachment, visible):
    """Staff show or hide an attachment for the jury; visible ones get a stripped copy."""
    if attachment.jury_visible == visible:
        return attachment
    if visible and attachment.content_type not in ATTACHMENT_EXT:
        raise AnonymisationError(_l("Nur PDF-, JPEG- und PNG-Dateien können der Jury gezeigt werden."))
    attachment.jury_visible = visible
    if visible:
        prepare_jury_copy(attachment=attachment)
    audit.record(actor=actor, action="jury.attachment.visibility", obj=attachment,
                 competition_id=attachment.application.competition_id,
                 old={"jury_visible": not visible}, new={"jury_visible": visible})
    db.session.flush()
    return attachment


# --------------------------------------------------------------------------- attachments

def strip_pdf(data):
    """A rebuilt copy of the PDF: page content only (see services/jury/files.py)."""
    return jury_files.rebuild(data, "application/pdf")


def strip_image(data, content_type):
    """Re-encode the pixels only: EXIF (with GPS), XMP, ICC, comments and text chunks go."""
    return jury_files.rebuild(data, content_type)


def prepare_jury_copy(*, attachment, storage=None):
    """Write the rebuilt copy that the jury's files are made from; returns its key."""
    if attachment.content_type not in ATTACHMENT_EXT:
        raise AnonymisationError(_l("Nur PDF-, JPEG- und PNG-Dateien können der Jury gezeigt werden."))
    try:
        return jury_files.prepare_base(attachment=attachment, storage=storage)
    except jury_files.JuryFileError as exc:
        log.warning("jury copy of attachment %s not made: %s", attachment.id, exc)
        raise AnonymisationError(_l("Die Datei „%(name)s“ lässt sich nicht lesen und kann der Jury "
                                    "nicht gezeigt werden.", name=attachment.filename)) from exc


def file_identifiers(entry, storage=None):
    """What is redacted in the entry's files and searched by the leak scan: the
    application's identifiers plus the people named in its uploads' metadata."""
    if not entry.round.anonymised:
        return Identifiers()
    people = jury_files.people_for(entry, entry.application, storage)
    names = people + [part for person in people for part in _name_parts(person)]
    return jury_files.with_people(identifiers_for(entry.application, entry), names)


def refresh_files(*, entry, storage=None):
    """Make the redacted copies of the entry's jury-visible PDFs current."""
    try:
        return jury_files.refresh(entry=entry, attachments=_jury_attachments(entry.application),
                                  ids=file_identifiers(entry, storage), find_hits=find_hits,
                                  redact=redact, storage=storage)
    except jury_files.JuryFileError as exc:
        log.warning("jury files of entry %s not made: %s", entry.id, exc)
        raise AnonymisationError(_l("Eine Anlage lässt sich nicht lesen und kann der Jury nicht "
                                    "gezeigt werden. Bitte blenden Sie sie aus.")) from exc
    except StorageError as exc:
        log.warning("jury files of entry %s not made, storage failed: %s", entry.id, exc)
        raise AnonymisationError(_l("Die Anlagen konnten gerade nicht gelesen oder gespeichert "
                                    "werden. Bitte versuchen Sie es in einigen Minuten erneut.")) from exc


def _juror_item(entry, number):
    items = _jury_attachments(entry.application)
    if number < 1 or number > len(items):
        return None
    return items[number - 1]


def juror_text_version(entry, number):
    """The accessible text version of jury attachment `number` (a PDF), with the same
    redactions as the file: (download name, [page texts]) or None."""
    attachment = _juror_item(entry, number)
    if attachment is None or attachment.content_type != "application/pdf":
        return None
    pages = jury_files.text_version(entry, attachment)
    if pages is None:
        return None
    return f"Anlage {number}.pdf", pages


def juror_page_image(entry, number, page):
    """Page `page` of jury attachment `number` as a PNG, exactly as jurors get the file."""
    attachment = _juror_item(entry, number)
    if attachment is None:
        return None
    try:
        return jury_files.page_image(entry, attachment, page)
    except StorageError:
        return None


def file_review(entry):
    """For the staff review: each jury-visible PDF with its pages and what is blacked out."""
    out = []
    for number, attachment in enumerate(_jury_attachments(entry.application), start=1):
        record = jury_files.file_record(entry, attachment)
        if attachment.content_type != "application/pdf" or not record:
            continue
        out.append({"number": number, "name": f"Anlage {number}.pdf", "attachment": attachment,
                    "pages": record.get("pages", 0), "found": record.get("found", []),
                    "redacted_pages": record.get("redacted_pages", [])})
    return out


def file_terms(entry):
    """Automatic hits blacked out in the entry's PDFs that staff may lift: [term]. Whole
    identifying values and terms staff added are never offered."""
    return [term for term, kind in jury_files.found_terms(entry, _jury_attachments(entry.application))
            if kind not in ("value", "extra")]


def pdf_text(data):
    try:
        return "\n".join(pdfrewrite.page_texts(data))
    except pdfrewrite.FileRewriteError:
        log.warning("PDF text could not be extracted")
        return ""


# --------------------------------------------------------------------------- leak scan

def _search(text, ids, where):
    """Findings of the identifiers (with their forms) in a text a juror reads."""
    hits = []
    for h in find_hits(text or "", ids):
        item = {"where": where, "term": " ".join(text[h.start:h.end].split())[:80]}
        if item not in hits:
            hits.append(item)
    return hits


def projection_leaks(entry, view, ids):
    """Identifiers a juror would still read in the code, title and fields of the projection;
    occurrences staff lifted on purpose are not findings. The texts are redacted as the
    projection redacts them and searched for `ids` (which may name more, see
    `file_identifiers`)."""
    application = entry.application
    shown_ids = identifiers_for(application, entry)
    hits = [{"where": "Kennung und Titel", "term": view.code[h.start:h.end]}
            for h in find_hits(view.code, ids)]
    for term, _kind in residual_hits(application.project_title or "", shown_ids,
                                     field="project_title", search_ids=ids):
        hits.append({"where": "Kennung und Titel", "term": term})
    text_names = {t.name for t in text_fields()}
    for f in view.fields:
        where = plain_label(f.key)
        if f.key in text_names:
            found = [t for t, _kind in residual_hits(getattr(application, f.key, "") or "", shown_ids,
                                                     field=f.key, search_ids=ids)]
        else:
            found = [f.value[h.start:h.end] for h in find_hits(f.value, ids)]
        hits += [{"where": where, "term": t} for t in found]
    return hits


def scan_entry(*, entry, storage=None):
    """Look for the application's identifiers in everything a juror can load for this entry:
    the projection, and every object of each file exactly as a juror downloads it (decoded
    text and metadata), also for the people named in the uploads' own metadata.
    Stores and returns the hits: [{"where": ..., "term": ...}]."""
    storage = storage or get_storage()
    view = project(entry)
    ids = file_identifiers(entry, storage)
    hits = []
    try:
        # Copies made before a change of terms or files are made again first. A copy made
        # anew was never approved: it counts as a finding until staff approve it.
        if refresh_files(entry=entry, storage=storage) and entry.redaction_state == RedactionState.APPROVED:
            hits.append({"where": "Anlagen", "term": "neu geschwärzt, noch nicht freigegeben"})
    except AnonymisationError:
        hits.append({"where": "Anlagen", "term": "Datei nicht lesbar"})
    if entry.round.anonymised:
        hits += projection_leaks(entry, view, ids)
    for attachment, item in zip(_jury_attachments(entry.application), view.attachments):
        key = jury_files.juror_key(entry, attachment)
        if not key:
            hits.append({"where": item.name, "term": "bereinigte Kopie fehlt"})
            continue
        if entry.round.anonymised and not jury_files.is_current(entry, attachment, ids):
            hits.append({"where": item.name, "term": "geschwärzte Kopie veraltet"})
            continue
        try:
            data = storage.read(key)
        except StorageError:
            hits.append({"where": item.name, "term": "bereinigte Kopie fehlt"})
            continue
        if entry.round.anonymised:
            hits += jury_files.scan_bytes(data, attachment.content_type, ids=ids,
                                          find_hits=find_hits, where=item.name)
    unique = []
    for h in hits:
        if h not in unique:
            unique.append(h)
    entry.leak_hits = unique
    entry.scanned_at = utcnow()
    db.session.flush()
    return unique


def attachment_text_hits(*, attachment, entry, storage=None):
    """What is blacked out in the text of one PDF for this entry (shown to staff):
    [{"where": "S. 2", "term": ...}]."""
    record = jury_files.file_record(entry, attachment)
    return [{"where": f"S. {item['page']}", "term": item["term"]}
            for item in (record or {}).get("found", [])]
