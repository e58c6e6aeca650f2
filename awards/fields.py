"""The fields of an application, each declared once.

Everything that lists, labels or checks a field of the application reads this registry:
the step forms (awards.forms.applications) and the step page, the required-fields check at
submission and the copy of an application (services.applications), the receipt and the
read-only views (templates/applicant/_data.html), the intake export (services.exports), the
juror projection and the redaction (services.anonymisation), the ranking exports
(services.jury_exports) and the public winners pages (services.publication).

Adding a field: one `Field(...)` below plus a migration for its column. Nothing else names
the field, except where a page gives it a place of its own (the project title is the
heading of a winner's page, the district is a grouped select).

Leaf module: imports only the enums and Flask-Babel, so every layer may read it. Consumers
read `FIELDS` (or the helpers) at call time, never copies made at import: a test may extend
the registry (see tests/web/test_field_registry.py).
"""
from dataclasses import dataclass

from awards.enums import ApplicantType, SubmissionKind
from awards.i18n import lazy_gettext as _l
from awards.i18n import format_berlin_date, format_berlin_month, format_number

# Audiences: who gets to read a field.
STAFF = "staff"          # the staff's view of an application (intake detail)
RECEIPT = "receipt"      # the receipt PDF (Eingangsbestätigung), the applicant's read-only view
EXPORT = "export"        # the intake export (CSV/XLSX) for staff
JURY = "jury"            # the juror projection (free text redacted in anonymised rounds)
JURY_OPEN = "jury_open"  # the jury, only in rounds that are explicitly not anonymised
PUBLIC = "public"        # the public winners pages (after the consent in `public`)

# When a field is required for a submission (`required`).
ALWAYS = "always"
NOMINATION = "nomination"  # only for a nomination by third parties (Vorschlag durch Dritte)
MOTTO = "motto"            # only when the year has a motto (Jahresmotto)

# What a field holds: decides the form input, the check and how values are shown.
TEXT, AREA, EMAIL, PHONE, POSTCODE, WEBSITE = ("text", "area", "email", "phone", "postcode",
                                              "website")
COUNT, PAST_DATE, CHOICE, RADIO, DISTRICT, CONSENT = ("count", "past_date", "choice", "radio",
                                                      "district", "consent")
DERIVED = "derived"  # set by the application itself (the region from the district): no input
TEXT_KINDS = (TEXT, AREA)
CHOICE_KINDS = (CHOICE, RADIO, DISTRICT)

# How the redaction treats the value of an identifying field (services.anonymisation).
NAME = "name"      # its parts (words) are redacted too
PERSON = "person"  # a person's name: parts match with their endings, not inside compounds
PLACE = "place"    # a place: parts too, and single occurrences may be lifted by staff
STREET = "street"  # parts too, without the house number


@dataclass(frozen=True)
class Section:
    """A group of fields on a step page: a fieldset with a legend, a sub-heading, or a row."""

    layout: str                 # "fieldset", "heading" or "row"
    legend: object = None
    hint: object = None
    css: str = ""               # extra class of the fieldset
    html_id: str = ""           # id of the fieldset (the page's script shows and hides it)
    stack: bool = False         # space the fields of the fieldset like the page


SECTIONS = {
    "nominator": Section("fieldset", _l("Angaben zur vorschlagenden Person"),
                         _l("Nur bei einem Vorschlag durch Dritte ausfüllen."),
                         css="nominator", html_id="nominator-fields", stack=True),
    "laureate": Section("heading", _l("Wer wird ausgezeichnet?")),
    "place": Section("row"),
    "required_consents": Section("fieldset", _l("Pflichtangaben")),
    # Not shown for nominations: the nominee gives these consents (see the step page).
    "publish_consents": Section("fieldset", _l("Freiwillige Einwilligungen zur Veröffentlichung"),
                                _l("Jede Einwilligung ist einzeln und freiwillig. Sie können sie "
                                   "jederzeit widerrufen. Ohne Einwilligung veröffentlichen wir "
                                   "nichts davon.")),
}


@dataclass(frozen=True)
class Field:
    name: str                   # the column of awards.models.applications.Application
    label: object               # the form's label
    step: int
    kind: str = TEXT
    required: str | None = None  # ALWAYS, NOMINATION, MOTTO or None (optional)
    audiences: frozenset = frozenset({STAFF, RECEIPT})
    identifying: bool = False   # names the applicant: never in the projection, redacted in it
    redaction: str | None = None  # NAME, PERSON, PLACE, STREET: how its parts are redacted
    hint: object = None
    short_label: object = None  # receipt, staff view and export, if not `label`
    jury_label: object = None   # projection, if not `short_label`
    export_label: object = None  # intake export, if not `short_label`
    export_rank: int = 0        # columns of the export: by step, then rank, then as declared
    max_length: int | None = None
    rows: int | None = None
    render_kw: tuple = ()       # extra input attributes: (("autocomplete", "email"),)
    choices: object = None      # the enum of a CHOICE or RADIO field
    public: str | None = None   # the consent that publishes it: "name" or "text"
    public_slot: str | None = None  # its own place on a winner's page (else in the details)
    section: str | None = None  # a key of SECTIONS
    shown_when: str | None = None  # NOMINATION: shown on the receipt only for nominations
    shown_with: str | None = None  # a field shown in front of this one, in one row (receipt)
    # What a winner keeps after the retention period (services.retention): ALWAYS (names
    # nobody), "name" or "text" (with that consent to publish); else blanked.
    retained: str | None = None

    @property
    def receipt_label(self):
        return self.short_label or self.label

    @property
    def juror_label(self):
        return self.jury_label or self.receipt_label

    @property
    def plain_juror_label(self):
        """The untranslated jury label (for stored scan results: data, not UI)."""
        return plain(self.juror_label)

    @property
    def column_label(self):
        return self.export_label or self.receipt_label

    def has(self, audience):
        return audience in self.audiences

    @property
    def optional(self):
        """Marked "optional" on the form (MOTTO fields: decided by the page)."""
        return self.required is None

    @property
    def is_text(self):
        return self.kind in TEXT_KINDS

    @property
    def is_input(self):
        return self.kind != DERIVED

    def value(self, application):
        return getattr(application, self.name, None)

    def display(self, application):
        """The value for people (receipt, staff view, export): labels of choices, dates in
        the active language (Babel), None when empty. Booleans stay booleans (the page says ja/nein)."""
        value = self.value(application)
        if value is None or value == "":
            return None
        if self.kind == DISTRICT:
            district = getattr(application, "district", None)
            return district.label if district is not None else None
        if hasattr(value, "label"):
            return value.label
        if self.kind == PAST_DATE:
            return format_berlin_date(value)
        return value

    def jury_value(self, application):
        """The value in the juror projection, unredacted, in the page's language (Babel): ""
        when empty. Dates to the month: the day could help to recognise a project."""
        value = self.value(application)
        if value is None or value == "":
            return ""
        if self.kind == PAST_DATE:
            return format_berlin_month(value)
        if self.kind == COUNT:
            return format_number(value)
        return str(value)

    def required_for(self, application):
        if self.required == ALWAYS:
            return True
        if self.required == NOMINATION:
            return application.kind == SubmissionKind.NOMINATION
        if self.required == MOTTO:
            return bool(application.competition.motto)
        return False


def plain(label):
    """The German text of a lazily translated label (its message id)."""
    args = getattr(label, "_args", None)
    return str(args[0]) if args else str(label)


_STAFF_RECEIPT_EXPORT = frozenset({STAFF, RECEIPT, EXPORT})
_PROJECT = frozenset({STAFF, RECEIPT, JURY})
_PROJECT_EXPORT = _PROJECT | {EXPORT}

FIELDS = (
    # Step 1: who applies
    Field("kind", _l("Art der Einreichung"), 1, RADIO, ALWAYS, _STAFF_RECEIPT_EXPORT,
          choices=SubmissionKind, retained=ALWAYS,
          hint=_l("Bewerben Sie sich mit Ihrem eigenen Projekt, oder schlagen Sie das Projekt "
                  "einer anderen Person oder Organisation vor?")),
    Field("nominator_name", _l("Ihr Name (vorschlagende Person)"), 1, TEXT, NOMINATION,
          identifying=True, redaction=PERSON, short_label=_l("Vorschlagende Person"),
          max_length=200, render_kw=(("autocomplete", "name"),), section="nominator",
          shown_when=NOMINATION),
    Field("nominator_org", _l("Ihre Organisation (falls zutreffend)"), 1, TEXT,
          identifying=True, redaction=NAME,
          short_label=_l("Organisation der vorschlagenden Person"), max_length=200,
          section="nominator", shown_when=NOMINATION),
    Field("nominator_email", _l("Ihre E-Mail-Adresse"), 1, EMAIL, NOMINATION, identifying=True,
          short_label=_l("E-Mail der vorschlagenden Person"), section="nominator",
          shown_when=NOMINATION),
    Field("nominator_phone", _l("Ihre Telefonnummer"), 1, PHONE, identifying=True,
          short_label=_l("Telefon der vorschlagenden Person"), max_length=50,
          render_kw=(("autocomplete", "tel"),), section="nominator", shown_when=NOMINATION),
    Field("applicant_type", _l("Bewerbertyp"), 1, CHOICE, ALWAYS, _STAFF_RECEIPT_EXPORT,
          choices=ApplicantType, section="laureate", retained=ALWAYS),
    Field("org_name", _l("Name der Organisation bzw. der Person"), 1, TEXT, ALWAYS,
          _STAFF_RECEIPT_EXPORT | {JURY_OPEN, PUBLIC}, identifying=True, redaction=NAME,
          hint=_l("Bei Einzelpersonen Vor- und Nachname."),
          short_label=_l("Name der Organisation bzw. Person"), jury_label=_l("Organisation"),
          max_length=200, public="name", public_slot="name", section="laureate",
          retained="name"),
    # For individuals the name on a winner's page is the contact's (services.publication),
    # and a winning person keeps it after the retention period (services.retention).
    Field("contact_name", _l("Ansprechperson"), 1, TEXT, ALWAYS,
          _STAFF_RECEIPT_EXPORT | {PUBLIC}, identifying=True, redaction=PERSON,
          max_length=200, public="name", public_slot="name", section="laureate"),
    Field("street", _l("Straße und Hausnummer"), 1, TEXT, ALWAYS, identifying=True,
          redaction=STREET, max_length=200, render_kw=(("autocomplete", "street-address"),),
          section="laureate"),
    # Staff view and receipt show the postcode in one row with the place (`shown_with`).
    # The export lists the address (export_rank=1) after the contacts.
    Field("postcode", _l("PLZ"), 1, POSTCODE, ALWAYS, frozenset({EXPORT}), identifying=True,
          section="place", export_rank=1),
    Field("city", _l("Ort"), 1, TEXT, ALWAYS, _STAFF_RECEIPT_EXPORT | {JURY_OPEN, PUBLIC},
          identifying=True, redaction=PLACE, short_label=_l("PLZ und Ort"), shown_with="postcode",
          jury_label=_l("Ort"), export_label=_l("Ort"), max_length=120,
          render_kw=(("autocomplete", "address-level2"),), public="name",
          public_slot="place", section="place", retained="name", export_rank=1),
    Field("district_id", _l("Landkreis oder kreisfreie Stadt"), 1, DISTRICT, ALWAYS,
          _STAFF_RECEIPT_EXPORT, short_label=_l("Landkreis/kreisfreie Stadt"), export_rank=1,
          hint=_l("Wo findet das Projekt statt? Daraus ergibt sich der Regierungsbezirk.")),
    Field("region", _l("Regierungsbezirk"), 1, DERIVED, audiences=_STAFF_RECEIPT_EXPORT,
          retained=ALWAYS, export_rank=1),
    Field("email", _l("E-Mail-Adresse für Rückfragen"), 1, EMAIL, ALWAYS, _STAFF_RECEIPT_EXPORT,
          identifying=True, short_label=_l("E-Mail")),
    Field("phone", _l("Telefon"), 1, PHONE, audiences=_STAFF_RECEIPT_EXPORT, identifying=True,
          max_length=50, render_kw=(("autocomplete", "tel"),)),
    Field("website", _l("Internetseite"), 1, WEBSITE, identifying=True, retained="name"),
    # Step 2: the project
    Field("project_title", _l("Name des Projekts"), 2, TEXT, ALWAYS, _PROJECT_EXPORT | {PUBLIC},
          jury_label=_l("Projekttitel"), max_length=200, public="text", public_slot="title",
          retained="text"),
    Field("summary", _l("Kurzbeschreibung"), 2, AREA, ALWAYS, _PROJECT | {PUBLIC},
          hint=_l("Was macht Ihr Projekt, für wen, seit wann? Dieser Text ist das Erste, was "
                  "die Jury liest."),
          max_length=2000, rows=8, public="text", public_slot="summary", retained="text"),
    Field("description", _l("Ausführliche Projektbeschreibung"), 2, AREA, ALWAYS, _PROJECT,
          max_length=10000, rows=14, retained="text"),
    Field("goals", _l("Ziele"), 2, AREA, ALWAYS, _PROJECT, max_length=3000),
    Field("target_group", _l("Zielgruppe"), 2, AREA, ALWAYS, _PROJECT, max_length=3000, rows=4),
    Field("motto_relation", _l("Bezug zum Jahresmotto"), 2, AREA, MOTTO, _PROJECT,
          max_length=3000, rows=4),
    Field("project_start", _l("Projektbeginn"), 2, PAST_DATE, ALWAYS, _PROJECT_EXPORT,
          hint=_l("Seit wann läuft das Projekt?"), render_kw=(("autocomplete", "off"),),
          retained=ALWAYS),
    # Step 3: numbers and partners
    Field("volunteers_count", _l("Anzahl ehrenamtlich Engagierter"), 3, COUNT, ALWAYS,
          _PROJECT_EXPORT, jury_label=_l("Ehrenamtlich Engagierte"),
          export_label=_l("Ehrenamtliche"), retained=ALWAYS,
          hint=_l("Ungefähre Zahl genügt. Geben Sie 0 an, wenn es keine gibt.")),
    Field("staff_count", _l("Anzahl hauptamtlich Beschäftigter"), 3, COUNT, ALWAYS,
          _PROJECT_EXPORT, jury_label=_l("Hauptamtlich Beschäftigte"),
          export_label=_l("Hauptamtliche"), retained=ALWAYS,
          hint=_l("Geben Sie 0 an, wenn es keine gibt.")),
    # Optional: drafts and applications from before the field was asked stay complete.
    Field("people_reached", _l("Anzahl erreichter Menschen (ungefähr)"), 3, COUNT,
          audiences=_PROJECT_EXPORT, jury_label=_l("Erreichte Menschen (ungefähr)"),
          export_label=_l("Erreichte Menschen"), retained=ALWAYS,
          hint=_l("Eine Schätzung genügt: Wie viele Menschen nehmen teil oder nutzen das "
                  "Angebot?")),
    Field("partners", _l("Kooperationspartner"), 3, AREA, audiences=_PROJECT, max_length=3000,
          rows=4),
    Field("funding", _l("Finanzierung"), 3, AREA, audiences=_PROJECT, max_length=3000, rows=4,
          hint=_l("Wie wird das Projekt finanziert (z. B. Spenden, Fördermittel, Eigenmittel)?")),
    Field("previous_awards", _l("Bisherige Auszeichnungen"), 3, AREA, audiences=_PROJECT,
          max_length=3000, rows=3),
    # Step 4: attachments (the files themselves are not fields of the application)
    Field("image_rights_confirmed", _l(
        "Ich bestätige, dass ich die Rechte an den Fotos habe und alle abgebildeten Personen "
        "(bei Minderjährigen die Eltern) mit der Verwendung einverstanden sind."), 4, CONSENT,
        short_label=_l("Bildrechte bestätigt"), hint=_l("Pflicht, sobald Sie Fotos hochladen."),
        retained=ALWAYS),
    # Step 5: consents, each separate
    Field("consent_privacy", _l("Ich habe die Datenschutzhinweise gelesen."), 5, CONSENT, ALWAYS,
          short_label=_l("Datenschutzhinweise gelesen"), section="required_consents",
          retained=ALWAYS,
          hint=_l("Die Datenschutzhinweise finden Sie unter dem Link „Datenschutz“ am "
                  "Seitenende.")),
    Field("consent_truthful", _l("Ich versichere, dass meine Angaben wahrheitsgemäß sind."), 5,
          CONSENT, ALWAYS, short_label=_l("Angaben wahrheitsgemäß"),
          section="required_consents", retained=ALWAYS),
    Field("consent_publish_name", _l(
        "Im Fall einer Auszeichnung darf der Name der Organisation bzw. Person veröffentlicht "
        "werden."), 5, CONSENT, short_label=_l("Veröffentlichung des Namens"),
        section="publish_consents", retained=ALWAYS),
    Field("consent_publish_text", _l(
        "Im Fall einer Auszeichnung darf die Projektbeschreibung veröffentlicht werden."), 5,
        CONSENT, short_label=_l("Veröffentlichung der Projektbeschreibung"),
        section="publish_consents", retained=ALWAYS),
    Field("consent_publish_photos", _l(
        "Im Fall einer Auszeichnung dürfen die Fotos veröffentlicht werden."), 5, CONSENT,
        short_label=_l("Veröffentlichung der Fotos"), section="publish_consents",
        retained=ALWAYS),
)

STEP_TITLES = {
    1: _l("Bewerber/Organisation und Kontakt"),
    2: _l("Projekt"),
    3: _l("Zahlen und Partner"),
    4: _l("Anlagen"),
    5: _l("Einwilligungen und Absenden"),
}
STEPS = tuple(STEP_TITLES)
# The receipt and the read-only views: the first three steps one section each, then the
# attachments, then every consent (steps 4 and 5) in one section.
RECEIPT_SECTIONS = (
    (STEP_TITLES[1], (1,)), (STEP_TITLES[2], (2,)), (STEP_TITLES[3], (3,)),
    (STEP_TITLES[4], None), (_l("Einwilligungen"), (4, 5)),
)


def get(name):
    for f in FIELDS:
        if f.name == name:
            return f
    raise KeyError(name)


def for_audience(audience):
    return [f for f in FIELDS if f.has(audience)]


def export_fields():
    """The columns of the intake export, in order."""
    return sorted(for_audience(EXPORT), key=lambda f: (f.step, f.export_rank))


def names(audience=None, *, identifying=None, text=None):
    """Names of the fields (for an audience; identifying or not; free text or not)."""
    return tuple(f.name for f in FIELDS
                 if (audience is None or f.has(audience))
                 and (identifying is None or f.identifying == identifying)
                 and (text is None or f.is_text == text))


def step_fields(step):
    """The inputs of one step of the form, in order."""
    return [f for f in FIELDS if f.step == step and f.is_input]


def step_names(step):
    return tuple(f.name for f in step_fields(step))


def step_of(name):
    return get(name).step


def nomination_only_names():
    """Fields about the nominating person: emptied when an applicant applies for themselves."""
    return tuple(f.name for f in FIELDS if f.shown_when == NOMINATION)


def copied_names():
    """Every value a copy of an application carries over (the consents are given anew)."""
    return tuple(f.name for f in FIELDS if f.step in (1, 2, 3))


def label(name):
    return get(name).label


def receipt_rows(application, steps, audience=RECEIPT):
    """[(label, value)] of the fields of `steps` for the receipt (or the staff view)."""
    rows = []
    for f in FIELDS:
        if f.step not in steps or not f.has(audience):
            continue
        if f.shown_when == NOMINATION and application.kind != SubmissionKind.NOMINATION:
            continue
        if f.shown_with:
            value = " ".join(str(getattr(application, name) or "")
                             for name in (f.shown_with, f.name)).strip() or None
        else:
            value = f.display(application)
        rows.append((f.receipt_label, value))
    return rows


def layout(step):
    """The step's inputs grouped for the page: [(Section or None, key, [Field])]."""
    groups = []
    for f in step_fields(step):
        if groups and groups[-1][1] == f.section and f.section is not None:
            groups[-1][2].append(f)
        else:
            groups.append((SECTIONS.get(f.section), f.section, [f]))
    return groups
