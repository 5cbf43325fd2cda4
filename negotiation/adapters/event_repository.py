"""Events: appended to timelines with the webhook deliveries they owe, and read back
as an order's timeline and as the change feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import Session

from models import (
    Event,
    Order,
    WebhookDelivery,
    WebhookEndpoint,
)
from models.records import CommittedHorizon
from negotiation.adapters.database import insert_rows
from negotiation.adapters.reach import reach_condition
from negotiation.domain.audience import Audience
from negotiation.domain.caller import Caller
from negotiation.domain.event_types import EventTypes

# Every write of events runs these, built once: building a statement costs about as much
# as sending it.
_EVENTS = Event.__table__
# How many enabled endpoints may be owed an event just inserted (its store's and the
# platform's, whatever their types): asked in the insert's RETURNING, so that events no
# endpoint may be owed (most requests') are written in one statement, without a lookup.
_ENDPOINTS_OF_ROW = (select(func.count()).select_from(WebhookEndpoint)
                     .where(WebhookEndpoint.enabled.is_(True),
                            or_(WebhookEndpoint.store_id.is_(None),
                                # By name: SQLite's RETURNING renders a column of the
                                # table unqualified, which inside the subquery would
                                # be the endpoint's.
                                WebhookEndpoint.store_id == literal_column("events.store_id")))
                     .scalar_subquery().label("endpoints"))
_INSERTED = (_EVENTS.c.id, _EVENTS.c.store_id, _EVENTS.c.type, _ENDPOINTS_OF_ROW)
# The subscribers' lookup: a request's events are of one store, so the list has one
# length and the driver's prepared statement serves.
_SUBSCRIBERS = (select(WebhookEndpoint.id, WebhookEndpoint.store_id, WebhookEndpoint.event_types)
                .where(WebhookEndpoint.enabled.is_(True),
                       or_(WebhookEndpoint.store_id.is_(None),
                           WebhookEndpoint.store_id.in_(bindparam("stores", expanding=True)))))


class EventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._events: list[dict[str, Any]] = []

    # --- events ------------------------------------------------------------------------

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Events to append to timelines when the transaction commits.

        A timeline is only appended to, and nothing reads it back before commit, so its
        rows need no ORM objects: they go in one Core statement at :meth:`write`.
        """
        self._events.extend(rows)

    def write(self, now: datetime) -> None:
        """Insert the buffered events, and the webhook deliveries they owe, at once: no
        event commits without its deliveries, and none are written for a rolled-back one.

        Each event inserted returns its id, store and type, and how many endpoints may
        be owed it; only when some may are the endpoints looked up.
        """
        if not self._events:
            return
        self.session.flush()  # their orders first
        rows, self._events = self._events, []
        # Plain rows, no objects: Core's statements, not the ORM's.
        connection = self.session.connection()
        owing = sorted((row.id, row.store_id, row.type) for row in
                       insert_rows(connection, _EVENTS, rows, _INSERTED) if row.endpoints)
        if not owing:
            return
        subscribers = self._subscribers({store_id for _, store_id, _ in owing})
        deliveries = [
            {"endpoint_id": endpoint.id, "event_id": event_id, "state": "pending",
             "attempts": 0, "failures": 0, "next_attempt_at": now, "created_at": now}
            for event_id, store_id, event_type in owing  # in the events' order
            for endpoint in subscribers if endpoint.wants(store_id, event_type)]
        insert_rows(connection, WebhookDelivery.__table__, deliveries)

    def _subscribers(self, store_ids: set[int | None]) -> list[Subscriber]:
        """The enabled endpoints these stores' events may go to: the stores' own and the
        platform's. Read without a lock: an endpoint deleted meanwhile is only marked
        deleted, and its rows go an hour later (``purge_deleted``), so a delivery written
        to it now never fails this write."""
        stores = sorted(i for i in store_ids if i is not None)
        return [Subscriber(endpoint_id, store_id, EventTypes.parse(types))
                for endpoint_id, store_id, types
                in self.session.execute(_SUBSCRIBERS, {"stores": stores})]

    def forget(self) -> None:
        """After a rollback: they belonged to what was undone."""
        self._events = []

    def of_order(self, order_id: int, *, after: tuple[datetime, int] | None, limit: int,
                 audience: Audience | None = None) -> Sequence[Event]:
        """An order's events in order; only those ``audience`` may see, when given."""
        query = (select(Event).where(Event.order_id == order_id)
                 .order_by(Event.at, Event.id).limit(limit))
        if audience is not None:
            query = query.where(_seen_by(audience))
        if after is not None:
            at, event_id = after
            query = query.where(or_(Event.at > at, and_(Event.at == at, Event.id > event_id)))
        return self.session.scalars(query).all()

    # --- the change feed ---------------------------------------------------------------

    def feed(self, caller: Caller, *, after: tuple[int, int], limit: int,
             types: EventTypes, order_no: str | None = None,
             audience: Audience | None = None) -> Sequence[tuple[Event, str]]:
        """The events the caller may see after a (transaction, id) position, with their
        order numbers, in that order. Only those of transactions older than every one
        still running (:class:`CommittedHorizon`): no event can commit behind them."""
        query = (visible_events(caller, audience)
                 .where(Event.txid < CommittedHorizon(),
                        tuple_(Event.txid, Event.id) > tuple_(*after))
                 .order_by(Event.txid, Event.id).limit(limit))
        if not types.everything:
            query = query.where(events_of_types(types))
        if order_no is not None:
            query = query.where(Order.order_no == order_no)
        return [(event, number) for event, number in self.session.execute(query)]

    def feed_event(self, caller: Caller, event_id: int, *,
                   audience: Audience | None = None) -> tuple[Event, str] | None:
        """One event, if the caller may see it: the feed's rule, by id."""
        row = self.session.execute(
            visible_events(caller, audience).where(Event.id == event_id)).first()
        return None if row is None else (row[0], row[1])


class Subscriber(NamedTuple):
    """An enabled endpoint, as the writer of an event decides whether it is owed it."""

    id: int
    store_id: int | None  # None: the platform's, for every store's events
    types: EventTypes

    def wants(self, store_id: int | None, event_type: str) -> bool:
        return (self.store_id is None or self.store_id == store_id) and self.types.match(event_type)


def events_of_types(types: EventTypes) -> ColumnElement[bool]:
    """The SQL of :meth:`EventTypes.match`: exact types or families; all when neither."""
    if types.everything:
        return true()
    return or_(*([Event.type.in_(sorted(types.exact))] if types.exact else []),
               *(Event.type.startswith(f"{family}.", autoescape=True)
                 for family in sorted(types.families)))


def _seen_by(audience: Audience) -> ColumnElement[bool]:
    """The events of the families ``audience`` sees, less its excluded ones."""
    families, excluded = audience
    return and_(or_(*(Event.type.startswith(f"{family}.", autoescape=True)
                      for family in sorted(families))),
                Event.type.not_in(sorted(excluded)))


def visible_events(caller: Caller, audience: Audience | None) -> Select[Event, str]:
    """Events within the caller's reach (RULES.md §1), with their order numbers (None
    for an event of no order). ``events.store_id`` is the order's store, so a store's
    reach needs no join; a buyer's goes through the order, and events of no order are
    never a buyer's.
    """
    query = (select(Event, Order.order_no).outerjoin(Order, Event.order_id == Order.id)
             .where(reach_condition(caller.reach, store_id=Event.store_id)))
    return query if audience is None else query.where(_seen_by(audience))
