"""Demo data: one store, its people, and an order in every negotiation state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from negotiation.app import Runtime
from negotiation.domain.enums import CardReason, OrderKind, Role
from negotiation.domain.negotiating import Caller
from negotiation.services import accounts, cards, orders, stores

ADMIN = Caller(role=Role.ADMIN)


@dataclass
class Seeded:
    store_id: int
    store_name: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)
    orders: list[tuple[str, str]] = field(default_factory=list)


def seed(rt: Runtime) -> Seeded:
    now = rt.clock.now()
    store = stores.create_store(rt.uow(), ADMIN, name="示例旗舰店 Demo flagship store",
                                region="Zhejiang")
    made = Seeded(store.id, store.name)

    def account(role: Role, name: str) -> Caller:
        view = accounts.create_account(rt.uow(), ADMIN, role=role, name=name,
                                       store_id=store.id if role in (Role.OWNER, Role.AGENT)
                                       else None)
        assert view.token is not None and view.id is not None
        made.tokens.append((role.value, name, view.token))
        return Caller(role=role, account_id=view.id, store_id=view.store_id)

    owner = account(Role.OWNER, "店主 Owner Wang")
    agent = account(Role.AGENT, "客服 Agent Li")
    buyer = account(Role.BUYER, "买家 Buyer Zhang")
    account(Role.REVIEWER, "审核 Reviewer Chen")
    prefix = f"DEMO{store.id}"

    def order(suffix: str, *, paid_hours_ago: float = 2, kind: OrderKind = OrderKind.PHYSICAL,
              ship_by_hours: float | None = None) -> str:
        order_no = f"{prefix}-{suffix}"
        ship_by = None if ship_by_hours is None else now + timedelta(hours=ship_by_hours)
        orders.create_order(rt.uow(), ADMIN, order_no=order_no, store_id=store.id,
                            buyer_id=buyer.account_id or 0, amount=Decimal("199.00"),
                            paid_at=now - timedelta(hours=paid_hours_ago), kind=kind,
                            ship_by=ship_by)
        return order_no

    def propose(order_no: str, days: int, by: Caller = owner) -> int:
        card = cards.propose_card(rt.uow(), by, order_no,
                                  proposed_ship_by=now + timedelta(days=days),
                                  reason=CardReason.CUSTOM_MADE,
                                  remark="定制刻字需要多几天 Engraving takes a few more days")
        return card.id

    order("OPEN")
    propose(awaiting := order("AWAITING"), 5)
    cards.accept_card(rt.uow(), buyer, propose(agreed := order("AGREED"), 6))
    exhausted = order("FAILED-CARDS")
    for days in (4, 5, 6):
        cards.reject_card(rt.uow(), buyer, propose(exhausted, days, agent),
                          note="太晚了 Too late")
    order("FAILED-DEADLINE", paid_hours_ago=60, ship_by_hours=-12)
    propose(closed := order("CLOSED"), 4)
    orders.ship_order(rt.uow(), owner, closed, carrier="SF Express",
                      tracking_no=f"SF{store.id:04d}{int(now.timestamp())}")
    order("VIRTUAL", kind=OrderKind.VIRTUAL)

    for order_no in (f"{prefix}-OPEN", awaiting, agreed, exhausted, f"{prefix}-FAILED-DEADLINE",
                     closed, f"{prefix}-VIRTUAL"):
        state = cards.get_negotiation(rt.uow(), ADMIN, order_no).state
        made.orders.append((order_no, state))
    return made
