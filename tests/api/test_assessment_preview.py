"""An order's assessment and its preview (GET /orders/{no}/assessment?ship_at=): what
shipping at a given instant would add, figured by the rules and recorded nowhere."""

from datetime import timedelta

import pytest

from tests.api.assessment_helpers import (
    AUTO_CLOSE,
    COLLECT_BY,
    PAID_AT,
    SECOND,
    SHIP_BY,
    START,
    assessed,
    assessment,
    entries,
    exempt,
    new_order,
    ok,
    scanned,
    shipped,
    violation,
)
from tests.api.helpers import (
    accept,
    assert_invalid,
    assert_problem,
    events,
    iso,
    sent_card,
)
from tests.api.report_helpers import other_store


@pytest.fixture
def o1(world):
    """O-1: paid an hour before START, due to ship by SHIP_BY (START + 47 h) and to be
    collected by COLLECT_BY (START + 71 h, normal mode), amount 100.00."""
    return world.order("O-1")


def snapshot(client, world, order_no="O-1"):
    """What a preview must leave as it was."""
    return (events(client, world.owner, order_no), entries(client, world),
            assessed(client, world.owner, order_no))


def preview(client, world, ship_at, order_no="O-1", actor=None):
    return assessed(client, actor or world.owner, order_no, ship_at)


# --- the plain assessment --------------------------------------------------------------


def test_an_order_on_time_has_its_deadlines_and_costs_nothing(client, world, o1):
    seen = assessed(client, world.owner)
    assert seen["order_no"] == "O-1" and seen["status"] == "awaiting_shipment"
    assert (seen["ship_by"], seen["ship_by_source"]) == (iso(SHIP_BY), "original")
    assert (seen["collect_by"], seen["collected_at"]) == (iso(COLLECT_BY), None)
    assert seen["violations"] == []
    assert (seen["deduction"], seen["points"], seen["compensation"]) == ("0.00", "0.00", "0.00")
    assert seen["product_banned"] is False and seen["ship_at"] is None


@pytest.mark.parametrize("role", ["owner", "agent", "reviewer"])
def test_the_store_and_reviewers_read_the_assessment(client, world, o1, role):
    assert assessed(client, getattr(world, role))["order_no"] == "O-1"


@pytest.mark.parametrize("ship_at", [None, SHIP_BY])
def test_a_buyer_may_not_read_the_assessment_even_of_its_own_order(client, world, o1, ship_at):
    assert_problem(assessment(client, world.buyer, ship_at=ship_at), 403, "forbidden")


@pytest.mark.parametrize("ship_at", [None, SHIP_BY])
def test_another_stores_sellers_find_no_such_order(client, world, o1, ship_at):
    _, owner, agent = other_store(world)
    for seller in (owner, agent):
        hidden = assessment(client, seller, ship_at=ship_at)
        missing = assessment(client, seller, "O-404", ship_at=ship_at)
        assert_problem(hidden, 404, "not_found")
        assert_problem(missing, 404, "not_found")


# --- the preview -----------------------------------------------------------------------


def test_shipping_one_second_before_the_deadline_would_add_nothing(client, world, o1):
    seen = preview(client, world, SHIP_BY - SECOND)
    assert seen["ship_at"] == iso(SHIP_BY - SECOND)
    assert seen["violations"] == []
    assert (seen["deduction"], seen["points"], seen["compensation"]) == ("0.00", "0.00", "0.00")


def test_shipping_at_the_deadline_would_add_a_late_shipment_not_yet_recorded(client, world, o1):
    seen = preview(client, world, SHIP_BY)
    assert seen["violations"] == [violation("late_shipment", SHIP_BY, None, recorded=False)]
    assert (seen["deduction"], seen["points"], seen["compensation"]) == (
        "10.00", "0.10", "5.00")
    assert seen["product_banned"] is False


def test_shipping_once_collection_is_due_would_add_both_timeouts(client, world, o1):
    seen = preview(client, world, COLLECT_BY)
    assert seen["violations"] == [violation("late_shipment", SHIP_BY, None, recorded=False),
                                  violation("collection_timeout", COLLECT_BY, None,
                                            recorded=False)]
    assert (seen["deduction"], seen["points"], seen["compensation"]) == (
        "20.00", "0.20", "5.00")
    between = preview(client, world, COLLECT_BY - SECOND)
    assert [v["kind"] for v in between["violations"]] == ["late_shipment"]


@pytest.mark.parametrize("ship_at", [SHIP_BY - SECOND, SHIP_BY, COLLECT_BY + timedelta(days=9)])
def test_a_preview_records_nothing(client, world, o1, ship_at):
    before = snapshot(client, world)
    preview(client, world, ship_at)
    preview(client, world, ship_at, actor=world.reviewer)
    assert snapshot(client, world) == before
    assert before[2]["violations"] == []


def test_a_preview_adds_to_what_is_recorded_and_repeats_none_of_it(client, world, clock, o1):
    clock.set(SHIP_BY + timedelta(hours=2))
    seen = preview(client, world, COLLECT_BY)
    assert seen["violations"] == [
        violation("late_shipment", SHIP_BY, SHIP_BY + timedelta(hours=2)),
        violation("collection_timeout", COLLECT_BY, None, recorded=False)]
    assert (seen["deduction"], seen["points"], seen["compensation"]) == (
        "20.00", "0.20", "5.00")
    plain = assessed(client, world.owner)
    assert [v["recorded"] for v in plain["violations"]] == [True]
    assert (plain["deduction"], plain["points"], plain["compensation"]) == (
        "10.00", "0.10", "5.00")


def test_a_preview_shows_a_violation_an_exemption_covers_as_exempted_and_free(
        client, world, o1):
    ok(exempt(client, world.reviewer, starts_at=SHIP_BY, ends_at=SHIP_BY + SECOND,
              kinds=["late_shipment"]), 201)
    seen = preview(client, world, COLLECT_BY)
    assert seen["violations"] == [
        violation("late_shipment", SHIP_BY, None, "regional_exemption", recorded=False),
        violation("collection_timeout", COLLECT_BY, None, recorded=False)]
    assert (seen["deduction"], seen["points"], seen["compensation"]) == (
        "10.00", "0.10", "0.00")


def test_a_preview_past_an_agreed_time_owes_the_buyer_nothing(client, world, o1):
    agreed_at = START + timedelta(days=2)
    card = sent_card(client, world, "O-1", at=agreed_at)
    assert accept(client, world.buyer, card["id"]).status_code == 200
    seen = preview(client, world, agreed_at)
    assert seen["ship_by_source"] == "agreed_card"
    assert seen["violations"] == [violation("late_shipment", agreed_at, None, recorded=False)]
    assert (seen["deduction"], seen["compensation"]) == ("10.00", "0.00")


@pytest.mark.parametrize("mode", ["express", "tiered"])
def test_a_preview_in_express_modes_counts_collection_from_the_shipping_it_imagines(
        client, world, mode):
    """Express and tiered parcels are due 24 h after the upload the preview imagines at
    ship_at, and taken as collected then: 72 h after payment is no collection timeout."""
    new_order(client, world, "E-1", ship_mode=mode)
    seen = preview(client, world, COLLECT_BY + timedelta(days=1), "E-1")
    assert seen["violations"] == [violation("late_shipment", SHIP_BY, None, recorded=False)]
    assert (seen["deduction"], seen["points"]) == ("10.00", "0.10")
    assert assessed(client, world.owner, "E-1")["collect_by"] is None


@pytest.mark.parametrize("policy", [{"daily_deduction_cap": "10"}])
def test_a_preview_counts_against_the_cap_of_the_business_day_it_would_be_charged_on(
        client, world, clock, o1):
    """Cap 10: another order charged on the same Shanghai day leaves nothing to deduct."""
    world.order("O-2", ship_by=START + timedelta(hours=1))
    world.order("O-3", ship_by=START + timedelta(hours=3))  # Shanghai 11:00, same day
    world.order("O-4", ship_by=START + timedelta(hours=16))  # Shanghai 00:00, next day
    clock.set(START + timedelta(hours=2))
    assert assessed(client, world.owner, "O-2")["deduction"] == "10.00"
    same_day = preview(client, world, START + timedelta(hours=4), "O-3")
    assert (same_day["deduction"], same_day["points"]) == ("0.00", "0.10")
    next_day = preview(client, world, START + timedelta(hours=17), "O-4")
    assert (next_day["deduction"], next_day["points"]) == ("10.00", "0.10")


@pytest.mark.parametrize("policy", [{"ban_after_ship_timeouts": 0}])
def test_a_preview_tells_when_shipping_then_would_ban_the_product(client, world, o1):
    assert preview(client, world, SHIP_BY - SECOND)["product_banned"] is False
    assert preview(client, world, SHIP_BY)["product_banned"] is True
    assert assessed(client, world.owner)["product_banned"] is False


CLOSES_AT = PAID_AT + AUTO_CLOSE


def test_shipping_one_second_before_the_automatic_close_would_still_ship(client, world, o1):
    seen = preview(client, world, CLOSES_AT - SECOND)
    assert seen["closed_at"] is None
    assert [v["kind"] for v in seen["violations"]] == ["late_shipment", "collection_timeout"]


def test_a_preview_past_the_automatic_close_shows_the_close_and_what_stands_at_it(
        client, world, o1):
    """The order closes 150 days after payment, unshipped: shipping at or after that
    never happens, so the preview is what stands at the close, dated the close."""
    for ship_at in (CLOSES_AT, CLOSES_AT + timedelta(days=30)):
        seen = preview(client, world, ship_at)
        assert seen["closed_at"] == iso(CLOSES_AT)
        assert seen["violations"] == [
            violation("late_shipment", SHIP_BY, None, recorded=False),
            violation("collection_timeout", COLLECT_BY, None, recorded=False)]
        assert (seen["deduction"], seen["points"], seen["compensation"]) == (
            "20.00", "0.20", "5.00")
    assert assessed(client, world.owner)["closed_at"] is None


@pytest.mark.parametrize("mode", ["express", "tiered"])
def test_a_preview_past_the_close_imagines_no_upload_in_express_modes(client, world, mode):
    new_order(client, world, "E-1", ship_mode=mode)
    seen = preview(client, world, CLOSES_AT, "E-1")
    assert (seen["closed_at"], seen["collect_by"]) == (iso(CLOSES_AT), None)
    assert [v["kind"] for v in seen["violations"]] == ["late_shipment"]


@pytest.mark.parametrize("ship_at", [CLOSES_AT, CLOSES_AT + timedelta(days=3)],
                         ids=["at-close", "past-close"])
def test_a_preview_past_the_close_foretells_what_the_close_records(client, world, clock, o1,
                                                                    ship_at):
    foretold = preview(client, world, ship_at)
    clock.set(ship_at)
    refused = client.post("/api/v1/orders/O-1/shipments", headers=world.owner.headers,
                          json={"carrier": "SF Express", "tracking_no": "SF1000001"})
    assert_problem(refused, 409, "order_not_awaiting_shipment")
    recorded = assessed(client, world.owner)
    for key in ("deduction", "points", "compensation", "product_banned", "closed_at"):
        assert recorded[key] == foretold[key], key
    assert ([(v["kind"], v["due_at"], v["exempted_by"]) for v in recorded["violations"]]
            == [(v["kind"], v["due_at"], v["exempted_by"]) for v in foretold["violations"]])


# --- what a preview refuses ------------------------------------------------------------


def test_a_ship_at_in_the_past_names_ship_at(client, world, clock, o1):
    clock.advance(timedelta(hours=1))
    before = snapshot(client, world)
    assert_invalid(assessment(client, world.owner, ship_at=clock.now() - SECOND), "ship_at")
    assert snapshot(client, world) == before


def test_a_ship_at_exactly_now_is_a_preview_of_shipping_now(client, world, clock, o1):
    clock.set(SHIP_BY - SECOND)
    assert preview(client, world, clock.now())["violations"] == []


@pytest.mark.parametrize("ship_at", ["tomorrow", "2026-11-25T08:00:00", "2026-13-01T00:00:00Z"])
def test_a_ship_at_that_is_no_instant_names_ship_at(client, world, o1, ship_at):
    assert_invalid(assessment(client, world.owner, ship_at=ship_at), "ship_at")


def test_a_shipped_order_has_no_shipping_left_to_preview(client, world, clock, o1):
    shipped(client, world.owner)
    response = assessment(client, world.owner, ship_at=clock.now() + timedelta(hours=1))
    assert_problem(response, 409, "order_not_awaiting_shipment")
    assert assessed(client, world.owner)["status"] == "shipped"


# --- the preview against what then happens ---------------------------------------------


@pytest.mark.parametrize("ship_at", [
    SHIP_BY - SECOND, SHIP_BY, SHIP_BY + timedelta(hours=5), COLLECT_BY - SECOND, COLLECT_BY,
    COLLECT_BY + timedelta(days=2)], ids=["before", "at-deadline", "late", "before-collect-by",
                                         "at-collect-by", "two-days-past"])
@pytest.mark.parametrize("agreed", [False, True], ids=["original", "agreed"])
def test_a_preview_foretells_what_shipping_then_records(client, world, clock, o1, ship_at,
                                                        agreed):
    """The preview's costs are figured by its own loop over the charge rules; shipping
    (and being collected) at that instant, then assessing for real, must cost the same."""
    if agreed:  # the deadline moves 5 hours on, and every instant with it
        card = sent_card(client, world, "O-1", at=SHIP_BY + timedelta(hours=5))
        assert accept(client, world.buyer, card["id"]).status_code == 200
        ship_at += timedelta(hours=5)
    foretold = preview(client, world, ship_at)
    clock.set(ship_at)
    shipped(client, world.owner)
    scanned(client, world, at=ship_at)
    clock.set(ship_at + timedelta(days=1))
    recorded = assessed(client, world.owner)
    for key in ("deduction", "points", "compensation", "product_banned"):
        assert recorded[key] == foretold[key], key
    assert ([(v["kind"], v["due_at"], v["exempted_by"]) for v in recorded["violations"]]
            == [(v["kind"], v["due_at"], v["exempted_by"]) for v in foretold["violations"]])
