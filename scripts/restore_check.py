#!/usr/bin/env python3
"""Back up a database, restore it into a scratch copy and compare every table's row count.

PostgreSQL: pg_dump -Fc and pg_restore into "<db>_restore_check" (dropped afterwards).
SQLite: the online backup API into a temporary file.
Usage: scripts/restore_check.py DATABASE_URL   (exit 0 when the copy matches)
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import create_engine, inspect, text


def row_counts(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in tables}
    finally:
        engine.dispose()


def _libpq_url(url, database=None):
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    path = f"/{database}" if database else parts.path
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def check_postgres(url):
    source = _libpq_url(url)
    name = urlsplit(source).path.lstrip("/")
    scratch = f"{name}_restore_check"
    admin = _libpq_url(url, "postgres")
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "backup.dump")
        subprocess.run(["pg_dump", "-Fc", "-d", source, "-f", dump], check=True)
        subprocess.run(["psql", "-q", "-d", admin, "-c", f'DROP DATABASE IF EXISTS "{scratch}"'], check=True)
        subprocess.run(["psql", "-q", "-d", admin, "-c", f'CREATE DATABASE "{scratch}"'], check=True)
        try:
            subprocess.run(["pg_restore", "--no-owner", "-d", _libpq_url(url, scratch), dump], check=True)
            restored_url = url.rsplit("/", 1)[0] + f"/{scratch}"
            return row_counts(url), row_counts(restored_url)
        finally:
            subprocess.run(["psql", "-q", "-d", admin, "-c", f'DROP DATABASE IF EXISTS "{scratch}"'], check=True)


def check_sqlite(url):
    path = url.split("sqlite:///", 1)[1]
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "restored.sqlite")
        source, target = sqlite3.connect(path), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return row_counts(url), row_counts(f"sqlite:///{copy}")


def main(url):
    original, restored = check_postgres(url) if url.startswith("postgresql") else check_sqlite(url)
    differences = {t: (original.get(t), restored.get(t)) for t in set(original) | set(restored)
                   if original.get(t) != restored.get(t)}
    for table, count in sorted(original.items()):
        print(f"{table:<30} {count:>8} {'OK' if table not in differences else 'ABWEICHUNG'}")
    if differences:
        print(f"Wiederherstellung weicht ab: {differences}", file=sys.stderr)
        return 1
    print(f"Wiederherstellung geprüft: {len(original)} Tabellen, {sum(original.values())} Zeilen.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
