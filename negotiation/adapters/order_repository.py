"""The orders and what belongs to them — negotiation, cards, shipments — and the
queries of what time has made due (the sweep)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, defaultload, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    Card,
    Negotiation,
    Order,
    Shipment,
)
from negotiation.adapters.database import one_of, one_of_query
from negotiation.adapters.reach import within_reach
from negotiation.domain.caller import Caller
from negotiation.domain.enums import CardState, NegotiationState, OrderStatus

DECIDED = (CardState.ACCEPTED, CardState.REJECTED, CardState.EXPIRED)
# How many candidates per kind of due rule a batch looks at, per order it may take: room
# for several sweeps to take different orders without looking at the whole backlog.
DUE_POOL = 4


# One order, found by its number, its id or one of its cards (``key``). Every request on
# an order runs these, so they are built once: building one costs about as much as
# sending it.
_ORDER_WHERE = {
    "order_no": Order.order_no == bindparam("key"),
    "id": Order.id == bindparam("key"),
    "card": Order.id == select(Negotiation.order_id).join(Card)
    .where(Card.id == bindparam("key")).scalar_subquery(),
}
_LOCK_ORDER = {by: select(Order.id).where(where).with_for_update()
               for by, where in _ORDER_WHERE.items()}
# Its cards come in the same statement (a join of at most a few rows) rather than the
# second round trip a list's ``selectin`` loading is worth.
_LOAD_ORDER = {by: select(Order).where(where)
               .options(joinedload(Order.negotiation).joinedload(Negotiation.cards))
               for by, where in _ORDER_WHERE.items()}
_RELOAD_ORDER = _LOAD_ORDER["id"].execution_options(populate_existing=True)  # once locked


class OrderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- orders ------------------------------------------------------------------------

    def order(self, order_no: str, *, lock: bool = False) -> Order | None:
        """One order with its store and negotiation; ``lock`` holds its row until commit.

        The order row is the aggregate's lock: every change to its negotiation, cards
        or shipment takes it first, so concurrent requests on one order queue up.
        """
        return self._load("order_no", order_no, lock)

    def order_by_id(self, order_id: int, *, lock: bool = False) -> Order | None:
        return self._load("id", order_id, lock)

    def _load(self, by: str, key: object, lock: bool) -> Order | None:
        if lock:
            # Lock first, load after, in two statements: under READ COMMITTED a statement
            # that waited for the lock still reads its *joined* rows (negotiation, store)
            # from the snapshot taken before the wait, i.e. before the change it waited for.
            key = self.session.scalar(_LOCK_ORDER[by], {"key": key})
            if key is None:
                return None
            by = "id"
        query = _RELOAD_ORDER if lock else _LOAD_ORDER[by]
        return self.session.scalars(query, {"key": key}).unique().first()

    def orders_by_ids(self, ids: Sequence[int]) -> Sequence[Order]:
        """Orders as settling reads them: with their negotiations and cards, in two
        queries whatever their number; not their stores, which it does not read."""
        return self._with_cards(self.session.scalars(
            select(Order).where(one_of(self.session, Order.id, ids))
            .options(lazyload(Order.store),
                     defaultload(Order.negotiation).lazyload(Negotiation.cards))).all())

    def visible_orders_by_numbers(self, caller: Caller,
                                  order_nos: Sequence[str]) -> Sequence[Order]:
        """The orders of these numbers the caller may see (RULES.md §1), with their
        stores, negotiations and cards, in two queries whatever their number."""
        query = (select(Order).where(one_of(self.session, Order.order_no, order_nos))
                 .options(joinedload(Order.store),
                          defaultload(Order.negotiation).lazyload(Negotiation.cards)))
        return self._with_cards(self.session.scalars(within_reach(query, caller)).all())

    def lock_visible_orders(self, caller: Caller, order_nos: Sequence[str]) -> list[int]:
        """Lock the rows of the orders of these numbers the caller may see, in id order
        (as the sweep does, so no two batches take them in opposite orders); their ids."""
        query = (select(Order.id).where(one_of(self.session, Order.order_no, order_nos))
                 .order_by(Order.id).with_for_update())
        return list(self.session.scalars(within_reach(query, caller)))

    def _with_cards(self, orders: Sequence[Order]) -> Sequence[Order]:
        # The cards by hand rather than by the relationship's own ``selectin`` loading,
        # which sends the negotiations' ids as an IN list (see ``one_of``).
        negotiations = [o.negotiation for o in orders]
        cards: dict[int, list[Card]] = {n.id: [] for n in negotiations}
        for card in self.session.scalars(
                select(Card).where(one_of(self.session, Card.negotiation_id, list(cards)))
                .order_by(Card.negotiation_id, Card.seq)):
            cards[card.negotiation_id].append(card)
        for negotiation in negotiations:
            set_committed_value(negotiation, "cards", cards[negotiation.id])
        return orders

    def relock(self, order: Order) -> Order:
        """Lock an order read without a lock, and reload it and its cards as they are now."""
        locked = self.order_by_id(order.id, lock=True)
        assert locked is not None
        return locked

    def order_no_taken(self, order_no: str) -> bool:
        return self.session.scalar(select(exists().where(Order.order_no == order_no))) or False

    def visible_orders(self, caller: Caller, *, after_id: int | None, limit: int,
                       status: OrderStatus | None = None,
                       state: NegotiationState | None = None,
                       covered_by_report: bool | None = None) -> Sequence[Order]:
        query = within_reach(select(Order).order_by(Order.id).limit(limit), caller)
        if after_id is not None:
            query = query.where(Order.id > after_id)
        if status is not None:
            query = query.where(Order.status == status)
        if state is not None:
            query = query.join(Order.negotiation).where(Negotiation.state == state)
        if covered_by_report is not None:
            covered = Order.covered_by_report
            query = query.where(covered if covered_by_report else ~covered)
        return self.session.scalars(query).all()

    def visible_orders_by_deadline(self, caller: Caller, *,
                                   after: tuple[int, datetime, int] | None, limit: int,
                                   covered_by_report: bool | None = None) -> Sequence[Order]:
        """Orders awaiting shipment first, then the shipped and closed; each part soonest
        ship-by first, the id breaking ties. ``after`` is the (part, ship-by, id) a page
        continues after."""
        part = _shipping_done()
        query = within_reach(select(Order).order_by(part, Order.ship_by, Order.id)
                              .limit(limit), caller)
        if after is not None:
            after_part, after_ship_by, after_id = after
            query = query.where(or_(
                part > after_part,
                and_(part == after_part, Order.ship_by > after_ship_by),
                and_(part == after_part, Order.ship_by == after_ship_by, Order.id > after_id)))
        if covered_by_report is not None:
            covered = Order.covered_by_report
            query = query.where(covered if covered_by_report else ~covered)
        return self.session.scalars(query).all()

    # --- cards -------------------------------------------------------------------------

    def order_of_card(self, card_id: int, *, lock: bool = False) -> Order | None:
        return self._load("card", card_id, lock)

    def recent_decided_states(self, store_id: int, limit: int) -> list[CardState]:
        return list(self.session.scalars(
            select(Card.state).join(Negotiation).join(Order)
            .where(Order.store_id == store_id, Card.state.in_(DECIDED))
            .order_by(Card.answered_at.desc().nulls_last(), Card.expires_at.desc())
            .limit(limit)))

    # --- shipments ---------------------------------------------------------------------

    def tracking_no_used(self, tracking_no: str) -> bool:
        return self.session.scalar(
            select(exists().where(Shipment.tracking_no == tracking_no))) or False

    # --- what time has made due (the sweep) --------------------------------------------

    def cards_expiring_soon(self, now: datetime, lead: timedelta, limit: int, *,
                            skip_locked: bool) -> Sequence[tuple[Card, int, int]]:
        """Pending cards that lapse within ``lead`` and have had no notice, with their
        orders' and stores' ids; locked (a concurrent answer waits, or is waited for)."""
        query = (select(Card, Order.id, Order.store_id)
                 .join(Negotiation, Negotiation.id == Card.negotiation_id)
                 .join(Order, Order.id == Negotiation.order_id)
                 .where(Card.state == CardState.PENDING, Card.expires_at > now,
                        Card.expires_at <= now + lead, Card.expiry_noticed_at.is_(None))
                 .order_by(Card.expires_at).limit(limit)
                 .with_for_update(of=Card, skip_locked=skip_locked))
        return [(card, order_id, store_id)
                for card, order_id, store_id in self.session.execute(query)]

    def due_order_ids(self, now: datetime, limit: int, *, skip_locked: bool,
                      scope: Caller | None = None) -> list[int]:
        """Orders with a pending card past expiry, or an assessment due: a violation, a
        lapsing negotiation or the automatic close may have fallen due.

        A negotiation lapses at the ship deadline, the instant a late shipment falls due,
        and ``assess_at`` is never later than that for an order still to ship; so the
        assessment's index finds lapses too, where a scan of past deadlines would wade
        through every late order still unshipped. Each rule offers its earliest due
        orders through its own index, so a batch costs the same whatever the backlog.
        Rows are locked as they are picked; with ``skip_locked`` two sweeps (or a sweep
        and a request) never wait on each other's rows, each takes what is free among
        the candidates.
        """
        pending = (Card.state == CardState.PENDING, Card.expires_at <= now)
        expiring = (  # a negotiation names its order: the orders are only joined for a scope
            select(Negotiation.order_id.label("id")).join(Negotiation.cards).where(*pending)
            if scope is None else
            within_reach(select(Order.id).join(Order.negotiation).join(Negotiation.cards)
                         .where(*pending), scope))
        assessing = select(Order.id).where(Order.assess_at <= now)
        if scope is not None:
            assessing = within_reach(assessing, scope)
        candidates = union(_earliest(expiring, Card.expires_at, limit * DUE_POOL),
                           _earliest(assessing, Order.assess_at, limit * DUE_POOL))
        query = (select(Order.id).where(one_of_query(self.session, Order.id, candidates))
                 .order_by(Order.id).limit(limit)
                 .with_for_update(skip_locked=skip_locked))
        return list(self.session.scalars(query))


def _earliest(query: Select[*tuple[Any, ...]], due_at: Any, count: int) -> Select[int]:
    """The ``count`` orders of ``query`` that fell due first."""
    first = query.order_by(due_at).limit(count).subquery()
    return select(first.c.id)




def _shipping_done() -> ColumnElement[int]:
    """0 for an order still to ship, 1 for one shipped or closed: the order list's parts."""
    return case((Order.status == OrderStatus.AWAITING_SHIPMENT, 0), else_=1)
