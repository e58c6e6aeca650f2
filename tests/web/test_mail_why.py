"""Every mail to the public says why the person gets it (or how to unsubscribe)."""
from pathlib import Path

from sqlalchemy import select

from awards.config import ROOT
from awards.extensions import db
from awards.models.decisions import MAIL_KINDS
from awards.models.mail import OutboxMail
from awards.services import infobrief, privacy
from awards.services.jury import release
from tests import factories

WHY = "Sie erhalten diese"
TEMPLATES = Path(ROOT) / "templates" / "emails"
# Staff edit the text of the decision mails; the line is added to whatever they wrote.
EDITABLE = {f"decision_{kind}" for kind in MAIL_KINDS}


def test_every_mail_template_says_why_it_was_sent():
    texts = sorted(TEMPLATES.glob("*.txt"))
    assert len(texts) >= 20
    missing = [p.name for p in texts if p.stem not in EDITABLE and WHY not in p.read_text()]
    assert missing == []
    htmls = [p for p in TEMPLATES.glob("*.html") if not p.name.startswith("_")]
    assert [p.name for p in htmls if "{% block why %}" not in p.read_text()] == []


def test_decision_mails_carry_the_line_whatever_staff_wrote(app):
    comp, winners, _others = factories.released_competition(winners=1, others=1)
    db.session.commit()
    mails = db.session.scalars(select(OutboxMail)).all()
    assert mails and all(m.body_text.rstrip().endswith(
        f"Sie erhalten diese E-Mail, weil Sie sich beim {comp.title} {comp.year} beworben "
        "haben oder vorgeschlagen wurden.") for m in mails)
    assert release.why_line(comp).startswith("\n\n-- \n")


def test_privacy_export_and_deletion_cover_infobrief_subscriptions(app):
    user = factories.user(email="lea@example.org")
    infobrief.subscribe(email="Lea@example.org", prize_codes=["BIP"], regions=["OBB"])
    db.session.commit()
    data, _files = privacy.collect(user)
    assert [(s["preise"], s["regierungsbezirke"], s["bestaetigt"]) for s in data["infobrief"]] == [
        (["BIP"], ["OBB"], None)]
    result = privacy.delete_account(actor=user, user=user)
    db.session.commit()
    assert result["infobrief_deleted"] == 1
    assert infobrief.of_address("lea@example.org") == []
