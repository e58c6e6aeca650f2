"""services/infobrief.py: double opt-in, one request per address in force, expiry, one-click
unsubscribe, which competitions match a subscription, each Infobrief sent once, counts
without addresses."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from awards.enums import CompetitionStatus
from awards.extensions import db
from awards.models.base import utcnow
from awards.models.mail import OutboxMail
from awards.models.messaging import InfobriefSubscription
from awards.services import infobrief
from awards.services.lifecycle import YearState
from tests import factories


@pytest.fixture(autouse=True)
def request_ctx(app):
    with app.test_request_context():
        yield


def _mails(to):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == to)
                              .order_by(OutboxMail.id)).all()


def _token(to):
    return re.search(r"/infobrief/bestaetigen\?token=(\S+)", _mails(to)[-1].body_text).group(1)


def _rows(email):
    return infobrief.of_address(email)


def _confirmed(email, prizes=(), regions=(), now=None):
    infobrief.subscribe(email=email, prize_codes=prizes, regions=regions, now=now)
    return infobrief.confirm(token=_token(email.strip().lower()), now=now)


# --- subscribing -----------------------------------------------------------------------------

def test_subscribe_stores_a_request_and_mails_the_link_nothing_else(app):
    infobrief.subscribe(email="  Lea@Example.ORG ", prize_codes=["BIP", "XYZ", "BIP"],
                        regions=["SCHW", "Mars"])
    (row,) = _rows("lea@example.org")
    assert (row.email, row.prize_codes, row.regions, row.confirmed_at) == (
        "lea@example.org", ["BIP"], ["SCHW"], None)
    (mail,) = _mails("lea@example.org")
    assert mail.subject == "Bitte bestätigen Sie Ihr Infobrief-Abonnement"
    assert "- Bayerischer Integrationspreis\n- alles zum Regierungsbezirk Schwaben" in mail.body_text
    token = _token("lea@example.org")
    assert token not in (row.confirm_hash or "")  # only its hash is kept
    assert infobrief.peek_confirmation(token=token) == row


def test_a_second_request_within_minutes_sends_no_second_link(app):
    now = utcnow()
    infobrief.subscribe(email="lea@example.org", prize_codes=["BIP"], regions=[], now=now)
    infobrief.subscribe(email="lea@example.org", prize_codes=["OBB"], regions=[],
                        now=now + timedelta(minutes=5))
    assert len(_mails("lea@example.org")) == 1 and len(_rows("lea@example.org")) == 1
    infobrief.subscribe(email="lea@example.org", prize_codes=["OBB"], regions=[],
                        now=now + infobrief.RESEND_PAUSE + timedelta(minutes=1))
    assert len(_mails("lea@example.org")) == 2 and len(_rows("lea@example.org")) == 2


def test_confirming_replaces_the_addresses_other_rows_and_the_link_works_once(app):
    now = utcnow()
    old = _confirmed("lea@example.org", prizes=["BIP"], now=now - timedelta(days=30))
    infobrief.subscribe(email="lea@example.org", prize_codes=["OBB"], regions=[], now=now)
    token = _token("lea@example.org")
    # Until the new request is confirmed, the old choice stays in force.
    assert [r.prize_codes for r in _rows("lea@example.org") if r.confirmed_at] == [["BIP"]]
    row = infobrief.confirm(token=token, now=now)
    assert _rows("lea@example.org") == [row]
    assert (row.prize_codes, row.confirm_hash, row.expires_at) == (["OBB"], None, None)
    assert old not in _rows("lea@example.org")
    with pytest.raises(infobrief.InvalidLink):
        infobrief.confirm(token=token, now=now)


@pytest.mark.parametrize("token", ["", None, "erfunden"])
def test_unknown_links_are_invalid(app, token):
    with pytest.raises(infobrief.InvalidLink):
        infobrief.confirm(token=token)
    with pytest.raises(infobrief.InvalidLink):
        infobrief.unsubscribe(key=token)


def test_an_unconfirmed_request_expires_and_is_purged(app):
    now = utcnow()
    infobrief.subscribe(email="lea@example.org", prize_codes=["BIP"], regions=[], now=now)
    _confirmed("max@example.org", prizes=["BIP"], now=now)
    later = now + timedelta(hours=app.config.get("INFOBRIEF_CONFIRM_HOURS", 48), seconds=1)
    with pytest.raises(infobrief.InvalidLink):
        infobrief.confirm(token=_token("lea@example.org"), now=later)
    assert infobrief.purge_expired(now=now) == 0
    assert infobrief.purge_expired(now=later) == 1
    assert _rows("lea@example.org") == [] and len(_rows("max@example.org")) == 1


def test_unsubscribe_deletes_every_row_of_the_address(app):
    row = _confirmed("lea@example.org", prizes=["BIP"])
    infobrief.subscribe(email="lea@example.org", prize_codes=["OBB"], regions=[],
                        now=utcnow() + infobrief.RESEND_PAUSE * 2)
    _confirmed("max@example.org", prizes=["BIP"])
    assert infobrief.unsubscribe(key=row.unsubscribe_key) == 2
    assert _rows("lea@example.org") == [] and len(_rows("max@example.org")) == 1
    with pytest.raises(infobrief.InvalidLink):
        infobrief.unsubscribe(key=row.unsubscribe_key)


def test_export_and_counts_hold_no_other_address(app):
    _confirmed("lea@example.org", prizes=["BIP", "SCHW"], regions=["SCHW"])
    _confirmed("max@example.org", prizes=["BIP"])
    infobrief.subscribe(email="neu@example.org", prize_codes=["OBB"], regions=[])
    (entry,) = infobrief.export("LEA@example.org")
    assert (entry["preise"], entry["regierungsbezirke"]) == (["BIP", "SCHW"], ["SCHW"])
    assert entry["bestaetigt"] is not None
    counts = infobrief.counts()
    assert (counts["total"], counts["pending"]) == (2, 1)
    assert ("BIP", "Bayerischer Integrationspreis", 2) in counts["prizes"]
    assert ("OBB", infobrief.PRIZE_NAMES["OBB"], 0) in counts["prizes"]
    assert ("SCHW", "Schwaben", 1) in counts["regions"]
    assert "@" not in repr(counts)


# --- matching and sending --------------------------------------------------------------------

@pytest.mark.parametrize("prizes, regions, prize_code, matches", [
    (["BIP"], [], "BIP", True),
    (["BIP"], [], "OBB", False),
    ([], ["OBB"], "OBB", True),      # the region's own prize
    ([], ["OBB"], "BIP", True),      # the state prize is open to every region
    ([], ["OBB"], "SCHW", False),
    (["SCHW"], [], "SCHW", True),
    ([], [], "BIP", False),
])
def test_which_competitions_match_a_subscription(app, prizes, regions, prize_code, matches):
    row = InfobriefSubscription(email="x@example.org", prize_codes=prizes, regions=regions)
    assert infobrief.matches(row, factories.competition(prize_code=prize_code)) is matches


def test_an_open_call_reaches_matching_confirmed_subscribers_once(app):
    _confirmed("bip@example.org", prizes=["BIP"])
    _confirmed("region@example.org", regions=["MFR"])
    _confirmed("obb@example.org", prizes=["OBB"])
    infobrief.subscribe(email="pending@example.org", prize_codes=["BIP"], regions=[])
    factories.competition(title="Bayerischer Integrationspreis", year=2035)
    factories.competition(prize_code="OBB", status=CompetitionStatus.DRAFT)
    assert infobrief.run() == {"call_open": 2, "winners": 0}
    assert infobrief.run() == {"call_open": 0, "winners": 0}
    for to in ("bip@example.org", "region@example.org"):
        (mail,) = [m for m in _mails(to) if m.subject.startswith("Infobrief")]
        assert mail.subject == "Infobrief: Bewerbung jetzt möglich – Bayerischer Integrationspreis 2035"
        (row,) = _rows(to)
        assert mail.list_unsubscribe == infobrief.unsubscribe_url(row)
        assert infobrief.unsubscribe_url(row) in mail.body_text
    for to in ("obb@example.org", "pending@example.org"):
        assert [m for m in _mails(to) if m.subject.startswith("Infobrief")] == []


def test_winners_go_out_when_recently_published_only(app):
    _confirmed("obb@example.org", prizes=["OBB"])
    recent = factories.competition_in(YearState.PUBLISHED, prize_code="OBB")
    recent.published_at = utcnow() - timedelta(days=1)
    factories.competition_in(YearState.ARCHIVED, prize_code="OBB")
    old = factories.competition_in(YearState.PUBLISHED, prize_code="OBB")
    old.published_at = utcnow() - infobrief.RECENT - timedelta(days=1)
    factories.competition_in(YearState.RELEASED, prize_code="OBB")
    assert infobrief.run() == {"call_open": 0, "winners": 1}
    (mail,) = [m for m in _mails("obb@example.org") if m.subject.startswith("Infobrief")]
    assert str(recent.year) in mail.subject and "Preisträger" in mail.subject
