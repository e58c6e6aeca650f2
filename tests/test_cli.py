"""`flask --help` lists every command of the app with a one-line description."""

OUR_COMMANDS = {"load-reference", "seed-demo", "create-admin", "send-mail", "bench-data",
                "bench-export", "bench-ranking", "retention", "audit-verify", "archive-export",
                "bootstrap", "check-config", "restore-bucket"}


def test_every_command_has_a_description(app):
    for name, command in app.cli.commands.items():
        assert command.get_short_help_str().strip(), f"`flask {name}` has no description"


def test_flask_help_lists_our_commands(app, runner):
    from flask.cli import FlaskGroup

    group = FlaskGroup(create_app=lambda: app)
    result = runner.invoke(group, ["--help"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert OUR_COMMANDS <= listed


def test_load_reference_is_idempotent(app, runner):
    first = runner.invoke(args=["load-reference"])
    second = runner.invoke(args=["load-reference"])
    assert first.output.strip() == "96 Landkreise/kreisfreie Städte angelegt."
    assert second.output.strip() == "0 Landkreise/kreisfreie Städte angelegt."


def test_bench_ranking_reports_one_full_computation(app, runner):
    from awards.extensions import db
    from tests.unit.test_ranking import _build

    round_, _entries, _jurors = _build()
    db.session.commit()
    result = runner.invoke(args=["bench-ranking", "--round-id", str(round_.id)])
    assert result.exit_code == 0, result.output
    # Four entries; eleven final sheets (the one of the juror with a conflict included, the
    # draft not).
    assert result.output.startswith("BENCHROW | Staff ranking computed afresh, as after a "
                                    "change of the scores (4 entries, 11 score sheets) | ")
