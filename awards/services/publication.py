"""Publication of winners: at `publish_at` (press embargo until the ceremony) or by hand.

A competition's winners are public only when its decisions are released AND
(`published_at` <= now OR `publish_at` <= now). Every public query goes through
`public_decisions_query`, so nothing is reachable before that instant, however the URL is
guessed. What is shown of a winner follows the application's consents (checked on every
request, so a withdrawn consent removes the item at once):
- consent_publish_name: laureate's name and place (city);
- consent_publish_text: project title and short description — the public text staff wrote
  and the applicant approved (awards.services.press) where there is one, else as submitted;
- further fields of the registry's public audience (awards.fields), each after its consent;
- consent_publish_photos (and image rights confirmed): photos.
Category, amount, prize, year and Regierungsbezirk are the jury's decision, always shown.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from awards import fields
from awards.enums import ApplicantType, Region, prize_name
from awards.extensions import db
from awards.i18n import _l
from awards.models.applications import Application, Attachment
from awards.models.base import utcnow
from awards.models.competitions import Competition, PrizeCategory
from awards.models.decisions import Decision, DecisionRelease
from awards.models.nominations import Nomination
from awards.services import audit, lifecycle
from awards.services.decisions import DecisionError, release_of

MAX_PHOTOS = 4


def public_condition(now):
    """SQL condition on Competition (joined with DecisionRelease) for 'public at now'."""
    return and_(
        DecisionRelease.released_at <= now,
        or_(Competition.published_at <= now, Competition.publish_at <= now),
    )


def public_decisions_query(now):
    """Decisions of competitions whose winners are public at `now`."""
    return (
        select(Decision)
        .join(Application, Application.id == Decision.application_id)
        .join(Competition, Competition.id == Decision.competition_id)
        .join(DecisionRelease, DecisionRelease.competition_id == Competition.id)
        .join(PrizeCategory, PrizeCategory.id == Decision.category_id)
        .where(public_condition(now), Decision.revoked_at.is_(None))
        .options(selectinload(Decision.application).selectinload(Application.attachments),
                 selectinload(Decision.competition), selectinload(Decision.category),
                 selectinload(Decision.public_text))
    )


def public_competitions_query(now):
    return (
        select(Competition)
        .join(DecisionRelease, DecisionRelease.competition_id == Competition.id)
        .where(public_condition(now))
    )


def is_public(competition, now=None):
    now = now or utcnow()
    if competition is None or release_of(competition) is None:
        return False
    if release_of(competition).released_at > now:
        return False
    return any(t is not None and t <= now for t in (competition.published_at, competition.publish_at))


def publication_state(competition, now=None):
    """'public', 'scheduled', 'unscheduled' or 'unreleased' for the staff page."""
    now = now or utcnow()
    if release_of(competition) is None:
        return "unreleased"
    if is_public(competition, now):
        return "public"
    if competition.publish_at is not None:
        return "scheduled"
    return "unscheduled"


def _require(action, competition, now=None):
    try:
        lifecycle.require(action, competition, now)
    except lifecycle.NotAllowed as exc:
        raise DecisionError(str(exc.message)) from None


def schedule_publication(*, actor, competition, publish_at):
    """Set (or clear with None) the instant the winners become public."""
    if publish_at is not None and publish_at.tzinfo is None:
        raise ValueError("publish_at must be aware")
    _require("schedule_publication", competition)
    old = competition.publish_at
    competition.publish_at = publish_at
    db.session.flush()
    audit.record(actor=actor, action="publication.schedule", obj=competition,
                 old={"publish_at": old}, new={"publish_at": publish_at})


def publish_now(*, actor, competition, now=None):
    """Make the winners public at once. The year is then "published" by the state machine
    (awards.services.lifecycle): no stored status changes."""
    now = now or utcnow()
    if release_of(competition) is None:
        raise DecisionError(_l("Bitte geben Sie zuerst die Entscheidungen frei."))
    _require("publish", competition, now)
    old = {"published_at": competition.published_at}
    competition.published_at = now
    db.session.flush()
    audit.record(actor=actor, action="publication.publish", obj=competition, old=old,
                 new={"published_at": now})


def withdraw_publication(*, actor, competition, now=None):
    """Take the winners offline again (e.g. published by mistake before the ceremony)."""
    _require("withdraw_publication", competition, now)
    old = {"published_at": competition.published_at, "publish_at": competition.publish_at}
    competition.published_at = None
    competition.publish_at = None
    db.session.flush()
    audit.record(actor=actor, action="publication.withdraw", obj=competition, old=old,
                 new={"published_at": None, "publish_at": None})


# --- the public projection -------------------------------------------------------------

@dataclass
class PublicWinner:
    """Everything the public may see of one winner; nothing else leaves this module."""

    decision_id: int
    competition_id: int
    prize_code: str
    prize_title: str
    year: int
    motto: str
    category: str
    rank: int
    amount_cents: int
    region_code: str | None
    region_name: str | None
    name: str | None
    place: str | None
    project_title: str | None
    summary: str | None
    photo_ids: list = field(default_factory=list)
    published_at: datetime | None = None
    # [(field name, value)]: public fields without a place of their own (awards.fields).
    details: tuple = ()
    # Optional English versions for the English pages (content_language.localized).
    prize_title_en: str = ""
    motto_en: str = ""
    category_en: str = ""

    @property
    def heading(self):
        return self.project_title or self.name or f"{self.category} – {self.prize_title} {self.year}"


def public_photos(application):
    if not (application.consent_publish_photos and application.image_rights_confirmed):
        return []
    return [a for a in application.attachments if a.is_image][:MAX_PHOTOS]


# The consent that publishes each group of public fields (`Field.public`).
PUBLIC_CONSENTS = {"name": "consent_publish_name", "text": "consent_publish_text"}


def may_publish(application, f):
    """True if the application's consent lets the public see field `f`."""
    return f.has(fields.PUBLIC) and bool(getattr(application, PUBLIC_CONSENTS[f.public]))


def _public(application, name):
    f = fields.get(name)
    return f.value(application) if may_publish(application, f) else None


def public_details(application):
    """The consented public fields that have no place of their own on a winner's page."""
    return tuple((f.name, f.display(application)) for f in fields.for_audience(fields.PUBLIC)
                 if f.public_slot is None and may_publish(application, f)
                 and f.display(application) not in (None, ""))


def laureate_name(application):
    if application.applicant_type == ApplicantType.PERSON:
        return application.contact_name or application.org_name
    return application.org_name or application.contact_name


def approved_text(decision):
    """The public text the applicant approved (awards.services.press), or None."""
    row = decision.public_text
    return row if row is not None and row.approved_text is not None else None


def project(decision):
    application, competition = decision.application, decision.competition
    approved = approved_text(decision)
    region = application.region or competition.region
    published = [t for t in (competition.published_at, competition.publish_at) if t is not None]
    return PublicWinner(
        decision_id=decision.id,
        competition_id=competition.id,
        prize_code=competition.prize_code,
        prize_title=competition.title,
        year=competition.year,
        motto=competition.motto,
        category=decision.category.label,
        rank=decision.category.rank,
        amount_cents=decision.amount_cents,
        region_code=region.value if region else None,
        region_name=Region(region).label if region else None,
        name=laureate_name(application) if may_publish(application, fields.get("org_name")) else None,
        place=_public(application, "city") or None,
        project_title=(approved.approved_title if approved else application.project_title)
        if may_publish(application, fields.get("project_title")) else None,
        summary=(approved.approved_text if approved else application.summary)
        if may_publish(application, fields.get("summary")) else None,
        photo_ids=[a.id for a in public_photos(application)],
        published_at=min(published) if published else None,
        details=public_details(application),
        prize_title_en=competition.title_en or "",
        motto_en=competition.motto_en or "",
        category_en=decision.category.label_en or "",
    )


def _ordered(query):
    return query.order_by(Competition.year.desc(), Competition.level.desc(),
                          Competition.prize_code, PrizeCategory.rank, Decision.id)


def list_winners(*, now, year=None, prize_code=None, region=None, page=1, per_page=20):
    """(winners on this page, total count) of public winners matching the filters."""
    from sqlalchemy import func

    query = public_decisions_query(now)
    if year:
        query = query.where(Competition.year == year)
    if prize_code:
        query = query.where(Competition.prize_code == prize_code)
    if region:
        query = query.where(or_(Application.region == region,
                                and_(Application.region.is_(None), Competition.region == region)))
    total = db.session.scalar(select(func.count()).select_from(
        query.with_only_columns(Decision.id).order_by(None).subquery()))
    rows = db.session.scalars(_ordered(query).limit(per_page).offset((page - 1) * per_page)).all()
    return [project(d) for d in rows], total


def competition_winners(*, now, prize_code, year):
    """(competition, [PublicWinner]) or (None, []) if not public at `now`."""
    competition = db.session.scalars(
        public_competitions_query(now).where(Competition.prize_code == prize_code,
                                             Competition.year == year)
    ).first()
    if competition is None:
        return None, []
    rows = db.session.scalars(
        _ordered(public_decisions_query(now).where(Competition.id == competition.id))
    ).all()
    return competition, [project(d) for d in rows]


def public_winner(*, now, decision_id, prize_code=None, year=None):
    query = public_decisions_query(now).where(Decision.id == decision_id)
    if prize_code is not None:
        query = query.where(Competition.prize_code == prize_code)
    if year is not None:
        query = query.where(Competition.year == year)
    decision = db.session.scalars(query).first()
    return project(decision) if decision else None


def public_photo(*, now, attachment_id):
    """The Attachment if it is a consented photo of a public winner, else None."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        return None
    decision = db.session.scalars(
        public_decisions_query(now).where(Decision.application_id == attachment.application_id)
    ).first()
    if decision is None or attachment not in public_photos(decision.application):
        return None
    return attachment


def filter_options(*, now):
    """Years and prizes that have public winners, for the overview's filters."""
    # Plain columns, not Competition objects: the filters need four values per edition,
    # not its categories and criteria.
    comps = db.session.execute(
        public_competitions_query(now).with_only_columns(
            Competition.year, Competition.prize_code, Competition.title, Competition.level)
        .order_by(None)
    ).all()
    years = sorted({c.year for c in comps}, reverse=True)
    # The prize's name in the page's language (a year's title may carry a motto or differ).
    prizes = {}
    for c in sorted(comps, key=lambda c: (c.level != "state", c.prize_code)):
        prizes.setdefault(c.prize_code, prize_name(c.prize_code))
    return years, prizes


def stripped_photo_key(attachment):
    ext = "png" if attachment.content_type == "image/png" else "jpg"
    return f"winners/photos/{attachment.id}-{attachment.sha256[:16]}.{ext}"


def public_photo_bytes(*, attachment, storage):
    """The photo without EXIF/GPS or other metadata, cached in storage after the first call.

    Applicants' originals may carry the location of their home; the public never gets them.
    """
    import io

    from PIL import Image

    key = stripped_photo_key(attachment)
    if storage.exists(key):
        return storage.read(key)
    with storage.open(attachment.storage_key) as source:
        image = Image.open(source)
        image.load()
    out = io.BytesIO()
    if attachment.content_type == "image/png":
        clean = image.copy()
        clean.info = {}  # drops tEXt/iTXt/eXIf chunks carried over on save
        clean.thumbnail((1600, 1600))
        clean.save(out, format="PNG", optimize=True)
    else:
        clean = image.convert("RGB")
        clean.info = {}
        clean.thumbnail((1600, 1600))
        # No exif= argument and an empty info: Pillow writes no EXIF block at all.
        clean.save(out, format="JPEG", quality=85)
    data = out.getvalue()
    storage.save(key, io.BytesIO(data), content_type=attachment.content_type)
    return data


def clock():
    """Now, as the app sees it. Tests inject a fixed instant via app.config["CLOCK"]."""
    from flask import current_app

    return current_app.config.get("CLOCK", utcnow)()


def laureate_certificates(user):
    """[(application, decision)] the user owns whose decisions are released (dashboard)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    # A nominee sees the certificate of the application they were nominated with.
    nominated = select(Nomination.application_id).where(
        Nomination.nominee_user_id == user.id, Nomination.access_granted_at.is_not(None))
    rows = db.session.execute(
        select(Application, Decision)
        .join(Decision, Decision.application_id == Application.id)
        .join(DecisionRelease, DecisionRelease.competition_id == Application.competition_id)
        .where(or_(Application.owner_id == user.id, Application.id.in_(nominated)),
               Decision.revoked_at.is_(None))
        .options(selectinload(Decision.public_text), selectinload(Decision.category))
        .order_by(Application.id.desc())
    ).all()
    return [(a, d) for a, d in rows]
