"""Demo data for the statistics: three archived years of every prize with enough
applications to make the figures and the trend meaningful.

The year before last and the one before it are added as archived editions with published
winners (no certificates: rendering them would only slow the demo down); every archived
edition, last year's too, gets more applications from many districts, of every applicant
type, some proposed by third parties and some formally inadmissible. Everything is derived
from the edition and the application's number, and looked up before it is created, so a
second load changes nothing. All organisations are INVENTED for the demo ("(erfunden)").
"""
import logging
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from awards.demo import decisions as demo_decisions
from awards.demo.base import PRIZES, ensure_competition
from awards.enums import (ApplicantType, ApplicationStatus, CompetitionStatus, FormalCheck,
                          Region, SubmissionKind)
from awards.extensions import db
from awards.models.applications import Application
from awards.models.competitions import Competition
from awards.models.reference import District
from awards.services import publication
from awards.timeutil import from_berlin

log = logging.getLogger("awards.demo")

# Mottos of the state prize in earlier years (see DOMAIN: public sources).
BIP_MOTTOS = {2024: "Integration – Frauen im Fokus",
              2025: "Kunst macht sichtbar – Integration durch Teilhabe am kulturellen Leben"}
# Extra applications per edition: the state prize draws more, and every prize grows a little
# from year to year (index 0 is three years ago).
EXTRA = {"BIP": (38, 52, 64), "OBB": (14, 19, 24), "NDB": (8, 10, 13), "OPF": (7, 9, 12),
         "OFR": (8, 11, 12), "MFR": (12, 15, 19), "UFR": (9, 12, 15), "SCHW": (10, 13, 17)}
# Where the state prize's applications come from: roughly by population.
BIP_REGIONS = ([Region.OBB] * 6 + [Region.MFR] * 3 + [Region.SCHW] * 3 + [Region.UFR] * 2
               + [Region.NDB, Region.OPF, Region.OFR] * 2)
TYPES = ([ApplicantType.VEREIN] * 5 + [ApplicantType.INITIATIVE] * 3
         + [ApplicantType.SCHULE] * 2 + [ApplicantType.KOMMUNE, ApplicantType.KIRCHE,
                                         ApplicantType.PERSON, ApplicantType.UNTERNEHMEN,
                                         ApplicantType.KAMMER, ApplicantType.SONSTIGE])
FIRST_EXTRA = 101  # numbers of the extra applications start here (BIP-2024-0101)


def _districts():
    by_region = {}
    for district in db.session.scalars(select(District).order_by(District.name, District.is_city)):
        by_region.setdefault(district.region, []).append(district)
    return by_region


def _extra_applications(comp, count, districts):
    existing = set(db.session.scalars(
        select(Application.number).where(Application.competition_id == comp.id)))
    pattern_count = len(demo_decisions.PROJECTS)
    for index in range(count):
        number = FIRST_EXTRA + index
        if number in existing:
            continue
        region = comp.region or BIP_REGIONS[(index * 7 + comp.year) % len(BIP_REGIONS)]
        choices = districts.get(region) or [None]
        district = choices[(index * 5 + comp.year) % len(choices)]
        city = district.name if district is not None else "München"
        pattern, _type, title, summary = demo_decisions.PROJECTS[(index + comp.year) % pattern_count]
        applicant_type = TYPES[(index * 3 + comp.year) % len(TYPES)]
        inadmissible = index % 9 == 4
        db.session.add(Application(
            competition=comp, status=ApplicationStatus.SUBMITTED, number=number,
            reference=f"{comp.reference_prefix}-{number:04d}",
            submitted_at=comp.deadline_at - timedelta(hours=5 + index * 7),
            kind=SubmissionKind.NOMINATION if index % 4 == 1 else SubmissionKind.SELF,
            nominator_name=f"Vorschlagende Person {number}{demo_decisions.INVENTED}"
            if index % 4 == 1 else "",
            applicant_type=applicant_type,
            org_name=pattern.format(city=city.split(" ")[0]) + demo_decisions.INVENTED,
            contact_name=f"Ansprechperson {number}{demo_decisions.INVENTED}",
            street="Musterstraße 1", postcode="00000", city=city, region=region,
            district_id=district.id if district is not None else None,
            email=f"projekt-{comp.prize_code.lower()}-{comp.year}-{number}@demo.integrationspreis.example",
            project_title=title, summary=summary + " (Erfundenes Beispiel für die Demo.)",
            description=summary, goals="Begegnung, Sprache, Teilhabe.",
            target_group="Menschen mit und ohne Einwanderungsgeschichte.",
            project_start=date(comp.year - 1 - index % 6, 1 + index % 12, 1),
            # Some leave the optional numbers empty.
            volunteers_count=None if index % 11 == 3 else 3 + (index * 13) % 45,
            staff_count=None if index % 7 == 2 else index % 4,
            people_reached=None if index % 5 == 3 else 15 + (index * 37) % 380,
            consent_privacy=True, consent_truthful=True,
            formal_check=FormalCheck.INADMISSIBLE if inadmissible else FormalCheck.ADMISSIBLE,
            formal_check_reason="Nach Bewerbungsschluss eingegangen (Demo)." if inadmissible else "",
        ))
    db.session.flush()


def _archived_edition(code, year, actor):
    """An earlier, archived edition with released and published winners."""
    index = list(PRIZES).index(code)
    if code == "BIP":
        deadline = from_berlin(datetime(year, 2, 5, 23, 59, 59))
        ceremony = from_berlin(datetime(year, 5, 12, 18, 0))
    else:
        deadline = from_berlin(datetime(year, 6 + index % 3, 15, 23, 59, 59))
        ceremony = from_berlin(datetime(year, 10, 2 + 2 * index, 17, 0))
    comp = ensure_competition(code, year, status=CompetitionStatus.JURY,
                              opens_at=deadline - timedelta(days=40), deadline_at=deadline,
                              ceremony_at=ceremony)
    if code == "BIP" and year in BIP_MOTTOS:
        comp.motto = BIP_MOTTOS[year]
    demo_decisions._competition_with_decisions(comp, actor)
    if comp.published_at is None:
        publication.publish_now(actor=actor, competition=comp, now=ceremony)
    if comp.status != CompetitionStatus.ARCHIVED:
        comp.status = CompetitionStatus.ARCHIVED
        comp.archived_at = ceremony + timedelta(days=60)
    return comp


def load():
    now = datetime.now(timezone.utc)
    actor = demo_decisions._demo_staff()
    districts = _districts()
    for age in (3, 2, 1):
        year = now.year - age
        for code in PRIZES:
            if age == 1:  # last year's editions come from the decisions stage
                comp = db.session.scalars(select(Competition).where(
                    Competition.prize_code == code, Competition.year == year)).first()
            else:
                comp = _archived_edition(code, year, actor)
            if comp is not None:
                _extra_applications(comp, EXTRA[code][3 - age], districts)
    db.session.flush()
    log.info("demo statistics: archived years %s to %s", now.year - 3, now.year - 1)
    return []
