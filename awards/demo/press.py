"""Demo press work: a drafted press kit for this year's Unterfranken prize (under embargo)
with public texts in every state, and a text put to the demo applicant for approval.
Idempotent: nothing is written where a row already exists. All texts are INVENTED.
"""
from datetime import datetime, timezone

from sqlalchemy import select

from awards.demo.base import demo_email, this_year_competitions
from awards.extensions import db
from awards.models.competitions import Competition
from awards.services import accounts, decisions, press

RELEASE = (
    "Würzburg. Vier Projekte aus Unterfranken erhalten in diesem Jahr den Integrationspreis "
    "der Regierung von Unterfranken. Die Jury würdigt Menschen, die vor Ort Brücken bauen: "
    "beim Deutschlernen, im Sport, in der Nachbarschaft und im Beruf.\n\n"
    "„Integration gelingt dort, wo Menschen einander begegnen“, so die Regierungspräsidentin "
    "(erfunden) bei der Bekanntgabe. Die Preise werden bei einem Festakt in Würzburg "
    "überreicht.\n\n"
    "Sperrfrist: Diese Mitteilung ist bis zum Beginn der Preisverleihung gesperrt.")
CONTACT = ("Pressestelle der Regierung von Unterfranken (erfunden)\n"
           "Telefon 0931 000000, presse@demo.integrationspreis.example")
# (state, comment) per winner in rank order; the rest stay without a text.
STATES = (("approved", ""), ("proposed", ""),
          ("changes_requested", "Bitte nennen Sie auch unsere Partnerschule (erfunden)."),
          ("draft", ""))


def _text_for(application):
    return (f"{application.project_title}",
            f"{application.summary.replace(' (Erfundenes Beispiel für die Demo.)', '')}\n\n"
            "Der Text wurde von der Geschäftsstelle für die Veröffentlichung geschrieben "
            "(erfundenes Beispiel).")


def _ensure_text(decision, state, comment, actor):
    if decision.public_text is not None:
        return
    title, text = _text_for(decision.application)
    press.save_public_text(actor=actor, decision=decision, title=title, text=text,
                           propose=state != "draft")
    if state in ("approved", "changes_requested"):
        press.answer_public_text(actor=decision.application.owner, decision=decision,
                                 approve=state == "approved", comment=comment)


def load():
    now = datetime.now(timezone.utc)
    actor = accounts.find_user(demo_email("ministerium"))
    ufr = this_year_competitions(now)["UFR"]
    if decisions.is_released(ufr):
        if press.press_kit_of(ufr) is None:
            press.save_press_release(actor=actor, competition=ufr,
                                     headline="Integrationspreis der Regierung von Unterfranken "
                                              f"{ufr.year}: vier Projekte ausgezeichnet",
                                     release_text=RELEASE, press_contact=CONTACT)
        winners = sorted(decisions.active(decisions.decisions_for(ufr)),
                         key=lambda d: (d.category.rank, d.id))
        for decision, (state, comment) in zip(winners, STATES):
            _ensure_text(decision, state, comment, actor)
    # Last year's state prize: the demo applicant's award has a text waiting for approval.
    applicant = accounts.find_user(demo_email("bewerbung"))
    bip = db.session.scalars(select(Competition).where(
        Competition.prize_code == "BIP", Competition.year == now.year - 1)).first()
    if bip is not None and applicant is not None:
        for decision in decisions.active(decisions.decisions_for(bip)):
            if decision.application.owner_id == applicant.id:
                _ensure_text(decision, "proposed", "", actor)
    db.session.flush()
    return []
