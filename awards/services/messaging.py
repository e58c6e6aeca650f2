"""Staff write to a group of people of one competition: the composer.

Text written here is NOT a template (staff must not run code on the server): only the
placeholders of `PLACEHOLDERS` in single braces are replaced, e.g. "{anrede}". Each
recipient gets a mail of their own through the outbox, with a line saying why they get it.

Jury members never receive anything that names an applicant while the jury's anonymity
holds: the placeholders of applications are not offered for jury groups, and a text that
contains an identifying value of one of the competition's applications is refused. A staff
member who sits on the jury of a competition whose anonymity holds may write to jury
groups only (the other groups would show applicants in the preview).
"""
import re
from dataclasses import dataclass

from flask_babel import force_locale
from awards.i18n import _l, format_berlin_datetime, format_number
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from awards import permissions
from awards.enums import ApplicationStatus, SubmissionKind
from awards.extensions import db
from awards.models.applications import Application
from awards.models.decisions import Decision
from awards.models.jury import Round
from awards.services import audit, mail
from awards.services.jury import anonymisation, members
from awards.errors import DomainError

MAX_SUBJECT = 200
MAX_BODY = 20000

PLACEHOLDERS = {
    "anrede": _l("Anrede mit Namen, z. B. „Guten Tag Maria Muster“"),
    "name": _l("Name der Person oder Organisation"),
    "projekt": _l("Projekttitel (nur bei Bewerbungen)"),
    "wettbewerb": _l("Name und Jahr des Wettbewerbs"),
    "frist": _l("Bewerbungsschluss, bei einer Runde deren Ende"),
    "runde": _l("Name der Bewertungsrunde (nur bei einer Runde)"),
    "verleihung": _l("Datum und Ort der Preisverleihung"),
}
APPLICATION_ONLY = {"projekt"}
ROUND_ONLY = {"runde"}
_BRACES = re.compile(r"\{([^{}\n]{0,40})\}")


class ComposeError(DomainError):
    """Input the composer refuses; `field` names the form field the message belongs to."""

    def __init__(self, message, field=None):
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Group:
    key: str            # "applicants", "drafts", "winners", "nominees", "jurors", "round-7"
    label: str
    why: str            # the "why you get this" line of each mail
    jury: bool = False
    round_id: int | None = None


@dataclass(frozen=True)
class Recipient:
    to: str
    values: dict


def _wettbewerb(competition):
    return f"{competition.title} {competition.year}"


def _berlin(value):
    """A time in the German mails: '05.02.2026, 23:59 Uhr' (Berlin time, Babel, German)."""
    return format_berlin_datetime(value, "long", "de")


def _whys(title):
    return {
        "applicants": str(_l("Sie erhalten diese E-Mail, weil Sie sich beim %(t)s beworben haben.",
                             t=title)),
        "drafts": str(_l("Sie erhalten diese E-Mail, weil Sie beim %(t)s eine Bewerbung begonnen, "
                         "aber noch nicht abgesendet haben.", t=title)),
        "winners": str(_l("Sie erhalten diese E-Mail, weil Ihr Projekt beim %(t)s ausgezeichnet "
                          "wurde.", t=title)),
        "nominees": str(_l("Sie erhalten diese E-Mail, weil Ihr Projekt für den %(t)s "
                           "vorgeschlagen wurde.", t=title)),
        "jury": str(_l("Sie erhalten diese E-Mail, weil Sie Mitglied der Jury des %(t)s sind.",
                       t=title)),
    }


def groups(competition, *, actor):
    """The groups `actor` may write to, in display order."""
    with force_locale("de"):  # the mails are German whatever language the page is in
        whys = _whys(_wettbewerb(competition))
    out = []
    if not permissions.identities_hidden_from(actor, competition):
        out += [
            Group("applicants", str(_l("Alle Bewerbenden (abgesendete Bewerbungen)")),
                  whys["applicants"]),
            Group("drafts", str(_l("Bewerbende mit nicht abgesendetem Entwurf")), whys["drafts"]),
            Group("winners", str(_l("Preisträgerinnen und Preisträger")), whys["winners"]),
            Group("nominees", str(_l("Vorgeschlagene (Vorschlag durch Dritte)")), whys["nominees"]),
        ]
    jury_why = whys["jury"]
    out.append(Group("jurors", str(_l("Alle Mitglieder der Jury")), jury_why, jury=True))
    rounds = db.session.scalars(select(Round).where(Round.competition_id == competition.id)
                                .order_by(Round.position, Round.id)).all()
    for round_ in rounds:
        out.append(Group(f"round-{round_.id}",
                         str(_l("Jury der Runde „%(name)s“", name=round_.name)),
                         jury_why, jury=True, round_id=round_.id))
    return out


def group_by_key(competition, key, *, actor):
    for group in groups(competition, actor=actor):
        if group.key == key:
            return group
    raise ComposeError(_l("Bitte wählen Sie eine der angebotenen Gruppen."), "group")


def allowed_placeholders(group):
    names = set(PLACEHOLDERS)
    if group.jury:
        names -= APPLICATION_ONLY
    if group.round_id is None:
        names -= ROUND_ONLY
    return names


def _greeting(name):
    return f"Guten Tag {name}" if name else "Guten Tag"


def _application_recipient(application, competition, address=None):
    name = application.contact_name or application.org_name or (
        application.owner.name if application.owner else "")
    to = address or application.email or (application.owner.email if application.owner else "")
    return Recipient(to, {
        "anrede": _greeting(name), "name": name, "projekt": application.display_title,
        "wettbewerb": _wettbewerb(competition), "frist": _berlin(competition.deadline_at),
        "verleihung": _ceremony(competition)})


def _ceremony(competition):
    parts = [p for p in (_berlin(competition.ceremony_at), competition.ceremony_place) if p]
    return ", ".join(parts)


def _juror_recipient(user, competition, round_=None):
    frist = _berlin(round_.closes_at) if round_ is not None else _berlin(competition.deadline_at)
    values = {"anrede": _greeting(user.name), "name": user.name or "",
              "wettbewerb": _wettbewerb(competition), "frist": frist,
              "verleihung": _ceremony(competition)}
    if round_ is not None:
        values["runde"] = round_.name
    return Recipient(user.email, values)


def _applications(competition, *where):
    return db.session.scalars(
        select(Application).where(Application.competition_id == competition.id, *where)
        .options(selectinload(Application.owner))
        .order_by(Application.number, Application.id)).all()


def recipients(competition, group):
    """[Recipient] of the group, each address once per application (or per juror)."""
    live = (ApplicationStatus.SUBMITTED, ApplicationStatus.REOPENED)
    if group.key == "applicants":
        out = [_application_recipient(a, competition)
               for a in _applications(competition, Application.status.in_(live))]
    elif group.key == "drafts":
        out = [_application_recipient(a, competition, a.owner.email if a.owner else "")
               for a in _applications(competition, Application.status == ApplicationStatus.DRAFT)]
    elif group.key == "winners":
        won = select(Decision.application_id).where(Decision.competition_id == competition.id,
                                                     Decision.revoked_at.is_(None))
        out = [_application_recipient(a, competition)
               for a in _applications(competition, Application.id.in_(won))]
    elif group.key == "nominees":
        out = []
        for a in _applications(competition, Application.kind == SubmissionKind.NOMINATION,
                               Application.status.in_(live)):
            nomination = a.nomination
            if nomination is not None and nomination.nominee_email:
                out.append(_application_recipient(a, competition, nomination.nominee_email))
    elif group.round_id is not None:
        round_ = db.session.get(Round, group.round_id)
        out = [_juror_recipient(u, competition, round_)
               for u in members.round_jurors(round_.id, active=True)]
    else:
        out = [_juror_recipient(u, competition)
               for u, _chair in members.competition_jurors(competition.id, active=True)]
    seen, unique = set(), []
    for r in out:
        key = (r.to.lower(), r.values.get("projekt"))
        if r.to and key not in seen:
            seen.add(key)
            unique.append(r)
    return unique


def _check_placeholders(text, group, field):
    allowed = allowed_placeholders(group)
    unknown = sorted({m.strip() for m in _BRACES.findall(text) if m.strip() not in allowed})
    if unknown:
        shown = ", ".join("{%s}" % u for u in unknown)
        offered = ", ".join("{%s}" % p for p in PLACEHOLDERS if p in allowed)
        raise ComposeError(_l("Unbekannter Platzhalter %(unknown)s. Für diese Gruppe möglich "
                              "sind: %(offered)s.", unknown=shown, offered=offered), field)


def _identifying_terms(competition):
    """Whole identifying values and references of the competition's applications."""
    terms = set()
    for application in _applications(competition, Application.status != ApplicationStatus.DRAFT):
        terms.update(anonymisation.identifiers_for(application).values)
        if application.reference:
            terms.add(application.reference)
        if application.project_title:
            terms.add(application.project_title)
    return sorted((t for t in terms if len(t) >= 3), key=len, reverse=True)


def anonymity_problem(competition, group, text):
    """The term of an application that `text` names, when jury members would read it while
    the jury's anonymity holds; None otherwise."""
    if not group.jury or not permissions.jury_anonymity_holds(competition):
        return None
    ids = anonymisation.Identifiers(values=_identifying_terms(competition))
    # Only the applications' own values: an address or link of the office is no leak.
    hits = [h for h in anonymisation.find_hits(text, ids) if h.kind == "value"]
    return text[hits[0].start:hits[0].end] if hits else None


def check(*, competition, group, subject, body):
    """Raise ComposeError (with the field) for anything the composer refuses."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise ComposeError(_l("Bitte geben Sie einen Betreff an."), "subject")
    if len(subject) > MAX_SUBJECT:
        raise ComposeError(_l("Der Betreff darf höchstens %(n)s Zeichen haben.", n=format_number(MAX_SUBJECT)),
                           "subject")
    if not body:
        raise ComposeError(_l("Bitte schreiben Sie einen Text."), "body")
    if len(body) > MAX_BODY:
        raise ComposeError(_l("Der Text darf höchstens %(n)s Zeichen haben.", n=format_number(MAX_BODY)), "body")
    _check_placeholders(subject, group, "subject")
    _check_placeholders(body, group, "body")
    for field, text in (("subject", subject), ("body", body)):
        named = anonymity_problem(competition, group, text)
        if named:
            raise ComposeError(_l("Die Jury bewertet anonym: Der Text nennt „%(term)s“ aus einer "
                                  "Bewerbung. Bitte entfernen Sie Namen, Projekttitel und "
                                  "Bewerbungsnummern.", term=named), field)


def fill(text, values):
    return _BRACES.sub(lambda m: str(values.get(m.group(1).strip(), m.group(0))), text)


def render(group, recipient, *, subject, body):
    """(subject, text) of the mail to one recipient, with the line why they get it."""
    text = fill(body.strip(), recipient.values)
    footer = (f"\n\n-- \n{group.why}\n"
              "Bei Fragen antworten Sie bitte nicht auf diese E-Mail, sondern wenden Sie sich "
              "an die Geschäftsstelle.")
    return fill(subject.strip(), recipient.values), text + footer


def send(*, actor, competition, group, subject, body):
    """Queue one mail per recipient (flushed); audit who wrote to which group, how many."""
    check(competition=competition, group=group, subject=subject, body=body)
    people = recipients(competition, group)
    if not people:
        raise ComposeError(_l("Diese Gruppe hat keine Empfängerinnen und Empfänger."), "group")
    for recipient in people:
        mail_subject, text = render(group, recipient, subject=subject, body=body)
        mail.enqueue(to=recipient.to, subject=mail_subject, text=text)
    audit.record(actor=actor, action="message.send", obj=competition,
                 new={"group": group.key, "count": len(people), "subject": subject.strip()})
    return len(people)
