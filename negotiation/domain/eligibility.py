"""Who may do what to a negotiation now (RULES.md §2 and §5), and why not.

Every check returns the first rule that forbids the action, in the rule book's order, as a
:class:`DomainError` whose ``code`` API.md fixes, or None. The state changes of
:mod:`negotiation.domain.negotiating` raise the same refusals, and
:func:`available_actions` reports them, so a button and the action it stands for always
give the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from negotiation.clock import iso_utc
from negotiation.domain import errors
from negotiation.domain.caller import Caller
from negotiation.domain.enums import Action, CardState, OrderKind, OrderStatus, Role
from negotiation.domain.errors import DomainError, Forbidden, Refused
from negotiation.domain.policy import Policy
from negotiation.domain.protocols import CardLike, NegotiationLike, OrderLike, StoreLike

# --- reading a negotiation -------------------------------------------------------------


def pending_card(negotiation: NegotiationLike) -> Any | None:
    return next((c for c in negotiation.cards if c.state is CardState.PENDING), None)


def accepted_card(negotiation: NegotiationLike) -> Any | None:
    return next((c for c in negotiation.cards if c.state is CardState.ACCEPTED), None)


def latest_card(negotiation: NegotiationLike) -> Any | None:
    return max(negotiation.cards, key=lambda c: c.seq, default=None)


def cards_left(negotiation: NegotiationLike, policy: Policy) -> int:
    return max(policy.max_cards - len(negotiation.cards), 0)


# --- the proposal window --------------------------------------------------------------


@dataclass(frozen=True)
class ProposalWindow:
    """When a card may be sent and which times it may propose (rules 3 and 8).

    The refusals below and the bounds ``actions`` announces are both read from here, so
    a date picker drawn from the bounds can propose nothing the rules refuse.
    """

    send_before: datetime
    """Exclusive: the current ship deadline less the lead (rule 3)."""
    earliest: datetime
    """Exclusive: the current ship deadline (rule 8)."""
    latest: datetime
    """Inclusive: the horizon after the original deadline (rule 8)."""

    @property
    def is_empty(self) -> bool:
        return self.latest <= self.earliest

    def sending_refusal(self, now: datetime, policy: Policy) -> DomainError | None:
        if now < self.send_before:
            return None
        lead = f" less {policy.proposal_lead}" if policy.proposal_lead else ""
        return Refused(f"A card must be sent before the ship deadline{lead} "
                       f"({iso_utc(self.earliest)}).", code=errors.PAST_SHIP_DEADLINE)

    def range_refusal(self, proposed: datetime | None, now: datetime,
                      policy: Policy) -> DomainError | None:
        """Why ``proposed`` falls outside the window; without a time, whether any fits."""
        if proposed is None:
            problem = None if not self.is_empty else (
                f"has no possible value: the current ship deadline {iso_utc(self.earliest)} "
                f"is not before the latest allowed time {iso_utc(self.latest)}")
        elif proposed <= self.earliest:
            problem = f"must be after the current ship deadline {iso_utc(self.earliest)}"
        elif proposed > self.latest:
            problem = (f"must be at most {policy.proposal_horizon.days} days after the "
                       f"original deadline, i.e. not after {iso_utc(self.latest)}")
        elif proposed <= now:
            problem = "must be in the future"
        else:
            problem = None
        if problem is None:
            return None
        return Refused(f"proposed_ship_by {problem}.", code=errors.PROPOSAL_OUT_OF_RANGE,
                       field="proposed_ship_by")


def proposal_window(order: OrderLike, policy: Policy) -> ProposalWindow:
    return ProposalWindow(send_before=order.ship_by - policy.proposal_lead,
                          earliest=order.ship_by,
                          latest=order.original_ship_by + policy.proposal_horizon)


# --- the refusals ----------------------------------------------------------------------


def propose_refusal(caller: Caller, store: StoreLike, order: OrderLike,
                    negotiation: NegotiationLike, now: datetime, policy: Policy,
                    proposed_ship_by: datetime | None = None) -> DomainError | None:
    """The first rule of RULES.md §2 that forbids a new card, or None.

    Without ``proposed_ship_by`` rule 8 only asks whether any time fits: that is what
    ``actions`` reports before the seller has picked a date. The order is the rule
    book's, which the API promises: a revoked tool (rule 1) is reported even before the
    caller's role.
    """
    if not store.negotiation_enabled:
        return Refused("The platform has revoked this store's negotiation tool.",
                       code=errors.NEGOTIATION_REVOKED)
    if not caller.is_seller_of(order.store_id):
        return Forbidden("Only the store's owner or its agents may send proposal cards.")
    if order.status is not OrderStatus.AWAITING_SHIPMENT:
        return Refused(f"The order is {order.status.value}, not awaiting shipment.",
                       code=errors.ORDER_NOT_AWAITING_SHIPMENT)
    window = proposal_window(order, policy)
    if (too_late := window.sending_refusal(now, policy)) is not None:
        return too_late
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
    return window.range_refusal(proposed_ship_by, now, policy)


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
    card = answerable_card(negotiation)
    answer = answer_refusal(caller, order, card, now)
    return {
        Action.PROPOSE: propose_refusal(caller, store, order, negotiation, now, policy),
        Action.ACCEPT: answer,
        Action.REJECT: answer,
        Action.WITHDRAW: withdraw_refusal(caller, order, card, now),
        Action.FILE_DELAY_REPORT: delay_report_refusal(caller, order, report_covering),
        Action.SHIP: ship_refusal(caller, order),
    }


def answerable_card(negotiation: NegotiationLike) -> Any | None:
    """The card an answer or a withdrawal is about: the pending one, else the latest."""
    return pending_card(negotiation) or latest_card(negotiation)


def action_limits(order: OrderLike, negotiation: NegotiationLike, policy: Policy,
                  refusals: dict[Action, DomainError | None]) -> dict[Action, dict[str, datetime]]:
    """The instants that bound each allowed action, from the same values its refusal
    checks: a new card's window (:func:`proposal_window`) and, for an answer or a
    withdrawal, the card's ``expires_at`` (:func:`card_open_refusal`), both exclusive."""
    limits: dict[Action, dict[str, datetime]] = {}
    if refusals[Action.PROPOSE] is None:
        window = proposal_window(order, policy)
        limits[Action.PROPOSE] = {"earliest": window.earliest, "latest": window.latest,
                                  "send_before": window.send_before}
    card = answerable_card(negotiation)
    for action in (Action.ACCEPT, Action.REJECT, Action.WITHDRAW):
        if refusals[action] is None and card is not None:
            limits[action] = {"until": card.expires_at}
    return limits


# --- a store's record ------------------------------------------------------------------


def is_abusive(decided: Sequence[CardState], policy: Policy) -> bool:
    """§2.4: the store's latest decided cards were mostly rejected or expired."""
    if len(decided) < policy.abuse_sample:
        return False
    sample = decided[: policy.abuse_sample]
    refused = sum(s in (CardState.REJECTED, CardState.EXPIRED) for s in sample)
    return refused >= policy.abuse_ratio * len(sample)
