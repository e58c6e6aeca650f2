"""The test factories, in one module: build rows with sensible defaults; override what a
test cares about.

Sections: files (valid PDFs and images), users with roles, competitions (in any state of
the prize year), applications (draft, complete, submitted: ONE factory with options),
attachments and stored files, jury (rounds, assignments, scores), decisions, release and
publication, certificates.
"""
import io
import itertools
import re
import subprocess
from datetime import date, timedelta

from flask import current_app, has_request_context
from PIL import Image
from sqlalchemy import func, select

from awards.adapters.storage import get_storage
from awards.enums import (AllocationMode, ApplicantType, ApplicationStatus, CompetitionStatus,
                          FormalCheck, Level, Region, Role, SubmissionKind)
from awards.extensions import db
from awards.models.applications import Application, Attachment
from awards.models.base import utcnow
from awards.models.competitions import Competition, Criterion, PrizeCategory
from awards.models.decisions import Certificate, Decision, DecisionRelease
from awards.models.jury import (Assignment, Round, RoundEntry, RoundStatus, Score, ScoreStatus,
                                ScoreValue, TieBreak)
from awards.models.reference import District
from awards.reference_data import ensure_districts
from awards.services import accounts, applications as application_service, decisions, nominations, publication, uploads
from awards.services.jury import anonymisation, release, rounds
from awards.services.lifecycle import YearState

PASSWORD = "Passwort-123456"
_seq = itertools.count(1)
_hash_cache = {}


def _in_request(fn, **kw):
    """Translated messages (mails, receipts) need a request: the locale is chosen per request."""
    if has_request_context():
        return fn(**kw)
    with current_app.test_request_context():
        return fn(**kw)


# --------------------------------------------------------------------------- files

def minimal_pdf(text="Anlage"):
    """A small, valid one-page PDF with a correct xref table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1")
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_text(data):
    """The text of a PDF as pdftotext reads it, runs of white space made one space."""
    out = subprocess.run(["pdftotext", "-q", "-", "-"], input=data, capture_output=True,
                         check=True)
    return re.sub(r"\s+", " ", out.stdout.decode("utf-8"))


def image_bytes(fmt="PNG", size=(40, 30), color=(30, 110, 160)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


# Real files: uploads are parsed before they are stored.
PDF_BYTES = minimal_pdf("Konzept")
PNG_BYTES = image_bytes("PNG", size=(8, 8))


def pdf_bytes(*, text="Jahresbericht des Projekts", author=None, title=None, subject=None,
              creator=None, xmp=None):
    """A one-page PDF with real text and the given document info (and XMP packet)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    content = f"BT /F1 12 Tf 40 150 Td ({text}) Tj ET".encode("latin-1")
    writer = PdfWriter()
    page = writer.add_blank_page(300, 200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    meta = {}
    if author:
        meta["/Author"] = author
    if title:
        meta["/Title"] = title
    if subject:
        meta["/Subject"] = subject
    if creator:
        meta["/Creator"] = creator
    if meta:
        writer.add_metadata(meta)
    if xmp:
        xmp_stream = DecodedStreamObject()
        xmp_stream.set_data(xmp.encode("utf-8"))
        xmp_stream[NameObject("/Type")] = NameObject("/Metadata")
        xmp_stream[NameObject("/Subtype")] = NameObject("/XML")
        writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp_stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg_bytes(*, artist=None, description=None, gps=True):
    """A small JPEG with EXIF artist/description and a GPS position."""
    img = Image.new("RGB", (32, 24), (200, 120, 40))
    exif = Image.Exif()
    if artist:
        exif[0x013B] = artist  # Artist
    if description:
        exif[0x010E] = description  # ImageDescription
    if gps:
        exif[0x8825] = {1: "N", 2: (48.0, 8.0, 0.0), 3: "E", 4: (11.0, 34.0, 0.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes(), comment=(artist or "").encode())
    return out.getvalue()


def stored_file(key, data=PDF_BYTES, content_type="application/pdf"):
    get_storage().save(key, io.BytesIO(data), content_type)
    return key


# --------------------------------------------------------------------------- users


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


# --------------------------------------------------------------------------- competitions

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


# --------------------------------------------------------------------------- applications

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


def competition_in(state, *, now=None, **kw):
    """A competition in the given state of the prize year (lifecycle.YearState), as the
    year's state machine reads it at `now`."""
    now = now or utcnow()
    past = now - timedelta(days=10)
    stage = {YearState.DRAFT: CompetitionStatus.DRAFT, YearState.ANNOUNCED: CompetitionStatus.OPEN,
             YearState.OPEN: CompetitionStatus.OPEN, YearState.CLOSED: CompetitionStatus.CLOSED,
             YearState.JURY: CompetitionStatus.JURY, YearState.DECIDED: CompetitionStatus.DECIDED,
             YearState.RELEASED: CompetitionStatus.DECIDED,
             YearState.PUBLISHED: CompetitionStatus.DECIDED,
             YearState.ARCHIVED: CompetitionStatus.ARCHIVED}[state]
    kw.setdefault("opens_at", now + timedelta(days=5) if state == YearState.ANNOUNCED else past)
    kw.setdefault("deadline_at", now + timedelta(days=40))
    comp = competition(status=stage, **kw)
    if state in (YearState.RELEASED, YearState.PUBLISHED, YearState.ARCHIVED):
        db.session.add(DecisionRelease(competition_id=comp.id, released_at=past))
    if state in (YearState.PUBLISHED, YearState.ARCHIVED):
        comp.published_at = past
    db.session.flush()
    return comp


def district(name="München", is_city=True):
    ensure_districts()
    return db.session.query(District).filter_by(name=name, is_city=is_city).one()


COMPLETE = dict(
    kind=SubmissionKind.SELF, applicant_type=ApplicantType.VEREIN,
    org_name="Sprachbrücke Musterstadt e.V. (erfunden)", contact_name="Aylin Beispiel",
    street="Lindenweg 3", postcode="80331", city="München", email="kontakt@sprachbruecke.example",
    phone="089 1234567", project_title="Sprachcafé am Marktplatz",
    summary="Jeden Mittwoch üben Neuzugewanderte und Einheimische gemeinsam Deutsch.",
    description="Ehrenamtliche moderieren kleine Gesprächsrunden zu Alltagsthemen.",
    goals="Sprache im Alltag, Kontakte, Orientierung.", target_group="Neuzugewanderte Erwachsene.",
    motto_relation="Sprache schafft Heimat: Wer spricht, gehört dazu.",
    project_start=date(2021, 3, 1), volunteers_count=14, staff_count=0,
    consent_privacy=True, consent_truthful=True,
)
NOMINATOR = dict(nominator_name="Paula Vorschlag", nominator_org="Nachbarschaftsrat (erfunden)",
                 nominator_email="paula.vorschlag@example.org", nominator_phone="0911 765432")


def complete_application(*, competition, owner=None, status=ApplicationStatus.DRAFT,
                         district_name="München", is_city=True, **kw):
    """A draft that passes every check of the form (all steps filled, district chosen)."""
    d = district(district_name, is_city)
    values = dict(COMPLETE, district_id=d.id, region=d.region)
    values.update(kw)
    return application(competition=competition, owner=owner, status=status, **values)


def next_number(competition):
    return (db.session.scalar(select(func.max(Application.number)).where(
        Application.competition_id == competition.id)) or 0) + 1


def mark_submitted(application, number=None, *, receipt=True):
    """Turn an existing draft into a submitted application directly (no mail); with
    `receipt`, a stored receipt file as the service would write one."""
    number = number or next_number(application.competition)
    application.status = ApplicationStatus.SUBMITTED
    application.number = number
    application.reference = f"{application.competition.reference_prefix}-{number:04d}"
    application.submitted_at = utcnow()
    if receipt:
        application.receipt_key = stored_file(
            f"receipts/{application.competition_id}/{application.id}/{application.reference}.pdf")
    db.session.flush()
    return application


def submitted_application(competition, *, owner=None, kind=SubmissionKind.SELF, district=None,
                          attachments=0, nomination=False, complete=False, via_service=False,
                          admissible=False, receipt=False, number=None, **kw):
    """THE submitted application. Options:

    - complete: the values of a complete form (COMPLETE, a district) instead of short unique
      ones; implied by `district`, `nomination` and `via_service`.
    - district: the name of the district (a city of that name first, else the Landkreis).
    - kind / nomination: a nomination by a third party (nominator filled in, the nominee's
      Nomination row created and the nominee notified, as on submission).
    - attachments: how many PDF attachments to upload (through the upload service).
    - via_service: submit through services.applications.submit (number, reference, receipt
      PDF, confirmation mail); otherwise the row is written directly (fast).
    - admissible: formally checked and admissible (what jury rounds take in).
    - receipt: (direct only) store a receipt file as the service would.
    - number: (direct only) the running number; the next free one by default.
    Other keywords are column values; a `status` (reopened, withdrawn …) is set after the
    submission.
    """
    status = kw.pop("status", None)
    nomination = nomination or kind == SubmissionKind.NOMINATION
    if nomination:
        kw = {**NOMINATOR, "kind": SubmissionKind.NOMINATION, **kw}
    if admissible:
        kw.setdefault("formal_check", FormalCheck.ADMISSIBLE)
    if complete or district or nomination or via_service:
        if district is not None:
            ensure_districts()
            found = db.session.scalars(select(District).where(District.name == district)
                                       .order_by(District.is_city.desc())).first()
            kw.update(district_name=found.name, is_city=found.is_city)
        row = complete_application(competition=competition, owner=owner, **kw)
    else:
        row = application(competition=competition, owner=owner, **kw)
    for n in range(attachments):
        attachment(row, data=minimal_pdf(f"Anlage {n + 1}"), filename=f"Anlage-{n + 1}.pdf")
    if via_service:
        _in_request(application_service.submit, actor=row.owner, application=row)
    else:
        mark_submitted(row, number, receipt=receipt)
        if nomination:
            _in_request(nominations.on_submitted, actor=row.owner, application=row)
    if status is not None:
        row.status = status
    db.session.flush()
    return row


# --------------------------------------------------------------------------- attachments

def attachment(application, *, data=PDF_BYTES, filename="Konzept.pdf", actor=None):
    """An attachment uploaded through the upload service (checked, as an applicant's)."""
    return uploads.add_attachment(actor=actor or application.owner, application=application,
                                  stream=io.BytesIO(data), filename=filename)


def jury_attachment(*, application, data, content_type, filename, jury_visible=True,
                    description=""):
    """An attachment stored directly (any metadata kept) with its jury copy prepared."""
    n = next(_seq)
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    key = f"applications/{application.id}/test-{n}.{ext}"
    size, digest = get_storage().save(key, io.BytesIO(data), content_type)
    att = Attachment(application=application, storage_key=key, filename=filename,
                     content_type=content_type, size=size, sha256=digest,
                     description=description, jury_visible=jury_visible)
    db.session.add(att)
    db.session.flush()
    if jury_visible:
        anonymisation.prepare_jury_copy(attachment=att)
        db.session.flush()
    return att


def photo_attachment(application, *, storage, content_type="image/jpeg", with_exif=True):
    """A small JPEG (with an EXIF block carrying a GPS marker) stored for the application."""
    image = Image.new("RGB", (40, 30), (200, 120, 40))
    out = io.BytesIO()
    if content_type == "image/png":
        image.save(out, format="PNG")
    else:
        exif = Image.Exif()
        exif[0x010E] = "GEHEIM-GPS-Hauptstrasse-1"  # ImageDescription: must never leak
        image.save(out, format="JPEG", exif=exif.tobytes() if with_exif else b"")
    data = out.getvalue()
    ext = "png" if content_type == "image/png" else "jpg"
    key = f"applications/{application.id}/photo-{next(_seq)}.{ext}"
    size, digest = storage.save(key, io.BytesIO(data), content_type=content_type)
    row = Attachment(application_id=application.id, storage_key=key, filename="foto.jpg",
                     content_type=content_type, size=size, sha256=digest)
    db.session.add(row)
    db.session.flush()
    return row


# --------------------------------------------------------------------------- jury

def jury_round(*, competition, name="Vorauswahl", opens_at=None, closes_at=None, k=None,
               anonymised=True, tie_break=TieBreak.NONE, tie_break_position=None,
               rank_by_normalised=False, show_others=False, source="admissible", weights=None):
    crits = [(c, (weights or {}).get(c.name, c.weight)) for c in competition.criteria]
    # The factory's competitions keep their call open: the rounds run as a pre-selection,
    # which the year's state machine allows only when the competition is set up for it.
    competition.preselection_during_call = True
    return rounds.create_round(
        actor=None, competition=competition, name=name, criteria=crits, opens_at=opens_at,
        closes_at=closes_at or utcnow() + timedelta(days=14), anonymised=anonymised,
        jurors_per_application=k, tie_break=tie_break, tie_break_position=tie_break_position,
        rank_by_normalised=rank_by_normalised, show_others_after_submit=show_others, source=source)


def approve_all(round_):
    for entry in round_.entries:
        anonymisation.approve(actor=None, entry=entry)


def assign_all(round_, jurors):
    for entry in round_.entries:
        for juror_ in jurors:
            db.session.add(Assignment(round_id=round_.id, entry_id=entry.id, juror_id=juror_.id))
    db.session.flush()


def open_round(*, competition=None, round_=None, jurors=(), applications=None, n=3, **kw):
    """A released round with n submitted applications, every juror assigned to every entry."""
    if round_ is None:
        round_ = jury_round(competition=competition, **kw)
    competition = round_.competition
    if applications is None:
        applications = [submitted_application(competition, admissible=True) for _ in range(n)]
    rounds.populate_entries(actor=None, round_=round_)
    approve_all(round_)
    assign_all(round_, jurors)
    rounds.open_round(actor=None, round_=round_)
    return round_


def force_status(round_, status):
    round_.status = RoundStatus(status)
    db.session.flush()


def score(*, round_, entry, juror, values, final=True, comment=""):
    """values: list of points in the order of the round's criteria."""
    s = Score(round_id=round_.id, entry_id=entry.id, juror_id=juror.id, comment=comment,
              status=ScoreStatus.FINAL if final else ScoreStatus.DRAFT,
              finalised_at=utcnow() if final else None)
    for c, v in zip(round_.criteria, values):
        s.values.append(ScoreValue(round_criterion_id=c.id, value=v))
    db.session.add(s)
    db.session.flush()
    return s


def scored(competition, applications, *, juror=None, name="Jurysitzung"):
    """Make the applications go the whole way: formally admissible and scored (final) by a
    juror in a closed round, the competition's last. Returns the round."""
    juror = juror or user(role=Role.JUROR, competition=competition)
    position = max((r.position for r in db.session.query(Round)
                    .filter(Round.competition_id == competition.id)), default=0) + 1
    round_ = Round(competition_id=competition.id, name=name, position=position,
                   status=RoundStatus.CLOSED, closed_at=utcnow())
    db.session.add(round_)
    db.session.flush()
    for i, application_ in enumerate(applications):
        application_.formal_check = FormalCheck.ADMISSIBLE
        entry = RoundEntry(round_id=round_.id, application_id=application_.id,
                           code=f"{round_.code_prefix}-S{i:03d}")
        db.session.add(entry)
        db.session.flush()
        db.session.add(Score(round_id=round_.id, entry_id=entry.id, juror_id=juror.id,
                             status=ScoreStatus.FINAL, finalised_at=utcnow()))
    db.session.flush()
    return round_


# --------------------------------------------------------------------------- decisions

def decide(application, *, category=None, actor=None, rationale="Überzeugendes Projekt.", **kw):
    """Record a decision through the service. The factory's applications are rarely scored by
    a jury, so an exception reason is given unless the test passes its own (or "" to test
    the refusal)."""
    competition_ = application.competition
    category = category or competition_.categories[0]
    kw.setdefault("exception_reason", "Fabrik: Test ohne Jurywertung.")
    # Decisions are recorded in the jury phase: a competition still in its call (the
    # factories' default) is moved there first, as staff would.
    if competition_.status in (CompetitionStatus.OPEN, CompetitionStatus.CLOSED):
        competition_.status = CompetitionStatus.JURY
        db.session.flush()
    return decisions.record_decision(actor=actor, application=application, category=category,
                                     rationale=rationale, **kw)


def decision(application, *, rank=1, rationale="Überzeugendes Projekt."):
    """A decision row written directly (no checks, no audit)."""
    category = next(c for c in application.competition.categories if c.rank == rank)
    row = Decision(competition_id=application.competition_id, application_id=application.id,
                   category_id=category.id, amount_cents=category.amount_cents,
                   rationale=rationale, decided_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def released_competition(*, winners=2, others=1, prize_code="BIP", year=None, publish_at=None,
                         consent=True, staff=None, **kw):
    """A competition (status JURY) with submitted applications, `winners` decisions (one per
    category in rank order) and the release done. Returns (competition, winner apps, others)."""
    comp = competition(prize_code=prize_code, year=year, status=CompetitionStatus.JURY,
                       ceremony_at=utcnow() + timedelta(days=30),
                       ceremony_place="Maximilianeum, München", publish_at=publish_at,
                       signatories=[{"name": "Dr. Erika Beispiel",
                                     "title": "Staatsministerin (Beispiel)"}],
                       **kw)
    consents = dict(consent_publish_name=consent, consent_publish_text=consent,
                    consent_publish_photos=consent, image_rights_confirmed=consent)
    winner_apps = [submitted_application(comp, **consents) for _ in range(winners)]
    other_apps = [submitted_application(comp, **consents) for _ in range(others)]
    for app_, category in zip(winner_apps, comp.categories):
        decide(app_, category=category, actor=staff)
    release.release_decisions(actor=staff, competition=comp)
    return comp, winner_apps, other_apps


def publish(competition, *, at=None, actor=None):
    publication.publish_now(actor=actor, competition=competition, now=at or utcnow())


def certificate(application):
    """A certificate row with a stored (placeholder) PDF."""
    key = stored_file(f"certificates/{application.competition_id}/{application.id}.pdf")
    row = Certificate(application_id=application.id, competition_id=application.competition_id,
                      storage_key=key, size=len(PDF_BYTES), generated_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row
