"""``actions`` in GET negotiation: for each role and state, what the caller may do and why not."""

from datetime import timedelta

import pytest

from tests.api.helpers import (
    API,
    accept,
    assert_problem,
    iso,
    negotiation,
    propose,
    reject,
    sent_card,
    ship,
    use_cards,
    withdraw,
)
from tests.conftest import START

SHIP_BY = START + timedelta(hours=47)
ACTIONS = ("propose", "accept", "reject", "withdraw", "file_delay_report", "ship")
F, NP = "forbidden", "card_not_pending"
SHIP_OK = None  # a seller may ship whatever the negotiation's state, until shipped
NOBODY = dict.fromkeys(ACTIONS, F)  # reviewers and admins act on no negotiation


def arrange(state, client, world, clock):
    """Bring order O-1 into one of the situations the table below names."""
    world.order("O-1")
    if state == "awaiting_buyer":
        sent_card(client, world)
    elif state == "agreed":
        use_cards(client, world, "O-1", ["accept"])
    elif state == "failed_by_cards":
        use_cards(client, world, "O-1", ["reject", "reject", "reject"])
    elif state == "failed_by_deadline":
        clock.set(SHIP_BY)
    elif state == "closed":
        sent_card(client, world)
        assert ship(client, world.owner).status_code == 201
    elif state == "card_expired":
        sent_card(client, world)
        clock.set(START + timedelta(hours=24))
    elif state == "revoked":
        response = client.post(f"{API}/stores/{world.store_id}/negotiation/revoke",
                               headers=world.admin_headers)
        assert response.status_code == 200, response.json


def actions_for(client, headers):
    response = client.get(f"{API}/orders/O-1/negotiation", headers=headers)
    assert response.status_code == 200, response.json
    actions = response.json["actions"]
    assert set(actions) == set(ACTIONS)
    for name, action in actions.items():
        assert action["allowed"] is (action["reason"] is None), (name, action)
        assert (action["detail"] is None) is action["allowed"], (name, action)
    return response.json["state"], {name: a["reason"] for name, a in actions.items()}


# state -> (negotiation state, seller's reasons, buyer's reasons); None means allowed.
TABLE = {
    "open": ("open",
             dict(propose=None, accept=F, reject=F, withdraw=NP, file_delay_report=None,
                  ship=SHIP_OK),
             dict(propose=F, accept=NP, reject=NP, withdraw=F, file_delay_report=F, ship=F)),
    "awaiting_buyer": ("awaiting_buyer",
                       dict(propose="card_pending", accept=F, reject=F, withdraw=None,
                            file_delay_report=None, ship=SHIP_OK),
                       dict(propose=F, accept=None, reject=None, withdraw=F,
                            file_delay_report=F, ship=F)),
    "agreed": ("agreed",
               dict(propose="already_agreed", accept=F, reject=F, withdraw=NP,
                    file_delay_report=None, ship=SHIP_OK),
               dict(propose=F, accept=NP, reject=NP, withdraw=F, file_delay_report=F, ship=F)),
    "failed_by_cards": ("failed",
                        dict(propose="card_limit_reached", accept=F, reject=F, withdraw=NP,
                             file_delay_report=None, ship=SHIP_OK),
                        dict(propose=F, accept=NP, reject=NP, withdraw=F,
                             file_delay_report=F, ship=F)),
    "failed_by_deadline": ("failed",
                           dict(propose="past_ship_deadline", accept=F, reject=F,
                                withdraw=NP, file_delay_report=None, ship=SHIP_OK),
                           dict(propose=F, accept=NP, reject=NP, withdraw=F,
                                file_delay_report=F, ship=F)),
    "closed": ("closed",
               dict(propose="order_not_awaiting_shipment", accept=F, reject=F, withdraw=NP,
                    file_delay_report="report_not_applicable",
                    ship="order_not_awaiting_shipment"),
               dict(propose=F, accept=NP, reject=NP, withdraw=F, file_delay_report=F, ship=F)),
    "card_expired": ("open",
                     dict(propose=None, accept=F, reject=F, withdraw="card_expired",
                          file_delay_report=None, ship=SHIP_OK),
                     dict(propose=F, accept="card_expired", reject="card_expired",
                          withdraw=F, file_delay_report=F, ship=F)),
    # RULES.md §2 checks the revoked tool (rule 1) before who the caller is (rule 2).
    "revoked": ("open",
                dict(propose="negotiation_revoked", accept=F, reject=F, withdraw=NP,
                     file_delay_report=None, ship=SHIP_OK),
                dict(propose="negotiation_revoked", accept=NP, reject=NP, withdraw=F,
                     file_delay_report=F, ship=F)),
}


@pytest.mark.parametrize("state", list(TABLE))
def test_the_owner_and_the_agent_see_what_the_store_may_do(client, world, clock, state):
    arrange(state, client, world, clock)
    negotiation_state, seller, _ = TABLE[state]
    assert actions_for(client, world.owner.headers) == (negotiation_state, seller)
    assert actions_for(client, world.agent.headers) == (negotiation_state, seller)


@pytest.mark.parametrize("state", list(TABLE))
def test_the_buyer_sees_what_it_may_do(client, world, clock, state):
    arrange(state, client, world, clock)
    negotiation_state, _, buyer = TABLE[state]
    assert actions_for(client, world.buyer.headers) == (negotiation_state, buyer)


@pytest.mark.parametrize("state", ["open", "awaiting_buyer", "agreed"])
def test_reviewers_and_admins_may_take_no_negotiation_action(client, world, clock, state):
    arrange(state, client, world, clock)
    assert actions_for(client, world.reviewer.headers)[1] == NOBODY
    assert actions_for(client, world.admin_headers)[1] == NOBODY


# --- the reasons are the codes the actions themselves answer -------------------------------


@pytest.mark.parametrize("state", ["awaiting_buyer", "agreed", "failed_by_cards",
                                   "failed_by_deadline", "closed", "revoked"])
def test_a_refused_proposal_answers_the_reason_actions_announced(client, world, clock, state):
    arrange(state, client, world, clock)
    _, announced = actions_for(client, world.owner.headers)
    response = propose(client, world, days=20)
    assert response.json["code"] == announced["propose"]


@pytest.mark.parametrize("state", ["agreed", "card_expired", "closed"])
def test_a_refused_answer_answers_the_reason_actions_announced(client, world, clock, state):
    arrange(state, client, world, clock)
    _, announced = actions_for(client, world.buyer.headers)
    card_id = client.get(f"{API}/orders/O-1/negotiation",
                         headers=world.buyer.headers).json["cards"][-1]["id"]
    assert accept(client, world.buyer, card_id).json["code"] == announced["accept"]
    assert reject(client, world.buyer, card_id).json["code"] == announced["reject"]


@pytest.mark.parametrize("state", ["agreed", "card_expired", "closed"])
def test_a_refused_withdrawal_answers_the_reason_actions_announced(client, world, clock, state):
    arrange(state, client, world, clock)
    _, announced = actions_for(client, world.owner.headers)
    card_id = client.get(f"{API}/orders/O-1/negotiation",
                         headers=world.owner.headers).json["cards"][-1]["id"]
    assert withdraw(client, world.owner, card_id).json["code"] == announced["withdraw"]


# --- the bounds an allowed action carries -------------------------------------------------

LATEST = SHIP_BY + timedelta(days=30)


def test_propose_carries_the_window_a_new_cards_time_must_fall_in(client, world, clock):
    world.order("O-1")
    propose_action = negotiation(client, world.owner)["actions"]["propose"]
    assert propose_action == {"allowed": True, "reason": None, "detail": None,
                              "earliest": iso(SHIP_BY), "latest": iso(LATEST),
                              "send_before": iso(SHIP_BY)}


@pytest.mark.parametrize("policy", [{"proposal_lead_hours": 4}])
def test_send_before_is_the_deadline_less_the_lead(client, world, clock):
    world.order("O-1")
    action = negotiation(client, world.owner)["actions"]["propose"]
    assert action["send_before"] == iso(SHIP_BY - timedelta(hours=4))


def test_a_refused_proposal_carries_no_bounds(client, world, clock):
    arrange("awaiting_buyer", client, world, clock)
    action = negotiation(client, world.owner)["actions"]["propose"]
    assert action["allowed"] is False
    assert (action["earliest"], action["latest"], action["send_before"]) == (None, None, None)


def test_a_card_exactly_at_latest_is_sent(client, world):
    world.order("O-1")
    latest = negotiation(client, world.owner)["actions"]["propose"]["latest"]
    assert propose(client, world, at=LATEST).status_code == 201
    assert latest == iso(LATEST)


def test_a_card_one_second_past_latest_is_refused(client, world):
    world.order("O-1")
    response = propose(client, world, at=LATEST + timedelta(seconds=1))
    assert_problem(response, 422, "proposal_out_of_range")


def test_a_card_exactly_at_earliest_is_refused(client, world):
    world.order("O-1")
    assert_problem(propose(client, world, at=SHIP_BY), 422, "proposal_out_of_range")


def test_a_card_one_second_after_earliest_is_sent(client, world):
    world.order("O-1")
    assert propose(client, world, at=SHIP_BY + timedelta(seconds=1)).status_code == 201


def test_accept_and_reject_last_until_the_cards_expiry(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    actions = negotiation(client, world.buyer)["actions"]
    assert actions["accept"]["until"] == actions["reject"]["until"] == sent["expires_at"]
    assert negotiation(client, world.owner)["actions"]["withdraw"]["until"] == (
        sent["expires_at"])
    assert negotiation(client, world.owner)["actions"]["accept"]["until"] is None
