"""Random walks through one order's negotiation, checking the invariants after every step.

The machine drives the rules directly (plain fakes, no database) the way the services
do: settle what time has made due, then act. Refusals are legitimate outcomes, but a
refusal must leave everything exactly as it was.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from negotiation.domain import eligibility
from negotiation.domain import negotiating as rules
from negotiation.domain.enums import (
    Action,
    CardReason,
    CardState,
    NegotiationState,
    OrderStatus,
    ShipBySource,
)
from negotiation.domain.errors import DomainError
from negotiation.domain.machine import CARD_MACHINE, NEGOTIATION_MACHINE, final_states
from negotiation.domain.policy import Policy
from tests.unit.fakes import (
    AGENT,
    BUYER,
    DEADLINE,
    OWNER,
    REVIEWER,
    START,
    FakeCard,
    FakeNegotiation,
    FakeStore,
    order,
)

POLICY = Policy()
FINAL_NEGOTIATION = final_states(NEGOTIATION_MACHINE)
FINAL_CARD = final_states(CARD_MACHINE)
N, C = NegotiationState, CardState

seconds = st.integers(min_value=1, max_value=8 * 3600).map(lambda s: timedelta(seconds=s))
# Proposals mostly in range, and often on the edges: the current deadline, the 30-day
# horizon, now, or well outside.
EDGES = [("ship_by", timedelta(0)), ("ship_by", timedelta(seconds=1)),
         ("horizon", timedelta(0)), ("horizon", timedelta(seconds=1)),
         ("now", timedelta(0)), ("now", timedelta(seconds=-1))]
proposals = st.one_of(
    st.integers(min_value=1, max_value=25 * 86400).map(
        lambda s: ("ship_by", timedelta(seconds=s))),
    st.sampled_from(EDGES),
    st.tuples(st.sampled_from(["ship_by", "horizon", "now"]),
              st.integers(min_value=-3 * 86400, max_value=3 * 86400).map(
                  lambda s: timedelta(seconds=s))),
)


class NegotiationWalk(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now: datetime = START
        self.store = FakeStore()
        self.order = order(original_ship_by=DEADLINE)
        self.negotiation = FakeNegotiation()
        self.deadline_at_send: dict[int, datetime] = {}
        self.finals: dict[str, Any] = {}
        self.refused_codes: set[str] = set()

    # --- how the services drive the rules -------------------------------------------------

    def settle(self) -> None:
        rules.settle(self.order, self.negotiation, self.now, POLICY)
        card = eligibility.pending_card(self.negotiation)
        assert card is None or self.now < card.expires_at
        assert not rules.is_due(self.order, self.negotiation, self.now)

    def snapshot(self) -> Any:
        return (copy.deepcopy(self.order), self.negotiation.state,
                [copy.deepcopy(vars(c)) for c in self.negotiation.cards])

    def attempt(self, act: Any) -> Any:
        """Run ``act``; a refusal is fine as long as it changed nothing."""
        before = self.snapshot()
        try:
            return act()
        except DomainError as refusal:
            assert self.snapshot() == before, f"{refusal.code} left changes behind"
            self.refused_codes.add(refusal.code)
            return None

    # --- the actions ----------------------------------------------------------------------

    @rule(proposal=proposals, caller=st.sampled_from([OWNER, OWNER, AGENT, BUYER]))
    def propose(self, proposal: tuple[str, timedelta], caller: Any) -> None:
        self.settle()
        anchor, offset = proposal
        base = {"ship_by": self.order.ship_by, "now": self.now,
                "horizon": self.order.original_ship_by + POLICY.proposal_horizon}[anchor]
        proposed = base + offset
        expected = self.expected_propose_code(caller, proposed)
        ship_by_now = self.order.ship_by
        result = self.attempt(lambda: rules.propose(
            caller, self.store, self.order, self.negotiation, proposed_ship_by=proposed,
            reason=CardReason.STOCK_SHORTAGE, remark="", now=self.now, policy=POLICY,
            new_card=FakeCard))
        if result is None:
            refusal = eligibility.propose_refusal(caller, self.store, self.order, self.negotiation,
                                                  self.now, POLICY, proposed)
            assert refusal is not None and refusal.code == expected
        else:
            assert expected is None
            card, _ = result
            self.deadline_at_send[card.id] = ship_by_now
            assert card.expires_at == min(self.now + POLICY.answer_window, ship_by_now)

    def expected_propose_code(self, caller: Any, proposed: datetime) -> str | None:
        """RULES.md §2 restated independently, in its order."""
        o, cards = self.order, self.negotiation.cards
        states = [c.state for c in cards]
        if caller not in (OWNER, AGENT):
            return "forbidden"
        if o.status is not OrderStatus.AWAITING_SHIPMENT:
            return "order_not_awaiting_shipment"
        if not self.now < o.ship_by:
            return "past_ship_deadline"
        if len(cards) >= 3:
            return "card_limit_reached"
        if C.ACCEPTED in states:
            return "already_agreed"
        if C.PENDING in states:
            return "card_pending"
        if not (o.ship_by < proposed <= o.original_ship_by + timedelta(days=30)
                and proposed > self.now):
            return "proposal_out_of_range"
        return None

    @precondition(lambda self: self.negotiation.cards)
    @rule(accept=st.booleans(), preferred=st.one_of(st.none(), st.integers(-86400, 86400)),
          caller=st.sampled_from([BUYER, BUYER, BUYER, OWNER]))
    def answer(self, accept: bool, preferred: int | None, caller: Any) -> None:
        self.settle()
        card = eligibility.latest_card(self.negotiation)
        was_pending = card.state is C.PENDING
        if accept:
            done = self.attempt(lambda: rules.accept(caller, self.order, self.negotiation,
                                                     card, self.now))
        else:
            hint = None if preferred is None else self.now + timedelta(seconds=preferred)
            done = self.attempt(lambda: rules.reject(
                caller, self.order, self.negotiation, card, self.now, POLICY,
                note="no", preferred_ship_by=hint))
        if done is not None:
            assert was_pending and caller is BUYER
            assert card.answered_at == self.now
            assert card.state is (C.ACCEPTED if accept else C.REJECTED)

    @precondition(lambda self: self.negotiation.cards)
    @rule(caller=st.sampled_from([OWNER, AGENT, BUYER, REVIEWER]))
    def withdraw(self, caller: Any) -> None:
        self.settle()
        card = eligibility.latest_card(self.negotiation)
        done = self.attempt(lambda: rules.withdraw(caller, self.order, self.negotiation,
                                                   card, self.now, POLICY))
        if done is not None:
            assert card.state is C.WITHDRAWN and caller in (OWNER, AGENT)

    @rule(caller=st.sampled_from([OWNER, AGENT, BUYER]),
          now=st.integers(min_value=0, max_value=3))
    def ship(self, caller: Any, now: int) -> None:
        """Shipping ends the walk's interest, so it is tried one time in four."""
        self.settle()
        if now:
            return
        pending = eligibility.pending_card(self.negotiation)
        done = self.attempt(lambda: rules.ship(caller, self.order, self.negotiation,
                                               self.now, carrier="SF", tracking_no="T"))
        if done is not None:
            assert self.order.status is OrderStatus.SHIPPED
            assert pending is None or pending.state is C.VOIDED
            assert self.negotiation.state in FINAL_NEGOTIATION

    @rule(step=seconds)
    def wait(self, step: timedelta) -> None:
        self.now += step

    @rule(to=st.sampled_from(["expiry", "just_before_expiry", "deadline",
                              "just_before_deadline"]))
    def wait_until(self, to: str) -> None:
        card = eligibility.pending_card(self.negotiation)
        target = {
            "expiry": card.expires_at if card else None,
            "just_before_expiry": card.expires_at - timedelta(seconds=1) if card else None,
            "deadline": self.order.ship_by,
            "just_before_deadline": self.order.ship_by - timedelta(seconds=1),
        }[to]
        if target is not None and target > self.now:
            self.now = target

    @rule()
    def read(self) -> None:
        """A read settles too, and reports actions the rules agree with."""
        self.settle()
        actions = eligibility.available_actions(OWNER, self.store, self.order, self.negotiation,
                                                self.now, POLICY)
        assert (actions[Action.PROPOSE] is None) == (
            eligibility.propose_refusal(OWNER, self.store, self.order, self.negotiation, self.now,
                                        POLICY) is None)

    # --- what must always hold ------------------------------------------------------------

    @invariant()
    def at_most_three_cards_numbered_one_to_n(self) -> None:
        cards = self.negotiation.cards
        assert len(cards) <= POLICY.max_cards
        assert [c.seq for c in cards] == list(range(1, len(cards) + 1))

    @invariant()
    def at_most_one_pending_and_one_accepted(self) -> None:
        states = [c.state for c in self.negotiation.cards]
        assert states.count(C.PENDING) <= 1
        assert states.count(C.ACCEPTED) <= 1
        assert all(s is C.PENDING or s in FINAL_CARD for s in states)

    @invariant()
    def negotiation_state_matches_the_cards(self) -> None:
        state, states = self.negotiation.state, [c.state for c in self.negotiation.cards]
        assert (state is N.AWAITING_BUYER) == (C.PENDING in states)
        assert (state is N.AGREED) == (C.ACCEPTED in states)
        if state is N.FAILED:
            assert len(states) == POLICY.max_cards or self.now >= self.order.ship_by
        if state is N.CLOSED:
            assert self.order.status is OrderStatus.SHIPPED
        if self.order.status is OrderStatus.SHIPPED:
            assert state in FINAL_NEGOTIATION
            assert C.PENDING not in states

    @invariant()
    def final_states_never_change(self) -> None:
        if self.negotiation.state in FINAL_NEGOTIATION:
            self.finals.setdefault("negotiation", self.negotiation.state)
        if "negotiation" in self.finals:
            assert self.negotiation.state is self.finals["negotiation"]
        for c in self.negotiation.cards:
            if c.state in FINAL_CARD:
                assert self.finals.setdefault(f"card{c.seq}", c.state) is c.state

    @invariant()
    def the_deadline_is_the_agreed_time_when_agreed_else_the_original(self) -> None:
        accepted = eligibility.accepted_card(self.negotiation)
        if accepted is not None:
            assert self.order.ship_by == accepted.proposed_ship_by
            assert self.order.ship_by_source is ShipBySource.AGREED_CARD
            assert self.order.ship_by > self.order.original_ship_by
        else:
            assert self.order.ship_by == self.order.original_ship_by
            assert self.order.ship_by_source is ShipBySource.ORIGINAL

    @invariant()
    def a_card_expires_no_later_than_the_deadline_it_was_sent_under(self) -> None:
        for c in self.negotiation.cards:
            assert c.expires_at <= self.deadline_at_send[c.id]
            assert c.expires_at <= c.sent_at + POLICY.answer_window
            assert c.sent_at < c.expires_at

    @invariant()
    def settling_leaves_no_pending_card_past_its_expiry(self) -> None:
        o, n = copy.deepcopy(self.order), copy.deepcopy(self.negotiation)
        rules.settle(o, n, self.now, POLICY)
        card = eligibility.pending_card(n)
        assert card is None or self.now < card.expires_at
        assert rules.settle(o, n, self.now, POLICY) == []


NegotiationWalk.TestCase.settings = settings(
    max_examples=200, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestNegotiationWalk = NegotiationWalk.TestCase
