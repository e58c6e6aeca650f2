"""`flask --help` lists every command of the app with a one-line description."""

OUR_COMMANDS = {"load-reference", "seed-demo", "create-admin", "send-mail", "bench-data",
                "bench-export", "retention", "audit-verify", "archive-export"}


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
