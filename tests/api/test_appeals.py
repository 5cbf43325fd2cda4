"""Appeals (申诉, RULES.md §6): a store appeals a recorded violation once, within 7 days
of its detection; a reviewer upholds it, or overturns it and the violation is waived and
its charges reversed in the ledger, as a late approved report does."""

from datetime import timedelta

import pytest

from negotiation.services.reports import evidence
from tests.api.assessment_helpers import SHIP_BY, entries, ledger, ok
from tests.api.helpers import API, assert_invalid, assert_problem, event_types
from tests.api.report_helpers import JPEG, multipart, other_store

APPEAL_WINDOW = timedelta(days=7)  # policy.appeal_window
REVIEW_WINDOW = timedelta(hours=48)  # policy.appeal_review_window
BODY = {"reason": "carrier_fault", "description": "The carrier collected it on time."}


def late(world, clock, order_no="O-1"):
    """An order read an hour past its deadline: its late shipment recorded, charged."""
    world.order(order_no)
    clock.set(SHIP_BY + timedelta(hours=1))
    return clock.now()


def violation_of(client, actor, order_no="O-1"):
    [violation] = ok(client.get(f"{API}/orders/{order_no}/violations",
                                headers=actor.headers))["items"]
    return violation


def appeal(client, actor, violation_id, body=None):
    return client.post(f"{API}/violations/{violation_id}/appeals", headers=actor.headers,
                       json=BODY if body is None else body)


def filed(client, world, clock, order_no="O-1"):
    late(world, clock, order_no)
    return ok(appeal(client, world.agent, violation_of(client, world.owner, order_no)["id"]),
              201)


def decide(client, actor, appeal_id, outcome, note="Checked the carrier's records."):
    return client.post(f"{API}/appeals/{appeal_id}/{outcome}", headers=actor.headers,
                       json={"note": note})


# --- filing ----------------------------------------------------------------------------


def test_a_store_appeals_a_recorded_violation_and_review_is_due_48_hours_later(
        client, world, clock):
    filed_at = late(world, clock)
    violation = violation_of(client, world.owner)
    assert violation["appeal"] is None
    body = ok(appeal(client, world.agent, violation["id"]), 201)
    assert (body["violation_id"], body["state"], body["order_no"]) == (
        violation["id"], "pending_review", "O-1")
    assert body["review_due_at"] == (filed_at + REVIEW_WINDOW).isoformat().replace(
        "+00:00", "Z")
    assert body["actions"]["uphold"]["allowed"] is False  # a seller decides nothing
    assert violation_of(client, world.owner)["appeal"] == {"id": body["id"],
                                                           "state": "pending_review"}
    assert "appeal.submitted" in event_types(client, world.owner)


@pytest.mark.parametrize(("after", "status"), [
    (APPEAL_WINDOW - timedelta(microseconds=1), 201),
    (APPEAL_WINDOW, 409),
], ids=["last-microsecond", "exactly-7-days"])
def test_the_window_closes_7_days_after_detection_to_the_microsecond(
        client, world, clock, after, status):
    detected = late(world, clock)
    violation = violation_of(client, world.owner)
    clock.set(detected + after)
    response = appeal(client, world.owner, violation["id"])
    if status == 201:
        ok(response, 201)
    else:
        assert_problem(response, 409, "violation_not_appealable")


def test_a_violation_is_appealed_once_even_after_its_appeal_was_decided(client, world, clock):
    first = filed(client, world, clock)
    ok(decide(client, world.reviewer, first["id"], "uphold"))
    again = appeal(client, world.owner, first["violation_id"])
    assert_problem(again, 409, "violation_not_appealable")


def test_bad_input_is_refused_and_files_nothing(client, world, clock):
    late(world, clock)
    violation_id = violation_of(client, world.owner)["id"]
    assert_invalid(appeal(client, world.owner, violation_id, {"reason": "carrier_fault"}),
                   "description")
    assert_invalid(appeal(client, world.owner, violation_id,
                          {**BODY, "reason": "no such reason"}), "reason")
    assert_invalid(appeal(client, world.owner, violation_id, {**BODY, "description": "  "}),
                   "description")
    assert violation_of(client, world.owner)["appeal"] is None


def test_only_the_store_appeals_and_an_unknown_violation_is_not_found(client, world, clock):
    late(world, clock)
    violation_id = violation_of(client, world.owner)["id"]
    assert_problem(appeal(client, world.buyer, violation_id), 404, "not_found")
    assert_problem(appeal(client, world.reviewer, violation_id), 404, "not_found")
    assert_problem(appeal(client, world.owner, violation_id + 99), 404, "not_found")


# --- review ----------------------------------------------------------------------------


def test_overturning_waives_the_violation_and_reverses_its_charges_in_the_ledger(
        client, world, clock):
    body = filed(client, world, clock)
    charged = entries(client, world, "O-1")
    assert {e["kind"] for e in charged} == {"deposit_deduction", "buyer_compensation"}
    clock.advance(timedelta(hours=3))
    decided = ok(decide(client, world.reviewer, body["id"], "overturn"))
    assert (decided["state"], decided["review_note"]) == (
        "overturned", "Checked the carrier's records.")
    after = entries(client, world, "O-1")
    reversals = [e for e in after if e["kind"] == "reversal"]
    assert sorted(e["reverses"] for e in reversals) == sorted(e["id"] for e in charged)
    assert all(e["revoked_at"] is not None for e in after if e["kind"] != "reversal")
    assert ledger(client, world.reviewer, world.store_id)["totals"]["net"] == "0.00"
    violation = violation_of(client, world.owner)
    assert violation["exempted_by"] == "appeal"
    assert violation["appeal"] == {"id": body["id"], "state": "overturned"}
    types = event_types(client, world.owner)
    assert types[-1:] == ["penalty.revoked"] and "appeal.overturned" in types
    assert "violation.exempted" in types


def test_upholding_leaves_the_violation_and_its_charges_standing(client, world, clock):
    body = filed(client, world, clock)
    before = entries(client, world, "O-1")
    decided = ok(decide(client, world.reviewer, body["id"], "uphold"))
    assert decided["state"] == "upheld"
    assert entries(client, world, "O-1") == before
    assert violation_of(client, world.owner)["exempted_by"] is None
    assert "appeal.upheld" in event_types(client, world.owner)


def test_a_decided_appeal_is_not_decided_again(client, world, clock):
    body = filed(client, world, clock)
    ok(decide(client, world.reviewer, body["id"], "overturn"))
    for outcome in ("uphold", "overturn"):
        assert_problem(decide(client, world.reviewer, body["id"], outcome), 409,
                       "appeal_not_pending")
    assert len([e for e in entries(client, world, "O-1") if e["kind"] == "reversal"]) == 2


def test_only_reviewers_decide(client, world, clock):
    body = filed(client, world, clock)
    for actor in (world.owner, world.agent, world.buyer):
        assert_problem(decide(client, actor, body["id"], "overturn"), 403, "forbidden")
    assert ok(client.get(f"{API}/appeals/{body['id']}",
                         headers=world.owner.headers))["state"] == "pending_review"


def test_a_note_too_long_is_refused_and_decides_nothing(client, world, clock):
    body = filed(client, world, clock)
    assert_invalid(decide(client, world.reviewer, body["id"], "overturn", "x" * 1001), "note")
    assert ok(client.get(f"{API}/appeals/{body['id']}",
                         headers=world.reviewer.headers))["state"] == "pending_review"


# --- reads, evidence, and another store ------------------------------------------------


def test_a_store_never_sees_or_acts_on_another_stores_appeals(client, world, clock):
    body = filed(client, world, clock)
    _, other_owner, other_agent = other_store(world)
    url = f"{API}/appeals/{body['id']}"
    for actor in (other_owner, other_agent, world.buyer):
        assert_problem(client.get(url, headers=actor.headers), 404, "not_found")
    data, mimetype = multipart(JPEG)
    assert_problem(client.post(f"{url}/evidence", headers=other_agent.headers, data=data,
                               content_type=mimetype), 404, "not_found")
    assert_problem(appeal(client, other_owner, body["violation_id"]), 404, "not_found")
    assert ok(client.get(f"{API}/appeals", headers=other_owner.headers))["items"] == []
    assert [a["id"] for a in ok(client.get(f"{API}/appeals",
                                           headers=world.owner.headers))["items"]] == [body["id"]]


def test_the_reviewer_lists_every_pending_appeal_most_overdue_first(client, world, clock):
    first = filed(client, world, clock, "O-1")
    clock.advance(timedelta(hours=1))
    world.order("O-2", ship_by=clock.now() - timedelta(minutes=1))
    second = ok(appeal(client, world.owner, violation_of(client, world.owner, "O-2")["id"]),
                201)
    listed = ok(client.get(f"{API}/appeals?state=pending_review",
                           headers=world.reviewer.headers))["items"]
    assert [a["id"] for a in listed] == [first["id"], second["id"]]
    clock.advance(REVIEW_WINDOW)
    listed = ok(client.get(f"{API}/appeals?order_no=O-2", headers=world.reviewer.headers))
    assert [(a["id"], a["overdue"]) for a in listed["items"]] == [(second["id"], True)]


def test_evidence_is_attached_as_for_reports_and_served_back_to_the_reviewer(
        client, world, clock):
    body = filed(client, world, clock)
    data, mimetype = multipart(JPEG, "receipt.jpg")
    added = ok(client.post(f"{API}/appeals/{body['id']}/evidence",
                           headers=world.agent.headers, data=data, content_type=mimetype), 201)
    assert added["content_type"] == "image/jpeg"
    served = client.get(added["url"], headers=world.reviewer.headers)
    assert served.status_code == 200 and served.data == JPEG
    text, mimetype = multipart(b"just words", "receipt.jpg")
    assert_problem(client.post(f"{API}/appeals/{body['id']}/evidence",
                               headers=world.agent.headers, data=text, content_type=mimetype),
                   422, "evidence_type_not_allowed")
    detail = ok(client.get(f"{API}/appeals/{body['id']}", headers=world.reviewer.headers))
    assert [e["filename"] for e in detail["evidence"]] == ["receipt.jpg"]


def test_the_orphan_sweep_keeps_an_appeals_evidence(client, world, clock):
    body = filed(client, world, clock)
    data, mimetype = multipart(JPEG)
    added = ok(client.post(f"{API}/appeals/{body['id']}/evidence", headers=world.agent.headers,
                           data=data, content_type=mimetype), 201)
    clock.set(clock.now() + timedelta(days=3650))  # every stored file is old enough
    assert evidence.remove_orphans(world.rt.uow(), world.rt.evidence,
                                   older_than=timedelta(hours=1)) == 0
    assert client.get(added["url"], headers=world.reviewer.headers).data == JPEG
