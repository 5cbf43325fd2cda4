"""The worker's side of webhooks: take the deliveries that are due, and record what each
POST got.

A delivery is taken in one short transaction (a lease: see ``WebhookDelivery``), posted
with no transaction open, and its outcome recorded in another; so no database lock is
held while a receiver thinks, and a worker that dies mid-delivery leaves the delivery to
fall due again when its lease runs out. Only the lease's holder may record the outcome,
so one that comes too late is dropped, never recorded twice.

The worker runs both transactions on connections that commit without waiting for the
disk (``database.not_waiting_for_disk``): a lease or an outcome that a database crash
loses only means the delivery is sent again.
"""

from __future__ import annotations

import secrets as tokens
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from negotiation.adapters.sealing import Seal
from negotiation.adapters.webhook_repository import DELIVERED, FAILED, PENDING, Held
from negotiation.adapters.webhook_transport import Outcome
from negotiation.domain.caller import SYSTEM
from negotiation.domain.events import DomainEvent
from negotiation.services.core.settling import event_rows
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import EventView
from negotiation.services.notifications.settings import WebhookSettings

# Candidates looked at per delivery taken: room to pass over the endpoints already at
# their share of the worker's slots, and the rows another worker holds.
CANDIDATE_POOL = 4


@dataclass(frozen=True)
class Claim:
    """A delivery taken under a lease: what to POST, where, signed with what."""

    delivery_id: int
    token: str
    endpoint_id: int
    url: str
    secrets: tuple[str, ...]  # every secret that signs now: two during a rotation
    attempt: int  # the number this attempt will have
    failures: int  # failures in a row before it
    event: EventView


@dataclass(frozen=True)
class Settled:
    claim: Claim
    started_at: datetime
    outcome: Outcome


def claim_due(uow: UnitOfWork, settings: WebhookSettings, seal: Seal, *, limit: int,
              busy: Mapping[int, int] | None = None) -> list[Claim]:
    """Take up to ``limit`` due deliveries, at most ``per_endpoint_concurrency`` per
    endpoint counting the ``busy`` ones (endpoint id → deliveries in flight)."""
    busy = busy or {}
    share = settings.per_endpoint_concurrency
    with uow:
        full = [e for e, count in busy.items() if count >= share]
        taken: list[Held] = []
        counts = dict(busy)
        for delivery in uow.webhooks.due_deliveries(
                uow.now, limit * CANDIDATE_POOL, skip_locked=uow.skip_locked,
                exclude_endpoints=full):
            if counts.get(delivery.endpoint_id, 0) < share:
                counts[delivery.endpoint_id] = counts.get(delivery.endpoint_id, 0) + 1
                taken.append(delivery)
                if len(taken) == limit:
                    break
        if not taken:
            return []
        token = tokens.token_hex(16)  # one per turn: the worker holds them all alike
        uow.webhooks.lease([d.id for d in taken], token, until=uow.now + settings.lease)
        events = uow.webhooks.feed_rows([d.event_id for d in taken])
        signing = {endpoint_id: (url, _opened(sealed, seal)) for endpoint_id, (url, sealed)
                   in uow.webhooks.signing(sorted({d.endpoint_id for d in taken}),
                                           uow.now).items()}
        claims = [Claim(delivery.id, token, delivery.endpoint_id,
                        *signing[delivery.endpoint_id],
                        delivery.attempts + 1, delivery.failures,
                        EventView(*events[delivery.event_id]))
                  for delivery in taken]
        uow.commit()
        return claims


def record_outcomes(uow: UnitOfWork, settings: WebhookSettings,
                    results: Sequence[Settled], random: Callable[[], float]) -> None:
    """Record each attempt; schedule the next or give up; disable an endpoint whose
    delivery was given up, with an event its owner sees."""
    schedule = settings.schedule
    giving_up = sorted({r.claim.endpoint_id for r in results if not r.outcome.delivered
                        and r.claim.failures + 1 >= schedule.attempts})
    with uow:
        if giving_up:
            # An event is written: lost in a crash, a reader could have seen an id that
            # the database then hands to another event.
            uow.wait_for_disk_at_commit()
        # Endpoints before deliveries, as every use case that locks both takes them.
        endpoints = uow.webhooks.lock_to_disable(giving_up)
        held = uow.webhooks.leased([(r.claim.delivery_id, r.claim.token) for r in results])
        given_up: dict[int, Settled] = {}
        outcomes, attempts = [], []
        for result in results:
            delivery = held.get(result.claim.delivery_id)
            if delivery is None:
                continue  # its lease ran out and another worker has it now
            outcome = result.outcome
            number = delivery.attempts + 1
            attempts.append({
                "delivery_id": delivery.id, "number": number, "at": result.started_at,
                "status_code": outcome.status_code, "latency_ms": outcome.latency_ms,
                "error": outcome.error, "response_excerpt": outcome.excerpt})
            failures = delivery.failures + (not outcome.delivered)
            next_at = (None if outcome.delivered
                       else schedule.next_attempt(failures, uow.now, random))
            state = DELIVERED if outcome.delivered else PENDING if next_at else FAILED
            outcomes.append({"b_id": delivery.id, "b_state": state, "b_attempts": number,
                             "b_failures": failures, "b_next": next_at})
            if state == FAILED:
                given_up.setdefault(delivery.endpoint_id, result)
        uow.webhooks.record_outcomes(outcomes, attempts)
        for endpoint_id, result in given_up.items():
            endpoint = endpoints.get(endpoint_id)
            if endpoint is None or not endpoint.enabled:
                continue
            reason = _reason(result, settings)
            endpoint.enabled, endpoint.disabled_reason = False, reason
            endpoint.updated_at = uow.now
            uow.events.add(event_rows(None, endpoint.store_id, [DomainEvent(
                "webhook_endpoint.disabled", uow.now,
                {"endpoint_id": endpoint.id, "url": endpoint.url, "reason": reason,
                 "delivery_id": result.claim.delivery_id,
                 "event_id": result.claim.event.id}, SYSTEM)], None))
        uow.commit()


def _opened(sealed: Sequence[str], seal: Seal) -> tuple[str, ...]:
    """The secrets that sign now, opened (none when ``SECRET_KEY`` changed since they
    were sealed)."""
    opened = (seal.open(s) for s in sealed)
    return tuple(secret for secret in opened if secret is not None)


def _reason(result: Settled, settings: WebhookSettings) -> str:
    outcome = result.outcome
    last = outcome.error or f"HTTP {outcome.status_code}"
    return (f"Event {result.claim.event.id} could not be delivered in "
            f"{settings.schedule.attempts} attempts over at least "
            f"{_duration(settings.schedule.least_total.total_seconds())}; the last: {last}.")


def _duration(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"
