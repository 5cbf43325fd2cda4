"""An endpoint's deliveries as its owner sees them: every attempt, a retry now, a replay."""

from __future__ import annotations

from datetime import datetime, timedelta

from negotiation.adapters.webhook_repository import PENDING
from negotiation.domain.caller import Caller
from negotiation.domain.errors import InvalidInput, NotFound
from negotiation.services.core import pagination
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import Page
from negotiation.services.notifications.endpoints import endpoint_for
from negotiation.services.notifications.views import DeliveryView

# Further back than this a replay would resend more than any receiver wants at once.
REPLAY_HORIZON = timedelta(days=30)


def list_deliveries(uow: UnitOfWork, caller: Caller, endpoint_id: int, *, limit: int,
                    cursor: str | None = None, state: str | None = None,
                    event_id: int | None = None) -> Page[DeliveryView]:
    """Newest first, each with every attempt made at it."""
    before_id = pagination.decode_id(cursor)
    with uow:
        endpoint_for(uow, caller, endpoint_id)
        rows = list(uow.webhooks.deliveries(endpoint_id, before_id=before_id,
                                            limit=limit + 1, state=state, event_id=event_id))
        more = len(rows) > limit
        rows = rows[:limit]
        attempts = uow.webhooks.attempts_of([d.id for d, _ in rows])
        return Page([DeliveryView.of(d, t, attempts[d.id]) for d, t in rows],
                    pagination.encode_id(rows[-1][0].id) if more else None)


def retry_delivery(uow: UnitOfWork, caller: Caller, endpoint_id: int,
                   delivery_id: int) -> DeliveryView:
    """Due now, whatever its state, with the whole retry schedule ahead of it again."""
    with uow:
        endpoint_for(uow, caller, endpoint_id, lock=True)
        delivery = uow.webhooks.delivery(endpoint_id, delivery_id, lock=True)
        if delivery is None:
            raise NotFound(f"No delivery {delivery_id} to webhook endpoint {endpoint_id}.")
        delivery.state, delivery.failures = PENDING, 0
        delivery.next_attempt_at, delivery.lease_token = uow.now, None
        uow.commit()
        attempts = uow.webhooks.attempts_of([delivery.id])[delivery.id]
        return DeliveryView.of(delivery, uow.webhooks.event_type(delivery.event_id), attempts)


def replay_since(uow: UnitOfWork, caller: Caller, endpoint_id: int, since: datetime) -> int:
    """Send again every event since ``since`` the endpoint subscribes to; how many."""
    with uow:
        endpoint = endpoint_for(uow, caller, endpoint_id, lock=True)
        if since > uow.now:
            raise InvalidInput("since is in the future: nothing happened after it yet.",
                               field="since")
        if since < uow.now - REPLAY_HORIZON:
            raise InvalidInput(f"since may be at most {REPLAY_HORIZON.days} days ago; the "
                               "change feed (GET /api/v1/events) reads further back.",
                               field="since")
        queued = uow.webhooks.requeue_since(endpoint, since, uow.now)
        uow.commit()
        return queued

