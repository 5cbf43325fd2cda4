"""Sending a card and answering it on PostgreSQL: one locking read, one read of the order
as plain values, and one statement writing every change.

These are the calls a chat tool makes most. The ORM's unit of work costs them several
times the database work they do (docs/performance.md), so here the rules run over plain
records and the changes go out in one data-modifying ``WITH``. Anything else — an order
with something due, SQLite, every other use case — goes the ORM's way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from models import Card, Negotiation, Order, Store
from negotiation.domain.enums import (
    CardReason,
    CardState,
    NegotiationState,
    OrderKind,
    OrderStatus,
    ShipBySource,
)


@dataclass
class StoreRecord:
    negotiation_enabled: bool


@dataclass
class CardRecord:
    seq: int
    state: CardState
    proposed_ship_by: datetime
    reason: CardReason
    remark: str
    sent_by: int | None
    sent_at: datetime
    expires_at: datetime
    id: int = 0
    answered_at: datetime | None = None
    buyer_note: str | None = None
    preferred_ship_by: datetime | None = None


@dataclass
class NegotiationRecord:
    id: int
    state: NegotiationState
    cards: list[CardRecord] = field(default_factory=list)


@dataclass
class OrderRecord:
    """What the negotiation rules read of an order, as the ORM's ``Order`` offers it."""

    id: int
    order_no: str
    store_id: int
    buyer_id: int
    kind: OrderKind
    status: OrderStatus
    original_ship_by: datetime
    ship_by: datetime
    ship_by_source: ShipBySource
    reported_ship_by: datetime | None
    extended_ship_by: datetime | None
    shipped_at: datetime | None
    assess_at: datetime | None
    store: StoreRecord
    negotiation: NegotiationRecord


_O, _S, _N, _C = (Order.__table__.c, Store.__table__.c, Negotiation.__table__.c,
                  Card.__table__.c)
_ORDER_COLUMNS = (_O.id, _O.order_no, _O.store_id, _O.buyer_id, _O.kind, _O.status,
                  _O.original_ship_by, _O.ship_by, _O.ship_by_source, _O.reported_ship_by,
                  _O.extended_ship_by, _O.shipped_at, _O.assess_at)
_CARD_COLUMNS = (_C.seq, _C.state, _C.proposed_ship_by, _C.reason, _C.remark, _C.sent_by,
                 _C.sent_at, _C.expires_at, _C.id, _C.answered_at, _C.buyer_note,
                 _C.preferred_ship_by)
_LOAD = (select(*_ORDER_COLUMNS, _S.negotiation_enabled, _N.id, _N.state, *_CARD_COLUMNS)
         .select_from(Order.__table__.join(Store.__table__, _S.id == _O.store_id)
                      .join(Negotiation.__table__, _N.order_id == _O.id)
                      .outerjoin(Card.__table__, _C.negotiation_id == _N.id))
         .order_by(_C.seq))

# Locking for a proposal also reserves the new card's id, so its event can name it.
_LOCK_FOR_PROPOSAL = text(
    "SELECT id, nextval(pg_get_serial_sequence('cards', 'id')) FROM orders "
    "WHERE order_no = :order_no FOR UPDATE")
_LOCK_FOR_ANSWER = text(
    "SELECT orders.id FROM orders JOIN negotiations ON negotiations.order_id = orders.id "
    "JOIN cards ON cards.negotiation_id = negotiations.id WHERE cards.id = :card_id "
    "FOR UPDATE OF orders")

_EVENTS = ("INSERT INTO events (order_id, at, actor, type, data) "
           "SELECT order_id, at, actor, type, data FROM json_to_recordset(CAST(:events AS json))"
           " AS e(order_id integer, at timestamptz, actor text, type text, data json)")
_SEND = text(
    "WITH card AS (INSERT INTO cards (id, negotiation_id, seq, state, proposed_ship_by, "
    "reason, remark, sent_by, sent_at, expires_at) VALUES (:card_id, :negotiation_id, :seq, "
    ":card_state, :proposed_ship_by, :reason, :remark, :sent_by, :sent_at, :expires_at)), "
    "negotiation AS (UPDATE negotiations SET state = :negotiation_state "
    "WHERE id = :negotiation_id) " + _EVENTS)
_ANSWER = text(
    "WITH card AS (UPDATE cards SET state = :card_state, answered_at = :answered_at, "
    "buyer_note = :buyer_note, preferred_ship_by = :preferred_ship_by WHERE id = :card_id), "
    "negotiation AS (UPDATE negotiations SET state = :negotiation_state "
    "WHERE id = :negotiation_id), "
    "moved AS (UPDATE orders SET ship_by = :ship_by, ship_by_source = :ship_by_source "
    "WHERE id = :order_id AND (ship_by, ship_by_source) IS DISTINCT FROM "
    "(:ship_by, :ship_by_source)) " + _EVENTS)


class CardHotPath:
    def __init__(self, session: Session) -> None:
        self.session = session

    @classmethod
    def on(cls, session: Session) -> CardHotPath | None:
        """The hot path of a PostgreSQL session; None elsewhere (its SQL is PostgreSQL's)."""
        return cls(session) if session.get_bind().dialect.name == "postgresql" else None

    def locked_for_proposal(self, order_no: str) -> tuple[OrderRecord, int] | None:
        """The locked order, and an id reserved for the card it may be sent."""
        locked = self.session.execute(_LOCK_FOR_PROPOSAL, {"order_no": order_no}).first()
        return None if locked is None else (self._read(locked[0]), int(locked[1]))

    def locked_for_answer(self, card_id: int) -> OrderRecord | None:
        """The locked order of a card."""
        order_id = self.session.execute(_LOCK_FOR_ANSWER, {"card_id": card_id}).scalar()
        return None if order_id is None else self._read(order_id)

    def _read(self, order_id: int) -> OrderRecord:
        # Read after locking, in a statement of its own, as on the ORM's path: a statement
        # that waited for the lock would still see the cards from before the change it
        # waited for.
        return _order_of(self.session.execute(_LOAD.where(_O.id == order_id)).all())

    def send(self, order: OrderRecord, card: CardRecord, events: list[dict[str, Any]]) -> None:
        self.session.execute(_SEND, {
            "card_id": card.id, "negotiation_id": order.negotiation.id, "seq": card.seq,
            "card_state": card.state.value, "proposed_ship_by": card.proposed_ship_by,
            "reason": card.reason.value, "remark": card.remark, "sent_by": card.sent_by,
            "sent_at": card.sent_at, "expires_at": card.expires_at,
            "negotiation_state": order.negotiation.state.value, "events": _json(events)})

    def answer(self, order: OrderRecord, card: CardRecord,
               events: list[dict[str, Any]]) -> None:
        self.session.execute(_ANSWER, {
            "card_id": card.id, "card_state": card.state.value, "answered_at": card.answered_at,
            "buyer_note": card.buyer_note, "preferred_ship_by": card.preferred_ship_by,
            "negotiation_id": order.negotiation.id,
            "negotiation_state": order.negotiation.state.value, "order_id": order.id,
            "ship_by": order.ship_by, "ship_by_source": order.ship_by_source.value,
            "events": _json(events)})


def _order_of(rows: list[Any]) -> OrderRecord:
    first = rows[0]
    order_values = first[:len(_ORDER_COLUMNS)]
    enabled, negotiation_id, negotiation_state = first[len(_ORDER_COLUMNS):
                                                       len(_ORDER_COLUMNS) + 3]
    cards = [CardRecord(*row[len(_ORDER_COLUMNS) + 3:]) for row in rows
             if row[len(_ORDER_COLUMNS) + 3] is not None]
    return OrderRecord(*order_values, store=StoreRecord(enabled),
                       negotiation=NegotiationRecord(negotiation_id, negotiation_state, cards))


def _json(events: list[dict[str, Any]]) -> str:
    return json.dumps([{**e, "at": e["at"].isoformat()} for e in events])
