"""A reviewer's decisions about whole regions (seed 001): exemptions that waive the
timeouts falling due in a window (POST/GET /exemptions), and extensions that move the
ship deadlines of a region by 14 days (POST /regional-extensions). Windows are
half-open: the start is inside, the end outside."""

from datetime import timedelta

import pytest

from tests.api.assessment_helpers import (
    COLLECT_BY,
    EXEMPTIONS,
    EXTENSION,
    REGION,
    SECOND,
    SHIP_BY,
    START,
    assessed,
    assessment_event_types,
    assessment_events,
    entries,
    exempt,
    extend,
    new_order,
    ok,
    read_order,
    shipped,
    violation,
    violations,
)
from tests.api.helpers import assert_invalid, assert_problem, events, iso

LATE_AT = SHIP_BY + timedelta(hours=1)  # O-1 is read late, before collection is due


@pytest.fixture
def o1(world):
    """O-1 in the world store's region, due to ship by SHIP_BY, amount 100.00."""
    return world.order("O-1")


def exempted(client, world, **fields):
    return ok(exempt(client, world.reviewer, **fields), 201)


def listed(client, actor, limit=50):
    pages, cursor = [], None
    while True:
        url = f"{EXEMPTIONS}?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = ok(client.get(url, headers=actor.headers))
        pages.append([e["id"] for e in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


def standing(client, world, order_no="O-1"):
    """The order's ledger entries that still stand (neither revoked nor reversals)."""
    return [e for e in entries(client, world, order_no)
            if e["revoked_at"] is None and e["kind"] != "reversal"]


# --- declaring an exemption ------------------------------------------------------------


def test_a_reviewer_declares_an_exemption(client, world):
    body = exempted(client, world, starts_at=START, ends_at=START + timedelta(days=3),
                    kinds=["late_shipment"], note="Snowstorm in Hangzhou.")
    assert body["region"] == REGION
    assert (body["starts_at"], body["ends_at"]) == (iso(START), iso(START + timedelta(days=3)))
    assert body["kinds"] == ["late_shipment"] and body["note"] == "Snowstorm in Hangzhou."
    assert body["created_by"] == world.reviewer.id and body["created_at"] == iso(START)
    assert body["violations_waived"] == 0


@pytest.mark.parametrize("who", ["owner", "agent", "buyer", "admin"])
def test_only_reviewers_declare_exemptions(client, world, who):
    headers = world.admin_headers if who == "admin" else getattr(world, who).headers
    response = exempt(client, world.reviewer, starts_at=START,
                      ends_at=START + timedelta(days=1), headers=headers)
    assert_problem(response, 403, "forbidden")
    assert listed(client, world.reviewer) == [[]]


@pytest.mark.parametrize("ends", [timedelta(0), -SECOND], ids=["equal", "before"])
def test_a_window_that_does_not_end_after_it_starts_names_ends_at(client, world, ends):
    assert_invalid(exempt(client, world.reviewer, starts_at=START, ends_at=START + ends),
                   "ends_at")
    assert listed(client, world.reviewer) == [[]]


def test_a_window_of_one_second_is_declared(client, world):
    assert exempted(client, world, starts_at=START, ends_at=START + SECOND)["id"]


def test_a_window_of_90_days_is_declared_and_one_second_more_names_ends_at(client, world):
    assert exempted(client, world, starts_at=START, ends_at=START + timedelta(days=90))["id"]
    assert_invalid(exempt(client, world.reviewer, starts_at=START,
                          ends_at=START + timedelta(days=90) + SECOND), "ends_at")


def test_an_exemption_without_kinds_names_kinds(client, world):
    assert_invalid(exempt(client, world.reviewer, starts_at=START,
                          ends_at=START + timedelta(days=1), kinds=[]), "kinds")


@pytest.mark.parametrize("kinds", [["transit_timeout"], ["late_shipment", "late"], "late_shipment"])
def test_an_unknown_kind_is_refused_naming_kinds(client, world, kinds):
    body = assert_problem(exempt(client, world.reviewer, starts_at=START,
                                 ends_at=START + timedelta(days=1), kinds=kinds),
                          422, "validation_error")
    assert body["errors"] and all(f.split(".")[0] == "kinds" for f in body["errors"]), body
    assert listed(client, world.reviewer) == [[]]


@pytest.mark.parametrize("field", ["region", "starts_at", "ends_at", "kinds"])
def test_an_exemption_lacking_a_field_names_it(client, world, field):
    body = {"region": REGION, "starts_at": iso(START),
            "ends_at": iso(START + timedelta(days=1)), "kinds": ["late_shipment"]}
    del body[field]
    assert_invalid(client.post(EXEMPTIONS, headers=world.reviewer.headers, json=body), field)


# --- what an exemption waives ----------------------------------------------------------


def test_declared_after_a_violation_it_waives_it_and_reverses_its_charges(
        client, world, clock, o1):
    clock.set(LATE_AT)
    [recorded] = violations(client, world.owner)
    charged = standing(client, world)
    assert [(e["kind"], e["amount"]) for e in charged] == [
        ("deposit_deduction", "10.00"), ("buyer_compensation", "5.00")]
    clock.advance(timedelta(hours=1))
    body = exempted(client, world, starts_at=SHIP_BY, ends_at=SHIP_BY + timedelta(hours=1),
                    kinds=["late_shipment"])
    assert body["violations_waived"] == 1
    seen = assessed(client, world.owner)
    assert seen["violations"] == [{**recorded, "exempted_by": "regional_exemption"}]
    assert (seen["deduction"], seen["points"], seen["compensation"]) == ("0.00", "0.00", "0.00")
    ledger = entries(client, world)
    assert [e["revoked_at"] for e in ledger[:2]] == [iso(clock.now())] * 2
    assert [(e["kind"], e["amount"], e["reverses"]) for e in ledger[2:]] == [
        ("reversal", "-10.00", charged[0]["id"]), ("reversal", "-5.00", charged[1]["id"])]
    assert assessment_event_types(client, world.owner)[-3:] == [
        "violation.exempted", "penalty.revoked", "penalty.revoked"]
    waived = [e for e in events(client, world.owner) if e["type"] == "violation.exempted"]
    assert [(e["data"]["kind"], e["data"]["due_at"], e["data"]["exempted_by"])
            for e in waived] == [("late_shipment", iso(SHIP_BY), "regional_exemption")]


def test_declared_before_the_violation_it_is_recorded_exempted_and_costs_nothing(
        client, world, clock, o1):
    exempted(client, world, starts_at=SHIP_BY, ends_at=SHIP_BY + SECOND,
             kinds=["late_shipment"])
    clock.set(LATE_AT)
    assert violations(client, world.owner) == [
        violation("late_shipment", SHIP_BY, LATE_AT, "regional_exemption")]
    assert entries(client, world) == []
    [recorded] = assessment_events(client, world.owner)
    assert recorded["type"] == "violation.late_shipment"
    assert recorded["data"]["exempted_by"] == "regional_exemption"


def test_a_violation_due_exactly_at_the_window_start_is_waived(client, world, clock, o1):
    clock.set(LATE_AT)
    violations(client, world.owner)
    assert exempted(client, world, starts_at=SHIP_BY,
                    ends_at=SHIP_BY + timedelta(days=1))["violations_waived"] == 1
    assert [v["exempted_by"] for v in violations(client, world.owner)] == [
        "regional_exemption"]


def test_a_violation_due_exactly_at_the_window_end_is_not_waived(client, world, clock, o1):
    clock.set(LATE_AT)
    violations(client, world.owner)
    assert exempted(client, world, starts_at=SHIP_BY - timedelta(days=1),
                    ends_at=SHIP_BY)["violations_waived"] == 0
    assert [v["exempted_by"] for v in violations(client, world.owner)] == [None]
    assert len(standing(client, world)) == 2


def test_declared_before_a_window_ending_at_the_due_time_it_changes_nothing(
        client, world, clock, o1):
    exempted(client, world, starts_at=SHIP_BY - timedelta(days=1), ends_at=SHIP_BY)
    clock.set(LATE_AT)
    assert [v["exempted_by"] for v in violations(client, world.owner)] == [None]
    assert len(standing(client, world)) == 2


def test_a_violation_in_another_region_is_not_waived(client, world, clock, o1):
    new_order(client, world, "J-1", region="Jiangsu")
    clock.set(LATE_AT)
    violations(client, world.owner, "J-1")
    body = exempted(client, world, region="Jiangsu", starts_at=SHIP_BY,
                    ends_at=SHIP_BY + SECOND)
    assert body["violations_waived"] == 1
    assert [v["exempted_by"] for v in violations(client, world.owner, "J-1")] == [
        "regional_exemption"]
    assert [v["exempted_by"] for v in violations(client, world.owner, "O-1")] == [None]
    assert len(standing(client, world, "O-1")) == 2


def test_an_exemption_waives_only_the_kinds_it_names(client, world, clock, o1):
    exempted(client, world, starts_at=SHIP_BY, ends_at=COLLECT_BY + SECOND,
             kinds=["collection_timeout"])
    clock.set(COLLECT_BY + timedelta(hours=1))
    assert [(v["kind"], v["exempted_by"]) for v in violations(client, world.owner)] == [
        ("late_shipment", None), ("collection_timeout", "regional_exemption")]
    assert [(e["violation_kind"], e["kind"]) for e in standing(client, world)] == [
        ("late_shipment", "deposit_deduction"), ("late_shipment", "buyer_compensation")]


def test_an_exempted_collection_timeout_is_waived_when_the_scan_comes_late(
        client, world, clock, o1):
    shipped(client, world.owner)
    exempted(client, world, starts_at=COLLECT_BY, ends_at=COLLECT_BY + SECOND,
             kinds=["collection_timeout"])
    clock.set(COLLECT_BY + timedelta(hours=2))
    ok(client.post("/api/v1/shipments/SF1000001/scans", headers=world.admin_headers,
                   json={"kind": "collected", "at": iso(COLLECT_BY + timedelta(hours=1))}), 201)
    assert [(v["kind"], v["exempted_by"]) for v in violations(client, world.owner)] == [
        ("collection_timeout", "regional_exemption")]
    assert entries(client, world) == []


# --- listing exemptions ----------------------------------------------------------------


def test_exemptions_are_listed_newest_first_page_by_page(client, world):
    ids = [exempted(client, world, starts_at=START + timedelta(days=n),
                    ends_at=START + timedelta(days=n + 1))["id"] for n in range(5)]
    newest_first = list(reversed(ids))
    assert listed(client, world.reviewer) == [newest_first]
    assert listed(client, world.reviewer, limit=2) == [newest_first[:2], newest_first[2:4],
                                                       newest_first[4:]]
    assert listed(client, world.reviewer, limit=5) == [newest_first]
    first = ok(client.get(f"{EXEMPTIONS}?limit=1", headers=world.reviewer.headers))["items"][0]
    assert first["violations_waived"] is None and first["region"] == REGION


@pytest.mark.parametrize("role", ["owner", "agent", "buyer"])
def test_sellers_and_buyers_may_not_list_exemptions(client, world, role):
    response = client.get(EXEMPTIONS, headers=getattr(world, role).headers)
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("limit", ["0", "501", "x"])
def test_a_bad_limit_of_the_exemption_list_names_limit(client, world, limit):
    assert_invalid(client.get(f"{EXEMPTIONS}?limit={limit}", headers=world.reviewer.headers),
                   "limit")


# --- regional extensions ---------------------------------------------------------------


def extended(client, world, **fields):
    return ok(extend(client, world.reviewer, **fields), 201)


def deadline(client, world, order_no="O-1"):
    seen = read_order(client, world.owner, order_no)
    return seen["ship_by"], seen["ship_by_source"], seen["extended_ship_by"]


def test_an_extension_moves_the_deadline_of_an_order_due_at_the_window_start_by_14_days(
        client, world, clock, o1):
    clock.advance(timedelta(hours=2))
    body = extended(client, world, starts_at=SHIP_BY, ends_at=SHIP_BY + timedelta(days=1))
    assert (body["region"], body["cause"], body["orders_extended"]) == (REGION, "high_risk", 1)
    assert body["created_by"] == world.reviewer.id
    moved = SHIP_BY + EXTENSION
    assert deadline(client, world) == (iso(moved), "regional_extension", iso(moved))
    assert read_order(client, world.owner)["original_ship_by"] == iso(SHIP_BY)
    [changed] = [e for e in events(client, world.owner) if e["type"] == "order.deadline_changed"]
    assert changed["data"]["to"] == iso(moved) and changed["data"]["source"] == "regional_extension"
    assert changed["data"]["extension_id"] == body["id"]
    clock.set(moved - SECOND)
    # No late shipment; the parcel may now leave after COLLECT_BY, which is waived.
    assert violations(client, world.owner) == [
        violation("collection_timeout", COLLECT_BY, moved - SECOND, "regional_exemption")]
    assert entries(client, world) == []


def test_an_order_due_exactly_at_the_window_end_is_not_extended(client, world, o1):
    body = extended(client, world, starts_at=SHIP_BY - timedelta(days=1), ends_at=SHIP_BY)
    assert body["orders_extended"] == 0
    assert deadline(client, world) == (iso(SHIP_BY), "original", None)


def test_orders_of_another_region_or_already_shipped_are_not_extended(
        client, world, clock, o1):
    new_order(client, world, "J-1", region="Jiangsu")
    world.order("S-1")
    shipped(client, world.owner, "S-1")
    body = extended(client, world, starts_at=SHIP_BY, ends_at=SHIP_BY + SECOND)
    assert body["orders_extended"] == 1
    assert deadline(client, world, "O-1")[1] == "regional_extension"
    assert deadline(client, world, "J-1") == (iso(SHIP_BY), "original", None)
    assert deadline(client, world, "S-1") == (iso(SHIP_BY), "original", None)


def test_orders_created_later_in_the_region_are_extended_when_created(client, world, clock):
    extended(client, world, starts_at=SHIP_BY, ends_at=SHIP_BY + timedelta(hours=1))
    inside = new_order(client, world, "L-1", ship_by=SHIP_BY)
    last = new_order(client, world, "L-2", ship_by=SHIP_BY + timedelta(hours=1) - SECOND)
    outside = new_order(client, world, "L-3", ship_by=SHIP_BY + timedelta(hours=1))
    elsewhere = new_order(client, world, "L-4", ship_by=SHIP_BY, region="Jiangsu")
    assert (inside["ship_by"], inside["ship_by_source"]) == (iso(SHIP_BY + EXTENSION),
                                                             "regional_extension")
    assert last["ship_by"] == iso(SHIP_BY + timedelta(hours=1) - SECOND + EXTENSION)
    for order in (outside, elsewhere):
        assert (order["ship_by_source"], order["extended_ship_by"]) == ("original", None)


def test_an_extension_after_a_recorded_late_shipment_waives_it(client, world, clock, o1):
    clock.set(LATE_AT)
    [recorded] = violations(client, world.owner)
    extended(client, world, starts_at=SHIP_BY, ends_at=SHIP_BY + SECOND)
    seen = assessed(client, world.owner)
    assert seen["violations"] == [{**recorded, "exempted_by": "regional_exemption"}]
    assert seen["deduction"] == "0.00" and standing(client, world) == []
    assert [e["kind"] for e in entries(client, world)][-2:] == ["reversal", "reversal"]


@pytest.mark.parametrize("carriers", [None, 0, 5])
def test_a_carrier_suspension_of_fewer_than_6_carriers_names_suspended_carriers(
        client, world, o1, carriers):
    extra = {} if carriers is None else {"suspended_carriers": carriers}
    response = extend(client, world.reviewer, starts_at=SHIP_BY, ends_at=SHIP_BY + SECOND,
                      cause="carrier_suspension", **extra)
    assert_invalid(response, "suspended_carriers")
    assert deadline(client, world)[1] == "original"


def test_a_carrier_suspension_of_6_carriers_extends_the_region(client, world, o1):
    body = extended(client, world, starts_at=SHIP_BY, ends_at=SHIP_BY + SECOND,
                    cause="carrier_suspension", suspended_carriers=6)
    assert (body["cause"], body["suspended_carriers"], body["orders_extended"]) == (
        "carrier_suspension", 6, 1)
    assert deadline(client, world)[1] == "regional_extension"


@pytest.mark.parametrize("who", ["owner", "agent", "buyer", "admin"])
def test_only_reviewers_extend_a_region(client, world, o1, who):
    headers = world.admin_headers if who == "admin" else getattr(world, who).headers
    response = extend(client, world.reviewer, starts_at=SHIP_BY, ends_at=SHIP_BY + SECOND,
                      headers=headers)
    assert_problem(response, 403, "forbidden")
    assert deadline(client, world) == (iso(SHIP_BY), "original", None)


@pytest.mark.parametrize(("fields", "field"), [
    ({"ends_at": SHIP_BY}, "ends_at"), ({"cause": "storm"}, "cause"),
    ({"region": ""}, "region")])
def test_an_extension_that_makes_no_sense_names_the_field(client, world, o1, fields, field):
    body = {"starts_at": SHIP_BY, "ends_at": SHIP_BY + SECOND, **fields}
    assert_invalid(extend(client, world.reviewer, **body), field)
    assert deadline(client, world)[1] == "original"
