"""Demo jury: Oberbayern in an open, anonymised Vorauswahl with partial scores by three
jurors and one declared conflict. Idempotent: nothing happens if the round exists."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from awards.enums import ApplicantType, ApplicationStatus, FormalCheck, Region, Role
from awards.extensions import db
from awards.models.applications import Application
from awards.models.jury import Round
from awards.services import accounts
from awards.services.jury import anonymisation, assignment, rounds, scoring
from awards.demo.base import demo_email, ensure_user, this_year_competitions

APPLICATIONS = [
    dict(org_name="Nachbarschaftshilfe Giesing e.V.", contact_name="Rosa Lindner",
         street="Tegernseer Landstraße 71", postcode="81539", city="München",
         email="kontakt@nachbarschaft-giesing.example", phone="089 6912345",
         website="https://nachbarschaft-giesing.example", applicant_type=ApplicantType.VEREIN,
         project_title="Sprachpatenschaften für Neuzugewanderte",
         summary="Ehrenamtliche Sprachpatinnen und -paten treffen sich einmal pro Woche mit "
                 "neu zugewanderten Familien. Die Nachbarschaftshilfe Giesing vermittelt die "
                 "Tandems; Rosa Lindner koordiniert.",
         description="Seit 2021 haben wir 64 Tandems gebildet. Die Treffen finden in Cafés, "
                     "Bibliotheken und bei den Familien zu Hause statt. Fragen beantworten wir "
                     "unter kontakt@nachbarschaft-giesing.example.",
         goals="Alltagsdeutsch üben, Behördengänge begleiten, Freundschaften stiften.",
         target_group="Neu zugewanderte Familien und Alleinstehende in München-Giesing.",
         volunteers=38, staff=1, people_reached=180, start=date(2021, 4, 1)),
    dict(org_name="Kulturwerkstatt Rosenheim", contact_name="Mehmet Aydın",
         street="Münchener Straße 12", postcode="83022", city="Rosenheim",
         email="info@kulturwerkstatt-ro.example", phone="08031 445566",
         website="www.kulturwerkstatt-ro.example", applicant_type=ApplicantType.INITIATIVE,
         project_title="Theater ohne Grenzen",
         summary="Jugendliche mit und ohne Fluchtgeschichte entwickeln gemeinsam Theaterstücke "
                 "und spielen sie in Schulen der Region.",
         description="Die Kulturwerkstatt Rosenheim probt zweimal pro Woche. Jedes Jahr "
                     "entsteht ein neues Stück; 2024 sahen über 1.200 Schülerinnen und Schüler zu.",
         goals="Selbstvertrauen stärken, Vorurteile abbauen, Sprache spielerisch lernen.",
         target_group="Jugendliche zwischen 14 und 21 Jahren.", volunteers=12, staff=2,
         people_reached=1300, start=date(2019, 9, 1)),
    dict(org_name="Gartenprojekt Wurzeln schlagen", contact_name="Anna Bauer",
         street="Am Anger 3", postcode="85354", city="Freising",
         email="wurzeln@gartenprojekt.example", phone="08161 998877", website="",
         applicant_type=ApplicantType.INITIATIVE, project_title="Interkultureller Gemeinschaftsgarten",
         summary="Auf einer Brachfläche gärtnern 30 Familien aus 14 Ländern gemeinsam.",
         description="Jede Familie hat ein Beet, dazu gibt es Gemeinschaftsflächen, eine "
                     "Saatgutbörse und ein Erntefest. Anna Bauer und ihr Team beraten beim Anbau.",
         goals="Begegnung im Alltag, gesunde Ernährung, Verantwortung für den Stadtteil.",
         target_group="Familien im Stadtteil, besonders Neuzugewanderte.", volunteers=25, staff=0,
         people_reached=110, start=date(2020, 3, 15)),
    dict(org_name="Ausbildungsbrücke Ingolstadt gGmbH", contact_name="Dr. Sven Krüger",
         street="Friedrichshofener Straße 1", postcode="85049", city="Ingolstadt",
         email="s.krueger@ausbildungsbruecke.example", phone="0841 123987",
         website="https://ausbildungsbruecke.example", applicant_type=ApplicantType.UNTERNEHMEN,
         project_title="Mentoring für den Weg in die Ausbildung",
         summary="Beschäftigte aus Betrieben der Region begleiten junge Geflüchtete ein Jahr lang "
                 "auf dem Weg in eine Ausbildung.",
         description="Die Ausbildungsbrücke Ingolstadt bringt Mentorinnen und Mentoren mit "
                     "Jugendlichen zusammen. 80 % der Teilnehmenden beginnen eine Ausbildung.",
         goals="Ausbildungsabbrüche vermeiden, Betriebe für Vielfalt öffnen.",
         target_group="Geflüchtete zwischen 16 und 25 Jahren.", volunteers=45, staff=3,
         people_reached=60, start=date(2018, 1, 10)),
    dict(org_name="Frauencafé Miteinander", contact_name="Leila Haddad",
         street="Bahnhofstraße 8", postcode="82467", city="Garmisch-Partenkirchen",
         email="frauencafe@miteinander.example", phone="08821 332211", website="",
         applicant_type=ApplicantType.VEREIN, project_title="Frauencafé mit Kinderbetreuung",
         summary="Ein offener Treffpunkt für Frauen aller Herkunft, mit Kinderbetreuung, "
                 "Deutschkonversation und Beratung.",
         description="Jeden Dienstag kommen 20 bis 30 Frauen. Das Frauencafé Miteinander "
                     "organisiert Ausflüge und Informationsabende zu Schule, Gesundheit und Arbeit.",
         goals="Isolation überwinden, Netzwerke bilden, Teilhabe ermöglichen.",
         target_group="Frauen mit und ohne Einwanderungsgeschichte.", volunteers=15, staff=0,
         people_reached=70, start=date(2022, 2, 1)),
]

# (juror key, application index, (points per criterion) or None for a draft, final?)
SCORES = [
    ("jury-vorsitz", 0, (8, 7, 9, 6, 8), True),
    ("jury-vorsitz", 1, (9, 8, 7, 9, 9), True),
    ("jury-vorsitz", 2, (6, 8, 8, 5, 7), True),
    ("jury-extern", 0, (7, 6, 8, 5, 7), True),
    ("jury-extern", 1, (6, 7, 6, 8, 6), True),
    ("jury-extern", 3, (5, 9, 4, 6, 6), False),
    ("jury", 1, (10, 9, 8, 9, 10), True),
    ("jury", 2, (7, 7, 6, None, None), False),
]
CONFLICT = ("jury", 0, "Ich bin Mitglied im Verein und habe beim Projekt mitgearbeitet.")


def open_round(*, actor, competition, name, opens_at, closes_at):
    """A round over every admissible application of the competition with all its criteria,
    the anonymisation approved, jurors assigned and the round open, as staff would set it
    up; returns (round, {application id: entry})."""
    round_ = rounds.create_round(
        actor=actor, competition=competition, name=name,
        criteria=[(c, c.weight) for c in competition.criteria],
        opens_at=opens_at, closes_at=closes_at)
    rounds.populate_entries(actor=actor, round_=round_)
    for entry in round_.entries:
        anonymisation.approve(actor=actor, entry=entry)
    assignment.auto_assign(actor=actor, round_=round_, seed=2026)
    rounds.open_round(actor=actor, round_=round_)
    return round_, {e.application_id: e for e in round_.entries}

def _ensure_applications(comp):
    apps = []
    for i, data in enumerate(APPLICATIONS, start=1):
        number = 900 + i
        reference = f"{comp.prize_code}-{comp.year}-{number:04d}"
        app = db.session.scalars(select(Application).where(Application.reference == reference)).first()
        if app is None:
            data = dict(data)
            volunteers, staff, start = data.pop("volunteers"), data.pop("staff"), data.pop("start")
            app = Application(
                competition_id=comp.id, number=number, reference=reference,
                status=ApplicationStatus.SUBMITTED, formal_check=FormalCheck.ADMISSIBLE,
                submitted_at=datetime.now(timezone.utc) - timedelta(days=20 - i),
                region=Region.OBB, volunteers_count=volunteers, staff_count=staff,
                project_start=start, motto_relation="Das Projekt lebt Integration vor Ort.",
                consent_privacy=True, consent_truthful=True, **data)
            db.session.add(app)
            db.session.flush()
        apps.append(app)
    return apps


def load():
    comp = this_year_competitions()["OBB"]
    if db.session.scalars(select(Round).where(Round.competition_id == comp.id)).first():
        return [("Jurymitglied (extern)", demo_email("jury-extern"))]
    jurors = {key: ensure_user(key, name) for key, name in
              (("jury-vorsitz", "Johanna Vorsitz"), ("jury", "Jonas Jury"), ("jury-extern", "Emil Extern"))}
    for key, user in jurors.items():
        accounts.assign_role(actor=None, user=user, role=Role.JUROR, competition=comp,
                             is_chair=key == "jury-vorsitz")
    apps = _ensure_applications(comp)
    now = datetime.now(timezone.utc)
    # The demo's "Vorauswahl" runs while the call is still open: a pre-selection, which the
    # year's state machine allows only for competitions set up for it.
    comp.preselection_during_call = True
    round_, entry_of = open_round(actor=None, competition=comp, name="Vorauswahl",
                                  opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=21))
    key, index, reason = CONFLICT
    scoring.declare_conflict(actor=jurors[key], entry=entry_of[apps[index].id], reason=reason)
    criteria = round_.criteria
    for key, index, points, final in SCORES:
        values = {c.id: (p, "") for c, p in zip(criteria, points)}
        scoring.save_score(actor=jurors[key], entry=entry_of[apps[index].id], values=values,
                           comment="Überzeugendes Konzept." if final else "", finalise=final)
    db.session.flush()
    return [("Jurymitglied (extern)", demo_email("jury-extern"))]
