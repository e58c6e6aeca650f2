"""The audit chain: every entry hashes its content and its predecessor's hash."""
import json

from sqlalchemy import text

from awards.extensions import db
from awards.models.audit import AuditLog
from awards.services import audit
from tests import factories


def _three_entries():
    actor = factories.user()  # no role: assigning one would write an entry of its own
    comp = factories.competition()
    first = audit.record(actor=actor, action="competition.update", obj=comp,
                         old={"title": "Alt"}, new={"title": "Neu"})
    second = audit.record(actor=actor, action="competition.open", obj=comp,
                          old={"status": "draft"}, new={"status": "open"})
    third = audit.record(actor=None, action="mail.sent", object_type="OutboxMail", object_id=7)
    db.session.commit()
    return first, second, third


def test_record_links_each_entry_to_the_previous_hash(app):
    first, second, third = _three_entries()
    assert first.prev_hash == ""
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert second.competition_id == second.object_id


def test_verify_chain_intact_reports_nothing(app):
    _three_entries()
    db.session.expire_all()
    assert audit.verify_chain() == []


def test_verify_chain_detects_changed_entry(app):
    _, second, _ = _three_entries()
    # Tamper behind the ORM's back, as someone with database access would.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET new = :new WHERE id = :id"),
                     {"new": json.dumps({"status": "archived"}), "id": second.id})
    db.session.expire_all()
    assert audit.verify_chain() == [(second.id, audit.CHANGED)]


def test_verify_chain_detects_deleted_entry(app):
    _, second, third = _three_entries()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": second.id})
    db.session.expire_all()
    assert audit.verify_chain() == [(third.id, audit.BROKEN_LINK)]


def test_verify_chain_detects_changed_actor(app):
    first, _, _ = _three_entries()
    other = factories.user()
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor_id = :a WHERE id = :id"),
                     {"a": other.id, "id": first.id})
    db.session.expire_all()
    assert audit.verify_chain() == [(first.id, audit.CHANGED)]


def test_verify_chain_with_anchor_detects_deleted_newest_entry(app):
    _, _, third = _three_entries()
    anchor = (third.id, third.hash)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": anchor[0]})
    db.session.expire_all()
    assert audit.verify_chain() == []  # invisible without the anchor
    assert audit.verify_chain(anchor=anchor) == [(anchor[0], audit.ANCHOR_MISSING)]


def test_audit_verify_command_intact_exits_zero(app, runner):
    _three_entries()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0
    assert result.output == "Das Protokoll ist unversehrt (3 Einträge geprüft).\n"


def test_audit_verify_command_broken_exits_one_with_german_list(app, runner):
    first, second, third = _three_entries()
    first_id, third_id = first.id, third.id
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'competition.delete' WHERE id = :id"),
                     {"id": first.id})
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": second.id})
    db.session.expire_all()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Das Protokoll ist NICHT unversehrt: 2 Problem(e) bei 2 Einträgen.",
        f"  Eintrag {first_id}: {audit.CHANGED}",
        f"  Eintrag {third_id}: {audit.BROKEN_LINK}",
    ]


def test_audit_verify_command_anchor_file_catches_truncation(app, runner, tmp_path):
    _, _, third = _three_entries()
    third_id, third_hash = third.id, third.hash
    anchor = tmp_path / "anker.json"
    assert runner.invoke(args=["audit-verify", "--anchor", str(anchor)]).exit_code == 0
    assert json.loads(anchor.read_text()) == {"id": third_id, "hash": third_hash}
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": third_id})
    db.session.expire_all()
    result = runner.invoke(args=["audit-verify", "--anchor", str(anchor)])
    assert result.exit_code == 1
    assert f"  Eintrag {third_id}: {audit.ANCHOR_MISSING}" in result.output.splitlines()


def test_record_values_roundtrip_keeps_hash_valid(app):
    from datetime import date

    actor = factories.user()
    entry = audit.record(actor=actor, action="x.y", object_type="Thing", object_id=1,
                         old={"when": date(2026, 2, 5), "n": 1.5, "tags": ("a", "b")},
                         new={"umlaut": "Grüße", "none": None})
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AuditLog, entry.id)
    assert stored.old == {"when": "2026-02-05", "n": 1.5, "tags": ["a", "b"]}
    assert audit.entry_hash(stored) == stored.hash


def test_audit_verify_command_anchor_from_environment(app, runner, tmp_path, monkeypatch):
    # The documented default: AWARDS_AUDIT_ANCHOR in the environment file of every job.
    _, _, third = _three_entries()
    third_id = third.id
    anchor = tmp_path / "anker.json"
    monkeypatch.setenv("AWARDS_AUDIT_ANCHOR", str(anchor))
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    assert json.loads(anchor.read_text())["id"] == third_id
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": third_id})
    db.session.expire_all()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"  Eintrag {third_id}: {audit.ANCHOR_MISSING}" in result.output.splitlines()
