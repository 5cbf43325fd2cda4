"""How webhooks are delivered: the settings of API.md, *Notifications*, read once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from negotiation.domain.retries import DEFAULT_DELAYS, RetrySchedule


@dataclass(frozen=True)
class WebhookSettings:
    allow_private_urls: bool = False
    timeout_seconds: float = 10.0
    schedule: RetrySchedule = field(default_factory=lambda: RetrySchedule.of_seconds(
        DEFAULT_DELAYS))
    # Deliveries in flight at once per worker process, and to any one endpoint: a slow
    # or silent receiver holds at most its share, never the others' turns.
    concurrency: int = 16
    per_endpoint_concurrency: int = 4
    # How often ``worker`` sweeps; deliveries and notices are looked for every second.
    sweep_interval_seconds: float = 60.0

    @property
    def lease(self) -> timedelta:
        """How long a taken delivery is another worker's to leave alone: longer than a
        POST may take (connect and read timeouts, the answer's excerpt), with room to
        record the outcome. A worker that died holding one loses it after this."""
        return timedelta(seconds=3 * self.timeout_seconds + 30)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WebhookSettings:
        defaults = cls()
        delays = config.get("WEBHOOK_RETRY_SCHEDULE")
        return cls(
            allow_private_urls=_flag(config.get("WEBHOOK_ALLOW_PRIVATE_URLS", False)),
            timeout_seconds=_positive("WEBHOOK_TIMEOUT_SECONDS",
                                      config.get("WEBHOOK_TIMEOUT_SECONDS",
                                                 defaults.timeout_seconds)),
            schedule=defaults.schedule if delays is None else _schedule(delays),
            concurrency=int(_positive("WEBHOOK_CONCURRENCY",
                                      config.get("WEBHOOK_CONCURRENCY", defaults.concurrency))),
            per_endpoint_concurrency=int(_positive(
                "WEBHOOK_PER_ENDPOINT_CONCURRENCY",
                config.get("WEBHOOK_PER_ENDPOINT_CONCURRENCY",
                           defaults.per_endpoint_concurrency))),
            sweep_interval_seconds=_positive(
                "WORKER_SWEEP_INTERVAL_SECONDS",
                config.get("WORKER_SWEEP_INTERVAL_SECONDS", defaults.sweep_interval_seconds)))


def _flag(value: Any) -> bool:
    # From the environment a flag may come as text ("true", "1", "yes").
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _positive(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of seconds, not {value!r}") from None
    if not number > 0:
        raise ValueError(f"{name} must be positive, not {value!r}")
    return number


def _schedule(value: Any) -> RetrySchedule:
    """Delays in seconds: a list, or text such as ``"5,300,1800"``."""
    if isinstance(value, str):
        value = [part for part in value.replace(" ", "").split(",") if part]
    if isinstance(value, (int, float)):
        value = [value]
    try:
        return RetrySchedule.of_seconds([float(v) for v in value])
    except (TypeError, ValueError) as err:
        raise ValueError(f"WEBHOOK_RETRY_SCHEDULE: {err}") from None
