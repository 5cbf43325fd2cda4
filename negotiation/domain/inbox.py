"""Which events are notifications in whose web inbox (站内信, RULES.md §6).

A notification is an outcome that changes what its reader must do next. The inbox shows
only these types, out of the events a reader may already see (its reach, and for a
buyer its audience): so an inbox never shows more than the feed would.
"""

from __future__ import annotations

from typing import NamedTuple

from negotiation.domain.audience import BUYERS, Audience
from negotiation.domain.enums import SELLER_ROLES, Role

# What a store's owner and agents are told: answers, lapses, decisions, charges, and
# what stopped working for the store (a key, a webhook endpoint).
SELLER_NOTICES: frozenset[str] = frozenset({
    "card.accepted", "card.rejected", "card.expiring_soon", "card.expired",
    "report.approved", "report.rejected", "appeal.upheld", "appeal.overturned",
    "violation.late_shipment", "violation.collection_timeout",
    "violation.exempted", "violation.disproved",
    "penalty.deducted", "penalty.revoked", "compensation.paid",
    "negotiation.failed",
    "api_key.revoked", "webhook_endpoint.disabled",
})

# What a buyer is told: a card to answer or gone, its deadline moved, money paid to it.
BUYER_NOTICES: frozenset[str] = frozenset({
    "card.sent", "card.expiring_soon", "card.voided", "order.deadline_changed",
    "compensation.paid", "negotiation.agreed",
})

# Reviewers and admins: what stopped working for the platform itself (events of no store).
PLATFORM_NOTICES: frozenset[str] = frozenset({"api_key.revoked", "webhook_endpoint.disabled"})


class Inbox(NamedTuple):
    """What one role's inbox holds, of the events within the reader's reach."""

    types: frozenset[str]
    audience: Audience | None  # None: every event within reach
    platform_only: bool  # only events of no store (a reviewer's reach is every store)


def inbox_of(role: Role) -> Inbox:
    if role is Role.BUYER:
        return Inbox(BUYER_NOTICES, BUYERS, platform_only=False)
    if role in SELLER_ROLES:
        return Inbox(SELLER_NOTICES, None, platform_only=False)
    return Inbox(PLATFORM_NOTICES, None, platform_only=True)
