"""Retention: after the period, non-winners go, winners keep what they consented to publish."""
import re

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from awards.adapters.storage import get_storage
from awards.enums import ApplicantType, CompetitionStatus, Region, SubmissionKind
from awards.extensions import db
from awards.models.applications import Application, Attachment
from awards.models.base import utcnow
from awards.models.decisions import Certificate, Decision
from awards.models.jury import Round, RoundEntry, Score
from awards.models.retention import RetentionStatistics
from awards.services import audit, retention
from tests import factories


def _archived(months_ago, **kw):
    comp = factories.competition(status=CompetitionStatus.ARCHIVED, **kw)
    comp.archived_at = utcnow() - relativedelta(months=months_ago)
    db.session.flush()
    return comp


def _scenario(months_ago=13):
    comp = _archived(months_ago, prize_code="OBB")
    juror = factories.juror(comp)
    loser = factories.mark_submitted(factories.application(
        competition=comp, project_title="Nicht prämiert", kind=SubmissionKind.NOMINATION,
        applicant_type=ApplicantType.INITIATIVE, region=Region.OBB), 1)
    loser_file = factories.attachment(loser)
    draft = factories.application(competition=comp, project_title="Nie eingereicht")
    published = factories.mark_submitted(factories.application(
        competition=comp, org_name="Verein Brücken e.V.", city="Rosenheim",
        contact_name="Petra Privat", street="Geheimweg 3", email="petra@example.org",
        project_title="Brücken bauen", summary="Kurz.", description="Lang.", goals="Ziele.",
        consent_publish_name=True, consent_publish_text=True, consent_publish_photos=True,
        image_rights_confirmed=True, region=Region.OBB), 2)
    photo = factories.attachment(published, data=factories.PNG_BYTES, filename="Fest.png")
    flyer = factories.attachment(published, filename="Flyer.pdf")
    silent = factories.mark_submitted(factories.application(
        competition=comp, org_name="Stille Hilfe", project_title="Leise Hilfe",
        region=Region.OBB), 3)
    silent_photo = factories.attachment(silent, data=factories.PNG_BYTES, filename="Gruppe.png")
    factories.decision(published, rank=1)
    factories.decision(silent, rank=2)
    published_cert = factories.certificate(published)
    silent_cert = factories.certificate(silent)
    round_ = Round(competition_id=comp.id, name="Runde 1")
    db.session.add(round_)
    db.session.flush()
    entry = RoundEntry(round_id=round_.id, application_id=loser.id, code="A-1")
    db.session.add(entry)
    db.session.flush()
    db.session.add(Score(round_id=round_.id, entry_id=entry.id, juror_id=juror.id,
                         comment="Die Initiative aus Rosenheim ..."))
    db.session.commit()
    return dict(comp=comp, loser=loser, loser_file=loser_file, draft=draft,
                published=published, photo=photo, flyer=flyer, silent=silent,
                silent_photo=silent_photo, published_cert=published_cert,
                silent_cert=silent_cert, entry=entry)


def test_winners_of_reads_decisions(app):
    s = _scenario()
    assert retention.winners_of(s["comp"]) == {s["published"].id, s["silent"].id}


def test_due_competitions_only_archived_past_the_period(app):
    due = _archived(13)
    _archived(11)
    factories.competition(status=CompetitionStatus.PUBLISHED)
    db.session.commit()
    assert retention.due_competitions() == [due]


def test_due_competitions_months_configurable(app):
    recent = _archived(2)
    db.session.commit()
    assert retention.due_competitions() == []
    app.config["RETENTION_MONTHS"] = 1
    try:
        assert retention.due_competitions() == [recent]
    finally:
        app.config["RETENTION_MONTHS"] = 12


def test_plan_lists_without_changing_anything(app):
    s = _scenario()
    plans = retention.plan()
    assert len(plans) == 1
    the_plan = plans[0]
    assert [a.id for a in the_plan.delete] == [s["loser"].id, s["draft"].id]
    reduced = {a.id: fields for a, fields in the_plan.reduce}
    assert sorted(reduced[s["published"].id]) == sorted([
        "contact_name", "street", "postcode", "email", "phone", "owner_id", "goals",
        "target_group", "receipt_key"])
    assert "org_name" in reduced[s["silent"].id] and "project_title" in reduced[s["silent"].id]
    assert s["photo"].storage_key in the_plan.kept_files
    assert s["flyer"].storage_key in the_plan.files
    assert s["silent_cert"].storage_key in the_plan.files
    assert s["published_cert"].storage_key not in the_plan.files
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Application.id))) == 4
    assert db.session.scalar(select(func.count(RetentionStatistics.id))) == 0


def test_cli_dry_run_lists_and_changes_nothing(app, runner):
    s = _scenario()
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("Testpreis OBB ")
    assert re.search(r": archiviert am \d\d\.\d\d\.\d{4}, Frist abgelaufen$", lines[0])  # Babel, de
    assert f"  löschen: Bewerbung {s['loser'].reference} mit 1 Datei(en)" in lines
    assert f"  löschen: Bewerbung Entwurf #{s['draft'].id} mit 0 Datei(en)" in lines
    assert lines[-1] == "Probelauf: nichts wurde geändert."
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Application.id))) == 4
    assert get_storage().exists(s["loser_file"].storage_key) is True


def test_cli_nothing_due_says_so(app, runner):
    _archived(3)
    db.session.commit()
    result = runner.invoke(args=["retention"])
    assert result.output == "Nichts zu löschen (Aufbewahrungsfrist: 12 Monate nach Archivierung).\n"


def test_purge_deletes_non_winners_with_files_scores_and_receipts(app, runner):
    s = _scenario()
    ids = {k: s[k].id for k in ("loser", "draft", "entry")}
    loser_keys = [s["loser_file"].storage_key, s["loser"].receipt_key]
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Application, ids["loser"]) is None
    assert db.session.get(Application, ids["draft"]) is None
    assert db.session.scalar(select(func.count(Attachment.id)).where(
        Attachment.application_id == ids["loser"])) == 0
    assert db.session.get(RoundEntry, ids["entry"]) is None
    assert db.session.scalar(select(func.count(Score.id))) == 0
    storage = get_storage()
    assert [storage.exists(k) for k in loser_keys] == [False, False]


def test_purge_winner_keeps_only_consented_data(app, runner):
    s = _scenario()
    pub_id, photo_key, flyer_key = s["published"].id, s["photo"].storage_key, s["flyer"].storage_key
    receipt = s["published"].receipt_key
    runner.invoke(args=["retention"])
    db.session.expire_all()
    app_row = db.session.get(Application, pub_id)
    assert (app_row.org_name, app_row.city, app_row.project_title, app_row.summary,
            app_row.description) == ("Verein Brücken e.V.", "Rosenheim", "Brücken bauen", "Kurz.",
                                     "Lang.")
    assert (app_row.contact_name, app_row.street, app_row.email, app_row.phone,
            app_row.goals) == ("", "", "", "", "")
    assert app_row.owner_id is None and app_row.receipt_key is None
    assert [a.storage_key for a in app_row.attachments] == [photo_key]
    storage = get_storage()
    assert storage.exists(photo_key) is True
    assert storage.exists(flyer_key) is False
    assert storage.exists(receipt) is False
    assert db.session.scalar(select(func.count(Decision.id))) == 2


def test_purge_winner_without_consent_loses_name_text_photos_certificate_file(app, runner):
    s = _scenario()
    silent_id, photo_key = s["silent"].id, s["silent_photo"].storage_key
    cert_id, cert_key = s["silent_cert"].id, s["silent_cert"].storage_key
    kept_cert_key = s["published_cert"].storage_key
    runner.invoke(args=["retention"])
    db.session.expire_all()
    app_row = db.session.get(Application, silent_id)
    assert (app_row.org_name, app_row.project_title, app_row.summary) == ("", "", "")
    assert app_row.attachments == []
    assert app_row.reference == "OBB-%d-0003" % s["comp"].year
    storage = get_storage()
    assert storage.exists(photo_key) is False
    assert storage.exists(cert_key) is False
    assert db.session.get(Certificate, cert_id).storage_key is None
    assert storage.exists(kept_cert_key) is True


def test_purge_keeps_anonymous_statistics(app, runner):
    s = _scenario()
    comp_id, year = s["comp"].id, s["comp"].year
    runner.invoke(args=["retention"])
    stats = db.session.scalars(select(RetentionStatistics)).one()
    assert (stats.competition_id, stats.prize_code, stats.year) == (comp_id, "OBB", year)
    assert (stats.applications_total, stats.submitted_total, stats.winners_total) == (4, 3, 2)
    assert stats.by_region == {"OBB": 3}
    assert stats.by_kind == {"nomination": 1, "self": 2}
    assert stats.by_applicant_type == {"initiative": 1, "verein": 2}
    assert (stats.deleted_applications, stats.reduced_applications) == (2, 2)


def test_purge_twice_changes_nothing_the_second_time(app, runner):
    _scenario()
    runner.invoke(args=["retention"])
    result = runner.invoke(args=["retention"])
    assert result.output.startswith("Nichts zu löschen")
    assert db.session.scalar(select(func.count(RetentionStatistics.id))) == 1


def test_purge_leaves_other_competitions_alone(app, runner):
    _scenario()
    running = factories.competition(status=CompetitionStatus.OPEN)
    other = factories.mark_submitted(factories.application(competition=running), 1)
    other_id = other.id
    recent = _archived(6)
    recent_app = factories.application(competition=recent)
    recent_id = recent_app.id
    db.session.commit()
    runner.invoke(args=["retention"])
    db.session.expire_all()
    assert db.session.get(Application, other_id).org_name != ""
    assert db.session.get(Application, recent_id) is not None


def test_purge_writes_audit_and_chain_stays_intact(app, runner):
    s = _scenario()
    runner.invoke(args=["retention"])
    from awards.models.audit import AuditLog

    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "retention.purge")).one()
    assert entry.object_id == s["comp"].id
    assert entry.new == {"deleted_applications": 2, "reduced_applications": 2, "deleted_files": 7}
    assert audit.verify_chain() == []


def test_purge_deletes_the_receipt_of_every_submission(app, runner):
    """A correction gives a second receipt; the first, kept only in storage and named in
    the audit log, is deleted by retention as well."""
    from awards.services import applications as service
    from tests.factories import complete_application

    comp = factories.competition(prize_code="OBB", status=CompetitionStatus.OPEN)
    staff = factories.staff(prize_code="OBB")
    application = complete_application(competition=comp)
    service.submit(actor=application.owner, application=application)
    first = application.receipt_key
    service.reopen(actor=staff, application=application, reason="Bitte Postleitzahl ergänzen.")
    application.postcode = "80333"
    service.submit(actor=application.owner, application=application)
    second = application.receipt_key
    storage = get_storage()
    assert first != second and storage.exists(first) and storage.exists(second)
    comp.status = CompetitionStatus.ARCHIVED
    comp.archived_at = utcnow() - relativedelta(months=13)
    db.session.commit()
    planned = retention.plan_for(comp)
    assert {first, second} <= set(planned.files)
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert (storage.exists(first), storage.exists(second)) == (False, False)


def test_a_competition_that_fails_is_rolled_back_alone_and_the_others_are_purged(app, runner):
    """Each competition is one transaction: one that fails keeps all its data and files and
    stays due; the next one is purged all the same, and the command reports the failure."""
    from sqlalchemy import event

    failing = _archived(15, prize_code="NDB")
    kept = factories.mark_submitted(factories.application(competition=failing), 1)
    kept_file = factories.attachment(kept)
    s = _scenario()  # archived later: purged after the failing one
    db.session.commit()
    failing_id, kept_id, kept_key = failing.id, kept.id, kept_file.storage_key
    loser_id, comp_id = s["loser"].id, s["comp"].id

    def refuse(session, flush_context, instances):
        if any(isinstance(o, RetentionStatistics) and o.competition_id == failing_id
               for o in session.new):
            raise RuntimeError("Datenbank nicht erreichbar")

    event.listen(db.session, "before_flush", refuse)
    try:
        result = runner.invoke(args=["retention"])
    finally:
        event.remove(db.session, "before_flush", refuse)
    assert result.exit_code == 1, result.output
    assert "Erledigt: 1 Wettbewerb(e) bereinigt" in result.output
    assert (f"  - Testpreis NDB {failing.year} (NDB-{failing.year}): RuntimeError: "
            "Datenbank nicht erreichbar") in result.output
    db.session.expire_all()
    # The failing competition: nothing deleted, its file kept, still due.
    assert db.session.get(Application, kept_id) is not None
    assert get_storage().exists(kept_key) is True
    assert [c.id for c in retention.due_competitions()] == [failing_id]
    # The other one was purged.
    assert db.session.get(Application, loser_id) is None
    assert db.session.scalars(select(RetentionStatistics.competition_id)).all() == [comp_id]

    # Once the fault is gone, the next run purges the rest.
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert db.session.get(Application, kept_id) is None
    assert get_storage().exists(kept_key) is False
