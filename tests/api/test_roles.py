"""Who may do what (RULES.md §1): 401 without a token, 403 for a role, 404 for others' data."""

import re

import pytest

from negotiation.domain.enums import Role
from tests.api.helpers import (
    API,
    accept,
    assert_problem,
    negotiation,
    propose,
    reject,
    same_problem,
    sent_card,
    ship,
    withdraw,
)
from tests.conftest import ADMIN_TOKEN

ORDER_BODY = {"order_no": "N-1", "amount": "59.90", "paid_at": "2026-11-22T00:00:00Z"}


def other_store(client, world):
    """A second store with its own owner, agent and buyer."""
    store_id = client.post(f"{API}/stores", headers=world.admin_headers,
                           json={"name": "Other store"}).json["id"]
    return (store_id, world.actor(Role.OWNER, "other owner", store_id),
            world.actor(Role.AGENT, "other agent", store_id))


# --- 401 unauthenticated ------------------------------------------------------------------


@pytest.mark.parametrize("authorization", [
    None, "Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", ADMIN_TOKEN,
    f"Token {ADMIN_TOKEN}"])
def test_a_request_without_a_valid_bearer_token_is_unauthenticated(
        client, world, authorization):
    world.order("O-1")
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get(f"{API}/orders/O-1", headers=headers)
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unauthenticated_write_changes_nothing(client, world):
    world.order("O-1")
    response = client.post(f"{API}/orders/O-1/negotiation/cards",
                           json={"proposed_ship_by": "2026-11-27T00:00:00Z",
                                 "reason": "other"})
    assert_problem(response, 401, "unauthenticated")
    assert negotiation(client, world.owner)["cards_used"] == 0


def test_the_bearer_scheme_is_case_insensitive(client, world):
    world.order("O-1")
    response = client.get(f"{API}/orders/O-1",
                          headers={"Authorization": f"bearer {world.owner.token}"})
    assert response.status_code == 200, response.json


# --- admins -------------------------------------------------------------------------------


def test_the_configured_admin_token_creates_a_store(client, world):
    response = client.post(f"{API}/stores", headers=world.admin_headers,
                           json={"name": "Hangzhou tea", "region": "Zhejiang",
                                 "handling_hours": 24})
    assert response.status_code == 201, response.json
    store = response.json
    assert isinstance(store["id"], int)
    assert {k: store[k] for k in ("name", "region", "handling_hours",
                                  "negotiation_enabled")} == {
        "name": "Hangzhou tea", "region": "Zhejiang", "handling_hours": 24,
        "negotiation_enabled": True}


def test_the_admin_creates_accounts_whose_token_is_shown_once_and_works(client, world):
    response = client.post(f"{API}/accounts", headers=world.admin_headers,
                           json={"role": "buyer", "name": "Li Lei"})
    assert response.status_code == 201, response.json
    account = response.json
    assert (account["role"], account["name"], account["store_id"]) == ("buyer", "Li Lei", None)
    assert isinstance(account["token"], str) and len(account["token"]) >= 20

    me = client.get(f"{API}/accounts/me",
                    headers={"Authorization": f"Bearer {account['token']}"})
    assert me.status_code == 200, me.json
    assert me.json["id"] == account["id"]
    assert me.json.get("token") is None  # never shown again


def test_an_admin_account_from_the_command_line_acts_as_admin(client, world, runner):
    result = runner.invoke(args=["create-admin", "ops"])
    assert result.exit_code == 0, result.output
    token = re.search(r"token: (\S+)", result.output).group(1)
    response = client.post(f"{API}/stores", headers={"Authorization": f"Bearer {token}"},
                           json={"name": "Made by ops"})
    assert response.status_code == 201, response.json


def test_the_admin_creates_an_order(client, world):
    response = client.post(f"{API}/orders", headers=world.admin_headers, json={
        **ORDER_BODY, "store_id": world.store_id, "buyer_id": world.buyer.id})
    assert response.status_code == 201, response.json
    assert response.json["order_no"] == "N-1"
    assert response.json["status"] == "awaiting_shipment"


@pytest.mark.parametrize("role", ["owner", "agent", "buyer", "reviewer"])
def test_only_admins_create_stores(client, world, role):
    actor = getattr(world, role)
    response = client.post(f"{API}/stores", headers=actor.headers, json={"name": "Mine"})
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", ["owner", "agent", "buyer", "reviewer"])
def test_only_admins_create_orders(client, world, role):
    actor = getattr(world, role)
    response = client.post(f"{API}/orders", headers=actor.headers, json={
        **ORDER_BODY, "store_id": world.store_id, "buyer_id": world.buyer.id})
    assert_problem(response, 403, "forbidden")
    assert client.get(f"{API}/orders/N-1", headers=world.admin_headers).status_code == 404


@pytest.mark.parametrize("role", ["owner", "agent", "buyer", "reviewer"])
def test_only_admins_revoke_a_stores_negotiation_tool(client, world, role):
    actor = getattr(world, role)
    response = client.post(f"{API}/stores/{world.store_id}/negotiation/revoke",
                           headers=actor.headers)
    assert_problem(response, 403, "forbidden")
    store = client.get(f"{API}/stores/{world.store_id}", headers=world.admin_headers).json
    assert store["negotiation_enabled"] is True


def test_revoking_a_store_that_does_not_exist_is_not_found(client, world):
    response = client.post(f"{API}/stores/999/negotiation/revoke", headers=world.admin_headers)
    assert_problem(response, 404, "not_found")


# --- accounts made by owners --------------------------------------------------------------


@pytest.mark.parametrize("names_its_store", [False, True])
def test_an_owner_creates_an_agent_for_its_own_store(client, world, names_its_store):
    body = {"store_id": world.store_id} if names_its_store else {}
    response = client.post(f"{API}/accounts", headers=world.owner.headers,
                           json={"role": "agent", "name": "night shift", **body})
    assert response.status_code == 201, response.json
    assert (response.json["role"], response.json["store_id"]) == ("agent", world.store_id)

    world.order("O-1")
    agent = {"Authorization": f"Bearer {response.json['token']}"}
    assert propose(client, world, headers=agent).status_code == 201


def test_an_owner_may_not_create_an_agent_for_another_store(client, world):
    store_id, _, _ = other_store(client, world)
    response = client.post(f"{API}/accounts", headers=world.owner.headers,
                           json={"role": "agent", "name": "spy", "store_id": store_id})
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("role", ["owner", "buyer", "reviewer", "admin"])
def test_an_owner_may_create_no_other_role(client, world, role):
    response = client.post(f"{API}/accounts", headers=world.owner.headers,
                           json={"role": role, "name": "x"})
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", ["agent", "buyer", "reviewer"])
def test_agents_buyers_and_reviewers_may_not_create_accounts(client, world, role):
    response = client.post(f"{API}/accounts", headers=getattr(world, role).headers,
                           json={"role": "agent", "name": "x", "store_id": world.store_id})
    assert_problem(response, 403, "forbidden")


# --- 403 forbidden: roles that may never do this ------------------------------------------


def test_a_buyer_may_not_propose_a_card(client, world):
    world.order("O-1")
    assert_problem(propose(client, world, actor=world.buyer), 403, "forbidden")
    assert negotiation(client, world.owner)["cards_used"] == 0


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_a_reviewer_or_admin_may_not_propose_a_card(client, world, who):
    world.order("O-1")
    headers = world.admin_headers if who == "admin" else world.reviewer.headers
    assert_problem(propose(client, world, headers=headers), 403, "forbidden")


@pytest.mark.parametrize("role", ["owner", "agent"])
def test_a_seller_may_not_accept_or_reject_a_card(client, world, role):
    world.order("O-1")
    sent = sent_card(client, world)
    seller = getattr(world, role)
    assert_problem(accept(client, seller, sent["id"]), 403, "forbidden")
    assert_problem(reject(client, seller, sent["id"]), 403, "forbidden")
    assert negotiation(client, world.owner)["cards"][0]["state"] == "pending"


def test_a_reviewer_may_not_answer_a_card(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    assert_problem(accept(client, world.reviewer, sent["id"]), 403, "forbidden")


def test_a_buyer_may_not_withdraw_a_card(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    assert_problem(withdraw(client, world.buyer, sent["id"]), 403, "forbidden")


def test_a_reviewer_may_not_read_a_card(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    response = client.get(f"{API}/cards/{sent['id']}", headers=world.reviewer.headers)
    assert_problem(response, 403, "forbidden")


# --- 404 not_found: another store's, another buyer's --------------------------------------


def test_another_stores_seller_sees_no_such_order(client, world):
    world.order("O-1")
    _, owner, agent = other_store(client, world)
    for actor in (owner, agent):
        for path in ("", "/negotiation", "/events"):
            response = client.get(f"{API}/orders/O-1{path}", headers=actor.headers)
            assert_problem(response, 404, "not_found")


def test_another_stores_seller_cannot_propose_or_ship(client, world):
    world.order("O-1")
    _, owner, agent = other_store(client, world)
    assert_problem(propose(client, world, actor=agent), 404, "not_found")
    assert_problem(ship(client, owner), 404, "not_found")
    assert negotiation(client, world.owner)["state"] == "open"


def test_another_stores_seller_sees_no_such_card(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    _, owner, _ = other_store(client, world)
    assert_problem(client.get(f"{API}/cards/{sent['id']}", headers=owner.headers),
                   404, "not_found")
    assert_problem(withdraw(client, owner, sent["id"]), 404, "not_found")
    assert negotiation(client, world.owner)["cards"][0]["state"] == "pending"


def test_another_buyer_sees_no_such_order_or_card(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    stranger = world.actor(Role.BUYER, "stranger")
    assert_problem(client.get(f"{API}/orders/O-1", headers=stranger.headers), 404, "not_found")
    assert_problem(client.get(f"{API}/orders/O-1/negotiation", headers=stranger.headers),
                   404, "not_found")
    assert_problem(client.get(f"{API}/cards/{sent['id']}", headers=stranger.headers),
                   404, "not_found")
    assert_problem(accept(client, stranger, sent["id"]), 404, "not_found")
    assert negotiation(client, world.buyer)["cards"][0]["state"] == "pending"


def test_a_hidden_order_answers_exactly_like_a_missing_one(client, world):
    world.order("O-1")
    stranger = world.actor(Role.BUYER, "stranger")
    hidden = client.get(f"{API}/orders/O-1", headers=stranger.headers)
    missing = client.get(f"{API}/orders/O-9", headers=stranger.headers)
    assert hidden.status_code == missing.status_code == 404
    assert same_problem(hidden.json) == {
        **same_problem(missing.json), "detail": missing.json["detail"].replace("O-9", "O-1")}


def test_a_hidden_card_answers_exactly_like_a_missing_one(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    stranger = world.actor(Role.BUYER, "stranger")
    hidden = accept(client, stranger, sent["id"])
    missing = accept(client, stranger, 999)
    assert hidden.status_code == missing.status_code == 404
    assert same_problem(hidden.json) == {
        **same_problem(missing.json),
        "detail": missing.json["detail"].replace("999", str(sent["id"]))}


def test_another_stores_owner_sees_no_such_store(client, world):
    store_id, owner, _ = other_store(client, world)
    assert_problem(client.get(f"{API}/stores/{world.store_id}", headers=owner.headers),
                   404, "not_found")
    assert client.get(f"{API}/stores/{store_id}", headers=owner.headers).status_code == 200


def test_a_reviewer_reads_any_order_its_negotiation_and_its_events(client, world):
    world.order("O-1")
    sent_card(client, world)
    for path in ("", "/negotiation", "/events"):
        response = client.get(f"{API}/orders/O-1{path}", headers=world.reviewer.headers)
        assert response.status_code == 200, (path, response.json)


def test_the_store_and_the_buyer_read_the_card(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    for actor in (world.owner, world.agent, world.buyer):
        response = client.get(f"{API}/cards/{sent['id']}", headers=actor.headers)
        assert response.status_code == 200, response.json
        assert response.json == sent
