"""What violations cost (RULES.md §4, seed 004) and the store's penalty ledger
(GET /stores/{id}/penalties): 10 per violating order, at most 2 per order, at most 500
per store per Shanghai day, applied the next day; 0.1 points each; the buyer's automatic
compensation; who reads the ledger, its ranges, totals and pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.api.assessment_helpers import (
    COLLECT_BY,
    SECOND,
    SHIP_BY,
    START,
    assessed,
    entries,
    ledger,
    money,
    new_order,
    ok,
    penalties,
    run_sweep,
    shanghai,
    total,
)
from tests.api.helpers import accept, assert_invalid, assert_problem, iso, sent_card
from tests.api.report_helpers import approved, created, file_shipment, other_store

EARLY = START + timedelta(hours=2)  # a deadline that passes on START's Shanghai day


def late_orders(world, *order_nos, ship_by=EARLY):
    for order_no in order_nos:
        world.order(order_no, ship_by=ship_by)


def charged(client, world, order_no):
    """Read the order (which records what fell due) and return its deduction entries."""
    assessed(client, world.owner, order_no)
    return entries(client, world, order_no, kind="deposit_deduction")


# --- one violation ---------------------------------------------------------------------


def test_a_late_order_costs_its_store_10_and_0_1_points_applied_the_next_shanghai_day(
        client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY + timedelta(hours=1))  # 2026-11-24 08:00 in Shanghai
    [deduction] = charged(client, world, "O-1")
    assert (deduction["amount"], deduction["points"]) == ("10.00", "0.10")
    assert deduction["violation_kind"] == "late_shipment"
    assert deduction["at"] == iso(clock.now()) and deduction["revoked_at"] is None
    assert deduction["applies_on"] == "2026-11-25"
    seen = assessed(client, world.owner)
    assert (seen["deduction"], seen["points"]) == ("10.00", "0.10")


@pytest.mark.parametrize(("detected", "applies_on"), [
    (shanghai(2026, 11, 22, 23, 59, 59), "2026-11-23"),
    (shanghai(2026, 11, 23, 0, 0, 0), "2026-11-24")], ids=["23:59:59", "00:00:00"])
def test_a_deduction_applies_on_the_shanghai_day_after_its_detection(
        client, world, clock, detected, applies_on):
    late_orders(world, "O-1")
    clock.set(detected)
    [deduction] = charged(client, world, "O-1")
    assert deduction["applies_on"] == applies_on


def test_an_order_late_and_then_uncollected_is_deducted_twice(client, world, clock):
    world.order("O-1")
    clock.set(COLLECT_BY + timedelta(hours=1))
    deductions = charged(client, world, "O-1")
    assert [(d["violation_kind"], d["amount"], d["points"]) for d in deductions] == [
        ("late_shipment", "10.00", "0.10"), ("collection_timeout", "10.00", "0.10")]
    assert assessed(client, world.owner)["deduction"] == "20.00"


@pytest.mark.parametrize("policy", [{"max_deductions_per_order": 1}])
def test_a_violation_past_the_per_order_limit_deducts_nothing_but_keeps_its_points(
        client, world, clock):
    """Two distinct missed deadlines are the most one order can have through the API,
    so the limit (2 by default) is lowered to 1 to reach the violation past it."""
    world.order("O-1")
    clock.set(COLLECT_BY + timedelta(hours=1))
    deductions = charged(client, world, "O-1")
    assert [(d["violation_kind"], d["amount"], d["points"]) for d in deductions] == [
        ("late_shipment", "10.00", "0.10"), ("collection_timeout", "0.00", "0.10")]
    seen = assessed(client, world.owner)
    assert (seen["deduction"], seen["points"]) == ("10.00", "0.20")
    assert len(seen["violations"]) == 2


@pytest.mark.parametrize("policy", [{"max_deductions_per_order": 1}])
def test_a_reversed_deduction_no_longer_counts_toward_the_per_order_limit(
        client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY + timedelta(hours=1))
    charged(client, world, "O-1")
    latest = SHIP_BY + timedelta(hours=10)  # before COLLECT_BY: only the late shipment moves
    approved(client, world, created(file_shipment(client, world.owner, "O-1",
                                                  latest=latest))["id"])
    clock.set(latest)
    deductions = charged(client, world, "O-1")
    assert [(d["amount"], d["revoked_at"] is None) for d in deductions] == [
        ("10.00", False), ("10.00", True)]


# --- the daily cap ---------------------------------------------------------------------


def test_fifty_late_orders_on_one_shanghai_day_deduct_500_and_the_51st_nothing(
        client, world, clock, runner):
    numbers = [f"O-{n:02d}" for n in range(1, 52)]
    late_orders(world, *numbers)
    clock.set(EARLY + timedelta(hours=1))
    run_sweep(runner)
    deductions = entries(client, world, kind="deposit_deduction")
    assert sorted(d["order_no"] for d in deductions) == numbers
    assert sorted(d["amount"] for d in deductions) == ["0.00"] + ["10.00"] * 50
    assert {d["points"] for d in deductions} == {"0.10"}
    assert {d["applies_on"] for d in deductions} == {"2026-11-23"}
    assert total(deductions) == Decimal("500")
    totals = ledger(client, world.reviewer, world.store_id)["totals"]
    assert (totals["deducted"], totals["points"]) == ("500.00", "5.10")
    # The cap limits the store's deposit, not what its buyers are owed.
    assert len(entries(client, world, kind="buyer_compensation")) == 51


@pytest.mark.parametrize("policy", [{"daily_deduction_cap": "30"}])
def test_once_the_days_cap_is_reached_the_next_order_deducts_nothing(client, world, clock):
    late_orders(world, "A", "B", "C", "D")
    clock.set(EARLY + timedelta(hours=1))
    amounts = [charged(client, world, n)[0]["amount"] for n in ("A", "B", "C", "D")]
    assert amounts == ["10.00", "10.00", "10.00", "0.00"]
    assert charged(client, world, "D")[0]["points"] == "0.10"


@pytest.mark.parametrize("policy", [{"daily_deduction_cap": "10"}])
def test_detections_either_side_of_shanghai_midnight_count_against_different_days(
        client, world, clock):
    """15:59:59 UTC is 23:59:59 in Shanghai, 16:00:00 UTC the next day's midnight."""
    late_orders(world, "A", "B", "C")
    clock.set(START + timedelta(hours=16) - SECOND)
    [a] = charged(client, world, "A")
    clock.set(START + timedelta(hours=16))
    [b] = charged(client, world, "B")
    [c] = charged(client, world, "C")
    assert [(e["amount"], e["applies_on"]) for e in (a, b, c)] == [
        ("10.00", "2026-11-23"), ("10.00", "2026-11-24"), ("0.00", "2026-11-24")]


@pytest.mark.parametrize("policy", [{"daily_deduction_cap": "10"}])
def test_another_stores_deductions_leave_this_stores_cap_alone(client, world, clock):
    other_id, other_owner, _ = other_store(world)
    late_orders(world, "A")
    world.order("X", ship_by=EARLY, store_id=other_id)
    clock.set(EARLY + timedelta(hours=1))
    assessed(client, other_owner, "X")
    assert charged(client, world, "A")[0]["amount"] == "10.00"


@pytest.mark.parametrize("policy", [{"daily_deduction_cap": "10"}])
def test_a_revoked_deduction_still_counts_against_its_days_cap(client, world, clock):
    # The cap limits what is deducted in a day; a later reversal is a refund, and does
    # not open room for more deductions that day (docs/architecture.md, Assessment).
    late_orders(world, "A", "B")
    world.order("C", ship_by=START + timedelta(hours=4))
    clock.set(START + timedelta(hours=3))
    assert charged(client, world, "A")[0]["amount"] == "10.00"
    approved(client, world, created(file_shipment(
        client, world.owner, "A", latest=START + timedelta(days=3)))["id"])
    assert entries(client, world, "A", kind="deposit_deduction")[0]["revoked_at"] is not None
    clock.set(START + timedelta(hours=5))  # still 2026-11-22 in Shanghai
    assert charged(client, world, "C")[0]["amount"] == "0.00"


# --- the buyer's compensation ----------------------------------------------------------


@pytest.mark.parametrize(("amount", "owed"), [
    ("50.00", "5.00"), ("100.00", "5.00"), ("120.00", "6.00"), ("200.00", "10.00"),
    ("599.80", "29.99"), ("600.00", "30.00"), ("620.00", "30.00"), ("1000.00", "30.00")])
def test_a_late_shipment_compensates_the_buyer_5_percent_at_least_5_at_most_30(
        client, world, clock, amount, owed):
    new_order(client, world, "O-1", amount=amount)
    clock.set(SHIP_BY + timedelta(hours=1))
    seen = assessed(client, world.owner)
    assert seen["compensation"] == owed
    [paid] = entries(client, world, "O-1", kind="buyer_compensation")
    assert (paid["amount"], paid["points"], paid["violation_kind"]) == (owed, "0.00",
                                                                         "late_shipment")
    assert seen["deduction"] == "10.00"  # whatever the amount


def test_a_collection_timeout_alone_compensates_nobody(client, world, clock):
    world.order("O-1")
    ok(client.post("/api/v1/orders/O-1/shipments", headers=world.owner.headers,
                   json={"carrier": "SF", "tracking_no": "SF1000001"}), 201)
    clock.set(COLLECT_BY + timedelta(hours=1))
    seen = assessed(client, world.owner)
    assert [v["kind"] for v in seen["violations"]] == ["collection_timeout"]
    assert (seen["deduction"], seen["compensation"]) == ("10.00", "0.00")
    assert entries(client, world, kind="buyer_compensation") == []


def test_missing_an_agreed_time_is_charged_but_owes_the_buyer_nothing(client, world, clock):
    world.order("O-1")
    agreed_at = START + timedelta(days=2)
    assert accept(client, world.buyer, sent_card(client, world, "O-1",
                                                 at=agreed_at)["id"]).status_code == 200
    clock.set(agreed_at)
    seen = assessed(client, world.owner)
    assert [(v["kind"], v["due_at"], v["exempted_by"]) for v in seen["violations"]] == [
        ("late_shipment", iso(agreed_at), None)]
    assert (seen["deduction"], seen["compensation"]) == ("10.00", "0.00")
    assert entries(client, world, kind="buyer_compensation") == []


def test_missing_the_latest_time_of_an_approved_report_owes_the_buyer_nothing(
        client, world, clock):
    world.order("O-1")
    latest = SHIP_BY + timedelta(days=2)
    approved(client, world, created(file_shipment(client, world.owner, "O-1",
                                                  latest=latest))["id"])
    clock.set(latest)
    seen = assessed(client, world.owner)
    # The parcel was allowed to leave after COLLECT_BY: that timeout is waived too.
    assert [(v["kind"], v["due_at"], v["exempted_by"]) for v in seen["violations"]] == [
        ("late_shipment", iso(latest), None),
        ("collection_timeout", iso(COLLECT_BY), "delay_report")]
    assert (seen["deduction"], seen["compensation"]) == ("10.00", "0.00")
    assert entries(client, world, kind="buyer_compensation") == []


# --- who reads the ledger --------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "reviewer"])
def test_the_stores_owner_and_reviewers_read_its_ledger(client, world, role):
    page = ok(penalties(client, getattr(world, role), world.store_id))
    assert page["store_id"] == world.store_id
    assert page["items"] == [] and page["next_cursor"] is None


@pytest.mark.parametrize("role", ["agent", "buyer"])
def test_agents_and_buyers_may_not_read_a_ledger(client, world, role):
    actor = getattr(world, role)
    assert_problem(penalties(client, actor, world.store_id), 403, "forbidden")
    assert_problem(penalties(client, actor, 9999), 403, "forbidden")


def test_another_stores_owner_finds_no_such_store(client, world):
    _, other_owner, _ = other_store(world)
    hidden = penalties(client, other_owner, world.store_id)
    missing = penalties(client, other_owner, 9999)
    assert_problem(hidden, 404, "not_found")
    assert_problem(missing, 404, "not_found")


def test_an_unknown_store_has_no_ledger(client, world):
    assert_problem(penalties(client, world.reviewer, 9999), 404, "not_found")


def test_the_ledger_needs_a_token(client, world):
    assert_problem(penalties(client, world.owner, world.store_id, headers={}), 401,
                   "unauthenticated")


# --- ranges ----------------------------------------------------------------------------


def test_the_default_range_is_the_30_shanghai_days_up_to_today(client, world, clock):
    clock.set(START + timedelta(hours=16) - SECOND)  # 23:59:59 in Shanghai
    page = ok(penalties(client, world.owner, world.store_id))
    assert (page["from"], page["to"]) == ("2026-10-24", "2026-11-22")
    clock.advance(SECOND)
    page = ok(penalties(client, world.owner, world.store_id))
    assert (page["from"], page["to"]) == ("2026-10-25", "2026-11-23")


def test_from_after_to_names_from(client, world):
    response = penalties(client, world.owner, world.store_id, from_="2026-11-23",
                         to="2026-11-22")
    assert_invalid(response, "from")
    assert ok(penalties(client, world.owner, world.store_id, from_="2026-11-22",
                        to="2026-11-22"))["to"] == "2026-11-22"


def test_a_range_of_366_days_is_read_and_one_of_367_refused_naming_to(client, world):
    first = date(2026, 1, 1)
    page = ok(penalties(client, world.owner, world.store_id, from_=first,
                        to=first + timedelta(days=365)))
    assert (page["from"], page["to"]) == ("2026-01-01", "2027-01-01")
    assert_invalid(penalties(client, world.owner, world.store_id, from_=first,
                             to=first + timedelta(days=366)), "to")


@pytest.mark.parametrize(("field", "value"), [
    ("from_", "2026-13-01"), ("from_", "22/11/2026"), ("to", "yesterday"),
    ("to", "2026-02-30")])
def test_a_bad_date_names_its_field(client, world, field, value):
    response = penalties(client, world.owner, world.store_id, **{field: value})
    assert_invalid(response, field.rstrip("_"))


@pytest.mark.parametrize("limit", ["0", "501", "ten"])
def test_a_bad_limit_names_limit(client, world, limit):
    assert_invalid(penalties(client, world.owner, world.store_id, limit=limit), "limit")


# --- entries, totals, pages ------------------------------------------------------------


@pytest.fixture
def booked(client, world, clock):
    """O-1 and O-2 late on 2026-11-22 (Shanghai), each deducted 10 and compensated 5;
    O-2's report then approved, reversing both of its entries; O-3 late on 2026-11-23."""
    late_orders(world, "O-1", "O-2")
    world.order("O-3", ship_by=START + timedelta(hours=16))
    clock.set(START + timedelta(hours=16) - SECOND)
    assessed(client, world.owner, "O-1")
    assessed(client, world.owner, "O-2")
    approved(client, world, created(file_shipment(
        client, world.owner, "O-2", latest=START + timedelta(days=3)))["id"])
    clock.set(START + timedelta(hours=16))
    assessed(client, world.owner, "O-3")
    return ledger(client, world.owner, world.store_id)


def test_every_entry_shows_its_order_kind_amount_points_and_times(client, world, booked):
    rows = [(e["order_no"], e["kind"], e["amount"], e["points"], e["revoked_at"] is None)
            for e in booked["items"]]
    assert rows == [
        ("O-1", "deposit_deduction", "10.00", "0.10", True),
        ("O-1", "buyer_compensation", "5.00", "0.00", True),
        ("O-2", "deposit_deduction", "10.00", "0.10", False),
        ("O-2", "buyer_compensation", "5.00", "0.00", False),
        ("O-2", "reversal", "-10.00", "-0.10", True),
        ("O-2", "reversal", "-5.00", "0.00", True),
        ("O-3", "deposit_deduction", "10.00", "0.10", True),
        ("O-3", "buyer_compensation", "5.00", "0.00", True)]
    by_id = {e["id"]: e for e in booked["items"]}
    for reversal in (e for e in booked["items"] if e["kind"] == "reversal"):
        reversed_ = by_id[reversal["reverses"]]
        assert reversed_["order_no"] == "O-2"
        assert Decimal(reversal["amount"]) == -Decimal(reversed_["amount"])
        assert reversed_["revoked_at"] == reversal["at"]


def summed(items):
    """Totals worked out from the entries themselves."""
    def of(kind):
        return total([e for e in items if e["kind"] == kind])
    deducted, compensated, reversed_ = (of("deposit_deduction"), of("buyer_compensation"),
                                        of("reversal"))
    return {"deducted": money(deducted), "compensated": money(compensated),
            "reversed": money(reversed_), "points": money(total(items, "points")),
            "net": money(deducted + compensated + reversed_)}


def test_the_totals_are_the_sums_of_the_entries(booked):
    assert booked["totals"] == summed(booked["items"])
    assert booked["totals"] == {"deducted": "30.00", "compensated": "15.00",
                                "reversed": "-15.00", "points": "0.20", "net": "30.00"}


def test_each_shanghai_days_totals_are_the_sums_of_its_entries(booked):
    days = {d.pop("day"): d for d in booked["days"]}
    assert sorted(days) == ["2026-11-22", "2026-11-23"]
    first = [e for e in booked["items"] if e["order_no"] in ("O-1", "O-2")]
    second = [e for e in booked["items"] if e["order_no"] == "O-3"]
    assert days["2026-11-22"] == summed(first)
    assert days["2026-11-23"] == summed(second)
    assert days["2026-11-22"]["net"] == "15.00" and days["2026-11-23"]["net"] == "15.00"


@pytest.mark.parametrize(("day", "orders"), [("2026-11-22", {"O-1", "O-2"}),
                                             ("2026-11-23", {"O-3"})])
def test_a_range_of_one_shanghai_day_holds_only_that_days_entries(client, world, booked,
                                                                   day, orders):
    page = ledger(client, world.owner, world.store_id, from_=day, to=day)
    assert {e["order_no"] for e in page["items"]} == orders
    assert page["totals"] == summed(page["items"])
    assert [d["day"] for d in page["days"]] == [day]


def test_a_range_before_any_entry_is_empty_with_zero_totals(client, world, booked):
    page = ledger(client, world.owner, world.store_id, from_="2026-11-01", to="2026-11-21")
    assert page["items"] == [] and page["days"] == []
    assert page["totals"] == {"deducted": "0.00", "compensated": "0.00", "reversed": "0.00",
                              "points": "0.00", "net": "0.00"}


@pytest.mark.parametrize("limit", [1, 3, 7, 8])
def test_pages_of_limit_entries_hold_the_whole_ledger_in_order(client, world, booked, limit):
    pages, cursor = [], None
    while True:
        page = ok(penalties(client, world.owner, world.store_id, limit=limit, cursor=cursor))
        assert len(page["items"]) <= limit
        assert page["totals"] == booked["totals"]
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [e for p in pages for e in p] == booked["items"]
    assert len(pages) == -(-len(booked["items"]) // limit)


def test_the_ledger_never_loses_a_reversed_entry(client, world, booked):
    revoked = [e for e in booked["items"] if e["revoked_at"] is not None]
    assert {e["kind"] for e in revoked} == {"deposit_deduction", "buyer_compensation"}
    assert {e["order_no"] for e in revoked} == {"O-2"}
