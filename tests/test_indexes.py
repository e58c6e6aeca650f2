"""Every foreign key and every column the list pages filter or sort on has an index.

A column counts as indexed when it is the FIRST column of an index, a unique constraint
or the primary key (a composite index does not help a lookup by its second column).
"""
import pytest
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

import awards.models  # noqa: F401  (every table registered on db.metadata)
from awards.extensions import db

# Filters and sort keys of the list pages: intake (status, Regierungsbezirk, Bewerbertyp,
# formale Prüfung), winners overview and open data (year, prize, Regierungsbezirk),
# jury pages (round state, score state) and the login (e-mail).
FILTER_COLUMNS = [
    ("applications", "status"),
    ("applications", "region"),
    ("applications", "applicant_type"),
    ("applications", "formal_check"),
    ("applications", "competition_id"),
    ("applications", "owner_id"),
    ("competitions", "prize_code"),
    ("competitions", "year"),
    ("competitions", "status"),
    ("competitions", "region"),
    ("jury_rounds", "status"),
    ("jury_scores", "status"),
    ("users", "email"),
]


def leading_columns(table):
    """Names of the columns that start an index, a unique constraint or the primary key."""
    names = {list(index.columns)[0].name for index in table.indexes if len(index.columns)}
    for constraint in table.constraints:
        if isinstance(constraint, (UniqueConstraint, PrimaryKeyConstraint)) and len(constraint.columns):
            names.add(list(constraint.columns)[0].name)
    return names


def unindexed_foreign_keys(metadata):
    return sorted(f"{table.name}.{column.name}"
                  for table in metadata.sorted_tables
                  for column in table.columns
                  if column.foreign_keys and column.name not in leading_columns(table))


def test_every_foreign_key_column_is_indexed():
    assert unindexed_foreign_keys(db.metadata) == []


def test_schema_has_foreign_keys_to_check():
    # Guards the test above against passing on an empty or unimported schema.
    count = sum(1 for t in db.metadata.sorted_tables for c in t.columns if c.foreign_keys)
    assert count >= 30


def test_unindexed_foreign_key_is_reported():
    from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

    metadata = MetaData()
    Table("parents", metadata, Column("id", Integer, primary_key=True))
    Table("children", metadata, Column("id", Integer, primary_key=True),
          Column("parent_id", Integer, ForeignKey("parents.id")),
          Column("other_id", Integer, ForeignKey("parents.id"), index=True))
    assert unindexed_foreign_keys(metadata) == ["children.parent_id"]


@pytest.mark.parametrize("table,column", FILTER_COLUMNS)
def test_filter_and_sort_column_is_indexed(table, column):
    assert column in leading_columns(db.metadata.tables[table])
