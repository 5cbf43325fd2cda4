"""RULES.md §2: who may send a card, when, and which refusal code names the first failure."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from negotiation.domain import eligibility, errors
from negotiation.domain import negotiating as rules
from negotiation.domain.caller import Caller
from negotiation.domain.enums import CardReason, CardState, NegotiationState, OrderKind, OrderStatus
from negotiation.domain.errors import DomainError, Forbidden, Refused
from negotiation.domain.policy import Policy
from tests.unit.fakes import (
    ADMIN,
    AGENT,
    BUYER,
    DEADLINE,
    OTHER_OWNER,
    OWNER,
    POLICY,
    REVIEWER,
    START,
    FakeNegotiation,
    FakeOrder,
    FakeStore,
    card,
    order,
)

GOOD = DEADLINE + timedelta(days=1)


def refusal(*, store: FakeStore | None = None, o: FakeOrder | None = None,
            n: FakeNegotiation | None = None, caller: Caller = OWNER, now: datetime = START,
            proposed: datetime | None = GOOD, policy: Policy = POLICY) -> DomainError | None:
    return eligibility.propose_refusal(caller, store or FakeStore(), o or order(),
                                       n or FakeNegotiation(), now, policy, proposed)


def code(**situation: object) -> str | None:
    found = refusal(**situation)  # type: ignore[arg-type]
    return None if found is None else found.code


def negotiation_with(*states: CardState) -> FakeNegotiation:
    cards = [card(seq=i, state=s) for i, s in enumerate(states, start=1)]
    pending = any(s is CardState.PENDING for s in states)
    agreed = any(s is CardState.ACCEPTED for s in states)
    state = (NegotiationState.AGREED if agreed else
             NegotiationState.AWAITING_BUYER if pending else NegotiationState.OPEN)
    return FakeNegotiation(state=state, cards=cards)


# --- the baseline every refusal below departs from ------------------------------------


def test_an_owner_may_send_a_card_on_a_fresh_physical_order():
    assert refusal() is None


def test_an_agent_of_the_store_may_send_a_card():
    assert refusal(caller=AGENT) is None


# --- rule 1: the store's tool is not revoked ------------------------------------------


def test_a_revoked_store_is_refused_with_negotiation_revoked():
    found = refusal(store=FakeStore(negotiation_enabled=False))
    assert isinstance(found, Refused)
    assert found.code == errors.NEGOTIATION_REVOKED == "negotiation_revoked"


# --- rule 2: the caller is the store's owner or agent ---------------------------------


@pytest.mark.parametrize("caller", [BUYER, REVIEWER, ADMIN, OTHER_OWNER],
                         ids=["buyer", "reviewer", "admin", "other-store-owner"])
def test_anyone_but_the_stores_sellers_is_forbidden_to_send_a_card(caller):
    found = refusal(caller=caller)
    assert isinstance(found, Forbidden)
    assert found.code == "forbidden"


# --- rule 3: awaiting shipment, and before the current deadline -----------------------


@pytest.mark.parametrize("status", [OrderStatus.SHIPPED, OrderStatus.CLOSED])
def test_an_order_not_awaiting_shipment_is_refused(status):
    assert code(o=order(status=status)) == "order_not_awaiting_shipment"


def test_a_card_sent_exactly_at_the_ship_deadline_is_refused():
    assert code(now=DEADLINE) == "past_ship_deadline"


def test_a_card_sent_one_second_before_the_ship_deadline_is_allowed():
    assert refusal(now=DEADLINE - timedelta(seconds=1)) is None


def test_a_card_sent_after_the_ship_deadline_is_refused():
    assert code(now=DEADLINE + timedelta(hours=1)) == "past_ship_deadline"


def test_the_deadline_checked_is_the_current_one_not_the_original():
    extended = order(original_ship_by=DEADLINE, ship_by=DEADLINE + timedelta(days=2))
    assert refusal(o=extended, now=DEADLINE + timedelta(hours=1),
                   proposed=DEADLINE + timedelta(days=3)) is None


def test_the_proposal_lead_policy_refuses_a_card_sent_exactly_lead_before_the_deadline():
    policy = Policy(proposal_lead=timedelta(hours=4))
    assert code(now=DEADLINE - timedelta(hours=4), policy=policy) == "past_ship_deadline"


def test_the_proposal_lead_policy_allows_a_card_sent_just_before_the_lead():
    policy = Policy(proposal_lead=timedelta(hours=4))
    assert refusal(now=DEADLINE - timedelta(hours=4, seconds=1), policy=policy) is None


def test_the_default_lead_is_zero():
    assert POLICY.proposal_lead == timedelta(0)


# --- rule 4: physical orders only -----------------------------------------------------


@pytest.mark.parametrize("kind", [OrderKind.VIRTUAL, OrderKind.SCHEDULED_DELIVERY])
def test_virtual_and_scheduled_delivery_orders_are_excluded(kind):
    assert code(o=order(kind=kind)) == "order_kind_excluded"


# --- rule 5: at most 3 cards ----------------------------------------------------------


def test_a_fourth_card_is_refused_with_card_limit_reached():
    n = negotiation_with(CardState.REJECTED, CardState.EXPIRED, CardState.WITHDRAWN)
    n.state = NegotiationState.FAILED
    assert code(n=n) == "card_limit_reached"


def test_a_third_card_is_allowed_after_two_closed_without_agreement():
    assert refusal(n=negotiation_with(CardState.REJECTED, CardState.WITHDRAWN)) is None


def test_the_card_limit_is_configurable():
    n = negotiation_with(CardState.REJECTED)
    assert code(n=n, policy=Policy(max_cards=1)) == "card_limit_reached"
    assert refusal(n=n, policy=Policy(max_cards=2)) is None


# --- rule 6: no renegotiation after agreement -----------------------------------------


def test_after_an_accepted_card_a_new_card_is_refused_with_already_agreed():
    assert code(n=negotiation_with(CardState.REJECTED, CardState.ACCEPTED)) == "already_agreed"


# --- rule 7: one open card at a time --------------------------------------------------


def test_while_a_card_is_pending_a_new_card_is_refused_with_card_pending():
    assert code(n=negotiation_with(CardState.REJECTED, CardState.PENDING)) == "card_pending"


# --- rule 8: the proposed time ---------------------------------------------------------


def test_a_proposal_equal_to_the_current_deadline_is_out_of_range():
    found = refusal(proposed=DEADLINE)
    assert found is not None and found.code == "proposal_out_of_range"
    assert found.field == "proposed_ship_by"


def test_a_proposal_one_second_after_the_current_deadline_is_allowed():
    assert refusal(proposed=DEADLINE + timedelta(seconds=1)) is None


def test_a_proposal_exactly_30_days_after_the_original_deadline_is_allowed():
    assert refusal(proposed=DEADLINE + timedelta(days=30)) is None


def test_a_proposal_30_days_and_1_second_after_the_original_deadline_is_out_of_range():
    assert code(proposed=DEADLINE + timedelta(days=30, seconds=1)) == "proposal_out_of_range"


def test_the_30_days_count_from_the_original_deadline_not_the_current_one():
    moved = order(original_ship_by=DEADLINE, ship_by=DEADLINE + timedelta(days=10))
    assert refusal(o=moved, proposed=DEADLINE + timedelta(days=30)) is None
    assert code(o=moved, proposed=DEADLINE + timedelta(days=30, seconds=1)) == (
        "proposal_out_of_range")


def test_a_proposal_in_the_past_is_out_of_range():
    assert code(proposed=START - timedelta(hours=1)) == "proposal_out_of_range"


def test_a_proposal_at_now_is_out_of_range():
    assert code(proposed=START) == "proposal_out_of_range"


def test_the_proposal_horizon_is_configurable():
    policy = Policy(proposal_horizon=timedelta(days=5))
    assert refusal(proposed=DEADLINE + timedelta(days=5), policy=policy) is None
    assert code(proposed=DEADLINE + timedelta(days=5, seconds=1), policy=policy) == (
        "proposal_out_of_range")


def test_without_a_proposed_time_only_rules_1_to_7_are_checked():
    assert refusal(proposed=None) is None
    assert code(proposed=None, n=negotiation_with(CardState.PENDING)) == "card_pending"


# --- the first failing rule is the one reported ----------------------------------------

def _situation(broken: set[str]) -> dict[str, object]:
    o = order(status=OrderStatus.SHIPPED if "status" in broken else OrderStatus.AWAITING_SHIPMENT,
              kind=OrderKind.VIRTUAL if "kind" in broken else OrderKind.PHYSICAL)
    cards = {"limit": (CardState.REJECTED, CardState.ACCEPTED, CardState.PENDING),
             "agreed": (CardState.ACCEPTED,), "pending": (CardState.PENDING,)}
    chosen: tuple[CardState, ...] = ()
    for name in ("limit", "agreed", "pending"):
        if name in broken:
            chosen = cards[name]
            break
    return {
        "store": FakeStore(negotiation_enabled="store" not in broken),
        "caller": BUYER if "caller" in broken else OWNER,
        "o": o,
        "n": negotiation_with(*chosen),
        "now": DEADLINE if "now" in broken else START,
        "proposed": DEADLINE if "proposed" in broken else GOOD,
    }


RULE_ORDER = ["store", "caller", "status", "now", "kind", "limit", "agreed", "pending",
              "proposed"]
RULE_CODES = {"store": "negotiation_revoked", "caller": "forbidden",
              "status": "order_not_awaiting_shipment", "now": "past_ship_deadline",
              "kind": "order_kind_excluded", "limit": "card_limit_reached",
              "agreed": "already_agreed", "pending": "card_pending",
              "proposed": "proposal_out_of_range"}


@pytest.mark.parametrize("first", RULE_ORDER)
def test_when_this_and_every_later_rule_fail_this_rules_code_is_reported(first):
    broken = set(RULE_ORDER[RULE_ORDER.index(first):])
    assert code(**_situation(broken)) == RULE_CODES[first]


@pytest.mark.parametrize("first", RULE_ORDER)
def test_each_rule_alone_reports_its_own_code(first):
    assert code(**_situation({first})) == RULE_CODES[first]


def test_a_revoked_store_is_reported_before_a_buyer_is_forbidden():
    assert code(store=FakeStore(negotiation_enabled=False), caller=BUYER) == (
        "negotiation_revoked")


def test_a_pending_card_is_reported_before_an_out_of_range_proposal():
    assert code(n=negotiation_with(CardState.PENDING), proposed=DEADLINE) == "card_pending"


def test_propose_raises_the_refusal_and_changes_nothing():
    o, n = order(), negotiation_with(CardState.PENDING)
    before = (n.state, list(n.cards), o.ship_by)
    with pytest.raises(Refused) as raised:
        rules.propose(OWNER, FakeStore(), o, n, proposed_ship_by=GOOD,
                      reason=CardReason.OTHER, remark="", now=START, policy=POLICY,
                      new_card=lambda **kw: pytest.fail("no card may be built"))
    assert raised.value.code == "card_pending"
    assert (n.state, n.cards, o.ship_by) == before


def test_card_limit_is_reported_before_already_agreed_and_card_pending():
    assert code(n=negotiation_with(CardState.REJECTED, CardState.ACCEPTED,
                                   CardState.PENDING)) == "card_limit_reached"


def test_past_deadline_is_reported_before_kind_exclusion():
    assert code(o=order(kind=OrderKind.VIRTUAL), now=DEADLINE) == "past_ship_deadline"
