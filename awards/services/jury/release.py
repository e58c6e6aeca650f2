"""Release a competition's decisions: congratulation mails to the winners and respectful
notices to everyone else, queued in the outbox in the same transaction as the release.

Mail wording is per competition and editable by staff. Staff-edited text is NOT a Jinja
template (that would let staff run code on the server): only `{{ placeholder }}` names from
PLACEHOLDERS are replaced. The defaults live in templates/emails/decision_<kind>.txt and use
the same placeholders, first line "Betreff: ...".
"""
import logging
import re

from flask import current_app
from sqlalchemy import select

from awards.enums import ApplicationStatus, CompetitionStatus, FormalCheck
from awards.extensions import db
from awards.i18n import _l, format_berlin_date, format_money
from awards.models.base import utcnow
from awards.models.decisions import MAIL_KINDS, DecisionRelease, MailTemplate
from awards.services import audit, decisions as decisions_service, lifecycle, mail, nominations
from awards.services.decisions import DecisionError, decisions_for, eligible_applications, release_of
from awards.timeutil import to_berlin
from awards.urls import public_base_url

log = logging.getLogger("awards.decisions")

PLACEHOLDERS = {
    "ansprechperson": _l("Name der Ansprechperson"),
    "organisation": _l("Name der Organisation oder Person"),
    "projekt": _l("Projekttitel"),
    "referenz": _l("Bewerbungsnummer"),
    "preis": _l("Name des Preises"),
    "jahr": _l("Jahr"),
    "kategorie": _l("Preiskategorie (nur Glückwunsch)"),
    "betrag": _l("Preisgeld (nur Glückwunsch)"),
    "verleihung_datum": _l("Datum der Preisverleihung"),
    "verleihung_ort": _l("Ort der Preisverleihung"),
    "link": _l("Link zum Konto (Urkunde herunterladen)"),
    "grund": _l("Begründung der formalen Prüfung (bei „formal nicht zulässig“) bzw. was "
                "korrigiert werden sollte (bei „nicht erneut abgesendet“)"),
}
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
_ANY_BRACES = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
MAX_SUBJECT = 200
# The app keeps no language per recipient: decision mails are German (as their texts).
MAIL_LANGUAGE = "de"


class TemplateError(DecisionError):
    pass


def default_template(kind):
    """(subject, body) of the shipped default for `kind`."""
    if kind not in MAIL_KINDS:
        raise ValueError(kind)
    env = current_app.jinja_env
    source, _, _ = env.loader.get_source(env, f"emails/decision_{kind}.txt")
    first, _, body = source.partition("\n")
    return first.removeprefix("Betreff:").strip(), body.lstrip("\n")


def template_for(competition, kind):
    """(subject, body, is_default) the competition uses for `kind`."""
    row = _row(competition, kind)
    if row is None:
        subject, body = default_template(kind)
        return subject, body, True
    return row.subject, row.body, False


def _row(competition, kind):
    return db.session.scalars(
        select(MailTemplate).where(MailTemplate.competition_id == competition.id,
                                   MailTemplate.kind == kind)
    ).first()


def unknown_placeholders(text):
    return sorted({inner.strip() for inner in _ANY_BRACES.findall(text or "")
                   if inner.strip() not in PLACEHOLDERS})


def fill(text, values):
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def save_template(*, actor, competition, kind, subject, body):
    if kind not in MAIL_KINDS:
        raise ValueError(kind)
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise TemplateError(_l("Bitte geben Sie einen Betreff an."), "subject")
    if len(subject) > MAX_SUBJECT:
        raise TemplateError(_l("Der Betreff darf höchstens %(n)d Zeichen haben.", n=MAX_SUBJECT),
                            "subject")
    if "\n" in subject or "\r" in subject:
        raise TemplateError(_l("Der Betreff muss in eine Zeile passen."), "subject")
    if not body:
        raise TemplateError(_l("Bitte geben Sie einen Text an."), "body")
    for field_name, text in (("subject", subject), ("body", body)):
        unknown = unknown_placeholders(text)
        if unknown:
            raise TemplateError(_l("Unbekannte Platzhalter: %(names)s. Bitte verwenden Sie nur die "
                                   "aufgeführten.",
                                   names=", ".join("{{ %s }}" % u for u in unknown)), field_name)
    row = _row(competition, kind)
    old_subject, old_body, _ = template_for(competition, kind)
    if row is None:
        row = MailTemplate(competition_id=competition.id, kind=kind, subject=subject, body=body,
                           updated_by_id=getattr(actor, "id", None))
        db.session.add(row)
    else:
        row.subject, row.body, row.updated_by_id = subject, body, getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor=actor, action="decision.mail_template.update", obj=row,
                 old={"subject": old_subject, "body": old_body}, new={"subject": subject, "body": body})
    return row


def reset_template(*, actor, competition, kind):
    row = _row(competition, kind)
    if row is None:
        return
    audit.record(actor=actor, action="decision.mail_template.reset", obj=row,
                 old={"subject": row.subject, "body": row.body})
    db.session.delete(row)
    db.session.flush()


def mail_values(application, competition, decision=None):
    ceremony = to_berlin(competition.ceremony_at)
    return {
        "ansprechperson": application.contact_name or application.org_name,
        "organisation": application.org_name or application.contact_name,
        "projekt": application.display_title,
        "referenz": application.reference or "",
        "preis": competition.title,
        "jahr": competition.year,
        "kategorie": decision.category.label if decision else "",
        "betrag": format_money(decision.amount_cents, MAIL_LANGUAGE) if decision else "",
        "verleihung_datum": (format_berlin_date(ceremony, MAIL_LANGUAGE) if ceremony
                             else "(wird noch bekannt gegeben)"),
        "verleihung_ort": competition.ceremony_place or "(wird noch bekannt gegeben)",
        "link": public_base_url() + "/",
        "grund": _reason(application),
    }


def _reason(application):
    if application.status == ApplicationStatus.REOPENED:
        return application.reopen_reason or ""
    if application.formal_check == FormalCheck.INADMISSIBLE:
        return application.formal_check_reason or ""
    return ""


def why_line(competition):
    """The fixed last line of every decision mail (staff edit the text above it)."""
    return (f"\n\n-- \nSie erhalten diese E-Mail, weil Sie sich beim {competition.title} "
            f"{competition.year} beworben haben oder vorgeschlagen wurden.\n")


def render_decision_mail(competition, kind, values):
    subject, body, _ = template_for(competition, kind)
    return fill(subject, values), fill(body, values).rstrip() + why_line(competition)


def recipient(application, kind=None):
    if kind == "not_resubmitted" and application.owner is not None:
        # The correction was asked of the account holder (services.applications.reopen),
        # who for a nomination is the nominator, not the nominee at the project's address.
        return application.owner.email
    return application.email or (application.owner.email if application.owner else "")


# Which mail an application gets, by what happened to it (services.decisions journeys).
KIND_BY_JOURNEY = {
    decisions_service.AWARDED: "congratulation",
    decisions_service.COMPLETE: "notice",
    decisions_service.PARTLY_SCORED: "notice",
    decisions_service.NOT_ADMISSIBLE: "inadmissible",
    decisions_service.NOT_SCORED: "not_scored",
}


def planned_mails(competition):
    """[(application, kind)] of every mail the release would send, in number order.

    Submitted applications get the mail of their journey; applications still open for a
    correction were never sent back, so the jury could not consider them, and they are told
    just that. Withdrawn ones (by the applicant, or declined by a nominee, who was answered
    then) and drafts that were never sent get nothing."""
    awarded = {d.application_id for d in decisions_service.active(decisions_for(competition))}
    journeys = decisions_service.journeys(competition)
    out = []
    for application in eligible_applications(competition):
        journey = (decisions_service.AWARDED if application.id in awarded
                   else journeys.get(application.id, decisions_service.NOT_SCORED))
        out.append((application, KIND_BY_JOURNEY[journey]))
    out.extend((application, "not_resubmitted")
               for application in decisions_service.reopened_applications(competition))
    return out


def preview_recipients(competition):
    """(winners, others) as lists of applications, for the confirmation page."""
    planned = planned_mails(competition)
    return ([a for a, kind in planned if kind == "congratulation"],
            [a for a, kind in planned if kind != "congratulation"])


def preview_by_kind(competition):
    """{kind: [application]} for every mail kind, for the confirmation page."""
    out = {kind: [] for kind in MAIL_KINDS}
    for application, kind in planned_mails(competition):
        out[kind].append(application)
    return out


def release_decisions(*, actor, competition, now=None):
    """Lock the decisions and queue every mail. Returns the DecisionRelease (flushed).

    Each applicant gets the mail that matches what happened to the application: winners a
    congratulation; those the jury scored but did not award the notice; formally
    inadmissible ones and ones the jury never scored their own texts."""
    now = now or utcnow()
    if release_of(competition) is not None:
        raise DecisionError(_l("Die Entscheidungen sind bereits freigegeben."))
    try:
        old_state = lifecycle.require("release", competition)
    except lifecycle.NotAllowed as exc:
        raise DecisionError(str(exc.message)) from None
    decisions = {d.application_id: d for d in decisions_service.active(decisions_for(competition))}
    if not decisions:
        raise DecisionError(_l("Es gibt noch keine Entscheidungen, die freigegeben werden "
                               "könnten."))
    winners = others = 0
    kinds = {}
    for application, kind in planned_mails(competition):
        to = recipient(application, kind)
        decision = decisions.get(application.id)
        subject, text = render_decision_mail(
            competition, kind, mail_values(application, competition, decision))
        if to:
            mail.enqueue(to=to, subject=subject, text=text)
        else:
            log.warning("application %s has no e-mail address; no %s sent", application.id, kind)
        kinds[kind] = kinds.get(kind, 0) + 1
        if decision:
            winners += 1
        else:
            others += 1
    release = DecisionRelease(competition_id=competition.id, released_at=now,
                              released_by_id=getattr(actor, "id", None),
                              winners_notified=winners, others_notified=others)
    db.session.add(release)
    db.session.flush()
    audit.record(actor=actor, action="decision.release", obj=release,
                 competition_id=competition.id,
                 new={"released_at": now, "winners": winners, "others": others, "mails": kinds})
    # Nominees receive access to the application (and certificate) in their own account.
    nominations.on_release(actor=actor, competition=competition, awarded_ids=set(decisions),
                           now=now)
    if old_state == lifecycle.S.JURY:
        # The stored stage follows the machine: released years rest on "decided".
        old = competition.status
        competition.status = CompetitionStatus.DECIDED
        db.session.flush()
        audit.record(actor=actor, action="competition.status", obj=competition,
                     old={"status": old}, new={"status": competition.status})
    return release
