#!/usr/bin/env python3
"""Back up a database, restore it into a scratch copy and compare every table and file.

PostgreSQL: pg_dump -Fc of the app's own URL and pg_restore --clean into the scratch
database SCRATCH_URL (default: "<db>_restore_check" on the same server). The scratch
database is made once by the database administrator and owned by the app's role
(`CREATE DATABASE awards_restore_check OWNER awards`), so the check itself needs no
CREATEDB; it is emptied again afterwards.
SQLite: the online backup API into a temporary file.

Files: every file the restored rows refer to (attachments, jury copies, receipts,
certificates, logos) is read from the restored store and its SHA-256 compared with the
checksum stored with the attachment or with the same file in the source store.

Usage: scripts/restore_check.py DATABASE_URL [--scratch-url URL]
           [--files-source DIR|s3://BUCKET] [--files-restored DIR|s3://BUCKET]
Exit 0 when the copy matches.
"""
import argparse
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, inspect, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backup import libpq_url, same_database  # noqa: E402 - a sibling script

FILE_COLUMNS = [  # (table, key column, checksum column or None)
    ("attachments", "storage_key", "sha256"),
    ("attachments", "jury_storage_key", None),
    ("applications", "receipt_key", None),
    ("certificates", "storage_key", None),
    ("competitions", "logo_key", None),
]


def row_counts(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in tables}
    finally:
        engine.dispose()


def referenced_files(url):
    """[(key, expected sha256 or None)] of every file the rows refer to."""
    engine = create_engine(url)
    found = []
    try:
        with engine.connect() as conn:
            tables = inspect(conn)
            for table, column, checksum in FILE_COLUMNS:
                if not tables.has_table(table):
                    continue
                columns = {c["name"] for c in tables.get_columns(table)}
                if column not in columns:
                    continue
                wanted = f'"{column}", "{checksum}"' if checksum in columns else f'"{column}", NULL'
                rows = conn.execute(text(f'SELECT {wanted} FROM "{table}" WHERE "{column}" IS NOT NULL'))
                found.extend((key, digest) for key, digest in rows)
    finally:
        engine.dispose()
    return found


class _Store:
    """A directory or an S3 bucket (s3://name; endpoint and region from AWARDS_S3_*)."""

    def __init__(self, spec):
        self.spec = spec
        if spec.startswith("s3://"):
            import boto3

            self.bucket = spec[5:].strip("/")
            self.client = boto3.client("s3", region_name=os.environ.get("AWARDS_S3_REGION"),
                                       endpoint_url=os.environ.get("AWARDS_S3_ENDPOINT_URL") or None)
        else:
            self.root = Path(spec)

    def sha256(self, key):
        digest = hashlib.sha256()
        try:
            if self.spec.startswith("s3://"):
                body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
                for chunk in iter(lambda: body.read(1024 * 1024), b""):
                    digest.update(chunk)
            else:
                with open(self.root / key, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                        digest.update(chunk)
        except Exception:  # noqa: BLE001 - a missing or unreadable file is the finding
            return None
        return digest.hexdigest()


def compare_files(url, source, restored):
    """Problems with the files the restored rows refer to; (checked, problems)."""
    problems = []
    files = referenced_files(url)
    for key, expected in files:
        actual = restored.sha256(key)
        if actual is None:
            problems.append(f"{key}: fehlt")
            continue
        reference = expected or (source.sha256(key) if source is not restored else actual)
        if actual != reference:
            problems.append(f"{key}: Prüfsumme weicht ab")
    return len(files), problems


def check_postgres(url, scratch_url=None):
    source = libpq_url(url)
    if scratch_url is None:
        name = urlsplit(source).path.lstrip("/")
        scratch_url = url.rsplit("/", 1)[0] + f"/{name}_restore_check"
    if same_database(url, scratch_url):
        raise SystemExit("The scratch database must not be the database checked.")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o700)
        dump = os.path.join(tmp, "backup.dump")
        subprocess.run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-d", source, "-f", dump],
                       check=True)
        _empty(scratch_url)
        try:
            subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                            "-d", libpq_url(scratch_url), dump], check=True)
            return row_counts(url), row_counts(scratch_url), scratch_url
        except BaseException:
            _empty(scratch_url)
            raise


def _empty(scratch_url):
    """Drop everything in the scratch database (its owner may; no CREATEDB needed)."""
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", libpq_url(scratch_url), "-c",
                    "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"], check=True,
                   stdout=subprocess.DEVNULL)


def check_sqlite(url, tmp):
    path = url.split("sqlite:///", 1)[1]
    copy = os.path.join(tmp, "restored.sqlite")
    source, target = sqlite3.connect(path), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return row_counts(url), row_counts(f"sqlite:///{copy}"), f"sqlite:///{copy}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--scratch-url")
    parser.add_argument("--files-source", help="The store the backup was taken from.")
    parser.add_argument("--files-restored", help="The restored store (default: the source).")
    args = parser.parse_args(argv)
    url = args.database_url
    with tempfile.TemporaryDirectory() as tmp:
        if url.startswith("postgresql"):
            original, restored, restored_url = check_postgres(url, args.scratch_url)
        else:
            original, restored, restored_url = check_sqlite(url, tmp)
        try:
            differences = {t: (original.get(t), restored.get(t)) for t in set(original) | set(restored)
                           if original.get(t) != restored.get(t)}
            for table, count in sorted(original.items()):
                print(f"{table:<30} {count:>8} {'OK' if table not in differences else 'ABWEICHUNG'}")
            file_problems, checked = [], 0
            if args.files_source:
                source = _Store(args.files_source)
                target = _Store(args.files_restored) if args.files_restored else source
                checked, file_problems = compare_files(restored_url, source, target)
                for problem in file_problems:
                    print(f"Datei {problem}")
        finally:
            if url.startswith("postgresql"):
                _empty(restored_url)
    if differences or file_problems:
        print(f"Wiederherstellung weicht ab: {differences or ''} {len(file_problems)} Datei(en)",
              file=sys.stderr)
        return 1
    files_note = f", {checked} Dateien mit Prüfsumme" if args.files_source else ""
    print(f"Wiederherstellung geprüft: {len(original)} Tabellen, {sum(original.values())} Zeilen"
          f"{files_note}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
