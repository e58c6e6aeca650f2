"""Factories: build rows with sensible defaults; override what a test cares about."""
import itertools
from datetime import timedelta

from awards.enums import (AllocationMode, ApplicantType, ApplicationStatus, CompetitionStatus,
                          Level, Region, Role)
from awards.extensions import db
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.competitions import Competition, Criterion, PrizeCategory
from awards.services import accounts

PASSWORD = "Passwort-123456"
_seq = itertools.count(1)
_hash_cache = {}


def _password_hash(password):
    # Argon2 is slow on purpose; tests reuse one hash per password.
    if password not in _hash_cache:
        _hash_cache[password] = accounts.hash_password(password)
    return _hash_cache[password]


def user(*, email=None, name=None, password=PASSWORD, role=None, prize_code=None,
         competition=None, is_chair=False, verified=True):
    n = next(_seq)
    u = accounts.get_or_create_user(email=email or f"user{n}@example.org", name=name or f"Person {n}")
    u.password_hash = _password_hash(password) if password else None
    if verified:
        u.email_verified_at = utcnow()
    if role is not None:
        accounts.assign_role(actor=None, user=u, role=role, prize_code=prize_code,
                             competition=competition, is_chair=is_chair)
    db.session.flush()
    return u


def admin(**kw):
    return user(role=Role.ADMIN, **kw)


def staff(prize_code=None, **kw):
    return user(role=Role.STAFF, prize_code=prize_code, **kw)


def juror(competition, is_chair=False, **kw):
    return user(role=Role.JUROR, competition=competition, is_chair=is_chair, **kw)


def competition(*, prize_code="BIP", year=None, status=CompetitionStatus.OPEN, deadline_at=None,
                opens_at=None, budget_cents=900000, allocation_mode=AllocationMode.RANKED,
                categories=None, criteria=None, **kw):
    year = year or 2000 + next(_seq)
    region = None if prize_code == "BIP" else Region(prize_code)
    now = utcnow()
    comp = Competition(
        prize_code=prize_code, year=year, level=Level.STATE if region is None else Level.REGIONAL,
        region=region, title=kw.pop("title", f"Testpreis {prize_code}"),
        motto=kw.pop("motto", "Testmotto"), status=status,
        opens_at=opens_at or now - timedelta(days=10),
        deadline_at=deadline_at or now + timedelta(days=10),
        budget_cents=budget_cents, allocation_mode=allocation_mode, **kw,
    )
    for label, rank, amount, count in categories or [("1. Preis", 1, 400000, 1),
                                                     ("2. Preis", 2, 300000, 1),
                                                     ("3. Preis", 3, 200000, 1)]:
        comp.categories.append(PrizeCategory(label=label, rank=rank, amount_cents=amount, count=count))
    for pos, (name, weight) in enumerate(criteria or [("Strahlkraft", 2), ("Nachhaltigkeit", 1)]):
        comp.criteria.append(Criterion(position=pos, name=name, weight=weight, scale_min=0,
                                       scale_max=10, anchors={"0": "gar nicht", "10": "voll"}))
    db.session.add(comp)
    db.session.flush()
    return comp


def application(*, competition, owner=None, status=ApplicationStatus.DRAFT, **kw):
    n = next(_seq)
    owner = owner or user()
    values = dict(
        org_name=f"Verein Beispiel {n} e.V.", contact_name=f"Kim Muster{n}",
        street="Hauptstraße 1", postcode="80331", city="München", email=f"kontakt{n}@example.org",
        phone="089 123456", applicant_type=ApplicantType.VEREIN, region=competition.region or Region.OBB,
        project_title=f"Projekt {n}", summary="Kurzbeschreibung des Projekts.",
        description="Ausführliche Beschreibung.", goals="Ziele.", target_group="Zielgruppe.",
        consent_privacy=True, consent_truthful=True,
    )
    values.update(kw)
    app = Application(competition=competition, owner=owner, status=status, **values)
    db.session.add(app)
    db.session.flush()
    return app
