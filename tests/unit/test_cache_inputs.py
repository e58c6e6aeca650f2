"""Caches declare their inputs (awards.cachekeys) and their keys follow the declaration.

- Every declared input of every cache moves its key; a missing or undeclared input is refused.
- The ranking: every column compute() queries is declared, and changing any declared column
  in place (as a direct UPDATE, the bluntest change there is) moves the key.
- The public pages: every table the winners pages and the API query is declared, and a
  change of each declared application field is seen by the publication state.
"""
import enum
import marshal
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.sql import visitors
from sqlalchemy.sql.schema import Column

from awards.cachekeys import REGISTRY
from awards.extensions import db
from awards.models.applications import Application
from awards.models.base import utcnow
from awards.models.jury import Round, RoundCriterion, TieBreak
from awards.services import publication_state
from awards.services.jury import ranking
from tests import factories
from tests import factories
from tests.unit.test_ranking import _build


def _declarations():
    import awards.views  # noqa: F401  (the views declare the page, API and fragment caches)

    return dict(REGISTRY)


def _all_inputs():
    return [(name, item) for name, declaration in sorted(_declarations().items())
            for item in declaration.inputs]


@pytest.mark.parametrize(("name", "item"), _all_inputs())
def test_each_declared_input_moves_the_key(app, name, item):
    declaration = _declarations()[name]
    base = {i: ("same", 1) for i in declaration.inputs}
    changed = dict(base, **{item: ("other", 2)})
    assert declaration.key(**changed) != declaration.key(**base)
    assert declaration.key(**dict(base)) == declaration.key(**base)


@pytest.mark.parametrize("name", sorted(_declarations()))
def test_key_refuses_missing_or_undeclared_inputs(app, name):
    declaration = _declarations()[name]
    inputs = {i: 1 for i in declaration.inputs}
    with pytest.raises(TypeError):
        declaration.key(**dict(inputs, undeclared=1))
    with pytest.raises(TypeError):
        declaration.key(**{k: v for k, v in inputs.items() if k != declaration.inputs[0]})


class _Reads:
    """Tables and columns named in the SQL run while it is active."""

    def __init__(self):
        self.columns = set()
        self.tables = set()

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        compiled = getattr(context, "compiled", None)
        if compiled is None or compiled.statement is None:
            return
        for element in visitors.iterate(compiled.statement):
            table = getattr(element, "table", None)
            if isinstance(element, Column) and getattr(table, "name", None):
                self.columns.add(f"{table.name}.{element.name}")
                self.tables.add(table.name)
            elif getattr(element, "__visit_name__", None) == "table":
                self.tables.add(element.name)

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def _undeclared(reads, declaration):
    declared = declaration.columns()
    return sorted(c for c in reads.columns
                  if c not in declared and f"{c.split('.')[0]}.*" not in declared)


def test_ranking_reads_only_declared_columns(app):
    round_, _entries, _jurors = _build(tie_break=TieBreak.CHAIR)
    db.session.commit()
    round_id = round_.id
    db.session.expunge_all()
    with _Reads() as reads:
        ranking.compute(db.session.get(Round, round_id))
        ranking.fingerprint(db.session.get(Round, round_id))
    assert reads.tables <= set(ranking.INPUTS.tables)
    assert _undeclared(reads, ranking.INPUTS) == []
    assert "jury_score_values.value" in reads.columns  # the recorder really saw the query


def _other_value(value, column):
    if isinstance(value, bool):
        return not value
    if isinstance(value, enum.Enum):
        return next(member for member in type(value) if member != value)
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + " (geändert)"
    raise AssertionError(f"no other value for {column}: {value!r}")


def _ranking_key(round_id):
    db.session.expire_all()
    return ranking.INPUTS.key(source="live", format=marshal.version,
                              data=ranking.fingerprint(db.session.get(Round, round_id)))


@pytest.mark.parametrize("column", sorted(ranking.INPUTS.changing()))
def test_ranking_key_moves_with_each_declared_column(app, column):
    round_, _entries, _jurors = _build(tie_break=TieBreak.CHAIR)
    db.session.commit()
    round_id = round_.id
    table_name, column_name = column.split(".")
    table = db.metadata.tables[table_name]
    before = _ranking_key(round_id)
    row = db.session.execute(select(table).order_by(*table.primary_key.columns)).mappings().first()
    old = row[column_name]
    if old is None and column == "jury_rounds.tie_break_criterion_id":
        new = db.session.scalars(select(RoundCriterion.id)
                                 .where(RoundCriterion.round_id == round_id)).first()
    else:
        new = _other_value(old, column)
    where = [c == row[c.name] for c in table.primary_key.columns]
    db.session.execute(update(table).where(*where).values({column_name: new}))
    witness = ranking.INPUTS.witnesses.get(column)
    if witness:
        # Declared as changing only together with its witness: change both, as the
        # service does (and check the witness is itself a declared, changing input).
        assert witness in ranking.INPUTS.changing()
        witness_table, witness_column = witness.split(".")
        wt = db.metadata.tables[witness_table]
        db.session.execute(update(wt).where(wt.c.id == row["score_id"])
                           .values({witness_column: wt.c[witness_column] + 1}))
    db.session.commit()
    assert _ranking_key(round_id) != before


def test_public_pages_query_only_declared_tables(app, client):
    now = utcnow()
    competition, _winners, _others = factories.released_competition(winners=2, others=1)
    factories.publish(competition, at=now - timedelta(hours=1))
    db.session.commit()
    declared = set(publication_state.PUBLIC_DATA.tables) | {"publication_state"}
    with _Reads() as reads:
        for path in ("/preistraeger", f"/preistraeger?jahr={competition.year}",
                     "/api/v1/preistraeger", "/api/v1/ausschreibungen"):
            response = client.get(path)
            assert response.status_code == 200, path
    # Reference data (districts, regions) never changes while the app runs.
    assert reads.tables - declared - {"districts"} == set()
    assert "decisions" in reads.tables


@pytest.mark.parametrize("field", sorted(publication_state.PUBLIC_FIELDS))
def test_publication_state_sees_each_declared_application_field(app, field):
    competition = factories.competition(prize_code="OBB")
    application = factories.submitted_application(competition)
    db.session.commit()
    value = getattr(application, field)
    if field == "competition_id":
        new = factories.competition(prize_code="OBB").id
    elif field == "status":
        new = next(s for s in type(value) if s != value)
    elif value is None:
        kind = Application.__table__.c[field].type.python_type
        new = next(iter(kind)) if issubclass(kind, enum.Enum) else kind("1")
    else:
        new = _other_value(value, field)
    setattr(application, field, new)
    assert publication_state.touches_public_pages(db.session)


def test_publication_state_ignores_undeclared_application_fields(app):
    competition = factories.competition(prize_code="OBB")
    application = factories.submitted_application(competition)
    db.session.commit()
    application.phone = "+49 89 000000"
    assert not publication_state.touches_public_pages(db.session)
