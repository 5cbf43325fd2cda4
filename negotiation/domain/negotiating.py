"""The changes to a negotiation (RULES.md §2 and §5): proposing, answering and withdrawing
cards, what time makes due (expiry, the deadline lapse), shipping and closing.

Every function takes ``now`` and the policy explicitly. Objects passed in only need the
attributes the rules read (:mod:`negotiation.domain.protocols`). Each change first asks
:mod:`negotiation.domain.eligibility` and raises its refusal before any state moves, then
returns the events it produced.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from negotiation.clock import iso_utc
from negotiation.domain.caller import SYSTEM, Caller
from negotiation.domain.deadlines import is_met, resolve_ship_by
from negotiation.domain.eligibility import (
    answer_refusal,
    cards_left,
    pending_card,
    propose_refusal,
    ship_refusal,
    withdraw_refusal,
)
from negotiation.domain.enums import CardReason, CardState, NegotiationState, OrderStatus
from negotiation.domain.errors import InvalidInput
from negotiation.domain.events import DomainEvent
from negotiation.domain.machine import CARD_MACHINE, NEGOTIATION_MACHINE, fire
from negotiation.domain.policy import Policy
from negotiation.domain.protocols import CardLike, NegotiationLike, OrderLike, StoreLike


def card_expires_at(sent_at: datetime, ship_by: datetime, policy: Policy) -> datetime:
    """The buyer must answer within the window *and* before the deadline (seed 002)."""
    return min(sent_at + policy.answer_window, ship_by)


# --- changing a negotiation ------------------------------------------------------------


def _card_data(card: CardLike, **extra: Any) -> dict[str, Any]:
    return {"card_id": getattr(card, "id", None), "seq": card.seq,
            "proposed_ship_by": iso_utc(card.proposed_ship_by), **extra}


def _close_card(negotiation: NegotiationLike, at: datetime,
                policy: Policy) -> list[DomainEvent]:
    """After a card closes without agreement: reopen, or fail if no card is left."""
    fire(NEGOTIATION_MACHINE, negotiation, "card_closed",
         cards_left=cards_left(negotiation, policy))
    if negotiation.state is NegotiationState.FAILED:
        return [DomainEvent("negotiation.failed", at, {"reason": "cards_exhausted"}, SYSTEM)]
    return []


def settle(order: OrderLike, negotiation: NegotiationLike, now: datetime,
           policy: Policy) -> list[DomainEvent]:
    """Apply what time has made due: card expiry, then the deadline lapse.

    Called before every read and every action, so no rule depends on a sweep having
    run; the sweep calls it too. Events carry the instant each thing took effect.
    """
    events: list[DomainEvent] = []
    card = pending_card(negotiation)
    if card is not None and _lapsed(card, now):
        fire(CARD_MACHINE, card, "expire")
        events.append(DomainEvent("card.expired", card.expires_at, _card_data(card), SYSTEM))
        events += _close_card(negotiation, card.expires_at, policy)
    if _deadline_passed(order, negotiation, now):
        fire(NEGOTIATION_MACHINE, negotiation, "lapse")
        events.append(DomainEvent("negotiation.failed", order.ship_by,
                                  {"reason": "deadline_passed"}, SYSTEM))
    return events


def expiring_soon(card: CardLike, now: datetime, policy: Policy) -> DomainEvent | None:
    """The notice that a pending card lapses soon (RULES.md §6): once per card, from
    ``expiry_notice_lead`` before it lapses until it does."""
    if (card.state is not CardState.PENDING or card.expiry_noticed_at is not None
            or not card.expires_at - policy.expiry_notice_lead <= now < card.expires_at):
        return None
    card.expiry_noticed_at = now
    return DomainEvent("card.expiring_soon", now,
                       _card_data(card, expires_at=iso_utc(card.expires_at)), SYSTEM)


def is_due(order: OrderLike, negotiation: NegotiationLike, now: datetime) -> bool:
    """Whether :func:`settle` would change anything: lets readers skip locking. Its two
    tests are settle's own; a card that lapses leaves the negotiation open only once no
    card is pending, so asking the second before the first has run loses nothing."""
    card = pending_card(negotiation)
    return (card is not None and _lapsed(card, now)) or _deadline_passed(order, negotiation, now)


def _lapsed(card: CardLike, now: datetime) -> bool:
    return now >= card.expires_at


def _deadline_passed(order: OrderLike, negotiation: NegotiationLike, now: datetime) -> bool:
    return (negotiation.state is NegotiationState.OPEN
            and order.status is OrderStatus.AWAITING_SHIPMENT and now >= order.ship_by)


def propose(caller: Caller, store: StoreLike, order: OrderLike,
            negotiation: NegotiationLike, *, proposed_ship_by: datetime,
            reason: CardReason, remark: str, now: datetime, policy: Policy,
            new_card: Callable[..., Any]) -> tuple[Any, list[DomainEvent]]:
    """Send a card; ``new_card`` builds the card object from its fields."""
    refusal = propose_refusal(caller, store, order, negotiation, now, policy, proposed_ship_by)
    if refusal is not None:
        raise refusal
    card = new_card(
        seq=len(negotiation.cards) + 1, state=CardState.PENDING,
        proposed_ship_by=proposed_ship_by, reason=reason, remark=remark,
        sent_by=caller.account_id, sent_at=now,
        expires_at=card_expires_at(now, order.ship_by, policy),
    )
    negotiation.cards.append(card)
    fire(NEGOTIATION_MACHINE, negotiation, "send_card")
    return card, [DomainEvent("card.sent", now, _card_data(
        card, reason=reason.value, expires_at=iso_utc(card.expires_at)))]


def accept(caller: Caller, order: OrderLike, negotiation: NegotiationLike, card: Any,
           now: datetime) -> list[DomainEvent]:
    refusal = answer_refusal(caller, order, card, now)
    if refusal is not None:
        raise refusal
    fire(CARD_MACHINE, card, "accept")
    card.answered_at = now
    fire(NEGOTIATION_MACHINE, negotiation, "agree")
    return [
        DomainEvent("card.accepted", now, _card_data(card)),
        DomainEvent("negotiation.agreed", now,
                    {"agreed_ship_by": iso_utc(card.proposed_ship_by)}),
        *move_deadline(order, card.proposed_ship_by, now),
    ]


def move_deadline(order: OrderLike, agreed: datetime | None,
                  now: datetime) -> list[DomainEvent]:
    """Resolve the order's deadline again from its candidates; an event if it changed."""
    previous, previous_source = order.ship_by, order.ship_by_source
    deadline = resolve_ship_by(order.original_ship_by, agreed=agreed,
                               reported=order.reported_ship_by,
                               extended=order.extended_ship_by)
    order.ship_by, order.ship_by_source = deadline.at, deadline.source
    if (deadline.at, deadline.source) == (previous, previous_source):
        return []
    return [DomainEvent("order.deadline_changed", now, {
        "from": iso_utc(previous), "to": iso_utc(deadline.at),
        "source": deadline.source.value})]


def reject(caller: Caller, order: OrderLike, negotiation: NegotiationLike, card: Any,
           now: datetime, policy: Policy, *, note: str | None = None,
           preferred_ship_by: datetime | None = None) -> list[DomainEvent]:
    refusal = answer_refusal(caller, order, card, now)
    if refusal is not None:
        raise refusal
    if preferred_ship_by is not None and preferred_ship_by <= now:
        raise InvalidInput("preferred_ship_by must be in the future.", field="preferred_ship_by")
    fire(CARD_MACHINE, card, "reject")
    card.answered_at, card.buyer_note, card.preferred_ship_by = now, note, preferred_ship_by
    extra: dict[str, Any] = {"note": note}
    if preferred_ship_by is not None:
        extra["preferred_ship_by"] = iso_utc(preferred_ship_by)
    return [DomainEvent("card.rejected", now, _card_data(card, **extra)),
            *_close_card(negotiation, now, policy)]


def withdraw(caller: Caller, order: OrderLike, negotiation: NegotiationLike, card: Any,
             now: datetime, policy: Policy) -> list[DomainEvent]:
    refusal = withdraw_refusal(caller, order, card, now)
    if refusal is not None:
        raise refusal
    fire(CARD_MACHINE, card, "withdraw")
    card.answered_at = now
    return [DomainEvent("card.withdrawn", now, _card_data(card)),
            *_close_card(negotiation, now, policy)]


def _end_negotiation(negotiation: NegotiationLike, at: datetime,
                     reason: str) -> list[DomainEvent]:
    """The order is done with: a pending card is voided, an unfinished negotiation closes."""
    events: list[DomainEvent] = []
    card = pending_card(negotiation)
    if card is not None:
        fire(CARD_MACHINE, card, "void")
        events.append(DomainEvent("card.voided", at, _card_data(card), SYSTEM))
    if negotiation.state in (NegotiationState.OPEN, NegotiationState.AWAITING_BUYER):
        fire(NEGOTIATION_MACHINE, negotiation, "close")
        events.append(DomainEvent("negotiation.closed", at, {"reason": reason}, SYSTEM))
    return events


def close_unshipped(order: OrderLike, negotiation: NegotiationLike,
                    at: datetime) -> list[DomainEvent]:
    """Close an order never shipped (seed 004's automatic close after 150 days)."""
    events = _end_negotiation(negotiation, at, "order_closed")
    order.status = OrderStatus.CLOSED
    return [*events, DomainEvent("order.closed", at, {"reason": "not_shipped_in_time"},
                                 SYSTEM)]


def ship(caller: Caller, order: OrderLike, negotiation: NegotiationLike, now: datetime,
         *, carrier: str, tracking_no: str) -> list[DomainEvent]:
    """Ship the order: a pending card is voided and an unfinished negotiation closes."""
    refusal = ship_refusal(caller, order)
    if refusal is not None:
        raise refusal
    events = _end_negotiation(negotiation, now, "order_shipped")
    order.status, order.shipped_at = OrderStatus.SHIPPED, now
    events.append(DomainEvent("order.shipped", now, {
        "carrier": carrier, "tracking_no": tracking_no,
        "late": not is_met(now, order.ship_by), "ship_by": iso_utc(order.ship_by)}))
    return events
