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

    def may_see(self, order: OrderLike) -> bool:
        """RULES.md §1: a caller never sees another store's or another buyer's orders."""
        if self.role in (Role.ADMIN, Role.REVIEWER):
            return True
        if self.role is Role.BUYER:
            return self.account_id == order.buyer_id
        return self.store_id == order.store_id
