"""Filing delay reports (RULES.md §3): who may, what each kind needs, what it may name,
and the bounds of its latest time. Every refusal leaves nothing filed."""

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
    order,
    same_problem,
    sent_card,
    ship,
)
from tests.api.report_helpers import (
    COLLECT_BY,
    DESCRIPTION,
    HORIZON,
    REPORTS,
    REVIEW_WINDOW,
    SECOND,
    SHIP_BY,
    approved,
    close_order,
    create_order,
    created,
    file_collection,
    file_report,
    file_shipment,
    file_store,
    listed,
    other_store,
    reject,
    withdraw,
)
from tests.conftest import START

REASONS = ["large_conference", "major_event", "natural_disaster", "merchant_factor",
           "special_order", "dual_address", "epidemic_control", "buyer_requested",
           "stock_shortage"]


def assert_nothing_filed(client, world, *order_nos):
    """No report exists, and the named orders kept their deadline and saw no report."""
    assert listed(client, world.reviewer) == []
    for order_no in order_nos:
        seen = order(client, world.owner, order_no)
        assert seen["covered_by_report"] is False
        assert not [t for t in event_types(client, world.owner, order_no)
                    if t.startswith("report.")]


def not_applicable(response, field):
    """A ``report_not_applicable`` refusal naming ``field``."""
    return assert_invalid(response, field, code="report_not_applicable")


# --- what a filed report is ---------------------------------------------------------------


def test_an_owner_files_a_shipment_report_waiting_for_review(client, world):
    world.order("O-1")
    latest = SHIP_BY + timedelta(days=3)
    report = created(file_shipment(client, world.owner, "O-1", latest=latest))

    assert isinstance(report["id"], int)
    assert {k: v for k, v in report.items() if k not in ("id", "history", "actions")} == {
        "store_id": world.store_id, "kind": "shipment", "reason": "natural_disaster",
        "status": "pending_review", "description": DESCRIPTION, "order_nos": ["O-1"],
        "tracking_nos": [], "window_start": None, "window_end": None,
        "latest_ship_at": iso(latest), "latest_collect_at": None,
        "submitted_by": world.owner.id, "submitted_at": iso(START),
        "review_due_at": iso(START + REVIEW_WINDOW), "overdue": False, "waited_seconds": 0,
        "reviewed_by": None, "reviewed_at": None, "review_note": None, "evidence": []}
    assert report["history"] == [{"at": iso(START), "actor": str(world.owner.id),
                                  "action": "submitted", "note": None, "data": {"orders": 1}}]
    assert {name: (a["allowed"], a["reason"]) for name, a in report["actions"].items()} == {
        "approve": (False, "forbidden"), "reject": (False, "forbidden"),
        "withdraw": (True, None), "add_evidence": (True, None)}


def test_a_pending_report_does_not_move_the_deadline_but_tells_the_orders_timeline(
        client, world):
    world.order("O-1")
    report = created(file_shipment(client, world.agent, "O-1"))

    seen = order(client, world.owner)
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(SHIP_BY), "original")
    assert seen["reported_ship_by"] is None
    assert seen["covered_by_report"] is False
    submitted = [e for e in events(client, world.owner) if e["type"] == "report.submitted"]
    assert len(submitted) == 1
    assert submitted[0]["actor"] == str(world.agent.id)
    assert submitted[0]["at"] == iso(START)
    assert submitted[0]["data"] == {"report_id": report["id"], "kind": "shipment",
                                    "reason": "natural_disaster",
                                    "latest_ship_at": report["latest_ship_at"]}
    assert "order.deadline_changed" not in event_types(client, world.owner)


def test_an_agent_files_a_report_in_its_own_name(client, world):
    world.order("O-1")
    report = created(file_shipment(client, world.agent, "O-1"))
    assert report["submitted_by"] == world.agent.id
    assert report["history"][0]["actor"] == str(world.agent.id)


def test_one_report_names_several_orders_in_the_order_given(client, world):
    for order_no in ("O-1", "O-2", "O-3"):
        world.order(order_no)
    report = created(file_shipment(client, world.owner, "O-3", "O-1", "O-2"))
    assert report["order_nos"] == ["O-3", "O-1", "O-2"]
    assert report["history"][0]["data"] == {"orders": 3}
    for order_no in ("O-1", "O-2", "O-3"):
        assert event_types(client, world.owner, order_no).count("report.submitted") == 1


@pytest.mark.parametrize("reason", REASONS)
def test_every_reason_of_rules_section_3_is_accepted(client, world, reason):
    world.order("O-1")
    report = created(file_shipment(client, world.owner, "O-1", reason=reason))
    assert report["reason"] == reason


def test_the_description_is_stored_without_surrounding_blanks(client, world):
    world.order("O-1")
    report = created(file_shipment(client, world.owner, description="  Roads closed.  "))
    assert report["description"] == "Roads closed."


def test_a_latest_time_with_an_offset_is_read_as_that_instant_and_shown_in_utc(
        client, world):
    world.order("O-1")
    response = client.post(REPORTS, headers=world.owner.headers, json={
        "kind": "shipment", "reason": "natural_disaster", "description": DESCRIPTION,
        "order_nos": ["O-1"], "latest_ship_at": "2026-11-26T08:00:00+08:00"})
    assert created(response)["latest_ship_at"] == "2026-11-26T00:00:00Z"


# --- who may file -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["buyer", "reviewer", "admin"])
def test_only_a_stores_owner_or_agent_may_file_a_report(client, world, who):
    world.order("O-1")
    headers = world.admin_headers if who == "admin" else getattr(world, who).headers
    assert_problem(file_shipment(client, world.owner, "O-1", headers=headers),
                   403, "forbidden")
    assert_nothing_filed(client, world, "O-1")


@pytest.mark.parametrize("kind", ["collection", "store"])
def test_a_buyer_may_file_no_kind_of_report(client, world, kind):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    if kind == "collection":
        response = file_collection(client, world.owner, headers=world.buyer.headers)
    else:
        response = file_store(client, world.owner, SHIP_BY - SECOND, SHIP_BY + SECOND,
                              SHIP_BY + timedelta(days=2), headers=world.buyer.headers)
    assert_problem(response, 403, "forbidden")
    assert listed(client, world.reviewer) == []


def test_filing_without_a_token_is_unauthenticated(client, world):
    world.order("O-1")
    assert_problem(file_shipment(client, world.owner, headers={}), 401, "unauthenticated")
    assert_nothing_filed(client, world, "O-1")


def test_another_stores_order_reads_as_absent(client, world):
    world.order("O-1")
    _, owner, agent = other_store(world)
    for seller in (owner, agent):
        hidden = assert_invalid(file_shipment(client, seller, "O-1"), "order_nos")
        missing = assert_invalid(file_shipment(client, seller, "O-9"), "order_nos")
        assert same_problem(hidden) == {**same_problem(missing), "errors": {"order_nos": [
            missing["errors"]["order_nos"][0].replace("O-9", "O-1")]}}
    assert_nothing_filed(client, world, "O-1")


def test_another_stores_tracking_number_reads_as_absent(client, world):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    _, owner, _ = other_store(world)
    body = assert_invalid(file_collection(client, owner, "SF1000001"), "tracking_nos")
    assert "SF1000001" in body["errors"]["tracking_nos"][0]
    assert listed(client, world.reviewer) == []


# --- the shape of each kind ---------------------------------------------------------------

T1, T2, T3 = SHIP_BY + timedelta(days=1), SHIP_BY + timedelta(days=2), SHIP_BY + timedelta(days=3)
SHAPES = [
    ("shipment", {"latest_ship_at": T3}, ["order_nos"]),
    ("shipment", {"order_nos": ["O-1"]}, ["latest_ship_at"]),
    ("shipment", {"order_nos": ["O-1"], "latest_ship_at": T3, "tracking_nos": ["SF1000001"]},
     ["tracking_nos"]),
    ("shipment", {"order_nos": ["O-1"], "latest_ship_at": T3, "latest_collect_at": T3},
     ["latest_collect_at"]),
    ("shipment", {"order_nos": ["O-1"], "latest_ship_at": T3, "window_start": T1,
                  "window_end": T2}, ["window_start", "window_end"]),
    ("shipment", {"order_nos": ["O-1"], "latest_collect_at": T3},
     ["latest_ship_at", "latest_collect_at"]),
    ("collection", {"latest_collect_at": T3}, ["tracking_nos"]),
    ("collection", {"tracking_nos": ["SF1000001"]}, ["latest_collect_at"]),
    ("collection", {"tracking_nos": ["SF1000001"], "latest_collect_at": T3, "order_nos": ["O-1"]},
     ["order_nos"]),
    ("collection", {"tracking_nos": ["SF1000001"], "latest_collect_at": T3, "latest_ship_at": T3},
     ["latest_ship_at"]),
    ("collection", {"tracking_nos": ["SF1000001"], "latest_collect_at": T3, "window_end": T2},
     ["window_end"]),
    ("store", {"window_end": T2, "latest_ship_at": T3}, ["window_start"]),
    ("store", {"window_start": T1, "latest_ship_at": T3}, ["window_end"]),
    ("store", {"window_start": T1, "window_end": T2}, ["latest_ship_at"]),
    ("store", {"window_start": T1, "window_end": T2, "latest_ship_at": T3,
               "order_nos": ["O-1"]}, ["order_nos"]),
    ("store", {"window_start": T1, "window_end": T2, "latest_ship_at": T3,
               "tracking_nos": ["SF1000001"]}, ["tracking_nos"]),
    ("store", {"window_start": T1, "window_end": T2, "latest_ship_at": T3,
               "latest_collect_at": T3}, ["latest_collect_at"]),
    ("store", {}, ["window_start", "window_end", "latest_ship_at"]),
]


@pytest.mark.parametrize(("kind", "fields", "named"), SHAPES,
                         ids=[f"{k}-{'-'.join(n)}" for k, _, n in SHAPES])
def test_a_field_the_kind_needs_or_does_not_use_is_named(client, world, kind, fields, named):
    world.order("O-1")
    body = assert_invalid(file_report(client, world.owner, kind=kind, **fields), *named)
    for field in named:
        assert kind in body["errors"][field][0]
    assert_nothing_filed(client, world, "O-1")


BAD_BODIES = [
    ({"kind": None}, "kind"),
    ({"kind": "warehouse"}, "kind"),
    ({"reason": None}, "reason"),
    ({"reason": "bad_weather"}, "reason"),
    ({"description": None}, "description"),
    ({"description": ""}, "description"),
    ({"description": "   "}, "description"),
    ({"description": "x" * 1001}, "description"),
    ({"description": "roads\x00closed"}, "description"),
    ({"order_nos": []}, "order_nos"),
    ({"order_nos": "O-1"}, "order_nos"),
    ({"latest_ship_at": "2026-11-26T00:00:00"}, "latest_ship_at"),
    ({"latest_ship_at": "next tuesday"}, "latest_ship_at"),
    ({"priority": "high"}, "priority"),
]


@pytest.mark.parametrize(("change", "field"), BAD_BODIES,
                         ids=[f"{f}={v!r}"[:40] for c, f in BAD_BODIES for v in c.values()])
def test_a_malformed_body_is_a_validation_error_naming_the_field(client, world, change, field):
    world.order("O-1")
    body = {"kind": "shipment", "reason": "natural_disaster", "description": DESCRIPTION,
            "order_nos": ["O-1"], "latest_ship_at": iso(SHIP_BY + timedelta(days=3))}
    for name, value in change.items():
        if value is None:
            del body[name]
        else:
            body[name] = value
    response = client.post(REPORTS, headers=world.owner.headers, json=body)
    problem = assert_problem(response, 422, "validation_error")
    assert [name.split(".")[0] for name in problem["errors"]] == [field], problem
    assert_nothing_filed(client, world, "O-1")


def test_a_description_of_exactly_1000_characters_is_accepted(client, world):
    world.order("O-1")
    report = created(file_shipment(client, world.owner, description="x" * 1000))
    assert len(report["description"]) == 1000


def test_a_malformed_order_number_is_named(client, world):
    world.order("O-1")
    response = file_shipment(client, world.owner, "O-1", "not a number!")
    problem = assert_problem(response, 422, "validation_error")
    assert [name.split(".")[0] for name in problem["errors"]] == ["order_nos"], problem


def test_a_body_that_is_not_json_is_refused(client, world):
    response = client.post(REPORTS, headers=world.owner.headers, data="kind=shipment",
                           content_type="application/json")
    assert_problem(response, 400, "bad_request")
    assert listed(client, world.reviewer) == []


# --- which orders a report may name -------------------------------------------------------


def test_an_order_named_twice_is_refused(client, world):
    world.order("O-1")
    world.order("O-2")
    body = assert_invalid(file_shipment(client, world.owner, "O-1", "O-2", "O-1"), "order_nos")
    assert "O-1" in body["errors"]["order_nos"][0]
    assert "O-2" not in body["errors"]["order_nos"][0]
    assert_nothing_filed(client, world, "O-1", "O-2")


def test_a_tracking_number_named_twice_is_refused(client, world):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    body = assert_invalid(file_collection(client, world.owner, "SF1000001", "SF1000001"),
                          "tracking_nos")
    assert "SF1000001" in body["errors"]["tracking_nos"][0]
    assert listed(client, world.reviewer) == []


def test_a_report_names_at_most_100_orders(client, world):
    # 100 numbers pass the count and fail as unknown; 101 fail the count first.
    hundred = [f"N-{n}" for n in range(100)]
    at_limit = assert_invalid(file_shipment(client, world.owner, *hundred), "order_nos")
    assert at_limit["errors"]["order_nos"][0].startswith("No order N-0")
    over = assert_invalid(file_shipment(client, world.owner, *hundred, "N-100"), "order_nos")
    assert "100" in over["errors"]["order_nos"][0]
    assert "No order" not in over["errors"]["order_nos"][0]


def test_a_report_names_at_most_100_tracking_numbers(client, world):
    hundred = [f"SF{n:07d}" for n in range(100)]
    at_limit = assert_invalid(file_collection(client, world.owner, *hundred), "tracking_nos")
    assert at_limit["errors"]["tracking_nos"][0].startswith("No shipment")
    over = assert_invalid(file_collection(client, world.owner, *hundred, "SF9999999"),
                          "tracking_nos")
    assert "100" in over["errors"]["tracking_nos"][0]
    assert "No shipment" not in over["errors"]["tracking_nos"][0]


def test_an_unknown_order_is_named_and_nothing_is_filed_for_the_others(client, world):
    world.order("O-1")
    body = assert_invalid(file_shipment(client, world.owner, "O-1", "O-404"), "order_nos")
    assert "O-404" in body["errors"]["order_nos"][0]
    assert_nothing_filed(client, world, "O-1")


def test_a_shipped_order_is_not_applicable(client, world):
    world.order("O-1")
    world.order("O-2")
    assert ship(client, world.owner, "O-2").status_code == 201
    body = not_applicable(file_shipment(client, world.owner, "O-1", "O-2"), "order_nos")
    assert "O-2" in body["detail"]
    assert "shipped" in body["detail"]
    assert_nothing_filed(client, world, "O-1")


def test_a_virtual_order_is_not_applicable(client, world):
    world.order("V-1", kind=OrderKind.VIRTUAL)
    body = not_applicable(file_shipment(client, world.owner, "V-1"), "order_nos")
    assert "V-1" in body["detail"]
    assert_nothing_filed(client, world, "V-1")


def test_a_closed_order_is_not_applicable(client, world):
    world.order("O-1")
    close_order(world, "O-1")
    body = not_applicable(file_shipment(client, world.owner, "O-1"), "order_nos")
    assert "O-1" in body["detail"]
    assert listed(client, world.reviewer) == []


def test_a_scheduled_delivery_order_may_be_reported(client, world):
    world.order("S-1", kind=OrderKind.SCHEDULED_DELIVERY)
    assert created(file_shipment(client, world.owner, "S-1"))["order_nos"] == ["S-1"]


@pytest.mark.parametrize("decided", ["pending", "approved"])
def test_an_order_covered_by_a_pending_or_approved_report_is_not_applicable(
        client, world, decided):
    world.order("O-1")
    world.order("O-2")
    first = created(file_shipment(client, world.owner, "O-1"))
    if decided == "approved":
        approved(client, world, first["id"])
    latest = SHIP_BY + timedelta(days=10)  # after O-1's deadline even once it moved
    body = not_applicable(file_shipment(client, world.agent, "O-2", "O-1", latest=latest),
                          "order_nos")
    assert "O-1" in body["detail"]
    assert str(first["id"]) in body["detail"]
    assert [r["id"] for r in listed(client, world.reviewer)] == [first["id"]]
    assert "report.submitted" not in event_types(client, world.owner, "O-2")


@pytest.mark.parametrize("decided", ["rejected", "withdrawn"])
def test_a_rejected_or_withdrawn_report_no_longer_covers_its_order(client, world, decided):
    world.order("O-1")
    first = created(file_shipment(client, world.owner, "O-1"))
    if decided == "rejected":
        assert reject(client, world.reviewer, first["id"]).status_code == 200
    else:
        assert withdraw(client, world.owner, first["id"]).status_code == 200
    second = created(file_shipment(client, world.owner, "O-1"))
    assert second["id"] != first["id"]


def test_a_store_report_does_not_stop_a_shipment_report_for_the_same_order(client, world):
    world.order("O-1")
    store = created(file_store(client, world.owner, SHIP_BY, SHIP_BY + SECOND,
                               SHIP_BY + timedelta(days=2)))
    assert store["order_nos"] == ["O-1"]
    shipment = created(file_shipment(client, world.owner, "O-1"))
    assert shipment["order_nos"] == ["O-1"]


def test_an_order_past_its_deadline_may_still_be_reported(client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY + timedelta(days=1))
    report = created(file_shipment(client, world.owner, "O-1",
                                   latest=SHIP_BY + timedelta(days=2)))
    assert report["order_nos"] == ["O-1"]


def test_an_order_with_a_pending_card_may_be_reported(client, world):
    world.order("O-1")
    sent_card(client, world)
    assert created(file_shipment(client, world.owner, "O-1"))["status"] == "pending_review"


# --- the latest ship time of a shipment report --------------------------------------------


def test_a_latest_ship_time_exactly_at_the_deadline_is_refused(client, world):
    world.order("O-1")
    body = assert_invalid(file_shipment(client, world.owner, latest=SHIP_BY), "latest_ship_at")
    assert iso(SHIP_BY) in body["errors"]["latest_ship_at"][0]
    assert_nothing_filed(client, world, "O-1")


def test_a_latest_ship_time_one_second_after_the_deadline_is_accepted(client, world):
    world.order("O-1")
    report = created(file_shipment(client, world.owner, latest=SHIP_BY + SECOND))
    assert report["latest_ship_at"] == iso(SHIP_BY + SECOND)


def test_a_latest_ship_time_exactly_15_days_after_the_deadline_is_accepted(client, world):
    world.order("O-1")
    report = created(file_shipment(client, world.owner, latest=SHIP_BY + HORIZON))
    assert report["latest_ship_at"] == "2026-12-08T23:00:00Z"


def test_a_latest_ship_time_one_second_past_15_days_is_refused(client, world):
    world.order("O-1")
    body = assert_invalid(file_shipment(client, world.owner, latest=SHIP_BY + HORIZON + SECOND),
                          "latest_ship_at")
    assert "15 days" in body["errors"]["latest_ship_at"][0]
    assert_nothing_filed(client, world, "O-1")


def test_after_an_agreement_the_bounds_count_from_the_agreed_time(client, world):
    world.order("O-1")
    agreed_at = START + timedelta(days=5)
    card = sent_card(client, world, at=agreed_at)
    assert accept(client, world.buyer, card["id"]).status_code == 200

    assert_invalid(file_shipment(client, world.owner, latest=agreed_at), "latest_ship_at")
    assert_invalid(file_shipment(client, world.owner, latest=agreed_at + HORIZON + SECOND),
                   "latest_ship_at")
    assert listed(client, world.reviewer) == []
    report = created(file_shipment(client, world.owner, latest=agreed_at + HORIZON))
    assert report["latest_ship_at"] == iso(agreed_at + HORIZON)


def test_with_several_orders_the_latest_time_must_follow_each_deadline(client, world):
    world.order("O-1")
    world.order("O-2", ship_by=SHIP_BY + timedelta(days=5))
    body = assert_invalid(file_shipment(client, world.owner, "O-1", "O-2",
                                        latest=SHIP_BY + timedelta(days=5)), "latest_ship_at")
    assert "O-2" in body["errors"]["latest_ship_at"][0]
    body = assert_invalid(file_shipment(client, world.owner, "O-1", "O-2",
                                        latest=SHIP_BY + HORIZON + SECOND), "latest_ship_at")
    assert "O-1" in body["errors"]["latest_ship_at"][0]
    assert_nothing_filed(client, world, "O-1", "O-2")
    report = created(file_shipment(client, world.owner, "O-1", "O-2",
                                   latest=SHIP_BY + HORIZON))
    assert report["order_nos"] == ["O-1", "O-2"]


def test_a_latest_ship_time_must_lie_in_the_future(client, world, clock):
    world.order("O-1")
    now = SHIP_BY + timedelta(days=2)
    clock.set(now)
    body = assert_invalid(file_shipment(client, world.owner, latest=now), "latest_ship_at")
    assert "future" in body["errors"]["latest_ship_at"][0]
    assert listed(client, world.reviewer) == []
    assert created(file_shipment(client, world.owner, latest=now + SECOND))


# --- collection reports -------------------------------------------------------------------


def test_a_collection_report_names_tracking_numbers_and_their_orders(client, world):
    world.order("O-1")
    world.order("O-2")
    assert ship(client, world.owner, "O-1", tracking_no="SF1000001").status_code == 201
    assert ship(client, world.owner, "O-2", tracking_no="SF1000002").status_code == 201
    latest = COLLECT_BY + timedelta(days=1)
    report = created(file_collection(client, world.agent, "SF1000002", "SF1000001",
                                     latest=latest))
    assert report["kind"] == "collection"
    assert report["tracking_nos"] == ["SF1000002", "SF1000001"]
    assert report["order_nos"] == ["O-2", "O-1"]
    assert (report["latest_collect_at"], report["latest_ship_at"]) == (iso(latest), None)
    for order_no in ("O-1", "O-2"):
        submitted = [e for e in events(client, world.owner, order_no)
                     if e["type"] == "report.submitted"]
        assert [e["data"]["latest_collect_at"] for e in submitted] == [iso(latest)]


def test_an_order_not_shipped_has_no_tracking_number_to_report(client, world):
    world.order("O-1")
    body = assert_invalid(file_collection(client, world.owner, "SF1000001"), "tracking_nos")
    assert "SF1000001" in body["errors"]["tracking_nos"][0]
    assert listed(client, world.reviewer) == []


def test_a_closed_orders_tracking_number_is_not_applicable(client, world):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    close_order(world, "O-1")
    body = not_applicable(file_collection(client, world.owner, "SF1000001"), "tracking_nos")
    assert "SF1000001" in body["detail"]
    assert listed(client, world.reviewer) == []


@pytest.mark.parametrize("decided", ["pending", "approved"])
def test_a_tracking_number_already_reported_is_not_applicable(client, world, decided):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    first = created(file_collection(client, world.owner, "SF1000001"))
    if decided == "approved":
        approved(client, world, first["id"])
    body = not_applicable(file_collection(client, world.owner, "SF1000001",
                                          latest=COLLECT_BY + timedelta(days=5)),
                          "tracking_nos")
    assert "SF1000001" in body["detail"]
    assert str(first["id"]) in body["detail"]
    assert [r["id"] for r in listed(client, world.reviewer)] == [first["id"]]


def test_a_withdrawn_collection_report_no_longer_covers_its_tracking_number(client, world):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    first = created(file_collection(client, world.owner))
    assert withdraw(client, world.owner, first["id"]).status_code == 200
    assert created(file_collection(client, world.owner))["id"] != first["id"]


def test_normal_mode_collection_bounds_count_from_payment_plus_72_hours(client, world):
    world.order("O-1")  # paid one hour before START: collection due 71 h after START
    assert ship(client, world.owner).status_code == 201
    for refused in (COLLECT_BY, COLLECT_BY + HORIZON + SECOND):
        assert_invalid(file_collection(client, world.owner, latest=refused), "latest_collect_at")
    assert listed(client, world.reviewer) == []
    low = created(file_collection(client, world.owner, latest=COLLECT_BY + SECOND))
    assert withdraw(client, world.owner, low["id"]).status_code == 200
    high = created(file_collection(client, world.owner, latest=COLLECT_BY + HORIZON))
    assert high["latest_collect_at"] == "2026-12-09T23:00:00Z"


@pytest.mark.parametrize("mode", ["express", "tiered"])
def test_express_and_tiered_collection_bounds_count_from_the_upload_plus_24_hours(
        client, world, clock, mode):
    create_order(client, world, "E-1", ship_mode=mode)
    clock.advance(timedelta(hours=2))
    assert ship(client, world.owner, "E-1", tracking_no="YT2000001").status_code == 201
    due = START + timedelta(hours=26)  # shipped at START + 2 h, collected within 24 h
    for refused in (due, due + HORIZON + SECOND):  # the second fits normal mode
        body = assert_invalid(file_collection(client, world.owner, "YT2000001", latest=refused),
                              "latest_collect_at")
        assert "YT2000001" in body["errors"]["latest_collect_at"][0]
    assert listed(client, world.reviewer) == []
    low = created(file_collection(client, world.owner, "YT2000001", latest=due + SECOND))
    assert withdraw(client, world.owner, low["id"]).status_code == 200
    created(file_collection(client, world.owner, "YT2000001", latest=due + HORIZON))


def test_a_latest_collection_time_must_lie_in_the_future(client, world, clock):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    now = COLLECT_BY + timedelta(days=1)
    clock.set(now)
    body = assert_invalid(file_collection(client, world.owner, latest=now), "latest_collect_at")
    assert "future" in body["errors"]["latest_collect_at"][0]
    assert created(file_collection(client, world.owner, latest=now + SECOND))


# --- store reports ------------------------------------------------------------------------

W_START = START + timedelta(days=1)
W_END = START + timedelta(days=3)


def test_a_store_report_names_the_orders_whose_deadline_falls_in_its_window(client, world):
    other_id, _, _ = other_store(world)
    world.order("BEFORE", ship_by=W_START - SECOND)
    world.order("FIRST", ship_by=W_START)
    world.order("LAST", ship_by=W_END - SECOND)
    world.order("END", ship_by=W_END)
    world.order("SHIPPED", ship_by=W_START + timedelta(hours=1))
    world.order("VIRTUAL", ship_by=W_START + timedelta(hours=1), kind=OrderKind.VIRTUAL)
    world.order("ELSEWHERE", ship_by=W_START + timedelta(hours=1), store_id=other_id)
    assert ship(client, world.owner, "SHIPPED").status_code == 201

    latest = W_END + timedelta(days=2)
    report = created(file_store(client, world.owner, W_START, W_END, latest))
    assert sorted(report["order_nos"]) == ["FIRST", "LAST"]
    assert (report["window_start"], report["window_end"]) == (iso(W_START), iso(W_END))
    assert report["latest_ship_at"] == iso(latest)
    assert report["history"][0]["data"] == {"orders": 2}
    told = {n: "report.submitted" in event_types(client, world.reviewer, n)
            for n in ("BEFORE", "FIRST", "LAST", "END", "SHIPPED", "VIRTUAL", "ELSEWHERE")}
    assert told == {"BEFORE": False, "FIRST": True, "LAST": True, "END": False,
                    "SHIPPED": False, "VIRTUAL": False, "ELSEWHERE": False}


def test_a_store_report_with_no_order_in_its_window_is_filed(client, world):
    report = created(file_store(client, world.owner, W_START, W_END, W_END + timedelta(days=1)))
    assert report["order_nos"] == []


def test_a_store_reports_latest_time_counts_from_the_window_end(client, world):
    for refused in (W_END, W_END + HORIZON + SECOND):
        body = assert_invalid(file_store(client, world.owner, W_START, W_END, refused),
                              "latest_ship_at")
        assert "window_end" in body["errors"]["latest_ship_at"][0]
    assert listed(client, world.reviewer) == []
    low = created(file_store(client, world.owner, W_START, W_END, W_END + SECOND))
    assert withdraw(client, world.owner, low["id"]).status_code == 200
    created(file_store(client, world.agent, W_START, W_END, W_END + HORIZON))


def test_a_store_reports_latest_time_must_lie_in_the_future(client, world, clock):
    clock.set(W_END + timedelta(days=1))
    now = clock.now()
    body = assert_invalid(file_store(client, world.owner, W_START, W_END, now), "latest_ship_at")
    assert "future" in body["errors"]["latest_ship_at"][0]
    assert created(file_store(client, world.owner, W_START, W_END, now + SECOND))


@pytest.mark.parametrize("end", [W_START, W_START - SECOND], ids=["empty", "reversed"])
def test_a_window_must_end_after_it_starts(client, world, end):
    body = assert_invalid(file_store(client, world.owner, W_START, end, W_END), "window_end")
    assert "window_start" in body["errors"]["window_end"][0]
    assert listed(client, world.reviewer) == []


def test_a_window_of_exactly_30_days_is_accepted_and_one_second_more_refused(client, world):
    end = W_START + timedelta(days=30)
    body = assert_invalid(file_store(client, world.owner, W_START, end + SECOND,
                                     end + timedelta(days=1)), "window_end")
    assert "30 days" in body["errors"]["window_end"][0]
    assert listed(client, world.reviewer) == []
    report = created(file_store(client, world.owner, W_START, end, end + timedelta(days=1)))
    assert report["window_end"] == iso(end)


@pytest.mark.parametrize("decided", ["pending", "approved"])
def test_an_overlapping_window_of_the_same_store_is_not_applicable(client, world, decided):
    first = created(file_store(client, world.owner, W_START, W_END, W_END + timedelta(days=1)))
    if decided == "approved":
        approved(client, world, first["id"])
    for start, end in ((W_END - SECOND, W_END + timedelta(days=1)),
                       (W_START - timedelta(days=1), W_START + SECOND),
                       (W_START + SECOND, W_END - SECOND)):
        body = not_applicable(file_store(client, world.agent, start, end,
                                         end + timedelta(days=1)), "window_start")
        assert str(first["id"]) in body["detail"]
    assert [r["id"] for r in listed(client, world.reviewer)] == [first["id"]]


def test_windows_that_only_touch_do_not_overlap(client, world):
    created(file_store(client, world.owner, W_START, W_END, W_END + timedelta(days=1)))
    after = created(file_store(client, world.owner, W_END, W_END + timedelta(days=1),
                               W_END + timedelta(days=2)))
    before = created(file_store(client, world.owner, W_START - timedelta(days=1), W_START,
                                W_END + timedelta(days=1)))
    assert len({after["id"], before["id"]}) == 2
    assert len(listed(client, world.reviewer)) == 3


@pytest.mark.parametrize("decided", ["rejected", "withdrawn"])
def test_a_rejected_or_withdrawn_window_no_longer_blocks(client, world, decided):
    first = created(file_store(client, world.owner, W_START, W_END, W_END + timedelta(days=1)))
    if decided == "rejected":
        assert reject(client, world.reviewer, first["id"]).status_code == 200
    else:
        assert withdraw(client, world.owner, first["id"]).status_code == 200
    created(file_store(client, world.owner, W_START, W_END, W_END + timedelta(days=1)))


def test_another_stores_window_does_not_block(client, world):
    _, other_owner, _ = other_store(world)
    created(file_store(client, other_owner, W_START, W_END, W_END + timedelta(days=1)))
    created(file_store(client, world.owner, W_START, W_END, W_END + timedelta(days=1)))


def test_a_refused_filing_writes_nothing_on_any_timeline(client, world):
    world.order("O-1")
    world.order("O-2")
    before = {n: events(client, world.owner, n) for n in ("O-1", "O-2")}
    assert_invalid(file_shipment(client, world.owner, "O-1", "O-2", latest=SHIP_BY),
                   "latest_ship_at")
    assert {n: events(client, world.owner, n) for n in ("O-1", "O-2")} == before
    assert client.get(f"{API}/orders/O-1", headers=world.owner.headers).json["ship_by"] == iso(
        SHIP_BY)
