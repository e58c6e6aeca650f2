"""Bounded work: no list page, ranking or export runs more SQL statements when it has more rows.

Every case builds its data twice, small and large (more rows; for jury pages also more
jurors), requests the page once to warm per-process caches, then counts the statements of a
second request. The two counts must be exactly equal.
"""
from datetime import timedelta

import pytest
from sqlalchemy import event

from awards.enums import CompetitionStatus, Role
from awards.extensions import db
from awards.models.applications import Attachment
from awards.models.base import utcnow
from awards.services import accounts, publication_state
from awards.services.jury import scoring
from awards.services.jury import rounds as rounds_service
from tests import factories

PDF = factories.pdf_bytes(text="Jahresbericht")
SMALL = {"rows": 3, "jurors": 2}
LARGE = {"rows": 30, "jurors": 5}


def _get(client, url):
    """One GET in its own application context, as in production: the request starts with
    an empty session (nothing the test or an earlier request loaded is cached)."""
    db.session.commit()
    with client.application.app_context():
        resp = client.get(url)
        resp.get_data()  # a streamed body runs its queries while it is read
    assert resp.status_code == 200, url
    return resp


def count_statements(client, url):
    """Statements executed by one GET, after a warm-up GET (per-process caches)."""
    _get(client, url)
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    # Each worker reads the publication state at most every tenth of a second: forget it,
    # so that the counted request always reads it, however long the warm-up took.
    publication_state.forget()
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        _get(client, url)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def _counts(client, auth, build):
    counts = []
    for size in (SMALL, LARGE):
        user, url = build(**size)
        db.session.commit()
        if user is not None:
            auth.login(user)
        else:
            auth.logout()
        counts.append(count_statements(client, url))
    return counts


def _file_rows(application, n=2):
    """Attachment rows (no stored bytes needed: lists and exports only count them)."""
    for i in range(n):
        db.session.add(Attachment(application=application,
                                  storage_key=f"applications/{application.id}/f{i}.pdf",
                                  filename=f"f{i}.pdf", content_type="application/pdf",
                                  size=1000, sha256="0" * 64, jury_visible=True))
    db.session.flush()


# --------------------------------------------------------------------------- intake

def _intake(rows, jurors, suffix=""):
    comp = factories.competition(prize_code="BIP", status=CompetitionStatus.CLOSED)
    staff = factories.staff(prize_code="BIP")
    for _ in range(rows):
        application = factories.submitted_application(complete=True, competition=comp)
        _file_rows(application)
    return staff, f"/geschaeftsstelle/eingang/{comp.id}{suffix}"


@pytest.mark.parametrize("suffix", ["", "/export.csv", "/export.xlsx",
                                    "?status=submitted&region=obb&formal=pending"])
def test_intake_list_and_exports_query_count_is_constant(client, auth, suffix):
    few, many = _counts(client, auth, lambda **kw: _intake(**kw, suffix=suffix))
    assert few == many


# --------------------------------------------------------------------------- applicant, public

def test_applicant_dashboard_query_count_is_constant(client, auth):
    def build(rows, jurors):
        owner = factories.user()
        for i in range(rows):
            comp = factories.competition(prize_code="BIP")
            factories.application(competition=comp, owner=owner)
        return owner, "/bewerbung/"

    few, many = _counts(client, auth, build)
    assert few == many


def test_public_competitions_list_query_count_is_constant(client, auth):
    def build(rows, jurors):
        for _ in range(rows):
            factories.competition(prize_code="BIP")
        return None, "/ausschreibungen"

    few, many = _counts(client, auth, build)
    assert few == many


@pytest.mark.parametrize("url", ["/verwaltung/benutzer", "/verwaltung/benutzer?rolle=juror&q=example"])
def test_admin_user_list_query_count_is_constant(client, auth, url):
    admin = {}

    def build(rows, jurors):
        admin.setdefault("user", factories.admin())
        comp = factories.competition(prize_code="OBB")
        for _ in range(rows):
            factories.juror(comp)
            factories.user()
        return admin["user"], url

    few, many = _counts(client, auth, build)
    assert few == many


def _published(rows, others=2):
    categories = [(f"{i + 1}. Preis", i + 1, 10000, 1) for i in range(rows)]
    comp, winners, _others = factories.released_competition(winners=rows, others=others,
                                                     categories=categories,
                                                     budget_cents=10000 * rows)
    for application in winners:
        factories.photo_attachment(application, storage=_storage())
    factories.publish(comp, at=utcnow() - timedelta(minutes=1))
    return comp


def _storage():
    from awards.adapters.storage import get_storage

    return get_storage()


@pytest.mark.parametrize("url", ["/preistraeger", "/preistraeger?bezirk=obb",
                                 "/api/v1/preistraeger", "/api/v1/preistraeger?per_page=100"])
def test_public_winner_lists_query_count_is_constant(client, auth, url):
    def build(rows, jurors):
        _published(rows)
        return None, url

    few, many = _counts(client, auth, build)
    assert few == many


def test_competition_winners_page_query_count_is_constant(client, auth):
    def build(rows, jurors):
        comp = _published(rows)
        return None, f"/preistraeger/{comp.prize_code}/{comp.year}"

    few, many = _counts(client, auth, build)
    assert few == many


# --------------------------------------------------------------------------- jury (jurors)

def _scored_round(rows, jurors, *, final=True, score_all=True, prize_code="OBB"):
    comp = factories.competition(prize_code=prize_code)
    people = [factories.juror(comp, is_chair=(i == 0)) for i in range(jurors)]
    applications = [factories.submitted_application(comp, admissible=True) for _ in range(rows)]
    for application in applications:
        factories.jury_attachment(application=application, data=PDF, content_type="application/pdf",
                      filename="bericht.pdf")
    round_ = factories.open_round(competition=comp, jurors=people, applications=applications)
    for entry in round_.entries:
        for juror in people:
            if score_all or entry.id % 2:
                factories.score(round_=round_, entry=entry, juror=juror,
                         values=(entry.id % 11, juror.id % 11), final=final)
    db.session.flush()
    return comp, round_, people


def test_jury_dashboard_query_count_is_constant(client, auth):
    def build(rows, jurors):
        comp, round_, people = _scored_round(rows, jurors, score_all=False)
        factories.jury_round(competition=comp, name="Finalrunde", source="advanced")
        for _ in range(jurors - 1):  # more competitions and rounds for the same juror
            other = factories.competition(prize_code="OBB")
            accounts.assign_role(actor=None, user=people[0], role=Role.JUROR, competition=other)
            factories.open_round(competition=other, jurors=[people[0]], n=2)
        return people[0], "/jury/"

    few, many = _counts(client, auth, build)
    assert few == many


@pytest.mark.parametrize("suffix", ["", "/meine-bewertungen.csv", "/meine-bewertungen.xlsx"])
def test_juror_round_page_and_own_export_query_count_is_constant(client, auth, suffix):
    def build(rows, jurors):
        comp, round_, people = _scored_round(rows, jurors, score_all=False)
        return people[0], f"/jury/runden/{round_.id}{suffix}"

    few, many = _counts(client, auth, build)
    assert few == many


def test_score_sheet_query_count_is_constant_and_small(client, auth):
    """The juror's score sheet: more attachments, jurors and scores do not add statements,
    and the sheet needs few: the user, the entry with its round and application, the
    attachments, the criteria, the juror's score with its values, the juror's progress."""
    def build(rows, jurors):
        comp, round_, people = _scored_round(rows, jurors, final=False)
        entry = round_.entries[0]
        for i in range(rows):
            factories.jury_attachment(application=entry.application, data=PDF,
                                      content_type="application/pdf", filename=f"anlage{i}.pdf")
        return people[0], f"/jury/runden/{round_.id}/{entry.code}"

    few, many = _counts(client, auth, build)
    assert few == many
    assert many <= 6, many


# --------------------------------------------------------------------------- jury (staff)

def _staff_round(rows, jurors, *, close=False, suffix=""):
    comp, round_, people = _scored_round(rows, jurors)
    for entry in round_.entries[::3]:
        scoring.set_conflict(actor=None, entry=entry, juror=people[-1], reason="Mitglied im Verein")
    if close:
        rounds_service.close_round(actor=None, round_=round_)
    return factories.staff(prize_code="OBB"), f"/geschaeftsstelle/jury/runden/{round_.id}{suffix}"


def test_staff_rounds_list_query_count_is_constant(client, auth):
    def build(rows, jurors):
        comp, round_, people = _scored_round(rows, jurors)
        for i in range(rows // 3):
            factories.jury_round(competition=comp, name=f"Runde {i + 2}", source="advanced")
        return factories.staff(prize_code="OBB"), f"/geschaeftsstelle/jury/wettbewerb/{comp.id}"

    few, many = _counts(client, auth, build)
    assert few == many


@pytest.mark.parametrize("suffix", ["", "/anonymisierung", "/leckpruefung", "/zuteilung",
                                    "/fortschritt", "/befangenheit", "/rangliste"])
def test_staff_round_pages_query_count_is_constant(client, auth, suffix):
    few, many = _counts(client, auth, lambda **kw: _staff_round(**kw, suffix=suffix))
    assert few == many


def test_draft_round_anonymisation_review_query_count_is_constant(client, auth):
    def build(rows, jurors):
        comp = factories.competition(prize_code="OBB")
        for _ in range(jurors):
            factories.juror(comp)
        round_ = factories.jury_round(competition=comp)
        for _ in range(rows):
            _file_rows(factories.submitted_application(comp, admissible=True))
        rounds_service.populate_entries(actor=None, round_=round_)
        return (factories.staff(prize_code="OBB"),
                f"/geschaeftsstelle/jury/runden/{round_.id}/anonymisierung")

    few, many = _counts(client, auth, build)
    assert few == many


@pytest.mark.parametrize("close", [False, True])
@pytest.mark.parametrize("export", ["bewertungen.csv", "bewertungen.xlsx", "rangliste.csv",
                                    "rangliste.xlsx"])
def test_staff_jury_exports_query_count_is_constant(client, auth, export, close):
    few, many = _counts(client, auth, lambda **kw: _staff_round(
        **kw, close=close, suffix=f"/export/{export}"))
    assert few == many


@pytest.mark.parametrize("close", [False, True])
def test_ranking_with_normalisation_query_count_is_constant(client, auth, close):
    """The large ranking spans two pages (100 places each): paging, the identities of the
    shown page (closed round) and the advance form do not add statements. Both pages are
    counted on the same data (building 130 entries' scores is most of the test's time)."""
    counts = {"": [], "?seite=2": []}
    for size in (SMALL, LARGE):
        rows = 3 if size is SMALL else 130
        comp = factories.competition(prize_code="OBB")
        people = [factories.juror(comp) for _ in range(size["jurors"])]
        round_ = factories.open_round(competition=comp, jurors=people, n=rows, rank_by_normalised=True)
        for entry in round_.entries:
            for juror in people:
                factories.score(round_=round_, entry=entry, juror=juror, values=(entry.id % 11, 3))
        if close:
            rounds_service.close_round(actor=None, round_=round_)
            factories.jury_round(competition=comp, name="Finalrunde", source="advanced")
        auth.login(factories.staff(prize_code="OBB"))
        for page, found in counts.items():
            found.append(count_statements(
                client, f"/geschaeftsstelle/jury/runden/{round_.id}/rangliste{page}"))
    for page, (few, many) in counts.items():
        assert few == many, (page, few, many)


# --------------------------------------------------------------------------- decisions

@pytest.mark.parametrize("suffix", ["", "/urkunden", "/pressemappe"])
def test_decisions_pages_query_count_is_constant(client, auth, suffix):
    def build(rows, jurors):
        categories = [(f"{i + 1}. Preis", i + 1, 10000, 1) for i in range(rows)]
        comp = factories.competition(prize_code="BIP", status=CompetitionStatus.JURY,
                                     categories=categories, budget_cents=10000 * rows)
        apps = [factories.submitted_application(comp) for _ in range(rows * 2)]
        for application, category in zip(apps, comp.categories):
            factories.decide(application, category=category)
        return (factories.staff(prize_code="BIP"),
                f"/geschaeftsstelle/entscheidungen/{comp.id}{suffix}")

    few, many = _counts(client, auth, build)
    assert few == many


def test_released_decisions_index_query_count_is_constant(client, auth):
    def build(rows, jurors):
        comp = _published(rows)
        return (factories.staff(prize_code="BIP"),
                f"/geschaeftsstelle/entscheidungen/{comp.id}")

    few, many = _counts(client, auth, build)
    assert few == many


# --------------------------------------------------------------------------- statistics

@pytest.mark.parametrize("url", ["/geschaeftsstelle/statistik",
                                 "/geschaeftsstelle/statistik?prize=BIP",
                                 "/geschaeftsstelle/statistik.xlsx"])
def test_statistics_query_count_is_constant(client, auth, url):
    def build(rows, jurors):
        for year in range(2000, 2000 + rows // 3 + 1):
            for code in ("BIP", "OBB"):
                comp = factories.competition(prize_code=code, year=year + 100 * rows,
                                             status=CompetitionStatus.JURY)
                winner = factories.submitted_application(
                    comp, district_id=factories.district("Rosenheim", False).id)
                factories.submitted_application(comp, volunteers_count=rows)
                factories.decide(winner)
        return factories.staff(), url

    few, many = _counts(client, auth, build)
    assert few == many
