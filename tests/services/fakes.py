"""An in-memory unit of work: the service functions run against it as against the real
one, with no database, so a use case's rules are checked without SQL or HTTP.

It holds the models as plain objects (SQLAlchemy's classes work unattached to any
session) and answers the few repository calls the negotiation use cases make. Its orders
have no assessment due (``assess_at`` is None): violations and charges need the
assessment's repository, and are checked in the integration and HTTP rings.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any

from models import Negotiation, Order, Store
from negotiation.clock import FrozenClock
from negotiation.domain.caller import Caller
from negotiation.domain.enums import (
    NegotiationState,
    OrderKind,
    OrderStatus,
    ReportKind,
    ShipBySource,
    ShipMode,
)
from negotiation.domain.policy import Policy

# The callers of the unit ring's fakes: the same store, buyers and roles in both rings.
from tests.unit.fakes import (
    AGENT,
    BUYER,
    OTHER_BUYER,
    OTHER_OWNER,
    OTHER_STORE_ID,
    OWNER,
    STORE_ID,
)

__all__ = ["AGENT", "BUYER", "OTHER_BUYER", "OTHER_OWNER", "OTHER_STORE_ID", "OWNER",
           "STORE_ID", "FakeUnitOfWork"]


class FakeOrders:
    """The orders repository (``uow.orders``): orders by number."""

    def __init__(self) -> None:
        self.by_no: dict[str, Order] = {}

    def order(self, order_no: str, *, lock: bool = False) -> Order | None:
        return self.by_no.get(order_no)

    def order_of_card(self, card_id: int, *, lock: bool = False) -> Order | None:
        return next((order for order in self.by_no.values()
                     if any(card.id == card_id for card in order.negotiation.cards)), None)

    def relock(self, order: Order) -> Order:
        return order



class FakeEvents:
    """The events repository (``uow.events``): what was recorded, and what committed."""

    def __init__(self) -> None:
        self.committed: list[dict[str, Any]] = []
        self._pending: list[dict[str, Any]] = []

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        self._pending.extend(rows)

    def forget(self) -> None:
        self._pending = []

    def write(self) -> None:
        self.committed += self._pending
        self._pending = []


class FakeReports:
    """No delay report covers anything here."""

    def covering(self, kind: ReportKind, *, order_ids: Iterable[int] = (),
                 tracking_nos: Iterable[str] = ()) -> list[Any]:
        return []


class FakeUnitOfWork:
    """What a use case needs from outside, in memory. Commits are counted, so a test can
    tell a refusal that kept what time made due (a commit) from one that changed nothing."""

    def __init__(self, clock: FrozenClock, policy: Policy | None = None) -> None:
        self.clock = clock
        self.policy = policy or Policy()
        self.orders = FakeOrders()
        self.events = FakeEvents()
        self.reports = FakeReports()
        self.commits = 0
        self._ids = itertools.count(1)
        self.now = clock.now()

    def __enter__(self) -> FakeUnitOfWork:
        self.now = self.clock.now()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()

    def flush(self) -> None:
        for order in self.orders.by_no.values():
            for card in order.negotiation.cards:
                if card.id is None:
                    card.id = next(self._ids)

    def commit(self, *, last: bool = False) -> None:
        self.flush()
        self.events.write()
        self.commits += 1

    def rollback(self) -> None:
        self.events.forget()

    def add_order(self, order_no: str = "O-1", *, ship_by: datetime | None = None,
                  kind: OrderKind = OrderKind.PHYSICAL, buyer: Caller = BUYER,
                  store_id: int = STORE_ID, negotiation_enabled: bool = True) -> Order:
        """An order awaiting shipment, paid an hour ago, due in 47 hours unless told."""
        now = self.clock.now()
        deadline = ship_by or now + timedelta(hours=47)
        order = Order(
            id=len(self.orders.by_no) + 1, order_no=order_no, store_id=store_id,
            store=Store(id=store_id, name="Test store", negotiation_enabled=negotiation_enabled),
            buyer_id=buyer.account_id, amount=Decimal("100.00"), kind=kind,
            ship_mode=ShipMode.NORMAL, status=OrderStatus.AWAITING_SHIPMENT,
            paid_at=now - timedelta(hours=1), original_ship_by=deadline, ship_by=deadline,
            ship_by_source=ShipBySource.ORIGINAL, assess_at=None, created_at=now,
            negotiation=Negotiation(state=NegotiationState.OPEN, cards=[]))
        self.orders.by_no[order_no] = order
        return order
