"""States, roles and reference codes. Imports only awards.i18n (its labels), itself a leaf."""
import enum

from awards.i18n import lazy_gettext as _l


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a translatable German label."""

    def __new__(cls, value, label):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    def __str__(self):
        return self.value

    @classmethod
    def choices(cls):
        return [(m.value, m.label) for m in cls]


class Role(LabelledEnum):
    ADMIN = "admin", _l("Administration")
    STAFF = "staff", _l("Geschäftsstelle")
    JUROR = "juror", _l("Jurymitglied")


class Level(LabelledEnum):
    STATE = "state", _l("Landesebene")
    REGIONAL = "regional", _l("Regierungsbezirk")


class Region(LabelledEnum):
    OBB = "OBB", "Oberbayern"
    NDB = "NDB", "Niederbayern"
    OPF = "OPF", "Oberpfalz"
    OFR = "OFR", "Oberfranken"
    MFR = "MFR", "Mittelfranken"
    UFR = "UFR", "Unterfranken"
    SCHW = "SCHW", "Schwaben"


def prize_name(code):
    """The name of a prize by its code, in the page's language (lazy): "Bayerischer
    Integrationspreis", "Integrationspreis der Regierung von Schwaben", "… der Oberpfalz"."""
    if code == "BIP":
        return _l("Bayerischer Integrationspreis")
    if code == Region.OPF.value:
        return _l("Integrationspreis der Regierung der Oberpfalz")
    return _l("Integrationspreis der Regierung von %(r)s", r=Region(code).label)


class CompetitionStatus(LabelledEnum):
    DRAFT = "draft", _l("Entwurf")
    OPEN = "open", _l("Offen für Bewerbungen")
    CLOSED = "closed", _l("Bewerbungsschluss erreicht")
    JURY = "jury", _l("In der Jury")
    DECIDED = "decided", _l("Entschieden")
    PUBLISHED = "published", _l("Veröffentlicht")
    ARCHIVED = "archived", _l("Archiviert")


# The stage staff set by hand. Where a year stands (announced, open, closed at the deadline,
# released, published) is derived from it, the clock and the facts by
# awards.services.lifecycle, which also declares which actions each state allows.
# PUBLISHED is no longer stored (older rows were migrated to DECIDED).


class AllocationMode(LabelledEnum):
    RANKED = "ranked", _l("Rangplätze")
    EQUAL = "equal", _l("Gleiche Anteile")
    FREE = "free", _l("Freie Beträge")


class SubmissionKind(LabelledEnum):
    SELF = "self", _l("Eigenbewerbung")
    NOMINATION = "nomination", _l("Vorschlag durch Dritte")


class ApplicantType(LabelledEnum):
    PERSON = "person", _l("Einzelperson")
    VEREIN = "verein", _l("Verein")
    INITIATIVE = "initiative", _l("Initiative")
    KOMMUNE = "kommune", _l("Kommune")
    SCHULE = "schule", _l("Schule/Kita")
    KIRCHE = "kirche", _l("Kirchlicher Träger")
    UNTERNEHMEN = "unternehmen", _l("Unternehmen")
    KAMMER = "kammer", _l("Kammer")
    SONSTIGE = "sonstige", _l("Sonstige")


class ApplicationStatus(LabelledEnum):
    DRAFT = "draft", _l("Entwurf")
    SUBMITTED = "submitted", _l("Eingereicht")
    REOPENED = "reopened", _l("Zur Korrektur geöffnet")
    WITHDRAWN = "withdrawn", _l("Zurückgezogen")


class FormalCheck(LabelledEnum):
    PENDING = "pending", _l("Noch nicht geprüft")
    ADMISSIBLE = "admissible", _l("Zulässig")
    INADMISSIBLE = "inadmissible", _l("Unzulässig")
    REQUEST = "request", _l("Nachforderung")


class MailStatus(LabelledEnum):
    PENDING = "pending", _l("Wartet")
    SENDING = "sending", _l("Wird versendet")
    SENT = "sent", _l("Versendet")
    FAILED = "failed", _l("Endgültig fehlgeschlagen")


class TokenPurpose(LabelledEnum):
    VERIFY_EMAIL = "verify", _l("E-Mail-Bestätigung")
    RESET_PASSWORD = "reset", _l("Passwort zurücksetzen")
    MAGIC_LINK = "magic", _l("Zugangslink")
    INVITATION = "invite", _l("Einladung")
    NOMINEE = "nominee", _l("Antwort auf einen Vorschlag")
