"""What the notification use cases answer: plain values, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class EndpointView:
    id: int
    store_id: int | None
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime
    secret: str | None = None  # only when just made, or just rotated
    previous_secret_retires_at: datetime | None = None

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, now: datetime,
           secret: str | None = None) -> EndpointView:
        retiring = [s.retires_at for s in endpoint.secrets
                    if s.retires_at is not None and s.retires_at > now]
        return cls(endpoint.id, endpoint.store_id, endpoint.url, list(endpoint.event_types),
                   endpoint.description, endpoint.enabled, endpoint.disabled_reason,
                   endpoint.created_at, endpoint.updated_at, secret,
                   max(retiring) if retiring else None)


@dataclass(frozen=True)
class AttemptView:
    attempt: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    response: str

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> AttemptView:
        return cls(attempt.number, attempt.at, attempt.status_code, attempt.latency_ms,
                   attempt.error, attempt.response_excerpt)


@dataclass(frozen=True)
class DeliveryView:
    """A delivery as its latest attempt left it, with every attempt."""

    id: int
    event_id: int
    event_type: str
    state: str
    attempt: int  # attempts made so far
    at: datetime | None  # of the latest attempt
    status_code: int | None
    latency_ms: int | None
    error: str | None
    response: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    attempts: list[AttemptView]

    @classmethod
    def of(cls, delivery: WebhookDelivery, event_type: str,
           attempts: list[WebhookAttempt]) -> DeliveryView:
        last = attempts[-1] if attempts else None
        return cls(
            delivery.id, delivery.event_id, event_type, delivery.state, delivery.attempts,
            last.at if last else None, last.status_code if last else None,
            last.latency_ms if last else None, last.error if last else None,
            last.response_excerpt if last else None,
            delivery.next_attempt_at if delivery.state == "pending" else None,
            delivery.created_at, [AttemptView.of(a) for a in attempts])
