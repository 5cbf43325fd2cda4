"""When a failed webhook delivery is tried again, and when it is given up.

Exponential back-off with jitter: the n-th failure waits the n-th delay of the schedule,
stretched by up to ``jitter`` of itself at random, so that the deliveries of a receiver
that was down do not all come back at the same instant. The jitter only ever adds, so the
schedule's total is the least time a delivery is retried for. After the last delay's
failure the delivery is given up (and its endpoint disabled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: ten attempts over at least 3 days
# and 3 hours — a receiver down for a whole day (and its weekend's Monday) misses nothing.
DEFAULT_DELAYS = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
DEFAULT_JITTER = 0.2


@dataclass(frozen=True)
class RetrySchedule:
    delays: tuple[timedelta, ...]
    jitter: float = DEFAULT_JITTER

    @classmethod
    def of_seconds(cls, seconds: Sequence[float], jitter: float = DEFAULT_JITTER
                   ) -> RetrySchedule:
        if not seconds or any(s <= 0 for s in seconds):
            raise ValueError("a retry schedule is one or more positive delays in seconds")
        if not 0 <= jitter <= 1:
            raise ValueError("the jitter is a share of each delay, between 0 and 1")
        return cls(tuple(timedelta(seconds=s) for s in seconds), jitter)

    @property
    def attempts(self) -> int:
        """How many times a delivery is tried in all: once, then once per delay."""
        return len(self.delays) + 1

    @property
    def least_total(self) -> timedelta:
        """The least time from the first attempt to the last."""
        return sum(self.delays, timedelta(0))

    def next_attempt(self, failures: int, now: datetime,
                     random: Callable[[], float]) -> datetime | None:
        """When to try again after the ``failures``-th failure in a row; None: give up.

        ``random`` returns a float in [0, 1), as ``random.random`` does.
        """
        if failures > len(self.delays):
            return None
        delay = self.delays[failures - 1]
        return now + delay * (1 + self.jitter * random())
