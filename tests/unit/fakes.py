"""Plain stand-ins for the store, order, negotiation and card: the rules need no database.

They carry exactly the attributes the rules read (:mod:`negotiation.domain.protocols`),
with the states of :mod:`negotiation.domain.enums`, so a test builds a situation in one
line and calls the rule with an explicit ``now``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from negotiation.domain import negotiating as rules
from negotiation.domain.caller import Caller
from negotiation.domain.enums import (
    CardReason,
    CardState,
    NegotiationState,
    OrderKind,
    OrderStatus,
    Role,
    ShipBySource,
)
from negotiation.domain.policy import Policy

START = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
DEADLINE = START + timedelta(hours=47)
POLICY = Policy()

STORE_ID, OTHER_STORE_ID = 1, 2
OWNER = Caller(role=Role.OWNER, account_id=10, store_id=STORE_ID)
AGENT = Caller(role=Role.AGENT, account_id=11, store_id=STORE_ID)
OTHER_OWNER = Caller(role=Role.OWNER, account_id=12, store_id=OTHER_STORE_ID)
BUYER = Caller(role=Role.BUYER, account_id=20)
OTHER_BUYER = Caller(role=Role.BUYER, account_id=21)
REVIEWER = Caller(role=Role.REVIEWER, account_id=30)
ADMIN = Caller(role=Role.ADMIN)

_ids = itertools.count(1)


@dataclass
class FakeStore:
    negotiation_enabled: bool = True


@dataclass
class FakeOrder:
    store_id: int = STORE_ID
    buyer_id: int = BUYER.account_id or 0
    kind: OrderKind = OrderKind.PHYSICAL
    status: OrderStatus = OrderStatus.AWAITING_SHIPMENT
    original_ship_by: datetime = DEADLINE
    ship_by: datetime = DEADLINE
    ship_by_source: ShipBySource = ShipBySource.ORIGINAL
    reported_ship_by: datetime | None = None
    extended_ship_by: datetime | None = None
    shipped_at: datetime | None = None


@dataclass
class FakeCard:
    seq: int
    state: CardState
    proposed_ship_by: datetime
    sent_at: datetime
    expires_at: datetime
    reason: CardReason = CardReason.BUYER_REQUEST
    remark: str = ""
    sent_by: int | None = None
    answered_at: datetime | None = None
    buyer_note: str | None = None
    preferred_ship_by: datetime | None = None
    expiry_noticed_at: datetime | None = None
    id: int = field(default_factory=lambda: next(_ids))


@dataclass
class FakeNegotiation:
    state: NegotiationState = NegotiationState.OPEN
    cards: list[Any] = field(default_factory=list)


def order(**fields: Any) -> FakeOrder:
    """An order awaiting shipment; ``ship_by`` follows ``original_ship_by`` unless given."""
    if "original_ship_by" in fields and "ship_by" not in fields:
        fields["ship_by"] = fields["original_ship_by"]
    return FakeOrder(**fields)


def card(seq: int = 1, state: CardState = CardState.PENDING, *,
         sent_at: datetime = START, proposed: datetime | None = None,
         expires_at: datetime | None = None) -> FakeCard:
    return FakeCard(seq=seq, state=state,
                    proposed_ship_by=proposed or DEADLINE + timedelta(days=2),
                    sent_at=sent_at, expires_at=expires_at or sent_at + timedelta(hours=24))


def send(store: FakeStore, o: FakeOrder, n: FakeNegotiation, now: datetime, *,
         proposed: datetime | None = None, caller: Caller = OWNER,
         policy: Policy = POLICY) -> FakeCard:
    """Send a card through the real rule (what the service does), returning it."""
    sent, _ = rules.propose(caller, store, o, n,
                            proposed_ship_by=proposed or o.ship_by + timedelta(days=1),
                            reason=CardReason.CUSTOM_MADE, remark="", now=now,
                            policy=policy, new_card=FakeCard)
    return sent
