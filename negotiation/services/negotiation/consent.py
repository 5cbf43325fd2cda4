"""Use cases of a consent link (RULES.md §6): a seller has one made for a pending card;
the buyer it names reads that card through it and answers it.

The answers go through the same use cases as any buyer's (:mod:`.cards`), with the link
as their channel: the same rules, the buyer as actor, ``channel`` in the event. The
signing is the caller's business (``adapters.consent_links``); here a link is what it
carries, or None for a token that was not signed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from negotiation.domain.caller import Caller
from negotiation.domain.consent import ConsentLink, invalid, link_expiry
from negotiation.domain.eligibility import card_open_refusal
from negotiation.domain.errors import Forbidden
from negotiation.services.core.settling import settled_for_read
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import CardView
from negotiation.services.negotiation import cards


@dataclass(frozen=True)
class LinkedCard:
    """The card a link opens, and the instant it was read (for the time left)."""

    card: CardView
    now: datetime


def make_link(uow: UnitOfWork, caller: Caller, card_id: int) -> ConsentLink:
    """A link for the card's buyer: the card's store makes one while the card is open."""
    with uow:
        order = settled_for_read(uow, caller, uow.orders.order_of_card(card_id),
                                 f"card {card_id}")
        if not caller.is_seller_of(order.store_id):
            raise Forbidden("Consent links are made by the order's store.")
        card = cards.card_of(order, card_id)
        refusal = card_open_refusal(card, uow.now)
        if refusal is not None:
            raise refusal
        return ConsentLink(card_id=card.id, buyer_id=order.buyer_id,
                           expires_at=link_expiry(card))


def linked_card(uow: UnitOfWork, link: ConsentLink | None) -> LinkedCard:
    """The card the link opens, as it is now; the link's refusal if it no longer works."""
    if link is None:
        raise invalid()
    with uow:
        order = uow.orders.order_of_card(link.card_id)
        refusal = link.refusal(order, uow.now)
        if refusal is not None:
            raise refusal
        order = settled_for_read(uow, link.buyer, order, f"card {link.card_id}")
        return LinkedCard(CardView.of(cards.card_of(order, link.card_id), order.order_no),
                          uow.now)


def accept_by_link(uow: UnitOfWork, link: ConsentLink | None) -> CardView:
    if link is None:
        raise invalid()
    return cards.accept_card(uow, link.buyer, link.card_id, channel=link)


def reject_by_link(uow: UnitOfWork, link: ConsentLink | None, *, note: str | None = None,
                   preferred_ship_by: datetime | None = None) -> CardView:
    if link is None:
        raise invalid()
    return cards.reject_card(uow, link.buyer, link.card_id, note=note,
                             preferred_ship_by=preferred_ship_by, channel=link)
