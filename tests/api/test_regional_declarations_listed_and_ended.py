"""A reviewer's regional exemptions and extensions name a known place, are listed with
filters (GET /exemptions, GET /regional-extensions) and can be ended
(POST …/{id}/end). Ending brings the window's end back to that instant: nothing falling
due from then on is waived or extended, and nothing already waived or extended is taken
back."""

from datetime import timedelta

import pytest

from tests.api.assessment_helpers import (
    EXEMPTIONS,
    EXTENSION,
    EXTENSIONS,
    SECOND,
    SHIP_BY,
    START,
    exempt,
    extend,
    new_order,
    ok,
    read_order,
    violations,
)
from tests.api.helpers import API, assert_invalid, assert_problem, iso

DAY = timedelta(days=1)
LATE_AT = SHIP_BY + timedelta(hours=1)


def exempted(client, world, **fields):
    fields.setdefault("starts_at", START)
    fields.setdefault("ends_at", START + 3 * DAY)
    return ok(exempt(client, world.reviewer, **fields), 201)


def extended(client, world, **fields):
    fields.setdefault("starts_at", SHIP_BY)
    fields.setdefault("ends_at", SHIP_BY + DAY)
    return ok(extend(client, world.reviewer, **fields), 201)


def end(client, actor, declaration_id, what=EXEMPTIONS):
    return client.post(f"{what}/{declaration_id}/end", headers=actor.headers)


def ids(client, actor, what=EXEMPTIONS, **query):
    page = ok(client.get(what, headers=actor.headers, query_string=query))
    return [item["id"] for item in page["items"]]


# --- regions are places of the table ---------------------------------------------------


@pytest.mark.parametrize("region", ["浙江", "zhejiang", "Zhejiang Province", "Atlantis"])
def test_an_exemption_or_extension_naming_an_unknown_region_names_region(client, world,
                                                                         region):
    assert_invalid(exempt(client, world.reviewer, starts_at=START, ends_at=START + DAY,
                          region=region), "region")
    assert_invalid(extend(client, world.reviewer, starts_at=SHIP_BY, ends_at=SHIP_BY + DAY,
                          region=region), "region")
    assert ids(client, world.reviewer) == [] and ids(client, world.reviewer, EXTENSIONS) == []


@pytest.mark.parametrize("region", ["Hangzhou", "Beijing", "Inner Mongolia", "Hong Kong"])
def test_a_city_a_municipality_and_a_region_are_named_by_their_codes(client, world, region):
    assert exempted(client, world, region=region)["region"] == region


def test_the_places_are_listed_by_code_with_their_names(client, world):
    items = ok(client.get(f"{API}/regions", headers=world.owner.headers))["items"]
    by_code = {item["code"]: item for item in items}
    assert by_code["Zhejiang"] == {"code": "Zhejiang", "zh": "浙江", "en": "Zhejiang",
                                   "kind": "province", "province": "Zhejiang"}
    assert by_code["Hangzhou"]["province"] == "Zhejiang"
    assert by_code["Hangzhou"]["kind"] == "city"
    assert by_code["Shanghai"]["kind"] == "municipality"


def test_an_orders_free_text_region_is_still_accepted(client, world):
    assert new_order(client, world, "F-1", region="某地 Somewhere")["order_no"] == "F-1"


# --- listing ---------------------------------------------------------------------------


def test_exemptions_are_listed_by_region_and_kind(client, world):
    late = exempted(client, world, kinds=["late_shipment"])["id"]
    both = exempted(client, world)["id"]
    jiangsu = exempted(client, world, region="Jiangsu", kinds=["collection_timeout"])["id"]
    r = world.reviewer
    assert ids(client, r) == [jiangsu, both, late]
    assert ids(client, r, region="Zhejiang") == [both, late]
    assert ids(client, r, kind="late_shipment") == [both, late]
    assert ids(client, r, kind="collection_timeout") == [jiangsu, both]
    assert ids(client, r, region="Jiangsu", kind="late_shipment") == []


def test_the_state_filter_holds_at_the_windows_edges(client, world, clock):
    upcoming = exempted(client, world, starts_at=START + SECOND)["id"]
    begun = exempted(client, world, starts_at=START)["id"]
    last = exempted(client, world, starts_at=START - DAY, ends_at=START + SECOND)["id"]
    over = exempted(client, world, starts_at=START - DAY, ends_at=START)["id"]
    r = world.reviewer
    assert ids(client, r, state="upcoming") == [upcoming]
    assert ids(client, r, state="active") == [last, begun]
    assert ids(client, r, state="ended") == [over]
    states = {e["id"]: e["state"] for e in ok(client.get(EXEMPTIONS, headers=r.headers))["items"]}
    assert states == {upcoming: "upcoming", begun: "active", last: "active", over: "ended"}
    clock.advance(SECOND)
    assert ids(client, r, state="upcoming") == []
    assert ids(client, r, state="ended") == [over, last]


def test_a_filtered_list_pages_through_its_own_items(client, world):
    made = [exempted(client, world)["id"] for _ in range(3)]
    exempted(client, world, region="Jiangsu")
    first = ok(client.get(EXEMPTIONS, headers=world.reviewer.headers,
                          query_string={"region": "Zhejiang", "limit": 2}))
    assert [e["id"] for e in first["items"]] == made[:0:-1]
    rest = ok(client.get(EXEMPTIONS, headers=world.reviewer.headers, query_string={
        "region": "Zhejiang", "limit": 2, "cursor": first["next_cursor"]}))
    assert [e["id"] for e in rest["items"]] == [made[0]] and rest["next_cursor"] is None


@pytest.mark.parametrize(("query", "field"), [
    ({"state": "soon"}, "state"), ({"kind": "late"}, "kind"), ({"region": "浙江"}, "region")])
def test_a_bad_filter_names_its_field(client, world, query, field):
    assert_invalid(client.get(EXEMPTIONS, headers=world.reviewer.headers, query_string=query),
                   field)


def test_extensions_are_listed_by_region_state_and_cause(client, world):
    high = extended(client, world)["id"]
    carriers = extended(client, world, cause="carrier_suspension", suspended_carriers=6,
                        region="Jiangsu")["id"]
    r = world.reviewer
    assert ids(client, r, EXTENSIONS) == [carriers, high]
    assert ids(client, r, EXTENSIONS, cause="high_risk") == [high]
    assert ids(client, r, EXTENSIONS, region="Jiangsu") == [carriers]
    assert ids(client, r, EXTENSIONS, state="upcoming") == [carriers, high]
    assert ids(client, r, EXTENSIONS, state="active") == []


@pytest.mark.parametrize("who", ["owner", "agent", "buyer"])
def test_sellers_and_buyers_may_not_list_or_end(client, world, who):
    exemption = exempted(client, world)["id"]
    extension = extended(client, world)["id"]
    actor = getattr(world, who)
    for what, declared in ((EXEMPTIONS, exemption), (EXTENSIONS, extension)):
        assert_problem(client.get(what, headers=actor.headers), 403, "forbidden")
        assert_problem(end(client, actor, declared, what), 403, "forbidden")
    assert {e["state"] for e in ok(client.get(EXEMPTIONS, headers=world.reviewer.headers))[
        "items"]} == {"active"}


def test_an_admin_reads_the_lists_but_may_not_end(client, world):
    exemption = exempted(client, world)["id"]
    admin = type("Admin", (), {"headers": world.admin_headers})
    assert ids(client, admin) == [exemption]
    assert_problem(end(client, admin, exemption), 403, "forbidden")


# --- ending an exemption ---------------------------------------------------------------


def test_ending_an_exemption_records_who_and_when_and_brings_its_end_back(client, world,
                                                                         clock):
    declared = exempted(client, world)
    clock.advance(timedelta(hours=5))
    body = ok(end(client, world.reviewer, declared["id"]))
    assert (body["ends_at"], body["ended_at"]) == (iso(START + timedelta(hours=5)),) * 2
    assert body["ended_by"] == world.reviewer.id and body["state"] == "ended"
    assert body["starts_at"] == declared["starts_at"]
    assert ids(client, world.reviewer, state="ended") == [declared["id"]]


@pytest.mark.parametrize(("ended_at", "exempted_by"), [
    (SHIP_BY, None), (SHIP_BY + SECOND, "regional_exemption")],
    ids=["at-the-deadline", "a-second-after"])
def test_an_ended_exemption_waives_what_fell_due_before_its_end_and_nothing_after(
        client, world, clock, ended_at, exempted_by):
    world.order("O-1")
    declared = exempted(client, world, starts_at=START, ends_at=SHIP_BY + DAY,
                        kinds=["late_shipment"])
    clock.set(ended_at)
    ok(end(client, world.reviewer, declared["id"]))
    clock.set(LATE_AT)  # recorded after the end: judged by its due time
    assert [v["exempted_by"] for v in violations(client, world.owner)] == [exempted_by]


def test_ending_an_exemption_does_not_take_back_what_it_waived(client, world, clock):
    world.order("O-1")
    clock.set(LATE_AT)
    violations(client, world.owner)  # recorded and charged
    declared = exempted(client, world, starts_at=SHIP_BY, ends_at=SHIP_BY + DAY,
                        kinds=["late_shipment"])
    assert declared["violations_waived"] == 1
    ok(end(client, world.reviewer, declared["id"]))
    clock.advance(timedelta(hours=1))
    seen = ok(client.get(f"{API}/orders/O-1/assessment", headers=world.owner.headers))
    assert [(v["kind"], v["exempted_by"]) for v in seen["violations"]] == [
        ("late_shipment", "regional_exemption")]
    assert (seen["deduction"], seen["compensation"]) == ("0.00", "0.00")


def test_ending_one_not_yet_begun_leaves_an_empty_window(client, world, clock):
    declared = exempted(client, world, starts_at=START + DAY, ends_at=START + 2 * DAY)
    body = ok(end(client, world.reviewer, declared["id"]))
    assert body["ends_at"] == body["starts_at"] == iso(START + DAY)
    assert body["state"] == "ended" and body["ended_at"] == iso(START)
    clock.advance(DAY)
    assert ids(client, world.reviewer, state="active") == []


def test_ending_twice_or_ending_one_whose_window_passed_is_refused(client, world, clock):
    ended = exempted(client, world)["id"]
    passed = exempted(client, world, starts_at=START - DAY, ends_at=START)["id"]
    ok(end(client, world.reviewer, ended))
    clock.advance(SECOND)
    for declared in (ended, passed):
        body = assert_problem(end(client, world.reviewer, declared), 409, "declaration_ended")
        assert "already over" in body["detail"]
    listed = ok(client.get(EXEMPTIONS, headers=world.reviewer.headers))["items"]
    assert [e["ended_at"] for e in listed] == [None, iso(START)]


def test_ending_an_exemption_or_extension_that_does_not_exist_is_not_found(client, world):
    assert_problem(end(client, world.reviewer, 999), 404, "not_found")
    assert_problem(end(client, world.reviewer, 999, EXTENSIONS), 404, "not_found")


# --- ending an extension ---------------------------------------------------------------


def test_an_ended_extension_keeps_the_deadlines_it_moved_and_reaches_no_new_order(
        client, world, clock):
    world.order("O-1")
    declared = extended(client, world, starts_at=SHIP_BY, ends_at=SHIP_BY + 2 * DAY)
    assert declared["orders_extended"] == 1
    clock.advance(timedelta(hours=1))
    body = ok(end(client, world.reviewer, declared["id"], EXTENSIONS))
    assert body["state"] == "ended" and body["ends_at"] == iso(SHIP_BY)  # not begun: empty
    assert read_order(client, world.owner, "O-1")["ship_by"] == iso(SHIP_BY + EXTENSION)
    later = new_order(client, world, "L-1", ship_by=SHIP_BY + DAY)
    assert (later["ship_by_source"], later["extended_ship_by"]) == ("original", None)
    assert_problem(end(client, world.reviewer, declared["id"], EXTENSIONS), 409,
                   "declaration_ended")
