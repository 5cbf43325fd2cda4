"""Deciding delay reports: who may approve, reject or withdraw, what each refuses, and
what an approval does to the deadlines of the orders it covers (RULES.md §3, §4)."""

from datetime import timedelta

import pytest

from negotiation.domain.enums import OrderKind
from tests.api.helpers import (
    API,
    accept,
    assert_invalid,
    assert_problem,
    event_types,
    events,
    iso,
    negotiation,
    order,
    propose,
    same_problem,
    sent_card,
    ship,
)
from tests.api.report_helpers import (
    REPORTS,
    SECOND,
    SHIP_BY,
    approve,
    approved,
    created,
    file_collection,
    file_shipment,
    file_store,
    listed,
    other_store,
    reject,
    report,
    withdraw,
)
from tests.conftest import START

LATEST = SHIP_BY + timedelta(days=3)


@pytest.fixture
def pending(client, world):
    """A shipment report of O-1 (latest ship time LATEST) waiting for review."""
    world.order("O-1")
    return created(file_shipment(client, world.owner, "O-1", latest=LATEST))


def decide(client, actor, action, report_id, headers=None):
    """approve / reject (with a note) / withdraw, as ``actor`` or with ``headers``."""
    body = {"note": "Checked with the carrier."} if action != "withdraw" else None
    return client.post(f"{REPORTS}/{report_id}/{action}",
                       headers=actor.headers if headers is None else headers, json=body)


def without_actions(seen):
    """A report as every reader sees it: ``actions`` depend on who asks."""
    return {k: v for k, v in seen.items() if k != "actions"}


def snapshot(client, world, report_id, order_no="O-1"):
    """What a refused decision must leave as it was."""
    return (report(client, world.reviewer, report_id), order(client, world.owner, order_no),
            events(client, world.owner, order_no))


# --- who decides --------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("role", ["owner", "agent"])
def test_sellers_never_review_their_own_stores_reports(client, world, pending, role, action):
    before = snapshot(client, world, pending["id"])
    assert_problem(decide(client, getattr(world, role), action, pending["id"]),
                   403, "forbidden")
    assert snapshot(client, world, pending["id"]) == before
    assert before[0]["status"] == "pending_review"


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize("who", ["buyer", "admin"])
def test_buyers_and_admins_may_never_review_a_report(client, world, pending, who, action):
    headers = world.admin_headers if who == "admin" else world.buyer.headers
    before = snapshot(client, world, pending["id"])
    assert_problem(decide(client, world.owner, action, pending["id"], headers=headers),
                   403, "forbidden")
    assert snapshot(client, world, pending["id"]) == before


NEVER = [("buyer", "approve"), ("buyer", "reject"), ("buyer", "withdraw"),
         ("admin", "approve"), ("admin", "reject"), ("admin", "withdraw"),
         ("owner", "approve"), ("agent", "reject"), ("reviewer", "withdraw")]


@pytest.mark.parametrize(("who", "action"), NEVER, ids=[f"{w}-{a}" for w, a in NEVER])
def test_a_role_that_may_never_act_hears_403_whether_or_not_the_report_exists(
        client, world, pending, who, action):
    headers = world.admin_headers if who == "admin" else getattr(world, who).headers
    existing = decide(client, world.owner, action, pending["id"], headers=headers)
    missing = decide(client, world.owner, action, 999, headers=headers)
    assert_problem(existing, 403, "forbidden")
    assert same_problem(existing.json) == same_problem(missing.json)


def test_a_reviewer_may_not_withdraw_a_stores_report(client, world, pending):
    before = snapshot(client, world, pending["id"])
    assert_problem(withdraw(client, world.reviewer, pending["id"]), 403, "forbidden")
    assert snapshot(client, world, pending["id"]) == before


@pytest.mark.parametrize("who", ["buyer", "admin"])
def test_a_buyer_or_admin_may_never_withdraw_a_report(client, world, pending, who):
    headers = world.admin_headers if who == "admin" else world.buyer.headers
    before = snapshot(client, world, pending["id"])
    assert_problem(decide(client, world.owner, "withdraw", pending["id"], headers=headers),
                   403, "forbidden")
    assert snapshot(client, world, pending["id"]) == before


def test_another_stores_sellers_find_no_such_report_to_withdraw(client, world, pending):
    _, owner, agent = other_store(world)
    before = snapshot(client, world, pending["id"])
    for seller in (owner, agent):
        hidden = withdraw(client, seller, pending["id"])
        missing = withdraw(client, seller, 999)
        assert_problem(hidden, 404, "not_found")
        assert same_problem(hidden.json) == {
            **same_problem(missing.json), "detail": missing.json["detail"].replace(
                "999", str(pending["id"]))}
    assert snapshot(client, world, pending["id"]) == before


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_another_stores_sellers_may_never_review_either(client, world, pending, action):
    _, owner, agent = other_store(world)
    before = snapshot(client, world, pending["id"])
    for seller in (owner, agent):
        assert_problem(decide(client, seller, action, pending["id"]), 403, "forbidden")
    assert snapshot(client, world, pending["id"]) == before


@pytest.mark.parametrize("action", ["approve", "reject", "withdraw"])
@pytest.mark.parametrize("report_id", ["999", "2147483648", "0"])
def test_deciding_a_report_that_does_not_exist_is_not_found(client, world, action, report_id):
    actor = world.owner if action == "withdraw" else world.reviewer
    response = client.post(f"{REPORTS}/{report_id}/{action}", headers=actor.headers,
                           json={"note": "x"} if action != "withdraw" else None)
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("action", ["approve", "reject", "withdraw"])
def test_deciding_without_a_token_is_unauthenticated(client, world, pending, action):
    response = client.post(f"{REPORTS}/{pending['id']}/{action}", json={"note": "x"})
    assert_problem(response, 401, "unauthenticated")
    assert report(client, world.reviewer, pending["id"])["status"] == "pending_review"


# --- report_not_pending -------------------------------------------------------------------


def close_as(client, world, report_id, outcome):
    response = {"approved": lambda: approve(client, world.reviewer, report_id),
                "rejected": lambda: reject(client, world.reviewer, report_id),
                "withdrawn": lambda: withdraw(client, world.agent, report_id)}[outcome]()
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["status"] == outcome
    return response.json


@pytest.mark.parametrize("action", ["approve", "reject", "withdraw"])
@pytest.mark.parametrize("outcome", ["approved", "rejected", "withdrawn"])
def test_a_decided_report_is_not_pending_and_stays_as_decided(
        client, world, pending, clock, outcome, action):
    close_as(client, world, pending["id"], outcome)
    clock.advance(timedelta(minutes=5))
    before = snapshot(client, world, pending["id"])
    actor = world.owner if action == "withdraw" else world.reviewer
    body = assert_problem(decide(client, actor, action, pending["id"]), 409,
                          "report_not_pending")
    assert outcome in body["detail"]
    assert snapshot(client, world, pending["id"]) == before


def test_a_seller_approving_a_decided_report_is_forbidden_before_not_pending(
        client, world, pending):
    close_as(client, world, pending["id"], "approved")
    assert_problem(approve(client, world.owner, pending["id"]), 403, "forbidden")
    assert_problem(withdraw(client, world.reviewer, pending["id"]), 403, "forbidden")


# --- approving ----------------------------------------------------------------------------


def test_a_reviewer_approves_a_report_with_a_note(client, world, pending, clock):
    clock.advance(timedelta(hours=5))
    response = approve(client, world.reviewer, pending["id"], note="  Storm confirmed.  ")
    assert response.status_code == 200, response.json
    decided = response.json
    assert decided["status"] == "approved"
    assert (decided["reviewed_by"], decided["reviewed_at"]) == (
        world.reviewer.id, iso(START + timedelta(hours=5)))
    assert decided["review_note"] == "Storm confirmed."
    assert decided["overdue"] is False
    assert decided["waited_seconds"] == 5 * 3600
    assert [(h["action"], h["actor"], h["note"]) for h in decided["history"]] == [
        ("submitted", str(world.owner.id), None),
        ("approved", str(world.reviewer.id), "Storm confirmed.")]
    assert decided["history"][1]["at"] == iso(START + timedelta(hours=5))
    assert report(client, world.reviewer, pending["id"]) == decided
    assert without_actions(report(client, world.owner, pending["id"])) == without_actions(
        decided)


def test_an_approval_needs_no_note(client, world, pending):
    decided = approved(client, world, pending["id"])
    assert decided["review_note"] is None
    assert decided["history"][-1]["note"] is None
    response = client.post(f"{REPORTS}/{pending['id']}/approve", headers=world.reviewer.headers)
    assert_problem(response, 409, "report_not_pending")


def test_an_approval_moves_the_orders_deadline_to_the_latest_ship_time(client, world, pending):
    approved(client, world, pending["id"])
    seen = order(client, world.buyer)
    assert seen["original_ship_by"] == iso(SHIP_BY)
    assert seen["ship_by"] == iso(LATEST)
    assert seen["ship_by_source"] == "delay_report"
    assert seen["reported_ship_by"] == iso(LATEST)
    assert seen["covered_by_report"] is True


def test_an_approval_writes_the_decision_and_the_new_deadline_on_the_timeline(
        client, world, pending, clock):
    clock.advance(timedelta(hours=1))
    approve(client, world.reviewer, pending["id"], note="Storm confirmed.")
    timeline = events(client, world.buyer)
    assert [e["type"] for e in timeline] == [
        "order.created", "report.submitted", "report.approved", "order.deadline_changed"]
    approval, change = timeline[2:]
    assert approval["actor"] == change["actor"] == str(world.reviewer.id)
    assert approval["at"] == change["at"] == iso(START + timedelta(hours=1))
    assert approval["data"] == {"report_id": pending["id"], "kind": "shipment",
                                "reason": "natural_disaster", "latest_ship_at": iso(LATEST),
                                "note": "Storm confirmed."}
    assert change["data"] == {"from": iso(SHIP_BY), "to": iso(LATEST), "source": "delay_report"}


def test_an_approval_moves_every_order_the_report_names(client, world):
    world.order("O-1")
    world.order("O-2", ship_by=SHIP_BY + timedelta(days=1))
    world.order("O-3")
    filed = created(file_shipment(client, world.owner, "O-1", "O-2", latest=LATEST))
    approved(client, world, filed["id"])
    assert [order(client, world.owner, n)["ship_by"] for n in ("O-1", "O-2", "O-3")] == [
        iso(LATEST), iso(LATEST), iso(SHIP_BY)]
    assert order(client, world.owner, "O-3")["covered_by_report"] is False


def test_an_approval_note_of_more_than_1000_characters_is_refused(client, world, pending):
    before = snapshot(client, world, pending["id"])
    assert_invalid(approve(client, world.reviewer, pending["id"], note="x" * 1001), "note")
    assert_invalid(approve(client, world.reviewer, pending["id"], verdict="yes"), "verdict")
    assert snapshot(client, world, pending["id"]) == before
    assert approve(client, world.reviewer, pending["id"], note="x" * 1000).status_code == 200


def test_an_approved_order_may_still_negotiate_past_its_original_deadline(
        client, world, pending, clock):
    approved(client, world, pending["id"])
    clock.set(SHIP_BY + timedelta(hours=1))
    assert negotiation(client, world.owner)["state"] == "open"
    assert_problem(propose(client, world, at=LATEST), 422, "proposal_out_of_range")
    response = propose(client, world, at=LATEST + timedelta(days=1))
    assert response.status_code == 201, response.json


def test_an_order_past_its_reported_deadline_lapses_as_usual(client, world, pending, clock):
    approved(client, world, pending["id"])
    clock.set(LATEST - SECOND)
    assert negotiation(client, world.owner)["state"] == "open"
    clock.set(LATEST)
    assert negotiation(client, world.owner)["state"] == "failed"
    assert_problem(propose(client, world, at=LATEST + timedelta(days=1)),
                   409, "past_ship_deadline")


def test_a_shipment_report_approved_after_the_order_shipped_moves_nothing(
        client, world, pending):
    assert ship(client, world.owner).status_code == 201
    approved(client, world, pending["id"])
    seen = order(client, world.owner)
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(SHIP_BY), "original")
    types = event_types(client, world.owner)
    assert types[-1] == "report.approved"
    assert "order.deadline_changed" not in types


# --- the deadline resolver through the API ------------------------------------------------


def agree(client, world, at, order_no="O-1"):
    card = sent_card(client, world, order_no, at=at)
    response = accept(client, world.buyer, card["id"])
    assert response.status_code == 200, response.json


def test_a_report_later_than_the_agreed_card_wins(client, world):
    world.order("O-1")
    latest = START + timedelta(days=10)
    filed = created(file_shipment(client, world.owner, latest=latest))
    agree(client, world, START + timedelta(days=5))
    assert order(client, world.owner)["ship_by_source"] == "agreed_card"

    approved(client, world, filed["id"])
    seen = order(client, world.owner)
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(latest), "delay_report")
    change = [e for e in events(client, world.owner) if e["type"] == "order.deadline_changed"]
    assert change[-1]["data"] == {"from": iso(START + timedelta(days=5)), "to": iso(latest),
                                  "source": "delay_report"}


def test_an_agreed_card_later_than_the_report_keeps_agreed_card(client, world):
    world.order("O-1")
    latest = SHIP_BY + timedelta(days=2)
    agreed_at = START + timedelta(days=10)
    filed = created(file_shipment(client, world.owner, latest=latest))
    agree(client, world, agreed_at)
    before = event_types(client, world.owner)

    approved(client, world, filed["id"])
    seen = order(client, world.owner)
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(agreed_at), "agreed_card")
    assert seen["reported_ship_by"] == iso(latest)
    assert seen["covered_by_report"] is True
    assert event_types(client, world.owner) == [*before, "report.approved"]


def test_a_report_equal_to_the_agreed_card_keeps_the_earlier_rule(client, world):
    world.order("O-1")
    same = START + timedelta(days=6)
    filed = created(file_shipment(client, world.owner, latest=same))
    agree(client, world, same)
    before = event_types(client, world.owner)

    approved(client, world, filed["id"])
    seen = order(client, world.owner)
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(same), "agreed_card")
    assert seen["reported_ship_by"] == iso(same)
    assert event_types(client, world.owner) == [*before, "report.approved"]


def test_a_report_filed_after_an_agreement_moves_the_agreed_deadline(client, world):
    world.order("O-1")
    agreed_at = START + timedelta(days=5)
    agree(client, world, agreed_at)
    latest = agreed_at + timedelta(days=15)  # 15 days after the agreed deadline
    filed = created(file_shipment(client, world.owner, latest=latest))
    approved(client, world, filed["id"])
    seen = order(client, world.owner)
    assert (seen["original_ship_by"], seen["ship_by"], seen["ship_by_source"]) == (
        iso(SHIP_BY), iso(latest), "delay_report")


def test_an_approved_report_never_moves_a_deadline_earlier(client, world):
    window_start, window_end = SHIP_BY - SECOND, SHIP_BY + SECOND
    world.order("O-1")
    store_latest = window_end + timedelta(days=2)
    shipment_latest = SHIP_BY + timedelta(days=6)
    store = created(file_store(client, world.owner, window_start, window_end, store_latest))
    shipment = created(file_shipment(client, world.owner, latest=shipment_latest))
    approved(client, world, shipment["id"])
    assert order(client, world.owner)["ship_by"] == iso(shipment_latest)
    before = event_types(client, world.owner)

    approved(client, world, store["id"])
    seen = order(client, world.owner)
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(shipment_latest), "delay_report")
    assert seen["reported_ship_by"] == iso(shipment_latest)
    assert event_types(client, world.owner) == [*before, "report.approved"]


def test_a_later_report_of_another_kind_moves_the_deadline_again(client, world):
    world.order("O-1")
    store_latest = SHIP_BY + timedelta(days=2)
    store = created(file_store(client, world.owner, SHIP_BY, SHIP_BY + SECOND, store_latest))
    approved(client, world, store["id"])
    assert order(client, world.owner)["ship_by"] == iso(store_latest)
    shipment_latest = store_latest + timedelta(days=1)
    shipment = created(file_shipment(client, world.owner, latest=shipment_latest))
    approved(client, world, shipment["id"])
    assert order(client, world.owner)["ship_by"] == iso(shipment_latest)


# --- rejecting ----------------------------------------------------------------------------


def test_a_rejection_keeps_the_deadline_and_tells_the_store_why(client, world, pending, clock):
    clock.advance(timedelta(hours=2))
    response = reject(client, world.reviewer, pending["id"], note=" No storm that day. ")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "rejected"
    assert response.json["review_note"] == "No storm that day."
    assert response.json["reviewed_by"] == world.reviewer.id
    assert [(h["action"], h["note"]) for h in response.json["history"]] == [
        ("submitted", None), ("rejected", "No storm that day.")]
    seen = order(client, world.owner)
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(SHIP_BY), "original")
    assert seen["covered_by_report"] is False
    last = events(client, world.owner)[-1]
    assert (last["type"], last["actor"], last["at"]) == (
        "report.rejected", str(world.reviewer.id), iso(START + timedelta(hours=2)))
    assert last["data"]["note"] == "No storm that day."
    assert last["data"]["report_id"] == pending["id"]


@pytest.mark.parametrize("note", [None, "", "   ", "x" * 1001, "bad\x07note"],
                         ids=["missing", "empty", "blank", "too-long", "control"])
def test_a_rejection_needs_a_note(client, world, pending, note):
    before = snapshot(client, world, pending["id"])
    response = reject(client, world.reviewer, pending["id"], note=note)
    assert_invalid(response, "note")
    assert snapshot(client, world, pending["id"]) == before


def test_a_rejection_tells_every_named_order(client, world):
    world.order("O-1")
    world.order("O-2")
    filed = created(file_shipment(client, world.owner, "O-1", "O-2", latest=LATEST))
    assert reject(client, world.reviewer, filed["id"]).status_code == 200
    for order_no in ("O-1", "O-2"):
        assert event_types(client, world.owner, order_no)[-1] == "report.rejected"


# --- withdrawing --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "agent"])
def test_the_owner_or_an_agent_withdraws_a_pending_report(client, world, pending, role):
    seller = getattr(world, role)
    response = withdraw(client, seller, pending["id"])
    assert response.status_code == 200, response.json
    assert response.json["status"] == "withdrawn"
    assert response.json["review_note"] is None
    assert [(h["action"], h["actor"]) for h in response.json["history"]] == [
        ("submitted", str(world.owner.id)), ("withdrawn", str(seller.id))]
    last = events(client, world.owner)[-1]
    assert (last["type"], last["actor"]) == ("report.withdrawn", str(seller.id))
    seen = order(client, world.owner)
    assert (seen["ship_by"], seen["covered_by_report"]) == (iso(SHIP_BY), False)


def test_withdraw_takes_no_body_fields(client, world, pending):
    response = client.post(f"{REPORTS}/{pending['id']}/withdraw", headers=world.owner.headers,
                           json={})
    assert response.status_code == 200, response.json


# --- collection reports -------------------------------------------------------------------


def test_an_approved_collection_report_covers_the_order_without_moving_its_ship_by(
        client, world):
    world.order("O-1")
    world.order("O-2")
    assert ship(client, world.owner, "O-1", tracking_no="SF1000001").status_code == 201
    assert ship(client, world.owner, "O-2", tracking_no="SF1000002").status_code == 201
    filed = created(file_collection(client, world.owner, "SF1000001"))
    assert order(client, world.owner)["covered_by_report"] is False

    approved(client, world, filed["id"])
    seen = order(client, world.owner)
    assert seen["covered_by_report"] is True
    assert (seen["ship_by"], seen["ship_by_source"], seen["reported_ship_by"]) == (
        iso(SHIP_BY), "original", None)
    assert event_types(client, world.owner)[-1] == "report.approved"
    assert "order.deadline_changed" not in event_types(client, world.owner)
    assert order(client, world.owner, "O-2")["covered_by_report"] is False
    listed_orders = client.get(f"{API}/orders?covered_by_report=true",
                               headers=world.owner.headers).json["items"]
    assert [o["order_no"] for o in listed_orders] == ["O-1"]


# --- store reports ------------------------------------------------------------------------

W_START = START + timedelta(days=1)
W_END = START + timedelta(days=3)
W_LATEST = W_END + timedelta(days=4)


def test_an_approved_store_report_moves_every_order_in_its_window(client, world):
    world.order("IN-1", ship_by=W_START)
    world.order("IN-2", ship_by=W_END - SECOND)
    world.order("OUT", ship_by=W_END)
    filed = created(file_store(client, world.owner, W_START, W_END, W_LATEST))
    approved(client, world, filed["id"])
    for order_no in ("IN-1", "IN-2"):
        seen = order(client, world.owner, order_no)
        assert (seen["ship_by"], seen["ship_by_source"], seen["covered_by_report"]) == (
            iso(W_LATEST), "delay_report", True)
        assert event_types(client, world.owner, order_no)[-2:] == [
            "report.approved", "order.deadline_changed"]
    seen = order(client, world.owner, "OUT")
    assert (seen["ship_by"], seen["covered_by_report"]) == (iso(W_END), False)
    assert "report.approved" not in event_types(client, world.owner, "OUT")


def test_a_store_report_approved_later_takes_in_orders_created_while_it_waited(client, world):
    filed = created(file_store(client, world.owner, W_START, W_END, W_LATEST))
    world.order("NEW", ship_by=W_START + timedelta(hours=1))
    decided = approved(client, world, filed["id"])
    assert decided["order_nos"] == ["NEW"]
    seen = order(client, world.owner, "NEW")
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(W_LATEST), "delay_report")
    assert event_types(client, world.owner, "NEW")[-2:] == [
        "report.approved", "order.deadline_changed"]


def test_an_order_created_after_approval_inside_the_window_is_covered(client, world):
    filed = created(file_store(client, world.owner, W_START, W_END, W_LATEST))
    approved(client, world, filed["id"])
    world.order("FIRST", ship_by=W_START)
    world.order("LAST", ship_by=W_END - SECOND)
    for order_no, given in (("FIRST", W_START), ("LAST", W_END - SECOND)):
        seen = order(client, world.owner, order_no)
        assert seen["original_ship_by"] == iso(given)
        assert (seen["ship_by"], seen["ship_by_source"], seen["reported_ship_by"],
                seen["covered_by_report"]) == (iso(W_LATEST), "delay_report", iso(W_LATEST), True)
        creation = events(client, world.owner, order_no)[0]
        assert creation["type"] == "order.created"
        assert creation["data"]["report_ids"] == [filed["id"]]
        assert creation["data"]["ship_by_source"] == "delay_report"
    assert sorted(report(client, world.reviewer, filed["id"])["order_nos"]) == ["FIRST", "LAST"]
    assert [r["id"] for r in listed(client, world.owner, "order_no=LAST")] == [filed["id"]]


def test_an_order_created_after_approval_outside_the_window_is_not_covered(client, world):
    other_id, _, _ = other_store(world)
    filed = created(file_store(client, world.owner, W_START, W_END, W_LATEST))
    approved(client, world, filed["id"])
    world.order("END", ship_by=W_END)
    world.order("BEFORE", ship_by=W_START - SECOND)
    world.order("VIRTUAL", ship_by=W_START, kind=OrderKind.VIRTUAL)
    world.order("ELSEWHERE", ship_by=W_START, store_id=other_id)
    for order_no, ship_by in (("END", W_END), ("BEFORE", W_START - SECOND),
                              ("VIRTUAL", W_START), ("ELSEWHERE", W_START)):
        seen = order(client, world.reviewer, order_no)
        assert (seen["ship_by"], seen["ship_by_source"], seen["covered_by_report"]) == (
            iso(ship_by), "original", False), order_no
    assert report(client, world.reviewer, filed["id"])["order_nos"] == []


@pytest.mark.parametrize("outcome", ["pending", "rejected", "withdrawn"])
def test_an_order_created_in_a_window_not_approved_is_not_covered(client, world, outcome):
    filed = created(file_store(client, world.owner, W_START, W_END, W_LATEST))
    if outcome != "pending":
        close_as(client, world, filed["id"], outcome)
    world.order("NEW", ship_by=W_START)
    seen = order(client, world.owner, "NEW")
    assert (seen["ship_by"], seen["ship_by_source"], seen["covered_by_report"]) == (
        iso(W_START), "original", False)


def test_a_store_report_does_not_move_an_order_shipped_before_approval(client, world):
    world.order("O-1", ship_by=W_START)
    filed = created(file_store(client, world.owner, W_START, W_END, W_LATEST))
    assert ship(client, world.owner).status_code == 201
    approved(client, world, filed["id"])
    seen = order(client, world.owner)
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(W_START), "original")
    assert "order.deadline_changed" not in event_types(client, world.owner)
