"""Every reader of a year's state asks the state machine (awards.lifecycle), never the stored
stage: the apply permission, the archive and privacy exports, and the queries that narrow
competitions by stage before asking it."""
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from awards import lifecycle, permissions
from awards.adapters.storage import get_storage
from awards.enums import CompetitionStatus
from awards.extensions import db
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.competitions import Competition
from awards.services import archive
from tests import factories
from tests import factories

S = lifecycle.YearState


def _competition_in(state):
    """A competition whose machine state is `state`, built the way the year gets there."""
    now = utcnow()
    if state == S.DRAFT:
        return factories.competition(status=CompetitionStatus.DRAFT)
    if state == S.ANNOUNCED:
        return factories.competition(opens_at=now + timedelta(days=2),
                                     deadline_at=now + timedelta(days=20))
    if state == S.OPEN:
        return factories.competition()
    if state == S.CLOSED:  # the stored stage still says "open": the deadline closed it
        return factories.competition(opens_at=now - timedelta(days=20),
                                     deadline_at=now - timedelta(seconds=1))
    if state == S.JURY:
        return factories.competition(status=CompetitionStatus.JURY)
    if state == S.DECIDED:
        return factories.competition(status=CompetitionStatus.DECIDED)
    comp, _, _ = factories.released_competition(winners=1, others=0)
    if state == S.RELEASED:
        return comp
    factories.publish(comp, at=now - timedelta(hours=1))
    if state == S.ARCHIVED:
        comp.status = CompetitionStatus.ARCHIVED
        comp.archived_at = now
        db.session.flush()
    return comp


@pytest.mark.parametrize("state", list(S))
def test_can_apply_follows_the_state_machine(app, state):
    comp = _competition_in(state)
    applicant = factories.user()
    db.session.commit()
    assert lifecycle.state_of(comp) == state
    assert permissions.can_apply(applicant, comp) is (state == S.OPEN)


def test_can_apply_refused_once_the_deadline_passed_with_stage_still_open(app):
    comp = factories.competition()
    applicant = factories.user()
    db.session.commit()
    assert comp.status == CompetitionStatus.OPEN
    assert permissions.can_apply(applicant, comp, comp.deadline_at) is True
    assert permissions.can_apply(applicant, comp, comp.deadline_at + timedelta(seconds=1)) is False
    assert permissions.can_apply(None, comp) is False


@pytest.mark.parametrize("state", list(S))
def test_stage_query_keeps_every_competition_in_the_state(app, state):
    comps = {s: _competition_in(s) for s in S}
    db.session.commit()
    kept = set(db.session.scalars(
        select(Competition.id).where(lifecycle.stage_may_be({state}))))
    assert comps[state].id in kept
    if state in (S.DRAFT, S.JURY, S.ARCHIVED):  # stored exactly: nothing else comes along
        assert kept == {comps[state].id}


def test_archive_manifest_names_the_machine_state(app, tmp_path):
    comp = _competition_in(S.PUBLISHED)
    db.session.commit()
    assert comp.status == CompetitionStatus.DECIDED  # stored; the machine says "published"
    with open(tmp_path / "archiv.zip", "wb") as out:
        manifest = archive.write_archive(actor=None, competition=comp, fileobj=out,
                                         storage=get_storage(), render_minutes=False)
    assert manifest["competition"]["status"] == "published"


def test_archive_refusal_names_the_machine_state(app, tmp_path):
    comp = _competition_in(S.CLOSED)
    db.session.commit()
    with pytest.raises(archive.ArchiveError) as exc, open(tmp_path / "a.zip", "wb") as out:
        archive.write_archive(actor=None, competition=comp, fileobj=out,
                              storage=get_storage(), render_minutes=False)
    assert "(Stand: Bewerbungsschluss erreicht)" in str(exc.value)


def test_privacy_export_names_the_year_state_not_the_stored_stage(app, client, auth):
    comp = _competition_in(S.PUBLISHED)
    owner = db.session.scalars(select(Application).where(
        Application.competition_id == comp.id)).one().owner
    db.session.commit()
    auth.login(owner)
    response = client.get("/konto/meine-daten/export.zip")
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.get_data())).read("daten.json"))
    assert [a["wettbewerb"]["status"] for a in data["bewerbungen"]] == ["published"]


def test_public_call_page_of_a_draft_is_not_found(app, client):
    comp = _competition_in(S.DRAFT)
    db.session.commit()
    assert client.get(f"/ausschreibungen/BIP/{comp.year}").status_code == 404
    assert client.get(f"/bewerbung/start/{comp.id}").status_code == 404
