"""The one place the service reads the time.

Everything else receives ``now`` from a clock handed to ``create_app``, so a test can
freeze time, move it, and watch every deadline, expiry and sweep follow.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

# Instants outside these years are no order's times, and date arithmetic near the
# calendar's ends would overflow: the API and the forms refuse them alike.
EARLIEST_YEAR, LATEST_YEAR = 1970, 9000


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware_utc(at)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> datetime:
        self._at += delta
        return self._at

    def set(self, at: datetime) -> datetime:
        self._at = _aware_utc(at)
        return self._at


def iso_utc(at: datetime) -> str:
    """An instant as the API writes it: ISO 8601 in UTC with ``Z``."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _aware_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("FrozenClock needs a timezone-aware datetime")
    return at.astimezone(UTC)


def seconds_until_wall_time(epoch_seconds: float) -> int:
    """Whole seconds from now until an instant of the machine's wall clock, at least 1.

    For libraries that count in the wall clock (the rate limiter's windows live in its
    storage, shared by every process): the service's own rules read the injected clock.
    """
    return max(1, math.ceil(epoch_seconds - time.time()))
