"""services/jury/exports.py: the ranking and score exports name entries by their codes only
while a round runs and towards jury members under anonymity; staff get the identities
after the round; a juror's own export goes through the projection; no formulas leak into
spreadsheets."""
import csv
import io

import openpyxl
import pytest

from awards.enums import CompetitionStatus
from awards.extensions import db
from awards.models.jury_reveal import JuryReveal
from awards.services.jury import exports, rounds, scoring
from awards.services.jury.anonymisation import REDACTED
from tests import factories


@pytest.fixture
def jury(app):
    """An anonymised round of three; the first project's title names its Verein. Johanna
    (chair) scored all three, Jonas the first (final) and the second (draft); Jonas declared
    a conflict for the third."""
    comp = factories.competition(prize_code="OBB", status=CompetitionStatus.JURY)
    chair = factories.juror(comp, is_chair=True, name="Johanna Vorsitz")
    member = factories.juror(comp, name="Jonas Jury")
    apps = [factories.submitted_application(comp, admissible=True, org_name=org, project_title=title)
            for org, title in (("Quastwerk e.V.", "Nähstube im Quastwerk"),
                               ("Brückenbauer Passau e.V.", "Lesepaten"),
                               ("Kulturkreis Landshut", "Erzählcafé"))]
    round_ = factories.open_round(competition=comp, jurors=[chair, member], applications=apps)
    e1, e2, e3 = (next(e for e in round_.entries if e.application_id == a.id) for a in apps)
    factories.score(round_=round_, entry=e1, juror=chair, values=(8, 6), comment="=1+1 stark")
    factories.score(round_=round_, entry=e2, juror=chair, values=(5, 5))
    factories.score(round_=round_, entry=e3, juror=chair, values=(7, 8))
    factories.score(round_=round_, entry=e1, juror=member, values=(9, 9))
    factories.score(round_=round_, entry=e2, juror=member, values=(6, 3), final=False)
    scoring.declare_conflict(actor=member, entry=e3, reason="Vorstand im Kulturkreis")
    return comp, round_, chair, member, apps, (e1, e2, e3)


def _identifying(apps):
    return [v for a in apps for v in (a.reference, a.org_name, a.project_title)]


def _flat(header, rows):
    return " | ".join(str(c) for c in list(header) + [c for row in rows for c in row])


def _close(round_):
    rounds.close_round(actor=None, round_=round_)


def test_ranking_of_a_running_round_has_codes_and_figures_only(jury):
    _comp, round_, _chair, _member, apps, (e1, e2, e3) = jury
    header, rows = exports.ranking_table(round_)
    assert header == list(exports.RANK_HEADER)
    assert [row[:4] for row in rows] == [[1, e1.code, 2, 24.5], [2, e3.code, 1, 22.0],
                                         [3, e2.code, 1, 15.0]]
    flat = _flat(header, rows)
    for value in _identifying(apps):
        assert value not in flat


def test_ranking_after_the_round_names_the_applications_for_staff(jury):
    _comp, round_, _chair, _member, apps, entries = jury
    _close(round_)
    header, rows = exports.ranking_table(round_)
    assert header == list(exports.RANK_HEADER) + ["Bewerbungsnummer", "Organisation",
                                                  "Projekttitel"]
    assert [(row[1], *row[-3:]) for row in rows] == [
        (entries[i].code, apps[i].reference, apps[i].org_name, apps[i].project_title)
        for i in (0, 2, 1)]


def test_jury_members_get_no_identities_and_no_conflicted_rows(jury):
    comp, round_, chair, member, apps, (e1, e2, e3) = jury
    _close(round_)
    header, rows = exports.ranking_table(round_, viewer=chair)
    assert header == list(exports.RANK_HEADER)
    assert [row[1] for row in rows] == [e1.code, e3.code, e2.code]
    header, rows = exports.ranking_table(round_, viewer=member)
    assert [row[1] for row in rows] == [e1.code, e2.code]
    header, sheets = exports.scores_table(round_, viewer=member)
    assert {row[0] for row in sheets} == {e1.code, e2.code}
    for value in _identifying(apps):
        assert value not in _flat(header, rows)
    # Once staff revealed the names, the jury's exports carry them too.
    db.session.add(JuryReveal(competition_id=comp.id))
    db.session.flush()
    header, rows = exports.ranking_table(round_, viewer=chair)
    assert header[-3:] == ["Bewerbungsnummer", "Organisation", "Projekttitel"]
    assert rows[0][-3:] == [apps[0].reference, "Quastwerk e.V.", "Nähstube im Quastwerk"]


def test_scores_table_lists_every_sheet_with_points_total_and_status(jury):
    _comp, round_, _chair, _member, apps, (e1, e2, e3) = jury
    header, rows = exports.scores_table(round_)
    assert header == ["Kennung", "Jurymitglied", "Status", "Strahlkraft (Gewicht 2)",
                      "Strahlkraft: Anmerkung", "Nachhaltigkeit (Gewicht 1)",
                      "Nachhaltigkeit: Anmerkung", "Gesamtpunktzahl", "Gesamtanmerkung"]
    rows = sorted(rows)
    expected = sorted([
        [e1.code, "Johanna Vorsitz", "abgeschlossen", 8, "", 6, "", 22.0, "=1+1 stark"],
        [e2.code, "Johanna Vorsitz", "abgeschlossen", 5, "", 5, "", 15.0, ""],
        [e3.code, "Johanna Vorsitz", "abgeschlossen", 7, "", 8, "", 22.0, ""],
        [e1.code, "Jonas Jury", "abgeschlossen", 9, "", 9, "", 27.0, ""],
        [e2.code, "Jonas Jury", "zwischengespeichert", 6, "", 3, "", 15.0, ""],
    ])
    assert rows == expected
    for value in _identifying(apps):
        assert value not in _flat(header, rows)


def test_scores_table_after_the_round_adds_the_identities_for_staff(jury):
    _comp, round_, _chair, _member, apps, (e1, _e2, _e3) = jury
    _close(round_)
    header, rows = exports.scores_table(round_)
    assert header[-3:] == ["Bewerbungsnummer", "Organisation", "Projekttitel"]
    first = next(row for row in rows if row[0] == e1.code)
    assert first[-3:] == [apps[0].reference, "Quastwerk e.V.", "Nähstube im Quastwerk"]


def test_a_jurors_own_export_shows_the_projection(jury):
    _comp, round_, _chair, member, apps, (e1, e2, e3) = jury
    header, rows = exports.juror_scores_table(round_, member)
    assert header == ["Kennung", "Projekttitel", "Status", "Strahlkraft", "Strahlkraft: Anmerkung",
                      "Nachhaltigkeit", "Nachhaltigkeit: Anmerkung", "Gesamtanmerkung"]
    by_code = {row[0]: row for row in rows}
    # The conflicted entry is not the juror's any more; the title naming the Verein is redacted.
    assert set(by_code) == {e1.code, e2.code}
    assert by_code[e1.code] == [e1.code, f"Nähstube im {REDACTED}", "abgeschlossen", 9, "", 9, "", ""]
    assert by_code[e2.code][1:3] == ["Lesepaten", "zwischengespeichert"]
    assert "Quastwerk" not in _flat(header, rows)


def test_a_juror_without_sheets_sees_open_rows(jury):
    comp, round_, _chair, _member, _apps, entries = jury
    newcomer = factories.juror(comp, name="Nina Neu")
    factories.assign_all(round_, [newcomer])
    _header, rows = exports.juror_scores_table(round_, newcomer)
    assert sorted(row[0] for row in rows) == sorted(e.code for e in entries)
    assert {tuple(row[2:]) for row in rows} == {("offen", "", "", "", "", "")}


def test_csv_uses_semicolons_decimal_commas_and_neutralises_formulas(jury):
    _comp, round_, _chair, _member, _apps, (e1, _e2, _e3) = jury
    header, rows = exports.scores_table(round_)
    data = exports.to_csv(header, rows)
    assert data.startswith("\ufeff".encode("utf-8"))
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline=""), delimiter=";"))
    assert parsed[0] == header
    first = next(row for row in parsed if row[0] == e1.code and row[1] == "Johanna Vorsitz")
    assert first[7:] == ["22,0", "'=1+1 stark"]
    header, rows = exports.ranking_table(round_)
    parsed = list(csv.reader(io.StringIO(exports.to_csv(header, rows).decode("utf-8")[1:]),
                             delimiter=";"))
    assert parsed[1][:4] == ["1", e1.code, "2", "24,5"]


def test_xlsx_holds_the_rows_with_formulas_neutralised(jury):
    _comp, round_, _chair, _member, _apps, (e1, _e2, _e3) = jury
    header, rows = exports.scores_table(round_)
    rows = list(rows)
    data = exports.to_xlsx(header, iter(rows), "Bewertungen")
    chunked = b"".join(exports.xlsx_chunks(header, iter(rows), "Bewertungen", chunk_size=100))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Bewertungen"
    cells = list(sheet.iter_rows(values_only=True))
    assert list(openpyxl.load_workbook(io.BytesIO(chunked)).active.iter_rows(values_only=True)) == cells
    assert list(cells[0]) == header
    first = next(row for row in cells if row[0] == e1.code and row[1] == "Johanna Vorsitz")
    assert list(first[3:]) == [8, None, 6, None, 22, "'=1+1 stark"]
