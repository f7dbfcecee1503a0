"""Windows time zone IDs (what Logic Apps accepts) mapped to IANA zones, and local/UTC tick conversion.

The mapping is CLDR's ``windowsZones`` table as shipped by Babel (``windows_zone_mapping``, territory
"001" entries), plus a few legacy Windows IDs that CLDR no longer lists. The rules themselves come from
``zoneinfo`` (with the ``tzdata`` package as the database), so historic and future DST transitions follow
IANA data rather than the Windows registry; the two agree for current rules.

Times are handled as .NET ticks (100 ns units since 0001-01-01T00:00:00), see ``dates/values.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global

TICKS_PER_SECOND = 10_000_000
TICKS_PER_MICROSECOND = 10
_EPOCH = datetime(1, 1, 1)

# Windows IDs still present on Windows but dropped from CLDR's table.
_LEGACY = {
    "Mid-Atlantic Standard Time": "Etc/GMT+2",
    "Kamchatka Standard Time": "Asia/Kamchatka",
    "Mexico Standard Time": "America/Mexico_City",
    "Mexico Standard Time 2": "America/Chihuahua",
    "Armenian Standard Time": "Asia/Yerevan",
}


class InvalidTimeError(ValueError):
    """A local time inside a DST gap (does not exist in the zone)."""


@lru_cache(maxsize=1)
def _windows_table() -> dict[str, tuple[str, str]]:
    """lower-case Windows ID -> (canonical Windows ID, IANA name)."""
    table = {}
    for win, iana in {**_LEGACY, **get_global("windows_zone_mapping")}.items():
        table[win.lower()] = (win, iana)
    return table


def windows_zone_ids() -> list[str]:
    return sorted(win for win, _ in _windows_table().values())


@lru_cache(maxsize=256)
def find_zone(zone_id: str) -> ZoneInfo | None:
    """The zone for a Windows time zone ID (case-insensitive, surrounding blanks ignored), or None."""
    entry = _windows_table().get(zone_id.strip().lower())
    if entry is None:
        return None
    try:
        return ZoneInfo(entry[1])
    except ZoneInfoNotFoundError:  # pragma: no cover - tzdata always has the CLDR targets
        return None


def _to_datetime(ticks: int) -> tuple[datetime, int]:
    """Naive datetime (microsecond precision) and the leftover sub-microsecond ticks."""
    micro, rest = divmod(ticks, TICKS_PER_MICROSECOND)
    return _EPOCH + timedelta(microseconds=micro), rest


def _offset_ticks(delta: timedelta | None) -> int:
    return round((delta or timedelta(0)).total_seconds() * TICKS_PER_SECOND)


def utc_offset_ticks_at_utc(zone: ZoneInfo, utc_ticks: int) -> int:
    """The zone's UTC offset (in ticks) at a UTC instant."""
    dt, _ = _to_datetime(utc_ticks)
    try:
        local = dt.replace(tzinfo=timezone.utc).astimezone(zone)
    except OverflowError:  # the very ends of the calendar: use the offset a day inside
        shift = timedelta(days=1) if dt.year == 1 else -timedelta(days=1)
        local = (dt + shift).replace(tzinfo=timezone.utc).astimezone(zone)
    return _offset_ticks(local.utcoffset())


def utc_to_local(zone: ZoneInfo, utc_ticks: int) -> int:
    return utc_ticks + utc_offset_ticks_at_utc(zone, utc_ticks)


def local_to_utc(zone: ZoneInfo, local_ticks: int) -> int:
    """Like .NET ``TimeZoneInfo.ConvertTimeToUtc``: an ambiguous time (DST fall-back) is read as
    standard time; a time in a DST gap raises :class:`InvalidTimeError`."""
    dt, _ = _to_datetime(local_ticks)
    candidates = []
    for fold in (0, 1):
        off = _offset_ticks(zone.utcoffset(dt.replace(fold=fold)))
        utc = local_ticks - off
        if utc_to_local(zone, utc) == local_ticks:
            dst = zone.dst(dt.replace(fold=fold)) or timedelta(0)
            candidates.append((dst != timedelta(0), utc))
    if not candidates:
        raise InvalidTimeError(
            "The supplied DateTime represents an invalid time. For example, when the clock is adjusted "
            "forward, any time in the period that is skipped is invalid."
        )
    candidates.sort()  # standard time (dst False) first
    return candidates[0][1]


@lru_cache(maxsize=256)
def is_utc_like(zone: ZoneInfo) -> bool:
    """Same rules as UTC: offset 0 and no DST (what .NET's ``HasSameRules(Utc)`` accepts)."""
    for year in (1990, 2010, 2024):
        for month in (1, 7):
            probe = datetime(year, month, 1, tzinfo=timezone.utc).astimezone(zone)
            if probe.utcoffset() != timedelta(0):
                return False
    return True
