"""Point-in-time restore of the file store from S3 object versions.

The production bucket has versioning switched on, so every file's earlier states are kept
(until the lifecycle rule expires them). To restore files to the moment of a database dump,
each key's newest version at or before that moment is copied into another, empty bucket;
keys that did not exist then, or were deleted by then, are left out. The source bucket is
only read.
"""
from datetime import datetime


class BackupError(Exception):
    """The restore cannot be done as asked; nothing or only part was copied (message says)."""


def s3_client(config):
    import boto3

    return boto3.client("s3", region_name=config.get("S3_REGION"),
                        endpoint_url=config.get("S3_ENDPOINT_URL"))


def versions_at(*, client, bucket, when):
    """{key: version id} of every file as it was at `when` (aware datetime)."""
    newest = {}  # key -> (last modified, version id or None for a delete marker)
    paginator = client.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        entries = [(v, False) for v in page.get("Versions", [])]
        entries += [(m, True) for m in page.get("DeleteMarkers", [])]
        for entry, is_delete in entries:
            modified = entry["LastModified"]
            if modified > when:
                continue
            known = newest.get(entry["Key"])
            if known is None or modified > known[0] or (modified == known[0] and is_delete):
                newest[entry["Key"]] = (modified, None if is_delete else entry["VersionId"])
    return {key: version for key, (_when, version) in newest.items() if version is not None}


def restore_bucket_at(*, client, source, target, when: datetime):
    """Copy the files of `source` as they were at `when` into the empty bucket `target`.

    Returns (copied, skipped): skipped counts keys that exist in the source now but did not
    exist (or were deleted) at `when`."""
    from botocore.exceptions import BotoCoreError, ClientError

    if source == target:
        raise BackupError("Quelle und Ziel sind derselbe Bucket.")
    try:
        status = client.get_bucket_versioning(Bucket=source).get("Status")
        if status != "Enabled":
            raise BackupError(f"Im Bucket {source} ist die Versionierung nicht eingeschaltet: "
                              "frühere Stände gibt es nicht.")
        if client.list_objects_v2(Bucket=target, MaxKeys=1).get("KeyCount", 0):
            raise BackupError(f"Der Ziel-Bucket {target} ist nicht leer; eine Wiederherstellung "
                              "schreibt nur in einen leeren Bucket.")
        chosen = versions_at(client=client, bucket=source, when=when)
        current = set()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=source):
            current.update(obj["Key"] for obj in page.get("Contents", []))
        for key, version in sorted(chosen.items()):
            client.copy_object(Bucket=target, Key=key,
                               CopySource={"Bucket": source, "Key": key, "VersionId": version})
    except (BotoCoreError, ClientError) as exc:
        raise BackupError(f"S3: {exc}") from exc
    return len(chosen), len(current - set(chosen))
