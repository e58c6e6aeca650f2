#!/usr/bin/env python3
"""Back up and restore database and files as one procedure (docs/DEPLOYMENT.md, section 8).

  backup.py dump --out-dir DIR
      pg_dump of AWARDS_DATABASE_URL (the app's own URL; the "+psycopg" driver part is
      removed for libpq) into DIR/awards-<UTC time>.dump, readable only by its owner
      (umask 077). The file name carries the moment the dump's snapshot was taken: the
      point in time the files are restored to.

  backup.py restore --dump FILE --database-url URL --bucket NAME
      Restores the dump into URL (an existing, empty database owned by the app's role: no
      CREATEDB needed) and copies the files of AWARDS_S3_BUCKET as they were at the dump's
      time into the empty bucket NAME (S3 object versions). Refuses to write into the
      production database (AWARDS_DATABASE_URL) or bucket (AWARDS_S3_BUCKET,
      AWARDS_PRODUCTION_BUCKET). Then point the restored instance's AWARDS_DATABASE_URL and
      AWARDS_S3_BUCKET at URL and NAME.

Exit status 0 on success, 1 on any failure (with a message on stderr).
"""
import argparse
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STAMP = "%Y%m%dT%H%M%SZ"
DUMP_NAME = re.compile(r"awards-(\d{8}T\d{6}Z)\.dump$")


class Refused(Exception):
    pass


def libpq_url(url, database=None):
    """The app's SQLAlchemy URL as libpq (pg_dump, psql) understands it."""
    scheme, rest = url.split("://", 1)
    if not scheme.startswith("postgresql"):
        raise Refused(f"not a PostgreSQL URL: {scheme}://…")
    parts = urlsplit("postgresql://" + rest)
    path = f"/{database}" if database else parts.path
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def same_database(a, b):
    pa, pb = urlsplit(libpq_url(a)), urlsplit(libpq_url(b))
    return (pa.hostname or "localhost", pa.port or 5432, pa.path) == (
        pb.hostname or "localhost", pb.port or 5432, pb.path)


def dump(url, out_dir, now=None):
    """Write a custom-format dump readable only by its owner; returns (path, time)."""
    taken_at = (now or datetime.now(UTC)).replace(microsecond=0)
    out = Path(out_dir)
    old_umask = os.umask(0o077)
    try:
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"awards-{taken_at.strftime(STAMP)}.dump"
        partial = target.with_suffix(".dump.partial")
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                        "--dbname", libpq_url(url), "--file", str(partial)], check=True)
        os.chmod(partial, 0o600)
        partial.replace(target)
    finally:
        os.umask(old_umask)
    return target, taken_at


def dump_time(path):
    match = DUMP_NAME.search(str(path))
    if not match:
        raise Refused(f"{path}: the name does not carry the dump's time (awards-YYYYMMDDTHHMMSSZ.dump)")
    return datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC)


def restore_database(dump_path, url):
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                    "--exit-on-error", "--dbname", libpq_url(url), str(dump_path)], check=True)


def s3_client():
    import boto3

    return boto3.client("s3", region_name=os.environ.get("AWARDS_S3_REGION"),
                        endpoint_url=os.environ.get("AWARDS_S3_ENDPOINT_URL") or None)


def restore(dump_path, url, bucket, env=os.environ):
    from awards.adapters.backup import restore_bucket_at

    production_url = env.get("AWARDS_DATABASE_URL")
    if production_url and same_database(url, production_url):
        raise Refused("the target database is the production database (AWARDS_DATABASE_URL)")
    source = env.get("AWARDS_S3_BUCKET")
    if not source:
        raise Refused("AWARDS_S3_BUCKET (the production bucket to restore from) is not set")
    if bucket in {source, env.get("AWARDS_PRODUCTION_BUCKET")}:
        raise Refused(f"the target bucket {bucket!r} is the production bucket")
    when = dump_time(dump_path)
    restore_database(dump_path, url)
    copied, skipped = restore_bucket_at(client=s3_client(), source=source, target=bucket, when=when)
    return when, copied, skipped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_dump = sub.add_parser("dump", help="pg_dump into a protected file")
    p_dump.add_argument("--out-dir", required=True)
    p_restore = sub.add_parser("restore", help="restore database and files at the dump's time")
    p_restore.add_argument("--dump", required=True)
    p_restore.add_argument("--database-url", required=True)
    p_restore.add_argument("--bucket", required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "dump":
            url = os.environ.get("AWARDS_DATABASE_URL")
            if not url:
                raise Refused("AWARDS_DATABASE_URL is not set")
            path, taken_at = dump(url, args.out_dir)
            print(f"{path} (Stand {taken_at:%Y-%m-%d %H:%M:%S} UTC)")
        else:
            from awards.adapters.backup import BackupError

            try:
                when, copied, skipped = restore(args.dump, args.database_url, args.bucket)
            except BackupError as exc:
                raise Refused(str(exc)) from exc
            print(f"Datenbank wiederhergestellt; {copied} Dateien im Stand vom "
                  f"{when:%Y-%m-%d %H:%M:%S} UTC nach {args.bucket} kopiert "
                  f"({skipped} damals nicht vorhanden).")
            print(f"Für die wiederhergestellte Instanz: AWARDS_DATABASE_URL=<{args.database_url.split('@')[-1]}> "
                  f"AWARDS_S3_BUCKET={args.bucket}")
    except Refused as exc:
        print(f"Abgebrochen: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"Abgebrochen: {exc.cmd[0]} endete mit Status {exc.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
