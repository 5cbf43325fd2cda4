"""The bounds ``actions`` announces are the rules' own: a picker drawn from them is never
refused, and every time outside them is."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from negotiation.domain import eligibility
from negotiation.domain.enums import Action, CardState
from negotiation.domain.policy import Policy
from tests.unit.fakes import (
    DEADLINE,
    OWNER,
    POLICY,
    START,
    FakeNegotiation,
    FakeStore,
    card,
    order,
)

SECOND = timedelta(seconds=1)


def limits(o, n=None, now=START, policy=POLICY):
    n = n or FakeNegotiation()
    refusals = eligibility.available_actions(OWNER, FakeStore(), o, n, now, policy)
    return refusals, eligibility.action_limits(o, n, policy, refusals)


def test_the_window_is_the_current_deadline_to_the_horizon_sent_before_the_lead():
    policy = Policy(proposal_lead=timedelta(hours=4))
    _, found = limits(order(), policy=policy)
    assert found[Action.PROPOSE] == {"earliest": DEADLINE,
                                     "latest": DEADLINE + timedelta(days=30),
                                     "send_before": DEADLINE - timedelta(hours=4)}


def test_no_window_is_announced_when_proposing_is_refused():
    n = FakeNegotiation(cards=[card(seq=1, state=CardState.PENDING)])
    refusals, found = limits(order(), n)
    assert refusals[Action.PROPOSE] is not None and Action.PROPOSE not in found


def test_an_empty_window_refuses_proposing_before_a_date_is_picked():
    beyond = order(original_ship_by=DEADLINE, ship_by=DEADLINE + timedelta(days=30))
    refusals, found = limits(beyond)
    assert refusals[Action.PROPOSE].code == "proposal_out_of_range"
    assert Action.PROPOSE not in found


def test_answers_and_withdrawal_last_until_the_cards_expiry():
    pending = card(seq=1, state=CardState.PENDING)
    o = order()
    n = FakeNegotiation(cards=[pending])
    _, found = limits(o, n)  # the owner: withdraw only
    assert found == {Action.WITHDRAW: {"until": pending.expires_at}}


@given(lead_hours=st.integers(0, 10), deadline_shift_days=st.integers(0, 20),
       now_before=st.integers(1, 60 * 60 * 60), pick=st.floats(0, 1))
def test_any_time_a_picker_built_from_actions_allows_is_never_refused(
        lead_hours, deadline_shift_days, now_before, pick):
    policy = Policy(proposal_lead=timedelta(hours=lead_hours))
    o = order(original_ship_by=DEADLINE,
              ship_by=DEADLINE + timedelta(days=deadline_shift_days))
    now = o.ship_by - timedelta(seconds=now_before)
    refusals, found = limits(o, now=now, policy=policy)
    if refusals[Action.PROPOSE] is not None:
        assert Action.PROPOSE not in found
        return
    window = found[Action.PROPOSE]
    assert now < window["send_before"]
    span = window["latest"] - window["earliest"]
    chosen = window["earliest"] + max(span * pick, SECOND)  # exclusive lower bound
    chosen = min(chosen, window["latest"])
    assert eligibility.propose_refusal(OWNER, FakeStore(), o, FakeNegotiation(), now, policy,
                                       chosen) is None


@given(offset=st.integers(-40 * 86400, 40 * 86400))
def test_a_time_is_refused_exactly_when_it_falls_outside_the_announced_window(offset):
    o = order()
    _, found = limits(o)
    window = found[Action.PROPOSE]
    proposed = DEADLINE + timedelta(seconds=offset)
    refused = eligibility.propose_refusal(OWNER, FakeStore(), o, FakeNegotiation(), START,
                                          POLICY, proposed)
    inside = window["earliest"] < proposed <= window["latest"]
    assert (refused is None) is inside
