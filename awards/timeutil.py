"""Times are stored in UTC and entered/shown in Europe/Berlin."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def to_berlin(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(BERLIN)


def from_berlin(local):
    """A naive wall-clock time in Berlin -> aware UTC (DST handled by zoneinfo)."""
    if local is None:
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=BERLIN)
    return local.astimezone(timezone.utc)


def utc(year, month, day, hour=0, minute=0, second=0):
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
