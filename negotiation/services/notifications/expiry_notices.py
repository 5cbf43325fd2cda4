"""``card.expiring_soon``: the buyer (and the seller) told a card lapses soon, once per
card, by the worker. Recorded like every event, so it reaches the feed, the webhooks
and the inbox by the one path."""

from __future__ import annotations

from collections.abc import Callable

from negotiation.domain import negotiating
from negotiation.services.core.settling import event_rows
from negotiation.services.core.unit_of_work import UnitOfWork

BATCH_SIZE = 500


def notify_expiring_cards(new_uow: Callable[[], UnitOfWork], *,
                          batch_size: int = BATCH_SIZE) -> int:
    """Record the notice for every card now within its lead; how many were recorded."""
    noticed = 0
    while True:
        with new_uow() as uow:
            found = uow.orders.cards_expiring_soon(uow.now, uow.policy.expiry_notice_lead,
                                                 batch_size, skip_locked=uow.skip_locked)
            for card, order_id, store_id in found:
                notice = negotiating.expiring_soon(card, uow.now, uow.policy)
                if notice is not None:
                    uow.events.add(event_rows(order_id, store_id, [notice], None))
                    noticed += 1
            uow.commit()
        if len(found) < batch_size:
            return noticed
