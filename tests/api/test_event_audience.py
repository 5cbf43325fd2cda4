"""A buyer reads its order's timeline without the store's internal events: never
deductions, points, product bans or a report's evidence (API.md, *Notifications*)."""

from __future__ import annotations

import pytest

from negotiation.domain.audience import BUYERS
from tests.api.helpers import events

STORE_ONLY = ("penalty.", "product.", "report.evidence_added")


def test_the_store_sees_its_violations_charges_and_reports(client, world, late_and_reported):
    seen = {e["type"] for no in ("O-1", "O-2") for e in events(client, world.owner, no)}
    assert {"violation.late_shipment", "penalty.deducted", "compensation.paid",
            "report.submitted", "report.evidence_added"} <= seen


def test_a_buyer_sees_its_compensation_but_none_of_the_stores_internal_events(
        client, world, late_and_reported):
    for order_no in ("O-1", "O-2"):
        seen = [e["type"] for e in events(client, world.buyer, order_no)]
        assert not [t for t in seen if t.startswith(STORE_ONLY)], seen
        assert "order.created" in seen
    first = [e["type"] for e in events(client, world.buyer, "O-1")]
    assert {"violation.late_shipment", "compensation.paid", "order.shipped"} <= set(first)
    assert "report.submitted" in [e["type"] for e in events(client, world.buyer, "O-2")]


def test_a_reviewer_sees_everything_the_store_sees(client, world, late_and_reported):
    for order_no in ("O-1", "O-2"):
        assert events(client, world.reviewer, order_no) == events(client, world.owner, order_no)


def test_the_buyers_pages_follow_its_own_timeline(client, world, late_and_reported):
    everything = events(client, world.buyer, "O-1")
    paged, cursor = [], None
    while True:
        query = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/orders/O-1/events", headers=world.buyer.headers,
                          query_string=query).get_json()
        paged += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    assert paged == everything


@pytest.mark.parametrize(("event_type", "seen"), [
    ("card.sent", True), ("negotiation.failed", True), ("order.deadline_changed", True),
    ("shipment.collected", True), ("compensation.paid", True), ("penalty.deducted", False),
    ("penalty.revoked", False), ("product.banned", False), ("violation.late_shipment", True),
    ("report.evidence_added", False), ("report.approved", True), ("cardx.sent", False),
    ("appeal.filed", False)])
def test_the_buyers_audience_names_families_not_prefixes(event_type, seen):
    assert BUYERS.may_see(event_type) is seen
