"""What the rules read of a store, an order, a card and a negotiation.

The SQLAlchemy models have these attributes, and so do the plain fakes of the unit tests:
the rules never need more than the attributes, so they never need the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from negotiation.domain.enums import CardState, NegotiationState, OrderKind, OrderStatus


class StoreLike(Protocol):
    negotiation_enabled: bool


class OrderLike(Protocol):
    store_id: int
    buyer_id: int
    kind: OrderKind
    status: OrderStatus
    original_ship_by: datetime
    ship_by: datetime
    ship_by_source: Any
    reported_ship_by: datetime | None
    extended_ship_by: datetime | None
    shipped_at: datetime | None


class CardLike(Protocol):
    seq: int
    state: CardState
    proposed_ship_by: datetime
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    expiry_noticed_at: datetime | None


class NegotiationLike(Protocol):
    state: NegotiationState
    cards: list[Any]
