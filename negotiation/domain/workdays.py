"""Calendar days where the platform counts them: the working days of seed 003 and the
day of the daily deduction cap (seed 004), both in the policy's business zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from negotiation.domain.policy import Policy


def business_day(at: datetime, policy: Policy) -> date:
    """The calendar day an instant falls on where the platform counts days."""
    return at.astimezone(ZoneInfo(policy.business_zone)).date()


def is_working_day(day: date, policy: Policy) -> bool:
    return day.weekday() < 5 and day not in policy.holidays


def after_working_days(paid_at: datetime, days: int, policy: Policy) -> datetime:
    """The end of the ``days``-th working day after the day of payment (seed 003's
    "1 or 2 working days"): paid on Friday with 1 working day, ship by Monday midnight."""
    zone = ZoneInfo(policy.business_zone)
    day = paid_at.astimezone(zone).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, policy):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(), zone).astimezone(paid_at.tzinfo)
