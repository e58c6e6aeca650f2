"""Demo: a few confirmed Infobrief subscriptions and automatic mails switched on for the
Oberbayern prize. Idempotent: subscriptions are looked up by address."""
import hashlib
from datetime import datetime, timezone

from sqlalchemy import select

from awards.demo.base import DEMO_DOMAIN
from awards.extensions import db
from awards.models.competitions import Competition
from awards.models.messaging import InfobriefSubscription

SUBSCRIBERS = [
    # (local part, prizes, regions)
    ("infobrief-verein", ["BIP"], []),
    ("infobrief-schwaben", [], ["SCHW"]),
    ("infobrief-oberbayern", ["OBB"], ["OBB"]),
    ("infobrief-presse", ["BIP", "OBB", "NDB", "OPF", "OFR", "MFR", "UFR", "SCHW"], []),
    ("infobrief-franken", ["MFR", "UFR", "OFR"], []),
]


def _key(email):
    # Fixed per address so that a second load finds the same row; demo data only.
    return hashlib.sha256(f"demo-infobrief:{email}".encode()).hexdigest()[:32]


def load():
    confirmed = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)
    for local, prizes, regions in SUBSCRIBERS:
        email = f"{local}@{DEMO_DOMAIN}"
        exists = db.session.scalar(select(InfobriefSubscription.id)
                                   .where(InfobriefSubscription.email == email))
        if exists is None:
            db.session.add(InfobriefSubscription(
                email=email, prize_codes=prizes, regions=regions, created_at=confirmed,
                confirmed_at=confirmed, unsubscribe_key=_key(email)))
    for competition in db.session.scalars(select(Competition).where(Competition.prize_code == "OBB")):
        if not competition.mail_round_opened:
            competition.mail_round_opened = True
            competition.mail_draft_reminder = True
            competition.mail_ceremony_invitation = True
    db.session.flush()
    return []
