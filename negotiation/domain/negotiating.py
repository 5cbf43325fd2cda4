"""The rules of negotiated shipping (RULES.md §2 and §5).

Every function takes ``now`` and the policy explicitly. Objects passed in only need the
attributes the rules read (the SQLAlchemy models have them, and so do the plain fakes in
the unit tests). Refusals are returned or raised as :class:`DomainError` values whose
``code`` is the one API.md fixes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from negotiation.clock import iso_utc
from negotiation.domain import errors
from negotiation.domain.deadlines import is_met, resolve_ship_by
from negotiation.domain.enums import (
    SELLER_ROLES,
    Action,
    CardReason,
    CardState,
    NegotiationState,
    OrderKind,
    OrderStatus,
    Role,
)
from negotiation.domain.errors import DomainError, Forbidden, InvalidInput, Refused
from negotiation.domain.machine import CARD_MACHINE, NEGOTIATION_MACHINE, fire
from negotiation.domain.policy import Policy


class StoreLike(Protocol):
    negotiation_enabled: bool


class OrderLike(Protocol):
    store_id: int
    buyer_id: int
    kind: OrderKind
    status: OrderStatus
    original_ship_by: datetime
    ship_by: datetime
    ship_by_source: Any
    reported_ship_by: datetime | None
    extended_ship_by: datetime | None
    shipped_at: datetime | None


class CardLike(Protocol):
    seq: int
    state: CardState
    proposed_ship_by: datetime
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    expiry_noticed_at: datetime | None


class NegotiationLike(Protocol):
    state: NegotiationState
    cards: list[Any]


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


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened to an order, stamped with when it took effect."""

    type: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    actor: str | None = None  # None: the caller of the use case that produced it


# --- reading a negotiation -------------------------------------------------------------


def pending_card(negotiation: NegotiationLike) -> Any | None:
    return next((c for c in negotiation.cards if c.state is CardState.PENDING), None)


def accepted_card(negotiation: NegotiationLike) -> Any | None:
    return next((c for c in negotiation.cards if c.state is CardState.ACCEPTED), None)


def latest_card(negotiation: NegotiationLike) -> Any | None:
    return max(negotiation.cards, key=lambda c: c.seq, default=None)


def cards_left(negotiation: NegotiationLike, policy: Policy) -> int:
    return max(policy.max_cards - len(negotiation.cards), 0)


def card_expires_at(sent_at: datetime, ship_by: datetime, policy: Policy) -> datetime:
    """The buyer must answer within the window *and* before the deadline (seed 002)."""
    return min(sent_at + policy.answer_window, ship_by)


# --- eligibility -----------------------------------------------------------------------


def propose_refusal(caller: Caller, store: StoreLike, order: OrderLike,
                    negotiation: NegotiationLike, now: datetime, policy: Policy,
                    proposed_ship_by: datetime | None = None) -> DomainError | None:
    """The first rule of RULES.md §2 that forbids a new card, or None.

    Without ``proposed_ship_by`` only rules 1-7 are checked: that is what ``actions``
    reports before the seller has picked a date. The order is the rule book's, which the
    API promises: a revoked tool (rule 1) is reported even before the caller's role.
    """
    if not store.negotiation_enabled:
        return Refused("The platform has revoked this store's negotiation tool.",
                       code=errors.NEGOTIATION_REVOKED)
    if not caller.is_seller_of(order.store_id):
        return Forbidden("Only the store's owner or its agents may send proposal cards.")
    if order.status is not OrderStatus.AWAITING_SHIPMENT:
        return Refused(f"The order is {order.status.value}, not awaiting shipment.",
                       code=errors.ORDER_NOT_AWAITING_SHIPMENT)
    if now >= order.ship_by - policy.proposal_lead:
        lead = f" less {policy.proposal_lead}" if policy.proposal_lead else ""
        return Refused(f"A card must be sent before the ship deadline{lead} "
                       f"({iso_utc(order.ship_by)}).", code=errors.PAST_SHIP_DEADLINE)
    if order.kind is not OrderKind.PHYSICAL:
        return Refused(f"{order.kind.value} orders cannot negotiate shipping.",
                       code=errors.ORDER_KIND_EXCLUDED)
    if len(negotiation.cards) >= policy.max_cards:
        return Refused(f"All {policy.max_cards} cards of this order have been sent.",
                       code=errors.CARD_LIMIT_REACHED)
    if accepted_card(negotiation) is not None:
        return Refused("The buyer already agreed; there is no renegotiation.",
                       code=errors.ALREADY_AGREED)
    if pending_card(negotiation) is not None:
        return Refused("A card is already waiting for the buyer's answer.",
                       code=errors.CARD_PENDING)
    if proposed_ship_by is not None:
        return proposal_range_refusal(order, proposed_ship_by, now, policy)
    return None


def proposal_range_refusal(order: OrderLike, proposed: datetime, now: datetime,
                           policy: Policy) -> DomainError | None:
    latest = order.original_ship_by + policy.proposal_horizon
    if proposed <= order.ship_by:
        problem = f"must be after the current ship deadline {iso_utc(order.ship_by)}"
    elif proposed > latest:
        problem = (f"must be at most {policy.proposal_horizon.days} days after the original "
                   f"deadline, i.e. not after {iso_utc(latest)}")
    elif proposed <= now:
        problem = "must be in the future"
    else:
        return None
    return Refused(f"proposed_ship_by {problem}.", code=errors.PROPOSAL_OUT_OF_RANGE,
                   field="proposed_ship_by")


def card_open_refusal(card: CardLike, now: datetime) -> DomainError | None:
    """A card can be answered or withdrawn only while pending and before it expires."""
    if card.state is CardState.EXPIRED or (
            card.state is CardState.PENDING and now >= card.expires_at):
        return Refused(f"Card {card.seq} expired at {iso_utc(card.expires_at)}.",
                       code=errors.CARD_EXPIRED)
    if card.state is not CardState.PENDING:
        return Refused(f"Card {card.seq} is {card.state.value}, not pending.",
                       code=errors.CARD_NOT_PENDING)
    return None


def answer_refusal(caller: Caller, order: OrderLike, card: CardLike | None,
                   now: datetime) -> DomainError | None:
    if caller.role is not Role.BUYER or caller.account_id != order.buyer_id:
        return Forbidden("Only the order's buyer may answer its cards.")
    if card is None:
        return Refused("No card is waiting for an answer.", code=errors.CARD_NOT_PENDING)
    return card_open_refusal(card, now)


def withdraw_refusal(caller: Caller, order: OrderLike, card: CardLike | None,
                     now: datetime) -> DomainError | None:
    if not caller.is_seller_of(order.store_id):
        return Forbidden("Only the store's owner or its agents may withdraw a card.")
    if card is None:
        return Refused("No card is waiting to be withdrawn.", code=errors.CARD_NOT_PENDING)
    return card_open_refusal(card, now)


def ship_refusal(caller: Caller, order: OrderLike) -> DomainError | None:
    if not caller.is_seller_of(order.store_id):
        return Forbidden("Only the store's owner or its agents may ship its orders.")
    if order.status is not OrderStatus.AWAITING_SHIPMENT:
        return Refused(f"The order is {order.status.value}, not awaiting shipment.",
                       code=errors.ORDER_NOT_AWAITING_SHIPMENT)
    return None


def report_applicability_problem(order: OrderLike) -> str | None:
    """Why a delay report can no longer name this order, or None."""
    if order.status is not OrderStatus.AWAITING_SHIPMENT:
        return f"is {order.status.value}; a report no longer applies to it"
    if order.kind is OrderKind.VIRTUAL:
        return "is virtual; it has nothing to ship"
    return None


def delay_report_refusal(caller: Caller, order: OrderLike,
                         covered_by: int | None = None) -> DomainError | None:
    """A report stays possible without negotiation, after failure and after agreement,
    until the order ships or closes or a shipment report (``covered_by``) covers it."""
    if not caller.is_seller_of(order.store_id):
        return Forbidden("Only the store's owner or its agents may file delay reports.")
    problem = report_applicability_problem(order)
    if problem is not None:
        return Refused(f"The order {problem}.", code=errors.REPORT_NOT_APPLICABLE)
    if covered_by is not None:
        return Refused(f"Delay report {covered_by} already covers the order.",
                       code=errors.REPORT_NOT_APPLICABLE)
    return None


def available_actions(caller: Caller, store: StoreLike, order: OrderLike,
                      negotiation: NegotiationLike, now: datetime, policy: Policy,
                      report_covering: int | None = None) -> dict[Action, DomainError | None]:
    """For each action, None when the caller may take it now, else the refusal.

    ``report_covering`` is a pending or approved shipment report naming the order.
    """
    card = pending_card(negotiation) or latest_card(negotiation)
    answer = answer_refusal(caller, order, card, now)
    return {
        Action.PROPOSE: propose_refusal(caller, store, order, negotiation, now, policy),
        Action.ACCEPT: answer,
        Action.REJECT: answer,
        Action.WITHDRAW: withdraw_refusal(caller, order, card, now),
        Action.FILE_DELAY_REPORT: delay_report_refusal(caller, order, report_covering),
        Action.SHIP: ship_refusal(caller, order),
    }


def is_abusive(decided: Sequence[CardState], policy: Policy) -> bool:
    """§2.4: the store's latest decided cards were mostly rejected or expired."""
    if len(decided) < policy.abuse_sample:
        return False
    sample = decided[: policy.abuse_sample]
    refused = sum(s in (CardState.REJECTED, CardState.EXPIRED) for s in sample)
    return refused >= policy.abuse_ratio * len(sample)


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
    if card is not None and now >= card.expires_at:
        fire(CARD_MACHINE, card, "expire")
        events.append(DomainEvent("card.expired", card.expires_at, _card_data(card), SYSTEM))
        events += _close_card(negotiation, card.expires_at, policy)
    if (negotiation.state is NegotiationState.OPEN
            and order.status is OrderStatus.AWAITING_SHIPMENT and now >= order.ship_by):
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
    """Whether :func:`settle` would change anything: lets readers skip locking."""
    card = pending_card(negotiation)
    return (card is not None and now >= card.expires_at) or (
        negotiation.state is NegotiationState.OPEN
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
