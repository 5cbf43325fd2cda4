"""Reading delay reports (RULES.md §3 queries): one with its history, the reviewer queue
(most overdue first), filters, pagination, and who sees which reports."""

from datetime import timedelta

import pytest

from tests.api.helpers import assert_invalid, assert_problem, iso, same_problem, ship
from tests.api.report_helpers import (
    REPORTS,
    REVIEW_WINDOW,
    SECOND,
    approve,
    approved,
    created,
    file_collection,
    file_shipment,
    file_store,
    listed,
    listed_ids,
    other_store,
    reject,
    report,
    withdraw,
)
from tests.conftest import START

LIST_KEYS = {"id", "store_id", "kind", "reason", "status", "description", "order_nos",
             "tracking_nos", "window_start", "window_end", "latest_ship_at",
             "latest_collect_at", "submitted_by", "submitted_at", "review_due_at", "overdue",
             "waited_seconds", "reviewed_by", "reviewed_at", "review_note", "actions"}


def without_actions(seen):
    """A report as every reader sees it: ``actions`` depend on who asks."""
    return {k: v for k, v in seen.items() if k != "actions"}


def actions(seen):
    return {name: (a["allowed"], a["reason"]) for name, a in seen["actions"].items()}


@pytest.fixture
def two_stores(client, world):
    """Report A of the world's store (order O-1) and report X of another store (X-1)."""
    other_id, other_owner, other_agent = other_store(world)
    world.order("O-1")
    world.order("X-1", store_id=other_id)
    mine = created(file_shipment(client, world.owner, "O-1"))
    theirs = created(file_shipment(client, other_owner, "X-1"))
    return {"mine": mine, "theirs": theirs, "other_owner": other_owner,
            "other_agent": other_agent}


# --- one report ---------------------------------------------------------------------------


def test_the_store_and_reviewers_read_a_report_with_its_history(client, world, two_stores):
    mine = two_stores["mine"]
    for actor in (world.owner, world.agent, world.reviewer):
        assert without_actions(report(client, actor, mine["id"])) == without_actions(mine)
    assert report(client, world.owner, mine["id"]) == mine
    assert report(client, two_stores["other_owner"], two_stores["theirs"]["id"]) == (
        two_stores["theirs"])


def test_a_reports_actions_tell_each_reader_what_it_may_do_now(client, world, two_stores):
    mine = two_stores["mine"]["id"]
    seller = {"approve": (False, "forbidden"), "reject": (False, "forbidden"),
              "withdraw": (True, None), "add_evidence": (True, None)}
    reviewer = {"approve": (True, None), "reject": (True, None),
                "withdraw": (False, "forbidden"), "add_evidence": (False, "forbidden")}
    assert actions(report(client, world.owner, mine)) == seller
    assert actions(report(client, world.agent, mine)) == seller
    assert actions(report(client, world.reviewer, mine)) == reviewer
    assert [actions(r) for r in listed(client, world.reviewer)] == [reviewer, reviewer]

    approved(client, world, mine)
    assert actions(report(client, world.owner, mine)) == {
        "approve": (False, "forbidden"), "reject": (False, "forbidden"),
        "withdraw": (False, "report_not_pending"), "add_evidence": (False, "report_not_pending")}
    assert actions(report(client, world.reviewer, mine)) == {
        "approve": (False, "report_not_pending"), "reject": (False, "report_not_pending"),
        "withdraw": (False, "forbidden"), "add_evidence": (False, "forbidden")}


@pytest.mark.parametrize("who", ["other_owner", "other_agent"])
def test_another_stores_seller_finds_no_such_report(client, world, two_stores, who):
    actor = two_stores[who]
    hidden = client.get(f"{REPORTS}/{two_stores['mine']['id']}", headers=actor.headers)
    missing = client.get(f"{REPORTS}/999", headers=actor.headers)
    assert_problem(hidden, 404, "not_found")
    assert same_problem(hidden.json) == {
        **same_problem(missing.json), "detail": missing.json["detail"].replace(
        "999", str(two_stores["mine"]["id"]))}


@pytest.mark.parametrize("who", ["buyer", "admin"])
def test_buyers_and_admins_read_no_report(client, world, two_stores, who):
    headers = world.admin_headers if who == "admin" else world.buyer.headers
    response = client.get(f"{REPORTS}/{two_stores['mine']['id']}", headers=headers)
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("report_id", ["999", "2147483648", "0", "abc"])
def test_a_report_that_does_not_exist_is_not_found(client, world, report_id):
    response = client.get(f"{REPORTS}/{report_id}", headers=world.reviewer.headers)
    assert_problem(response, 404, "not_found")


def test_reading_reports_needs_a_token(client, world, two_stores):
    assert_problem(client.get(f"{REPORTS}/{two_stores['mine']['id']}"), 401, "unauthenticated")
    assert_problem(client.get(REPORTS), 401, "unauthenticated")


def test_the_history_lists_every_step_in_order(client, world, clock):
    world.order("O-1")
    filed = created(file_shipment(client, world.owner))
    clock.advance(timedelta(hours=3))
    assert reject(client, world.reviewer, filed["id"], note="Send proof.").status_code == 200
    history = report(client, world.agent, filed["id"])["history"]
    assert [(h["at"], h["actor"], h["action"], h["note"]) for h in history] == [
        (iso(START), str(world.owner.id), "submitted", None),
        (iso(START + timedelta(hours=3)), str(world.reviewer.id), "rejected", "Send proof.")]


# --- who lists what -----------------------------------------------------------------------


def test_a_store_lists_only_its_own_reports(client, world, two_stores):
    assert listed_ids(client, world.owner) == [two_stores["mine"]["id"]]
    assert listed_ids(client, world.agent) == [two_stores["mine"]["id"]]
    assert listed_ids(client, two_stores["other_agent"]) == [two_stores["theirs"]["id"]]


def test_a_reviewer_lists_every_stores_reports(client, world, two_stores):
    assert listed_ids(client, world.reviewer) == [two_stores["mine"]["id"],
                                                  two_stores["theirs"]["id"]]


@pytest.mark.parametrize("who", ["buyer", "admin"])
def test_buyers_and_admins_may_not_list_reports(client, world, two_stores, who):
    headers = world.admin_headers if who == "admin" else world.buyer.headers
    assert_problem(client.get(REPORTS, headers=headers), 403, "forbidden")
    assert_problem(client.get(f"{REPORTS}?order_no=O-1", headers=headers), 403, "forbidden")


def test_a_store_filtering_by_another_stores_order_finds_nothing(client, world, two_stores):
    assert listed(client, world.owner, "order_no=X-1") == []
    assert listed_ids(client, world.reviewer, "order_no=X-1") == [two_stores["theirs"]["id"]]


def test_a_list_item_is_the_report_without_evidence_or_history(client, world, two_stores):
    item = listed(client, world.owner)[0]
    assert set(item) == LIST_KEYS
    detail = report(client, world.owner, item["id"])
    assert {k: detail[k] for k in LIST_KEYS} == item
    assert set(detail) == LIST_KEYS | {"evidence", "history"}


def test_a_store_without_reports_lists_none(client, world):
    response = client.get(REPORTS, headers=world.owner.headers)
    assert response.status_code == 200
    assert response.json == {"items": [], "next_cursor": None}


# --- review due time and overdue ----------------------------------------------------------


def test_a_report_is_overdue_at_exactly_48_hours_and_not_a_second_before(client, world, clock):
    world.order("O-1")
    filed = created(file_shipment(client, world.owner))
    assert filed["review_due_at"] == iso(START + REVIEW_WINDOW)

    clock.set(START + REVIEW_WINDOW - SECOND)
    for seen in (report(client, world.reviewer, filed["id"]), listed(client, world.reviewer)[0]):
        assert (seen["overdue"], seen["waited_seconds"]) == (False, 48 * 3600 - 1)

    clock.set(START + REVIEW_WINDOW)
    for seen in (report(client, world.owner, filed["id"]), listed(client, world.owner)[0]):
        assert (seen["overdue"], seen["waited_seconds"]) == (True, 48 * 3600)


@pytest.mark.parametrize("outcome", ["approved", "rejected", "withdrawn"])
def test_a_decided_report_is_never_overdue_and_its_wait_stops(client, world, clock, outcome):
    world.order("O-1")
    filed = created(file_shipment(client, world.owner))
    clock.set(START + timedelta(hours=50))
    response = {"approved": lambda: approve(client, world.reviewer, filed["id"]),
                "rejected": lambda: reject(client, world.reviewer, filed["id"]),
                "withdrawn": lambda: withdraw(client, world.owner, filed["id"])}[outcome]()
    assert response.status_code == 200, response.json
    assert (response.json["overdue"], response.json["waited_seconds"]) == (False, 50 * 3600)
    clock.advance(timedelta(days=3))
    seen = report(client, world.reviewer, filed["id"])
    assert (seen["status"], seen["overdue"], seen["waited_seconds"]) == (
        outcome, False, 50 * 3600)


def test_the_queue_lists_the_most_overdue_first_then_by_id(client, world, clock):
    for n in range(1, 5):
        world.order(f"O-{n}")
    clock.set(START + timedelta(hours=2))
    late = created(file_shipment(client, world.owner, "O-1"))
    clock.set(START)
    first = created(file_shipment(client, world.owner, "O-2"))
    clock.set(START + timedelta(hours=1))
    middle = created(file_shipment(client, world.agent, "O-3"))
    clock.set(START)
    tied = created(file_shipment(client, world.owner, "O-4"))  # same due time, larger id
    assert first["id"] < tied["id"]

    clock.set(START + REVIEW_WINDOW + timedelta(hours=1))
    queue = listed(client, world.reviewer)
    assert [r["id"] for r in queue] == [first["id"], tied["id"], middle["id"], late["id"]]
    assert [r["overdue"] for r in queue] == [True, True, True, False]
    assert listed_ids(client, world.owner) == [r["id"] for r in queue]
    assert listed_ids(client, world.reviewer, "limit=1") == [r["id"] for r in queue]


# --- filters ------------------------------------------------------------------------------


@pytest.fixture
def catalogue(client, world, clock):
    """Five reports filed an hour apart (START, +1 h, ... +4 h), each a different case:

    ``first``      shipment of O-1 and O-2, natural_disaster, withdrawn;
    ``approved``   shipment of O-3, stock_shortage, approved;
    ``collection`` collection of SF1000004 (order O-4), major_event, pending;
    ``store``      store window holding S-1, epidemic_control, rejected;
    ``again``      shipment of O-1 and O-2, buyer_requested, pending.
    """
    for n in range(1, 5):
        world.order(f"O-{n}")
    world.order("S-1", ship_by=START + timedelta(days=6, hours=12))
    assert ship(client, world.owner, "O-4", tracking_no="SF1000004").status_code == 201
    ids = {}
    ids["first"] = created(file_shipment(client, world.owner, "O-1", "O-2"))["id"]
    assert withdraw(client, world.agent, ids["first"]).status_code == 200
    clock.advance(timedelta(hours=1))
    ids["approved"] = created(file_shipment(client, world.owner, "O-3",
                                            reason="stock_shortage"))["id"]
    approved(client, world, ids["approved"])
    clock.advance(timedelta(hours=1))
    ids["collection"] = created(file_collection(client, world.agent, "SF1000004",
                                                reason="major_event"))["id"]
    clock.advance(timedelta(hours=1))
    ids["store"] = created(file_store(
        client, world.owner, START + timedelta(days=6), START + timedelta(days=7),
        START + timedelta(days=8), reason="epidemic_control"))["id"]
    assert reject(client, world.reviewer, ids["store"]).status_code == 200
    assert report(client, world.owner, ids["store"])["order_nos"] == ["S-1"]
    clock.advance(timedelta(hours=1))
    ids["again"] = created(file_shipment(client, world.owner, "O-1", "O-2",
                                         reason="buyer_requested"))["id"]
    return ids


CATALOGUE_FILTERS = [
    ("", ["first", "approved", "collection", "store", "again"]),
    ("status=pending_review", ["collection", "again"]),
    ("status=approved", ["approved"]),
    ("status=rejected", ["store"]),
    ("status=withdrawn", ["first"]),
    ("kind=shipment", ["first", "approved", "again"]),
    ("kind=collection", ["collection"]),
    ("kind=store", ["store"]),
    ("reason=natural_disaster", ["first"]),
    ("reason=epidemic_control", ["store"]),
    ("reason=dual_address", []),
    ("order_no=O-1", ["first", "again"]),
    ("order_no=O-2", ["first", "again"]),
    ("order_no=O-4", ["collection"]),
    ("order_no=S-1", ["store"]),
    ("order_no=O-404", []),
    ("kind=shipment&status=pending_review", ["again"]),
    ("order_no=O-1&status=withdrawn&reason=natural_disaster", ["first"]),
    ("order_no=O-1&kind=store", []),
]


@pytest.mark.parametrize(("query", "expected"), CATALOGUE_FILTERS,
                         ids=[q or "none" for q, _ in CATALOGUE_FILTERS])
def test_a_filter_narrows_the_list(client, world, catalogue, query, expected):
    want = [catalogue[name] for name in expected]
    assert listed_ids(client, world.reviewer, query) == want
    assert listed_ids(client, world.agent, query) == want


SUBMITTED = [
    (f"submitted_from={iso(START + timedelta(hours=2))}", ["collection", "store", "again"]),
    (f"submitted_from={iso(START + timedelta(hours=2) + SECOND)}", ["store", "again"]),
    (f"submitted_to={iso(START + timedelta(hours=2))}", ["first", "approved"]),
    (f"submitted_to={iso(START + timedelta(hours=2) + SECOND)}",
     ["first", "approved", "collection"]),
    (f"submitted_from={iso(START + timedelta(hours=1))}"
     f"&submitted_to={iso(START + timedelta(hours=3))}", ["approved", "collection"]),
    (f"submitted_from={iso(START + timedelta(hours=2))}"
     f"&submitted_to={iso(START + timedelta(hours=2) + SECOND)}", ["collection"]),
    ("submitted_from=2026-11-22T10:00:00%2B08:00", ["collection", "store", "again"]),
]


@pytest.mark.parametrize(("query", "expected"), SUBMITTED,
                         ids=["from-exact", "from-after", "to-exact", "to-after", "range",
                              "one-second", "offset"])
def test_submitted_from_is_inclusive_and_submitted_to_exclusive(
        client, world, catalogue, query, expected):
    assert listed_ids(client, world.reviewer, query) == [catalogue[n] for n in expected]


BAD_QUERIES = [
    ("status=open", "status"),
    ("status=pending", "status"),
    ("kind=warehouse", "kind"),
    ("reason=bad_weather", "reason"),
    ("order_no=not%20a%20number!", "order_no"),
    ("submitted_from=yesterday", "submitted_from"),
    ("submitted_to=2026-11-22T00:00:00", "submitted_to"),
    (f"submitted_from={iso(START)}&submitted_to={iso(START)}", "submitted_to"),
    (f"submitted_from={iso(START)}&submitted_to={iso(START - SECOND)}", "submitted_to"),
    ("limit=0", "limit"),
    ("limit=501", "limit"),
    ("limit=ten", "limit"),
    ("cursor=not-a-cursor", "cursor"),
    ("cursor=WzFd", "cursor"),  # [1]: an order-list cursor, not a report-list one
]


@pytest.mark.parametrize(("query", "field"), BAD_QUERIES, ids=[q for q, _ in BAD_QUERIES])
def test_a_bad_query_is_refused_naming_the_parameter(client, world, query, field):
    assert_invalid(client.get(f"{REPORTS}?{query}", headers=world.reviewer.headers), field)


# --- pagination ---------------------------------------------------------------------------


def file_many(client, world, count):
    ids = []
    for n in range(count):
        world.order(f"P-{n}")
        ids.append(created(file_shipment(client, world.owner, f"P-{n}"))["id"])
    return ids


def test_pages_follow_cursors_to_the_end(client, world):
    ids = file_many(client, world, 5)
    pages, cursor = [], None
    while True:
        url = f"{REPORTS}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=world.reviewer.headers)
        assert response.status_code == 200, response.json
        pages.append([r["id"] for r in response.json["items"]])
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]


def test_a_full_last_page_has_no_next_cursor(client, world):
    ids = file_many(client, world, 4)
    first = client.get(f"{REPORTS}?limit=2", headers=world.owner.headers).json
    second = client.get(f"{REPORTS}?limit=2&cursor={first['next_cursor']}",
                        headers=world.owner.headers).json
    assert [r["id"] for r in second["items"]] == ids[2:]
    assert second["next_cursor"] is None
    everything = client.get(f"{REPORTS}?limit=4", headers=world.owner.headers).json
    assert everything["next_cursor"] is None
    assert len(everything["items"]) == 4


def test_the_default_page_holds_50_reports_and_500_may_be_asked(client, world):
    ids = file_many(client, world, 51)
    page = client.get(REPORTS, headers=world.reviewer.headers).json
    assert [r["id"] for r in page["items"]] == ids[:50]
    assert page["next_cursor"] is not None
    rest = client.get(f"{REPORTS}?cursor={page['next_cursor']}",
                      headers=world.reviewer.headers).json
    assert [r["id"] for r in rest["items"]] == ids[50:]
    assert rest["next_cursor"] is None
    whole = client.get(f"{REPORTS}?limit=500", headers=world.reviewer.headers).json
    assert [r["id"] for r in whole["items"]] == ids
    assert whole["next_cursor"] is None


def test_a_cursor_keeps_its_place_when_reports_are_filed_meanwhile(client, world, clock):
    ids = file_many(client, world, 3)
    page = client.get(f"{REPORTS}?limit=2", headers=world.reviewer.headers).json
    clock.advance(timedelta(minutes=1))
    world.order("LATE")
    late = created(file_shipment(client, world.owner, "LATE"))["id"]
    rest = client.get(f"{REPORTS}?limit=2&cursor={page['next_cursor']}",
                      headers=world.reviewer.headers).json
    assert [r["id"] for r in page["items"] + rest["items"]] == [*ids, late]


def test_a_cursor_pages_through_a_filtered_list(client, world):
    ids = file_many(client, world, 4)
    assert withdraw(client, world.owner, ids[1]).status_code == 200
    assert listed_ids(client, world.owner, "status=pending_review&limit=1") == [
        ids[0], ids[2], ids[3]]


def test_a_store_never_pages_into_another_stores_reports(client, world, two_stores):
    other_id = two_stores["theirs"]["store_id"]
    assert other_id != world.store_id
    assert listed_ids(client, world.owner, "limit=1") == [two_stores["mine"]["id"]]
    assert listed_ids(client, two_stores["other_owner"], "limit=1") == [
        two_stores["theirs"]["id"]]
