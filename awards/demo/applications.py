"""Demo applications for this year's Bayerischer Integrationspreis: drafts at different steps
and submitted applications with receipts, photos and PDFs. Every organisation, person and
address is invented ("(erfunden)"); e-mail addresses use the reserved .example domain.

Idempotent: an application is identified by its project title within the competition.
"""
import io
from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_request_context
from PIL import Image, ImageDraw
from sqlalchemy import select

from awards.adapters.pdf import render_pdf
from awards.demo.base import DEMO_DOMAIN, demo_email, ensure_user
from awards.enums import ApplicantType, FormalCheck, SubmissionKind
from awards.extensions import db
from awards.models.applications import Application
from awards.models.competitions import Competition
from awards.models.reference import District
from awards.services import applications as service
from awards.services import document_requests, uploads
from awards.timeutil import to_berlin

FICTIONAL = "Alle Angaben sind für die Demo erfunden."

PROJECTS = [
    {
        "owner": ("bewerbung", "Berkan Bewerber"), "submit": True,
        "district": ("Nürnberg", True), "kind": SubmissionKind.SELF,
        "applicant_type": ApplicantType.VEREIN,
        "org_name": "Sprachbrücke Franken e.V. (erfunden)", "contact_name": "Berkan Bewerber",
        "street": "Färberstraße 12", "postcode": "90402", "city": "Nürnberg",
        "website": "https://sprachbruecke.example",
        "project_title": "Sprachcafé Mittwochs – Deutsch im Gespräch",
        "summary": "Jeden Mittwochabend treffen sich im Stadtteilzentrum rund 40 Menschen aus "
                   "über 20 Ländern, um in kleinen Runden Deutsch zu sprechen. Ehrenamtliche "
                   "Gesprächspatinnen und -paten moderieren Tische zu Alltagsthemen: Arztbesuch, "
                   "Elternabend, Wohnungssuche, Vorstellungsgespräch. Wer neu ist, findet hier "
                   "Übung, Kontakte und oft die ersten Freundschaften. " + FICTIONAL,
        "description": "Das Sprachcafé entstand 2019 aus einer Nachbarschaftsinitiative. Heute "
                       "tragen es 18 Ehrenamtliche. Neben den Gesprächstischen gibt es eine "
                       "Hausaufgabenecke für Kinder, einen Lesekreis mit einfachen Texten und "
                       "zweimal im Jahr ein Fest, zu dem die Teilnehmenden Speisen aus ihrer "
                       "Heimat mitbringen. Das Angebot ist kostenlos und ohne Anmeldung.",
        "goals": "Alltagssprache üben, Hemmungen abbauen, Begegnung zwischen Alteingesessenen "
                 "und Neuzugewanderten ermöglichen, Wege zu Beratung und Arbeit öffnen.",
        "target_group": "Erwachsene mit Einwanderungsgeschichte jeden Sprachniveaus und "
                        "Menschen aus der Nachbarschaft.",
        "motto_relation": "Sprache schafft Heimat: Wer sich verständigen kann, gehört dazu. "
                          "Das Sprachcafé macht Sprache zum Anlass für Begegnung.",
        "project_start": date(2019, 10, 2), "volunteers_count": 18, "staff_count": 0,
        "people_reached": 120,
        "partners": "Stadtbibliothek (erfunden), Volkshochschule (erfunden), Quartiersmanagement",
        "funding": "Spenden, Mitgliedsbeiträge, kleiner Zuschuss des Bezirksausschusses",
        "previous_awards": "Nachbarschaftspreis der Stadt 2022 (erfunden)",
        "attachments": [("Pressebericht Sprachcafe.pdf", "pdf"), ("Gespraechstisch.png", "png")],
        "check": (FormalCheck.ADMISSIBLE, ""),
    },
    {
        "owner": ("antrag-lotsen", "Lena Lotsin"), "submit": True,
        "district": ("Landshut", False), "kind": SubmissionKind.SELF,
        "applicant_type": ApplicantType.INITIATIVE,
        "org_name": "Integrationslotsen Vilstal (erfunden)", "contact_name": "Lena Lotsin",
        "street": "Marktplatz 3", "postcode": "84137", "city": "Vilsbiburg",
        "project_title": "Lotsen für den Alltag im ländlichen Raum",
        "summary": "Ehrenamtliche Lotsinnen und Lotsen begleiten neu zugezogene Familien im "
                   "ersten Jahr: zu Behörden, zur Kita-Anmeldung, zum Sportverein. Dabei "
                   "übersetzen sie nicht nur Sprache, sondern auch die ungeschriebenen Regeln "
                   "des Dorflebens. " + FICTIONAL,
        "description": "Im Landkreis gibt es wenige hauptamtliche Angebote. Die Initiative "
                       "schult Ehrenamtliche in drei Abendmodulen und vermittelt Tandems. "
                       "Ein monatlicher Stammtisch dient dem Austausch.",
        "goals": "Schneller ankommen, Vereinsamung vermeiden, Ehrenamt stärken.",
        "target_group": "Neu zugezogene Familien mit Fluchtgeschichte.",
        "motto_relation": "Die Tandems sprechen Deutsch miteinander – Sprache wächst im Alltag.",
        "project_start": date(2017, 4, 1), "volunteers_count": 26, "staff_count": 1,
        "people_reached": 90,
        "partners": "Landratsamt (erfunden), Pfarrei, Freiwillige Feuerwehr",
        "funding": "Förderung durch eine örtliche Stiftung (erfunden), Spenden",
        "attachments": [("Flyer Lotsen.pdf", "pdf")],
        "check": (FormalCheck.REQUEST, "Bitte reichen Sie eine kurze Übersicht der "
                                             "Finanzierung für 2025 nach."),
    },
    {
        "owner": ("antrag-schule", "Sami Schulz"), "submit": True,
        "district": ("Würzburg", True), "kind": SubmissionKind.NOMINATION,
        "nominator": ("Sami Schulz", "Elternbeirat (erfunden)", "sami.schulz@" + DEMO_DOMAIN),
        "applicant_type": ApplicantType.SCHULE,
        "org_name": "Grundschule am Mainufer (erfunden)", "contact_name": "Rektorin Petra Beispiel",
        "email": "grundschule-mainufer@" + DEMO_DOMAIN,
        "street": "Uferweg 1", "postcode": "97070", "city": "Würzburg",
        "project_title": "Lesepatenschaften in vielen Sprachen",
        "summary": "Ältere Schülerinnen und Schüler lesen mit Erstklässlern – auf Deutsch und "
                   "in den Familiensprachen. Eltern bringen Bücher aus ihren Herkunftsländern "
                   "mit und lesen in der Schulbibliothek vor. " + FICTIONAL,
        "description": "Die mehrsprachige Schulbibliothek umfasst inzwischen Bücher in 14 "
                       "Sprachen. Einmal im Monat findet ein Vorlesenachmittag für Familien statt.",
        "goals": "Freude am Lesen, Wertschätzung der Familiensprachen, Elternbeteiligung.",
        "target_group": "Kinder der Klassen 1 bis 4 und ihre Eltern.",
        "motto_relation": "Mehrsprachigkeit ist ein Schatz – und eine Brücke zum Deutschen.",
        "project_start": date(2021, 9, 14), "volunteers_count": 35, "staff_count": 2,
        "people_reached": 240,
        "attachments": [("Vorlesenachmittag.jpg", "jpg")],
        "check": None,
    },
    {
        "owner": ("antrag-sport", "Tarek Trainer"), "submit": False, "current_step": 2,
        "district": ("Augsburg", True), "kind": SubmissionKind.SELF,
        "applicant_type": ApplicantType.VEREIN,
        "org_name": "SV Lechufer 1921 e.V. (erfunden)", "contact_name": "Tarek Trainer",
        "street": "Sportplatzweg 4", "postcode": "86150", "city": "Augsburg",
        "project_title": "Fußball verbindet – Training für alle",
        "summary": "Offenes Training für Jugendliche jeder Herkunft, mit Hausaufgabenhilfe vor "
                   "dem Training. " + FICTIONAL,
        "attachments": [],
    },
    {
        "owner": ("bewerbung", "Berkan Bewerber"), "submit": False, "current_step": 4,
        "district": ("Nürnberg", True), "kind": SubmissionKind.SELF,
        "applicant_type": ApplicantType.VEREIN,
        "org_name": "Sprachbrücke Franken e.V. (erfunden)", "contact_name": "Berkan Bewerber",
        "street": "Färberstraße 12", "postcode": "90402", "city": "Nürnberg",
        "project_title": "Erzählcafé der Generationen",
        "summary": "Ältere Nachbarinnen und Nachbarn und junge Neuzugewanderte erzählen "
                   "einander aus ihrem Leben. " + FICTIONAL,
        "description": "Noch in Arbeit.",
        "goals": "Begegnung zwischen den Generationen.",
        "target_group": "Senioren und junge Erwachsene.",
        "project_start": date(2024, 2, 1), "volunteers_count": 6, "staff_count": 0,
        "people_reached": 40,
        "attachments": [],
    },
]


def _pdf(title):
    html = (
        "<html><head><style>body{font-family:sans-serif;font-size:12pt}</style></head><body>"
        f"<h1>{title}</h1><p>Demo-Anlage. {FICTIONAL}</p></body></html>"
    )
    return render_pdf(html, static_dir=current_app.static_folder)


def _image(fmt):
    image = Image.new("RGB", (480, 320), (225, 236, 245))
    draw = ImageDraw.Draw(image)
    for i, color in enumerate([(0, 90, 156), (240, 170, 0), (60, 150, 90), (200, 60, 60)]):
        draw.ellipse((40 + i * 105, 110, 130 + i * 105, 200), fill=color)
    draw.rectangle((30, 240, 450, 260), fill=(80, 80, 80))
    out = io.BytesIO()
    image.save(out, "JPEG" if fmt == "jpg" else "PNG")
    return out.getvalue()


def _district(name, is_city):
    return db.session.scalars(select(District).where(District.name == name,
                                                     District.is_city == is_city)).first()


def _load(competition):
    staff = ensure_user("ministerium", "Miriam Ministerium")
    for spec in PROJECTS:
        exists = db.session.scalar(select(Application.id).where(
            Application.competition_id == competition.id,
            Application.project_title == spec["project_title"]))
        if exists:
            continue
        owner = ensure_user(*spec["owner"])
        district = _district(*spec["district"])
        values = {k: v for k, v in spec.items() if k in Application.__table__.columns.keys()}
        # A nominated project has its own address: the nominee is written to there.
        application = Application(competition=competition, owner=owner, email=values.pop(
            "email", demo_email(spec["owner"][0])), district_id=district.id if district else None,
            region=district.region if district else None, **values)
        if spec.get("nominator"):
            (application.nominator_name, application.nominator_org,
             application.nominator_email) = spec["nominator"]
        db.session.add(application)
        db.session.flush()
        for filename, kind in spec["attachments"]:
            data = _pdf(filename.rsplit(".", 1)[0]) if kind == "pdf" else _image(kind)
            uploads.add_attachment(actor=owner, application=application,
                                   stream=io.BytesIO(data), filename=filename)
        if not spec["submit"]:
            application.current_step = spec.get("current_step", 1)
            application.autosaved_at = datetime.now(timezone.utc)
            continue
        application.image_rights_confirmed = any(a.is_image for a in application.attachments)
        application.consent_privacy = application.consent_truthful = True
        application.consent_publish_name = application.consent_publish_text = True
        application.consent_publish_photos = application.image_rights_confirmed
        service.submit(actor=owner, application=application)
        if spec.get("check"):
            result, reason = spec["check"]
            if result == FormalCheck.REQUEST:
                document_requests.request_documents(
                    actor=staff, application=application, message=reason,
                    due_at=document_requests.due_instant(
                        to_berlin(datetime.now(timezone.utc)).date() + timedelta(days=14)))
            else:
                service.formal_check(actor=staff, application=application, result=result,
                                     reason=reason)
    db.session.flush()


def load():
    year = datetime.now(timezone.utc).year
    competition = db.session.scalars(select(Competition).where(
        Competition.prize_code == "BIP", Competition.year == year)).first()
    if competition is None:
        return []
    if has_request_context():
        _load(competition)
    else:
        # Translated texts (receipts, mails) pick their language per request.
        with current_app.test_request_context():
            _load(competition)
    return []
