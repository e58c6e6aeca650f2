"""Demo decisions. Idempotent: every row is looked up before it is created.

- Last year: all eight prizes archived, with decisions, released, published winners pages
  and stored certificates (downloadable and verifiable); the minutes PDF can be generated
  from the staff page. One winner belongs to the demo applicant, so the dashboard shows a
  certificate download.
- This year: Unterfranken (UFR) decided and released, but under embargo until its ceremony.

All organisations and projects are INVENTED for the demo ("(erfunden)").
"""
import logging
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from awards.adapters.storage import get_storage
from awards.demo.base import PRIZES, demo_email, ensure_competition, ensure_user, this_year_competitions
from awards.enums import ApplicantType, ApplicationStatus, CompetitionStatus, FormalCheck, Region, Role
from awards.extensions import db
from awards.models.applications import Application
from awards.models.decisions import Decision
from awards.services import accounts, certificates, decisions, publication
from awards.services.jury import release
from awards.timeutil import from_berlin

log = logging.getLogger("awards.demo")

INVENTED = " (erfunden)"
CITIES = {
    "BIP": ["München", "Nürnberg", "Augsburg", "Regensburg", "Würzburg"],
    "OBB": ["Rosenheim", "Ingolstadt", "Freising", "Traunstein"],
    "NDB": ["Passau", "Landshut", "Straubing", "Deggendorf"],
    "OPF": ["Regensburg", "Amberg", "Weiden i.d.OPf.", "Neumarkt i.d.OPf."],
    "OFR": ["Bamberg", "Bayreuth", "Hof", "Coburg"],
    "MFR": ["Nürnberg", "Erlangen", "Fürth", "Ansbach"],
    "UFR": ["Würzburg", "Aschaffenburg", "Schweinfurt", "Kitzingen"],
    "SCHW": ["Augsburg", "Kempten (Allgäu)", "Memmingen", "Neu-Ulm", "Kaufbeuren"],
}
CITY_REGION = {"München": Region.OBB, "Nürnberg": Region.MFR, "Augsburg": Region.SCHW,
               "Regensburg": Region.OPF, "Würzburg": Region.UFR}
# (organisation pattern, applicant type, project title, summary)
PROJECTS = [
    ("Sprachcafé {city} e. V.", ApplicantType.VEREIN, "Sprachcafé für alle Generationen",
     "Jeden Dienstag treffen sich Menschen aus über zwanzig Ländern zum Deutschsprechen bei Kaffee "
     "und Kuchen. Ehrenamtliche begleiten die Gespräche, Kinder werden nebenan betreut."),
    ("Ausbildungslotsen {city}", ApplicantType.INITIATIVE, "Ausbildungslotsen: Vom Praktikum zum Beruf",
     "Ehrenamtliche aus Handwerk und Industrie begleiten junge Geflüchtete vom ersten Praktikum bis "
     "zum Berufsabschluss – mit Nachhilfe, Behördenbegleitung und viel Geduld."),
    ("Interkultureller Garten {city}", ApplicantType.VEREIN, "Gemeinsam gärtnern – Wurzeln schlagen",
     "Auf einer früheren Brachfläche bewirtschaften 40 Familien gemeinsam Beete. Aus dem Garten sind "
     "ein Erntefest, ein Kochbuch und viele Freundschaften entstanden."),
    ("Grundschule am Stadtpark {city}", ApplicantType.SCHULE, "Elternlotsinnen an der Grundschule",
     "Mütter und Väter mit Zuwanderungsgeschichte werden zu Elternlotsinnen ausgebildet und helfen "
     "neuen Familien beim Schulstart, bei Elternabenden und Anmeldungen."),
    ("Sportverein Blau-Weiß {city} e. V.", ApplicantType.VEREIN, "Mädchen in Bewegung",
     "Ein offenes Sportangebot für Mädchen aller Herkünfte: Fußball, Tanz und Selbstbehauptung, "
     "geleitet von Trainerinnen, die selbst einmal neu in Deutschland waren."),
    ("Nachbarschaftstreff {city}-Süd", ApplicantType.INITIATIVE, "Küche der Kulturen",
     "Einmal im Monat kochen Nachbarinnen und Nachbarn Gerichte aus ihrer Heimat und laden das "
     "ganze Viertel ein. Aus den Erlösen werden Deutschkurse mitfinanziert."),
    ("Stadtbibliothek {city}", ApplicantType.KOMMUNE, "Vorlesepaten in vielen Sprachen",
     "Ehrenamtliche lesen Kindern in Deutsch und ihrer Familiensprache vor. Mehrsprachige Medien "
     "und ein Elterncafé machen die Bibliothek zum Treffpunkt für Familien."),
    ("Handwerkskammer-Projekt {city}", ApplicantType.KAMMER, "Werkstatt der Chancen",
     "In einer offenen Werkstatt erproben zugewanderte Erwachsene Handwerksberufe, lernen "
     "Fachsprache und finden über Betriebspartnerschaften in Ausbildung und Arbeit."),
]
RATIONALES = [
    "Das Projekt überzeugt durch große integrative Strahlkraft und ein beeindruckendes "
    "ehrenamtliches Engagement über viele Jahre.",
    "Die Jury würdigt die nachhaltige, gut vernetzte Arbeit, die Menschen unterschiedlicher "
    "Herkunft im Alltag zusammenbringt.",
    "Ein originelles Angebot mit Vorbildcharakter, das sich leicht auf andere Orte übertragen lässt.",
    "Das Projekt erreicht Menschen, die sonst kaum erreicht werden, und stärkt ihre Teilhabe.",
]
# How many winners each prize had last year; amounts follow the allocation mode.
WINNERS = {"BIP": 3, "OBB": 3, "NDB": 4, "OPF": 5, "OFR": 3, "MFR": 3, "UFR": 4, "SCHW": 3}
FREE_AMOUNTS = {"OBB": [250000, 200000, 150000]}


def _demo_staff():
    return accounts.find_user(demo_email("ministerium"))


def _ensure_application(comp, number, *, owner=None, consent=True):
    reference = f"{comp.prize_code}-{comp.year}-{number:04d}"
    existing = db.session.scalars(select(Application).where(Application.reference == reference)).first()
    if existing is not None:
        return existing
    pattern, kind, title, summary = PROJECTS[(number + len(comp.prize_code) + comp.year) % len(PROJECTS)]
    cities = CITIES[comp.prize_code]
    city = cities[(number - 1) % len(cities)]
    region = comp.region or CITY_REGION.get(city, Region.OBB)
    org = pattern.format(city=city.split(" ")[0]) + INVENTED
    submitted = comp.deadline_at - timedelta(days=3 + number) if comp.deadline_at else None
    application = Application(
        competition=comp, owner=owner, status=ApplicationStatus.SUBMITTED, number=number,
        reference=reference, submitted_at=submitted, applicant_type=kind, org_name=org,
        contact_name=f"Ansprechperson {number}{INVENTED}", street="Musterstraße 1",
        postcode="00000", city=city, region=region,
        email=f"projekt-{comp.prize_code.lower()}-{comp.year}-{number}@demo.integrationspreis.example",
        project_title=title, summary=summary + " (Erfundenes Beispiel für die Demo.)",
        description=summary, goals="Begegnung, Sprache, Teilhabe.", target_group="Menschen mit und ohne Einwanderungsgeschichte.",
        project_start=date(comp.year - 3, 9, 1), volunteers_count=12 + number, staff_count=1,
        people_reached=60 + 35 * number,
        consent_privacy=True, consent_truthful=True, consent_publish_name=consent,
        consent_publish_text=True, consent_publish_photos=False, image_rights_confirmed=False,
        formal_check=FormalCheck.ADMISSIBLE,
    )
    db.session.add(application)
    db.session.flush()
    return application


def _decide(comp, applications, actor):
    if decisions.decisions_for(comp):
        return
    slots = [c for c in comp.categories for _ in range(c.count)]
    winners = applications[:WINNERS[comp.prize_code]]
    for index, application in enumerate(winners):
        category = slots[min(index, len(slots) - 1)]
        amount = FREE_AMOUNTS.get(comp.prize_code, [None] * 10)[index] if comp.allocation_mode == "free" else None
        decisions.record_decision(actor=actor, application=application, category=category,
                                  rationale=RATIONALES[index % len(RATIONALES)], amount_cents=amount,
                                  # The demo's past editions have no online jury rounds.
                                  exception_reason="Die Jury hat in ihrer Sitzung ohne "
                                                   "Online-Bewertung entschieden (Demo).",
                                  now=comp.ceremony_at - timedelta(days=30) if comp.ceremony_at else None)


def _competition_with_decisions(comp, actor, *, applicant=None, owned_number=None):
    count = WINNERS[comp.prize_code] + 2
    applications = [
        _ensure_application(comp, n, owner=applicant if n == owned_number else None,
                            consent=(n % 4 != 2))
        for n in range(1, count + 1)
    ]
    _decide(comp, applications, actor)
    if decisions.release_of(comp) is None:
        release.release_decisions(actor=actor, competition=comp,
                                  now=(comp.ceremony_at - timedelta(days=21)) if comp.ceremony_at else None)
    return applications


def _last_year(now, actor, applicant):
    year = now.year - 1
    comps = []
    for index, code in enumerate(PRIZES):
        if code == "BIP":
            deadline = from_berlin(datetime(year, 2, 5, 23, 59, 59))
            ceremony = from_berlin(datetime(year, 5, 12, 18, 0))
            place = "Maximilianeum, München"
        else:
            deadline = from_berlin(datetime(year, 6 + index % 3, 15, 23, 59, 59))
            ceremony = from_berlin(datetime(year, 10, 2 + 2 * index, 17, 0))
            place = None
        comp = ensure_competition(code, year, status=CompetitionStatus.JURY,
                                  opens_at=deadline - timedelta(days=40), deadline_at=deadline,
                                  ceremony_at=ceremony)
        if place:
            comp.ceremony_place = place
        _competition_with_decisions(comp, actor, applicant=applicant,
                                    owned_number=1 if code == "BIP" else None)
        if comp.published_at is None:
            publication.publish_now(actor=actor, competition=comp, now=ceremony)
        if comp.status != CompetitionStatus.ARCHIVED:
            comp.status = CompetitionStatus.ARCHIVED
            comp.archived_at = ceremony + timedelta(days=60)
        comps.append(comp)
    db.session.flush()
    storage = get_storage()
    for comp in comps:
        certificates.ensure_all(actor=actor, competition=comp, storage=storage)
    return comps


def _this_year_embargo(now, actor):
    comp = this_year_competitions(now)["UFR"]
    if decisions.release_of(comp) is None:
        # Move the demo's UFR edition past its deadline into the jury phase.
        comp.deadline_at = now - timedelta(days=60)
        comp.opens_at = now - timedelta(days=120)
        comp.ceremony_at = (now + timedelta(days=14)).replace(hour=16, minute=0, second=0, microsecond=0)
        comp.status = CompetitionStatus.JURY
        comp.ceremony_place = "Regierung von Unterfranken, Würzburg"
    _competition_with_decisions(comp, actor)
    if comp.publish_at is None:
        publication.schedule_publication(actor=actor, competition=comp, publish_at=comp.ceremony_at)
    return comp


def load():
    now = datetime.now(timezone.utc)
    actor = _demo_staff()
    applicant = ensure_user("bewerbung", "Berkan Bewerber")
    comps = _last_year(now, actor, applicant)
    # The demo jury also sat on last year's Oberbayern prize (for the minutes).
    obb = next(c for c in comps if c.prize_code == "OBB")
    for key, name, is_chair in (("jury-vorsitz", "Johanna Vorsitz", True), ("jury", "Jonas Jury", False)):
        accounts.assign_role(actor=None, user=ensure_user(key, name), role=Role.JUROR,
                             competition=obb, is_chair=is_chair)
    _this_year_embargo(now, actor)
    db.session.flush()
    count = db.session.scalar(select(db.func.count(Decision.id)))
    log.info("demo decisions: %s decisions", count)
    return []
