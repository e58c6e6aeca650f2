"""The demo data: every stage loads, a second load duplicates nothing, every login works.

One test on purpose: loading the whole demo renders receipts and certificates, which takes
a while, so it is loaded just twice here.
"""
from sqlalchemy import func, select

from awards import demo
from awards.enums import CompetitionStatus
from awards.extensions import db
from awards.models.competitions import Competition
from awards.models.jury import Conflict, Round, RoundEntry, RoundStatus, Score
from awards.models.decisions import Certificate, Decision
from awards.services import accounts, statistics
from awards.models.press import PressKit, PublicText

ROLE_LABELS = ("Administration", "Geschäftsstelle Ministerium", "Geschäftsstelle Regierung Oberbayern",
               "Jury-Vorsitz", "Jurymitglied", "Bewerbende")


def _row_counts():
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_demo_loads_every_stage_twice_without_duplicates(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo-Passwort-2026" in result.output
    first = _row_counts()

    logins = demo.load()
    db.session.commit()
    assert _row_counts() == first

    # Every role has one login, and each works.
    labels = [label for label, _ in logins]
    for role in ROLE_LABELS:
        assert labels.count(role) == 1, role
        assert dict(logins)[role] in result.output
    for _, email in logins:
        response = client.post("/konto/anmelden", data={"email": email, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.post("/konto/abmelden")

    # Last year: all eight prizes archived with certificates; this year: open call,
    # an open anonymised round with partial scores and a conflict, a decided prize.
    year = db.session.scalar(select(func.max(Competition.year)))
    statuses = {(c.prize_code, c.year): c.status for c in db.session.scalars(select(Competition))}
    last_year = {code: status for (code, y), status in statuses.items() if y == year - 1}
    assert len(last_year) == 8
    assert set(last_year.values()) == {CompetitionStatus.ARCHIVED}
    assert statuses[("BIP", year)] == CompetitionStatus.OPEN
    assert db.session.scalar(select(func.count()).select_from(Certificate)) >= 8
    open_round = db.session.scalars(select(Round).where(Round.status == RoundStatus.OPEN)).first()
    assert open_round is not None and open_round.anonymised
    assert db.session.scalar(select(func.count()).select_from(Score).where(Score.round_id == open_round.id)) > 0
    assert db.session.scalar(select(func.count()).select_from(Conflict)) >= 1

    # Statistics over the archived years: three earlier years of every prize, growing, with
    # nominations, inadmissible applications and many districts.
    ministry = accounts.find_user(dict(logins)["Geschäftsstelle Ministerium"])
    report = statistics.report(actor=ministry)
    archived = [t for t in report.trend if t.year < year]
    assert [t.year for t in archived] == [year - 3, year - 2, year - 1]
    assert archived[0].applications < archived[1].applications < archived[2].applications
    assert all(t.winners >= 8 for t in archived)
    last = statistics.report(actor=ministry, year=year - 1)
    assert last.total("nominations") > 0 and last.total("inadmissible") > 0
    assert len(last.breakdowns["district"].rows) > 20
    assert last.regions_with_applications == 7
    assert {c.status for c in db.session.scalars(select(Competition).where(
        Competition.year < year))} == {CompetitionStatus.ARCHIVED}
    # A drafted press kit under embargo, with public texts in every state.
    assert db.session.scalar(select(func.count()).select_from(PressKit)) == 1
    assert set(db.session.scalars(select(PublicText.status))) == {
        "draft", "proposed", "approved", "changes_requested"}

    # A closed, anonymised round ready for the jury meeting: the demo chair's meeting page
    # shows its frozen ranking by codes, with disagreement, and nothing is decided yet.
    ready = [r for r in db.session.scalars(select(Round).where(Round.status == RoundStatus.CLOSED))
             if r.anonymised and r.competition.year == year]
    assert len(ready) == 1
    meeting_round = ready[0]
    competition = meeting_round.competition
    assert db.session.scalar(select(func.count()).select_from(Decision).where(
        Decision.competition_id == competition.id)) == 0
    entries = db.session.scalars(select(RoundEntry).where(RoundEntry.round_id == meeting_round.id)).all()
    client.post("/konto/anmelden", data={"email": dict(logins)["Jury-Vorsitz"],
                                         "password": demo.DEMO_PASSWORD})
    assert 'Jurysitzung leiten' in client.get("/jury/").get_data(as_text=True)
    html = client.get(f"/geschaeftsstelle/entscheidungen/{competition.id}/sitzung").get_data(as_text=True)
    shown = [e.code for e in entries if e.code in html]
    assert len(shown) >= 2 and len(shown) == len(entries)
    assert "Hohe Streuung" in html and "Anwesenheit speichern" in html
    assert html.count("Notiz speichern") == len(entries)
    assert not any(e.application.org_name in html for e in entries)
