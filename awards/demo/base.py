"""Demo base: districts, one login per role, the eight prizes of the current year."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from awards.enums import AllocationMode, CompetitionStatus, Level, Region, Role
from awards.extensions import db
from awards.models.competitions import Competition, Criterion, PrizeCategory
from awards.reference_data import ensure_districts
from awards.services import accounts
from awards.timeutil import from_berlin

DEMO_PASSWORD = "Demo-Passwort-2026"
DEMO_DOMAIN = "demo.integrationspreis.example"

USERS = [
    # (key, label, name, role, prize_code, is_chair)
    ("admin", "Administration", "Andrea Admin", Role.ADMIN, None, False),
    ("ministerium", "Geschäftsstelle Ministerium", "Miriam Ministerium", Role.STAFF, None, False),
    ("regierung-obb", "Geschäftsstelle Regierung Oberbayern", "Otto Oberbayern", Role.STAFF, "OBB", False),
    ("jury-vorsitz", "Jury-Vorsitz", "Johanna Vorsitz", Role.JUROR, "OBB", True),
    ("jury", "Jurymitglied", "Jonas Jury", Role.JUROR, "OBB", False),
    ("bewerbung", "Bewerbende", "Berkan Bewerber", None, None, False),
]

CRITERIA = [
    ("Integrative Strahlkraft", "Wie stark wirkt das Projekt über die Teilnehmenden hinaus?", 3),
    ("Nachhaltigkeit", "Ist das Projekt auf Dauer angelegt und gesichert?", 2),
    ("Ehrenamtliches Engagement", "Wie groß ist der Anteil ehrenamtlicher Arbeit?", 2),
    ("Innovation und Originalität", "Geht das Projekt neue Wege?", 1),
    ("Bezug zum Jahresmotto", "Wie gut passt das Projekt zum Motto?", 2),
]
ANCHORS = {"0": "trifft nicht zu", "5": "trifft teilweise zu", "10": "trifft in hohem Maß zu"}
# English versions for the English pages (the regional calls keep German texts only, so the
# demo shows both: English content, and German content marked lang="de").
CRITERIA_EN = [
    ("Integrative impact", "How far does the project reach beyond its participants?"),
    ("Sustainability", "Is the project set up to last, and is it secured?"),
    ("Volunteer engagement", "How large is the share of volunteer work?"),
    ("Innovation and originality", "Does the project break new ground?"),
    ("Link to the annual motto", "How well does the project fit the motto?"),
]
ANCHORS_EN = {"0": "does not apply", "5": "partly applies", "10": "fully applies"}
LABELS_EN = {"1. Preis": "1st Prize", "2. Preis": "2nd Prize", "3. Preis": "3rd Prize",
             "Preis": "Prize", "Sonderpreis": "Special Prize", "Anerkennungspreis": "Recognition Prize"}
CALL_EN = {
    "BIP": dict(
        title_en="Bavarian Integration Prize",
        motto_en="Language creates a home – living integration",
        description_en=(
            "The prize honours projects that strengthen living together of people with and "
            "without a migration background – for example through language courses, "
            "mentoring, encounters, sport, culture or help with starting training and work."),
        eligibility_en=(
            "Individuals, associations, initiatives, institutions, municipalities, schools and "
            "companies with non-commercial projects anywhere in Bavaria may apply. The project "
            "should already be running successfully. Nominations by others are welcome."),
        preparation_en=(
            "A short description (at most 2,000 characters), a detailed description, your "
            "aims, target group and funding, and if you like photos and press articles (PDF, "
            "JPEG or PNG, at most 10 MB per file). The application form itself is in German."),
        contact_en="Integration Prize office\nE-mail: integrationspreis@integrationspreis.example",
    ),
}

# prize_code: (title, motto, budget €, mode, categories [(label, rank, €, count)], deadline month/day)
PRIZES = {
    "BIP": ("Bayerischer Integrationspreis", "Sprache schafft Heimat – Integration leben", 9000,
            AllocationMode.RANKED, [("1. Preis", 1, 4000, 1), ("2. Preis", 2, 3000, 1), ("3. Preis", 3, 2000, 1)]),
    "OBB": ("Integrationspreis der Regierung von Oberbayern", "Integration vor Ort", 6000,
            AllocationMode.FREE, [("Preis", 1, 2000, 3)]),
    "NDB": ("Integrationspreis der Regierung von Niederbayern", "Integration vor Ort", 6000,
            AllocationMode.EQUAL, [("Preis", 1, 1500, 4)]),
    "OPF": ("Integrationspreis der Regierung der Oberpfalz", "Integration vor Ort", 5000,
            AllocationMode.RANKED, [("1. Preis", 1, 2000, 1), ("2. Preis", 2, 1500, 1), ("Anerkennungspreis", 3, 500, 3)]),
    "OFR": ("Integrationspreis der Regierung von Oberfranken", "Integration vor Ort", 6000,
            AllocationMode.RANKED, [("1. Preis", 1, 3000, 1), ("2. Preis", 2, 2000, 1), ("3. Preis", 3, 1000, 1)]),
    "MFR": ("Integrationspreis der Regierung von Mittelfranken", "Integration vor Ort", 5000,
            AllocationMode.RANKED, [("1. Preis", 1, 2500, 1), ("2. Preis", 2, 1500, 1), ("3. Preis", 3, 1000, 1)]),
    "UFR": ("Integrationspreis der Regierung von Unterfranken", "Integration vor Ort", 6000,
            AllocationMode.RANKED, [("1. Preis", 1, 2500, 1), ("2. Preis", 2, 2000, 1), ("3. Preis", 3, 1000, 1), ("Sonderpreis", 4, 500, 1)]),
    "SCHW": ("Integrationspreis der Regierung von Schwaben", "Integration vor Ort", 6000,
             AllocationMode.EQUAL, [("Preis", 1, 1000, 6)]),
}


def _of_region(region):
    """"von Oberbayern", but "der Oberpfalz" (the only district named with an article)."""
    return "der Oberpfalz" if region == Region.OPF else f"von {region.label}"


def _government(region):
    return f"Regierung {_of_region(region)}"


def demo_email(key):
    return f"{key}@{DEMO_DOMAIN}"


def ensure_user(key, name):
    user = accounts.find_user(demo_email(key))
    if user is None:
        user = accounts.get_or_create_user(email=demo_email(key), name=name)
        user.password_hash = accounts.hash_password(DEMO_PASSWORD)
        user.email_verified_at = datetime.now(timezone.utc)
    return user


def ensure_competition(prize_code, year, *, status, opens_at, deadline_at, ceremony_at):
    comp = db.session.scalars(
        select(Competition).where(Competition.prize_code == prize_code, Competition.year == year)
    ).first()
    if comp is not None:
        return comp
    title, motto, budget, mode, categories = PRIZES[prize_code]
    region = None if prize_code == "BIP" else Region(prize_code)
    comp = Competition(
        prize_code=prize_code, year=year, title=title, motto=motto,
        level=Level.STATE if region is None else Level.REGIONAL, region=region,
        description=(
            "Ausgezeichnet werden Projekte, die das Zusammenleben von Menschen mit und ohne "
            "Einwanderungsgeschichte stärken – zum Beispiel durch Sprachkurse, Patenschaften, "
            "Begegnung, Sport, Kultur oder Hilfe beim Einstieg in Ausbildung und Arbeit."
        ),
        eligibility=(
            "Bewerben können sich Einzelpersonen, Vereine, Initiativen, Institutionen, Kommunen, "
            "Schulen und Unternehmen mit nicht gewerblichen Projekten"
            + (" in ganz Bayern." if region is None else f" im Regierungsbezirk {region.label}.")
            + " Das Projekt soll bereits erfolgreich laufen. Vorschläge durch Dritte sind willkommen."
        ),
        preparation=(
            "Eine Kurzbeschreibung (höchstens 2.000 Zeichen), eine ausführliche Beschreibung, "
            "Angaben zu Zielen, Zielgruppe und Finanzierung sowie auf Wunsch Fotos und "
            "Presseberichte (PDF, JPEG oder PNG, je Datei höchstens 10 MB)."
        ),
        contact="Geschäftsstelle Integrationspreis\nE-Mail: integrationspreis@integrationspreis.example",
        opens_at=opens_at, deadline_at=deadline_at, ceremony_at=ceremony_at,
        ceremony_place="Maximilianeum, München" if region is None else _government(region),
        budget_cents=budget * 100, allocation_mode=mode, status=status,
        signatories=[{"name": "Dr. Beispiel Muster", "title": "Staatsminister (Beispiel)"}]
        if region is None else [{"name": "Maria Beispiel", "title": f"Regierungspräsidentin {_of_region(region)} (Beispiel)"}],
        **CALL_EN.get(prize_code, {}),
    )
    for label, rank, amount, count in categories:
        comp.categories.append(PrizeCategory(label=label, label_en=LABELS_EN.get(label, ""), rank=rank,
                                             amount_cents=amount * 100, count=count))
    for position, ((name, description, weight), (name_en, description_en)) in enumerate(
            zip(CRITERIA, CRITERIA_EN)):
        comp.criteria.append(Criterion(position=position, name=name, description=description,
                                       weight=weight, scale_min=0, scale_max=10, anchors=dict(ANCHORS),
                                       name_en=name_en, description_en=description_en,
                                       anchors_en=dict(ANCHORS_EN)))
    db.session.add(comp)
    db.session.flush()
    return comp


def this_year_competitions(now=None):
    """The current year's eight prizes, with dates relative to today so the demo stays live."""
    now = now or datetime.now(timezone.utc)
    year = now.year
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    comps = {}
    for code in PRIZES:
        comps[code] = ensure_competition(
            code, year, status=CompetitionStatus.OPEN,
            opens_at=day - timedelta(days=30),
            deadline_at=from_berlin(datetime.combine((day + timedelta(days=40)).date(), datetime.max.time()).replace(microsecond=0)),
            ceremony_at=day + timedelta(days=120),
        )
    return comps


def load():
    ensure_districts()
    comps = this_year_competitions()
    logins = []
    for key, label, name, role, prize_code, is_chair in USERS:
        user = ensure_user(key, name)
        if role == Role.JUROR:
            accounts.assign_role(actor=None, user=user, role=role, competition=comps[prize_code],
                                 is_chair=is_chair)
        elif role is not None:
            accounts.assign_role(actor=None, user=user, role=role, prize_code=prize_code)
        logins.append((label, user.email))
    db.session.flush()
    return logins
