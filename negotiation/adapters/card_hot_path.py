"""Sending a card and answering it on PostgreSQL: one call that locks the order and reads
it as plain values, and one statement writing every change.

These are the calls a chat tool makes most. The ORM's unit of work costs them several
times the database work they do (docs/performance.md), so here the rules run over plain
records and the changes go out in one data-modifying ``WITH``. Anything else — an order
with something due, SQLite, every other use case — goes the ORM's way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

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


# lock_negotiation() (migration 0005) locks the order, then reads it with its store's
# switch, its negotiation and its cards in a statement of its own: one row per card, or
# one row with empty card columns. Locking for a proposal also reserves the new card's
# id, so its event can name it.
_LOCK_FOR_PROPOSAL = ("SELECT (SELECT nextval('cards_id_seq')), * "
                      "FROM lock_negotiation(%(order_no)s::text, NULL)")
_LOCK_FOR_ANSWER = "SELECT * FROM lock_negotiation(NULL, %(card_id)s::integer)"
_ORDER_WIDTH = 16  # the values of the order, its store and its negotiation; then a card's

_EVENTS = ("INSERT INTO events (order_id, at, actor, type, data) "
           "SELECT order_id, at, actor, type, data FROM json_to_recordset(CAST(%(events)s AS json))"
           " AS e(order_id integer, at timestamptz, actor text, type text, data json)")
_SEND = (
    "WITH card AS (INSERT INTO cards (id, negotiation_id, seq, state, proposed_ship_by, "
    "reason, remark, sent_by, sent_at, expires_at) VALUES (%(card_id)s, %(negotiation_id)s, "
    "%(seq)s, %(card_state)s, %(proposed_ship_by)s, %(reason)s, %(remark)s, %(sent_by)s, "
    "%(sent_at)s, %(expires_at)s)), "
    "negotiation AS (UPDATE negotiations SET state = %(negotiation_state)s "
    "WHERE id = %(negotiation_id)s) " + _EVENTS)
_ANSWER = (
    "WITH card AS (UPDATE cards SET state = %(card_state)s, answered_at = %(answered_at)s, "
    "buyer_note = %(buyer_note)s, preferred_ship_by = %(preferred_ship_by)s "
    "WHERE id = %(card_id)s), "
    "negotiation AS (UPDATE negotiations SET state = %(negotiation_state)s "
    "WHERE id = %(negotiation_id)s), "
    "moved AS (UPDATE orders SET ship_by = %(ship_by)s, ship_by_source = %(ship_by_source)s "
    "WHERE id = %(order_id)s AND (ship_by, ship_by_source) IS DISTINCT FROM "
    "(%(ship_by)s, %(ship_by_source)s)) " + _EVENTS)


class CardHotPath:
    def __init__(self, session: Session) -> None:
        self.session = session

    @classmethod
    def on(cls, session: Session) -> CardHotPath | None:
        """The hot path of a PostgreSQL session; None elsewhere (its SQL is PostgreSQL's)."""
        return cls(session) if session.get_bind().dialect.name == "postgresql" else None

    def locked_for_proposal(self, order_no: str) -> tuple[OrderRecord, int] | None:
        """The locked order, and an id reserved for the card it may be sent."""
        rows = self._run(_LOCK_FOR_PROPOSAL, {"order_no": order_no})
        return (_order_of([row[1:] for row in rows]), int(rows[0][0])) if rows else None

    def locked_for_answer(self, card_id: int) -> OrderRecord | None:
        """The locked order of a card."""
        rows = self._run(_LOCK_FOR_ANSWER, {"card_id": card_id})
        return _order_of(rows) if rows else None

    def send(self, order: OrderRecord, card: CardRecord, events: list[dict[str, Any]]) -> None:
        self._run(_SEND, {
            "card_id": card.id, "negotiation_id": order.negotiation.id, "seq": card.seq,
            "card_state": card.state.value, "proposed_ship_by": card.proposed_ship_by,
            "reason": card.reason.value, "remark": card.remark, "sent_by": card.sent_by,
            "sent_at": card.sent_at, "expires_at": card.expires_at,
            "negotiation_state": order.negotiation.state.value, "events": _json(events)})

    def answer(self, order: OrderRecord, card: CardRecord,
               events: list[dict[str, Any]]) -> None:
        self._run(_ANSWER, {
            "card_id": card.id, "card_state": card.state.value, "answered_at": card.answered_at,
            "buyer_note": card.buyer_note, "preferred_ship_by": card.preferred_ship_by,
            "negotiation_id": order.negotiation.id,
            "negotiation_state": order.negotiation.state.value, "order_id": order.id,
            "ship_by": order.ship_by, "ship_by_source": order.ship_by_source.value,
            "events": _json(events)})

    def _run(self, statement: str, params: dict[str, Any]) -> list[Any]:
        # On the psycopg connection under the session, so these statements commit or roll
        # back with everything else the use case does, but without SQLAlchemy's execution
        # layer, which costs more than the database's work here. Errors are raised as
        # SQLAlchemy's, as the unit of work expects (a violated constraint is a Conflict).
        connection = self.session.connection().connection.driver_connection
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
        except psycopg.Error as error:
            raise DBAPIError.instance(statement, params, error, psycopg.Error) from error


def _order_of(rows: list[Any]) -> OrderRecord:
    first = rows[0]
    (id_, order_no, store_id, buyer_id, kind, status, original_ship_by, ship_by,
     ship_by_source, reported_ship_by, extended_ship_by, shipped_at, assess_at,
     enabled, negotiation_id, negotiation_state) = first[:_ORDER_WIDTH]
    cards = [_card_of(row[_ORDER_WIDTH:]) for row in rows if row[_ORDER_WIDTH] is not None]
    return OrderRecord(
        id_, order_no, store_id, buyer_id, OrderKind(kind), OrderStatus(status),
        _utc(original_ship_by), _utc(ship_by), ShipBySource(ship_by_source),
        _utc(reported_ship_by), _utc(extended_ship_by), _utc(shipped_at), _utc(assess_at),
        store=StoreRecord(enabled),
        negotiation=NegotiationRecord(negotiation_id, NegotiationState(negotiation_state),
                                      cards))


def _card_of(values: Any) -> CardRecord:
    (seq, state, proposed_ship_by, reason, remark, sent_by, sent_at, expires_at, id_,
     answered_at, buyer_note, preferred_ship_by) = values
    return CardRecord(seq, CardState(state), _utc(proposed_ship_by), CardReason(reason), remark,
                      sent_by, _utc(sent_at), _utc(expires_at), id_, _utc(answered_at),
                      buyer_note, _utc(preferred_ship_by))


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _json(events: list[dict[str, Any]]) -> str:
    return json.dumps([{**e, "at": e["at"].isoformat()} for e in events])
