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


def test_bench_data_is_in_states_the_app_makes_and_every_page_answers(app, runner, tmp_path):
    """`flask bench-data` (small): closed rounds carry their frozen ranking, as closing a
    round leaves it, and every page of the manifest answers its login as `make bench` expects."""
    import json

    from sqlalchemy import select

    from awards.extensions import db
    from awards.models.jury import Round, RoundStatus
    from awards.services.jury import ranking
    from bench.run import FormInputs

    manifest = tmp_path / "manifest.json"
    result = runner.invoke(args=["bench-data", "--manifest", str(manifest), "--applications", "40",
                                 "--jurors", "12", "--past-years", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(manifest.read_text(encoding="utf-8"))
    rounds = db.session.scalars(select(Round).order_by(Round.position)).all()
    assert [r.status for r in rounds] == [RoundStatus.CLOSED, RoundStatus.CLOSED, RoundStatus.OPEN]
    for round_ in rounds[:2]:
        assert round_.snapshot is not None
        assert [(r["code"], r["rank"]) for r in round_.snapshot["rows"]] == \
            [(r["code"], r["rank"]) for r in ranking.compute(round_)["rows"]]
    assert rounds[2].snapshot is None
    names = [page["name"] for page in data["pages"]]
    assert any("closed round" in name for name in names)
    assert any("open round, live" in name for name in names)
    for page in data["pages"]:
        client = app.test_client()
        if page.get("login"):
            client.post("/konto/anmelden", data={"email": page["login"], "password": data["password"]})
        if page.get("method") == "POST":
            # As `make bench` posts it: the form as rendered, with the page's fields set.
            form = FormInputs(page["path"])
            form.feed(client.get(page["path"]).get_data(as_text=True))
            response = client.post(page["path"], data=form.values | page.get("fields", {}))
            assert response.status_code == page.get("expect", 302), page["name"]
            assert "/konto/anmelden" not in response.headers.get("Location", ""), page["name"]
        else:
            response = client.get(page["path"])
            assert response.status_code == page.get("expect", 200), page["name"]
