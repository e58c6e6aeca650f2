"""Factories for the decisions area: decided, released and published competitions."""
import io
from datetime import timedelta

from awards.enums import ApplicationStatus, CompetitionStatus
from awards.extensions import db
from awards.models.applications import Attachment
from awards.models.base import utcnow
from awards.services import decisions, publication
from awards.services.jury import release
from tests import factories

_counter = iter(range(1, 10**6))


def submitted(competition, **kw):
    n = next(_counter)
    values = dict(status=ApplicationStatus.SUBMITTED, number=n,
                  reference=f"{competition.prize_code}-{competition.year}-{n:04d}",
                  submitted_at=utcnow())
    values.update(kw)
    return factories.application(competition=competition, **values)


def decide(application, *, category=None, actor=None, rationale="Überzeugendes Projekt.", **kw):
    """Record a decision. The factory's applications are rarely scored by a jury, so an
    exception reason is given unless the test passes its own (or "" to test the refusal)."""
    competition = application.competition
    category = category or competition.categories[0]
    kw.setdefault("exception_reason", "Fabrik: Test ohne Jurywertung.")
    # Decisions are recorded in the jury phase: a competition still in its call (the
    # factories' default) is moved there first, as staff would.
    if competition.status in (CompetitionStatus.OPEN, CompetitionStatus.CLOSED):
        competition.status = CompetitionStatus.JURY
        db.session.flush()
    return decisions.record_decision(actor=actor, application=application, category=category,
                                     rationale=rationale, **kw)


def scored(competition, applications, *, juror=None, name="Jurysitzung"):
    """Make the applications go the whole way: formally admissible and scored (final) by a
    juror in a closed round, the competition's last. Returns the round."""
    from awards.enums import FormalCheck
    from awards.models.jury import Round, RoundEntry, RoundStatus, Score, ScoreStatus

    juror = juror or factories.juror(competition)
    position = max((r.position for r in db.session.query(Round)
                    .filter(Round.competition_id == competition.id)), default=0) + 1
    round_ = Round(competition_id=competition.id, name=name, position=position,
                   status=RoundStatus.CLOSED, closed_at=utcnow())
    db.session.add(round_)
    db.session.flush()
    for i, application in enumerate(applications):
        application.formal_check = FormalCheck.ADMISSIBLE
        entry = RoundEntry(round_id=round_.id, application_id=application.id,
                           code=f"{round_.code_prefix}-S{i:03d}")
        db.session.add(entry)
        db.session.flush()
        db.session.add(Score(round_id=round_.id, entry_id=entry.id, juror_id=juror.id,
                             status=ScoreStatus.FINAL, finalised_at=utcnow()))
    db.session.flush()
    return round_


def photo_attachment(application, *, storage, content_type="image/jpeg", with_exif=True):
    """A small JPEG (with an EXIF block carrying a GPS marker) stored for the application."""
    from PIL import Image

    image = Image.new("RGB", (40, 30), (200, 120, 40))
    out = io.BytesIO()
    if content_type == "image/png":
        image.save(out, format="PNG")
    else:
        exif = Image.Exif()
        exif[0x010E] = "GEHEIM-GPS-Hauptstrasse-1"  # ImageDescription: must never leak
        image.save(out, format="JPEG", exif=exif.tobytes() if with_exif else b"")
    data = out.getvalue()
    key = f"applications/{application.id}/photo-{next(_counter)}.{ 'png' if content_type == 'image/png' else 'jpg'}"
    size, digest = storage.save(key, io.BytesIO(data), content_type=content_type)
    attachment = Attachment(application_id=application.id, storage_key=key, filename="foto.jpg",
                            content_type=content_type, size=size, sha256=digest)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def released_competition(*, winners=2, others=1, prize_code="BIP", year=None, publish_at=None,
                         consent=True, staff=None, **kw):
    """A competition (status JURY) with submitted applications, `winners` decisions (one per
    category in rank order) and the release done. Returns (competition, winner apps, others)."""
    comp = factories.competition(prize_code=prize_code, year=year, status=CompetitionStatus.JURY,
                                 ceremony_at=utcnow() + timedelta(days=30),
                                 ceremony_place="Maximilianeum, München", publish_at=publish_at,
                                 signatories=[{"name": "Dr. Erika Beispiel", "title": "Staatsministerin (Beispiel)"}],
                                 **kw)
    consents = dict(consent_publish_name=consent, consent_publish_text=consent,
                    consent_publish_photos=consent, image_rights_confirmed=consent)
    winner_apps = [submitted(comp, **consents) for _ in range(winners)]
    other_apps = [submitted(comp, **consents) for _ in range(others)]
    for app_, category in zip(winner_apps, comp.categories):
        decide(app_, category=category, actor=staff)
    release.release_decisions(actor=staff, competition=comp)
    return comp, winner_apps, other_apps


def publish(competition, *, at=None, actor=None):
    publication.publish_now(actor=actor, competition=competition, now=at or utcnow())
