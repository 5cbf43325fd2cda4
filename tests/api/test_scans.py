"""Carrier scans (POST /shipments/{tracking_no}/scans): who records them, what a scan
may claim, the first collection time, and the collection deadline of each ship mode,
each judged at its boundary (RULES.md §4, §5: met strictly before the deadline)."""

from datetime import timedelta

import pytest

from tests.api.assessment_helpers import (
    COLLECT_BY,
    PAID_AT,
    SECOND,
    START,
    assessed,
    entries,
    new_order,
    read_order,
    scan,
    scanned,
    shipped,
    violation,
    violations,
)
from tests.api.helpers import assert_invalid, assert_problem, events, iso
from tests.api.report_helpers import approved, created, file_collection

TRACKING = "SF1000001"


@pytest.fixture
def parcel(client, world):
    """O-1 (normal mode, paid at PAID_AT, due to be collected by COLLECT_BY), shipped at
    START with TRACKING."""
    world.order("O-1")
    shipped(client, world.owner, "O-1", TRACKING)
    return "O-1"


def collected_at(client, world, order_no="O-1"):
    return assessed(client, world.owner, order_no)["collected_at"]


# --- recording -------------------------------------------------------------------------


def test_the_carrier_feed_records_a_collected_scan_on_the_shipments_order(
        client, world, clock, parcel):
    clock.advance(timedelta(hours=3))
    body = scanned(client, world, TRACKING, at=START + timedelta(hours=2))
    assert body["tracking_no"] == TRACKING and body["order_no"] == "O-1"
    assert body["kind"] == "collected"
    assert body["at"] == iso(START + timedelta(hours=2))
    assert body["recorded_at"] == iso(clock.now())
    assert body["collected_at"] == iso(START + timedelta(hours=2))
    assert body["collect_by"] == iso(COLLECT_BY)
    assert collected_at(client, world) == iso(START + timedelta(hours=2))
    seen = [e for e in events(client, world.owner) if e["type"] == "shipment.collected"]
    assert len(seen) == 1
    assert seen[0]["at"] == iso(START + timedelta(hours=2))
    assert seen[0]["data"]["tracking_no"] == TRACKING


def test_the_first_collection_time_is_the_earliest_collected_scan_whatever_the_order_they_arrive_in(
        client, world, clock, parcel):
    clock.advance(timedelta(hours=10))
    first, earlier, later = (START + timedelta(hours=h) for h in (5, 3, 8))
    assert scanned(client, world, at=first)["collected_at"] == iso(first)
    assert scanned(client, world, at=earlier)["collected_at"] == iso(earlier)
    assert scanned(client, world, at=later)["collected_at"] == iso(earlier)
    assert collected_at(client, world) == iso(earlier)


def test_scans_other_than_collected_never_set_the_collection_time(client, world, clock, parcel):
    clock.advance(timedelta(hours=10))
    assert scanned(client, world, at=START + timedelta(hours=1),
                   kind="in_transit")["collected_at"] is None
    assert scanned(client, world, at=START + timedelta(hours=2),
                   kind="delivered")["collected_at"] is None
    assert collected_at(client, world) is None
    assert scanned(client, world, at=START + timedelta(hours=4))["collected_at"] == iso(
        START + timedelta(hours=4))


def test_a_scan_may_be_dated_exactly_now_or_exactly_at_payment(client, world, clock, parcel):
    clock.advance(timedelta(hours=1))
    assert scanned(client, world, at=clock.now())["at"] == iso(clock.now())
    assert scanned(client, world, at=PAID_AT)["collected_at"] == iso(PAID_AT)


# --- refusals --------------------------------------------------------------------------


def test_an_unknown_tracking_number_is_not_found(client, world, parcel):
    assert_problem(scan(client, world.admin_headers, "YT999999", at=START), 404, "not_found")


@pytest.mark.parametrize("role", ["owner", "agent", "buyer", "reviewer"])
def test_only_the_carrier_feed_records_scans(client, world, clock, parcel, role):
    clock.advance(timedelta(hours=1))
    response = scan(client, getattr(world, role).headers, TRACKING, at=START)
    assert_problem(response, 403, "forbidden")
    assert collected_at(client, world) is None


def test_a_scan_without_a_token_is_unauthenticated(client, world, parcel):
    assert_problem(scan(client, {}, TRACKING, at=START), 401, "unauthenticated")


def test_a_scan_dated_one_second_in_the_future_names_at(client, world, clock, parcel):
    clock.advance(timedelta(hours=1))
    assert_invalid(scan(client, world.admin_headers, TRACKING, at=clock.now() + SECOND), "at")
    assert collected_at(client, world) is None


def test_a_scan_dated_one_second_before_payment_names_at(client, world, clock, parcel):
    assert_invalid(scan(client, world.admin_headers, TRACKING, at=PAID_AT - SECOND), "at")
    assert collected_at(client, world) is None


@pytest.mark.parametrize("kind", ["picked_up", "COLLECTED", "", 1])
def test_an_unknown_scan_kind_names_kind(client, world, parcel, kind):
    assert_invalid(scan(client, world.admin_headers, TRACKING, at=START, kind=kind), "kind")


@pytest.mark.parametrize(("kind", "at", "field"), [
    (None, START, "kind"), ("collected", None, "at"), ("collected", "yesterday", "at"),
    ("collected", "2026-11-22T08:00:00", "at")])
def test_a_scan_lacking_a_kind_or_a_proper_instant_names_the_field(
        client, world, parcel, kind, at, field):
    assert_invalid(scan(client, world.admin_headers, TRACKING, at=at, kind=kind), field)


# --- the collection deadline -----------------------------------------------------------


def test_a_collected_scan_one_second_before_collect_by_is_in_time(client, world, clock, parcel):
    clock.set(COLLECT_BY - SECOND)
    scanned(client, world, at=clock.now())
    clock.set(COLLECT_BY + timedelta(days=2))
    assert violations(client, world.owner) == []
    assert entries(client, world) == []


def test_a_collected_scan_at_collect_by_exactly_is_a_collection_timeout_recorded_at_once(
        client, world, clock, parcel):
    clock.set(COLLECT_BY)
    body = scanned(client, world, at=COLLECT_BY)
    assert body["collected_at"] == iso(COLLECT_BY)
    # The ledger settles no order: what it shows was recorded by the scan itself.
    [deduction] = entries(client, world)
    assert deduction["kind"] == "deposit_deduction"
    assert deduction["violation_kind"] == "collection_timeout"
    assert (deduction["amount"], deduction["at"]) == ("10.00", iso(COLLECT_BY))
    clock.advance(timedelta(hours=5))
    assert violations(client, world.owner) == [
        violation("collection_timeout", COLLECT_BY, COLLECT_BY)]
    timeouts = [e for e in events(client, world.owner)
                if e["type"] == "violation.collection_timeout"]
    assert [(e["at"], e["data"]["due_at"]) for e in timeouts] == [
        (iso(COLLECT_BY), iso(COLLECT_BY))]


def test_a_late_first_scan_records_the_timeout_when_the_scan_arrives(
        client, world, clock, parcel):
    """No order read in between: the scan is what detects it."""
    clock.set(COLLECT_BY + timedelta(hours=2))
    scanned(client, world, at=COLLECT_BY + timedelta(hours=1))
    [deduction] = entries(client, world)
    assert deduction["at"] == iso(COLLECT_BY + timedelta(hours=2))
    assert violations(client, world.owner) == [
        violation("collection_timeout", COLLECT_BY, COLLECT_BY + timedelta(hours=2))]


def test_a_scan_taken_in_time_but_reported_after_collect_by_costs_nothing(
        client, world, clock, parcel):
    clock.set(COLLECT_BY + timedelta(minutes=5))
    scanned(client, world, at=COLLECT_BY - SECOND)
    assert [v for v in violations(client, world.owner) if v["exempted_by"] is None] == []
    assert [e for e in entries(client, world) if e["revoked_at"] is None
            and e["kind"] != "reversal"] == []


def test_normal_mode_counts_72_hours_from_payment_whenever_the_parcel_ships(
        client, world, clock):
    paid = START - timedelta(hours=10)
    assert new_order(client, world, "N-1", paid_at=paid)["collect_by"] == iso(
        paid + timedelta(hours=72))
    clock.advance(timedelta(hours=30))
    assert shipped(client, world.owner, "N-1", "YT100001")["order_no"] == "N-1"
    assert read_order(client, world.owner, "N-1")["collect_by"] == iso(
        paid + timedelta(hours=72))


@pytest.mark.parametrize("mode", ["express", "tiered"])
def test_express_and_tiered_modes_count_24_hours_from_the_tracking_upload(
        client, world, clock, mode):
    assert new_order(client, world, "E-1", ship_mode=mode)["collect_by"] is None
    clock.advance(timedelta(hours=7))
    shipped(client, world.owner, "E-1", "YT100001")
    assert read_order(client, world.owner, "E-1")["collect_by"] == iso(
        clock.now() + timedelta(hours=24))


@pytest.mark.parametrize("mode", ["normal", "express", "tiered"])
@pytest.mark.parametrize(("offset", "late"), [(-SECOND, False), (timedelta(0), True)],
                         ids=["one-second-before", "exactly-at"])
def test_the_first_scan_is_judged_against_the_deadline_of_the_ship_mode(
        client, world, clock, mode, offset, late):
    new_order(client, world, "M-1", ship_mode=mode)
    clock.advance(timedelta(hours=7))
    uploaded = clock.now()
    shipped(client, world.owner, "M-1", "YT100001")
    due = PAID_AT + timedelta(hours=72) if mode == "normal" else uploaded + timedelta(hours=24)
    clock.set(due + offset)
    scanned(client, world, "YT100001", at=clock.now())
    clock.set(due + timedelta(days=3))
    expected = [violation("collection_timeout", due, due)] if late else []
    assert violations(client, world.owner, "M-1") == expected
    assert len(entries(client, world, "M-1")) == (1 if late else 0)


# --- a scan taken in time but reported after the timeout was recorded ------------------


@pytest.mark.parametrize(("taken", "disproved"), [(COLLECT_BY - SECOND, True),
                                                  (COLLECT_BY, False)],
                         ids=["one-second-before", "exactly-at"])
def test_a_scan_reported_after_the_timeout_was_recorded_disproves_it_only_if_taken_in_time(
        client, world, clock, parcel, taken, disproved):
    clock.set(COLLECT_BY + timedelta(hours=1))
    [recorded] = violations(client, world.owner)  # the read records the timeout
    [charged] = entries(client, world)
    clock.set(COLLECT_BY + timedelta(hours=3))
    scanned(client, world, at=taken)
    reported = clock.now()

    seen = assessed(client, world.owner)
    if not disproved:
        assert seen["violations"] == [recorded]
        assert entries(client, world) == [charged]
        assert (seen["deduction"], seen["points"]) == ("10.00", "0.10")
        return
    assert seen["violations"] == [{**recorded, "disproved_at": iso(reported)}]
    assert (seen["deduction"], seen["points"]) == ("0.00", "0.00")
    original, reversal = entries(client, world)
    assert original == {**charged, "revoked_at": iso(reported)}  # kept, marked revoked
    assert (reversal["kind"], reversal["reverses"]) == ("reversal", charged["id"])
    assert (reversal["amount"], reversal["points"]) == ("-10.00", "-0.10")
    tail = [(e["type"], e["at"]) for e in events(client, world.owner)][-2:]
    assert tail == [("violation.disproved", iso(reported)), ("penalty.revoked", iso(reported))]


def test_a_disproved_timeout_is_not_recorded_again_nor_disproved_twice(
        client, world, clock, parcel):
    clock.set(COLLECT_BY + timedelta(hours=1))
    violations(client, world.owner)
    clock.set(COLLECT_BY + timedelta(hours=2))
    scanned(client, world, at=COLLECT_BY - timedelta(hours=10))
    once = clock.now()
    clock.set(COLLECT_BY + timedelta(hours=5))
    scanned(client, world, at=COLLECT_BY - timedelta(hours=20))  # an earlier scan still
    [seen] = violations(client, world.owner)
    assert seen["disproved_at"] == iso(once)
    assert len(entries(client, world)) == 2  # the charge and its one reversal
    assert [e["type"] for e in events(client, world.owner)].count("violation.disproved") == 1


# --- a collection report approved after the timeout ------------------------------------


def test_a_collection_report_approved_after_the_timeout_waives_it_and_reverses_its_charges(
        client, world, clock, parcel):
    clock.set(COLLECT_BY + timedelta(hours=1))
    [recorded] = violations(client, world.owner)
    assert recorded == violation("collection_timeout", COLLECT_BY, COLLECT_BY + timedelta(hours=1))
    [charged] = entries(client, world)
    assert (charged["kind"], charged["amount"], charged["revoked_at"]) == (
        "deposit_deduction", "10.00", None)

    clock.advance(timedelta(hours=1))
    report = created(file_collection(client, world.owner, TRACKING,
                                     latest=COLLECT_BY + timedelta(days=2)))
    clock.advance(timedelta(hours=1))
    approved(client, world, report["id"])
    decided = clock.now()

    seen = assessed(client, world.owner)
    assert seen["collect_by"] == iso(COLLECT_BY + timedelta(days=2))
    assert seen["violations"] == [{**recorded, "exempted_by": "delay_report"}]
    assert (seen["deduction"], seen["points"]) == ("0.00", "0.00")
    original, reversal = entries(client, world)
    assert original == {**charged, "revoked_at": iso(decided)}  # kept, marked revoked
    assert reversal["kind"] == "reversal" and reversal["reverses"] == charged["id"]
    assert (reversal["amount"], reversal["points"]) == ("-10.00", "-0.10")
    assert reversal["at"] == iso(decided) and reversal["revoked_at"] is None
    tail = [e["type"] for e in events(client, world.owner)][-2:]
    assert tail == ["violation.exempted", "penalty.revoked"]


def test_an_approved_collection_report_makes_a_scan_before_its_latest_time_in_time(
        client, world, clock, parcel):
    report = created(file_collection(client, world.owner, TRACKING,
                                     latest=COLLECT_BY + timedelta(days=1)))
    approved(client, world, report["id"])
    clock.set(COLLECT_BY + timedelta(days=1) - SECOND)
    assert scanned(client, world, at=clock.now())["collect_by"] == iso(
        COLLECT_BY + timedelta(days=1))
    clock.advance(timedelta(days=5))
    assert violations(client, world.owner) == []
    assert entries(client, world) == []
