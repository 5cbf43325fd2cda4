"""The caller of a use case as the rules see it, and ``SYSTEM``: the actor of what the
platform does by itself (expiry, lapses, the sweep, the admin token)."""

from __future__ import annotations

from dataclasses import dataclass

from negotiation.domain.enums import SELLER_ROLES, Role
from negotiation.domain.protocols import OrderLike

SYSTEM = "system"


@dataclass(frozen=True)
class Caller:
    """Who is acting: an account, or the admin token (``account_id`` None)."""

    role: Role
    account_id: int | None = None
    store_id: int | None = None

    @property
    def actor(self) -> str:
        """Events name an account by id; the configured admin token is the platform."""
        return SYSTEM if self.account_id is None else str(self.account_id)

    def is_seller_of(self, store_id: int) -> bool:
        return self.role in SELLER_ROLES and self.store_id == store_id

    @property
    def reach(self) -> Reach:
        """RULES.md §1: a caller never sees another store's or another buyer's orders;
        reviewers and admins see every store's."""
        if self.role in (Role.ADMIN, Role.REVIEWER):
            return Reach(EVERY_ORDER)
        if self.role is Role.BUYER:
            return Reach(BUYERS_ORDERS, self.account_id)
        return Reach(STORES_ORDERS, self.store_id)

    def may_see(self, order: OrderLike) -> bool:
        return self.reach.covers(order)


EVERY_ORDER, STORES_ORDERS, BUYERS_ORDERS = "every order", "a store's", "a buyer's"


@dataclass(frozen=True)
class Reach:
    """The orders a caller may see, as data: a query asks for exactly these (the
    repositories turn a reach into a condition) and one order is checked against it, so
    the rule of :attr:`Caller.reach` is written once. ``of``: the store's or the buyer's
    id; None covers no order."""

    kind: str
    of: int | None = None

    def covers(self, order: OrderLike) -> bool:
        if self.kind == EVERY_ORDER:
            return True
        owner = order.store_id if self.kind == STORES_ORDERS else order.buyer_id
        return self.of is not None and owner == self.of
