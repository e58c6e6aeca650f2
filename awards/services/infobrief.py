"""The Infobrief: news by e-mail when a call opens and when winners are published.

- Subscribing stores a request with the chosen prizes and regions and mails a confirmation
  link (double opt-in); nothing is sent to the address until it is confirmed, and an
  unconfirmed request expires after INFOBRIEF_CONFIRM_HOURS (then `purge_expired` deletes it).
- The answer to "subscribe" is the same whether the address is subscribed or not; a
  confirmed address keeps its choices until a newer request is confirmed, and a request for
  an address that got a confirmation link minutes ago sends none (no mail bombing).
- Every Infobrief carries a one-click unsubscribe link (and the List-Unsubscribe header);
  unsubscribing deletes every row of the address.
- Staff see counts per prize and region, never the addresses.

A competition matches a subscription when its prize was chosen, or its region was chosen,
or it is the state prize (open to all of Bavaria) and any region was chosen.
"""
import hashlib
import logging
import secrets
from collections import Counter
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from awards import unit_of_work
from awards.enums import CompetitionStatus, Level, Region, prize_name
from awards.i18n import _l
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.competitions import Competition
from awards.models.messaging import InfobriefIssue, InfobriefSubscription
from awards.services import audit, lifecycle, mail
from awards.urls import public_base_url

log = logging.getLogger("awards.infobrief")

PRIZE_CODES = ("BIP",) + tuple(r.value for r in Region)
REGION_CODES = tuple(r.value for r in Region)
CALL_OPEN, WINNERS = "call_open", "winners"
# Winners published longer ago than this get no Infobrief (e.g. archived years on the first run).
RECENT = timedelta(days=14)
# A second confirmation link to the same address is sent only after this pause.
RESEND_PAUSE = timedelta(minutes=10)


class InvalidLink(Exception):
    """The confirmation or unsubscribe link is unknown, used or expired."""


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _confirm_hours():
    return current_app.config.get("INFOBRIEF_CONFIRM_HOURS", 48)


def unsubscribe_url(subscription):
    return f"{public_base_url()}/infobrief/abbestellen?token={subscription.unsubscribe_key}"


def subscribe(*, email, prize_codes, regions, now=None):
    """Store a request and mail the confirmation link (flushed). Returns nothing the caller
    could tell apart: subscribed or not, the page says the same."""
    now = now or utcnow()
    email = email.strip().lower()
    prize_codes = [c for c in PRIZE_CODES if c in set(prize_codes or ())]
    regions = [r for r in REGION_CODES if r in set(regions or ())]
    recent = db.session.scalar(
        select(func.count(InfobriefSubscription.id)).where(
            InfobriefSubscription.email == email, InfobriefSubscription.confirmed_at.is_(None),
            InfobriefSubscription.created_at > now - RESEND_PAUSE))
    if recent:
        log.info("infobrief: confirmation link to the same address sent minutes ago; none sent")
        return
    token = secrets.token_urlsafe(24)
    row = InfobriefSubscription(email=email, prize_codes=prize_codes, regions=regions,
                                created_at=now, confirm_hash=_hash(token),
                                expires_at=now + timedelta(hours=_confirm_hours()),
                                unsubscribe_key=secrets.token_urlsafe(24))
    db.session.add(row)
    db.session.flush()
    mail.enqueue(to=email, template="infobrief_confirm", token=token,
                 choices=describe(row), hours=_confirm_hours())


def _pending(token, now):
    if not token:
        raise InvalidLink()
    row = db.session.scalars(select(InfobriefSubscription).where(
        InfobriefSubscription.confirm_hash == _hash(token))).first()
    if row is None or row.confirmed_at is not None or row.expires_at <= now:
        raise InvalidLink()
    return row


def peek_confirmation(*, token, now=None):
    return _pending(token, now or utcnow())


def confirm(*, token, now=None):
    """Confirm a request: it replaces every other row of the address (flushed)."""
    now = now or utcnow()
    row = _pending(token, now)
    db.session.execute(delete(InfobriefSubscription).where(
        InfobriefSubscription.email == row.email, InfobriefSubscription.id != row.id))
    row.confirmed_at = now
    row.confirm_hash = None
    row.expires_at = None
    db.session.flush()
    audit.record(actor=None, action="infobrief.confirm", object_type="InfobriefSubscription",
                 object_id=row.id, new={"prizes": row.prize_codes, "regions": row.regions})
    return row


def by_unsubscribe_key(key):
    if not key:
        raise InvalidLink()
    row = db.session.scalars(select(InfobriefSubscription).where(
        InfobriefSubscription.unsubscribe_key == key)).first()
    if row is None:
        raise InvalidLink()
    return row


def unsubscribe(*, key):
    """Delete every row of the address of this link (flushed). Unknown links raise
    InvalidLink; a second click finds nothing and says so."""
    row = by_unsubscribe_key(key)
    deleted = delete_address(row.email)
    audit.record(actor=None, action="infobrief.unsubscribe", object_type="InfobriefSubscription",
                 object_id=row.id, new={"deleted": deleted})
    return deleted


def delete_address(email):
    """Remove every subscription of an address (unsubscribe, account deletion)."""
    return db.session.execute(delete(InfobriefSubscription).where(
        InfobriefSubscription.email == (email or "").strip().lower())).rowcount


def of_address(email):
    return db.session.scalars(select(InfobriefSubscription).where(
        InfobriefSubscription.email == (email or "").strip().lower())
        .order_by(InfobriefSubscription.id)).all()


def export(email):
    """What is stored about an address, for the privacy export (Art. 15 DSGVO)."""
    return [{"angelegt": r.created_at.isoformat(),
             "bestaetigt": r.confirmed_at.isoformat() if r.confirmed_at else None,
             "preise": list(r.prize_codes or []), "regierungsbezirke": list(r.regions or [])}
            for r in of_address(email)]


def purge_expired(*, now=None):
    """Delete unconfirmed requests whose link has expired (flushed). Returns the count."""
    now = now or utcnow()
    return db.session.execute(delete(InfobriefSubscription).where(
        InfobriefSubscription.confirmed_at.is_(None),
        InfobriefSubscription.expires_at <= now)).rowcount


# Lazy texts: each reads in the language of the page or mail that shows it.
PRIZE_NAMES = {code: prize_name(code) for code in PRIZE_CODES}
REGION_NAMES = {r.value: r.label for r in Region}


def describe(row):
    """The choices in words, e.g. ["Bayerischer Integrationspreis", "alles zum
    Regierungsbezirk Schwaben"]."""
    parts = [PRIZE_NAMES[c] for c in row.prize_codes or []]
    parts += [_l("alles zum Regierungsbezirk %(r)s", r=REGION_NAMES[r]) for r in row.regions or []]
    return parts


def matches(row, competition):
    regions = set(row.regions or [])
    if competition.prize_code in set(row.prize_codes or []):
        return True
    if competition.region is not None and competition.region.value in regions:
        return True
    return competition.level == Level.STATE and bool(regions)


def counts():
    """Confirmed subscriptions per prize and per region, and in all (no addresses)."""
    rows = db.session.execute(select(InfobriefSubscription.prize_codes,
                                     InfobriefSubscription.regions)
                              .where(InfobriefSubscription.confirmed_at.is_not(None))).all()
    prizes, regions = Counter(), Counter()
    for prize_codes, region_codes in rows:
        prizes.update(set(prize_codes or []))
        regions.update(set(region_codes or []))
    pending = db.session.scalar(select(func.count(InfobriefSubscription.id))
                                .where(InfobriefSubscription.confirmed_at.is_(None)))
    return {"total": len(rows), "pending": pending,
            "prizes": [(code, PRIZE_NAMES[code], prizes.get(code, 0)) for code in PRIZE_CODES],
            "regions": [(code, REGION_NAMES[code], regions.get(code, 0)) for code in REGION_CODES]}


# --------------------------------------------------------------------------- sending

def _due_kind(competition, now):
    state = lifecycle.state_of(competition, now)
    if state == lifecycle.YearState.OPEN:
        return CALL_OPEN
    if state == lifecycle.YearState.PUBLISHED:
        instants = [t for t in (competition.published_at, competition.publish_at)
                    if t is not None and t <= now]
        if instants and min(instants) > now - RECENT:
            return WINNERS
    return None


def _issue(competition, kind, now):
    """Queue the Infobrief `kind` about `competition` to every matching confirmed address,
    once: the issue row is unique per competition and kind (one item of the job: when
    another run inserted it first, this one is rolled back). Returns the number queued."""
    if db.session.scalar(select(InfobriefIssue.id).where(
            InfobriefIssue.competition_id == competition.id, InfobriefIssue.kind == kind)):
        return 0
    subscribers = [r for r in db.session.scalars(
        select(InfobriefSubscription).where(InfobriefSubscription.confirmed_at.is_not(None))
        .order_by(InfobriefSubscription.id)) if matches(r, competition)]
    db.session.add(InfobriefIssue(competition_id=competition.id, kind=kind,
                                  recipients=len(subscribers), created_at=now))
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise unit_of_work.ItemSkipped("sent by another run") from exc
    for row in subscribers:
        link = unsubscribe_url(row)
        mail.enqueue(to=row.email, template=f"infobrief_{kind}", competition=competition,
                     unsubscribe_link=link, list_unsubscribe=link)
    audit.record(actor=None, action="infobrief.send", obj=competition,
                 new={"kind": kind, "count": len(subscribers)})
    return len(subscribers)


def run(*, now=None, job=None):
    """Send the Infobriefe that are due (a call that is open, winners published recently),
    each once. Each issue (a competition's mails of one kind, with its once-only row) is
    committed on its own as one item of `job` (a unit_of_work.Job; the caller reads its
    failures). Returns a Counter of the mails queued."""
    now = now or lifecycle.now()
    job = job or unit_of_work.Job("infobrief")
    sent = Counter({CALL_OPEN: 0, WINNERS: 0})
    competitions = db.session.scalars(select(Competition).where(
        Competition.status.not_in((CompetitionStatus.DRAFT, CompetitionStatus.ARCHIVED)))
        .order_by(Competition.id)).all()
    for competition in competitions:
        kind = _due_kind(competition, now)
        if kind:
            saved, count = job.run(f"infobrief {kind} competition {competition.id}", _issue,
                                   competition, kind, now)
            if saved:
                sent[kind] += count
    return sent
