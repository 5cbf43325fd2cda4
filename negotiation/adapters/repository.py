"""The queries the use cases need, and nothing else of SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    insert,
    or_,
    select,
    true,
    tuple_,
    union,
    update,
)
from sqlalchemy.orm import Session, defaultload, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    Account,
    ApiKey,
    Card,
    Event,
    Negotiation,
    Order,
    Shipment,
    Store,
    WebhookDelivery,
    WebhookEndpoint,
)
from models.records import CommittedHorizon
from negotiation.adapters.database import one_of
from negotiation.domain.audience import Audience
from negotiation.domain.caller import EVERY_ORDER, STORES_ORDERS, Caller, Reach
from negotiation.domain.enums import CardState, NegotiationState, OrderStatus, Role
from negotiation.domain.event_types import EventTypes

DECIDED = (CardState.ACCEPTED, CardState.REJECTED, CardState.EXPIRED)
# How many candidates per kind of due rule a batch looks at, per order it may take: room
# for several sweeps to take different orders without looking at the whole backlog.
DUE_POOL = 4


class KeyHolder(NamedTuple):
    """What a request's key says about its caller, read in one indexed statement."""

    key_id: int
    last_used_at: datetime | None
    account_id: int
    role: Role
    store_id: int | None


_LIVE_KEY_HOLDER = (
    select(ApiKey.id, ApiKey.last_used_at, Account.id, Account.role, Account.store_id)
    .join(Account, Account.id == ApiKey.account_id)
    .where(ApiKey.revoked_at.is_(None),
           or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > bindparam("now"))))
_HOLDER_OF_KEY_HASH = _LIVE_KEY_HOLDER.where(ApiKey.key_hash == bindparam("key_hash"))
_HOLDER_OF_KEY = _LIVE_KEY_HOLDER.where(ApiKey.id == bindparam("key_id"))


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._events: list[dict[str, Any]] = []

    def add(self, *objects: object) -> None:
        self.session.add_all(objects)

    # --- orders ------------------------------------------------------------------------

    def order(self, order_no: str, *, lock: bool = False) -> Order | None:
        """One order with its store and negotiation; ``lock`` holds its row until commit.

        The order row is the aggregate's lock: every change to its negotiation, cards
        or shipment takes it first, so concurrent requests on one order queue up.
        """
        return self._load(Order.order_no == order_no, lock)

    def order_by_id(self, order_id: int, *, lock: bool = False) -> Order | None:
        return self._load(Order.id == order_id, lock)

    def _load(self, where: ColumnElement[bool], lock: bool) -> Order | None:
        if lock:
            # Lock first, load after, in two statements: under READ COMMITTED a statement
            # that waited for the lock still reads its *joined* rows (negotiation, store)
            # from the snapshot taken before the wait, i.e. before the change it waited for.
            order_id = self.session.scalar(select(Order.id).where(where).with_for_update())
            if order_id is None:
                return None
            where = Order.id == order_id
        # One order: its cards come in the same statement (a join of at most a few rows)
        # rather than the second round trip a list's ``selectin`` loading is worth.
        query = (select(Order).where(where)
                 .options(joinedload(Order.negotiation).joinedload(Negotiation.cards))
                 .execution_options(populate_existing=lock))
        return self.session.scalars(query).unique().first()

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
        return self._with_cards(self.session.scalars(_within_reach(query, caller)).all())

    def lock_visible_orders(self, caller: Caller, order_nos: Sequence[str]) -> list[int]:
        """Lock the rows of the orders of these numbers the caller may see, in id order
        (as the sweep does, so no two batches take them in opposite orders); their ids."""
        query = (select(Order.id).where(one_of(self.session, Order.order_no, order_nos))
                 .order_by(Order.id).with_for_update())
        return list(self.session.scalars(_within_reach(query, caller)))

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
        query = _within_reach(select(Order).order_by(Order.id).limit(limit), caller)
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
        query = _within_reach(select(Order).order_by(part, Order.ship_by, Order.id)
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
        of_card = select(Negotiation.order_id).join(Card).where(Card.id == card_id)
        return self._load(Order.id == of_card.scalar_subquery(), lock)

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

    # --- stores and accounts -----------------------------------------------------------

    def store(self, store_id: int) -> Store | None:
        return self.session.get(Store, store_id)

    def stores(self) -> Sequence[Store]:
        return self.session.scalars(select(Store).order_by(Store.id)).all()

    def store_named(self, name: str) -> Store | None:
        """The first store of that name (names are not unique)."""
        return self.session.scalars(
            select(Store).where(Store.name == name).order_by(Store.id).limit(1)).first()

    def account(self, account_id: int) -> Account | None:
        return self.session.get(Account, account_id)

    def account_named(self, role: Role, name: str, store_id: int | None) -> Account | None:
        """The first account of that role and name, of ``store_id`` (None: of no store)."""
        store = (Account.store_id.is_(None) if store_id is None
                 else Account.store_id == store_id)
        return self.session.scalars(
            select(Account).where(Account.role == role, Account.name == name, store)
            .order_by(Account.id).limit(1)).first()

    # --- api keys ----------------------------------------------------------------------

    def holder_of_key_hash(self, key_hash: str, now: datetime) -> KeyHolder | None:
        """The account behind a key presented as a bearer credential, if the key is live."""
        return self._key_holder(_HOLDER_OF_KEY_HASH, {"key_hash": key_hash, "now": now})

    def holder_of_key(self, key_id: int, now: datetime) -> KeyHolder | None:
        """The account behind a key a web session signed in with, if the key is live."""
        return self._key_holder(_HOLDER_OF_KEY, {"key_id": key_id, "now": now})

    def _key_holder(self, query: Select[*tuple[Any, ...]],
                    values: dict[str, Any]) -> KeyHolder | None:
        # Every request runs this: a statement built once, sent on the session's
        # connection without the ORM's execution layer (it loads no objects).
        row = self.session.connection().execute(query, values).first()
        return None if row is None else KeyHolder(*row)

    def note_key_use(self, key_id: int, now: datetime, *, unless_used_since: datetime) -> None:
        """Stamp ``last_used_at``, unless a request (in any process) did since the bound."""
        self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, or_(ApiKey.last_used_at.is_(None),
                                            ApiKey.last_used_at < unless_used_since))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False))

    def api_key(self, key_id: int, *, lock: bool = False) -> ApiKey | None:
        """One key with its account; ``lock`` holds the key's row until commit."""
        query = (select(ApiKey).where(ApiKey.id == key_id)
                 .options(joinedload(ApiKey.account, innerjoin=True)))
        if lock:
            query = query.with_for_update(of=ApiKey)
        return self.session.scalars(query).first()

    def keys_of(self, account_id: int, *, after_id: int | None,
                limit: int) -> Sequence[ApiKey]:
        query = (select(ApiKey).where(ApiKey.account_id == account_id)
                 .order_by(ApiKey.id).limit(limit))
        if after_id is not None:
            query = query.where(ApiKey.id > after_id)
        return self.session.scalars(query).all()

    # --- events ------------------------------------------------------------------------

    def add_events(self, rows: Sequence[dict[str, Any]]) -> None:
        """Events to append to timelines when the transaction commits.

        A timeline is only appended to, and nothing reads it back before commit, so its
        rows need no ORM objects: they go in one statement (a prepared ``executemany``,
        not a multi-row ``VALUES`` to parse) at :meth:`write_events`.
        """
        self._events.extend(rows)

    def write_events(self, now: datetime) -> None:
        """Insert the buffered events, and the webhook deliveries they owe, at once: no
        event commits without its deliveries, and none are written for a rolled-back one.
        """
        if not self._events:
            return
        self.session.flush()  # their orders first
        rows, self._events = self._events, []
        subscribers = self._subscribers({row["store_id"] for row in rows})
        # Plain rows, no objects: Core's executemany, not the ORM's.
        connection, events = self.session.connection(), Event.__table__
        if not subscribers:
            connection.execute(insert(events), rows)
            return
        ids = connection.scalars(
            insert(events).returning(events.c.id, sort_by_parameter_order=True), rows).all()
        deliveries = [
            {"endpoint_id": endpoint.id, "event_id": event_id, "state": "pending",
             "attempts": 0, "failures": 0, "next_attempt_at": now, "created_at": now}
            for event_id, row in zip(ids, rows, strict=True)
            for endpoint in subscribers if endpoint.wants(row["store_id"], row["type"])]
        if deliveries:
            connection.execute(insert(WebhookDelivery.__table__), deliveries)

    def _subscribers(self, store_ids: set[int | None]) -> list[Subscriber]:
        """The enabled endpoints these stores' events may go to: the stores' own and the
        platform's. Read without a lock: an endpoint deleted meanwhile is only marked
        deleted, and its rows go an hour later (``purge_deleted``), so a delivery written
        to it now never fails this write."""
        stores = sorted(i for i in store_ids if i is not None)
        query = (select(WebhookEndpoint.id, WebhookEndpoint.store_id,
                        WebhookEndpoint.event_types)
                 .where(WebhookEndpoint.enabled.is_(True),
                        or_(WebhookEndpoint.store_id.is_(None),
                            one_of(self.session, WebhookEndpoint.store_id, stores))))
        return [Subscriber(endpoint_id, store_id, EventTypes.parse(types))
                for endpoint_id, store_id, types in self.session.execute(query)]

    def forget_events(self) -> None:
        """After a rollback: they belonged to what was undone."""
        self._events = []

    def events(self, order_id: int, *, after: tuple[datetime, int] | None, limit: int,
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
        query = (_visible_events(caller, audience)
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
            _visible_events(caller, audience).where(Event.id == event_id)).first()
        return None if row is None else (row[0], row[1])

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
        expiring = (select(Order.id).join(Order.negotiation).join(Negotiation.cards)
                    .where(Card.state == CardState.PENDING, Card.expires_at <= now),
                    Card.expires_at)
        assessing = select(Order.id).where(Order.assess_at <= now), Order.assess_at
        candidates = union(*(_earliest(query if scope is None else _within_reach(query, scope),
                                       due_at, limit * DUE_POOL)
                             for query, due_at in (expiring, assessing)))
        query = (select(Order.id).where(Order.id.in_(candidates))
                 .order_by(Order.id).limit(limit)
                 .with_for_update(skip_locked=skip_locked))
        return list(self.session.scalars(query))


def _earliest(query: Select[*tuple[Any, ...]], due_at: Any, count: int) -> Select[int]:
    """The ``count`` orders of ``query`` that fell due first."""
    first = query.order_by(due_at).limit(count).subquery()
    return select(first.c.id)


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


def _visible_events(caller: Caller, audience: Audience | None) -> Select[Event, str]:
    """Events within the caller's reach (RULES.md §1), with their order numbers (None
    for an event of no order). ``events.store_id`` is the order's store, so a store's
    reach needs no join; a buyer's goes through the order, and events of no order are
    never a buyer's.
    """
    query = (select(Event, Order.order_no).outerjoin(Order, Event.order_id == Order.id)
             .where(_reach_condition(caller.reach, store_id=Event.store_id)))
    return query if audience is None else query.where(_seen_by(audience))


_Row = TypeVarTuple("_Row")


def _shipping_done() -> ColumnElement[int]:
    """0 for an order still to ship, 1 for one shipped or closed: the order list's parts."""
    return case((Order.status == OrderStatus.AWAITING_SHIPMENT, 0), else_=1)


def _within_reach(query: Select[*_Row], caller: Caller) -> Select[*_Row]:
    """Only the orders the caller may see (RULES.md §1)."""
    return query.where(_reach_condition(caller.reach, store_id=Order.store_id))


def _reach_condition(reach: Reach, *, store_id: Any) -> ColumnElement[bool]:
    """A reach as a condition on ``Order``, its store given by ``store_id``."""
    if reach.kind == EVERY_ORDER:
        return true()
    if reach.of is None:
        return false()
    return (store_id if reach.kind == STORES_ORDERS else Order.buyer_id) == reach.of
