"""Instants for people: shown as Asia/Shanghai wall time, read back from form inputs.

Everything the services hand over is aware UTC (RULES.md §5); this module is the one
place the web layer turns it into local time and back, so no template does arithmetic.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE_NAME = "Asia/Shanghai"
ZONE = ZoneInfo(ZONE_NAME)

# What a browser's <input type="datetime-local"> submits (seconds appear when the
# page asks for a step below one minute), plus the space-separated form people type.
INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
INVALID_INPUT = "请输入有效的日期时间 Enter a valid date and time (YYYY-MM-DD HH:MM)."

# ISO instants as the rules write them into refusal details (always with an offset).
_ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d|Z)")


def parse_local(text: str) -> datetime:
    """A wall-clock time typed in Asia/Shanghai, as an aware UTC instant.

    Raises ValueError with a message fit to show next to the field.
    """
    for fmt in INPUT_FORMATS:
        try:
            local = datetime.strptime(text.strip(), fmt).replace(tzinfo=ZONE)
        except ValueError:
            continue
        return local.astimezone(UTC)
    raise ValueError(INVALID_INPUT)


def as_input(at: datetime | None) -> str:
    """The value a datetime-local input needs to show ``at`` in Asia/Shanghai."""
    return "" if at is None else at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def local(at: datetime | None) -> str:
    """``2026-11-22 08:00 Asia/Shanghai``: the zone is always named, never implied."""
    if at is None:
        return "—"
    return f"{at.astimezone(ZONE):%Y-%m-%d %H:%M} {ZONE_NAME}"


def remaining(until: datetime, now: datetime) -> str:
    """Time left until ``until``, whole minutes, counted down from the app's clock."""
    seconds = int((until - now).total_seconds())
    if seconds <= 0:
        return "已到期 expired"
    if seconds < 60:
        return "不到 1 分钟 less than a minute remaining"
    hours, rest = divmod(seconds, 3600)
    return f"还剩 {hours} 小时 {rest // 60} 分 remaining"


def waited(seconds: int) -> str:
    """How long something has waited, to the minute: ``等待 2 天 3 小时 · waited 2 d 3 h``.

    Days and hours once it is a day or more, hours and minutes below that.
    """
    minutes = max(int(seconds), 0) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"等待 {days} 天 {hours} 小时 · waited {days} d {hours} h"
    if hours:
        return f"等待 {hours} 小时 {minutes} 分 · waited {hours} h {minutes} min"
    return f"等待 {minutes} 分 · waited {minutes} min"


def day_start(day: date) -> datetime:
    """The instant a calendar day begins in Asia/Shanghai, as aware UTC."""
    return datetime.combine(day, time(0), tzinfo=ZONE).astimezone(UTC)


def day_after(day: date) -> datetime:
    """The instant the calendar day after ``day`` begins in Asia/Shanghai: the end of
    ``day`` for a range that includes it."""
    return day_start(day + timedelta(days=1))


def localize_text(text: str) -> str:
    """Rewrite the ISO instants inside a rule's message into Asia/Shanghai time."""

    def replace(match: re.Match[str]) -> str:
        try:
            return local(datetime.fromisoformat(match.group(0).replace("Z", "+00:00")))
        except ValueError:
            return match.group(0)

    return _ISO_INSTANT.sub(replace, text)
