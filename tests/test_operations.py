"""Operator commands: bootstrap, create-admin, seed-demo, check-config, restore-bucket.

Each exits with status 1 when it did not do what it was asked."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from awards import create_app
from awards.extensions import db


@pytest.fixture
def fresh_app(tmp_path):
    """An app on an empty SQLite file, as on a fresh installation."""
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.sqlite'}",
                       STORAGE_DIR=str(tmp_path / "files"))
    yield fresh
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()


def _counts(app):
    from awards.enums import Role
    from awards.models.reference import District
    from awards.models.users import RoleAssignment, User

    with app.app_context():
        return (db.session.scalar(select(func.count(District.id))),
                db.session.scalars(select(User.email).join(RoleAssignment)
                                   .where(RoleAssignment.role == Role.ADMIN)).all())


def test_bootstrap_fresh_install_ready_for_first_login(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["bootstrap", "--email", "Admin@Example.org", "--name", "Anna Admin"],
                           input="Sicheres-Passwort-1\nSicheres-Passwort-1\n")
    assert result.exit_code == 0, result.output
    assert "admin@example.org ist eingerichtet." in result.output
    assert "/geschaeftsstelle/wettbewerbe/neu den ersten Wettbewerb" in result.output
    assert _counts(fresh_app) == (96, ["admin@example.org"])
    # The administrator can log in with the password given.
    client = fresh_app.test_client()
    login = client.post("/konto/anmelden", data={"email": "admin@example.org",
                                                  "password": "Sicheres-Passwort-1"})
    assert login.status_code == 302

    again = runner.invoke(args=["bootstrap", "--email", "zweite@example.org",
                                "--password", "Sicheres-Passwort-2"])
    assert again.exit_code == 0, again.output
    assert "Es gibt bereits eine Administration" in again.output
    assert _counts(fresh_app) == (96, ["admin@example.org"])


def test_bootstrap_short_password_refused_nothing_changed(fresh_app):
    result = fresh_app.test_cli_runner().invoke(
        args=["bootstrap", "--email", "admin@example.org", "--password", "kurz"])
    assert result.exit_code == 1
    assert "Passwort: Das Passwort muss mindestens 10 Zeichen lang sein." in result.output
    assert "Nichts wurde geändert." in result.output
    with fresh_app.app_context():
        from sqlalchemy import inspect

        assert inspect(db.engine).get_table_names() == []


def test_create_admin_uses_the_web_form_rules(app, runner):
    from awards.models.users import User

    short = runner.invoke(args=["create-admin", "--email", "a@example.org", "--password", "kurz"])
    bad_mail = runner.invoke(args=["create-admin", "--email", "keine-adresse",
                                   "--password", "Sicheres-Passwort-1"])
    assert (short.exit_code, bad_mail.exit_code) == (1, 1)
    assert "Das Passwort muss mindestens 10 Zeichen lang sein." in short.output
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in bad_mail.output
    assert db.session.scalar(select(func.count(User.id))) == 0
    good = runner.invoke(args=["create-admin", "--email", "a@example.org",
                               "--password", "Sicheres-Passwort-1"])
    assert good.exit_code == 0, good.output
    assert good.output.strip() == "Administrator a@example.org ist eingerichtet."


def test_seed_demo_production_refused(app, runner):
    app.config["ENV_NAME"] = "production"
    try:
        result = runner.invoke(args=["seed-demo"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code == 1
    assert result.output.strip() == ("Demo-Daten werden in der Produktion nicht geladen "
                                     "(AWARDS_ENV=production).")
    from awards.models.users import User

    assert db.session.scalar(select(func.count(User.id))) == 0


def test_check_config_not_production_lists_problems_and_fails(app, runner):
    result = runner.invoke(args=["check-config"])
    assert result.exit_code == 1
    assert "AWARDS_ENV is 'testing', not 'production'." in result.output
    # The test schema is made without migrations, as a forgotten `flask db upgrade` leaves it.
    assert "The database schema is not up to date: run `flask db upgrade`" in result.output


def test_check_config_ready_production_passes(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["bootstrap", "--email", "admin@example.org",
                               "--password", "Sicheres-Passwort-1"]).exit_code == 0
    fresh_app.config.update(ENV_NAME="production", SECRET_KEY="s" * 40, ALLOW_SQLITE=True,
                            ALLOW_LOCAL_STORAGE=True, SMTP_HOST=None, ALLOW_NO_SMTP=True,
                            BASE_URL="https://integrationspreis.example", PROXY_COUNT=1)
    result = runner.invoke(args=["check-config"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Die Konfiguration ist bereit für den Betrieb."
    fresh_app.config.update(PROXY_COUNT=0)
    result = runner.invoke(args=["check-config"])
    assert result.exit_code == 1
    assert "AWARDS_PROXY_COUNT is 0" in result.output


class _FakeVersions:
    """list_object_versions pages as S3 returns them (only what versions_at reads)."""

    def __init__(self, versions, markers):
        self.page = {"Versions": versions, "DeleteMarkers": markers}

    def get_paginator(self, name):
        assert name == "list_object_versions"
        return self

    def paginate(self, Bucket):  # noqa: N803 - boto3's spelling
        return [self.page]


def test_versions_at_picks_newest_version_before_the_moment():
    from awards.adapters.backup import versions_at

    t0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    fake = _FakeVersions(
        versions=[
            {"Key": "a.pdf", "VersionId": "a1", "LastModified": t0 - timedelta(hours=2)},
            {"Key": "a.pdf", "VersionId": "a2", "LastModified": t0 - timedelta(hours=1)},
            {"Key": "a.pdf", "VersionId": "a3", "LastModified": t0 + timedelta(hours=1)},
            {"Key": "b.pdf", "VersionId": "b1", "LastModified": t0 - timedelta(hours=3)},
            {"Key": "c.pdf", "VersionId": "c1", "LastModified": t0 + timedelta(minutes=1)},
            {"Key": "d.pdf", "VersionId": "d1", "LastModified": t0 - timedelta(hours=3)},
        ],
        markers=[
            {"Key": "b.pdf", "VersionId": "bx", "LastModified": t0 - timedelta(hours=1)},
            {"Key": "d.pdf", "VersionId": "dx", "LastModified": t0 + timedelta(hours=1)},
        ])
    # a: its state at t0 (a2); b: deleted before t0; c: made after t0; d: deleted after t0.
    assert versions_at(client=fake, bucket="x", when=t0) == {"a.pdf": "a2", "d.pdf": "d1"}


@pytest.fixture
def s3(monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        import boto3

        client = boto3.client("s3", region_name="eu-central-1")
        for name in ("prod", "restored"):
            client.create_bucket(Bucket=name, CreateBucketConfiguration={
                "LocationConstraint": "eu-central-1"})
        client.put_bucket_versioning(Bucket="prod", VersioningConfiguration={"Status": "Enabled"})
        yield client


def test_restore_bucket_copies_files_into_other_bucket(app, runner, s3, monkeypatch):
    app.config.update(S3_ENDPOINT_URL=None, S3_REGION="eu-central-1")
    s3.put_object(Bucket="prod", Key="applications/1/a.pdf", Body=b"first")
    s3.put_object(Bucket="prod", Key="applications/1/a.pdf", Body=b"second")
    s3.put_object(Bucket="prod", Key="applications/1/gone.pdf", Body=b"x")
    s3.delete_object(Bucket="prod", Key="applications/1/gone.pdf")
    at = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    result = runner.invoke(args=["restore-bucket", "--source-bucket", "prod",
                                 "--target-bucket", "restored", "--at", at])
    assert result.exit_code == 0, result.output
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="restored")["Contents"]]
    assert keys == ["applications/1/a.pdf"]
    assert s3.get_object(Bucket="restored", Key="applications/1/a.pdf")["Body"].read() == b"second"

    # Run again: the target is no longer empty, and nothing is overwritten.
    again = runner.invoke(args=["restore-bucket", "--source-bucket", "prod",
                                "--target-bucket", "restored", "--at", at])
    assert again.exit_code == 1
    assert "ist nicht leer" in again.output


@pytest.mark.parametrize("target", ["prod", "live"])
def test_restore_bucket_production_target_refused(app, runner, s3, monkeypatch, target):
    monkeypatch.setenv("AWARDS_PRODUCTION_BUCKET", "live")
    s3.put_object(Bucket="prod", Key="k.pdf", Body=b"x")
    result = runner.invoke(args=["restore-bucket", "--source-bucket", "prod",
                                 "--target-bucket", target, "--at", "2030-01-01T00:00:00Z"])
    assert result.exit_code == 1
    assert "Eine Wiederherstellung schreibt nie dorthin." in result.output
