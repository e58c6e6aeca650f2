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


def parse_money(text):
    """'4.000', '4000 €', '500,50' -> cents (German notation, as the money fields show it:
    awards.i18n.format_money_input). Raises ValueError on anything else."""
    cleaned = (text or "").replace("€", "").replace(" ", "").strip()
    if not cleaned:
        raise ValueError("empty")
    if "," in cleaned:
        whole, _, frac = cleaned.partition(",")
    else:
        whole, frac = cleaned, ""
    whole = whole.replace(".", "")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise ValueError(text)
    return int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)


def utc(year, month, day, hour=0, minute=0, second=0):
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
