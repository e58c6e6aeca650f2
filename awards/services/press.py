"""Public texts of winners and the press kit of a competition.

Staff write the public text of each winner and put it to the applicant, who approves it or
asks for a change with a comment; only an approved copy is shown on the winners pages and
goes into the press kit. The press kit is a ZIP: the press release (text and tagged PDF),
the winners as CSV and XLSX (spreadsheet formulas neutralised), and the photos the
laureates consented to publish, with captions and credit lines. Its content is the public
projection of each winner (awards.services.publication.project), so nothing leaves that the
winners pages would not show. Before the winners are public only staff may download it.
"""
import csv
import io
import re
import zipfile
from dataclasses import dataclass

from flask import current_app
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from awards.adapters.pdf import ARCHIVAL_ACCESSIBLE, render_pdf
from awards.extensions import db
from awards.filenames import clean_filename
from awards.i18n import _l, format_money, format_number
from awards.models.base import utcnow
from awards.models.competitions import PrizeCategory
from awards.models.decisions import Decision
from awards.models.press import PressKit, PublicText
from awards.services import audit, decisions, publication
from awards.services.certificates import font_urls
from awards.services.decisions import DecisionError
from awards.services.exports import _safe
from awards.errors import StaleObjectError

MAX_TITLE = 300
MAX_TEXT = 4000
MAX_RELEASE = 20000
MAX_COMMENT = 2000

STATUS_LABELS = {
    "none": "Noch kein Text",
    "draft": "Entwurf (noch nicht vorgelegt)",
    "proposed": "Liegt zur Freigabe vor",
    "approved": "Freigegeben",
    "changes_requested": "Änderung gewünscht",
}


class PressError(DecisionError):
    """A public text or press release cannot be saved as asked (`field` names the field)."""


class StaleEdit(StaleObjectError, PressError):
    """Someone else saved the same text since the form was loaded."""


def _check_version(row, expected_version):
    """`expected_version` is the version the form was loaded with (0: there was no row yet);
    None skips the check (demo data, scripts)."""
    if row.id is not None and expected_version is not None and row.version != expected_version:
        raise StaleEdit(_l("Jemand anderes hat diesen Text inzwischen geändert. Bitte laden Sie "
                           "die Seite neu und prüfen Sie den aktuellen Stand."))


# --- public texts ----------------------------------------------------------------------

def decisions_with_texts(competition):
    """The competition's decisions (revoked ones too) in rank order, with what the press
    kit page shows loaded in a fixed number of queries."""
    return db.session.scalars(
        select(Decision).where(Decision.competition_id == competition.id)
        .join(PrizeCategory, PrizeCategory.id == Decision.category_id)
        .options(selectinload(Decision.application), selectinload(Decision.category),
                 selectinload(Decision.public_text))
        .order_by(PrizeCategory.rank, Decision.id)).all()


def status_of(decision):
    row = decision.public_text
    return row.status if row is not None else "none"


def draft_defaults(decision):
    """What a new text starts from: the project title and short description as submitted."""
    application = decision.application
    return {"title": application.project_title or "", "text": application.summary or "",
            "photo_credit": ""}


def save_public_text(*, actor, decision, title, text, photo_credit="", propose=False,
                     expected_version=None, now=None):
    """Save staff's draft; with `propose` put it to the applicant (after the release)."""
    now = now or utcnow()
    title, text = (title or "").strip(), (text or "").strip()
    photo_credit = (photo_credit or "").strip()
    if not title:
        raise PressError(_l("Bitte geben Sie einen Titel an."), "title")
    if len(title) > MAX_TITLE:
        raise PressError(_l("Der Titel darf höchstens %(n)s Zeichen lang sein.", n=format_number(MAX_TITLE)), "title")
    if not text:
        raise PressError(_l("Bitte geben Sie den Text für die Veröffentlichung ein."), "text")
    if len(text) > MAX_TEXT:
        raise PressError(_l("Der Text darf höchstens %(n)s Zeichen lang sein.", n=format_number(MAX_TEXT)), "text")
    if len(photo_credit) > MAX_TITLE:
        raise PressError(_l("Der Bildnachweis darf höchstens %(n)s Zeichen lang sein.", n=format_number(MAX_TITLE)),
                         "photo_credit")
    if decision.is_revoked:
        raise PressError(_l("Die Auszeichnung ist aberkannt; es gibt keinen öffentlichen Text mehr."))
    if propose and not decisions.is_released(decision.competition):
        raise PressError(_l("Den Text können Sie erst nach der Freigabe der Entscheidungen zur "
                            "Freigabe vorlegen: vorher wissen die Preisträger noch nichts."))
    row = decision.public_text
    if row is not None:
        _check_version(row, expected_version)
    else:
        row = PublicText(decision_id=decision.id, title="", text="", photo_credit="",
                         status="draft", applicant_comment="")
        db.session.add(row)
        decision.public_text = row
    old = {"title": row.title, "text": row.text, "photo_credit": row.photo_credit,
           "status": row.status}
    changed = (title, text) != (row.title, row.text)
    row.title, row.text, row.photo_credit = title, text, photo_credit
    row.updated_by_id = getattr(actor, "id", None)
    if propose:
        row.status = "proposed"
        row.proposed_at = now
    elif changed or row.status != "approved":
        # A changed text needs a new approval; the public keeps the approved copy meanwhile.
        row.status = "draft"
    db.session.flush()
    audit.record(actor=actor, action="public_text.propose" if propose else "public_text.save",
                 obj=row, competition_id=decision.competition_id, old=old,
                 new={"title": title, "text": text, "photo_credit": photo_credit,
                      "status": row.status})
    return row


def answer_public_text(*, actor, decision, approve, comment="", expected_version=None, now=None):
    """The applicant approves the proposed text, or asks for a change with a comment."""
    now = now or utcnow()
    row = decision.public_text
    if row is None or row.status != "proposed":
        raise PressError(_l("Es liegt kein Text zur Freigabe vor."))
    _check_version(row, expected_version)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise PressError(_l("Bitte schreiben Sie, was geändert werden soll."), "comment")
    if len(comment) > MAX_COMMENT:
        raise PressError(_l("Die Anmerkung darf höchstens %(n)s Zeichen lang sein.", n=format_number(MAX_COMMENT)),
                         "comment")
    old = {"status": row.status, "approved_title": row.approved_title,
           "approved_text": row.approved_text}
    row.applicant_comment = comment
    row.answered_at = now
    row.answered_by_id = getattr(actor, "id", None)
    if approve:
        row.status = "approved"
        row.approved_title, row.approved_text = row.title, row.text
    else:
        row.status = "changes_requested"
    db.session.flush()
    audit.record(actor=actor, action="public_text.approve" if approve else "public_text.change_request",
                 obj=row, competition_id=decision.competition_id, old=old,
                 new={"status": row.status, "approved_title": row.approved_title,
                      "approved_text": row.approved_text, "comment": comment})
    return row


# --- the press release -----------------------------------------------------------------

def press_kit_of(competition):
    """The competition's press kit row, or None."""
    return db.session.scalars(select(PressKit).where(PressKit.competition_id == competition.id)).first()


def save_press_release(*, actor, competition, headline, release_text, press_contact,
                       expected_version=None):
    headline, release_text = (headline or "").strip(), (release_text or "").strip()
    press_contact = (press_contact or "").strip()
    if not headline:
        raise PressError(_l("Bitte geben Sie eine Überschrift an."), "headline")
    if len(headline) > MAX_TITLE:
        raise PressError(_l("Die Überschrift darf höchstens %(n)s Zeichen lang sein.", n=format_number(MAX_TITLE)),
                         "headline")
    if not release_text:
        raise PressError(_l("Bitte schreiben Sie den Text der Pressemitteilung."), "release_text")
    if len(release_text) > MAX_RELEASE:
        raise PressError(_l("Die Pressemitteilung darf höchstens %(n)s Zeichen lang sein.", n=format_number(MAX_RELEASE)),
                         "release_text")
    if len(press_contact) > MAX_COMMENT:
        raise PressError(_l("Der Pressekontakt darf höchstens %(n)s Zeichen lang sein.", n=format_number(MAX_COMMENT)),
                         "press_contact")
    kit = press_kit_of(competition)
    if kit is None:
        kit = PressKit(competition_id=competition.id, headline="", release_text="",
                       press_contact="")
        db.session.add(kit)
    else:
        _check_version(kit, expected_version)
    old = {"headline": kit.headline, "release_text": kit.release_text,
           "press_contact": kit.press_contact}
    kit.headline, kit.release_text, kit.press_contact = headline, release_text, press_contact
    kit.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor=actor, action="press_kit.save", obj=kit, old=old,
                 new={"headline": headline, "release_text": release_text,
                      "press_contact": press_contact})
    return kit


# --- the ZIP ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PressPhoto:
    attachment: object
    filename: str
    caption: str
    credit: str


@dataclass(frozen=True)
class PressEntry:
    winner: publication.PublicWinner
    photos: tuple


def _slug(value, limit=40):
    value = re.sub(r"[^\w]+", "-", value or "", flags=re.UNICODE).strip("-")
    return value[:limit].strip("-") or "preistraeger"


def entries(competition):
    """[PressEntry] for the competition's awarded (not revoked) winners, in rank order."""
    rows = decisions.active(decisions.decisions_for(competition))
    rows.sort(key=lambda d: (d.category.rank, d.id))
    result = []
    for number, decision in enumerate(rows, start=1):
        winner = publication.project(decision)
        credit_source = decision.public_text.photo_credit if decision.public_text else ""
        credit = credit_source or (f"Foto: {winner.name}" if winner.name else "Foto: privat")
        photos = []
        for index, attachment in enumerate(publication.public_photos(decision.application), start=1):
            ext = "png" if attachment.content_type == "image/png" else "jpg"
            name = clean_filename(f"{number:02d}-{_slug(winner.name or winner.project_title)}-{index}.{ext}")
            caption = f"{winner.heading} – {winner.category}, {winner.prize_title} {winner.year}"
            if winner.place:
                caption += f" ({winner.place})"
            photos.append(PressPhoto(attachment, f"Fotos/{name}", caption, credit))
        result.append(PressEntry(winner=winner, photos=tuple(photos)))
    return result


WINNER_COLUMNS = ("Preis", "Jahr", "Kategorie", "Preisgeld", "Regierungsbezirk", "Name", "Ort",
                  "Projekt", "Text", "Fotos")


def _winner_rows(press_entries):
    for entry in press_entries:
        w = entry.winner
        yield [_safe(v) for v in (
            w.prize_title, w.year, w.category, format_money(w.amount_cents, "de") if w.amount_cents else "",
            w.region_name or "", w.name or "", w.place or "", w.project_title or "",
            w.summary or "", ", ".join(p.filename for p in entry.photos))]


def winners_csv(press_entries):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(WINNER_COLUMNS)
    writer.writerows(_winner_rows(press_entries))
    return out.getvalue().encode("utf-8")


def winners_xlsx(press_entries):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Preisträger")
    sheet.append(list(WINNER_COLUMNS))
    for row in _winner_rows(press_entries):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def release_text_plain(competition, kit, press_entries):
    lines = [kit.headline if kit else f"{competition.title} {competition.year}", ""]
    lines.append(kit.release_text if kit else "")
    lines += ["", "Die Preisträgerinnen und Preisträger:"]
    for entry in press_entries:
        w = entry.winner
        lines.append(f"- {w.category}: {w.name or 'Name nicht zur Veröffentlichung freigegeben'}"
                     + (f", {w.place}" if w.place else "")
                     + (f" – „{w.project_title}“" if w.project_title else ""))
    if kit and kit.press_contact:
        lines += ["", "Pressekontakt:", kit.press_contact]
    return "\r\n".join(lines).strip() + "\r\n"


def captions_text(press_entries):
    lines = ["Bildunterschriften und Bildnachweise", ""]
    for entry in press_entries:
        for photo in entry.photos:
            lines += [photo.filename, f"Bildunterschrift: {photo.caption}",
                      f"Bildnachweis: {photo.credit}", ""]
    if len(lines) == 2:
        lines.append("Keine Fotos: Für keine Preisträgerin und keinen Preisträger liegt eine "
                     "Einwilligung zur Veröffentlichung von Fotos vor.")
    return "\r\n".join(lines).strip() + "\r\n"


def release_pdf(competition, kit, press_entries, *, storage):
    html = current_app.jinja_env.get_template("pdf/press_release.html").render(
        competition=competition, kit=kit, entries=press_entries, fonts=font_urls(storage))
    return render_pdf(html, static_dir=current_app.static_folder, storage=storage,
                      pdf_variant=ARCHIVAL_ACCESSIBLE)


def zip_name(competition):
    return clean_filename(f"Pressemappe-{competition.prize_code}-{competition.year}.zip")


def build_zip(*, competition, storage):
    """The press kit as ZIP bytes."""
    kit = press_kit_of(competition)
    press_entries = entries(competition)
    base = f"{competition.prize_code}-{competition.year}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"Pressemitteilung-{base}.txt",
                         release_text_plain(competition, kit, press_entries))
        archive.writestr(f"Pressemitteilung-{base}.pdf",
                         release_pdf(competition, kit, press_entries, storage=storage))
        archive.writestr(f"Preistraeger-{base}.csv", winners_csv(press_entries))
        archive.writestr(f"Preistraeger-{base}.xlsx", winners_xlsx(press_entries))
        archive.writestr("Bildnachweise.txt", captions_text(press_entries))
        for entry in press_entries:
            for photo in entry.photos:
                # The copy without EXIF/GPS the winners pages serve, never the original.
                archive.writestr(photo.filename, publication.public_photo_bytes(
                    attachment=photo.attachment, storage=storage),
                    compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def may_download(user_is_staff, competition, now):
    """Staff always; anyone else only once the winners are public (press embargo)."""
    return user_is_staff or publication.is_public(competition, now)
