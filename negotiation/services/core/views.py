"""What the use cases hand back: plain, read-only values the API and the forms both show.

Built while the session is open, so nothing downstream can trigger a lazy load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from models import Account, ApiKey, Card, Event, Order, Shipment, Store
from negotiation.domain.deadlines import is_met
from negotiation.domain.errors import DomainError

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class StoreView:
    id: int
    name: str
    region: str | None
    handling_hours: int
    handling_working_days: int | None
    negotiation_enabled: bool
    flagged_for_review: bool

    @classmethod
    def of(cls, store: Store, *, flagged: bool) -> StoreView:
        return cls(store.id, store.name, store.region, store.handling_hours,
                   store.handling_working_days, store.negotiation_enabled, flagged)


@dataclass(frozen=True)
class AccountView:
    id: int | None
    role: str
    name: str
    store_id: int | None
    token: str | None = None  # only when just issued

    @classmethod
    def of(cls, account: Account, token: str | None = None) -> AccountView:
        return cls(account.id, account.role.value, account.name, account.store_id, token)


@dataclass(frozen=True)
class ApiKeyView:
    id: int
    account_id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    key: str | None = None  # only when just issued

    @classmethod
    def of(cls, api_key: ApiKey, key: str | None = None) -> ApiKeyView:
        return cls(api_key.id, api_key.account_id, api_key.name, api_key.created_at,
                   api_key.expires_at, api_key.last_used_at, api_key.revoked_at, key)


@dataclass(frozen=True)
class OrderView:
    order_no: str
    store_id: int
    buyer_id: int
    kind: str
    ship_mode: str
    region: str | None
    amount: Decimal
    status: str
    paid_at: datetime
    original_ship_by: datetime
    ship_by: datetime
    ship_by_source: str
    shipped_at: datetime | None
    negotiation_state: str
    reported_ship_by: datetime | None
    covered_by_report: bool
    extended_ship_by: datetime | None
    collect_by: datetime | None
    product_id: str | None
    closed_at: datetime | None

    @classmethod
    def of(cls, order: Order) -> OrderView:
        return cls(order.order_no, order.store_id, order.buyer_id, order.kind.value,
                   order.ship_mode.value, order.region, order.amount, order.status.value,
                   order.paid_at, order.original_ship_by, order.ship_by,
                   order.ship_by_source.value, order.shipped_at,
                   order.negotiation.state.value, order.reported_ship_by,
                   bool(order.covered_by_report), order.extended_ship_by, order.collect_by,
                   order.product_id, order.closed_at)


@dataclass(frozen=True)
class CardView:
    id: int
    order_no: str
    seq: int
    state: str
    proposed_ship_by: datetime
    reason: str
    remark: str
    sent_by: int | None
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    buyer_note: str | None
    preferred_ship_by: datetime | None

    @classmethod
    def of(cls, card: Card, order_no: str) -> CardView:
        return cls(card.id, order_no, card.seq, card.state.value, card.proposed_ship_by,
                   card.reason.value, card.remark, card.sent_by, card.sent_at,
                   card.expires_at, card.answered_at, card.buyer_note, card.preferred_ship_by)


@dataclass(frozen=True)
class ActionView:
    allowed: bool
    reason: str | None
    detail: str | None
    # When allowed, the instants that bound it (``eligibility.action_limits``).
    earliest: datetime | None = None
    latest: datetime | None = None
    send_before: datetime | None = None
    until: datetime | None = None

    @classmethod
    def of(cls, refusal: DomainError | None,
           limits: dict[str, datetime] | None = None) -> ActionView:
        if refusal is None:
            return cls(True, None, None, **(limits or {}))
        return cls(False, refusal.code, refusal.detail)


@dataclass(frozen=True)
class NegotiationView:
    order_no: str
    state: str
    cards_used: int
    cards_left: int
    cards: list[CardView]
    agreed_ship_by: datetime | None
    actions: dict[str, ActionView]
    order: OrderView


@dataclass(frozen=True)
class ShipmentView:
    id: int
    order_no: str
    carrier: str
    tracking_no: str
    shipped_at: datetime
    late: bool

    @classmethod
    def of(cls, shipment: Shipment, order: Order) -> ShipmentView:
        return cls(shipment.id, order.order_no, shipment.carrier, shipment.tracking_no,
                   shipment.shipped_at, not is_met(shipment.shipped_at, order.ship_by))


@dataclass(frozen=True)
class EventView:
    id: int
    order_no: str | None  # None: an event of no order (an endpoint, a key)
    at: datetime
    actor: str
    type: str
    data: dict[str, Any]

    @classmethod
    def of(cls, event: Event, order_no: str | None) -> EventView:
        return cls(event.id, order_no, event.at, event.actor, event.type, event.data)
