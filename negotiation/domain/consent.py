"""A consent link (RULES.md §6): what makes a link the buyer was sent good for its card now.

A link names one card, the buyer it was sent to and the instant it stops working. It
answers that card, as that buyer, while the card is pending and neither the link nor the
card has expired. Every other case — another card, another buyer, a card answered,
withdrawn, voided or expired, a link past its time — is refused the same way, so a link
that no longer works tells its holder nothing about the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from negotiation.domain.caller import Caller
from negotiation.domain.eligibility import card_open_refusal
from negotiation.domain.enums import Role
from negotiation.domain.errors import DomainError, NotFound
from negotiation.domain.protocols import CardLike, OrderLike

CONSENT_LINK = "consent_link"  # the channel an answer through a link is recorded with
CONSENT_LINK_INVALID = "consent_link_invalid"


def invalid() -> DomainError:
    """The one refusal of every link that does not work: the same words whatever the
    reason, so nothing can be learnt from them."""
    return NotFound("This link is no longer valid.", code=CONSENT_LINK_INVALID)


def link_expiry(card: CardLike) -> datetime:
    """A link lives as long as its card may be answered, never longer."""
    return card.expires_at


@dataclass(frozen=True)
class ConsentLink:
    """What a signed link carries, and the channel an answer through it comes by."""

    card_id: int
    buyer_id: int
    expires_at: datetime
    name = CONSENT_LINK

    @property
    def buyer(self) -> Caller:
        """Who answers through the link: the buyer it was sent to, for this card only."""
        return Caller(role=Role.BUYER, account_id=self.buyer_id)

    def card_of(self, order: Any | None) -> Any | None:
        if order is None:
            return None
        return next((c for c in order.negotiation.cards if c.id == self.card_id), None)

    def refusal(self, order: OrderLike | None, now: datetime) -> DomainError | None:
        """None while the link may answer its card at ``now``; else :func:`invalid`.

        ``order`` is the card's order as stored (None: no such card).
        """
        card = self.card_of(order)
        if (card is None or order is None or order.buyer_id != self.buyer_id
                or now >= self.expires_at or card_open_refusal(card, now) is not None):
            return invalid()
        return None
